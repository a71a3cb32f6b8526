//! Issuance commit latency (with fsync) and the duplicate check against a
//! province-sized deny-list.
//!
//! `cargo bench -p relief-store --bench store [--features bench-plain] [-- ISSUANCES DENY_KEYS]`
//! (defaults: 2,000 issuances, 3,000,000 keys). The store lives in the
//! system's temporary directory: run it on the disk a terminal would use.
//! With `bench-plain`, the same runs on an unencrypted store too, to show
//! what the encryption costs.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use relief_core::identity::{BeneficiaryKey, CampaignSecret, IdentityNumber, synthetic};
use relief_core::policy::builtin;
use relief_core::proxy::{IdDocument, Relation};
use relief_core::{HouseholdSize, Krw, SiteType};
use relief_store::*;
use zeroize::Zeroizing;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn at(seconds: i64) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2020, 5, 18)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        + chrono::Duration::seconds(seconds)
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let issuances: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let deny_keys: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(3_000_000);
    run("encrypted (SQLCipher)", issuances, deny_keys);
    #[cfg(feature = "bench-plain")]
    run("unencrypted", issuances, deny_keys);
}

fn setup() -> TerminalSetup {
    TerminalSetup {
        eupmyeondong: None,
        site_code: "bench".into(),
        site_name: "벤치마크 센터".into(),
        site_type: SiteType::Center,
        sigungu: "41110".parse().unwrap(),
        demo: true,
        policy_file: "gyeonggi-2020.toml".into(),
        policy_text: builtin::GYEONGGI_2020.into(),
        secret: CampaignSecret::from_bytes(vec![9; 32]).unwrap(),
    }
}

fn run(mode: &str, issuances: u64, deny_keys: u64) {
    println!("== {mode}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terminal.sqlite3");
    let mut store = match mode {
        #[cfg(feature = "bench-plain")]
        "unencrypted" => Store::init_unencrypted_for_benchmark(&path, setup(), at(0)).unwrap(),
        _ => Store::init(&path, setup(), at(0)).unwrap().0,
    };
    let pin = || Zeroizing::new("48291375".to_owned());
    store
        .add_clerk(
            None,
            NewClerk {
                employee_id: "S".into(),
                name: "감독".into(),
                role: Role::Supervisor,
                pin: pin(),
            },
            at(0),
        )
        .unwrap();
    let clerk = store.sign_in("S", "48291375", at(0)).unwrap();
    store
        .receive_stock(
            &clerk,
            &SerialSpec::Range {
                first: "B-000001".into(),
                last: format!("B-{issuances:06}"),
            },
            Krw(3_000_000),
            "",
            at(0),
        )
        .unwrap();

    let mut latencies = Vec::with_capacity(issuances as usize);
    for n in 0..issuances {
        let number = synthetic::number(
            NaiveDate::from_ymd_opt(1960, 1, 1).unwrap()
                + chrono::Duration::days(n as i64 % 15_000),
            false,
            false,
            n as u32,
        );
        let id = IdentityNumber::parse(&number).unwrap();
        let request = IssueRequest {
            applicant: Applicant {
                id: id.clone(),
                name: "주민".into(),
                id_document: IdDocument::ResidentCard,
            },
            beneficiaries: vec![BeneficiaryRequest {
                who: relief_store::Who::Number(id),
                name: "주민".into(),
                relation: Relation::SelfApplicant,
                household_size: Some(HouseholdSize::try_from(1).unwrap()),
                resident_sigungu: "41110".parse().unwrap(),
                roll_exception: None,
            }],
            card_serials: vec![format!("B-{:06}", n + 1)],
            verification: Verification::Online,
            household_of_minors: false,
            visit: None,
            roll_approver: None,
        };
        let start = Instant::now();
        store.issue(&clerk, request, at(n as i64)).unwrap();
        latencies.push(start.elapsed());
    }
    latencies.sort();
    println!(
        "issue (checks + one transaction, WAL, synchronous=FULL) x{issuances}: median {:.2?}, p99 {:.2?}, max {:.2?}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().unwrap()
    );

    let mut rng = fastrand::Rng::with_seed(2020);
    let mut key = || {
        let mut bytes = [0u8; 32];
        rng.fill(&mut bytes);
        BeneficiaryKey::from_bytes(bytes)
    };
    let start = Instant::now();
    let mut sample = Vec::new();
    let chunk = 100_000;
    let mut added = 0;
    while added < deny_keys {
        let entries: Vec<DenyEntry> = (0..chunk.min(deny_keys - added))
            .map(|_| DenyEntry {
                key: key(),
                channel: relief_core::Channel::Online,
                site: "경기지역화폐".into(),
                paid_at: "2020-04-10T10:00:00".into(),
            })
            .collect();
        sample.extend(entries.iter().step_by(1_000).map(|e| e.key));
        added += store.add_to_deny_list(&entries).unwrap() as u64;
    }
    println!(
        "deny-list filled with {} keys in {:.1?}",
        store.deny_list_len().unwrap(),
        start.elapsed()
    );

    let mut hits = Vec::new();
    let mut misses = Vec::new();
    for round in 0..20 {
        for k in &sample {
            let start = Instant::now();
            assert!(store.paid(k).unwrap().is_some());
            hits.push(start.elapsed());
            let fresh = key();
            let start = Instant::now();
            assert!(store.paid(&fresh).unwrap().is_none());
            misses.push(start.elapsed());
        }
        let _ = round;
    }
    hits.sort();
    misses.sort();
    println!(
        "duplicate check against {deny_keys} deny-listed keys: paid elsewhere median {:.1?} (p99 {:.1?}), not paid median {:.1?} (p99 {:.1?})",
        percentile(&hits, 0.5),
        percentile(&hits, 0.99),
        percentile(&misses, 0.5),
        percentile(&misses, 0.99)
    );
}
