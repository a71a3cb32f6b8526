//! What a person is, worked out from the rows recorded about them: the
//! rules of "one person, one payment" as one pure function. The README's
//! tables ("One person, one payment") say the same in a supervisor's words.

use std::collections::BTreeSet;

use relief_protocol::ConflictStatus;

relief_core::closed_set! {
    /// A person's state in a campaign, as a supervisor names it.
    pub enum EntitlementState {
        /// No payment stands and no counter is serving them.
        Unpaid => "미지급",
        /// A counter's visit holds a claim; nothing is paid yet.
        BeingServed => "확인 중",
        /// Exactly one payment not voided.
        Paid => "지급 완료",
        /// A second payment not voided, its conflict open.
        InConflict => "이중 지급 · 처리 필요",
        /// Every second payment accepted by a supervisor.
        Accepted => "이중 지급 · 모두 인정",
    }
}

/// Who made a payment: a terminal, or the card companies online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payer {
    Terminal(String),
    Online,
}

/// One payment recorded for the person (in [`Rows`], in the order the
/// ledger recorded them: the first not voided stands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Its name, which survives a restore (see `payment.payment_ref`).
    pub reference: String,
    pub payer: Payer,
    pub voided: bool,
}

/// A conflict recorded between two of the person's payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub id: String,
    /// The payment recorded first, and the later one.
    pub first: String,
    pub second: String,
    /// A supervisor accepted both.
    pub accepted: bool,
    /// As last written.
    pub status: ConflictStatus,
}

impl Conflict {
    fn joins(&self, a: &str, b: &str) -> bool {
        (self.first == a && self.second == b) || (self.first == b && self.second == a)
    }
}

/// Everything recorded about one person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    /// In recorded order.
    pub payments: Vec<Payment>,
    /// A visit holds a claim on them.
    pub claimed: bool,
    pub conflicts: Vec<Conflict>,
}

/// What the counters' deny-lists are told about the person: the payment
/// that stands, and the first other one not voided made by another payer
/// (so that the payer of the standing one hears of it too).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DenyView {
    pub standing: Option<String>,
    pub other: Option<String>,
}

/// The person worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub state: EntitlementState,
    pub deny: DenyView,
    /// Conflicts to record, as (the payment that stands, the later one).
    pub new_conflicts: Vec<(String, String)>,
    /// Recorded conflicts whose status is no longer what was written.
    pub status_changes: Vec<(String, ConflictStatus)>,
    /// The payments held: not voided, not the one that stands, and not
    /// accepted beside it. Their cards stay empty.
    pub held: BTreeSet<String>,
}

impl Rows {
    /// The payment that stands: the first recorded that is not voided.
    pub fn standing(&self) -> Option<&Payment> {
        self.payments.iter().find(|p| !p.voided)
    }

    fn voided(&self, reference: &str) -> bool {
        self.payments
            .iter()
            .any(|p| p.reference == reference && p.voided)
    }

