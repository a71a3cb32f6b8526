//! A card carries money only once the ledger says so: each card's
//! activation follows its issuance's state, the card issuer is told what
//! to load and what to block, and its confirmations are checked. On
//! SQLite and PostgreSQL alike.

mod common;

use std::collections::BTreeMap;

use common::*;
use relief_ledger::service::Role;
use relief_ledger::{Ledger, Storage};
use relief_protocol::{
    Ack, AckOutcome, AckRequest, CardActivation, CardLoaded, Event, EventBody, FeedCursor,
    Instruction, IssuerAction, MAX_ACTIVATION_LIMIT, Outcome,
};

/// Everything the issuer is still to do, read page by page.
fn to_do<S: Storage>(ledger: &Ledger<S>) -> BTreeMap<String, Instruction> {
    let mut all = BTreeMap::new();
    let mut cursor = 0;
    loop {
        let page = ledger.activations(cursor, 2).unwrap();
        for i in page.instructions {
            assert!(i.id > cursor, "an instruction before the cursor");
            assert!(
                all.insert(i.serial.clone(), i).is_none(),
                "a card listed twice"
            );
        }
        assert!(page.next_cursor >= cursor);
        cursor = page.next_cursor;
        if !page.more {
            return all;
        }
    }
}

fn ack<S: Storage>(
    ledger: &Ledger<S>,
    serial: &str,
    action: IssuerAction,
    amount: Option<u64>,
) -> AckOutcome {
    let mut results = ledger
        .acknowledge(&AckRequest {
            acks: vec![Ack {
                serial: serial.into(),
                action,
                amount_krw: amount,
            }],
        })
        .unwrap()
        .results;
    assert_eq!(results.len(), 1);
    results.remove(0).outcome
}

