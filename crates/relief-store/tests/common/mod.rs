//! A terminal set up as a 수원 center on the Gyeonggi 2020 policy, with a
//! supervisor, a clerk and a drawer of cards; synthetic identity numbers.
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};
use relief_core::identity::{CampaignSecret, IdentityNumber, synthetic};
use relief_core::policy::builtin;
use relief_core::proxy::{IdDocument, Relation};
use relief_core::{HouseholdSize, Krw, SiteType};
use relief_store::*;
use zeroize::Zeroizing;

pub const SUPERVISOR: &str = "S001";
pub const CLERK: &str = "C001";
/// Long enough for a supervisor (whose PIN seals the store's key); a
/// clerk's may be shorter.
pub const PIN: &str = "48291375";

pub fn at(m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2020, m, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

/// Monday of the free period: any household size, any digit.
pub fn free_day() -> NaiveDateTime {
    at(5, 18, 10)
}

pub struct Terminal {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub supervisor: Session,
    pub clerk: Session,
}

impl Terminal {
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("terminal.sqlite3")
    }
}

pub fn setup_with(policy_text: &str) -> Terminal {
    setup_site(policy_text, None)
}

/// A center of 41110, of the 읍면동 given.
pub fn setup_site(policy_text: &str, eupmyeondong: Option<&str>) -> Terminal {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terminal.sqlite3");
    let (mut store, _recovery) = Store::init(
        &path,
        TerminalSetup {
            eupmyeondong: eupmyeondong.map(str::to_owned),
            site_code: "41110-515".into(),
            site_name: "수원시 매탄1동 행정복지센터".into(),
            site_type: SiteType::Center,
            sigungu: "41110".parse().unwrap(),
            demo: true,
            policy_file: "gyeonggi-2020.toml".into(),
            policy_text: policy_text.into(),
            secret: CampaignSecret::from_bytes(vec![42; 32]).unwrap(),
        },
        at(4, 1, 9),
    )
    .unwrap();
    let t0 = at(4, 1, 9);
    let new = |id: &str, name: &str, role| NewClerk {
        employee_id: id.into(),
        name: name.into(),
        role,
        pin: Zeroizing::new(PIN.into()),
    };
    store
        .add_clerk(None, new(SUPERVISOR, "김감독", Role::Supervisor), t0)
        .unwrap();
    let supervisor = store.sign_in(SUPERVISOR, PIN, t0).unwrap();
    store
        .add_clerk(Some(&supervisor), new(CLERK, "이담당", Role::Clerk), t0)
        .unwrap();
    let clerk = store.sign_in(CLERK, PIN, t0).unwrap();
    store
        .receive_stock(
            &supervisor,
            &SerialSpec::Range {
                first: "GG-0001".into(),
                last: "GG-0200".into(),
            },
            Krw(3_000_000),
            "",
            t0,
        )
        .unwrap();
    Terminal {
        dir,
        store,
        supervisor,
        clerk,
    }
}

pub fn setup() -> Terminal {
    setup_with(builtin::GYEONGGI_2020)
}

/// A synthetic adult (born 1986 + n % 10, so the birth-year digit varies).
pub fn person(n: u32) -> Zeroizing<String> {
    let birth = NaiveDate::from_ymd_opt(1980 + (n % 10) as i32, 1 + n % 12, 1 + n % 28).unwrap();
    synthetic::number(birth, false, n % 2 == 1, n)
}

pub fn id(number: &str) -> IdentityNumber {
    IdentityNumber::parse(number).unwrap()
}

pub fn beneficiary(number: &str, relation: Relation, household_size: i64) -> BeneficiaryRequest {
    BeneficiaryRequest {
        who: relief_store::Who::Number(id(number)),
        name: "홍길동".into(),
        relation,
        household_size: Some(HouseholdSize::try_from(household_size).unwrap()),
        resident_sigungu: "41110".parse().unwrap(),
        roll_exception: None,
    }
}

/// One adult collecting only for themself, online.
pub fn solo(number: &str, cards: &[&str]) -> IssueRequest {
    IssueRequest {
        applicant: Applicant {
            id: id(number),
            name: "홍길동".into(),
            id_document: IdDocument::ResidentCard,
        },
        beneficiaries: vec![beneficiary(number, Relation::SelfApplicant, 1)],
        card_serials: cards.iter().map(|s| s.to_string()).collect(),
        verification: Verification::Online,
        household_of_minors: false,
        visit: None,
        roll_approver: None,
    }
}

