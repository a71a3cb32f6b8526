//! The counter as the window drives it, without a window: the demo
//! terminal, sign-in, the verdict, issuing offline with approval, refusal
//! of a second payment, voiding, and errors as the window receives them.

use chrono::NaiveDate;
use relief_core::identity::synthetic;
use relief_core::proxy::{IdDocument, Relation};
use relief_report::ReportKind;
use zeroize::Zeroizing;

use super::demo::{CLERK, SUPERVISOR};
use super::*;

fn demo() -> (tempfile::TempDir, Counter) {
    let dir = tempfile::tempdir().unwrap();
    let counter = Counter::open(dir.path(), None).unwrap();
    (dir, counter)
}

/// Born in `year` (its last digit decides the weekday), a synthetic number.
fn person(year: i32, serial: u32) -> Zeroizing<String> {
    synthetic::number(
        NaiveDate::from_ymd_opt(year, 5, 5).unwrap(),
        false,
        false,
        serial,
    )
}

fn check(counter: &Counter, rrn: &str, household: u32) -> Result<CheckView> {
    counter.check(&CheckInput {
        rrn: rrn.to_owned(),
        household_size: Some(household),
        resident_sigungu: "41110".into(),
    })
}

fn visit(rrn: &str, household: u32, cards: &[&str], approver: Option<(&str, &str)>) -> IssueInput {
    IssueInput {
        applicant_rrn: rrn.to_owned(),
        applicant_name: "홍길동".into(),
        id_document: IdDocument::ResidentCard,
        beneficiaries: vec![BeneficiaryInput {
            rrn: String::new(),
            member: None,
            name: String::new(),
            relation: Relation::SelfApplicant,
            household_size: Some(household),
            resident_sigungu: "41110".into(),
        }],
        cards: cards.iter().map(|c| c.to_string()).collect(),
        household_of_minors: false,
        approver: approver.map(|(id, pin)| Approver {
            employee_id: id.into(),
            pin: pin.into(),
        }),
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn a_new_data_folder_becomes_the_demo_terminal() {
    let (_dir, counter) = demo();
    let status = counter.status().unwrap();
    assert!(status.demo);
    assert_eq!(status.site_code, "DEMO-41110");
    assert_eq!(status.sigungu, "41110");
    assert_eq!(status.cards_on_hand, 500);
    assert!(!status.sync.enrolled);
    assert_eq!(status.offline_mode.code(), "supervisor");
    assert!(status.idle_lock_minutes > 0);
    assert!(status.now.starts_with("2020-04-20T10:00"), "{}", status.now);
    assert!(status.session.is_none());
    assert!(
        status
            .regions
            .iter()
            .any(|r| r.code == "41110" && r.name.contains("수원"))
    );
    assert!(status.relations.iter().any(|r| r.code.code() == "self"));
    assert!(
        status
            .id_documents
            .iter()
            .any(|d| d.code.code() == "resident_card" && d.label == "주민등록증")
    );
}

#[test]
fn reopening_keeps_the_terminal_and_a_chosen_demo_clock() {
    let dir = tempfile::tempdir().unwrap();
    drop(Counter::open(dir.path(), None).unwrap());
    let at = NaiveDate::from_ymd_opt(2020, 4, 22)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let counter = Counter::open(dir.path(), Some(at)).unwrap();
    counter.sign_in(SUPERVISOR.0, SUPERVISOR.2).unwrap();
    let status = counter.status().unwrap();
    assert_eq!(status.cards_on_hand, 500, "the stock was not set up twice");
    assert!(status.now.starts_with("2020-04-22T09:00"), "{}", status.now);
}

#[test]
fn a_production_terminal_refuses_a_set_clock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terminal.sqlite3");
    let at = default_demo_start();
    let (mut store, _recovery) = Store::init(
        &path,
        relief_store::TerminalSetup {
            eupmyeondong: None,
            site_code: "41110-510".into(),
            site_name: "파장동 행정복지센터".into(),
            site_type: relief_core::SiteType::Center,
            sigungu: "41110".parse().unwrap(),
            demo: false,
            policy_file: "policies/gyeonggi-2020.toml".into(),
            policy_text: relief_core::policy::builtin::GYEONGGI_2020.into(),
            secret: relief_store::generate_secret(),
        },
        at,
    )
    .unwrap();
    store
        .add_clerk(
            None,
            relief_store::NewClerk {
                employee_id: SUPERVISOR.0.into(),
                name: SUPERVISOR.1.into(),
                role: relief_store::Role::Supervisor,
                pin: zeroize::Zeroizing::new(SUPERVISOR.2.into()),
            },
            at,
        )
        .unwrap();
    drop(store);
    let refused = Counter::open(dir.path(), Some(at))
        .err()
        .expect("a set clock is refused");
    assert_eq!(refused.code, "clock_not_settable");
    let counter = Counter::open(dir.path(), None).unwrap();
    counter.sign_in(SUPERVISOR.0, SUPERVISOR.2).unwrap();
    assert!(!counter.status().unwrap().demo);
    assert!(
        counter.now().date() > NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        "the system clock"
    );
}

#[test]
fn after_a_restart_the_store_stays_locked_until_a_supervisor_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let first = Counter::open(dir.path(), None).unwrap();
    // A new terminal: its recovery code goes once to the first supervisor.
    let clerk = first.sign_in(CLERK.0, CLERK.2).unwrap();
    assert_eq!(clerk.recovery_code, None);
    let supervisor = first.sign_in(SUPERVISOR.0, SUPERVISOR.2).unwrap();
    assert_eq!(supervisor.recovery_code.as_deref().map(str::len), Some(39));
    assert_eq!(
        first
            .sign_in(SUPERVISOR.0, SUPERVISOR.2)
            .unwrap()
            .recovery_code,
        None
    );
    drop(first);

    let counter = Counter::open(dir.path(), None).unwrap();
    assert!(!counter.is_open());
    assert_eq!(counter.status().unwrap_err().code, "store_locked");
    let refused = counter.sign_in(CLERK.0, CLERK.2).unwrap_err();
    assert_eq!(refused.code, "no_key_slot");
    assert!(refused.message.contains("감독자"), "{}", refused.message);
    assert_eq!(
        counter.sign_in(SUPERVISOR.0, "12345678").unwrap_err().code,
        "bad_credentials"
    );
    assert!(!counter.is_open());
    counter.sign_in(SUPERVISOR.0, SUPERVISOR.2).unwrap();
    assert!(counter.is_open());
    // Signing out (or the idle lock) hides the screen; the store stays
    // open and a clerk signs in under it.
    counter.sign_out();
    counter.sign_in(CLERK.0, CLERK.2).unwrap();
    assert_eq!(counter.status().unwrap().cards_on_hand, 500);
    drop(counter);

    // A supervisor sets a new PIN as they sign in: it opens a locked store,
    // and changes again under an open one; the old PIN opens nothing.
    let counter = Counter::open(dir.path(), None).unwrap();
    let short = counter
        .sign_in_with_new_pin(SUPERVISOR.0, SUPERVISOR.2, "1234")
        .unwrap_err();
    assert_eq!(short.code, "weak_supervisor_pin");
    assert!(!counter.is_open());
    let session = counter
        .sign_in_with_new_pin(SUPERVISOR.0, SUPERVISOR.2, "86420975")
        .unwrap();
    assert_eq!(session.role.code(), "supervisor");
    assert!(counter.is_open());
    assert_eq!(
        counter
            .sign_in_with_new_pin(SUPERVISOR.0, SUPERVISOR.2, "13572468")
            .unwrap_err()
            .code,
        "bad_credentials"
    );
    counter
        .sign_in_with_new_pin(SUPERVISOR.0, "86420975", "13572468")
        .unwrap();
    drop(counter);
    let counter = Counter::open(dir.path(), None).unwrap();
    assert_eq!(
        counter.sign_in(SUPERVISOR.0, "86420975").unwrap_err().code,
        "bad_credentials"
    );
    counter.sign_in(SUPERVISOR.0, "13572468").unwrap();
}

