//! The ledger's rules, run against SQLite and against PostgreSQL alike.

mod common;

use std::sync::Arc;

use common::*;
use relief_core::Channel;
use relief_ledger::{Ledger, Storage};
use relief_protocol::{
    ClaimRequest, ClaimResult, ConflictStatus, DenyChange, EventBody, FeedCursor, MAX_CLAIM_KEYS,
    Outcome, PushRequest, Resolution, ResolutionPayload,
};

const CAMPAIGN: &str = "gyeonggi-2020";

fn enrollment_codes_work_once<S: Storage>(b: Backend<S>) {
    let made = b
        .ledger
        .create_enrollment_code(&site("41110-515", "center"), None)
        .unwrap();
    let enrolled = b.ledger.enroll(&made.code.to_lowercase()).unwrap();
    assert_eq!(enrolled.site.code, "41110-515");
    assert_eq!(enrolled.policy.campaign_id, "gyeonggi-2020");
    enrolled
        .policy
        .verify(&relief_protocol::LedgerKey::from_hex(&enrolled.ledger_key).unwrap())
        .unwrap();
    assert_eq!(
        relief_protocol::LedgerKey::from_hex(&enrolled.ledger_key)
            .unwrap()
            .fingerprint(),
        made.ledger_key_fingerprint
    );
    // Replayed: refused, and no second terminal.
    let again = b.ledger.enroll(&made.code).unwrap_err();
    assert!(matches!(
        again,
        relief_ledger::ServiceError::Conflict {
            code: "enrollment_code_invalid",
            ..
        }
    ));
    assert!(b.ledger.authenticate(&enrolled.token).is_ok());
    assert!(b.ledger.authenticate("not-a-token").is_err());
    // Expired after a week.
    let late = b
        .ledger
        .create_enrollment_code(&site("41110-516", "nh"), None)
        .unwrap();
    b.clock.advance(8 * 24 * 60);
    assert!(b.ledger.enroll(&late.code).is_err());
    // A 시군 the campaign does not cover is refused at once.
    let mut seoul = site("11110-1", "center");
    seoul.sigungu = "11110".into();
    assert!(b.ledger.create_enrollment_code(&seoul, None).is_err());
}

fn simultaneous_claims_have_one_winner<S: Storage>(b: Backend<S>) {
    let ledger = Arc::new(b.ledger);
    let terminals: Vec<Terminal> = (0..6)
        .map(|i| enroll(&*ledger, &format!("S{i}"), "center"))
        .collect();
    let key = terminals[0].key(7).to_hex();
    let barrier = Arc::new(std::sync::Barrier::new(terminals.len()));
    let handles: Vec<_> = terminals
        .into_iter()
        .map(|t| {
            let (ledger, barrier, key) = (ledger.clone(), barrier.clone(), key.clone());
            std::thread::spawn(move || {
                barrier.wait();
                ledger
                    .claim(
                        &t.row,
                        &ClaimRequest {
                            visit_id: visit(),
                            keys: vec![key],
                        },
                    )
                    .unwrap()
                    .results
                    .remove(0)
            })
        })
        .collect();
    let results: Vec<ClaimResult> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let granted = results
        .iter()
        .filter(|r| matches!(r, ClaimResult::Granted { .. }))
        .count();
    assert_eq!(granted, 1, "{results:?}");
    assert!(results.iter().all(|r| matches!(
        r,
        ClaimResult::Granted { .. } | ClaimResult::ClaimedElsewhere { .. }
    )));
}

fn claims_hold_until_their_visit_ends_and_payments_answer<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let mut c = enroll(&b.ledger, "C", "nh");
    let (va, vc) = (visit(), visit());
    let granted = |r: &[ClaimResult]| matches!(r[0], ClaimResult::Granted { .. });
    assert!(granted(&a.claim(&b.ledger, &va, &[1])));
    // The same visit asking again (a retried request) is granted again.
    assert!(granted(&a.claim(&b.ledger, &va, &[1])));
    // Another visit, even at the same counter, is not: the person is
    // being served there.
    match &a.claim(&b.ledger, &visit(), &[1])[0] {
        ClaimResult::ClaimedElsewhere { yours, paid, .. } => {
            assert!(*yours);
            assert_eq!(paid.site, "A 창구");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        c.claim(&b.ledger, &vc, &[1])[0],
        ClaimResult::ClaimedElsewhere { yours: false, .. }
    ));
    // Past its lease the claim still holds: a card may be out, its push late.
    b.clock.advance(16);
    assert!(matches!(
        c.claim(&b.ledger, &vc, &[1])[0],
        ClaimResult::ClaimedElsewhere { .. }
    ));
    // A's visit ends without a card (through its outbox): C may serve them.
    let ended = a.end_visit(&va);
    assert_eq!(
        push(&b.ledger, &a, vec![ended]).verdicts[0].outcome,
        Outcome::Accepted
    );
    assert!(granted(&c.claim(&b.ledger, &vc, &[1])));
    // An ended visit is not granted again, however late its request comes.
    let late = b.ledger.claim(
        &a.row,
        &ClaimRequest {
            visit_id: va.clone(),
            keys: vec![a.key(2).to_hex()],
        },
    );
    assert!(
        matches!(
            late,
            Err(relief_ledger::ServiceError::Conflict {
                code: "visit_ended",
                ..
            })
        ),
        "{late:?}"
    );
    // C's claim is live when A's offline issuance arrives. A claim is
    // someone being served, not paid: A's payment takes its place, and
    // stays when C's visit ends.
    let event = a.issuance("i-a", &[1]);
    assert_eq!(
        push(&b.ledger, &a, vec![event]).verdicts[0].outcome,
        Outcome::Accepted
    );
    let ended = c.end_visit(&vc);
    push(&b.ledger, &c, vec![ended]);
    assert!(matches!(
        c.claim(&b.ledger, &visit(), &[1])[0],
        ClaimResult::AlreadyPaid { yours: false, .. }
    ));
    // The counter that paid them is not granted them either.
    assert!(matches!(
        a.claim(&b.ledger, &visit(), &[1])[0],
        ClaimResult::AlreadyPaid { yours: true, .. }
    ));
    // Had C handed a card over too, its issuance meets A's payment.
    let event = c.issuance("i-c", &[1]);
    let verdict = &push(&b.ledger, &c, vec![event]).verdicts[0];
    assert!(
        matches!(verdict.outcome, Outcome::Duplicate { .. }),
        "{verdict:?}"
    );
    // Once paid, everyone is told where.
    let mut d = enroll(&b.ledger, "D", "center");
    let event = d.issuance("i-d", &[2]);
    assert_eq!(
        push(&b.ledger, &d, vec![event]).verdicts[0].outcome,
        Outcome::Accepted
    );
    match a.claim(&b.ledger, &visit(), &[2]).remove(0) {
        ClaimResult::AlreadyPaid { paid, .. } => {
            assert_eq!(
                (paid.channel, paid.site.as_str()),
                (Channel::Center, "D 창구")
            )
        }
        other => panic!("{other:?}"),
    }
    for (visit_id, keys) in [
        (visit(), vec!["zz".to_owned()]),
        (visit(), vec![]),
        ("not-a-visit".to_owned(), vec![a.key(3).to_hex()]),
    ] {
        let request = ClaimRequest { visit_id, keys };
        assert!(matches!(
            b.ledger.claim(&a.row, &request),
            Err(relief_ledger::ServiceError::BadRequest { .. })
        ));
    }
}

