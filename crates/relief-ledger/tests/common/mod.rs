//! Ledgers on both databases for the same tests, terminals enrolled on
//! them, and events as terminals would push them.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use relief_core::identity::{BeneficiaryKey, CampaignSecret, IdentityNumber, synthetic};
use relief_ledger::storage::queries::TerminalRow;
use relief_ledger::{Clock, Ledger, PostgresStorage, SqliteStorage, Storage};
use relief_protocol::{
    BeneficiaryPaid, CardDisposition, CardLoaded, ClaimRequest, ClaimResult, EnrollResponse, Event,
    EventBody, IssuancePayload, SiteInfo, Verification, VisitEndedPayload, VoidPayload,
};

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct TestClock(pub Arc<AtomicI64>);

impl TestClock {
    pub fn start() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2020, 5, 18)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    pub fn advance(&self, minutes: i64) {
        self.0.fetch_add(minutes * 60, Ordering::SeqCst);
    }

    pub fn clock(&self) -> Clock {
        let offset = self.0.clone();
        Arc::new(move || Self::start() + Duration::seconds(offset.load(Ordering::SeqCst)))
    }
}

pub struct Backend<S> {
    pub ledger: Ledger<S>,
    pub clock: TestClock,
    _keep: Box<dyn std::any::Any>,
}

impl<S> Backend<S> {
    /// A ledger the test made itself, over a database it keeps.
    pub fn new(ledger: Ledger<S>, clock: TestClock) -> Backend<S> {
        Backend {
            ledger,
            clock,
            _keep: Box::new(()),
        }
    }
}

pub fn sqlite() -> Backend<SqliteStorage> {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(&dir.path().join("ledger.sqlite3")).unwrap();
    let clock = TestClock(Arc::new(AtomicI64::new(0)));
    Backend {
        ledger: Ledger::new(storage, clock.clock()).unwrap(),
        clock,
        _keep: Box::new(dir),
    }
}

/// A PostgreSQL schema of its own for one test, dropped afterwards; `None`
/// where no server is running (see `relief_testkit::skip`).
#[track_caller]
pub fn postgres() -> Option<Backend<PostgresStorage>> {
    let schema = relief_testkit::postgres::Schema::create("a ledger test")?;
    let storage = PostgresStorage::connect(&schema.url()).unwrap();
    let clock = TestClock(Arc::new(AtomicI64::new(0)));
    Some(Backend {
        ledger: Ledger::new(storage, clock.clock()).unwrap(),
        clock,
        _keep: Box::new(schema),
    })
}

/// Runs a test body against SQLite and against PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident => $body:path;)*) => {
        mod sqlite_backend {
            $(#[test] fn $name() { $body($crate::common::sqlite()); })*
        }
        mod postgres_backend {
            $(#[test] fn $name() { if let Some(backend) = $crate::common::postgres() { $body(backend); } })*
        }
    };
}

pub fn site(code: &str, site_type: &str) -> SiteInfo {
    SiteInfo {
        code: code.into(),
        name: format!("{code} 창구"),
        site_type: site_type.parse().expect("center or nh"),
        sigungu: "41110".into(),
    }
}

pub struct Terminal {
    pub row: TerminalRow,
    pub enrolled: EnrollResponse,
    pub next_seq: u64,
}

impl Terminal {
    pub fn secret(&self) -> CampaignSecret {
        CampaignSecret::from_hex(&self.enrolled.campaign_secret).unwrap()
    }

    pub fn key(&self, person: u32) -> BeneficiaryKey {
        IdentityNumber::parse(&person_number(person))
            .unwrap()
            .beneficiary_key(&self.secret())
    }

    /// The next event of this terminal, numbered in sequence.
    pub fn event(&mut self, body: EventBody) -> Event {
        let event = Event {
            seq: self.next_seq,
            event_id: uuid::Uuid::now_v7().to_string(),
            created_at: TestClock::start(),
            body,
        };
        self.next_seq += 1;
        event
    }

