//! `relief close`, `reopen`, `closes`: the counter's day close.

use std::path::Path;
use std::sync::Mutex;

use relief_core::Krw;
use relief_report::daily::DailyReport;
use relief_report::{from_store, pdf};
use relief_store::{ClosePlan, DayClosed, DrawerCount, Role, Store};
use relief_sync::Retry;
use serde_json::json;

use super::answer;
use super::sync::runtime;
use crate::cli::{CloseArgs, ClosesArgs, ReopenArgs};
use crate::error::CliError;
use crate::terminal;

fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes).map_err(|source| CliError::Write {
        path: path.to_owned(),
        source,
    })
}

fn drawer(args: &CloseArgs) -> Result<DrawerCount, CliError> {
    let scanned = match &args.scanned {
        None => Vec::new(),
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| {
                CliError::Input(format!("{}을(를) 읽을 수 없습니다: {e}", path.display()))
            })?
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    Ok(DrawerCount {
        typed: args
            .counts
            .iter()
            .map(|(face, n)| (Krw(*face), *n))
            .collect(),
        scanned,
    })
}

pub fn close(dir: Option<&Path>, args: CloseArgs, json: bool) -> Result<(), CliError> {
    let (store, who, at) = terminal::open_as(dir, &args.actor)?;
    if who.role() != Role::Supervisor {
        return Err(relief_store::Error::SupervisorRequired.into());
    }
    let drawer = drawer(&args)?;
    let enrolled = store.enrollment()?.is_some();
    let store = Mutex::new(store);
    let runtime = runtime()?;
    // What can still reach the ledger goes before the count: the close
    // names only what truly could not.
    let reached = (enrolled && !args.no_sync).then(|| {
        runtime
            .block_on(relief_sync::sync_once(&store, Retry::ONCE))
            .is_ok()
    });
    let (closed, plan) = {
        let mut store = store.lock().expect("one thread");
        let plan = store.plan_close(args.date, &drawer, at)?;
        let input = from_store::close(&store, &plan, &who, at, &args.reason, &args.unsent_reason)?;
        let report = pdf::daily(&DailyReport::build(&input))?;
        let closed =
            store.close_day(&who, &plan, &args.reason, &args.unsent_reason, &report, at)?;
        if let Some(out) = &args.out {
            write(out, &report)?;
        }
        (closed, plan)
    };
    // The close itself goes to the ledger now if it answers, else later.
    let sent = enrolled
        && !args.no_sync
        && runtime
            .block_on(relief_sync::push_pending(&store, Retry::ONCE, 100))
            .is_ok_and(|p| p.accepted + p.duplicates > 0);
    answer(
        json,
        &json!({
            "closed": closed,
            "plan": plan,
            "balanced": plan.balanced(),
            "ledger_reached": reached,
            "close_sent": sent,
            "report": args.out,
        }),
        || describe(&closed, &plan, sent, args.out.as_deref()),
    )
}

fn describe(closed: &DayClosed, plan: &ClosePlan, sent: bool, out: Option<&Path>) -> String {
    let mut lines = vec![format!(
        "마감: {} ({})",
        closed.day,
        if plan.balanced() {
            "서랍 카드 일치".to_owned()
        } else {
            format!("불일치 {:+}장", plan.difference())
        }
    )];
    for face in &plan.faces {
        lines.push(format!(
            "  액면 {}: 장부 {}장, 센 수 {}장",
            face.face_value, face.expected, face.counted
        ));
    }
    if !closed.lost.is_empty() {
        lines.push(format!("  분실 처리: {}", closed.lost.join(", ")));
    }
    if !closed.found.is_empty() {
        lines.push(format!("  재고 복귀: {}", closed.found.join(", ")));
    }
    if !plan.unsent.is_empty() {
        lines.push(format!(
            "원장 서버에 보내지 못한 이벤트 {}건 (사유를 마감에 기록했습니다)",
            plan.unsent.len()
        ));
    }
    lines.push(format!("보고서 SHA-256: {}", closed.report_sha256));
    if let Some(out) = out {
        lines.push(format!("보고서: {}", out.display()));
    }
    lines.push(if sent {
        "마감을 원장 서버에 알렸습니다".to_owned()
    } else {
        "마감은 다음 동기화 때 원장 서버에 알립니다".to_owned()
    });
    lines.join("\n")
}

pub fn reopen(dir: Option<&Path>, args: ReopenArgs, json: bool) -> Result<(), CliError> {
    let (mut store, who, at) = terminal::open_as(dir, &args.actor)?;
    let close_id = store.reopen_day(&who, args.date, &args.reason, at)?;
    answer(
        json,
        &json!({ "reopened": close_id, "day": args.date }),
        || {
            format!(
                "{}: 마감을 취소했습니다 (다시 발급할 수 있습니다)",
                args.date
            )
        },
    )
}

pub fn show(dir: Option<&Path>, args: ClosesArgs, json: bool) -> Result<(), CliError> {
    let (store, _, _) = terminal::open_as(dir, &args.actor)?;
    let closes = store.day_closes(args.date)?;
    if let Some(out) = &args.out {
        let last = closes
            .last()
            .ok_or(relief_store::Error::DayNotClosed(args.date))?;
        let report = stored_report(&store, &last.close_id)?;
        write(out, &report)?;
    }
    answer(json, &closes, || {
        if closes.is_empty() {
            return format!("{}: 마감 기록이 없습니다", args.date);
        }
        closes
            .iter()
            .map(|c| {
                format!(
                    "{} 마감 {} ({}) 서랍 {} 미전송 {}건, 보고서 SHA-256 {}{}",
                    c.day,
                    c.closed_at.format("%H:%M"),
                    c.closed_by,
                    match c.difference() {
                        0 => "일치".to_owned(),
                        d => format!("불일치 {d:+}장 ({})", c.reason),
                    },
                    c.unsent,
                    c.report_sha256,
                    c.reopened
                        .as_ref()
                        .map(|r| format!(
                            " · 마감 취소 {} ({}): {}",
                            r.at.format("%m-%d %H:%M"),
                            r.by,
                            r.reason
                        ))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn stored_report(store: &Store, close_id: &str) -> Result<Vec<u8>, CliError> {
    store
        .close_report(close_id)?
        .ok_or_else(|| CliError::Input(format!("마감 {close_id}의 보고서가 없습니다")))
}