fn an_offline_issuance_of_a_visit_ends_it_even_in_a_batch<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let v = visit();
    // The visit's claim never reached the ledger: the card went out
    // offline, under the visit, and comes in a push of issuances of people
    // new to the ledger (written as one batch).
    let mut issued = a.issuance("offline-of-a-visit", &[7]);
    if let EventBody::Issuance(p) = &mut issued.body {
        p.visit_id = Some(v.clone());
    }
    assert_eq!(
        push(&b.ledger, &a, vec![issued]).verdicts[0].outcome,
        Outcome::Accepted
    );
    let late = b.ledger.claim(
        &a.row,
        &ClaimRequest {
            visit_id: v.clone(),
            keys: vec![a.key(8).to_hex()],
        },
    );
    assert!(
        matches!(
            late,
            Err(relief_ledger::ServiceError::Conflict {
                code: "visit_ended",
                ..
            })
        ),
        "{late:?}"
    );
}

fn a_household_visit_refused_for_one_lets_go_of_the_others<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let mut c = enroll(&b.ledger, "C", "nh");
    let paid = c.issuance("paid-2", &[2]);
    push(&b.ledger, &c, vec![paid]);
    // A household of 1 and 2: 1 is held for the visit, 2 is paid already.
    let visit_id = visit();
    let answers = a.claim(&b.ledger, &visit_id, &[1, 2]);
    assert!(matches!(answers[0], ClaimResult::Granted { .. }));
    assert!(matches!(answers[1], ClaimResult::AlreadyPaid { .. }));
    assert!(matches!(
        c.claim(&b.ledger, &visit(), &[1])[0],
        ClaimResult::ClaimedElsewhere { .. }
    ));
    // The visit is refused and ends: person 1 is free at once.
    let ended = a.end_visit(&visit_id);
    push(&b.ledger, &a, vec![ended]);
    assert!(matches!(
        c.claim(&b.ledger, &visit(), &[1])[0],
        ClaimResult::Granted { .. }
    ));
}

fn a_visit_ends_only_its_own_terminals_claims<S: Storage>(b: Backend<S>) {
    let a = enroll(&b.ledger, "A", "center");
    let mut c = enroll(&b.ledger, "C", "nh");
    let va = visit();
    assert!(matches!(
        a.claim(&b.ledger, &va, &[1, 2])[0],
        ClaimResult::Granted { .. }
    ));
    // C names A's visit (it could not know it, but say it did): nothing of
    // A's is let go of.
    let forged = c.end_visit(&va);
    push(&b.ledger, &c, vec![forged]);
    assert!(matches!(
        c.claim(&b.ledger, &visit(), &[2])[0],
        ClaimResult::ClaimedElsewhere { .. }
    ));
    assert_eq!(recorded_state(&b, &a, 1), "being_served");
    // A terminal that is not coming back: an admin withdraws its claims.
    assert_eq!(
        b.ledger
            .withdraw_claims(&a.row.id, "PC 고장, 회수 불가")
            .unwrap(),
        1
    );
    assert_eq!(recorded_state(&b, &a, 1), "unpaid");
    assert_eq!(recorded_state(&b, &a, 2), "unpaid");
    assert!(matches!(
        c.claim(&b.ledger, &visit(), &[1, 2])[0],
        ClaimResult::Granted { .. }
    ));
    assert!(b.ledger.withdraw_claims(&a.row.id, " ").is_err());
}