#[test]
fn nothing_is_answered_before_sign_in_and_a_wrong_pin_is_refused_in_korean() {
    let (_dir, counter) = demo();
    let refused = check(&counter, &person(1986, 1), 4).unwrap_err();
    assert_eq!(refused.code, "not_signed_in");
    let wrong = counter.sign_in(CLERK.0, "999999").unwrap_err();
    assert_eq!(wrong.code, "bad_credentials");
    assert!(
        wrong.message.chars().any(|c| ('가'..='힣').contains(&c)),
        "{}",
        wrong.message
    );
    let session = counter.sign_in(CLERK.0, CLERK.2).unwrap();
    assert_eq!(
        (
            session.name.as_str(),
            session.role.code(),
            session.role_label.as_str()
        ),
        ("이담당", "clerk", "담당자")
    );
    assert_eq!(
        counter.status().unwrap().session.unwrap().employee_id,
        CLERK.0
    );
    counter.sign_out();
    assert!(counter.status().unwrap().session.is_none());
}

#[test]
fn the_verdict_follows_the_weekday_rotation() {
    let (_dir, counter) = demo();
    counter.sign_in(CLERK.0, CLERK.2).unwrap();
    // Monday 2020-04-20: birth years ending in 1 and 6.
    let today = check(&counter, &person(1986, 1), 4).unwrap();
    assert!(today.allowed, "{today:?}");
    assert_eq!(today.per_person, 100_000);
    assert_eq!(today.household_total, 400_000);
    assert!(today.masked.ends_with("******"));
    assert!(today.paid.is_none());

    let wrong_day = check(&counter, &person(1987, 2), 4).unwrap();
    assert!(!wrong_day.allowed);
    assert!(!wrong_day.next.is_empty());
    assert!(wrong_day.next[0].contains("화"), "{:?}", wrong_day.next);
    assert!(!wrong_day.message.is_empty());
}

