//! The app's own figures, measured through the real window (needs Xvfb,
//! tauri-driver, WebKitWebDriver, as the end-to-end tests do):
//!
//! - launch: from asking tauri-driver for a session (which starts the app)
//!   to the sign-in field being focused and typeable; seven launches on a
//!   fresh data folder (the demo terminal is set up) and seven on an
//!   existing one;
//! - memory: after a day's worth of issuances (500, each through the
//!   window's IPC into the shell, with supervisor approval as offline), and
//!   the void screen listing them all; the app process and its WebKit
//!   processes, RSS and PSS.
//!
//! `cargo bench -p relief-system-tests --bench app`

#[path = "desktop.rs"]
mod desktop;
#[path = "window.rs"]
// Shared with the bench (and it with the tests): each uses part of it.
#[allow(dead_code)]
mod window;

use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate};
use relief_core::identity::synthetic;
use serde_json::json;

use desktop::Desktop;
use window::Window;

const ISSUANCES: usize = 500;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

async fn launch(desktop: &Desktop, dir: &std::path::Path) -> (f64, Window) {
    let started = Instant::now();
    let client = desktop
        .launch(&[
            "--data-dir",
            dir.to_str().unwrap(),
            "--demo-clock",
            "2020-04-20T10:00",
        ])
        .await;
    let window = Window::new(client, "bench");
    window.find("login-id").await;
    while window.focused().await != "login-id" {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (started.elapsed().as_secs_f64(), window)
}

/// (RSS, PSS) in KiB of `pid` and every process below it.
fn memory_of_tree(pid: u32) -> (u64, u64, Vec<String>) {
    let field = |text: &str, name: &str| -> u64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        // WebKit starts its processes from other threads than the main
        // one: every thread's children count.
        let tasks = std::fs::read_dir(format!("/proc/{}/task", tree[i]));
        for task in tasks.into_iter().flatten().flatten() {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            tree.extend(
                children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
        i += 1;
    }
    let (mut rss, mut pss, mut names) = (0, 0, Vec::new());
    for p in tree {
        let status = std::fs::read_to_string(format!("/proc/{p}/status")).unwrap_or_default();
        let rollup = std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")).unwrap_or_default();
        let (r, s) = (field(&status, "VmRSS:"), field(&rollup, "Pss:"));
        let anon = field(&rollup, "Anonymous:");
        rss += r;
        pss += s;
        let name = status
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("Name:")
            .trim()
            .to_owned();
        names.push(format!(
            "{name} RSS {} MiB, PSS {} MiB, anonymous {} MiB",
            r / 1024,
            s / 1024,
            anon / 1024
        ));
    }
    (rss, pss, names)
}

fn app_pid() -> u32 {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(exe) = std::fs::read_link(format!("/proc/{pid}/exe"))
            && exe.file_name().is_some_and(|n| n == "sys-relief-app")
        {
            found.push(pid);
        }
    }
    assert_eq!(found.len(), 1, "exactly one app running: {found:?}");
    found[0]
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Some(desktop) = Desktop::start("bench") else {
        return;
    };

    let (mut fresh, mut existing) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        let data = tempfile::tempdir().unwrap();
        let (first, window) = launch(&desktop, data.path()).await;
        window.close().await;
        let (again, window) = launch(&desktop, data.path()).await;
        window.close().await;
        fresh.push(first);
        existing.push(again);
    }
    println!(
        "launch to sign-in interactive: fresh data folder median {:.2} s (min {:.2}, max {:.2}); existing median {:.2} s (min {:.2}, max {:.2})",
        median(fresh.clone()),
        fresh.iter().copied().fold(f64::MAX, f64::min),
        fresh.iter().copied().fold(0.0, f64::max),
        median(existing.clone()),
        existing.iter().copied().fold(f64::MAX, f64::min),
        existing.iter().copied().fold(0.0, f64::max),
    );

    let data = tempfile::tempdir().unwrap();
    let (_, window) = launch(&desktop, data.path()).await;
    window.sign_in("C001", "222222").await;
    let pid = app_pid();
    let (rss0, pss0, parts0) = memory_of_tree(pid);

    // Monday: birth years ending in 1 or 6, households of four.
    let started = Instant::now();
    for n in 0..ISSUANCES {
        // Adults only: 1951, 1956, ... 1996.
        let year = 1951 + 5 * (n % 10) as i32;
        let birth = NaiveDate::from_ymd_opt(year, 1, 1).unwrap() + Days::days((n / 10) as i64);
        let rrn = synthetic::number(birth, false, n % 4 < 2, n as u32);
        let input = json!({
            "applicant_rrn": rrn.as_str(), "applicant_name": "주민", "id_document": "resident_card",
            "beneficiaries": [{ "rrn": "", "name": "", "relation": "self", "household_size": 4, "resident_sigungu": "41110" }],
            "cards": [format!("GG-{:04}", n + 1)], "household_of_minors": false,
            "approver": { "employee_id": "S001", "pin": "11111111" }
        });
        let answer = window
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI_INTERNALS__.invoke('issue', { input: arguments[0] })
                   .then(r => done(r.issuance_id), e => done('ERROR ' + JSON.stringify(e)));",
                vec![input],
            )
            .await;
        assert!(
            !answer.as_str().unwrap_or("ERROR").starts_with("ERROR"),
            "issuance {n}: {answer}"
        );
    }
    let issuing = started.elapsed();
    window.wait_for_text("stock-count", "보유 카드 0장").await;
    window.sign_out().await;
    window.sign_in("S001", "11111111").await;
    window.click("tab-void").await;
    window
        .wait_for_text("issuances", &format!("GG-{ISSUANCES:04}"))
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (rss, pss, parts) = memory_of_tree(pid);
    println!(
        "{ISSUANCES} issuances through the window's IPC in {:.1} s ({:.0} ms each, offline with supervisor approval)",
        issuing.as_secs_f64(),
        issuing.as_secs_f64() * 1000.0 / ISSUANCES as f64
    );
    println!(
        "memory after sign-in: RSS {} MiB, PSS {} MiB ({})\nafter {ISSUANCES} issuances and the void list: RSS {} MiB, PSS {} MiB ({})",
        rss0 / 1024,
        pss0 / 1024,
        parts0.join("; "),
        rss / 1024,
        pss / 1024,
        parts.join("; ")
    );
    window.close().await;
}
