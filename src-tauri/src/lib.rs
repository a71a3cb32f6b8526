//! The counter app: a Tauri window over the rules (relief-core), the
//! store (relief-store), sync (relief-sync) and reports (relief-report).
//! [`counter`] holds every operation in plain Rust; [`commands`] only
//! translates for the window; a background task keeps the terminal in sync
//! without ever holding the counter up.

pub mod commands;
pub mod counter;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use clap::Parser;

use crate::counter::Counter;

/// Each PIN check (argon2id) takes a 19 MiB block. Once such blocks are
/// freed glibc keeps them in its per-thread arenas: the app grew by 65 MiB
/// over a day's 500 issuances. Under mimalloc it stays flat (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "relief-counter", about = "재난지원금 선불카드 창구")]
struct Args {
    /// Where the terminal's store is; the platform's data directory by default.
    #[arg(long, env = "RELIEF_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Where a demo terminal's clock starts (2020-04-20T10:00 by default).
    #[arg(long, env = "RELIEF_DEMO_CLOCK", value_parser = parse_time)]
    demo_clock: Option<NaiveDateTime>,
    /// Seconds between background syncs.
    #[arg(long, default_value_t = 10)]
    sync_interval: u64,
}

fn parse_time(text: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| format!("YYYY-MM-DDTHH:MM 꼴이 아닙니다: {text}"))
}

fn data_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        directories::ProjectDirs::from("kr", "relief", "relief-counter")
            .map(|d| d.data_dir().to_owned())
            .unwrap_or_else(|| PathBuf::from("relief-counter-data"))
    })
}

/// Syncs every `every`, or at once when the counter asks.
async fn sync_loop(counter: Arc<Counter>, every: Duration) {
    let retry = relief_sync::Retry {
        first_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(2),
        attempts: 2,
    };
    loop {
        if let Err(error) = counter.sync_once(retry).await {
            tracing::warn!(%error, "sync");
        }
        let _ = tokio::time::timeout(every, counter.sync_now.notified()).await;
    }
}

pub fn run() {
    let args = Args::parse();
    let dir = data_dir(args.data_dir);
    let counter = match Counter::open(&dir, args.demo_clock) {
        Ok(counter) => Arc::new(counter),
        Err(error) => {
            eprintln!("relief-counter: {error}");
            std::process::exit(1);
        }
    };
    let every = Duration::from_secs(args.sync_interval.max(1));
    let syncing = counter.clone();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(counter)
        .setup(move |_| {
            tauri::async_runtime::spawn(sync_loop(syncing, every));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::status,
            commands::sign_in,
            commands::sign_in_with_new_pin,
            commands::sign_out,
            commands::open_offline_approval,
            commands::close_offline_approval,
            commands::check,
            commands::quote,
            commands::check_cards,
            commands::issue,
            commands::receipt_pdf,
            commands::issuances_today,
            commands::void,
            commands::conflicts,
            commands::accept_conflict,
            commands::receive_stock,
            commands::stock,
            commands::clerks,
            commands::add_clerk,
            commands::report,
            commands::enroll,
            commands::sync_now,
            commands::close_preview,
            commands::close_day,
            commands::reopen_day,
        ])
        .run(tauri::generate_context!())
        .expect("the window could not be run");
}