/// A person's state as the ledger keeps it in their entitlement row.
fn recorded_state<S: Storage>(b: &Backend<S>, t: &Terminal, person: u32) -> String {
    let rows = b
        .ledger
        .storage()
        .read(|db| {
            db.query(
                "SELECT state FROM entitlement WHERE beneficiary_key = $1",
                &[t.key(person).as_bytes().as_slice().into()],
            )
        })
        .unwrap();
    rows[0].text("state").unwrap()
}

fn a_claim_asks_for_as_many_as_the_protocol_allows_and_no_more<S: Storage>(b: Backend<S>) {
    let t = enroll(&b.ledger, "A", "center");
    let most: Vec<u32> = (1..=MAX_CLAIM_KEYS as u32).collect();
    let results = t.claim(&b.ledger, &visit(), &most);
    assert_eq!(results.len(), MAX_CLAIM_KEYS);
    assert!(
        results
            .iter()
            .all(|r| matches!(r, ClaimResult::Granted { .. }))
    );
    let too_many: Vec<u32> = (100..=100 + MAX_CLAIM_KEYS as u32).collect();
    let refused = b.ledger.claim(
        &t.row,
        &ClaimRequest {
            visit_id: visit(),
            keys: too_many.iter().map(|p| t.key(*p).to_hex()).collect(),
        },
    );
    assert!(refused.is_err());
}

fn push_is_idempotent_on_terminal_and_sequence<S: Storage>(b: Backend<S>) {
    let mut t = enroll(&b.ledger, "A", "center");
    let events: Vec<_> = (0..5).map(|i| t.issuance(&format!("i{i}"), &[i])).collect();
    let first = push(&b.ledger, &t, events.clone());
    assert_eq!(first.next_seq, 6);
    assert!(
        first
            .verdicts
            .iter()
            .all(|v| v.outcome == Outcome::Accepted)
    );
    // The whole batch again (a lost response): the same verdicts, nothing new.
    let again = push(&b.ledger, &t, events.clone());
    assert_eq!(again, first);
    // Out of order: the ledger stops and says where it stands.
    let mut later = t.issuance("i9", &[9]);
    later.seq = 9;
    let response = push(&b.ledger, &t, vec![later]);
    assert!(response.verdicts.is_empty());
    assert_eq!(response.next_seq, 6);
    // A different event under a used sequence: refused loudly.
    let mut forged = events[2].clone();
    forged.event_id = uuid::Uuid::now_v7().to_string();
    let response = push(&b.ledger, &t, vec![forged]);
    assert!(
        matches!(&response.verdicts[0].outcome, Outcome::Rejected { reason, .. } if reason == "sequence_reused")
    );
    assert!(
        b.ledger
            .metrics
            .render()
            .contains("relief_ledger_sequence_conflicts_total 1")
    );
    // Only as itself.
    let other = enroll(&b.ledger, "B", "nh");
    let error = b
        .ledger
        .push(
            &other.row,
            &PushRequest {
                terminal_id: t.row.id.clone(),
                events: vec![],
            },
        )
        .unwrap_err();
    assert!(matches!(error, relief_ledger::ServiceError::Forbidden(_)));
}

fn bad_events_are_rejected_with_a_reason<S: Storage>(b: Backend<S>) {
    let mut t = enroll(&b.ledger, "A", "center");
    let mut event = t.issuance("i1", &[1]);
    if let EventBody::Issuance(p) = &mut event.body {
        p.total_krw += 1;
    }
    let wrong_site = {
        let mut e = t.issuance("i2", &[2]);
        if let EventBody::Issuance(p) = &mut e.body {
            p.site_code = "elsewhere".into();
        }
        e
    };
    let unknown_void = t.void("never-issued");
    let response = push(&b.ledger, &t, vec![event, wrong_site, unknown_void]);
    let reasons: Vec<_> = response
        .verdicts
        .iter()
        .map(|v| match &v.outcome {
            Outcome::Rejected { reason, .. } => reason.as_str(),
            _ => "?",
        })
        .collect();
    assert_eq!(
        reasons,
        ["amounts_inconsistent", "wrong_site", "unknown_issuance"]
    );
    assert_eq!(
        response.next_seq, 4,
        "rejected events still use up their sequence numbers"
    );
    // Nothing of them stands: the people may be paid.
    assert!(matches!(
        t.claim(&b.ledger, &visit(), &[1])[0],
        ClaimResult::Granted { .. }
    ));
}

fn amounts_that_would_wrap_around_are_rejected<S: Storage>(b: Backend<S>) {
    let mut t = enroll(&b.ledger, "A", "center");
    let mut event = t.issuance("wrap", &[1, 2]);
    if let EventBody::Issuance(p) = &mut event.body {
        // u64::MAX + 2 wraps to 1 where sums are not checked.
        p.beneficiaries[0].shares_krw = [("province".to_owned(), u64::MAX)].into();
        p.beneficiaries[1].shares_krw = [("province".to_owned(), 2)].into();
        p.total_krw = 1;
        p.cards[0].amount_krw = 1;
    }
    let verdict = push(&b.ledger, &t, vec![event]).verdicts.remove(0).outcome;
    assert!(
        matches!(&verdict, Outcome::Rejected { reason, .. } if reason == "amounts_inconsistent"),
        "{verdict:?}"
    );
    let mut zero = t.issuance("zero", &[3]);
    if let EventBody::Issuance(p) = &mut zero.body {
        p.beneficiaries[0].shares_krw = [("province".to_owned(), 0)].into();
        p.total_krw = 0;
        p.cards[0].amount_krw = 0;
    }
    let verdict = push(&b.ledger, &t, vec![zero]).verdicts.remove(0).outcome;
    assert!(matches!(&verdict, Outcome::Rejected { .. }), "{verdict:?}");
}

