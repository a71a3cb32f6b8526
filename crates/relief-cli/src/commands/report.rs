//! `relief report daily|stock|receipt`.

use std::path::Path;

use relief_report::daily::DailyReport;
use relief_report::receipt::Paper;
use relief_report::{Format, ReportKind, from_store, pdf};
use serde_json::json;

use super::answer;
use crate::cli::ReportCommand;
use crate::error::CliError;
use crate::terminal::{self, Input};

fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes).map_err(|source| CliError::Write {
        path: path.to_owned(),
        source,
    })
}

pub fn run(dir: Option<&Path>, command: ReportCommand, json: bool) -> Result<(), CliError> {
    let mut input = Input::default();
    let actor = match &command {
        ReportCommand::Daily(args) => &args.actor,
        ReportCommand::Stock(args) => &args.actor,
        ReportCommand::Receipt(args) => &args.actor,
    };
    let mut store = terminal::open_for(dir, actor, &mut input)?;
    let (path, what) = match command {
        ReportCommand::Daily(args) => {
            let format: Format = args.format.parse()?;
            let at = terminal::now(&store, args.actor.at)?;
            let who =
                terminal::sign_in(&mut store, &mut input, &args.actor.clerk, "RELIEF_PIN", at)?;
            if who.role() != relief_store::Role::Supervisor {
                return Err(relief_store::Error::SupervisorRequired.into());
            }
            let data = from_store::daily(&store, args.date, &who, at)?;
            let report = DailyReport::build(&data);
            let bytes = match format {
                Format::Pdf => pdf::daily(&report)?,
                Format::Xlsx => relief_report::xlsx::daily(&report)?,
                Format::Csv => relief_report::csv::daily(&report)?,
            };
            write(&args.out, &bytes)?;
            (args.out, ReportKind::Daily.label())
        }
        ReportCommand::Stock(args) => {
            let format: Format = args.format.parse()?;
            let at = terminal::now(&store, args.actor.at)?;
            let who =
                terminal::sign_in(&mut store, &mut input, &args.actor.clerk, "RELIEF_PIN", at)?;
            if who.role() != relief_store::Role::Supervisor {
                return Err(relief_store::Error::SupervisorRequired.into());
            }
            let data = from_store::stock(&store, args.date, &who, at)?;
            let bytes = match format {
                Format::Pdf => pdf::stock(&data)?,
                Format::Xlsx => relief_report::xlsx::stock(&data)?,
                Format::Csv => relief_report::csv::stock(&data)?,
            };
            write(&args.out, &bytes)?;
            (
                args.out,
                if data.balanced() {
                    "재고 대사표 (일치)"
                } else {
                    "재고 대사표 (불일치: 확인 필요)"
                },
            )
        }
        ReportCommand::Receipt(args) => {
            let paper: Paper = args.paper.parse()?;
            let at = terminal::now(&store, args.actor.at)?;
            terminal::sign_in(&mut store, &mut input, &args.actor.clerk, "RELIEF_PIN", at)?;
            let receipt = from_store::receipt(&store, &args.issuance)?;
            write(&args.out, &pdf::receipt(&receipt, paper)?)?;
            (args.out, "수령 확인증")
        }
    };
    answer(json, &json!({ "written": path, "document": what }), || {
        format!("{what}: {}", path.display())
    })
}
