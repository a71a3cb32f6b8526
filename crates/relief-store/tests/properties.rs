//! Random sequences of counter operations (receiving, issuing, duplicate
//! attempts, voids by the right and the wrong person, stock adjustments)
//! never break an invariant, every refusal is one the rules predict, and the
//! audit chain always verifies.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use common::*;
use proptest::prelude::*;
use relief_core::Krw;
use relief_store::*;
use rusqlite::Connection;

#[derive(Debug, Clone)]
enum Op {
    Receive {
        count: usize,
    },
    Issue {
        person: u32,
        card: usize,
    },
    Void {
        pick: usize,
        by_supervisor: bool,
        destroy: bool,
    },
    Adjust {
        card: usize,
        adjustment: Adjustment,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (1usize..4).prop_map(|count| Op::Receive { count }),
        5 => (0u32..12, 0usize..260).prop_map(|(person, card)| Op::Issue { person, card }),
        2 => (0usize..50, any::<bool>(), any::<bool>()).prop_map(|(pick, by_supervisor, destroy)| Op::Void { pick, by_supervisor, destroy }),
        1 => (0usize..260, prop_oneof![Just(Adjustment::Damaged), Just(Adjustment::Lost), Just(Adjustment::Found)])
            .prop_map(|(card, adjustment)| Op::Adjust { card, adjustment }),
    ]
}