#[test]
fn a_minor_is_told_on_the_verdict_who_may_collect() {
    let (_dir, counter) = demo();
    counter.sign_in(CLERK.0, CLERK.2).unwrap();
    // Born 2006: 13 on 2020-04-20, a Monday for a birth year ending in 6.
    let minor = check(&counter, &person(2006, 3), 4).unwrap();
    let notice = minor.minor_notice.expect("a minor gets a notice");
    assert!(notice.contains("법정대리인"), "{notice}");
    assert!(
        check(&counter, &person(1986, 1), 4)
            .unwrap()
            .minor_notice
            .is_none()
    );
}

#[test]
fn bad_input_is_a_korean_error_not_a_panic() {
    let (_dir, counter) = demo();
    counter.sign_in(CLERK.0, CLERK.2).unwrap();
    let short = check(&counter, "12345", 4).unwrap_err();
    assert_eq!(short.code, "identity_number");
    let zero = check(&counter, &person(1986, 1), 0).unwrap_err();
    assert_eq!(zero.code, "household_size");
    let mut elsewhere = CheckInput {
        rrn: person(1986, 1).to_string(),
        household_size: Some(1),
        resident_sigungu: "11110".into(),
    };
    assert_eq!(
        counter.check(&elsewhere).unwrap_err().code,
        "unknown_sigungu"
    );
    elsewhere.resident_sigungu = "abc".into();
    assert_eq!(counter.check(&elsewhere).unwrap_err().code, "input");
    let json = serde_json::to_value(&short).unwrap();
    assert_eq!(json["code"], "identity_number");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('가'..='힣').contains(&c))
    );
}

