//! `relief offline`: a supervisor approves offline issuance at this counter
//! for a while and a number of issuances, and closes it.

use std::path::Path;

use relief_store::OfflineApproval;

use super::answer;
use crate::cli::OfflineCommand;
use crate::error::CliError;
use crate::terminal;

pub fn run(dir: Option<&Path>, command: OfflineCommand, json: bool) -> Result<(), CliError> {
    match command {
        OfflineCommand::Open(args) => {
            let (mut store, who, at) = terminal::open_as(dir, &args.actor)?;
            let approval = store.open_offline_approval(&who, args.minutes, args.issuances, at)?;
            answer(json, &approval, || {
                format!("오프라인 발급 승인: {}", describe(&approval))
            })
        }
        OfflineCommand::Close(args) => {
            let (mut store, who, at) = terminal::open_as(dir, &args.actor)?;
            let approval = store.close_offline_approval(&who, at)?;
            answer(json, &approval, || {
                format!(
                    "오프라인 발급 승인을 닫았습니다 ({}건 발급됨)",
                    approval.used
                )
            })
        }
        OfflineCommand::Status(args) => {
            let (store, _, at) = terminal::open_as(dir, &args.actor)?;
            let approval = store.offline_approval(at)?;
            answer(json, &approval, || match &approval {
                Some(a) => format!("오프라인 발급 승인 중: {}", describe(a)),
                None => "오프라인 발급 승인 없음".to_owned(),
            })
        }
    }
}

fn describe(a: &OfflineApproval) -> String {
    format!(
        "감독자 {}, {}까지, 남은 {}건 (전체 {}건)",
        a.opened_by,
        a.until.format("%H:%M"),
        a.remaining(),
        a.max_issuances
    )
}