fn two_offline_terminals_make_one_conflict_both_see<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let mut c = enroll(&b.ledger, "C", "nh");
    let on_a = a.issuance("on-a", &[5]);
    let on_c = c.issuance("on-c", &[5]);
    assert_eq!(
        push(&b.ledger, &a, vec![on_a]).verdicts[0].outcome,
        Outcome::Accepted
    );
    let verdict = push(&b.ledger, &c, vec![on_c]).verdicts.remove(0).outcome;
    let Outcome::Duplicate {
        conflict_id,
        standing_issuance,
        first,
        ..
    } = verdict
    else {
        panic!("{verdict:?}");
    };
    assert_eq!(standing_issuance.as_deref(), Some("on-a"));
    assert_eq!(first.site, "A 창구");
    for t in [&a, &c] {
        let page = b.ledger.pull(&t.row, FeedCursor::START, 100, None).unwrap();
        assert_eq!(page.conflicts.len(), 1, "terminal {}", t.row.site_code);
        assert_eq!(page.conflicts[0].id, conflict_id);
        assert_eq!(page.conflicts[0].status, ConflictStatus::Open);
        assert_eq!(
            page.conflicts[0].standing.issuance_id.as_deref(),
            Some("on-a")
        );
    }
    // A third terminal sees nothing of it.
    let other = enroll(&b.ledger, "D", "center");
    assert!(
        b.ledger
            .pull(&other.row, FeedCursor::START, 100, None)
            .unwrap()
            .conflicts
            .is_empty()
    );

    // C's supervisor recovers the card: C's void closes the conflict; A stands.
    let void = c.void("on-c");
    assert_eq!(
        push(&b.ledger, &c, vec![void]).verdicts[0].outcome,
        Outcome::Accepted
    );
    let page = b.ledger.pull(&a.row, FeedCursor::START, 100, None).unwrap();
    assert_eq!(page.conflicts[0].status, ConflictStatus::ResolvedByVoid);
    // What closed it says why: the void's reason.
    assert_eq!(page.conflicts[0].note.as_deref(), Some("착오"));
    assert!(matches!(
        other.claim(&b.ledger, &visit(), &[5])[0],
        ClaimResult::AlreadyPaid { .. }
    ));
}

fn voiding_the_standing_payment_promotes_the_other_and_accepting_closes<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let mut c = enroll(&b.ledger, "C", "nh");
    let (ea, ec) = (a.issuance("a1", &[3, 4]), c.issuance("c1", &[3]));
    push(&b.ledger, &a, vec![ea]);
    push(&b.ledger, &c, vec![ec]);
    let void = a.void("a1");
    push(&b.ledger, &a, vec![void]);
    // 3 is C's now (promoted); 4 is free.
    let observer = enroll(&b.ledger, "D", "center");
    match observer.claim(&b.ledger, &visit(), &[3]).remove(0) {
        ClaimResult::AlreadyPaid { paid, .. } => assert_eq!(paid.site, "C 창구"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        observer.claim(&b.ledger, &visit(), &[4])[0],
        ClaimResult::Granted { .. }
    ));
    // A deny-list built from the feed says the same.
    let deny = deny_list(&b.ledger, &observer);
    assert_eq!(
        deny.get(&a.key(3).to_hex()).map(String::as_str),
        Some("C 창구")
    );
    assert_eq!(deny.get(&a.key(4).to_hex()), None);

    // Another conflict, accepted with a note by one side.
    let (e1, e2) = (a.issuance("a2", &[8]), c.issuance("c2", &[8]));
    push(&b.ledger, &a, vec![e1]);
    let Outcome::Duplicate { conflict_id, .. } =
        push(&b.ledger, &c, vec![e2]).verdicts.remove(0).outcome
    else {
        panic!("expected a conflict");
    };
    let accept = c.event(EventBody::Resolution(ResolutionPayload {
        resolution_id: "r1".into(),
        conflict_id: conflict_id.clone(),
        resolution: Resolution::Accepted,
        note: "동명이인 확인, 각각 지급".into(),
        resolved_by: "S001".into(),
        resolved_at: TestClock::start(),
    }));
    assert_eq!(
        push(&b.ledger, &c, vec![accept]).verdicts[0].outcome,
        Outcome::Accepted
    );
    let view = b
        .ledger
        .pull(&a.row, FeedCursor::START, 1000, None)
        .unwrap()
        .conflicts
        .into_iter()
        .find(|v| v.id == conflict_id)
        .unwrap();
    assert_eq!(view.status, ConflictStatus::Accepted);
    assert!(view.note.unwrap().contains("동명이인"));
}