#[test]
fn a_supervisor_opens_offline_issuance_at_the_counter_for_the_queue() {
    let (_dir, counter) = demo();
    counter.sign_in(CLERK.0, CLERK.2).unwrap();
    assert!(counter.status().unwrap().offline_approval.is_none());
    let open = |id: &str, pin: &str, issuances| {
        counter.open_offline_approval(&OfflineApprovalInput {
            employee_id: id.into(),
            pin: pin.into(),
            minutes: 60,
            issuances,
        })
    };
    assert_eq!(
        open(CLERK.0, CLERK.2, 2).unwrap_err().code,
        "supervisor_required"
    );
    assert_eq!(
        open(SUPERVISOR.0, "00000000", 2).unwrap_err().code,
        "bad_credentials"
    );
    let bounds = counter.status().unwrap().offline_approval_bounds;
    assert_eq!(
        open(SUPERVISOR.0, SUPERVISOR.2, bounds.max_issuances + 1)
            .unwrap_err()
            .code,
        "offline_approval_bounds"
    );
    let opened = open(SUPERVISOR.0, SUPERVISOR.2, 2).unwrap();
    assert_eq!(
        (opened.remaining, opened.opened_by.as_str()),
        (2, SUPERVISOR.0)
    );
    assert!(!opened.opened_by_name.is_empty());

    // The clerk is still the one signed in, and issues without a supervisor.
    let receipt = block_on(counter.issue(visit(&person(1986, 21), 4, &["GG-0001"], None))).unwrap();
    assert!(receipt.offline);
    let shown = counter.status().unwrap().offline_approval.unwrap();
    assert_eq!(shown.remaining, 1);
    // The clerk's own shift counts it; only a supervisor sees everyone's.
    let status = counter.status().unwrap();
    let mine = status.my_shift.unwrap();
    assert_eq!(
        (
            mine.clerk_id.as_str(),
            mine.issuances,
            mine.people,
            mine.cards,
            mine.total
        ),
        (CLERK.0, 1, 1, 1, receipt.total)
    );
    assert!(status.shifts.is_empty());
    assert_eq!(
        counter.status().unwrap().session.unwrap().employee_id,
        CLERK.0
    );

    let supervisor = Approver {
        employee_id: SUPERVISOR.0.into(),
        pin: SUPERVISOR.2.into(),
    };
    counter.close_offline_approval(&supervisor).unwrap();
    assert!(counter.status().unwrap().offline_approval.is_none());
    let closed = block_on(counter.issue(visit(&person(1986, 22), 4, &["GG-0002"], None)));
    assert_eq!(closed.unwrap_err().code, "offline_needs_supervisor");
    assert_eq!(
        counter
            .close_offline_approval(&supervisor)
            .unwrap_err()
            .code,
        "no_offline_approval"
    );
}

#[test]
fn offline_issuance_needs_a_supervisor_and_pays_once() {
    let (dir, counter) = demo();
    counter.sign_in(CLERK.0, CLERK.2).unwrap();
    let rrn = person(1986, 7);

    let quote = counter.quote(&visit(&rrn, 4, &[], None)).unwrap();
    assert_eq!(quote.total, 100_000);
    assert_eq!(quote.cards, vec![100_000]);

    let unapproved = block_on(counter.issue(visit(&rrn, 4, &["GG-0001"], None))).unwrap_err();
    assert_eq!(unapproved.code, "offline_needs_supervisor");
    let clerk_approves = block_on(counter.issue(visit(
        &rrn,
        4,
        &["GG-0001"],
        Some(CLERK.0).zip(Some(CLERK.2)),
    )));
    assert_eq!(clerk_approves.unwrap_err().code, "supervisor_required");

    let receipt = block_on(counter.issue(visit(
        &rrn,
        4,
        &["GG-0001"],
        Some((SUPERVISOR.0, SUPERVISOR.2)),
    )))
    .unwrap();
    assert!(receipt.offline);
    assert_eq!(receipt.total, 100_000);
    assert_eq!(receipt.cards[0].serial, "GG-0001");
    assert_eq!(receipt.cards[0].activation, "확인 후 사용 가능");
    assert!(receipt.terms[0].starts_with("확인 후 사용 가능"));
    assert!(receipt.applicant.contains("******"));
    assert_eq!(counter.status().unwrap().cards_on_hand, 499);
    assert_eq!(counter.status().unwrap().sync.pending, 1);

    let again = check(&counter, &rrn, 4).unwrap();
    assert!(!again.allowed);
    assert_eq!(again.reason, "already_paid");
    assert_eq!(again.paid.as_ref().unwrap().place.code(), "here");
    let twice = block_on(counter.issue(visit(
        &rrn,
        4,
        &["GG-0002"],
        Some((SUPERVISOR.0, SUPERVISOR.2)),
    )))
    .unwrap_err();
    assert_eq!(twice.code, "already_paid_here");
    assert_eq!(
        counter.status().unwrap().cards_on_hand,
        499,
        "the refused card stays in stock"
    );

    let pdf = dir.path().join("receipt.pdf");
    counter
        .receipt_pdf(&ReceiptPdfInput {
            issuance_id: receipt.issuance_id.clone(),
            paper: relief_report::receipt::Paper::A5,
            path: pdf.to_str().unwrap().into(),
        })
        .unwrap();
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let rows = counter.issuances_today().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, receipt.issuance_id);
    assert!(rows[0].offline);
}

