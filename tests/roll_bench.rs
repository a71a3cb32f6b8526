//! The resident roll at the terminal: the first download of a 시군 of
//! 1,200,000 people (`RELIEF_ROLL_PEOPLE` to change it) from a ledger
//! process on loopback, three times into fresh terminals; the copy's size
//! on disk; and a lookup of a person with their household (the key's
//! HMAC, the person, the household's members), 20,000 times.
//!
//! `cargo bench -p relief-system-tests --bench roll`

use std::sync::Mutex;
use std::time::{Duration, Instant};

use relief_core::identity::IdentityNumber;
use relief_sync::{ROLL_PAGE, Retry, download_roll};
use relief_system_tests::open_store;
use relief_system_tests::process::LedgerProcess;
use relief_system_tests::{PIN, SUPERVISOR, set_up_terminal};
use relief_testkit::roll::{self, HEADER, RollSpec};

const LEDGER: &str = env!("CARGO_BIN_EXE_sys-relief-ledger");

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    let people: usize = std::env::var("RELIEF_ROLL_PEOPLE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_200_000);
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let rows = roll::rows(&RollSpec::one_sigungu(people));
    let csv = dir.path().join("roll.csv");
    let mut text = format!("{HEADER}\n");
    for r in &rows {
        text.push_str(&r.csv_line());
        text.push('\n');
    }
    std::fs::write(&csv, text).unwrap();
    let started = Instant::now();
    ledger.admin(&["import-roll", "--csv", csv.to_str().unwrap()]);
    eprintln!(
        "imported {} people at the ledger in {:.1?}",
        rows.len(),
        started.elapsed()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut times = Vec::new();
    let mut last = None;
    for run in 0..3 {
        let path = dir.path().join(format!("terminal-{run}.sqlite3"));
        let mut store = set_up_terminal(&path, 1);
        let at = chrono::Local::now().naive_local();
        let supervisor = store.sign_in(SUPERVISOR, PIN, at).unwrap();
        let (code, fingerprint) = ledger.enrollment_code("41110-515", "center");
        let store = Mutex::new(store);
        runtime
            .block_on(relief_sync::enroll(
                &store,
                &supervisor,
                &ledger.url(),
                &code,
                Some(&fingerprint),
                at,
            ))
            .unwrap();
        let started = Instant::now();
        let report = runtime
            .block_on(download_roll(&store, Retry::default(), ROLL_PAGE, |_| {}))
            .unwrap();
        let took = started.elapsed();
        assert_eq!(report.people, rows.len() as u64);
        eprintln!(
            "download {run}: {} people, {} pages, {took:.2?}",
            report.people, report.pages
        );
        times.push(took);
        drop(store);
        last = Some(path);
    }
    let path = last.unwrap();
    let bytes = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let wal = path.with_extension("sqlite3-wal");
    eprintln!(
        "on disk after closing: {:.1} MB (file), {:.1} MB (WAL)",
        bytes(&path) as f64 / 1e6,
        bytes(&wal) as f64 / 1e6
    );

    let store = open_store(&path).unwrap();
    let mut lookups = Vec::with_capacity(20_000);
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..20_000 {
        let row = &rows[rng.usize(..rows.len())];
        let id = IdentityNumber::parse(&row.rrn).unwrap();
        let started = Instant::now();
        let key = store.beneficiary_key(&id);
        let person = store.roll_person(&key).unwrap().expect("on the roll");
        let household = store.roll_household(person.household).unwrap();
        lookups.push(started.elapsed());
        assert!(!household.is_empty());
    }
    lookups.sort();
    let at = |q: f64| lookups[((lookups.len() as f64 * q) as usize).min(lookups.len() - 1)];
    println!(
        "roll of {} people: first download median {:.2?} (runs {:?}); {:.1} MB on disk; lookup with household p50 {:.1?}, p99 {:.1?}",
        rows.len(),
        median(times.clone()),
        times,
        bytes(&path) as f64 / 1e6,
        at(0.5),
        at(0.99)
    );
}
