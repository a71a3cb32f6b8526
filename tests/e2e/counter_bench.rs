//! The counter measured as a shop measures its till: visitors collecting
//! only for themselves, served one after another in the real window by
//! keyboard alone (every key goes wherever the focus is), under an open
//! offline approval. Counted as the issue counts them: a three-syllable
//! Hangul name is 9 keys, the scanner's characters are not counted, its
//! Enter is. Measured in the page: from the scan's Enter to the issue
//! button holding the keyboard, and from the first digit to the receipt.
//!
//! `cargo bench -p relief-system-tests --bench counter`

#[path = "desktop.rs"]
mod desktop;
#[path = "window.rs"]
#[allow(dead_code)]
mod window;

use std::time::Duration;

use chrono::NaiveDate;
use fantoccini::key::Key;
use relief_core::identity::synthetic;

use desktop::Desktop;
use window::Window;

const VISITORS: u32 = 20;
/// What typing 홍길동 takes on a 두벌식 keyboard (ㅎㅗㅇㄱㅣㄹㄷㅗㅇ).
const NAME_KEYS: usize = 9;

/// Notes the first keydown, the scan's Enter, the issue button taking the
/// keyboard and the receipt appearing.
const WATCH: &str = "
    window.__till = {};
    if (!window.__tillWatching) {
        window.__tillWatching = true;
        document.addEventListener('keydown', (e) => {
            const t = window.__till;
            if (t.first === undefined) t.first = performance.now();
            if (e.key === 'Enter' && e.target.dataset.testid === 'card-serial') t.scan = performance.now();
        }, true);
        document.addEventListener('focusin', (e) => {
            const t = window.__till;
            if (e.target.dataset.testid === 'issue-submit' && t.scan !== undefined && t.ready === undefined)
                t.ready = performance.now();
        }, true);
        new MutationObserver(() => {
            const t = window.__till;
            if (t.receipt === undefined && t.first !== undefined && document.querySelector('[data-testid=issue-done]'))
                t.receipt = performance.now();
        }).observe(document.body, { childList: true, subtree: true });
    }
    arguments[arguments.length - 1](true);";

const READ: &str = "
    const t = window.__till;
    arguments[arguments.length - 1](t.receipt === undefined ? null : [t.ready - t.scan, t.receipt - t.first]);";

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Some(desktop) = Desktop::start("counter-bench") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let client = desktop
        .launch(&[
            "--data-dir",
            data.path().to_str().unwrap(),
            "--demo-clock",
            "2020-04-20T10:00",
        ])
        .await;
    let window = Window::new(client, "counter-bench");
    window.sign_in("C001", "222222").await;
    let enter = String::from(char::from(Key::Enter));
    // The supervisor's one approval for the queue (not the visitor's keys).
    window.keys(&String::from(char::from(Key::F8))).await;
    window.wait_for_focus("approval-id").await;
    window.keys("S001").await;
    window
        .type_into("approval-pin", &format!("11111111{enter}"))
        .await;
    window.wait_for_text("offline-approval", "남은").await;
    window.wait_for_focus("rrn-input").await;

    let (mut ready, mut whole, mut counted) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..VISITORS {
        window.execute_async(WATCH, vec![]).await;
        // Monday of the first week: birth years ending in 1 or 6, households of 4 or more.
        let rrn = synthetic::number(
            NaiveDate::from_ymd_opt(1986, 5, 5).unwrap(),
            false,
            false,
            500 + n,
        );
        let mut keys = 0;
        window.keys(&rrn).await;
        keys += rrn.len();
        window.wait_for_focus("household-size").await;
        window.keys(&format!("4{enter}")).await;
        keys += 2;
        window.wait_for_focus("applicant-name").await;
        window.keys("홍길동").await;
        keys += NAME_KEYS;
        window.wait_for_text("amount", "본인").await;
        window.keys(&enter).await;
        keys += 1;
        window.wait_for_focus("card-serial").await;
        // The scanner types the serial; its Enter is the clerk's.
        window.keys(&format!("GG-{:04}{enter}", n + 1)).await;
        keys += 1;
        window.wait_for_focus("issue-submit").await;
        window.keys(&enter).await;
        keys += 1;
        window.wait_for_focus("issue-confirm").await;
        window.keys(&enter).await;
        keys += 1;
        window.find("issue-done").await;
        let [to_ready, to_receipt] = loop {
            let answer = window.execute_async(READ, vec![]).await;
            if let Some(pair) = answer.as_array() {
                break [pair[0].as_f64().unwrap(), pair[1].as_f64().unwrap()];
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        ready.push(to_ready);
        whole.push(to_receipt);
        counted.push(keys);
        window.keys(&enter).await;
        window.wait_for_focus("rrn-input").await;
    }
    assert!(counted.iter().all(|&k| k == counted[0]));
    println!(
        "a visitor alone, offline under the counter's approval ({VISITORS} visitors): {} keys; scan's Enter to the issue button ready: median {:.1} ms, max {:.1} ms; first digit to the receipt (WebDriver-paced): median {:.0} ms",
        counted[0],
        median(ready.clone()),
        ready.iter().copied().fold(0.0, f64::max),
        median(whole)
    );
    window.close().await;
}
