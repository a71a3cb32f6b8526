//! Importing a resident roll at the ledger: a synthetic 시군 of 1,200,000
//! people (`RELIEF_ROLL_PEOPLE` to change it) into a fresh ledger, then
//! the same file again, then a change file of 1% of the people.
//!
//! `cargo bench -p relief-ledger --bench roll -- [sqlite|postgres|all]`
//!
//! PostgreSQL: `RELIEF_TEST_POSTGRES` or postgres://root@127.0.0.1:5432/test,
//! in a schema of its own, dropped afterwards.

use std::time::Instant;

use relief_ledger::{AnyStorage, Ledger, PostgresStorage, SqliteStorage, system_clock};
use relief_testkit::roll::{self, HEADER, RollSpec};

const CAMPAIGN: &str = "gyeonggi-2020";

fn open(
    db: &str,
) -> (
    Ledger<AnyStorage>,
    Box<dyn std::any::Any>,
    Option<std::path::PathBuf>,
) {
    match db {
        "postgres" => {
            let schema = relief_testkit::postgres::Schema::create("the roll benchmark")
                .expect("PostgreSQL for the benchmark");
            let storage = PostgresStorage::connect(&schema.url()).unwrap();
            (
                Ledger::new(AnyStorage::Postgres(storage), system_clock()).unwrap(),
                Box::new(schema),
                None,
            )
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("ledger.sqlite3");
            let storage = SqliteStorage::open(&path).unwrap();
            (
                Ledger::new(AnyStorage::Sqlite(storage), system_clock()).unwrap(),
                Box::new(dir),
                Some(path),
            )
        }
    }
}

fn main() {
    let which = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "all".into());
    let people: usize = std::env::var("RELIEF_ROLL_PEOPLE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_200_000);
    let made = Instant::now();
    let rows = roll::rows(&RollSpec::one_sigungu(people));
    let mut file = format!("{HEADER}\n");
    let mut changes = format!("{HEADER}\n");
    for (i, r) in rows.iter().enumerate() {
        file.push_str(&r.csv_line());
        file.push('\n');
        if i % 100 == 0 {
            let mut moved = r.clone();
            moved.eupmyeondong = "4111199900".into();
            changes.push_str(&moved.csv_line());
            changes.push('\n');
        }
    }
    println!(
        "roll: {} people, {:.1} MB of CSV, made in {:.1} s",
        rows.len(),
        file.len() as f64 / 1e6,
        made.elapsed().as_secs_f64()
    );
    let dbs: &[&str] = match which.as_str() {
        "sqlite" => &["sqlite"],
        "postgres" => &["postgres"],
        _ => &["sqlite", "postgres"],
    };
    for db in dbs {
        let (ledger, _keep, path) = open(db);
        let started = Instant::now();
        let first = ledger.import_roll(CAMPAIGN, file.as_bytes()).unwrap();
        let import = started.elapsed();
        assert_eq!(
            first.changed as usize,
            rows.len(),
            "{:?}",
            &first.invalid[..first.invalid.len().min(3)]
        );
        let started = Instant::now();
        let again = ledger.import_roll(CAMPAIGN, file.as_bytes()).unwrap();
        let resend = started.elapsed();
        assert!(again.already_imported);
        let started = Instant::now();
        let change = ledger.import_roll(CAMPAIGN, changes.as_bytes()).unwrap();
        let changed = started.elapsed();
        assert_eq!(change.version, 2);
        let size = path
            .map(|p| {
                let wal = p.with_extension("sqlite3-wal");
                let bytes = std::fs::metadata(&p).map_or(0, |m| m.len())
                    + std::fs::metadata(wal).map_or(0, |m| m.len());
                format!(", file {:.0} MB", bytes as f64 / 1e6)
            })
            .unwrap_or_default();
        println!(
            "{db}: import {:.1} s ({:.0} people/s), the same file again {:.3} s, a change file of {} people {:.2} s ({} changed){size}",
            import.as_secs_f64(),
            rows.len() as f64 / import.as_secs_f64(),
            resend.as_secs_f64(),
            change.rows,
            changed.as_secs_f64(),
            change.changed,
        );
    }
}