fn refusal(outcome: AckOutcome) -> String {
    match outcome {
        AckOutcome::Refused { reason, .. } => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// What a terminal was last told of each of its cards.
fn cards_of<S: Storage>(ledger: &Ledger<S>, t: &Terminal) -> BTreeMap<String, CardActivation> {
    let mut seen = BTreeMap::new();
    let mut cursor = FeedCursor::START;
    loop {
        let page = ledger.pull(&t.row, cursor, 1000, None).unwrap();
        for c in page.cards {
            seen.insert(c.serial, c.activation);
        }
        cursor = page.next_cursor;
        if !page.more {
            return seen;
        }
    }
}

fn conflict_of(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Duplicate { conflict_id, .. } => conflict_id.clone(),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn two_offline_payments_leave_one_card_to_activate_and_hold_the_other<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let mut c = enroll(&b.ledger, "C", "nh");
    let (ea, ec) = (a.issuance("a1", &[3]), c.issuance("c1", &[3]));
    assert_eq!(outcomes(&b.ledger, &a, vec![ea]), vec![Outcome::Accepted]);
    conflict_of(&outcomes(&b.ledger, &c, vec![ec])[0]);

    let listed = to_do(&b.ledger);
    assert_eq!(listed.keys().collect::<Vec<_>>(), vec!["a1-card"]);
    let first = &listed["a1-card"];
    assert_eq!(first.action, IssuerAction::Activate);
    assert_eq!(first.amount_krw, Some(100_000));
    assert_eq!(first.face_value_krw, Some(500_000));
    assert_eq!(
        cards_of(&b.ledger, &a)["a1-card"],
        CardActivation::ToActivate
    );
    assert_eq!(cards_of(&b.ledger, &c)["c1-card"], CardActivation::Held);
    // The held card cannot be activated, however asked.
    assert_eq!(
        refusal(ack(
            &b.ledger,
            "c1-card",
            IssuerAction::Activate,
            Some(100_000)
        )),
        "not_to_activate"
    );

    // The issuer activates the first; again changes nothing.
    assert_eq!(
        ack(&b.ledger, "a1-card", IssuerAction::Activate, Some(100_000)),
        AckOutcome::Recorded
    );
    assert_eq!(
        ack(&b.ledger, "a1-card", IssuerAction::Activate, Some(100_000)),
        AckOutcome::Already
    );
    assert!(to_do(&b.ledger).is_empty());
    assert_eq!(cards_of(&b.ledger, &a)["a1-card"], CardActivation::Active);

    // C's supervisor voids the second: its card is blocked for good.
    {
        let e = c.void("c1");
        outcomes(&b.ledger, &c, vec![e])
    };
    let listed = to_do(&b.ledger);
    assert_eq!(listed["c1-card"].action, IssuerAction::Block);
    assert_eq!(listed["c1-card"].amount_krw, None);
    assert_eq!(cards_of(&b.ledger, &c)["c1-card"], CardActivation::Blocked);
    assert_eq!(
        refusal(ack(
            &b.ledger,
            "c1-card",
            IssuerAction::Activate,
            Some(100_000)
        )),
        "not_to_activate"
    );
    assert_eq!(
        ack(&b.ledger, "c1-card", IssuerAction::Block, None),
        AckOutcome::Recorded
    );
    assert_eq!(
        ack(&b.ledger, "c1-card", IssuerAction::Block, None),
        AckOutcome::Already
    );
    assert!(to_do(&b.ledger).is_empty());
}

fn an_accepted_conflict_activates_both<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let mut c = enroll(&b.ledger, "C", "nh");
    let (ea, ec) = (a.issuance("a2", &[8]), c.issuance("c2", &[8]));
    outcomes(&b.ledger, &a, vec![ea]);
    let conflict = conflict_of(&outcomes(&b.ledger, &c, vec![ec])[0]);
    assert!(!to_do(&b.ledger).contains_key("c2-card"));
    let accept = c.accept(&conflict);
    assert_eq!(
        outcomes(&b.ledger, &c, vec![accept]),
        vec![Outcome::Accepted]
    );
    let listed = to_do(&b.ledger);
    assert_eq!(
        listed.keys().collect::<Vec<_>>(),
        vec!["a2-card", "c2-card"]
    );
    assert!(listed.values().all(|i| i.action == IssuerAction::Activate));
    assert_eq!(
        cards_of(&b.ledger, &c)["c2-card"],
        CardActivation::ToActivate
    );
}

fn voiding_the_standing_payment_releases_the_held_card_and_blocks_its_own<S: Storage>(
    b: Backend<S>,
) {
    let mut a = enroll(&b.ledger, "A", "center");
    let mut c = enroll(&b.ledger, "C", "nh");
    // A household: a3 pays 10 and 11; c3 pays 11 alone, later.
    let (ea, ec) = (a.issuance("a3", &[10, 11]), c.issuance("c3", &[11]));
    outcomes(&b.ledger, &a, vec![ea]);
    conflict_of(&outcomes(&b.ledger, &c, vec![ec])[0]);
    assert_eq!(
        ack(&b.ledger, "a3-card", IssuerAction::Activate, Some(200_000)),
        AckOutcome::Recorded
    );
    {
        let e = a.void("a3");
        outcomes(&b.ledger, &a, vec![e])
    };
    let listed = to_do(&b.ledger);
    assert_eq!(listed["a3-card"].action, IssuerAction::Block);
    assert_eq!(listed["c3-card"].action, IssuerAction::Activate);
    assert_eq!(cards_of(&b.ledger, &a)["a3-card"], CardActivation::Blocked);
    assert_eq!(
        cards_of(&b.ledger, &c)["c3-card"],
        CardActivation::ToActivate
    );

    // A household issuance is held while any of its people is paid first
    // elsewhere.
    let (ec, ea) = (c.issuance("c4", &[21]), a.issuance("a4", &[20, 21]));
    outcomes(&b.ledger, &c, vec![ec]);
    conflict_of(&outcomes(&b.ledger, &a, vec![ea])[0]);
    assert_eq!(cards_of(&b.ledger, &a)["a4-card"], CardActivation::Held);
    assert!(!to_do(&b.ledger).contains_key("a4-card"));

    // Voided before the issuer confirmed its activation: the block takes
    // the activation's place (listed once), and the activation is refused.
    let e = a.issuance("a5", &[30]);
    outcomes(&b.ledger, &a, vec![e]);
    assert_eq!(to_do(&b.ledger)["a5-card"].action, IssuerAction::Activate);
    {
        let e = a.void("a5");
        outcomes(&b.ledger, &a, vec![e])
    };
    assert_eq!(to_do(&b.ledger)["a5-card"].action, IssuerAction::Block);
    assert_eq!(
        refusal(ack(
            &b.ledger,
            "a5-card",
            IssuerAction::Activate,
            Some(100_000)
        )),
        "not_to_activate"
    );
    assert_eq!(
        ack(&b.ledger, "a5-card", IssuerAction::Block, None),
        AckOutcome::Recorded
    );
    assert!(!to_do(&b.ledger).contains_key("a5-card"));
}

fn the_issuer_is_refused_what_the_ledger_does_not_say<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let e = a.issuance("a5", &[30]);
    outcomes(&b.ledger, &a, vec![e]);
    assert_eq!(
        refusal(ack(
            &b.ledger,
            "GG-9999",
            IssuerAction::Activate,
            Some(100_000)
        )),
        "unknown_card"
    );
    assert_eq!(
        refusal(ack(
            &b.ledger,
            "a5-card",
            IssuerAction::Activate,
            Some(90_000)
        )),
        "amount_mismatch"
    );
    assert_eq!(
        refusal(ack(&b.ledger, "a5-card", IssuerAction::Activate, None)),
        "amount_mismatch"
    );
    assert_eq!(
        refusal(ack(
            &b.ledger,
            "a5-card",
            IssuerAction::Activate,
            Some(600_000)
        )),
        "over_face_value"
    );
    assert_eq!(
        refusal(ack(&b.ledger, "a5-card", IssuerAction::Block, None)),
        "not_to_block"
    );
    // Nothing of that changed the card.
    assert_eq!(to_do(&b.ledger)["a5-card"].action, IssuerAction::Activate);
    // A batch: each on its own merits.
    let results = b
        .ledger
        .acknowledge(&AckRequest {
            acks: vec![
                Ack {
                    serial: "nope".into(),
                    action: IssuerAction::Activate,
                    amount_krw: Some(1),
                },
                Ack {
                    serial: "a5-card".into(),
                    action: IssuerAction::Activate,
                    amount_krw: Some(100_000),
                },
            ],
        })
        .unwrap()
        .results;
    assert!(matches!(results[0].outcome, AckOutcome::Refused { .. }));
    assert_eq!(results[1].outcome, AckOutcome::Recorded);
    assert!(b.ledger.acknowledge(&AckRequest { acks: vec![] }).is_err());

    // An issuance loading a card above its face value is not recorded.
    let mut over = a.issuance("a6", &[31]);
    if let EventBody::Issuance(p) = &mut over.body {
        p.cards[0].face_value_krw = Some(50_000);
    }
    match &outcomes(&b.ledger, &a, vec![over])[0] {
        Outcome::Rejected { reason, .. } => assert_eq!(reason, "card_face_value_exceeded"),
        other => panic!("{other:?}"),
    }
}