    /// The one rule: every path that records something about a person
    /// calls this afterwards and writes what it says.
    pub fn settle(&self) -> Settled {
        let standing = self.standing();
        let others: Vec<&Payment> = self
            .payments
            .iter()
            .filter(|p| !p.voided && Some(*p) != standing)
            .collect();

        let status_changes = self
            .conflicts
            .iter()
            .filter_map(|c| {
                let status = if c.accepted {
                    ConflictStatus::Accepted
                } else if self.voided(&c.first) || self.voided(&c.second) {
                    ConflictStatus::ResolvedByVoid
                } else {
                    ConflictStatus::Open
                };
                (status != c.status).then(|| (c.id.clone(), status))
            })
            .collect();

        let mut new_conflicts = Vec::new();
        let mut held = BTreeSet::new();
        if let Some(s) = standing {
            for p in &others {
                match self
                    .conflicts
                    .iter()
                    .find(|c| c.joins(&s.reference, &p.reference))
                {
                    Some(c) if c.accepted => {}
                    Some(_) => {
                        held.insert(p.reference.clone());
                    }
                    None => {
                        new_conflicts.push((s.reference.clone(), p.reference.clone()));
                        held.insert(p.reference.clone());
                    }
                }
            }
        }
        let open = !held.is_empty();

        let state = match standing {
            None if self.claimed => EntitlementState::BeingServed,
            None => EntitlementState::Unpaid,
            Some(_) if others.is_empty() => EntitlementState::Paid,
            Some(_) if open => EntitlementState::InConflict,
            Some(_) => EntitlementState::Accepted,
        };
        let deny = DenyView {
            standing: standing.map(|s| s.reference.clone()),
            other: standing.and_then(|s| {
                others
                    .iter()
                    .find(|p| p.payer != s.payer)
                    .map(|p| p.reference.clone())
            }),
        };
        Settled {
            state,
            deny,
            new_conflicts,
            status_changes,
            held,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn payment(order: i64, payer: &str, voided: bool) -> Payment {
        Payment {
            reference: format!("issuance:{order}"),
            payer: if payer == "online" {
                Payer::Online
            } else {
                Payer::Terminal(payer.into())
            },
            voided,
        }
    }

    /// Writes what `settle` said, as the storage does.
    fn apply(rows: &mut Rows, settled: &Settled) {
        for (first, second) in &settled.new_conflicts {
            rows.conflicts.push(Conflict {
                id: format!("{first}|{second}"),
                first: first.clone(),
                second: second.clone(),
                accepted: false,
                status: ConflictStatus::Open,
            });
        }
        for (id, status) in &settled.status_changes {
            rows.conflicts
                .iter_mut()
                .find(|c| &c.id == id)
                .unwrap()
                .status = *status;
        }
    }

    #[test]
    fn accepting_both_then_voiding_the_standing_one_leaves_the_other_standing() {
        // A stands, B's offline payment met it, B's supervisor accepted both.
        let mut rows = Rows {
            payments: vec![payment(1, "A", false), payment(2, "B", false)],
            ..Rows::default()
        };
        let s = rows.settle();
        assert_eq!(s.state, EntitlementState::InConflict);
        apply(&mut rows, &s);
        rows.conflicts[0].accepted = true;
        let s = rows.settle();
        assert_eq!(s.state, EntitlementState::Accepted);
        apply(&mut rows, &s);
        // A voids: B's payment still stands; nobody is released.
        rows.payments[0].voided = true;
        let s = rows.settle();
        assert_eq!(s.state, EntitlementState::Paid);
        assert_eq!(s.deny.standing.as_deref(), Some("issuance:2"));
        assert!(s.new_conflicts.is_empty());
    }

    #[test]
    fn voiding_the_standing_one_of_three_puts_the_other_two_in_conflict() {
        let mut rows = Rows {
            payments: vec![
                payment(1, "A", false),
                payment(2, "B", false),
                payment(3, "C", false),
            ],
            ..Rows::default()
        };
        let s = rows.settle();
        assert_eq!(s.new_conflicts.len(), 2);
        apply(&mut rows, &s);
        rows.payments[0].voided = true;
        let s = rows.settle();
        assert_eq!(s.state, EntitlementState::InConflict);
        assert_eq!(
            s.new_conflicts,
            vec![("issuance:2".to_owned(), "issuance:3".to_owned())]
        );
        assert_eq!(
            s.status_changes,
            vec![
                (
                    "issuance:1|issuance:2".to_owned(),
                    ConflictStatus::ResolvedByVoid
                ),
                (
                    "issuance:1|issuance:3".to_owned(),
                    ConflictStatus::ResolvedByVoid
                ),
            ]
        );
    }

    #[test]
    fn the_payer_of_the_standing_payment_hears_of_another_payer() {
        let rows = Rows {
            payments: vec![
                payment(1, "A", false),
                payment(2, "A", false),
                payment(3, "online", false),
            ],
            ..Rows::default()
        };
        let deny = rows.settle().deny;
        assert_eq!(deny.standing.as_deref(), Some("issuance:1"));
        assert_eq!(deny.other.as_deref(), Some("issuance:3"));
        let unpaid = Rows {
            payments: vec![payment(1, "A", true)],
            claimed: true,
            ..Rows::default()
        };
        let s = unpaid.settle();
        assert_eq!(s.state, EntitlementState::BeingServed);
        assert_eq!(s.deny, DenyView::default());
    }

    #[test]
    fn a_conflict_recorded_the_other_way_round_is_the_same_pair() {
        // After a restore the payment recorded later may be the one that
        // stands: the pair is the same conflict whichever side is first.
        let rows = Rows {
            payments: vec![payment(1, "A", false), payment(2, "B", false)],
            conflicts: vec![Conflict {
                id: "c".into(),
                first: "issuance:2".into(),
                second: "issuance:1".into(),
                accepted: true,
                status: ConflictStatus::Accepted,
            }],
            ..Rows::default()
        };
        let s = rows.settle();
        assert!(s.new_conflicts.is_empty(), "{s:?}");
        assert_eq!(s.state, EntitlementState::Accepted);
        // A third payment is a new pair, not that one.
        let mut three = rows.clone();
        three.payments.push(payment(3, "C", false));
        assert_eq!(
            three.settle().new_conflicts,
            vec![("issuance:1".to_owned(), "issuance:3".to_owned())]
        );
    }

    #[test]
    fn each_state_has_its_own_words_for_a_supervisor() {
        use strum::VariantArray;
        let labels: std::collections::BTreeSet<&str> = EntitlementState::VARIANTS
            .iter()
            .map(|s| s.label())
            .collect();
        assert_eq!(labels.len(), EntitlementState::VARIANTS.len());
        assert_eq!(EntitlementState::Unpaid.label(), "미지급");
        assert_eq!(
            EntitlementState::InConflict.label(),
            "이중 지급 · 처리 필요"
        );
        assert_eq!(EntitlementState::BeingServed.code(), "being_served");
    }

    /// A history: payments by payer 0..3 (3 is online), voids of earlier
    /// ones and acceptances of open conflicts, in any order.
    #[derive(Debug, Clone)]
    enum Step {
        Pay(u8),
        Void(usize),
        Accept(usize),
        Claim(bool),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0u8..4).prop_map(Step::Pay),
            any::<usize>().prop_map(Step::Void),
            any::<usize>().prop_map(Step::Accept),
            any::<bool>().prop_map(Step::Claim),
        ]
    }