fn pull_pages_deny_list_changes_of_the_terminals_sigungu<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let reader = enroll(&b.ledger, "R", "nh");
    let events: Vec<_> = (0..25)
        .map(|i| a.issuance(&format!("p{i}"), &[100 + i]))
        .collect();
    push(&b.ledger, &a, events);
    // The payer does not get its own payments back.
    assert!(
        b.ledger
            .pull(&a.row, FeedCursor::START, 100, Some("2020.1"))
            .unwrap()
            .deny
            .is_empty()
    );
    let mut cursor = FeedCursor::START;
    let mut keys = Vec::new();
    let mut pages = 0;
    loop {
        let page = b
            .ledger
            .pull(&reader.row, cursor, 10, Some("2020.1"))
            .unwrap();
        assert!(page.policy.is_none(), "the terminal's policy is current");
        pages += 1;
        keys.extend(page.deny.iter().map(|d| match d {
            DenyChange::Paid { key, .. } => key.clone(),
            DenyChange::Released { key } => key.clone(),
        }));
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(keys.len(), 25);
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 25);
    // Nothing new: an empty page at the same cursor.
    let page = b
        .ledger
        .pull(&reader.row, cursor, 10, Some("2020.1"))
        .unwrap();
    assert!(page.deny.is_empty() && !page.more);
    assert_eq!(page.next_cursor, cursor);
    assert!(b.ledger.pull(&reader.row, cursor, 0, None).is_err());
    assert!(b.ledger.pull(&reader.row, cursor, 1_000_000, None).is_err());
    // A cursor the feed does not hold (the ledger went back to an older
    // copy): the terminal starts over, and is told so.
    let unknown = FeedCursor {
        id: cursor.id,
        check: cursor.check ^ 1,
    };
    let page = b.ledger.pull(&reader.row, unknown, 100, None).unwrap();
    assert!(page.reset);
    assert_eq!(page.deny.len(), 25);
    assert!(!b.ledger.pull(&reader.row, cursor, 100, None).unwrap().reset);
    // An older policy version is answered with the current one.
    assert!(
        b.ledger
            .pull(&reader.row, cursor, 10, Some("2019.0"))
            .unwrap()
            .policy
            .is_some()
    );
}

fn a_new_policy_version_reaches_terminals_signed<S: Storage>(b: Backend<S>) {
    let t = enroll(&b.ledger, "A", "center");
    let toml = relief_core::policy::builtin::GYEONGGI_2020
        .replace("version = \"2020.1\"", "version = \"2020.2\"");
    b.ledger.publish_policy(&toml).unwrap();
    assert!(
        b.ledger.publish_policy(&toml).is_err(),
        "the same version twice"
    );
    let page = b
        .ledger
        .pull(&t.row, FeedCursor::START, 10, Some("2020.1"))
        .unwrap();
    let policy = page.policy.unwrap();
    assert_eq!(policy.version, "2020.2");
    policy.verify(&b.ledger.ledger_key()).unwrap();
}

fn online_payments_are_imported_as_keys_only<S: Storage>(b: Backend<S>) {
    let mut t = enroll(&b.ledger, "A", "center");
    // Person 20 was paid at the counter first.
    let event = t.issuance("counter", &[20]);
    push(&b.ledger, &t, vec![event]);
    let mut csv = String::from("rrn,sigungu,amount_krw,paid_at,issuer\n");
    for n in [20u32, 21, 22] {
        csv.push_str(&format!(
            "{},41110,100000,2020-04-10T10:00:00,경기지역화폐\n",
            &*person_number(n)
        ));
    }
    csv.push_str("12345,41110,100000,2020-04-10T10:00:00,경기지역화폐\n");
    csv.push_str(&format!(
        "{},11110,100000,2020-04-10T10:00:00,경기지역화폐\n",
        &*person_number(23)
    ));
    let report = b.ledger.import_online(CAMPAIGN, csv.as_bytes()).unwrap();
    // Three new payments, one of them a conflict with the counter's.
    assert_eq!((report.rows, report.imported, report.conflicts), (5, 3, 1));
    assert_eq!(report.invalid.len(), 2);
    assert!(report.invalid.iter().all(|(_, why)| !why.contains("12345")));
    // The same file again: no second conflict in the supervisor's queue.
    let again = b.ledger.import_online(CAMPAIGN, csv.as_bytes()).unwrap();
    assert_eq!(
        (again.rows, again.imported, again.repeated, again.conflicts),
        (5, 0, 3, 0)
    );
    // The counter is told of the conflict; others are refused.
    let page = b.ledger.pull(&t.row, FeedCursor::START, 100, None).unwrap();
    assert_eq!(page.conflicts.len(), 1);
    assert_eq!(page.conflicts[0].other.paid.channel, Channel::Online);
    match t.claim(&b.ledger, &visit(), &[21]).remove(0) {
        ClaimResult::AlreadyPaid { paid, .. } => assert_eq!(paid.channel, Channel::Online),
        other => panic!("{other:?}"),
    }
}

fn a_bad_row_is_reported_on_its_line_and_the_rest_imported<S: Storage>(b: Backend<S>) {
    let mut csv = String::from("rrn,sigungu,amount_krw,paid_at,issuer\n");
    csv.push_str(&format!(
        "{},41110,100000,2020-04-10T10:00:00,경기지역화폐\n",
        &*person_number(40)
    ));
    csv.push_str(&format!("{},41110\n", &*person_number(43)));
    csv.push_str(&format!(
        "{},41110,100000,2020-04-10T10:00:00,경기지역화폐,덤\n",
        &*person_number(42)
    ));
    csv.push_str(&format!(
        "{},41110,100000,2020-04-10T10:00:00,경기지역화폐\n",
        &*person_number(41)
    ));
    // Columns out of order: an identity number where the 시군 belongs.
    csv.push_str(&format!(
        "{},{},100000,2020-04-10T10:00:00,경기지역화폐\n",
        &*person_number(44),
        &*person_number(45)
    ));
    let report = b.ledger.import_online(CAMPAIGN, csv.as_bytes()).unwrap();
    assert_eq!((report.rows, report.imported), (5, 2));
    let lines: Vec<u64> = report.invalid.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [3, 4, 6]);
    assert!(
        report.invalid[..2]
            .iter()
            .all(|(_, why)| why.contains("열이"))
    );
    assert!(report.invalid[2].1.contains("시군 코드"));
    for n in [43, 44, 45] {
        let number = person_number(n);
        assert!(
            report
                .invalid
                .iter()
                .all(|(_, why)| !why.contains(&**number) && !why.contains(&number[..6])),
            "a reason repeats (part of) the number"
        );
    }
    // Which campaign is always said, and one that is not there is refused.
    assert!(b.ledger.import_online("nowhere", csv.as_bytes()).is_err());
}