#[test]
fn a_clerk_cannot_void_and_a_supervisor_can() {
    let (dir, counter) = demo();
    counter.sign_in(CLERK.0, CLERK.2).unwrap();
    let receipt = block_on(counter.issue(visit(
        &person(1991, 3),
        4,
        &["GG-0100"],
        Some((SUPERVISOR.0, SUPERVISOR.2)),
    )))
    .unwrap();
    let void = VoidInput {
        issuance_id: receipt.issuance_id.clone(),
        reason: "카드 번호 오입력".into(),
        disposition: relief_protocol::CardDisposition::Returned,
    };
    assert_eq!(counter.void(&void).unwrap_err().code, "supervisor_required");
    assert_eq!(counter.clerks().unwrap_err().code, "supervisor_required");
    assert_eq!(counter.conflicts().unwrap_err().code, "supervisor_required");

    counter.sign_in(SUPERVISOR.0, SUPERVISOR.2).unwrap();
    let no_reason = VoidInput {
        reason: " ".into(),
        ..void.clone()
    };
    assert!(counter.void(&no_reason).is_err(), "a reason is required");
    counter.void(&void).unwrap();
    assert_eq!(counter.void(&void).unwrap_err().code, "already_voided");
    assert_eq!(
        counter.status().unwrap().cards_on_hand,
        499,
        "the returned card goes back to the card issuer, not into stock"
    );
    let today = counter.issuances_today().unwrap();
    assert!(today[0].voided.is_some());
    assert_eq!(today[0].cards, "GG-0100 (확인 후 사용 가능)");

    let csv = dir.path().join("daily.csv");
    counter
        .report(&ReportInput {
            kind: ReportKind::Daily,
            date: "2020-04-20".into(),
            format: relief_report::Format::Csv,
            path: csv.to_str().unwrap().into(),
        })
        .unwrap();
    let text = String::from_utf8_lossy(&std::fs::read(&csv).unwrap()).into_owned();
    assert!(text.contains(&receipt.issuance_id), "{text}");
}

#[test]
fn supervisors_receive_stock_and_add_clerks() {
    let (_dir, counter) = demo();
    counter.sign_in(SUPERVISOR.0, SUPERVISOR.2).unwrap();
    let stock = StockInput {
        first: "GG-0501".into(),
        last: "GG-0550".into(),
        face_value: 3_000_000,
        note: "2차 입고".into(),
    };
    assert_eq!(counter.receive_stock(&stock).unwrap(), 50);
    assert_eq!(
        counter.receive_stock(&stock).unwrap_err().code,
        "serial_exists"
    );
    assert_eq!(counter.stock().unwrap()[0].on_hand, 550);

    let clerk = ClerkInput {
        employee_id: "C002".into(),
        name: "박창구".into(),
        role: Role::Clerk,
        pin: "358024".into(),
    };
    counter.add_clerk(&clerk).unwrap();
    assert_eq!(counter.add_clerk(&clerk).unwrap_err().code, "clerk_exists");
    assert!(
        counter
            .clerks()
            .unwrap()
            .iter()
            .any(|c| c.employee_id == "C002" && c.role_label == "담당자")
    );
    counter.sign_in("C002", "358024").unwrap();
}

#[test]
fn enrolling_with_no_ledger_says_so_and_keeps_the_counter_offline() {
    let (_dir, counter) = demo();
    counter.sign_in(SUPERVISOR.0, SUPERVISOR.2).unwrap();
    let input = EnrollInput {
        ledger_url: "http://127.0.0.1:9".into(),
        code: "ABCD-EFGH".into(),
        fingerprint: String::new(),
    };
    let refused = block_on(counter.enroll(&input)).unwrap_err();
    assert_eq!(refused.code, "ledger_unreachable");
    assert!(!counter.status().unwrap().sync.enrolled);
}

