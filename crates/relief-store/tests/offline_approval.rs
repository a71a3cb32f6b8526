//! The counter's approval of offline issuance (오프라인 발급 승인) against a
//! plain model of the README's table: random sequences of opens (within
//! and outside the policy's bounds, by either supervisor or a clerk),
//! closes, issuances online and offline (with a supervisor at the counter
//! or not), voids, the removal of a supervisor, and a clock that moves
//! forwards, backwards and across midnight. After every step the store's
//! answer, the supervisor and approval each issuance records, and the
//! approval the store says is in force are the model's; at the end the
//! audit chain verifies.

mod common;

use chrono::{Duration, NaiveDateTime};
use common::*;
use proptest::prelude::*;
use relief_store::*;
use zeroize::Zeroizing;

const SECOND: &str = "S002";
const MAX_MINUTES: u32 = 60;
const MAX_ISSUANCES: u32 = 50;

/// Who acts: the first supervisor, the second, or the clerk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    First,
    Second,
    Clerk,
}

#[derive(Debug, Clone)]
enum Op {
    Open {
        by: Who,
        minutes: u32,
        issuances: u32,
    },
    Close {
        by: Who,
    },
    Offline {
        at_counter: Option<Who>,
    },
    Online,
    VoidLast,
    RemoveSecond,
    /// Minutes, either way.
    Clock(i64),
    /// To another day of the free period, at 09:00 plus these minutes.
    Day(u32, i64),
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        4 => Just(Who::First),
        2 => Just(Who::Second),
        1 => Just(Who::Clerk)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        // Round minutes, so that the clock lands on an approval's end.
        3 => (who(), prop_oneof![8 => prop::sample::select(vec![1u32, 5, 10, 15, 30, MAX_MINUTES]),
                                 1 => Just(0u32), 1 => Just(MAX_MINUTES + 1)],
              prop_oneof![8 => 1..=4u32, 1 => Just(0u32), 1 => Just(MAX_ISSUANCES), 1 => Just(MAX_ISSUANCES + 1)])
            .prop_map(|(by, minutes, issuances)| Op::Open { by, minutes, issuances }),
        1 => who().prop_map(|by| Op::Close { by }),
        6 => prop::option::weighted(0.2, who()).prop_map(|at_counter| Op::Offline { at_counter }),
        1 => Just(Op::Online),
        1 => Just(Op::VoidLast),
        1 => Just(Op::RemoveSecond),
        3 => (-6i64..=9).prop_map(|k| Op::Clock(5 * k)),
        1 => (0u32..3, 0i64..=540).prop_map(|(d, m)| Op::Day(d, m)),
    ]
}

/// The README's table, and nothing else.
#[derive(Debug, Clone)]
struct Approval {
    by: Who,
    opened: NaiveDateTime,
    until: NaiveDateTime,
    max: u32,
    used: u32,
    closed: bool,
}

#[derive(Default)]
struct Model {
    /// Every approval, the newest last; only the newest can be open.
    approvals: Vec<Approval>,
    second_removed: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Done,
    /// Issued, approved by this supervisor, under the newest approval or alone.
    Issued(Option<Who>, bool),
    Refused(StoreCode),
}

impl Model {
    fn in_force(&self, at: NaiveDateTime) -> Option<usize> {
        let i = self.approvals.len().checked_sub(1)?;
        let a = &self.approvals[i];
        let removed = a.by == Who::Second && self.second_removed;
        (!a.closed && !removed && a.opened <= at && at < a.until && a.used < a.max).then_some(i)
    }