    proptest! {
        #[test]
        fn after_every_step_one_payment_stands_and_every_other_is_in_a_conflict(
            steps in proptest::collection::vec(step(), 1..40)
        ) {
            let mut rows = Rows::default();
            for step in steps {
                match step {
                    Step::Pay(payer) => {
                        let order = rows.payments.len() as i64 + 1;
                        let who = if payer == 3 { "online".to_owned() } else { format!("T{payer}") };
                        rows.payments.push(payment(order, &who, false));
                    }
                    Step::Void(i) if !rows.payments.is_empty() => {
                        let n = rows.payments.len();
                        rows.payments[i % n].voided = true;
                    }
                    Step::Accept(i) if !rows.conflicts.is_empty() => {
                        let n = rows.conflicts.len();
                        let c = &mut rows.conflicts[i % n];
                        if c.status == ConflictStatus::Open {
                            c.accepted = true;
                        }
                    }
                    Step::Claim(claimed) => rows.claimed = claimed,
                    _ => {}
                }
                let settled = rows.settle();
                apply(&mut rows, &settled);
                // Settled twice is settled once.
                let again = rows.settle();
                prop_assert!(again.new_conflicts.is_empty() && again.status_changes.is_empty());
                prop_assert_eq!(&again, &Settled { new_conflicts: vec![], status_changes: vec![], ..settled.clone() });

                let unvoided: Vec<&Payment> = rows.payments.iter().filter(|p| !p.voided).collect();
                match unvoided.first() {
                    None => {
                        let expected = if rows.claimed { EntitlementState::BeingServed } else { EntitlementState::Unpaid };
                        prop_assert_eq!(settled.state, expected);
                        prop_assert_eq!(settled.deny.standing, None);
                    }
                    Some(s) => {
                        prop_assert_eq!(settled.deny.standing.as_deref(), Some(s.reference.as_str()));
                        for p in &unvoided[1..] {
                            let c = rows.conflicts.iter().find(|c| c.joins(&s.reference, &p.reference));
                            prop_assert!(
                                c.is_some_and(|c| matches!(c.status, ConflictStatus::Open | ConflictStatus::Accepted)),
                                "{} has no open or accepted conflict with {}", p.reference, s.reference
                            );
                        }
                        let expected = if unvoided.len() == 1 {
                            EntitlementState::Paid
                        } else if unvoided[1..].iter().all(|p| rows.conflicts.iter().any(|c| c.joins(&s.reference, &p.reference) && c.accepted)) {
                            EntitlementState::Accepted
                        } else {
                            EntitlementState::InConflict
                        };
                        prop_assert_eq!(settled.state, expected);
                    }
                }
                // Held: every payment not voided beside the one that
                // stands, but those accepted with it; never the standing
                // one, never a voided one.
                let held: BTreeSet<String> = unvoided
                    .iter()
                    .skip(1)
                    .filter(|p| !rows.conflicts.iter().any(|c| {
                        c.accepted && c.joins(&unvoided[0].reference, &p.reference)
                    }))
                    .map(|p| p.reference.clone())
                    .collect();
                prop_assert_eq!(&settled.held, &held);
                prop_assert_eq!(settled.state == EntitlementState::InConflict, !held.is_empty());
                // A conflict with a voided side is never open.
                for c in &rows.conflicts {
                    if rows.voided(&c.first) || rows.voided(&c.second) {
                        prop_assert_ne!(c.status, ConflictStatus::Open);
                    }
                }
            }
        }
    }
}
