//! End to end: the real app window, driven through WebDriver as a clerk
//! would drive it by keyboard. Each test saves screenshots under
//! `target/e2e/`. Needs Xvfb, tauri-driver and WebKitWebDriver; says
//! SKIPPED where they are missing (scripts/test-all installs them).

mod desktop;
// Shared with the bench (and it with the tests): each uses part of it.
#[allow(dead_code)]
mod window;

use chrono::NaiveDate;
use fantoccini::key::Key;
use relief_core::identity::synthetic;
use relief_system_tests::process::LedgerProcess;
use zeroize::Zeroizing;

use desktop::Desktop;
use window::Window;

const CLERK: (&str, &str) = ("C001", "222222");
const SUPERVISOR: (&str, &str) = ("S001", "111111");
/// Monday of the first week: birth years ending in 1 or 6, households of 4 or more.
const MONDAY: &str = "2020-04-20T10:00";

/// A synthetic resident born in `year`; its last digit decides the weekday.
fn born(year: i32, serial: u32) -> Zeroizing<String> {
    synthetic::number(
        NaiveDate::from_ymd_opt(year, 5, 5).unwrap(),
        false,
        false,
        serial,
    )
}

fn enter() -> char {
    Key::Enter.into()
}

/// Starts the demo terminal in a fresh data folder.
async fn open(desktop: &Desktop, data: &tempfile::TempDir, test: &'static str) -> Window {
    let dir = data.path().to_str().unwrap();
    let client = desktop
        .launch(&[
            "--data-dir",
            dir,
            "--demo-clock",
            MONDAY,
            "--sync-interval",
            "1",
        ])
        .await;
    let window = Window::new(client, test);
    window.find("login-id").await;
    window
}

/// Types a visitor in, by keyboard as far as the verdict, and returns it.
async fn ask(window: &Window, rrn: &str, household: &str) -> String {
    window.type_into("rrn-input", rrn).await;
    // The number is masked at once, and the keyboard moves on by itself.
    let shown = window
        .find("rrn-input")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        shown.ends_with("******") && !shown.contains(&rrn[7..]),
        "the number is masked"
    );
    window.wait_for_focus("household-size").await;
    window.type_into("household-size", household).await;
    window.find("verdict").await.text().await.unwrap()
}

/// Issues to `rrn` on `card`, with a supervisor approving offline; returns the receipt's text.
async fn issue(window: &Window, rrn: &str, card: &str) -> String {
    let verdict = ask(window, rrn, "4").await;
    assert!(verdict.contains("가능"), "{verdict}");
    assert!(window.text("amount").await.contains("400,000원"));
    window.type_into("applicant-name", "홍길동").await;
    window
        .type_into("card-serial", &format!("{card}{}", enter()))
        .await;
    window.wait_for_text("card-split", card).await;
    assert_eq!(
        window.focused().await,
        "issue-submit",
        "the scan hands over to the issue button"
    );
    window.click("issue-submit").await;
    assert!(window.text("confirm-total").await.contains("100,000원"));
    if !window.is_shown("approver-id").await {
        // Enrolled and recently online, the app tries the ledger first; it
        // asks for approval once the ledger does not answer.
        window.click("issue-confirm").await;
    }
    window.type_into("approver-id", SUPERVISOR.0).await;
    window.type_into("approver-pin", SUPERVISOR.1).await;
    window.click("issue-confirm").await;
    window.find("issue-done").await.text().await.unwrap()
}

#[tokio::test]
async fn sign_in() {
    let Some(desktop) = Desktop::start("sign_in") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let window = open(&desktop, &data, "sign_in").await;
    window.screenshot("1-sign-in").await;

    window.type_into("login-id", CLERK.0).await;
    window.type_into("login-pin", "999999").await;
    window.click("login-submit").await;
    let refused = window.text("error").await;
    assert!(
        refused.contains("PIN") || refused.contains("사번"),
        "{refused}"
    );

    window.type_into("login-pin", CLERK.1).await;
    window.click("login-submit").await;
    assert_eq!(window.text("session").await, "이담당 (담당자)");
    assert!(window.text("sync-status").await.contains("오프라인"));
    assert_eq!(window.text("stock-count").await, "보유 카드 500장");
    assert_eq!(
        window.focused().await,
        "rrn-input",
        "the counter is ready to type"
    );
    assert!(
        !window.is_shown("tab-void").await,
        "a clerk has no supervisor tools"
    );
    window.screenshot("2-counter").await;
    window.close().await;
}

#[tokio::test]
async fn an_eligible_visitor_is_issued_a_card_and_gets_a_receipt() {
    let test = "an_eligible_visitor_is_issued_a_card_and_gets_a_receipt";
    let Some(desktop) = Desktop::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let window = open(&desktop, &data, test).await;
    window.sign_in(CLERK.0, CLERK.1).await;

    let receipt = issue(&window, &born(1986, 11), "GG-0001").await;
    window.screenshot("receipt").await;
    assert!(receipt.contains("수령 확인증"), "{receipt}");
    assert!(
        receipt.contains("GG-0001") && receipt.contains("100,000원"),
        "{receipt}"
    );
    assert!(receipt.contains("오프라인 발급"), "{receipt}");
    let number = born(1986, 11);
    assert!(
        receipt.contains(&format!("{}-{}******", &number[..6], &number[6..7])),
        "{receipt}"
    );
    assert!(
        !receipt.contains(number.as_str())
            && !receipt.contains(&format!("{}-{}", &number[..6], &number[6..]))
    );
    window.wait_for_text("stock-count", "499장").await;
    window.wait_for_text("sync-status", "전송 대기 1건").await;
    window.close().await;
}