    fn apply(&mut self, op: &Op, at: NaiveDateTime) -> Outcome {
        use Outcome::*;
        let supervisor = |w: Who| w != Who::Clerk;
        match *op {
            Op::Open {
                by,
                minutes,
                issuances,
            } => {
                if !supervisor(by) {
                    return Refused(StoreCode::SupervisorRequired);
                }
                if !(1..=MAX_MINUTES).contains(&minutes)
                    || !(1..=MAX_ISSUANCES).contains(&issuances)
                {
                    return Refused(StoreCode::OfflineApprovalBounds);
                }
                if let Some(last) = self.approvals.last_mut() {
                    last.closed = true;
                }
                let midnight = (at.date() + Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .unwrap();
                self.approvals.push(Approval {
                    by,
                    opened: at,
                    until: (at + Duration::minutes(minutes.into())).min(midnight),
                    max: issuances,
                    used: 0,
                    closed: false,
                });
                Done
            }
            Op::Close { by } => {
                if !supervisor(by) {
                    return Refused(StoreCode::SupervisorRequired);
                }
                match self.in_force(at) {
                    Some(i) => {
                        self.approvals[i].closed = true;
                        Done
                    }
                    None => Refused(StoreCode::NoOfflineApproval),
                }
            }
            Op::Offline {
                at_counter: Some(w),
            } if supervisor(w) => Issued(Some(w), false),
            Op::Offline {
                at_counter: Some(_),
            } => Refused(StoreCode::SupervisorRequired),
            Op::Offline { at_counter: None } => match self.in_force(at) {
                Some(i) => {
                    self.approvals[i].used += 1;
                    Issued(Some(self.approvals[i].by), true)
                }
                None => Refused(StoreCode::OfflineNeedsSupervisor),
            },
            Op::Online => Issued(None, false),
            Op::VoidLast => Done,
            Op::RemoveSecond => {
                self.second_removed = true;
                Done
            }
            Op::Clock(_) | Op::Day(..) => Done,
        }
    }
}

fn employee(w: Who) -> &'static str {
    match w {
        Who::First => SUPERVISOR,
        Who::Second => SECOND,
        Who::Clerk => CLERK,
    }
}

/// The store, driven through its public API.
struct Counter {
    t: Terminal,
    second: Session,
    people: u32,
    cards: u32,
    issued: Vec<String>,
    /// The id of each approval the store opened, in order.
    approval_ids: Vec<String>,
}

