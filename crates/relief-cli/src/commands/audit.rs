//! `relief audit verify`, and `relief purge`, which the chain records.

use std::path::Path;

use super::answer;
use crate::cli::{ActorOnly, AuditCommand};
use crate::error::CliError;
use crate::terminal;

pub fn run(dir: Option<&Path>, command: AuditCommand, json: bool) -> Result<(), CliError> {
    let AuditCommand::Verify(args) = command;
    let (store, _, _) = terminal::open_as(dir, &args.actor)?;
    let report = store.verify_audit()?;
    if let Some(finding) = report.finding {
        return Err(CliError::AuditBroken(finding));
    }
    answer(json, &report, || match report.purged {
        0 => format!("감사 기록 {}건: 이상 없음", report.entries),
        purged => format!(
            "감사 기록 {}건: 이상 없음 (그중 {purged}건은 개인정보 파기로 내용을 지우고 봉인했습니다)",
            report.entries
        ),
    })
}

pub fn purge(dir: Option<&Path>, args: ActorOnly, json: bool) -> Result<(), CliError> {
    let (mut store, who, at) = terminal::open_as(dir, &args.actor)?;
    let purged = store.purge(&who, at)?;
    answer(json, &purged, || {
        format!(
            "개인정보 파기 완료: 발급 {}건 (수령자 {}명)의 이름·마스킹 번호·키, 중복 차단 목록 {}건, 주민 명부 {}명, 캠페인 비밀키. 감사 기록 {}건의 내용을 지우고 봉인했습니다. 건수와 금액은 남습니다.",
            purged.issuances,
            purged.beneficiaries,
            purged.deny_keys,
            purged.roll_people,
            purged.audit_entries
        )
    })
}