#[tokio::test]
async fn a_visitor_on_the_wrong_day_sees_the_next_dates() {
    let test = "a_visitor_on_the_wrong_day_sees_the_next_dates";
    let Some(desktop) = Desktop::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let window = open(&desktop, &data, test).await;
    window.sign_in(CLERK.0, CLERK.1).await;

    let verdict = ask(&window, &born(1987, 12), "4").await;
    assert!(verdict.contains("불가"), "{verdict}");
    let next = window.text("next-dates").await;
    assert!(next.contains("4월 21일(화)"), "{next}");
    assert!(
        !window.is_shown("issue-submit").await,
        "nothing to issue on the wrong day"
    );
    window.screenshot("next-dates").await;
    window.close().await;
}

#[tokio::test]
async fn the_same_person_again_is_refused() {
    let test = "the_same_person_again_is_refused";
    let Some(desktop) = Desktop::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let window = open(&desktop, &data, test).await;
    window.sign_in(CLERK.0, CLERK.1).await;

    let person = born(1996, 13);
    issue(&window, &person, "GG-0007").await;
    window.click("next-visitor").await;
    assert_eq!(window.focused().await, "rrn-input");
    let verdict = ask(&window, &person, "4").await;
    assert!(verdict.contains("불가"), "{verdict}");
    assert!(window.text("already-paid").await.contains("이미 지급"));
    assert!(!window.is_shown("issue-submit").await);
    window.screenshot("refused").await;
    window.close().await;
}

#[tokio::test]
async fn an_offline_issuance_is_pushed_once_the_ledger_comes_up() {
    let test = "an_offline_issuance_is_pushed_once_the_ledger_comes_up";
    let Some(desktop) = Desktop::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let ledger_dir = tempfile::tempdir().unwrap();
    let mut ledger = LedgerProcess::start(
        env!("CARGO_BIN_EXE_sys-relief-ledger").as_ref(),
        ledger_dir.path(),
    );
    let (code, fingerprint) = ledger.enrollment_code("DEMO-41110", "center");

    let window = open(&desktop, &data, test).await;
    window.sign_in(SUPERVISOR.0, SUPERVISOR.1).await;
    window.click("tab-enroll").await;
    window.type_into("ledger-url", &ledger.url()).await;
    window.type_into("enroll-code", &code).await;
    window.type_into("enroll-fingerprint", &fingerprint).await;
    window.click("enroll-submit").await;
    window.wait_for_text("sync-status", "온라인").await;

    ledger.kill();
    window.click("tab-counter").await;
    issue(&window, &born(1981, 14), "GG-0003").await;
    window.wait_for_text("sync-status", "전송 대기 1건").await;
    window.screenshot("1-waiting").await;

    ledger.restart();
    window.wait_for_text("sync-status", "전송 대기 0건").await;
    window.screenshot("2-pushed").await;
    let count = |sql: &str| -> i64 {
        rusqlite::Connection::open(ledger.db())
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count("SELECT count(*) FROM issuance"), 1);
    // Let a few more rounds of sync run: still exactly once.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(count("SELECT count(*) FROM issuance"), 1);
    assert_eq!(
        count("SELECT count(*) FROM entitlement WHERE state = 'paid'"),
        1
    );
    window.close().await;
}

#[tokio::test]
async fn a_clerk_cannot_void_and_a_supervisor_can() {
    let test = "a_clerk_cannot_void_and_a_supervisor_can";
    let Some(desktop) = Desktop::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let window = open(&desktop, &data, test).await;
    window.sign_in(CLERK.0, CLERK.1).await;
    issue(&window, &born(1991, 15), "GG-0002").await;
    window.click("next-visitor").await;
    issue(&window, &born(1991, 16), "GG-0001").await;
    window.click("next-visitor").await;
    assert!(
        !window.is_shown("tab-void").await,
        "a clerk has no void screen"
    );
    window.screenshot("1-clerk").await;
    window.sign_out().await;

    window.sign_in(SUPERVISOR.0, SUPERVISOR.1).await;
    window.click("tab-void").await;
    window.wait_for_text("issuances", "GG-0002").await;
    window.wait_for_text("void-count", "2건 중 2건").await;
    // By keyboard: the card's serial and Enter choose the one issuance.
    window.wait_for_focus("void-search").await;
    window
        .type_into("void-search", &format!("GG-0002{}", enter()))
        .await;
    window.wait_for_text("void-count", "1건 중 1건").await;
    window.wait_for_focus("void-reason").await;
    window.type_into("void-reason", "카드 번호 오입력").await;
    window.click("void-submit").await;
    let voided = window.wait_for_text("issuances", "취소됨").await;
    assert!(voided.contains("GG-0002") && !voided.contains("GG-0001"));
    window.wait_for_text("stock-count", "499장").await;
    window.screenshot("2-voided").await;
    window.close().await;
}
