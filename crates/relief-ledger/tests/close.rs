//! Counters' day closes at the ledger: kept as reported, shown in the
//! day's summary with who closed, when and the drawer's difference; a
//! reopening kept beside its close. On SQLite and PostgreSQL alike.

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use common::*;
use relief_ledger::Storage;
use relief_protocol::{DayClosedPayload, DayReopenedPayload, DrawerLine, EventBody, Outcome};

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 4, 20).unwrap()
}

fn at(h: u32, m: u32) -> NaiveDateTime {
    day().and_hms_opt(h, m, 0).unwrap()
}

fn closed(close_id: &str, expected: u64, counted: u64, digest: &str) -> EventBody {
    EventBody::DayClosed(DayClosedPayload {
        close_id: close_id.into(),
        day: day(),
        closed_at: at(18, 5),
        closed_by: "S001".into(),
        drawer: vec![DrawerLine {
            face_value_krw: 3_000_000,
            expected,
            counted,
        }],
        reason: if expected == counted {
            ""
        } else {
            "서랍 부족"
        }
        .into(),
        unsent: 2,
        unsent_reason: "회선 장애".into(),
        report_sha256: digest.into(),
    })
}

fn reopened(close_id: &str) -> EventBody {
    EventBody::DayReopened(DayReopenedPayload {
        close_id: close_id.into(),
        day: day(),
        reopened_at: at(18, 30),
        reopened_by: "S001".into(),
        reason: "마감 후 방문자".into(),
    })
}

fn rejected(outcome: &Outcome) -> &str {
    match outcome {
        Outcome::Rejected { reason, .. } => reason,
        other => panic!("not rejected: {other:?}"),
    }
}

fn closes_are_kept_and_shown_in_the_summary<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "41110-515", "center");
    let mut other = enroll(&b.ledger, "41110-NH1", "nh");
    let digest = "ab".repeat(32);
    let first = a.event(closed("close-1", 200, 199, &digest));
    assert_eq!(
        outcomes(&b.ledger, &a, vec![first.clone()]),
        vec![Outcome::Accepted]
    );
    // The same event again is the same answer; the same close under a new
    // number is refused, not counted twice.
    assert_eq!(
        outcomes(&b.ledger, &a, vec![first]),
        vec![Outcome::Accepted]
    );
    let again = a.event(closed("close-1", 200, 199, &digest));
    assert_eq!(
        rejected(&outcomes(&b.ledger, &a, vec![again])[0]),
        "close_id_reused"
    );
    let bad = a.event(closed("close-2", 10, 10, "not-a-digest"));
    assert_eq!(
        rejected(&outcomes(&b.ledger, &a, vec![bad])[0]),
        "malformed"
    );
    // A counter reopens only its own closes.
    let theirs = other.event(reopened("close-1"));
    assert_eq!(
        rejected(&outcomes(&b.ledger, &other, vec![theirs])[0]),
        "unknown_close"
    );

    let summary = b.ledger.day_summary(None, day()).unwrap();
    assert_eq!(summary.closes.len(), 1);
    let close = &summary.closes[0];
    assert_eq!(close.site_code, "41110-515");
    assert_eq!(
        (close.closed_at, close.closed_by.as_str()),
        (at(18, 5), "S001")
    );
    assert_eq!((close.difference, close.unsent), (-1, 2));
    assert_eq!(close.reason, "서랍 부족");
    assert_eq!(close.report_sha256, digest);
    assert_eq!(close.reopened_at, None);

    let reopen = a.event(reopened("close-1"));
    assert_eq!(
        outcomes(&b.ledger, &a, vec![reopen]),
        vec![Outcome::Accepted]
    );
    let twice = a.event(reopened("close-1"));
    assert_eq!(
        rejected(&outcomes(&b.ledger, &a, vec![twice])[0]),
        "unknown_close"
    );
    let closed_again = a.event(closed("close-3", 199, 199, &"cd".repeat(32)));
    assert_eq!(
        outcomes(&b.ledger, &a, vec![closed_again]),
        vec![Outcome::Accepted]
    );
    let summary = b.ledger.day_summary(None, day()).unwrap();
    assert_eq!(summary.closes.len(), 2);
    assert_eq!(summary.closes[0].reopened_at, Some(at(18, 30)));
    assert_eq!(summary.closes[1].difference, 0);
    assert!(
        b.ledger
            .day_summary(None, day().succ_opt().unwrap())
            .unwrap()
            .closes
            .is_empty()
    );
    let report = summary.to_report("경기도", at(23, 0));
    assert_eq!(report.closes.len(), 2);
    assert_eq!(report.closes[0].difference, -1);
}

on_both! {
    closes_are_kept_and_shown_in_the_summary => super::closes_are_kept_and_shown_in_the_summary;
}