impl Counter {
    /// A copy of one terminal set up with a second supervisor: setting one
    /// up anew for every case would spend the run on argon2.
    fn new() -> Counter {
        use std::sync::OnceLock;
        static TEMPLATE: OnceLock<(tempfile::TempDir, std::path::PathBuf, DataKey)> =
            OnceLock::new();
        let t0 = at(4, 1, 9);
        let (_, template, key) = TEMPLATE.get_or_init(|| {
            let mut t = setup();
            t.store
                .add_clerk(
                    Some(&t.supervisor),
                    NewClerk {
                        employee_id: SECOND.into(),
                        name: "박감독".into(),
                        role: Role::Supervisor,
                        pin: Zeroizing::new(PIN.into()),
                    },
                    t0,
                )
                .unwrap();
            let path = t.path();
            let Terminal { dir, store, .. } = t;
            let key = store.data_key().clone();
            drop(store);
            (dir, path, key)
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terminal.sqlite3");
        copy_store(template, &path);
        let mut store = Store::open(&path, Unlock::Key(key), t0).unwrap();
        let supervisor = store.sign_in(SUPERVISOR, PIN, t0).unwrap();
        let clerk = store.sign_in(CLERK, PIN, t0).unwrap();
        let second = store.sign_in(SECOND, PIN, t0).unwrap();
        Counter {
            t: Terminal {
                dir,
                store,
                supervisor,
                clerk,
            },
            second,
            people: 0,
            cards: 0,
            issued: Vec::new(),
            approval_ids: Vec::new(),
        }
    }

    fn session(&self, w: Who) -> Session {
        match w {
            Who::First => self.t.supervisor.clone(),
            Who::Second => self.second.clone(),
            Who::Clerk => self.t.clerk.clone(),
        }
    }

    fn issue(&mut self, verification: Verification, at: NaiveDateTime) -> Result<Issued> {
        self.people += 1;
        self.cards += 1;
        let card = format!("GG-{:04}", self.cards);
        let mut request = solo(&person(100 + self.people), &[&card]);
        request.verification = verification;
        let clerk = self.t.clerk.clone();
        self.t.store.issue(&clerk, request, at)
    }

    fn apply(
        &mut self,
        op: &Op,
        at: NaiveDateTime,
    ) -> std::result::Result<Option<IssuanceRecord>, StoreCode> {
        let s = &mut self.t.store;
        let done = |r: Result<()>| r.map(|_| None).map_err(|e| e.code());
        match *op {
            Op::Open {
                by,
                minutes,
                issuances,
            } => {
                let session = self.session(by);
                let opened = self
                    .t
                    .store
                    .open_offline_approval(&session, minutes, issuances, at);
                if let Ok(a) = &opened {
                    self.approval_ids.push(a.id.clone());
                }
                done(opened.map(drop))
            }
            Op::Close { by } => {
                let session = self.session(by);
                done(self.t.store.close_offline_approval(&session, at).map(drop))
            }
            Op::Offline { at_counter } => {
                let approver = at_counter.map(|w| self.session(w));
                let issued = self
                    .issue(Verification::Offline { approver }, at)
                    .map_err(|e| e.code())?;
                self.issued.push(issued.issuance_id.clone());
                Ok(self.t.store.issuance(&issued.issuance_id).unwrap())
            }
            Op::Online => {
                let issued = self.issue(Verification::Online, at).map_err(|e| e.code())?;
                self.issued.push(issued.issuance_id.clone());
                Ok(self.t.store.issuance(&issued.issuance_id).unwrap())
            }
            Op::VoidLast => match self.issued.pop() {
                Some(id) => {
                    let supervisor = self.t.supervisor.clone();
                    done(
                        s.void(&supervisor, &id, "잘못 발급", CardDisposition::Returned, at)
                            .map(drop),
                    )
                }
                None => Ok(None),
            },
            Op::RemoveSecond => {
                let supervisor = self.t.supervisor.clone();
                match s.remove_clerk(&supervisor, SECOND, at) {
                    // Already removed: nothing changes.
                    Err(Error::UnknownClerk(_)) => Ok(None),
                    other => done(other),
                }
            }
            Op::Clock(_) | Op::Day(..) => Ok(None),
        }
    }
}

fn run(ops: &[Op]) -> std::result::Result<(), TestCaseError> {
    let mut counter = Counter::new();
    let mut model = Model::default();
    let day0 = free_day().date();
    let mut clock = free_day();
    for (step, op) in ops.iter().enumerate() {
        // A removed supervisor no longer acts (their session would be gone).
        let op = match op {
            Op::Open {
                by: Who::Second,
                minutes,
                issuances,
            } if model.second_removed => &Op::Open {
                by: Who::First,
                minutes: *minutes,
                issuances: *issuances,
            },
            Op::Close { by: Who::Second } if model.second_removed => &Op::Close { by: Who::First },
            Op::Offline {
                at_counter: Some(Who::Second),
            } if model.second_removed => &Op::Offline {
                at_counter: Some(Who::First),
            },
            op => op,
        };
        // Within the free period's hours (09:00-18:00, weekdays).
        clock = match *op {
            Op::Clock(minutes) => {
                let moved = clock + Duration::minutes(minutes);
                let open = clock.date().and_hms_opt(9, 0, 0).unwrap();
                let last = clock.date().and_hms_opt(17, 59, 0).unwrap();
                moved.clamp(open, last)
            }
            Op::Day(d, minutes) => {
                (day0 + Duration::days(d.into()))
                    .and_hms_opt(9, 0, 0)
                    .unwrap()
                    + Duration::minutes(minutes)
            }
            _ => clock,
        };
        let expected = model.apply(op, clock);
        let found = counter.apply(op, clock);
        let context = format!("step {step}: {op:?} at {clock}");
        match (&expected, &found) {
            (Outcome::Done, Ok(None)) => {}
            (Outcome::Refused(code), Err(found)) => prop_assert_eq!(code, found, "{}", context),
            (Outcome::Issued(by, under_approval), Ok(Some(record))) => {
                prop_assert_eq!(
                    record.offline_approved_by.as_deref(),
                    by.map(employee),
                    "{}",
                    context
                );
                let approval = under_approval.then(|| counter.approval_ids.last().unwrap().clone());
                prop_assert_eq!(&record.offline_approval, &approval, "{}", context);
                prop_assert_eq!(
                    record.verification.code(),
                    if matches!(op, Op::Online) {
                        "online"
                    } else {
                        "offline"
                    }
                );
            }
            _ => prop_assert!(
                false,
                "{context}: the model says {expected:?}, the store {found:?}"
            ),
        }
        // And what the counter's screen would say of it now.
        let shown = counter.t.store.offline_approval(clock).unwrap();
        let modelled = model.in_force(clock).map(|i| &model.approvals[i]);
        match (shown, modelled) {
            (None, None) => {}
            (Some(s), Some(m)) => {
                prop_assert_eq!(&s.id, counter.approval_ids.last().unwrap(), "{}", context);
                prop_assert_eq!(s.opened_by.as_str(), employee(m.by), "{}", context);
                prop_assert_eq!((s.opened_at, s.until), (m.opened, m.until), "{}", context);
                prop_assert_eq!((s.max_issuances, s.used), (m.max, m.used), "{}", context);
                prop_assert_eq!(s.remaining(), m.max - m.used);
            }
            (s, m) => prop_assert!(
                false,
                "{context}: in force, the store says {s:?}, the model {m:?}"
            ),
        }
    }
    let audit = counter.t.store.verify_audit().unwrap();
    prop_assert!(audit.is_intact(), "{:?}", audit);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn approvals_follow_the_model(ops in prop::collection::vec(op(), 1..40)) {
        run(&ops)?;
    }
}

/// The examples of the issue, named: one approval, a queue served under it
/// without a supervisor, and its end by count.
#[test]
fn a_supervisor_approves_once_and_the_queue_is_served() {
    let ops = [
        Op::Open {
            by: Who::First,
            minutes: 60,
            issuances: 3,
        },
        Op::Offline { at_counter: None },
        Op::Clock(10),
        Op::Offline { at_counter: None },
        Op::Offline { at_counter: None },
        // The fourth needs a supervisor again.
        Op::Offline { at_counter: None },
    ];
    run(&ops).unwrap();
    let mut counter = Counter::new();
    let t = free_day();
    let supervisor = counter.t.supervisor.clone();
    counter
        .t
        .store
        .open_offline_approval(&supervisor, 60, 1, t)
        .unwrap();
    counter
        .issue(Verification::Offline { approver: None }, t)
        .unwrap();
    assert!(matches!(
        counter.issue(Verification::Offline { approver: None }, t),
        Err(Error::OfflineNeedsSupervisor)
    ));

    // It ends at its time: the last minute is in, its end is not.
    let approval = counter
        .t
        .store
        .open_offline_approval(&supervisor, 30, 5, t)
        .unwrap();
    let end = t + Duration::minutes(30);
    assert_eq!(approval.until, end);
    let store = &counter.t.store;
    assert!(
        store
            .offline_approval(end - Duration::seconds(1))
            .unwrap()
            .is_some()
    );
    assert!(store.offline_approval(end).unwrap().is_none());
    assert!(
        store
            .offline_approval(t - Duration::seconds(1))
            .unwrap()
            .is_none()
    );
}

/// The database refuses, by itself, an issuance naming an approval it
/// does not allow: past its time, by another supervisor, or used up.
#[test]
fn the_database_holds_the_approval() {
    let mut counter = Counter::new();
    let t = free_day();
    let supervisor = counter.t.supervisor.clone();
    let approval = counter
        .t
        .store
        .open_offline_approval(&supervisor, 30, 1, t)
        .unwrap();
    let conn = raw_of(&counter.t);
    let insert = |id: &str, at: NaiveDateTime, by: &str| {
        conn.execute(
            "INSERT INTO issuance (id, campaign_id, policy_version, site_code, clerk_id, issued_at,
                applicant_masked, applicant_name, applicant_id_document, verification, offline_approved_by,
                decision_window, total_krw, offline_approval_id)
             VALUES (?1, 'gyeonggi-2020', '2020.1', '41110-515', 'C001', ?2, '860101-1******', '홍길동', 'resident_card',
                     'offline', ?3, 'w', 100000, ?4)",
            rusqlite::params![id, at.format("%Y-%m-%dT%H:%M:%S").to_string(), by, approval.id],
        )
    };
    let refused = |r: rusqlite::Result<usize>| {
        let e = r.expect_err("the trigger should refuse");
        assert!(
            e.to_string().contains("offline_approval_not_in_force"),
            "{e}"
        );
    };
    refused(insert("late", t + Duration::minutes(30), SUPERVISOR));
    refused(insert("early", t - Duration::minutes(1), SUPERVISOR));
    refused(insert("other", t, SECOND));
    insert("first", t, SUPERVISOR).unwrap();
    refused(insert("second", t, SUPERVISOR));
    // And an approval, once closed, stays closed.
    counter
        .t
        .store
        .open_offline_approval(&supervisor, 30, 5, t)
        .unwrap();
    for change in [
        "UPDATE offline_approval SET closed_at = NULL, close_reason = NULL, closed_by = NULL WHERE id = ?1",
        "UPDATE offline_approval SET until = '2020-05-18T23:00:00' WHERE id = ?1",
        "DELETE FROM offline_approval WHERE id = ?1",
    ] {
        let e = conn
            .execute(change, [&approval.id])
            .expect_err("a closed approval cannot change");
        assert!(e.to_string().contains("append_only"), "{change}: {e}");
    }
}