    pub fn issuance(&mut self, id: &str, people: &[u32]) -> Event {
        let body = EventBody::Issuance(IssuancePayload {
            issuance_id: id.into(),
            campaign_id: self.row.campaign_id.clone(),
            policy_version: "2020.1".into(),
            site_code: self.row.site_code.clone(),
            clerk_id: "C001".into(),
            issued_at: TestClock::start() + Duration::minutes(self.next_seq as i64),
            verification: Verification::Offline,
            visit_id: None,
            beneficiaries: people
                .iter()
                .map(|p| BeneficiaryPaid {
                    key: self.key(*p).to_hex(),
                    roll_exception: None,
                    household_size: 1,
                    sigungu: "41110".into(),
                    shares_krw: [("province".to_owned(), 100_000)].into(),
                })
                .collect(),
            cards: vec![CardLoaded {
                serial: format!("{id}-card"),
                amount_krw: 100_000 * people.len() as u64,
                face_value_krw: Some(500_000),
            }],
            total_krw: 100_000 * people.len() as u64,
            roll_version: None,
        });
        self.event(body)
    }

    pub fn void(&mut self, issuance_id: &str) -> Event {
        let body = EventBody::Void(VoidPayload {
            void_id: format!("void-{issuance_id}"),
            issuance_id: issuance_id.into(),
            voided_at: TestClock::start() + Duration::hours(1),
            voided_by: "S001".into(),
            reason: "착오".into(),
            card_disposition: CardDisposition::Returned,
        });
        self.event(body)
    }

    /// A supervisor's acceptance of a conflict.
    pub fn accept(&mut self, conflict_id: &str) -> Event {
        self.event(EventBody::Resolution(relief_protocol::ResolutionPayload {
            resolution_id: format!("accept-{conflict_id}"),
            conflict_id: conflict_id.into(),
            resolution: relief_protocol::Resolution::Accepted,
            note: "동명이인 확인, 각각 지급".into(),
            resolved_by: "S001".into(),
            resolved_at: TestClock::start(),
        }))
    }

    /// The end of a visit that handed over no card.
    pub fn end_visit(&mut self, visit_id: &str) -> Event {
        self.event(EventBody::VisitEnded(VisitEndedPayload {
            visit_id: visit_id.into(),
            ended_at: TestClock::start(),
            reason: "발급하지 않음".into(),
        }))
    }

    /// Claims people for a visit: one answer each.
    pub fn claim<S: Storage>(
        &self,
        ledger: &Ledger<S>,
        visit: &str,
        people: &[u32],
    ) -> Vec<ClaimResult> {
        ledger
            .claim(
                &self.row,
                &ClaimRequest {
                    visit_id: visit.into(),
                    keys: people.iter().map(|p| self.key(*p).to_hex()).collect(),
                },
            )
            .unwrap()
            .results
    }
}

/// A new visit id, as a terminal makes them.
pub fn visit() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub fn person_number(n: u32) -> zeroize::Zeroizing<String> {
    synthetic::number(
        NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Duration::days(n as i64),
        false,
        n.is_multiple_of(2),
        n,
    )
}

pub fn enroll<S: Storage>(ledger: &Ledger<S>, code: &str, site_type: &str) -> Terminal {
    let made = ledger
        .create_enrollment_code(&site(code, site_type), None)
        .unwrap();
    let enrolled = ledger.enroll(&made.code).unwrap();
    let row = ledger.authenticate(&enrolled.token).unwrap();
    Terminal {
        row,
        enrolled,
        next_seq: 1,
    }
}

/// A push of `events` by `t`, as the ledger answers it.
pub fn push<S: Storage>(
    ledger: &Ledger<S>,
    t: &Terminal,
    events: Vec<Event>,
) -> relief_protocol::PushResponse {
    ledger
        .push(
            &t.row,
            &relief_protocol::PushRequest {
                terminal_id: t.row.id.clone(),
                events,
            },
        )
        .unwrap()
}

/// What became of each of `events`.
pub fn outcomes<S: Storage>(
    ledger: &Ledger<S>,
    t: &Terminal,
    events: Vec<Event>,
) -> Vec<relief_protocol::Outcome> {
    push(ledger, t, events)
        .verdicts
        .into_iter()
        .map(|v| v.outcome)
        .collect()
}