fn two_online_payments_for_one_person_are_a_conflict<S: Storage>(b: Backend<S>) {
    let t = enroll(&b.ledger, "A", "center");
    let mut csv = String::from("rrn,sigungu,amount_krw,paid_at,issuer\n");
    for (issuer, at) in [
        ("카드사A", "2020-04-10T10:00:00"),
        ("카드사B", "2020-04-11T09:00:00"),
    ] {
        csv.push_str(&format!(
            "{},41110,100000,{at},{issuer}\n",
            &*person_number(50)
        ));
    }
    let report = b.ledger.import_online(CAMPAIGN, csv.as_bytes()).unwrap();
    assert_eq!((report.imported, report.conflicts), (2, 1));
    // The same file again: nothing new, not even a second conflict.
    let again = b.ledger.import_online(CAMPAIGN, csv.as_bytes()).unwrap();
    assert_eq!((again.imported, again.repeated, again.conflicts), (0, 2, 0));
    let state = b
        .ledger
        .storage()
        .read(|db| {
            db.query(
                "SELECT state FROM entitlement WHERE beneficiary_key = $1",
                &[t.key(50).as_bytes().as_slice().into()],
            )
        })
        .unwrap();
    assert_eq!(state[0].text("state").unwrap(), "in_conflict");
    let conflicts = b
        .ledger
        .storage()
        .read(|db| db.query("SELECT status FROM conflict", &[]))
        .unwrap();
    assert_eq!(conflicts.len(), 1);
}

fn online_csv(people: impl IntoIterator<Item = u32>) -> String {
    let mut csv = String::from("rrn,sigungu,amount_krw,paid_at,issuer\n");
    for n in people {
        csv.push_str(&format!(
            "{},41110,100000,2020-04-10T10:00:00,경기지역화폐\n",
            &*person_number(n)
        ));
    }
    csv
}

fn an_online_payment_takes_the_place_of_a_claim<S: Storage>(b: Backend<S>) {
    let mut t = enroll(&b.ledger, "A", "center");
    let reader = enroll(&b.ledger, "B", "nh");
    // The counter is serving person 30 when the card company's file comes.
    let serving = visit();
    assert!(matches!(
        t.claim(&b.ledger, &serving, &[30])[0],
        ClaimResult::Granted { .. }
    ));
    let report = b
        .ledger
        .import_online(CAMPAIGN, online_csv([30, 31]).as_bytes())
        .unwrap();
    assert_eq!((report.imported, report.conflicts), (2, 0));
    // The visitor leaves; the payment stays on record and in the feed.
    let ended = t.end_visit(&serving);
    push(&b.ledger, &t, vec![ended]);
    assert_eq!(pull_everything(&b.ledger, &reader, FeedCursor::START).0, 2);
    // Had the counter handed a card over, its issuance is the conflict.
    let event = t.issuance("counter", &[30]);
    let verdict = &push(&b.ledger, &t, vec![event]).verdicts[0];
    assert!(
        matches!(verdict.outcome, Outcome::Duplicate { .. }),
        "{verdict:?}"
    );
}

fn a_large_import_pays_each_person_once_however_often_named<S: Storage>(b: Backend<S>) {
    let mut t = enroll(&b.ledger, "A", "center");
    // People 1000 and 2100 were paid at the counter first.
    let event = t.issuance("counter", &[1000, 2100]);
    push(&b.ledger, &t, vec![event]);
    let reader = enroll(&b.ledger, "B", "nh");
    let (_, mut cursor) = pull_everything(&b.ledger, &reader, FeedCursor::START);

    // Many rounds of rows; persons 7 and 1,030 named again in a later
    // round, 7 twice in it; person 3,000 new and named twice in one round.
    let people: Vec<u32> = (0..2_500).chain([7, 3_000, 3_000, 1_030, 7]).collect();
    let report = b
        .ledger
        .import_online(CAMPAIGN, online_csv(people).as_bytes())
        .unwrap();
    assert_eq!(
        (
            report.rows,
            report.imported,
            report.repeated,
            report.conflicts
        ),
        (2_505, 2_501, 4, 2)
    );
    assert!(report.invalid.is_empty(), "{:?}", report.invalid);
    let (changes, next) = pull_everything(&b.ledger, &reader, cursor);
    // Each new person once; the two paid at the counter are told again,
    // the online payment first and the counter's, which stands, last.
    assert_eq!(changes, 2_499 + 2 * 2);
    let deny = deny_list(&b.ledger, &reader);
    assert_eq!(
        deny.get(&t.key(1000).to_hex()).map(String::as_str),
        Some("A 창구")
    );
    cursor = next;

    // The card company sends part of it again, person 2,100 among them:
    // nothing new, not even a second conflict.
    let again = b
        .ledger
        .import_online(CAMPAIGN, online_csv(2_080..2_120).as_bytes())
        .unwrap();
    assert_eq!((again.rows, again.imported, again.conflicts), (40, 0, 0));
    assert_eq!(pull_everything(&b.ledger, &reader, cursor).0, 0);
    let counted = b
        .ledger
        .storage()
        .transaction(|db| {
            db.query(
                "SELECT count(*) AS payments, count(DISTINCT beneficiary_key) AS people FROM payment WHERE channel = 'online'",
                &[],
            )
        })
        .unwrap();
    assert_eq!(
        (
            counted[0].int("payments").unwrap(),
            counted[0].int("people").unwrap()
        ),
        (2_501, 2_501)
    );
    let page = b
        .ledger
        .pull(&t.row, FeedCursor::START, 10_000, None)
        .unwrap();
    assert_eq!(page.conflicts.len(), 2, "the counter hears of both");
}