fn a_serial_handed_over_twice_is_blocked<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let mut c = enroll(&b.ledger, "C", "nh");
    let e = a.issuance("a7", &[40]);
    outcomes(&b.ledger, &a, vec![e]);
    let mut again = c.issuance("c7", &[41]);
    if let EventBody::Issuance(p) = &mut again.body {
        p.cards = vec![CardLoaded {
            serial: "a7-card".into(),
            amount_krw: 100_000,
            face_value_krw: Some(500_000),
        }];
    }
    // Recorded (the person was paid), and the card blocked.
    assert_eq!(
        outcomes(&b.ledger, &c, vec![again]),
        vec![Outcome::Accepted]
    );
    assert_eq!(to_do(&b.ledger)["a7-card"].action, IssuerAction::Block);
    assert_eq!(cards_of(&b.ledger, &a)["a7-card"], CardActivation::Blocked);
    assert_eq!(cards_of(&b.ledger, &c)["a7-card"], CardActivation::Blocked);
}

fn a_batch_of_new_issuances_is_all_to_activate<S: Storage>(b: Backend<S>) {
    let mut a = enroll(&b.ledger, "A", "center");
    let events: Vec<Event> = (0..5)
        .map(|i| a.issuance(&format!("b{i}"), &[50 + i]))
        .collect();
    assert!(
        outcomes(&b.ledger, &a, events)
            .iter()
            .all(|o| *o == Outcome::Accepted)
    );
    let listed = to_do(&b.ledger);
    assert_eq!(listed.len(), 5);
    assert!(
        listed
            .values()
            .all(|i| i.action == IssuerAction::Activate && i.amount_krw == Some(100_000))
    );
    let ids: Vec<u64> = listed.values().map(|i| i.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "each instruction its own place");
    assert_eq!(cards_of(&b.ledger, &a).len(), 5);
    // The day's summary counts them.
    let summary = b
        .ledger
        .day_summary(None, TestClock::start().date())
        .unwrap();
    assert_eq!(summary.cards.to_activate, 5);
    ack(&b.ledger, "b0-card", IssuerAction::Activate, Some(100_000));
    {
        let e = a.void("b1");
        outcomes(&b.ledger, &a, vec![e])
    };
    let summary = b
        .ledger
        .day_summary(None, TestClock::start().date())
        .unwrap();
    assert_eq!(
        (
            summary.cards.to_activate,
            summary.cards.active,
            summary.cards.blocked,
            summary.cards.held
        ),
        (3, 1, 1, 0)
    );
    // The file for issuers who exchange batches says the same as the feed.
    let of_day = b
        .ledger
        .activations_of_day(TestClock::start().date())
        .unwrap();
    assert_eq!(of_day.len(), 4);
}

