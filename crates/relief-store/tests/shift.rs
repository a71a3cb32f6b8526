//! Each clerk's shift (issuances, people, cards, won, voided) against a
//! plain fold over the day's issuance records: random issuances by two
//! clerks, of one or two people, some voided, some on another day.

mod common;

use std::collections::BTreeMap;

use common::*;
use proptest::prelude::*;
use relief_core::proxy::Relation;
use relief_store::*;

#[derive(Debug, Clone)]
struct Step {
    by_supervisor: bool,
    with_spouse: bool,
    void: bool,
    next_day: bool,
}

fn step() -> impl Strategy<Value = Step> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(by_supervisor, with_spouse, void, next_day)| Step {
            by_supervisor,
            with_spouse,
            void,
            next_day,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn a_shift_is_the_sum_of_its_issuances(steps in prop::collection::vec(step(), 0..12)) {
        let mut t = copy_of_setup();
        let today = free_day();
        for (n, s) in steps.iter().enumerate() {
            let n = n as u32;
            let at = if s.next_day { today + chrono::Duration::days(1) } else { today };
            let card = format!("GG-{:04}", n + 1);
            let mut request = solo(&person(200 + 2 * n), &[&card]);
            if s.with_spouse {
                request.beneficiaries[0].household_size = Some(2.try_into().unwrap());
                request.beneficiaries.push(beneficiary(&person(201 + 2 * n), Relation::Spouse, 2));
            }
            let who = if s.by_supervisor { t.supervisor.clone() } else { t.clerk.clone() };
            let issued = t.store.issue(&who, request, at).unwrap();
            if s.void {
                let supervisor = t.supervisor.clone();
                t.store
                    .void(&supervisor, &issued.issuance_id, "잘못 발급", CardDisposition::Returned, at)
                    .unwrap();
            }
        }
        let mut expected: BTreeMap<String, Shift> = BTreeMap::new();
        for r in t.store.issuances_on(today.date()).unwrap() {
            let name = if r.clerk_id == SUPERVISOR { "김감독" } else { "이담당" };
            let s = expected.entry(r.clerk_id.clone()).or_insert_with(|| Shift {
                clerk_id: r.clerk_id.clone(),
                clerk_name: name.into(),
                issuances: 0,
                people: 0,
                cards: 0,
                total: relief_core::Krw(0),
                voided: 0,
            });
            if r.void.is_some() {
                s.voided += 1;
            } else {
                s.issuances += 1;
                s.people += r.beneficiaries.len() as u64;
                s.cards += r.cards.len() as u64;
                s.total = relief_core::Krw(s.total.won() + r.total.won());
            }
        }
        let expected: Vec<Shift> = expected.into_values().collect();
        prop_assert_eq!(t.store.shifts_on(today.date()).unwrap(), expected);
    }
}
