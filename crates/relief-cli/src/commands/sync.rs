//! `relief enroll`, `sync`, `status`, `conflict list|accept`.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use relief_store::Store;
use relief_sync::Retry;

use super::answer;
use crate::cli::{ActorOnly, ConflictCommand, EnrollArgs, SyncArgs};
use crate::error::CliError;
use crate::terminal;

/// Two workers: a pull asks for its next page while it reads the last,
/// which needs a thread for each.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Input(format!("비동기 실행기를 만들 수 없습니다: {e}")))
}

pub fn enroll(dir: Option<&Path>, args: EnrollArgs, json: bool) -> Result<(), CliError> {
    let (store, supervisor, at) = terminal::open_as(dir, &args.actor)?;
    let store = Mutex::new(store);
    let enrollment = runtime()?.block_on(relief_sync::enroll(
        &store,
        &supervisor,
        &args.ledger,
        &args.code,
        args.ledger_key_fingerprint.as_deref(),
        at,
    ))?;
    let fingerprint = enrollment.ledger_key().map(|k| k.fingerprint())?;
    answer(
        json,
        &serde_json::json!({ "enrollment": enrollment, "ledger_key_fingerprint": fingerprint }),
        || {
            format!(
                "원장 서버 등록 완료: 단말기 {}\n원장 서버 {} (키 지문 {fingerprint})",
                enrollment.terminal_id, enrollment.ledger_url
            )
        },
    )
}

pub fn sync(dir: Option<&Path>, args: SyncArgs, json: bool) -> Result<(), CliError> {
    let mut store = terminal::open(dir)?;
    // A visit the counter's program left open (it stopped mid-visit)
    // handed over no card: its end goes with this push.
    let at = terminal::now(&store, args.at)?;
    store.end_stale_visits(at)?;
    let store = Mutex::new(store);
    let retry = Retry {
        attempts: args.retries,
        ..Retry::default()
    };
    let runtime = runtime()?;
    loop {
        let outcome = runtime.block_on(relief_sync::sync_once(&store, retry));
        match outcome {
            Ok((pushed, pulled)) => {
                answer(
                    json,
                    &serde_json::json!({ "pushed": pushed, "pulled": pulled }),
                    || {
                        format!(
                            "보냄 {}건 (수락 {}, 중복 {}, 거부 {}), 받음: 지급 변경 {}건, 충돌 {}건{}",
                            pushed.sent,
                            pushed.accepted,
                            pushed.duplicates,
                            pushed.rejected,
                            pulled.deny_changes,
                            pulled.conflicts,
                            pulled
                                .policy_installed
                                .map(|v| format!(", 새 정책 {v}"))
                                .unwrap_or_default()
                        )
                    },
                )?;
            }
            Err(error) if args.watch => eprintln!("relief: {error}"),
            Err(error) => return Err(error.into()),
        }
        if !args.watch {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(args.interval));
    }
}

pub fn status(dir: Option<&Path>, args: ActorOnly, json: bool) -> Result<(), CliError> {
    let (store, _, _) = terminal::open_as(dir, &args.actor)?;
    let sync = store.sync_status()?;
    let on_hand = store.stock()?.on_hand();
    answer(
        json,
        &serde_json::json!({ "sync": sync, "cards_on_hand": on_hand }),
        || {
            let when = |t: Option<chrono::NaiveDateTime>| {
                t.map_or("없음".to_owned(), |t| {
                    t.format("%Y-%m-%d %H:%M").to_string()
                })
            };
            format!(
                "원장 서버: {}\n마지막 연결: {}\n보낼 이벤트: {}건 (거부 {}건)\n열린 충돌: {}건\n보유 카드: {}장{}",
                if sync.enrolled {
                    "등록됨"
                } else {
                    "미등록 (오프라인)"
                },
                when(sync.last_contact_at),
                sync.pending,
                sync.rejected,
                sync.open_conflicts,
                on_hand,
                sync.last_error
                    .as_deref()
                    .map(|e| format!("\n마지막 오류: {e}"))
                    .unwrap_or_default()
            )
        },
    )
}

pub fn conflict(dir: Option<&Path>, command: ConflictCommand, json: bool) -> Result<(), CliError> {
    match command {
        ConflictCommand::List(args) => {
            let (store, _, _) = terminal::open_as(dir, &args.actor)?;
            let conflicts = store.conflicts()?;
            answer(json, &conflicts, || describe(&store, &conflicts))
        }
        ConflictCommand::Accept(args) => {
            let (mut store, who, at) = terminal::open_as(dir, &args.actor)?;
            let id = store.accept_conflict(&who, &args.conflict, &args.note, at)?;
            answer(
                json,
                &serde_json::json!({ "resolution_id": id, "conflict_id": args.conflict }),
                || {
                    format!(
                        "충돌 {}: 두 지급을 모두 인정했습니다 (다음 동기화 때 원장 서버에 알립니다)",
                        args.conflict
                    )
                },
            )
        }
    }
}

fn describe(_: &Store, conflicts: &[relief_store::ConflictRecord]) -> String {
    if conflicts.is_empty() {
        return "충돌이 없습니다".to_owned();
    }
    conflicts
        .iter()
        .map(|c| {
            format!(
                "{}  {:?}  먼저: {} {} {}  나중: {} {} {}{}",
                c.id,
                c.status,
                c.standing.paid.channel,
                c.standing.paid.site,
                c.standing.paid.at,
                c.other.paid.channel,
                c.other.paid.site,
                c.other.paid.at,
                c.our_issuance_id
                    .as_deref()
                    .map(|i| format!("  (우리 발급 {i})"))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