fn a_card_issuers_token_is_not_an_admins<S: Storage>(b: Backend<S>) {
    let issuer = b.ledger.create_token(Role::CardIssuer).unwrap();
    let admin = b.ledger.create_admin_token().unwrap();
    assert_eq!(b.ledger.role_of(&issuer).unwrap(), Some(Role::CardIssuer));
    assert!(!b.ledger.is_admin(&issuer).unwrap());
    assert!(b.ledger.is_admin(&admin).unwrap());
    assert_eq!(b.ledger.role_of("not a token").unwrap(), None);
}

fn pages_and_confirmations_have_bounds_and_a_short_page_is_the_last<S: Storage>(b: Backend<S>) {
    use relief_ledger::ServiceError;
    let code = |e: ServiceError| match e {
        ServiceError::BadRequest { code, .. } => code,
        other => panic!("{other:?}"),
    };
    for limit in [0, MAX_ACTIVATION_LIMIT + 1] {
        assert_eq!(
            code(b.ledger.activations(0, limit).unwrap_err()),
            "invalid_limit"
        );
    }
    assert!(b.ledger.activations(0, MAX_ACTIVATION_LIMIT).is_ok());
    let many = |n: u32| AckRequest {
        acks: (0..n)
            .map(|i| Ack {
                serial: format!("nope-{i}"),
                action: IssuerAction::Block,
                amount_krw: None,
            })
            .collect(),
    };
    for n in [0, MAX_ACTIVATION_LIMIT + 1] {
        assert_eq!(
            code(b.ledger.acknowledge(&many(n)).unwrap_err()),
            "invalid_limit"
        );
    }
    let answered = b.ledger.acknowledge(&many(MAX_ACTIVATION_LIMIT)).unwrap();
    assert_eq!(answered.results.len(), MAX_ACTIVATION_LIMIT as usize);

    // The last instruction confirmed, the one before it not: a page
    // shorter than asked ends at the feed's head and says no more.
    let mut a = enroll(&b.ledger, "A", "center");
    let (full, last) = (
        a.issuance("a7", &[50, 51, 52, 53, 54]),
        a.issuance("a8", &[55]),
    );
    outcomes(&b.ledger, &a, vec![full, last]);
    assert_eq!(
        ack(&b.ledger, "a8-card", IssuerAction::Activate, Some(100_000)),
        AckOutcome::Recorded
    );
    let page = b.ledger.activations(0, 10).unwrap();
    let listed: Vec<&str> = page
        .instructions
        .iter()
        .map(|i| i.serial.as_str())
        .collect();
    assert_eq!(listed, ["a7-card"]);
    assert!(!page.more);
    assert!(page.next_cursor > page.instructions[0].id, "{page:?}");
    let after = b.ledger.activations(page.next_cursor, 10).unwrap();
    assert!(after.instructions.is_empty() && !after.more);
    // A card filled to its face value (five people on a card of 500,000).
    assert_eq!(
        ack(&b.ledger, "a7-card", IssuerAction::Activate, Some(500_000)),
        AckOutcome::Recorded
    );
}

on_both! {
    pages_and_confirmations_have_bounds_and_a_short_page_is_the_last => super::pages_and_confirmations_have_bounds_and_a_short_page_is_the_last;
    two_offline_payments_leave_one_card_to_activate_and_hold_the_other => super::two_offline_payments_leave_one_card_to_activate_and_hold_the_other;
    an_accepted_conflict_activates_both => super::an_accepted_conflict_activates_both;
    voiding_the_standing_payment_releases_the_held_card_and_blocks_its_own => super::voiding_the_standing_payment_releases_the_held_card_and_blocks_its_own;
    the_issuer_is_refused_what_the_ledger_does_not_say => super::the_issuer_is_refused_what_the_ledger_does_not_say;
    a_serial_handed_over_twice_is_blocked => super::a_serial_handed_over_twice_is_blocked;
    a_batch_of_new_issuances_is_all_to_activate => super::a_batch_of_new_issuances_is_all_to_activate;
    a_card_issuers_token_is_not_an_admins => super::a_card_issuers_token_is_not_an_admins;
}
