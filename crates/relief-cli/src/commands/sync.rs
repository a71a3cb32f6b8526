//! `relief enroll`, `sync`, `status`, `conflict list|accept`.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
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
    let runtime = runtime()?;
    let enrollment = runtime.block_on(relief_sync::enroll(
        &store,
        &supervisor,
        &args.ledger,
        &args.code,
        args.ledger_key_fingerprint.as_deref(),
        at,
    ))?;
    let fingerprint = enrollment.ledger_key().map(|k| k.fingerprint())?;
    // Enrolled whatever happens next: a roll cut short goes on with the
    // next `relief sync`, from where it stopped.
    let roll = runtime
        .block_on(download_with_bar(&store, json))
        .map_err(|e| {
            CliError::Input(format!(
                "등록은 되었으나 주민 명부를 다 받지 못했습니다 (relief sync가 이어 받습니다): {e}"
            ))
        })?;
    answer(
        json,
        &serde_json::json!({
            "enrollment": enrollment,
            "ledger_key_fingerprint": fingerprint,
            "roll": roll,
        }),
        || {
            format!(
                "원장 서버 등록 완료: 단말기 {}\n원장 서버 {} (키 지문 {fingerprint})\n{}",
                enrollment.terminal_id,
                enrollment.ledger_url,
                roll_line(&roll)
            )
        },
    )
}

/// The roll's download with a progress bar on the terminal (none for
/// `--json`, or where stderr is not a terminal).
async fn download_with_bar(
    store: &Mutex<Store>,
    json: bool,
) -> Result<relief_sync::RollReport, relief_sync::SyncError> {
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "주민 명부 받는 중 {bar:40} {percent}% ({human_pos}/{human_len}명, {eta} 남음)",
        )
        .expect("a valid template"),
    );
    let report = relief_sync::download_roll(store, Retry::default(), relief_sync::ROLL_PAGE, |p| {
        if let Some(expected) = p.expected {
            bar.set_length(expected);
        }
        bar.set_position(p.received);
    })
    .await;
    bar.finish_and_clear();
    report
}

fn roll_line(roll: &relief_sync::RollReport) -> String {
    match (roll.version, roll.updated_from) {
        (0, _) => "주민 명부: 원장 서버에 아직 없습니다".to_owned(),
        (version, Some(_)) => format!("주민 명부 버전 {version} ({}명 받음)", roll.people),
        (version, None) => format!("주민 명부 버전 {version} (바뀐 것 없음)"),
    }
}

pub fn sync(dir: Option<&Path>, args: SyncArgs, json: bool) -> Result<(), CliError> {
    let mut store = terminal::open(dir, args.at)?;
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
                            "보냄 {}건 (수락 {}, 중복 {}, 거부 {}), 받음: 지급 변경 {}건, 충돌 {}건, 카드 상태 {}건{}, {}",
                            pushed.sent,
                            pushed.accepted,
                            pushed.duplicates,
                            pushed.rejected,
                            pulled.deny_changes,
                            pulled.conflicts,
                            pulled.cards,
                            pulled
                                .policy_installed
                                .map(|v| format!(", 새 정책 {v}"))
                                .unwrap_or_default(),
                            roll_line(&pulled.roll)
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

fn describe(store: &Store, conflicts: &[relief_store::ConflictRecord]) -> String {
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
                    .map(|i| format!("  (우리 발급 {i}{})", our_cards(store, i)))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `, 카드 GG-0003 보류 (이중 지급 확인 중)`: which of our cards the
/// conflict holds.
fn our_cards(store: &Store, issuance_id: &str) -> String {
    let record = match store.issuance(issuance_id) {
        Ok(Some(record)) => record,
        Ok(None) => return String::new(),
        Err(e) => return format!(", 카드를 읽지 못했습니다: {e}"),
    };
    record
        .cards
        .iter()
        .map(|c| format!(", 카드 {} {}", c.serial, c.activation.label()))
        .collect()
}
