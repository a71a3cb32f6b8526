//! Visits: recorded before the ledger is asked, ended once, by their
//! issuance or without a card; the end told to the ledger when it may hold
//! a claim; and a store from before visits migrated with every row and its
//! audit chain.

mod common;

use chrono::Duration;
use common::*;
use relief_protocol::EventBody;
use relief_store::*;

fn outbox_kinds(t: &Terminal) -> Vec<String> {
    raw_of(t)
        .prepare("SELECT kind FROM outbox ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn a_visit_ends_once_by_its_issuance_or_without_a_card() {
    let mut t = setup();
    let clerk = t.clerk.clone();
    // Issued: the issuance closes the visit and carries it to the ledger.
    let visit = t.store.open_visit(&clerk, free_day()).unwrap();
    let mut request = solo(&person(1), &["GG-0001"]);
    request.visit = Some(visit.clone());
    t.store.issue(&clerk, request, free_day()).unwrap();
    assert!(!t.store.end_visit(&visit, "취소", true, free_day()).unwrap());
    let event = t.store.pending_events(10).unwrap().pop().unwrap();
    match event.body {
        EventBody::Issuance(p) => assert_eq!(p.visit_id.as_deref(), Some(visit.as_str())),
        other => panic!("{other:?}"),
    }
    // Ended: no issuance may close it afterwards, and nothing was written.
    let visit = t.store.open_visit(&clerk, free_day()).unwrap();
    assert!(
        t.store
            .end_visit(&visit, "다른 곳에서 확인 중", true, free_day())
            .unwrap()
    );
    assert!(
        !t.store
            .end_visit(&visit, "again", true, free_day())
            .unwrap()
    );
    let mut request = solo(&person(2), &["GG-0002"]);
    request.visit = Some(visit.clone());
    let before = t.store.issuance_count().unwrap();
    let on_hand = t.store.stock().unwrap().on_hand();
    assert!(matches!(
        t.store.issue(&clerk, request, free_day()),
        Err(Error::VisitEnded(_))
    ));
    assert_eq!(t.store.issuance_count().unwrap(), before);
    assert_eq!(
        t.store.stock().unwrap().on_hand(),
        on_hand,
        "the card stayed in stock"
    );
    assert_eq!(outbox_kinds(&t), ["issuance", "visit_ended"]);
    // A visit that cannot have reached the ledger ends without telling it.
    let visit = t.store.open_visit(&clerk, free_day()).unwrap();
    assert!(
        t.store
            .end_visit(&visit, "연결 안 됨", false, free_day())
            .unwrap()
    );
    assert_eq!(outbox_kinds(&t).len(), 2);
    assert!(matches!(
        t.store.end_visit("no-such-visit", "?", true, free_day()),
        Err(Error::UnknownVisit(_))
    ));
    assert!(t.store.verify_audit().unwrap().is_intact());
}

#[test]
fn visits_left_open_are_ended_after_ten_minutes() {
    let mut t = setup();
    let clerk = t.clerk.clone();
    let old = t.store.open_visit(&clerk, free_day()).unwrap();
    let recent = t
        .store
        .open_visit(&clerk, free_day() + Duration::minutes(5))
        .unwrap();
    let later = free_day() + Duration::minutes(VISIT_MINUTES) + Duration::seconds(30);
    assert_eq!(t.store.end_stale_visits(later).unwrap(), 1);
    assert_eq!(t.store.open_visits().unwrap(), vec![recent.clone()]);
    assert!(!t.store.end_visit(&old, "x", true, later).unwrap());
    assert_eq!(t.store.end_stale_visits(later).unwrap(), 0);
    assert!(t.store.verify_audit().unwrap().is_intact());
}

#[test]
fn checking_an_issuance_refuses_what_issuing_would_and_writes_nothing() {
    let mut t = setup();
    let clerk = t.clerk.clone();
    t.store
        .issue(&clerk, solo(&person(3), &["GG-0001"]), free_day())
        .unwrap();
    let count = |t: &Terminal| {
        let conn = raw_of(t);
        ["issuance", "outbox", "audit_log", "card_event"].map(|table| {
            conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
        })
    };
    let before = count(&t);
    for (request, code) in [
        (solo(&person(3), &["GG-0002"]), "already_paid_here"),
        (solo(&person(4), &["GG-0001"]), "card_not_in_stock"),
        (solo(&person(4), &["GG-9999"]), "unknown_card"),
        (solo(&person(4), &[]), "card_count_mismatch"),
    ] {
        let error = t.store.check_issue(&request, free_day()).unwrap_err();
        assert_eq!(error.code().code(), code);
        assert_eq!(
            t.store
                .issue(&clerk, request, free_day())
                .unwrap_err()
                .code()
                .code(),
            code
        );
    }
    assert_eq!(count(&t), before);
    t.store
        .check_issue(&solo(&person(4), &["GG-0002"]), free_day())
        .unwrap();
    assert_eq!(count(&t), before);
}

/// Takes a store back to the schema before visits (2): what an older
/// program left on disk (the day close of 6, the card activations of 5
/// and the roll's tables and columns of 4 undone first; 5's triggers
/// stay, and 5 replaces them again).
fn as_before_visits(path: &std::path::Path, key: &DataKey) {
    let conn = raw_at(path, key);
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         BEGIN;
         {UNDO_OFFLINE_APPROVAL}
         DROP TABLE purge; DROP TABLE clerk_removal;
         DROP TRIGGER issuance_not_on_closed_day;
         DROP TABLE day_reopen; DROP TABLE day_close_count; DROP TABLE day_close;
         DROP INDEX void_by_booked_day;
         ALTER TABLE void DROP COLUMN booked_on;
         DROP TABLE card_activation;
         DROP TABLE roll_exception; DROP TABLE roll_key; DROP TABLE roll_person;
         DROP TABLE roll_group; DROP TABLE roll_copy;
         ALTER TABLE issuance DROP COLUMN roll_version;
         ALTER TABLE site DROP COLUMN eupmyeondong;
         DROP TABLE visit_end; DROP TABLE visit;
         CREATE TABLE outbox_v2 (
             seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,
             kind TEXT NOT NULL CHECK (kind IN ('issuance', 'void', 'resolution')),
             subject_id TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL);
         INSERT INTO outbox_v2 SELECT * FROM outbox;
         DROP TABLE outbox;
         ALTER TABLE outbox_v2 RENAME TO outbox;
         CREATE INDEX outbox_by_subject ON outbox (subject_id);
         ALTER TABLE sync_state DROP COLUMN pull_check;
         PRAGMA user_version = 2;
         COMMIT;"
    ))
    .unwrap();
}