/// Every deny-list change after `cursor`, in pages of 1,000: how many,
/// and the cursor after them.
fn pull_everything<S: Storage>(
    ledger: &Ledger<S>,
    t: &Terminal,
    mut cursor: FeedCursor,
) -> (usize, FeedCursor) {
    let mut changes = 0;
    loop {
        let page = ledger.pull(&t.row, cursor, 1_000, None).unwrap();
        changes += page.deny.len();
        cursor = page.next_cursor;
        if !page.more {
            return (changes, cursor);
        }
    }
}

/// What a terminal's deny-list holds once it has applied the whole feed:
/// key to the site named.
fn deny_list<S: Storage>(
    ledger: &Ledger<S>,
    t: &Terminal,
) -> std::collections::HashMap<String, String> {
    let mut deny = std::collections::HashMap::new();
    let page = ledger
        .pull(&t.row, FeedCursor::START, 50_000, None)
        .unwrap();
    assert!(!page.more);
    for change in page.deny {
        match change {
            DenyChange::Paid { key, paid } => {
                deny.insert(key, paid.site);
            }
            DenyChange::Released { key } => {
                deny.remove(&key);
            }
        }
    }
    deny
}

fn the_day_summary_adds_up<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let mut c = enroll(&b.ledger, "C", "nh");
    let events = vec![a.issuance("s1", &[1, 2]), a.issuance("s2", &[3])];
    push(&b.ledger, &a, events);
    let event = c.issuance("s3", &[3]);
    push(&b.ledger, &c, vec![event]);
    let void = a.void("s2");
    push(&b.ledger, &a, vec![void]);
    let summary = b
        .ledger
        .day_summary(None, TestClock::start().date())
        .unwrap();
    assert_eq!(summary.sites.len(), 2);
    let a_day = summary.sites.iter().find(|s| s.site_code == "A").unwrap();
    assert_eq!(
        (
            a_day.issuances,
            a_day.beneficiaries,
            a_day.amount_krw,
            a_day.voided,
            a_day.offline
        ),
        (2, 3, 300_000, 1, 2)
    );
    let c_day = summary.sites.iter().find(|s| s.site_code == "C").unwrap();
    assert_eq!((c_day.issuances, c_day.conflicts), (1, 1));
    let report = summary.to_report("경기도 재난기본소득", TestClock::start());
    let suwon = report.by_sigungu();
    assert_eq!(suwon.len(), 1);
    assert_eq!(
        (
            suwon[0].sigungu_name.as_str(),
            suwon[0].issuances,
            suwon[0].amount
        ),
        ("수원시", 3, 400_000)
    );
    assert_eq!(report.total().conflicts, 1);
}

fn simultaneous_batches_for_one_person_make_one_conflict<S: Storage>(b: Backend<S>) {
    let ledger = Arc::new(b.ledger);
    // Rounds, so that on PostgreSQL both batches often pass the batched
    // path's look-up before either writes: the primary key then refuses
    // one, which goes again one event at a time.
    for round in 0..8u32 {
        let base = 1_000 + round * 100;
        let batches: Vec<(Terminal, Vec<relief_protocol::Event>)> = (0..2u32)
            .map(|i| {
                let mut t = enroll(&*ledger, &format!("R{round}-{i}"), "center");
                let events = (1..=21u32)
                    .map(|n| {
                        let person = if n == 11 { base } else { base + 50 * i + n };
                        t.issuance(&format!("r{round}-t{i}-{n}"), &[person])
                    })
                    .collect();
                (t, events)
            })
            .collect();
        let barrier = Arc::new(std::sync::Barrier::new(2));
        let handles: Vec<_> = batches
            .into_iter()
            .map(|(t, events)| {
                let (ledger, barrier) = (ledger.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    let answer = push(&*ledger, &t, events);
                    (t, answer)
                })
            })
            .collect();
        let answers: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let mut duplicates = 0;
        for (t, answer) in &answers {
            assert_eq!(answer.verdicts.len(), 21);
            assert_eq!(answer.next_seq, 22);
            for v in &answer.verdicts {
                match &v.outcome {
                    Outcome::Accepted => {}
                    Outcome::Duplicate { .. } if v.seq == 11 => duplicates += 1,
                    other => panic!("round {round}, seq {}: {other:?}", v.seq),
                }
            }
            let page = ledger.pull(&t.row, FeedCursor::START, 1_000, None).unwrap();
            assert_eq!(page.conflicts.len(), 1, "round {round}");
        }
        assert_eq!(duplicates, 1, "round {round}");
    }
}