#[test]
fn a_code_from_the_window_that_is_not_of_its_set_is_refused_not_defaulted() {
    // Once an unknown role became a clerk and any report kind but "daily"
    // the stock report.
    let clerk = serde_json::json!({
        "employee_id": "E9", "name": "새직원", "role": "admin", "pin": "123456"
    });
    let e = serde_json::from_value::<ClerkInput>(clerk).unwrap_err();
    assert!(e.to_string().contains("clerk, supervisor"), "{e}");
    let report = serde_json::json!({
        "kind": "weekly", "date": "2020-04-20", "format": "pdf", "path": "/tmp/x.pdf"
    });
    let e = serde_json::from_value::<ReportInput>(report).unwrap_err();
    assert!(e.to_string().contains("daily, stock"), "{e}");
    let void = serde_json::json!({
        "issuance_id": "x", "reason": "y", "disposition": "lost"
    });
    assert!(serde_json::from_value::<VoidInput>(void).is_err());
}

#[test]
fn the_close_screen_counts_the_drawer_closes_the_day_and_reopens_it() {
    let (dir, counter) = demo();
    counter.sign_in(CLERK.0, CLERK.2).unwrap();
    let drawer = |count: u64, scanned: Vec<String>| CloseInput {
        date: "2020-04-20".into(),
        counts: vec![DrawerTyped {
            face_value: 3_000_000,
            count,
        }],
        scanned,
    };
    assert_eq!(
        counter
            .close_preview(&drawer(500, vec![]))
            .unwrap_err()
            .code,
        "supervisor_required"
    );
    block_on(counter.issue(visit(
        &person(1991, 3),
        4,
        &["GG-0001"],
        Some((SUPERVISOR.0, SUPERVISOR.2)),
    )))
    .unwrap();
    counter.sign_in(SUPERVISOR.0, SUPERVISOR.2).unwrap();
    let typed_short = counter.close_preview(&drawer(498, vec![])).unwrap_err();
    assert_eq!(typed_short.code, "count_needs_serials");
    assert!(
        typed_short.message.contains("불일치"),
        "{}",
        typed_short.message
    );
    // Scanned, the drawer names the missing card.
    let scanned: Vec<String> = (2..=500)
        .filter(|n| *n != 9)
        .map(|n| format!("GG-{n:04}"))
        .collect();
    let preview = counter
        .close_preview(&drawer(498, scanned.clone()))
        .unwrap();
    assert!(!preview.balanced);
    assert_eq!(preview.difference, -1);
    assert_eq!(preview.faces[0].missing, vec!["GG-0009".to_owned()]);
    assert_eq!(preview.unsent, 1, "the demo terminal is offline");

    let path = dir.path().join("close.pdf");
    let input = CloseDayInput {
        drawer: drawer(498, scanned),
        reason: "서랍 한 장 부족".into(),
        unsent_reason: String::new(),
        path: path.to_str().unwrap().into(),
    };
    assert_eq!(
        block_on(counter.close_day(&input)).unwrap_err().code,
        "unsent_events"
    );
    let done = block_on(counter.close_day(&CloseDayInput {
        unsent_reason: "원장 미등록 단말기".into(),
        ..input
    }))
    .unwrap();
    assert_eq!(done.lost, vec!["GG-0009".to_owned()]);
    use sha2::Digest;
    let saved = std::fs::read(&path).unwrap();
    assert!(saved.starts_with(b"%PDF"));
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&saved)),
        done.report_sha256
    );

    counter.sign_in(CLERK.0, CLERK.2).unwrap();
    let closed = block_on(counter.issue(visit(
        &person(1991, 4),
        4,
        &["GG-0002"],
        Some((SUPERVISOR.0, SUPERVISOR.2)),
    )))
    .unwrap_err();
    assert_eq!(closed.code, "day_closed");
    counter.sign_in(SUPERVISOR.0, SUPERVISOR.2).unwrap();
    let reopen = ReopenInput {
        date: "2020-04-20".into(),
        reason: "마감 후 방문자".into(),
    };
    counter.reopen_day(&reopen).unwrap();
    assert_eq!(
        counter.reopen_day(&reopen).unwrap_err().code,
        "day_not_closed"
    );
    block_on(counter.issue(visit(
        &person(1991, 4),
        4,
        &["GG-0002"],
        Some((SUPERVISOR.0, SUPERVISOR.2)),
    )))
    .unwrap();
}