/// What the store should hold, kept by the test.
#[derive(Default)]
struct Model {
    serials: Vec<String>,
    states: BTreeMap<String, CardState>,
    /// person -> active issuance
    active: BTreeMap<u32, String>,
    issuances: Vec<(String, u32, String)>,
    voided: BTreeSet<String>,
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut t = copy_of_setup();
    let mut model = Model::default();
    for n in 1..=200 {
        let serial = format!("GG-{n:04}");
        model.states.insert(serial.clone(), CardState::InStock);
        model.serials.push(serial);
    }
    let mut now = free_day();
    let mut next_batch = 0;
    let (clerk, supervisor) = (t.clerk.clone(), t.supervisor.clone());
    for op in ops {
        now += Duration::minutes(1);
        match op {
            Op::Receive { count } => {
                let serials: Vec<String> = (0..count)
                    .map(|i| format!("PX-{next_batch:03}-{i}"))
                    .collect();
                next_batch += 1;
                t.store
                    .receive_stock(
                        &supervisor,
                        &SerialSpec::List(serials.clone()),
                        Krw(3_000_000),
                        "",
                        now,
                    )
                    .unwrap();
                for s in serials {
                    model.states.insert(s.clone(), CardState::InStock);
                    model.serials.push(s);
                }
            }
            Op::Issue { person: p, card } => {
                let serial = model.serials[card % model.serials.len()].clone();
                let outcome = t.store.issue(&clerk, solo(&person(p), &[&serial]), now);
                let expect_ok =
                    !model.active.contains_key(&p) && model.states[&serial] == CardState::InStock;
                match outcome {
                    Ok(issued) => {
                        prop_assert!(expect_ok, "issued when the model refuses");
                        model.active.insert(p, issued.issuance_id.clone());
                        model
                            .issuances
                            .push((issued.issuance_id, p, serial.clone()));
                        model.states.insert(serial, CardState::Issued);
                    }
                    Err(Error::AlreadyPaidHere { .. }) => {
                        prop_assert!(model.active.contains_key(&p))
                    }
                    Err(Error::CardNotInStock { .. }) => {
                        prop_assert_ne!(model.states[&serial], CardState::InStock)
                    }
                    Err(other) => {
                        prop_assert!(false, "unexpected refusal: {other} ({})", other.code())
                    }
                }
            }
            Op::Void {
                pick,
                by_supervisor,
                destroy,
            } => {
                if model.issuances.is_empty() {
                    continue;
                }
                let (id, p, serial) = model.issuances[pick % model.issuances.len()].clone();
                let who = if by_supervisor { &supervisor } else { &clerk };
                let disposition = if destroy {
                    CardDisposition::Destroyed
                } else {
                    CardDisposition::Returned
                };
                match t.store.void(who, &id, "정정", disposition, now) {
                    Ok(_) => {
                        prop_assert!(by_supervisor && !model.voided.contains(&id));
                        model.voided.insert(id);
                        model.active.remove(&p);
                        model.states.insert(
                            serial,
                            if destroy {
                                CardState::Damaged
                            } else {
                                CardState::Returned
                            },
                        );
                    }
                    Err(Error::SupervisorRequired) => prop_assert!(!by_supervisor),
                    Err(Error::AlreadyVoided(_)) => prop_assert!(model.voided.contains(&id)),
                    Err(other) => prop_assert!(false, "unexpected refusal: {other}"),
                }
            }
            Op::Adjust { card, adjustment } => {
                let serial = model.serials[card % model.serials.len()].clone();
                let from = model.states[&serial];
                // The reference: a returned card goes back to the issuer
                // blocked, so it may only be written off; only what is in
                // the drawer can be lost, and only the lost found.
                let allowed = match adjustment {
                    Adjustment::Damaged => {
                        matches!(from, CardState::InStock | CardState::Returned)
                    }
                    Adjustment::Lost => from == CardState::InStock,
                    Adjustment::Found => from == CardState::Lost,
                };
                match t
                    .store
                    .adjust_stock(&supervisor, &serial, adjustment, "재고 정리", now)
                {
                    Ok(to) => {
                        prop_assert!(allowed);
                        model.states.insert(serial, to);
                    }
                    Err(Error::BadAdjustment { .. }) => prop_assert!(!allowed),
                    Err(other) => prop_assert!(false, "unexpected refusal: {other}"),
                }
            }
        }
    }
    check_invariants(&t, &model)
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn check_invariants(t: &Terminal, model: &Model) -> Result<(), TestCaseError> {
    let conn = raw_of(t);
    // One active issuance per beneficiary.
    prop_assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM (SELECT beneficiary_key FROM issuance_beneficiary b
                WHERE NOT EXISTS (SELECT 1 FROM void v WHERE v.issuance_id = b.issuance_id)
                GROUP BY campaign_id, beneficiary_key HAVING count(*) > 1)"
        ),
        0
    );
    // A card is issued exactly when one active issuance holds it.
    prop_assert_eq!(
        count(&conn, "SELECT count(*) FROM card c WHERE
            ((SELECT state FROM card_event WHERE serial = c.serial ORDER BY id DESC LIMIT 1) = 'issued')
            != ((SELECT count(*) FROM issuance_card ic WHERE ic.serial = c.serial
                 AND NOT EXISTS (SELECT 1 FROM void v WHERE v.issuance_id = ic.issuance_id)) = 1)"),
        0
    );
    // And never by a second issuance, voided or not: the ledger blocks a
    // voided issuance's card for good.
    prop_assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM (SELECT serial FROM issuance_card GROUP BY serial HAVING count(*) > 1)"
        ),
        0
    );
    // The outbox matches issuances and voids one to one, without gaps.
    let events = count(&conn, "SELECT count(*) FROM outbox");
    prop_assert_eq!(
        count(&conn, "SELECT coalesce(max(seq), 0) FROM outbox"),
        events
    );
    prop_assert_eq!(
        events,
        count(
            &conn,
            "SELECT (SELECT count(*) FROM issuance) + (SELECT count(*) FROM void)"
        )
    );
    prop_assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM (SELECT id FROM issuance UNION SELECT id FROM void
                      EXCEPT SELECT subject_id FROM outbox)"
        ),
        0
    );
    // The store's stock is the model's.
    let stock = t.store.stock().unwrap();
    let tally = |state: CardState| model.states.values().filter(|s| **s == state).count() as u64;
    let sum = |f: fn(&FaceValueStock) -> u64| stock.by_face_value.iter().map(f).sum::<u64>();
    prop_assert_eq!(sum(|s| s.received), model.states.len() as u64);
    prop_assert_eq!(sum(|s| s.in_stock), tally(CardState::InStock));
    prop_assert_eq!(sum(|s| s.issued), tally(CardState::Issued));
    prop_assert_eq!(sum(|s| s.returned), tally(CardState::Returned));
    prop_assert_eq!(sum(|s| s.damaged), tally(CardState::Damaged));
    prop_assert_eq!(sum(|s| s.lost), tally(CardState::Lost));
    // The day's movements account for what is in stock at its end.
    for face in t.store.stock_day(free_day().date()).unwrap() {
        let n = |v: &Vec<String>| v.len() as i64;
        let expected = face.opening as i64 + n(&face.received)
            - n(&face.issued)
            - n(&face.damaged)
            - n(&face.lost)
            + n(&face.found);
        prop_assert_eq!(face.closing as i64, expected, "{:?}", face);
    }
    prop_assert_eq!(
        t.store
            .stock_day(free_day().date())
            .unwrap()
            .iter()
            .map(|f| f.closing)
            .sum::<u64>(),
        tally(CardState::InStock)
    );
    prop_assert_eq!(
        model.issuances.len() as i64,
        count(&conn, "SELECT count(*) FROM issuance")
    );
    // And the audit chain verifies.
    let report = t.store.verify_audit().unwrap();
    prop_assert!(report.is_intact(), "{:?}", report.finding);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_never_break_an_invariant(ops in prop::collection::vec(op(), 1..60)) {
        run(ops)?;
    }
}