/// A copy of one set-up terminal: cheaper than setting up anew when a test
/// needs hundreds of fresh terminals.
pub fn copy_of_setup() -> Terminal {
    use std::sync::OnceLock;
    static TEMPLATE: OnceLock<(tempfile::TempDir, std::path::PathBuf, DataKey)> = OnceLock::new();
    let (_, template, key) = TEMPLATE.get_or_init(|| {
        let t = setup();
        let path = t.path();
        let Terminal { dir, store, .. } = t;
        let key = store.data_key().clone();
        drop(store);
        (dir, path, key)
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terminal.sqlite3");
    copy_store(template, &path);
    let mut store = Store::open(&path, Unlock::Key(key), at(4, 1, 9)).unwrap();
    let t0 = at(4, 1, 9);
    let supervisor = store.sign_in(SUPERVISOR, PIN, t0).unwrap();
    let clerk = store.sign_in(CLERK, PIN, t0).unwrap();
    Terminal {
        dir,
        store,
        supervisor,
        clerk,
    }
}

/// The database under the store, opened directly with its key: for tests
/// that write past the store's code.
pub fn raw_at(path: &std::path::Path, key: &DataKey) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "key", key.pragma_value().as_str())
        .unwrap();
    conn
}

pub fn raw_of(t: &Terminal) -> rusqlite::Connection {
    raw_at(&t.path(), t.store.data_key())
}

/// Every pending event acknowledged, as if the ledger had them all.
pub fn ack_everything(t: &mut Terminal, at: NaiveDateTime) {
    let verdicts: Vec<_> = t
        .store
        .pending_events(1000)
        .unwrap()
        .iter()
        .map(|e| relief_protocol::Verdict {
            seq: e.seq,
            outcome: relief_protocol::Outcome::Accepted,
        })
        .collect();
    t.store.record_verdicts(&verdicts, at).unwrap();
}

/// The database's every byte, decrypted into a plain copy: what a scan for
/// personal data at rest is checked against.
pub fn plain_bytes(t: &Terminal) -> Vec<u8> {
    let plain = t.dir.path().join("plain-copy.sqlite3");
    let _ = std::fs::remove_file(&plain);
    raw_of(t)
        .execute_batch(&format!(
            "ATTACH DATABASE '{}' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;",
            plain.display()
        ))
        .unwrap();
    std::fs::read(&plain).unwrap()
}

/// Whether `needle` stands anywhere in `haystack`, byte for byte.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Copies a closed store and its key file.
pub fn copy_store(from: &std::path::Path, to: &std::path::Path) {
    std::fs::copy(from, to).unwrap();
    let keys = |p: &std::path::Path| format!("{}.keys", p.display());
    std::fs::copy(keys(from), keys(to)).unwrap();
}

/// The store at `path` opened again, by its supervisor.
pub fn reopen(path: &std::path::Path) -> Store {
    Store::open(
        path,
        Unlock::Supervisor {
            employee_id: SUPERVISOR,
            pin: PIN,
        },
        at(4, 1, 9),
    )
    .unwrap()
}

/// The ledger's signing key in these tests.
pub fn ledger_signing() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[9; 32])
}

/// A center of 41110 enrolled at a ledger whose key is [`ledger_signing`].
pub fn enrolled_site(policy_text: &str, eupmyeondong: Option<&str>) -> Terminal {
    use relief_protocol::{EnrollResponse, LedgerKey, SignedPolicy, SiteInfo};
    let mut t = setup_site(policy_text, eupmyeondong);
    let supervisor = t.supervisor.clone();
    let key = ledger_signing();
    let answer = EnrollResponse {
        terminal_id: "terminal-1".into(),
        token: "secret-token".into(),
        site: SiteInfo {
            code: "41110-515".into(),
            name: "매탄1동".into(),
            site_type: SiteType::Center,
            sigungu: "41110".into(),
        },
        campaign_secret: "11".repeat(32),
        policy: SignedPolicy::sign(&key, "gyeonggi-2020", "2020.1", policy_text),
        ledger_key: LedgerKey::of(&key).to_hex(),
    };
    t.store
        .enroll(
            &supervisor,
            "http://ledger:8700/",
            &answer,
            None,
            at(4, 1, 9),
        )
        .unwrap();
    t
}

/// SQL that takes a store back from schema 9 (the counter's offline
/// approval), for tests that make an older store out of a new one.
pub const UNDO_OFFLINE_APPROVAL: &str = "
    DROP TRIGGER issuance_within_offline_approval;
    DROP TRIGGER offline_approval_closes_once;
    DROP TRIGGER offline_approval_append_only_d;
    DROP INDEX issuance_by_offline_approval;
    ALTER TABLE issuance DROP COLUMN offline_approval_id;
    DROP TABLE offline_approval;";
