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
const SUPERVISOR: (&str, &str) = ("S001", "11111111");
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

/// A supervisor enrolls the demo terminal at `ledger`, and it comes online.
async fn enroll(window: &Window, ledger: &LedgerProcess) {
    let (code, fingerprint) = ledger.enrollment_code("DEMO-41110", "center");
    window.sign_in(SUPERVISOR.0, SUPERVISOR.1).await;
    window.click("tab-enroll").await;
    window.type_into("ledger-url", &ledger.url()).await;
    window.type_into("enroll-code", &code).await;
    window.type_into("enroll-fingerprint", &fingerprint).await;
    window.click("enroll-submit").await;
    window.wait_for_text("sync-status", "온라인").await;
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
    // What is paid now: to the visitor alone, not the household's total.
    let amount = window.text("amount").await;
    assert!(
        amount.contains("본인 100,000원") && !amount.contains("400,000"),
        "{amount}"
    );
    window.type_into("applicant-name", "홍길동").await;
    window
        .type_into("card-serial", &format!("{card}{}", enter()))
        .await;
    window.wait_for_text("card-split", card).await;
    // The scan hands over to the issue button (once the store has checked
    // the card).
    window.wait_for_focus("issue-submit").await;
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
    assert!(receipt.contains("확인 후 사용 가능"), "{receipt}");
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

/// Masked as the screen and the receipt show it.
fn masked(number: &str) -> String {
    format!("{}-{}******", &number[..6], &number[6..7])
}

#[tokio::test]
async fn a_household_from_the_roll_is_ticked_by_keyboard_and_paid_on_one_visit() {
    let test = "a_household_from_the_roll_is_ticked_by_keyboard_and_paid_on_one_visit";
    let Some(desktop) = Desktop::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let ledger_dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(
        env!("CARGO_BIN_EXE_sys-relief-ledger").as_ref(),
        ledger_dir.path(),
    );
    // A household of four on the roll (week one, born in a year ending in 1:
    // Monday 04-20), and a neighbour.
    let (applicant, spouse, child, grandmother, neighbour) = (
        born(1981, 31),
        born(1983, 32),
        born(2012, 33),
        born(1950, 34),
        born(1976, 35),
    );
    let mut csv = String::from("rrn,household_id,sigungu,eupmyeondong,registered_since,status\n");
    for (number, household) in [
        (&applicant, "H-1"),
        (&spouse, "H-1"),
        (&child, "H-1"),
        (&grandmother, "H-1"),
        (&neighbour, "H-2"),
    ] {
        csv.push_str(&format!(
            "{},{household},41110,매탄1동,2010-01-01,resident\n",
            number.as_str()
        ));
    }
    let file = ledger_dir.path().join("roll.csv");
    std::fs::write(&file, csv).unwrap();
    ledger.admin(&["import-roll", "--csv", file.to_str().unwrap()]);

    let window = open(&desktop, &data, test).await;
    enroll(&window, &ledger).await;
    window.wait_for_text("roll-status", "주민 명부 v1").await;
    window.click("tab-counter").await;

    // The number alone brings the household: no size to type.
    window.type_into("rrn-input", &applicant).await;
    window.find("household").await;
    assert!(!window.is_shown("household-size").await);
    assert!(window.text("roll-household-size").await.contains("4명"));
    let mut rows = Vec::new();
    for i in 0..4 {
        rows.push(window.text(&format!("member-masked-{i}")).await);
    }
    let place = |number: &str| rows.iter().position(|r| *r == masked(number)).unwrap();
    assert!(window.text("verdict").await.contains("가능"));
    // The keyboard is on the first member who is not the applicant: tick
    // them and the next with space, arrows between.
    let others: Vec<usize> = (0..4).filter(|&i| i != place(&applicant)).collect();
    window
        .wait_for_focus(&format!("member-{}", others[0]))
        .await;
    let (space, down) = (" ".to_owned(), char::from(Key::Down).to_string());
    window
        .type_into(&format!("member-{}", others[0]), &space)
        .await;
    window
        .type_into(&format!("member-{}", others[0]), &down)
        .await;
    window
        .wait_for_focus(&format!("member-{}", others[1]))
        .await;
    window
        .type_into(&format!("member-{}", others[1]), &space)
        .await;
    let ticked = [rows[others[0]].clone(), rows[others[1]].clone()];
    // An adult's relation is chosen; a minor's is their legal representative.
    for &i in &others[..2] {
        let select = window.find(&format!("member-relation-{i}")).await;
        if rows[i] != masked(&child) {
            select.select_by_value("lineal_relative").await.unwrap();
        }
    }
    window.screenshot("1-household").await;
    window
        .type_into(&format!("member-{}", others[1]), &enter().to_string())
        .await;
    window.wait_for_focus("applicant-name").await;
    window.type_into("applicant-name", "홍길동").await;
    window.wait_for_text("quote", "100,000원").await;
    window
        .type_into("card-serial", &format!("GG-0007{}", enter()))
        .await;
    window.wait_for_text("card-split", "GG-0007").await;
    window.click("issue-submit").await;
    assert!(window.text("confirm-total").await.contains("300,000원"));
    if window.is_shown("approver-id").await {
        window.type_into("approver-id", SUPERVISOR.0).await;
        window.type_into("approver-pin", SUPERVISOR.1).await;
    }
    window.click("issue-confirm").await;
    let receipt = window.find("issue-done").await.text().await.unwrap();
    window.screenshot("2-receipt").await;
    for shown in [masked(&applicant), ticked[0].clone(), ticked[1].clone()] {
        assert!(receipt.contains(&shown), "{shown} on {receipt}");
    }
    assert!(receipt.contains("300,000원"), "{receipt}");
    assert_eq!(receipt.matches("세대원(명부)").count(), 2, "{receipt}");
    let fourth = rows[others[2]].clone();
    assert!(
        !receipt.contains(&fourth),
        "the member not ticked is not paid"
    );
    for number in [&applicant, &spouse, &child, &grandmother] {
        assert!(!receipt.contains(number.as_str()), "no number in plain");
    }
    let _ = neighbour;
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
    window.type_into("next-visitor", &enter().to_string()).await;
    window.wait_for_focus("rrn-input").await;
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

    let window = open(&desktop, &data, test).await;
    enroll(&window, &ledger).await;

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
    window.type_into("next-visitor", &enter().to_string()).await;
    issue(&window, &born(1991, 16), "GG-0001").await;
    window.type_into("next-visitor", &enter().to_string()).await;
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
    // The returned card goes back to the card issuer, blocked: not into
    // the drawer's stock.
    window.wait_for_text("stock-count", "498장").await;
    window.screenshot("2-voided").await;
    window.close().await;
}

#[tokio::test]
async fn a_supervisor_counts_the_drawer_against_the_books_before_the_close() {
    let test = "a_supervisor_counts_the_drawer_against_the_books_before_the_close";
    let Some(desktop) = Desktop::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let window = open(&desktop, &data, test).await;
    window.sign_in(SUPERVISOR.0, SUPERVISOR.1).await;
    window.click("tab-close").await;
    window.find("close-count").await;
    // One card short, typed: only the serials can say which.
    window
        .type_into("close-count-3000000", &format!("499{}", enter()))
        .await;
    let error = window.wait_for_text("error", "불일치").await;
    assert!(error.contains("스캔"), "{error}");
    window.screenshot("1-short").await;
    let back: String = std::iter::repeat_n(char::from(Key::Backspace), 3).collect();
    window
        .type_into("close-count-3000000", &format!("{back}500{}", enter()))
        .await;
    let preview = window.wait_for_text("close-preview", "일치").await;
    assert!(!preview.contains("불일치"), "{preview}");
    assert!(window.is_shown("close-submit").await);
    window.screenshot("2-balanced").await;
    window.close().await;
}

#[tokio::test]
async fn a_supervisor_sets_a_new_pin_as_they_sign_in() {
    let Some(desktop) = Desktop::start("a_supervisor_sets_a_new_pin_as_they_sign_in") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let window = open(
        &desktop,
        &data,
        "a_supervisor_sets_a_new_pin_as_they_sign_in",
    )
    .await;
    window.click("login-change-pin").await;
    window.type_into("login-id", SUPERVISOR.0).await;
    window.type_into("login-pin", SUPERVISOR.1).await;
    // Too short to lock the store's key: refused, the new PIN asked again.
    window.type_into("login-new-pin", "1234").await;
    window.type_into("login-new-pin-again", "1234").await;
    window.click("login-submit").await;
    assert!(window.text("error").await.contains('8'));
    window.wait_for_focus("login-new-pin").await;
    // Two different ones are caught before anything is sent.
    window.type_into("login-new-pin", "86420975").await;
    window.type_into("login-new-pin-again", "86420976").await;
    window.click("login-submit").await;
    assert!(window.text("error").await.contains("다릅니다"));
    window.type_into("login-new-pin", "86420975").await;
    window.type_into("login-new-pin-again", "86420975").await;
    window.screenshot("1-new-pin").await;
    window.click("login-submit").await;
    assert_eq!(window.text("session").await, "김감독 (감독자)");
    if window.is_shown("recovery-code").await {
        window.click("recovery-code-done").await;
    }
    window.sign_out().await;

    // The old PIN opens nothing now; the new one does.
    window.type_into("login-id", SUPERVISOR.0).await;
    window.type_into("login-pin", SUPERVISOR.1).await;
    window.click("login-submit").await;
    assert!(window.text("error").await.contains("PIN"));
    window.type_into("login-pin", "86420975").await;
    window.click("login-submit").await;
    assert_eq!(window.text("session").await, "김감독 (감독자)");
    window.close().await;
}

/// Offline, a supervisor approves the counter once (F8, their id and PIN)
/// and the queue is served without them, each issuance under the
/// approval; they close it the same way. A card the drawer does not hold
/// is refused at its scan, before anything is confirmed.
#[tokio::test]
async fn a_supervisor_approves_offline_issuance_once_for_the_queue() {
    let test = "a_supervisor_approves_offline_issuance_once_for_the_queue";
    let Some(desktop) = Desktop::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let window = open(&desktop, &data, test).await;
    window.sign_in(CLERK.0, CLERK.1).await;
    let f8 = String::from(char::from(Key::F8));
    let enter = enter().to_string();

    window.find("offline-approval-open").await;
    window.type_into("rrn-input", &f8).await;
    window.wait_for_focus("approval-id").await;
    window.type_into("approval-id", SUPERVISOR.0).await;
    window
        .type_into("approval-pin", &format!("{}{enter}", SUPERVISOR.1))
        .await;
    let shown = window.wait_for_text("offline-approval", "남은 50건").await;
    assert!(shown.contains("김감독"), "{shown}");
    window.wait_for_focus("rrn-input").await;
    window.screenshot("1-approved").await;

    let visitors = [(born(1986, 31), "GG-9999"), (born(1981, 32), "GG-0001")];
    for (i, (rrn, refused)) in visitors.iter().enumerate() {
        assert!(ask(&window, rrn, "4").await.contains("가능"));
        window.type_into("applicant-name", "홍길동").await;
        // Never received here, or already handed over to the first visitor.
        window
            .type_into("card-serial", &format!("{refused}{enter}"))
            .await;
        let note = window.wait_for_text("card-note", refused).await;
        assert!(
            note.contains(if i == 0 {
                "재고에 없는"
            } else {
                "발급할 수 있는 카드가 아닙니다"
            }),
            "{note}"
        );
        assert!(!window.text("card-split").await.contains(refused));
        let card = format!("GG-000{}", i + 1);
        window
            .type_into("card-serial", &format!("{card}{enter}"))
            .await;
        window.wait_for_text("card-split", &card).await;
        window.wait_for_focus("issue-submit").await;
        window.type_into("issue-submit", &enter).await;
        let approval = window.text("confirm-approval").await;
        assert!(approval.contains("김감독"), "{approval}");
        assert!(
            !window.is_shown("approver-id").await,
            "nobody walks over for this one"
        );
        window.wait_for_focus("issue-confirm").await;
        window.type_into("issue-confirm", &enter).await;
        assert!(window.text("issue-done").await.contains("오프라인 발급"));
        window
            .wait_for_text("offline-approval", &format!("남은 {}건", 49 - i))
            .await;
        window.type_into("next-visitor", &enter).await;
        window.wait_for_focus("rrn-input").await;
    }
    window.screenshot("2-served").await;
    // The clerk's own count of the shift, always in view.
    let shift = window.text("my-shift").await;
    assert!(
        shift.contains("2건") && shift.contains("카드 2장") && shift.contains("200,000원"),
        "{shift}"
    );

    // The supervisor closes it: the next offline issuance asks for them.
    window.type_into("rrn-input", &f8).await;
    window.wait_for_focus("approval-id").await;
    window.type_into("approval-id", SUPERVISOR.0).await;
    window
        .type_into("approval-pin", &format!("{}{enter}", SUPERVISOR.1))
        .await;
    window.find("offline-approval-open").await;
    assert!(!window.is_shown("offline-approval").await);
    window.close().await;
}

/// Errors where they happen: a household size out of range is named as it
/// is typed; a number whose check digit fails turns the verdict amber and
/// the issue button waits for the clerk's acknowledgement; Esc starts the
/// visitor over from any of these states.
#[tokio::test]
async fn cautions_wait_for_an_acknowledgement_and_esc_starts_over() {
    let test = "cautions_wait_for_an_acknowledgement_and_esc_starts_over";
    let Some(desktop) = Desktop::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let window = open(&desktop, &data, test).await;
    window.sign_in(CLERK.0, CLERK.1).await;
    let esc = String::from(char::from(Key::Escape));

    // A household of 0: said under the field at once.
    window.type_into("rrn-input", &born(1986, 41)).await;
    window.wait_for_focus("household-size").await;
    window.keys("0").await;
    let note = window.text("household-size-note").await;
    assert!(note.contains("1~30"), "{note}");
    window.keys(&esc).await;
    window.wait_for_focus("rrn-input").await;
    let cleared = window.find("rrn-input").await.prop("value").await.unwrap();
    assert_eq!(cleared.as_deref(), Some(""), "Esc starts over");
    assert!(!window.is_shown("household-size-note").await);

    // The check digit fails: amber, and the issue waits for the tick.
    let good = born(1986, 42);
    let last = good.chars().last().unwrap().to_digit(10).unwrap();
    let bad = format!("{}{}", &good[..12], (last + 1) % 10);
    let verdict = ask(&window, &bad, "4").await;
    assert!(verdict.contains("확인 후 지급 가능"), "{verdict}");
    assert!(window.text("cautions").await.contains("검증번호"));
    window.type_into("applicant-name", "홍길동").await;
    window
        .type_into("card-serial", &format!("GG-0001{}", enter()))
        .await;
    window.wait_for_text("card-split", "GG-0001").await;
    let submit = window.find("issue-submit").await;
    assert!(
        !submit.is_enabled().await.unwrap(),
        "not before the acknowledgement"
    );
    window.screenshot("1-caution").await;
    window.click("acknowledge").await;
    assert!(
        window
            .find("issue-submit")
            .await
            .is_enabled()
            .await
            .unwrap()
    );
    assert!(window.text("verdict").await.contains("오늘 지급 가능"));

    // Esc from there too: nothing issued, the next visitor's form.
    window.keys(&esc).await;
    window.wait_for_focus("rrn-input").await;
    assert!(!window.is_shown("verdict").await);
    assert_eq!(window.text("stock-count").await, "보유 카드 500장");
    window.close().await;
}

/// Where each part of the visitor screen is, and where the status bar starts.
const LAYOUT: &str = "
    const bar = document.querySelector('footer.status').getBoundingClientRect().top;
    const parts = ['rrn-input', 'applicant-name', 'verdict', 'amount', 'card-split', 'card-serial', 'issue-submit']
        .map((id) => [id, document.querySelector(`[data-testid=${id}]`).getBoundingClientRect().bottom]);
    arguments[arguments.length - 1]({ bar, width: innerWidth, scrolled: scrollY, parts });";

/// One screen per visitor at the commonest office monitors: with a visitor
/// typed in and a card scanned, the verdict, the amount, the cards and the
/// issue button are all above the status bar, and nothing has scrolled.
/// `RELIEF_WRITE_EXAMPLES=1` saves the screens to docs/examples/.
#[tokio::test]
async fn the_visitor_screen_fits_the_commonest_monitors() {
    let test = "the_visitor_screen_fits_the_commonest_monitors";
    let Some(desktop) = Desktop::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let window = open(&desktop, &data, test).await;
    window.sign_in(CLERK.0, CLERK.1).await;
    for (n, (width, height)) in [(1280, 800), (1366, 768)].into_iter().enumerate() {
        window.resize(width, height).await;
        assert!(
            ask(&window, &born(1986, 50 + n as u32), "4")
                .await
                .contains("가능")
        );
        window.type_into("applicant-name", "홍길동").await;
        window
            .type_into("card-serial", &format!("GG-000{}{}", n + 1, enter()))
            .await;
        window.wait_for_focus("issue-submit").await;
        let layout = window.execute_async(LAYOUT, vec![]).await;
        let bar = layout["bar"].as_f64().unwrap();
        assert_eq!(
            layout["scrolled"].as_f64(),
            Some(0.0),
            "{width}×{height}: {layout}"
        );
        for part in layout["parts"].as_array().unwrap() {
            let bottom = part[1].as_f64().unwrap();
            assert!(
                bottom <= bar,
                "{width}×{height}: {} ends at {bottom}, under the status bar at {bar}",
                part[0]
            );
        }
        let name = format!("visitor-{width}x{height}");
        window.screenshot(&name).await;
        if std::env::var_os("RELIEF_WRITE_EXAMPLES").is_some() {
            let shot = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../target/e2e/{test}-{name}.png"));
            let examples =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
            std::fs::copy(shot, examples.join(format!("{name}.png"))).unwrap();
        }
        window.keys(&String::from(char::from(Key::Escape))).await;
        window.wait_for_focus("rrn-input").await;
    }
    window.close().await;
}
