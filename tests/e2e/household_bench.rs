//! From the last digit of the applicant's number typed to their household
//! on screen, in the real window (needs Xvfb, tauri-driver and
//! WebKitWebDriver, as the end-to-end tests do). The app is enrolled at a
//! ledger process holding a synthetic 시군 of 100,000 people
//! (`RELIEF_ROLL_PEOPLE`), downloads the roll, and 30 applicants are typed
//! in by keyboard. Measured in the page: from the 13th digit's keydown to
//! the household table being in the document.
//!
//! `cargo bench -p relief-system-tests --bench household`

#[path = "desktop.rs"]
mod desktop;
#[path = "window.rs"]
#[allow(dead_code)]
mod window;

use std::time::Duration;

use fantoccini::key::Key;
use relief_system_tests::process::LedgerProcess;
use relief_testkit::roll::{self, HEADER, RollSpec};

use desktop::Desktop;
use window::Window;

const TYPED: usize = 30;

/// Notes the time of every keydown and of the household table appearing.
const WATCH: &str = "
    window.__hh = {};
    if (!window.__hhWatching) {
        window.__hhWatching = true;
        document.addEventListener('keydown', () => { window.__hh.key = performance.now(); }, true);
        new MutationObserver(() => {
            if (window.__hh.shown === undefined && document.querySelector('[data-testid=household]'))
                window.__hh.shown = performance.now();
        }).observe(document.body, { childList: true, subtree: true });
    }
    arguments[arguments.length - 1](true);";

const READ: &str = "
    const done = arguments[arguments.length - 1];
    const h = window.__hh;
    done(h.shown === undefined ? null : h.shown - h.key);";

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Some(desktop) = Desktop::start("household-bench") else {
        return;
    };
    let people: usize = std::env::var("RELIEF_ROLL_PEOPLE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let ledger_dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(
        env!("CARGO_BIN_EXE_sys-relief-ledger").as_ref(),
        ledger_dir.path(),
    );
    let rows = roll::rows(&RollSpec::one_sigungu(people));
    let mut csv = format!("{HEADER}\n");
    for r in &rows {
        csv.push_str(&r.csv_line());
        csv.push('\n');
    }
    let file = ledger_dir.path().join("roll.csv");
    std::fs::write(&file, csv).unwrap();
    ledger.admin(&["import-roll", "--csv", file.to_str().unwrap()]);
    let (code, fingerprint) = ledger.enrollment_code("DEMO-41110", "center");

    let data = tempfile::tempdir().unwrap();
    let client = desktop
        .launch(&[
            "--data-dir",
            data.path().to_str().unwrap(),
            "--demo-clock",
            "2020-05-18T10:00",
            "--sync-interval",
            "1",
        ])
        .await;
    let window = Window::new(client, "household-bench");
    window.sign_in("S001", "11111111").await;
    window.click("tab-enroll").await;
    window.type_into("ledger-url", &ledger.url()).await;
    window.type_into("enroll-code", &code).await;
    window.type_into("enroll-fingerprint", &fingerprint).await;
    window.click("enroll-submit").await;
    window.wait_for_text("roll-status", "주민 명부 v1").await;
    window.click("tab-counter").await;

    let backspaces: String = std::iter::repeat_n(char::from(Key::Backspace), 14).collect();
    let mut latencies = Vec::with_capacity(TYPED);
    for r in rows.iter().step_by(rows.len() / TYPED).take(TYPED) {
        window.execute_async(WATCH, vec![]).await;
        window.type_into("rrn-input", &r.rrn).await;
        window.find("household").await;
        let took = loop {
            if let Some(ms) = window.execute_async(READ, vec![]).await.as_f64() {
                break ms;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        latencies.push(took);
        window.type_into("rrn-input", &backspaces).await;
        while window.is_shown("household").await {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "last digit to household on screen ({} people on the roll, {TYPED} applicants): median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        rows.len(),
        at(0.5),
        at(0.9),
        latencies[latencies.len() - 1]
    );
    window.close().await;
}
