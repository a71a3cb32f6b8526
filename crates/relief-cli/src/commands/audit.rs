//! `relief audit verify`.

use std::path::Path;

use super::answer;
use crate::cli::AuditCommand;
use crate::error::CliError;
use crate::terminal;

pub fn run(dir: Option<&Path>, command: AuditCommand, json: bool) -> Result<(), CliError> {
    let AuditCommand::Verify(args) = command;
    let (store, _, _) = terminal::open_as(dir, &args.actor)?;
    let report = store.verify_audit()?;
    if let Some(finding) = report.finding {
        return Err(CliError::AuditBroken(finding));
    }
    answer(json, &report, || {
        format!("감사 기록 {}건: 이상 없음", report.entries)
    })
}
