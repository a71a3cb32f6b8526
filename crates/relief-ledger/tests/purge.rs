//! The purge of a campaign's personal data at the ledger, on SQLite and on
//! PostgreSQL: refused before the policy's retention has ended; after it,
//! no beneficiary key, roll entry, household token or campaign secret is
//! left in any table (nor, on SQLite, in the files' bytes), every count of
//! the day summary is what it was, and the campaign takes nothing more.

mod common;

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use common::*;
use relief_core::identity::{CampaignSecret, IdentityNumber};
use relief_core::roll::HouseholdToken;
use relief_ledger::storage::{Db, StorageError, Value, queries};
use relief_ledger::{Ledger, ServiceError, SqliteStorage, Storage};
use relief_testkit::roll::{self, HEADER, RollSpec};

const CAMPAIGN: &str = "gyeonggi-2020";

fn secret<S: Storage>(ledger: &Ledger<S>) -> Vec<u8> {
    ledger
        .storage()
        .read(|db: &mut dyn Db| queries::campaign(db, CAMPAIGN))
        .unwrap()
        .unwrap()
        .secret
}

/// Every table of the ledger's schema, whatever migrations made them.
fn tables<S: Storage>(ledger: &Ledger<S>) -> Vec<String> {
    let sql = match ledger.storage().dialect() {
        "sqlite" => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        _ => {
            "SELECT table_name::text AS name FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    ledger
        .storage()
        .read(|db: &mut dyn Db| -> Result<Vec<String>, StorageError> {
            db.query(sql, &[])?.iter().map(|r| r.text("name")).collect()
        })
        .unwrap()
}

/// Every value of every table.
fn every_value<S: Storage>(ledger: &Ledger<S>) -> Vec<(String, Value)> {
    let tables = tables(ledger);
    assert!(tables.iter().any(|t| t == "roll_person"), "{tables:?}");
    ledger
        .storage()
        .read(|db: &mut dyn Db| -> Result<_, StorageError> {
            let mut values = Vec::new();
            for table in &tables {
                for row in db.query(&format!("SELECT * FROM {table}"), &[])? {
                    values.extend(row.values().iter().map(|v| (table.clone(), v.clone())));
                }
            }
            Ok(values)
        })
        .unwrap()
}

/// On PostgreSQL, the file each table is stored in (VACUUM FULL gives a
/// table a new one); SQLite has one file for all, scanned by bytes below.
fn table_files<S: Storage>(ledger: &Ledger<S>) -> Option<BTreeMap<String, i64>> {
    if ledger.storage().dialect() != "postgres" {
        return None;
    }
    let rows = ledger
        .storage()
        .read(|db: &mut dyn Db| {
            db.query(
                "SELECT relname::text AS name, relfilenode::bigint AS file FROM pg_class
                 WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'",
                &[],
            )
        })
        .unwrap();
    Some(
        rows.iter()
            .map(|r| (r.text("name").unwrap(), r.int("file").unwrap()))
            .collect(),
    )
}

fn count<S: Storage>(ledger: &Ledger<S>, sql: &str) -> i64 {
    ledger
        .storage()
        .read(|db: &mut dyn Db| -> Result<i64, StorageError> { db.query(sql, &[])?[0].int("n") })
        .unwrap()
}

/// The rows of the tables a report counts from, and the people in them.
fn counts<S: Storage>(ledger: &Ledger<S>) -> BTreeMap<&'static str, i64> {
    [
        ("payments", "SELECT count(*) AS n FROM payment"),
        (
            "paid people",
            "SELECT count(DISTINCT beneficiary_key) AS n FROM payment",
        ),
        ("entitlements", "SELECT count(*) AS n FROM entitlement"),
        (
            "entitlements by state",
            "SELECT count(DISTINCT state) AS n FROM entitlement",
        ),
        (
            "beneficiaries",
            "SELECT count(*) AS n FROM issuance_beneficiary",
        ),
        (
            "online",
            "SELECT count(*) AS n FROM payment WHERE channel = 'online'",
        ),
        ("conflicts", "SELECT count(*) AS n FROM conflict"),
        (
            "conflicted people paid",
            "SELECT count(*) AS n FROM conflict c JOIN payment p
             ON p.campaign_id = c.campaign_id AND p.beneficiary_key = c.beneficiary_key",
        ),
        ("feed", "SELECT count(*) AS n FROM feed"),
        ("roll versions", "SELECT count(*) AS n FROM roll_version"),
    ]
    .into_iter()
    .map(|(what, sql)| (what, count(ledger, sql)))
    .collect()
}

/// What a number could be traced by, as the ledger held it before the
/// purge: the keys, the households' tokens, the masked numbers, the secret.
struct Traces {
    bytes: HashSet<Vec<u8>>,
    texts: Vec<String>,
}

impl Traces {
    fn find(&self, values: &[(String, Value)]) -> Vec<String> {
        values
            .iter()
            .filter(|(_, v)| match v {
                Value::Bytes(b) => self.bytes.contains(b),
                Value::Text(t) => self.texts.iter().any(|x| t.contains(x.as_str())),
                _ => false,
            })
            .map(|(table, _)| table.clone())
            .collect()
    }
}

/// A campaign as it stands at the end: a roll, counter issuances (one
/// voided), online payments, a conflict accepted, a visit claimed.
/// Returns the traces and the counter terminal's token.
fn a_campaign<S: Storage>(b: &Backend<S>) -> (Traces, String) {
    let spec = RollSpec::one_sigungu(40);
    let rows = roll::rows(&spec);
    let mut file = format!("{HEADER}\n");
    for r in &rows {
        file.push_str(&r.csv_line());
        file.push('\n');
    }
    b.ledger.import_roll(CAMPAIGN, file.as_bytes()).unwrap();

    let mut t = enroll(&b.ledger, "A", "center");
    let events = vec![
        t.issuance("first", &[1, 2, 3]),
        t.issuance("second", &[4]),
        t.issuance("voided", &[5]),
    ];
    push(&b.ledger, &t, events);
    let void = t.void("voided");
    push(&b.ledger, &t, vec![void]);
    let mut online = String::from("rrn,sigungu,amount_krw,paid_at,issuer\n");
    for n in [4u32, 6, 7] {
        online.push_str(&format!(
            "{},41110,100000,2020-04-10T10:00:00,경기지역화폐\n",
            &*person_number(n)
        ));
    }
    let imported = b.ledger.import_online(CAMPAIGN, online.as_bytes()).unwrap();
    assert_eq!(imported.conflicts, 1, "person 4 was paid twice");
    t.claim(&b.ledger, &visit(), &[8]);

    let raw = secret(&b.ledger);
    let secret = CampaignSecret::from_bytes(raw.clone()).unwrap();
    let mut bytes: HashSet<Vec<u8>> = (1..=8).map(|n| t.key(n).as_bytes().to_vec()).collect();
    let mut texts: Vec<String> = (1..=8).map(|n| t.key(n).to_hex()).collect();
    for r in &rows {
        let key = IdentityNumber::parse(&r.rrn)
            .unwrap()
            .beneficiary_key(&secret);
        bytes.insert(key.as_bytes().to_vec());
        bytes.insert(
            HouseholdToken::of(&secret, &r.household_id)
                .as_bytes()
                .to_vec(),
        );
        texts.push(format!("{}-{}******", &r.rrn[..6], &r.rrn[6..7]));
    }
    bytes.insert(raw.clone());
    texts.push(hex::encode(&raw));
    let traces = Traces { bytes, texts };
    // The scan finds what it looks for before the purge.
    let found: HashSet<String> = traces.find(&every_value(&b.ledger)).into_iter().collect();
    for table in [
        "roll_person",
        "roll_household",
        "campaign",
        "entitlement",
        "payment",
        "claim",
        "conflict",
        "issuance_beneficiary",
    ] {
        assert!(found.contains(table), "{table} holds no trace: {found:?}");
    }
    (traces, t.enrolled.token.clone())
}

/// Moves the ledger's clock to the day after `until`.
fn move_past<S: Storage>(b: &Backend<S>, until: NaiveDate) {
    let days = (until - TestClock::start().date()).num_days() + 1;
    b.clock.advance(days * 24 * 60);
}

fn a_purge_is_refused_before_the_retention_end<S: Storage>(b: Backend<S>) {
    let (traces, token) = a_campaign(&b);
    let until = b.ledger.personal_data_kept_until(None).unwrap();
    assert!(until > NaiveDate::from_ymd_opt(2021, 1, 1).unwrap());
    // The last day kept is still too early.
    move_past(&b, until.pred_opt().unwrap());
    assert_eq!(b.ledger.now().date(), until);
    match b.ledger.purge(None).unwrap_err() {
        ServiceError::Conflict { code, message } => {
            assert_eq!(code, "purge_too_early");
            assert!(message.contains(&until.to_string()), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(traces.find(&every_value(&b.ledger)).len() > 40);
    assert!(b.ledger.authenticate(&token).is_ok());
}

fn a_purge_leaves_no_trace_and_every_count<S: Storage>(b: Backend<S>) {
    let (traces, token) = a_campaign(&b);
    let day = TestClock::start().date();
    let summary = b.ledger.day_summary(None, day).unwrap();
    assert_eq!(summary.sites[0].issuances, 3);
    let before = counts(&b.ledger);
    let people = count(
        &b.ledger,
        "SELECT count(*) AS n FROM (SELECT beneficiary_key FROM entitlement
         UNION SELECT beneficiary_key FROM payment) AS k",
    );

    let roll = count(&b.ledger, "SELECT count(*) AS n FROM roll_person");
    assert!(roll >= 40);

    let files = table_files(&b.ledger);

    move_past(&b, b.ledger.personal_data_kept_until(None).unwrap());
    let purged = b.ledger.purge(None).unwrap();
    // PostgreSQL keeps an updated row's old version in the table's file
    // until the table is written anew: each table the purge touched was.
    if let Some(before) = files {
        let after = table_files(&b.ledger).unwrap();
        for table in queries::PURGED_TABLES {
            assert_ne!(
                before.get(*table),
                after.get(*table),
                "{table} not rewritten"
            );
        }
    }
    assert_eq!(purged.campaign_id, CAMPAIGN);
    assert_eq!(purged.purged_at, b.ledger.now());
    assert_eq!(purged.counts.people as i64, people);
    assert_eq!(purged.counts.roll_people as i64, roll);
    assert!(purged.counts.roll_households > 5);

    let values = every_value(&b.ledger);
    let left = traces.find(&values);
    assert!(left.is_empty(), "traces left in {left:?}");
    assert_eq!(count(&b.ledger, "SELECT count(*) AS n FROM roll_person"), 0);
    assert_eq!(count(&b.ledger, "SELECT count(*) AS n FROM purge_key"), 0);
    assert!(secret(&b.ledger).is_empty());
    // The same counts, the same joins, the same summary.
    assert_eq!(counts(&b.ledger), before);
    assert_eq!(b.ledger.day_summary(None, day).unwrap(), summary);
    // Each person got one new key, not one per row.
    assert_eq!(
        count(
            &b.ledger,
            "SELECT count(*) AS n FROM (SELECT beneficiary_key FROM entitlement
             UNION SELECT beneficiary_key FROM payment) AS k",
        ),
        people
    );

    // Nothing more is taken for the campaign, nor given out.
    let purged_refusal = |e: ServiceError| match e {
        ServiceError::Conflict { code, .. } => assert_eq!(code, "campaign_purged"),
        other => panic!("{other:?}"),
    };
    purged_refusal(b.ledger.purge(None).unwrap_err());
    purged_refusal(b.ledger.authenticate(&token).unwrap_err());
    assert_eq!(
        count(&b.ledger, "SELECT count(*) AS n FROM terminal"),
        1,
        "the terminal is kept"
    );
    purged_refusal(
        b.ledger
            .create_enrollment_code(&site("B", "nh"), None)
            .unwrap_err(),
    );
    purged_refusal(
        b.ledger
            .import_online(
                CAMPAIGN,
                "rrn,sigungu,amount_krw,paid_at,issuer\n".as_bytes(),
            )
            .unwrap_err(),
    );
    purged_refusal(
        b.ledger
            .import_roll(CAMPAIGN, format!("{HEADER}\n").as_bytes())
            .unwrap_err(),
    );
}

fn a_terminal_of_a_purged_campaign_is_told_so<S: Storage>(b: Backend<S>) {
    let mut t = enroll(&b.ledger, "A", "center");
    let event = t.issuance("first", &[1]);
    push(&b.ledger, &t, vec![event]);
    let token = t.enrolled.token.clone();
    assert!(b.ledger.authenticate(&token).is_ok());
    move_past(&b, b.ledger.personal_data_kept_until(None).unwrap());
    b.ledger.purge(None).unwrap();
    match b.ledger.authenticate(&token).unwrap_err() {
        ServiceError::Conflict { code, message } => {
            assert_eq!(code, "campaign_purged");
            assert!(message.contains("파기"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A token that never was is still only unauthorised.
    assert!(matches!(
        b.ledger.authenticate("not-a-token").unwrap_err(),
        ServiceError::Unauthorized
    ));
}

on_both! {
    a_purge_is_refused_before_the_retention_end => super::a_purge_is_refused_before_the_retention_end;
    a_purge_leaves_no_trace_and_every_count => super::a_purge_leaves_no_trace_and_every_count;
    a_terminal_of_a_purged_campaign_is_told_so => super::a_terminal_of_a_purged_campaign_is_told_so;
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// On SQLite the files themselves: the database and its WAL hold no old
/// copy of a key or of the secret once the purge has rewritten them.
#[test]
fn the_sqlite_files_keep_no_old_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    let clock = TestClock(Default::default());
    let b = Backend::new(
        Ledger::new(SqliteStorage::open(&path).unwrap(), clock.clock()).unwrap(),
        clock,
    );
    let (traces, _) = a_campaign(&b);
    let files = || {
        ["", "-wal"]
            .iter()
            .filter_map(|end| std::fs::read(format!("{}{end}", path.display())).ok())
            .collect::<Vec<Vec<u8>>>()
    };
    let found = |files: &[Vec<u8>]| {
        traces
            .bytes
            .iter()
            .filter(|t| files.iter().any(|f| contains(f, t)))
            .count()
    };
    // The scan sees the keys in the files before.
    assert!(found(&files()) > 40);
    move_past(&b, b.ledger.personal_data_kept_until(None).unwrap());
    b.ledger.purge(None).unwrap();
    assert_eq!(found(&files()), 0);
}