#[test]
fn a_store_from_before_visits_keeps_every_row_and_its_audit_chain() {
    let mut t = setup();
    let (clerk, supervisor) = (t.clerk.clone(), t.supervisor.clone());
    let mut issued = Vec::new();
    for n in 0..5 {
        let mut request = solo(&person(20 + n), &[&format!("GG-{:04}", n + 1)]);
        request.verification = Verification::Offline {
            approver: Some(supervisor.clone()),
        };
        issued.push(t.store.issue(&clerk, request, free_day()).unwrap());
    }
    t.store
        .void(
            &supervisor,
            &issued[2].issuance_id,
            "착오",
            CardDisposition::Returned,
            free_day(),
        )
        .unwrap();
    let path = t.path();
    let before = t.store.pending_events(100).unwrap();
    let entries = t.store.verify_audit().unwrap().entries;
    let key = t.store.data_key().clone();
    drop(t.store);
    as_before_visits(&path, &key);

    let mut store = reopen(&path);
    assert_eq!(
        store.pending_events(100).unwrap(),
        before,
        "the outbox as it was"
    );
    let report = store.verify_audit().unwrap();
    assert!(report.is_intact(), "{:?}", report.finding);
    assert_eq!(report.entries, entries);
    assert_eq!(store.issuance_count().unwrap(), 5);
    // And the new kind of event goes in.
    let visit = store.open_visit(&clerk, free_day()).unwrap();
    store
        .end_visit(&visit, "확인 후 취소", true, free_day())
        .unwrap();
    assert_eq!(store.pending_events(100).unwrap().len(), before.len() + 1);
    assert!(store.verify_audit().unwrap().is_intact());
}