fn a_batch_naming_someone_twice_or_reusing_an_id_goes_one_by_one<S: Storage>(b: Backend<S>) {
    let mut t = enroll(&b.ledger, "A", "center");
    let first = t.issuance("twice-1", &[3]);
    let same_person = t.issuance("twice-2", &[3]);
    let same_id = t.issuance("twice-1", &[4]);
    let response = push(&b.ledger, &t, vec![first, same_person, same_id]);
    let outcomes: Vec<&str> = response
        .verdicts
        .iter()
        .map(|v| match &v.outcome {
            Outcome::Accepted => "accepted",
            Outcome::Duplicate { .. } => "duplicate",
            Outcome::Rejected { reason, .. } => reason.as_str(),
        })
        .collect();
    assert_eq!(outcomes, ["accepted", "duplicate", "issuance_id_reused"]);
    assert_eq!(response.next_seq, 4);
    assert_eq!(
        b.ledger
            .pull(&t.row, FeedCursor::START, 100, None)
            .unwrap()
            .conflicts
            .len(),
        1
    );
}

fn feed_rows_become_visible_in_id_order<S: Storage>(b: Backend<S>) {
    use relief_ledger::StorageError;
    use relief_ledger::storage::queries;
    use std::time::{Duration, Instant};
    // A transaction that has written to the feed holds back the others
    // until it commits. Otherwise a terminal could read a later id while
    // an earlier one is still uncommitted, and its cursor would skip it.
    let ledger = Arc::new(b.ledger);
    let (wrote, written) = std::sync::mpsc::channel();
    let first = {
        let ledger = ledger.clone();
        std::thread::spawn(move || {
            ledger
                .storage()
                .transaction(|db| {
                    let mut feed = queries::FeedRows::default();
                    feed.released("gyeonggi-2020", "41110", &[1; 32]);
                    feed.flush(db, "2020-05-18T09:00:00")?;
                    wrote.send(()).unwrap();
                    std::thread::sleep(Duration::from_millis(400));
                    Ok::<_, StorageError>(())
                })
                .unwrap()
        })
    };
    written.recv().unwrap();
    let started = Instant::now();
    ledger
        .storage()
        .transaction(|db| {
            let mut feed = queries::FeedRows::default();
            feed.released("gyeonggi-2020", "41110", &[2; 32]);
            feed.flush(db, "2020-05-18T09:00:00")
        })
        .unwrap();
    let waited = started.elapsed();
    first.join().unwrap();
    assert!(
        waited >= Duration::from_millis(300),
        "the second feed writer committed after {waited:?}, before the first"
    );
    let rows = ledger
        .storage()
        .transaction(|db| {
            db.query(
                "SELECT beneficiary_key FROM feed WHERE kind = 'released' ORDER BY id",
                &[],
            )
        })
        .unwrap();
    let keys: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| r.bytes("beneficiary_key").unwrap())
        .collect();
    assert_eq!(keys, vec![vec![1u8; 32], vec![2u8; 32]]);
}

on_both! {
    enrollment_codes_work_once => super::enrollment_codes_work_once;
    simultaneous_claims_have_one_winner => super::simultaneous_claims_have_one_winner;
    claims_hold_until_their_visit_ends_and_payments_answer => super::claims_hold_until_their_visit_ends_and_payments_answer;
    a_visit_ends_only_its_own_terminals_claims => super::a_visit_ends_only_its_own_terminals_claims;
    an_offline_issuance_of_a_visit_ends_it_even_in_a_batch => super::an_offline_issuance_of_a_visit_ends_it_even_in_a_batch;
    a_claim_asks_for_as_many_as_the_protocol_allows_and_no_more => super::a_claim_asks_for_as_many_as_the_protocol_allows_and_no_more;
    a_household_visit_refused_for_one_lets_go_of_the_others => super::a_household_visit_refused_for_one_lets_go_of_the_others;
    amounts_that_would_wrap_around_are_rejected => super::amounts_that_would_wrap_around_are_rejected;
    a_bad_row_is_reported_on_its_line_and_the_rest_imported => super::a_bad_row_is_reported_on_its_line_and_the_rest_imported;
    two_online_payments_for_one_person_are_a_conflict => super::two_online_payments_for_one_person_are_a_conflict;
    push_is_idempotent_on_terminal_and_sequence => super::push_is_idempotent_on_terminal_and_sequence;
    bad_events_are_rejected_with_a_reason => super::bad_events_are_rejected_with_a_reason;
    two_offline_terminals_make_one_conflict_both_see => super::two_offline_terminals_make_one_conflict_both_see;
    voiding_the_standing_payment_promotes_the_other_and_accepting_closes => super::voiding_the_standing_payment_promotes_the_other_and_accepting_closes;
    pull_pages_deny_list_changes_of_the_terminals_sigungu => super::pull_pages_deny_list_changes_of_the_terminals_sigungu;
    a_new_policy_version_reaches_terminals_signed => super::a_new_policy_version_reaches_terminals_signed;
    online_payments_are_imported_as_keys_only => super::online_payments_are_imported_as_keys_only;
    a_large_import_pays_each_person_once_however_often_named => super::a_large_import_pays_each_person_once_however_often_named;
    an_online_payment_takes_the_place_of_a_claim => super::an_online_payment_takes_the_place_of_a_claim;
    the_day_summary_adds_up => super::the_day_summary_adds_up;
    simultaneous_batches_for_one_person_make_one_conflict => super::simultaneous_batches_for_one_person_make_one_conflict;
    feed_rows_become_visible_in_id_order => super::feed_rows_become_visible_in_id_order;
    a_batch_naming_someone_twice_or_reusing_an_id_goes_one_by_one => super::a_batch_naming_someone_twice_or_reusing_an_id_goes_one_by_one;
}
