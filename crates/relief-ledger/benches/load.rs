//! Many terminals against one ledger, over HTTP on loopback.
//!
//! `cargo bench -p relief-ledger --bench load -- [sqlite|postgres] [ingest|drain|download|all]`
//!
//! - ingest: 100 terminals push 2,000 events each in batches of 500, 16
//!   requests in flight: sustained events a second;
//! - drain: 1,500 terminals come back after an outage holding 100 events
//!   each; time until every event is acknowledged;
//! - download: a terminal's first deny-list download of 1,200,000 keys
//!   (수원's size) into its store;
//! - day: day one of 2020 compressed: 1,486 counters, 431,000 issuances,
//!   each a claim then a push, while an online import of 826,000 rows
//!   runs; claim latency and claims a second. `RELIEF_BENCH_SCALE=0.1`
//!   runs a tenth of the issuances and rows (the counters stay 1,486),
//!   `RELIEF_BENCH_IN_FLIGHT` sets how many visits are under way at once.
//!
//! - activations: the card issuer's side of day one: 431,000 issuances
//!   from 1,486 counters pushed, then the whole activation feed read
//!   (pages of 20,000, five times: the reads change nothing) and
//!   confirmed.
//!
//! PostgreSQL: `RELIEF_TEST_POSTGRES` or postgres://root@127.0.0.1:5432/test,
//! in a schema of its own, dropped afterwards.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use relief_core::SiteType;
use relief_core::identity::{CampaignSecret, IdentityNumber, synthetic};
use relief_ledger::{AnyStorage, Ledger, PostgresStorage, SqliteStorage, Storage, system_clock};
use relief_protocol::{BeneficiaryPaid, CardLoaded, Event, EventBody, IssuancePayload, SiteInfo};
use relief_store::{Store, TerminalSetup};

type Shared = Arc<Ledger<AnyStorage>>;

struct Terminal {
    id: String,
    token: String,
    site_code: String,
    secret: CampaignSecret,
}

fn enroll(ledger: &Shared, n: usize) -> Terminal {
    let site = SiteInfo {
        code: format!("S{n:05}"),
        name: format!("창구 {n}"),
        site_type: relief_core::SiteType::Center,
        sigungu: "41110".into(),
    };
    let code = ledger.create_enrollment_code(&site, None).unwrap();
    let answer = ledger.enroll(&code.code).unwrap();
    Terminal {
        id: answer.terminal_id,
        token: answer.token,
        site_code: site.code,
        secret: CampaignSecret::from_hex(&answer.campaign_secret).unwrap(),
    }
}

fn person(n: u64) -> zeroize::Zeroizing<String> {
    let birth =
        NaiveDate::from_ymd_opt(1940, 1, 1).unwrap() + chrono::Duration::days((n % 25_000) as i64);
    synthetic::number(
        birth,
        false,
        n.is_multiple_of(2),
        (n / 25_000) as u32 * 7 + (n % 7) as u32,
    )
}

/// Distinct people for distinct (terminal, seq): keys straight from the counter.
fn events(t: &Terminal, terminal_index: u64, count: u64) -> Vec<Event> {
    (0..count)
        .map(|i| {
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&terminal_index.to_be_bytes());
            key[8..16].copy_from_slice(&i.to_be_bytes());
            let key = relief_core::identity::BeneficiaryKey::from_bytes(key);
            let issuance_id = format!("{}-{i}", t.id);
            Event {
                seq: i + 1,
                event_id: format!("e-{}-{i}", t.id),
                created_at: NaiveDate::from_ymd_opt(2020, 5, 18)
                    .unwrap()
                    .and_hms_opt(10, 0, 0)
                    .unwrap(),
                body: EventBody::Issuance(IssuancePayload {
                    issuance_id: issuance_id.clone(),
                    campaign_id: "gyeonggi-2020".into(),
                    policy_version: "2020.1".into(),
                    site_code: t.site_code.clone(),
                    clerk_id: "C001".into(),
                    issued_at: NaiveDate::from_ymd_opt(2020, 5, 18)
                        .unwrap()
                        .and_hms_opt(10, 0, 0)
                        .unwrap(),
                    verification: relief_protocol::Verification::Offline,
                    visit_id: None,
                    beneficiaries: vec![BeneficiaryPaid {
                        key: key.to_hex(),
                        roll_exception: None,
                        household_size: 1,
                        sigungu: "41110".into(),
                        shares_krw: [("province".to_owned(), 100_000)].into(),
                    }],
                    cards: vec![CardLoaded {
                        // At most 32 characters, as a card's serial is.
                        serial: format!("C{terminal_index}-{i}"),
                        amount_krw: 100_000,
                        face_value_krw: Some(500_000),
                    }],
                    total_krw: 100_000,
                    roll_version: None,
                }),
            }
        })
        .collect()
}

async fn serve(ledger: Shared) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, relief_ledger::http::router(ledger))
            .await
            .unwrap()
    });
    format!("http://{address}")
}

/// Pushes every terminal's events, `in_flight` requests at a time. Returns
/// the events acknowledged and the time taken. The request bodies are
/// encoded before the clock starts: the load tool shares the machine with
/// the ledger, and its own JSON encoding is not what is measured.
async fn push_all(
    url: &str,
    work: Vec<(Terminal, Vec<Event>)>,
    batch: usize,
    in_flight: usize,
) -> (u64, Duration) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let push_url = format!("{url}/v1/push");
    // Per terminal: its token, and each batch's event count and body.
    type Bodies = Vec<(usize, Vec<u8>)>;
    let prepared: Vec<(String, Bodies)> = work
        .into_iter()
        .map(|(t, events)| {
            let bodies = events
                .chunks(batch)
                .map(|chunk| {
                    let request = relief_protocol::PushRequest {
                        terminal_id: t.id.clone(),
                        events: chunk.to_vec(),
                    };
                    (chunk.len(), serde_json::to_vec(&request).unwrap())
                })
                .collect();
            (t.token, bodies)
        })
        .collect();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (token, bodies) in prepared {
        let (http, push_url, semaphore) = (http.clone(), push_url.clone(), semaphore.clone());
        tasks.push(tokio::spawn(async move {
            let mut acknowledged = 0u64;
            for (count, body) in bodies {
                let _permit = semaphore.acquire().await.unwrap();
                let response = http
                    .post(&push_url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success(), "{}", response.status());
                let answer: relief_protocol::PushResponse =
                    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
                assert_eq!(answer.verdicts.len(), count);
                acknowledged += count as u64;
            }
            acknowledged
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    (total, started.elapsed())
}

fn open(db: &str) -> (Shared, Box<dyn std::any::Any>) {
    match db {
        "postgres" => {
            let schema = relief_testkit::postgres::Schema::create("the load benchmark")
                .expect("PostgreSQL for the benchmark");
            let storage = PostgresStorage::connect(&schema.url()).unwrap();
            (
                Arc::new(Ledger::new(AnyStorage::Postgres(storage), system_clock()).unwrap()),
                Box::new(schema),
            )
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let storage = SqliteStorage::open(&dir.path().join("ledger.sqlite3")).unwrap();
            (
                Arc::new(Ledger::new(AnyStorage::Sqlite(storage), system_clock()).unwrap()),
                Box::new(dir),
            )
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let db = args.first().map_or("sqlite", String::as_str).to_owned();
    let scenario = args.get(1).map_or("all", String::as_str).to_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    if scenario == "ingest" || scenario == "all" {
        let (ledger, _keep) = open(&db);
        let url = runtime.block_on(serve(ledger.clone()));
        let work: Vec<_> = (0..100)
            .map(|i| {
                let t = enroll(&ledger, i);
                let e = events(&t, i as u64, 2_000);
                (t, e)
            })
            .collect();
        // More in flight only queues at SQLite's one writer, and on two
        // cores PostgreSQL did no better with 16 (4,300 events/s).
        let in_flight = 4;
        let (events, took) = runtime.block_on(push_all(&url, work, 1_000, in_flight));
        println!(
            "[{db}] ingest: {events} events from 100 terminals, batches of 1,000, {in_flight} in flight, in {took:.2?}: {:.0} events/s",
            events as f64 / took.as_secs_f64()
        );
    }
    if scenario == "direct" {
        // The same pushes without HTTP: the storage and rules alone.
        let (ledger, _keep) = open(&db);
        let work: Vec<_> = (0..100)
            .map(|i| {
                let t = enroll(&ledger, i);
                let e = events(&t, i as u64, 2_000);
                (t, e)
            })
            .collect();
        let started = Instant::now();
        let mut total = 0;
        for (t, events) in work {
            let row = ledger.authenticate(&t.token).unwrap();
            for chunk in events.chunks(500) {
                total += ledger
                    .push(
                        &row,
                        &relief_protocol::PushRequest {
                            terminal_id: t.id.clone(),
                            events: chunk.to_vec(),
                        },
                    )
                    .unwrap()
                    .verdicts
                    .len();
            }
        }
        let took = started.elapsed();
        println!(
            "[{db}] direct: {total} events in {took:.2?}: {:.0} events/s",
            total as f64 / took.as_secs_f64()
        );
    }
    if scenario == "drain" || scenario == "all" {
        let (ledger, _keep) = open(&db);
        let url = runtime.block_on(serve(ledger.clone()));
        let work: Vec<_> = (0..1_500)
            .map(|i| {
                let t = enroll(&ledger, i);
                let e = events(&t, i as u64, 100);
                (t, e)
            })
            .collect();
        let (events, took) = runtime.block_on(push_all(&url, work, 100, 32));
        println!(
            "[{db}] drain: 1,500 terminals x 100 events = {events} acknowledged in {took:.2?}"
        );
    }
    if scenario == "download" || scenario == "all" {
        let (ledger, _keep) = open(&db);
        let url = runtime.block_on(serve(ledger.clone()));
        let t = enroll(&ledger, 0);
        const KEYS: u64 = 1_200_000;
        let started = Instant::now();
        let mut imported = 0;
        for chunk in 0..(KEYS / 100_000) {
            let mut csv = String::from("rrn,sigungu,amount_krw,paid_at,issuer\n");
            for n in chunk * 100_000..(chunk + 1) * 100_000 {
                csv.push_str(&person(n));
                csv.push_str(",41110,100000,2020-04-10T10:00:00,경기지역화폐\n");
            }
            imported += ledger
                .import_online("gyeonggi-2020", csv.as_bytes())
                .unwrap()
                .imported;
        }
        println!(
            "[{db}] setup: {imported} online payments imported in {:.1?}",
            started.elapsed()
        );
        let _ = IdentityNumber::parse(&person(1))
            .unwrap()
            .beneficiary_key(&t.secret);

        // A fresh terminal, enrolled, downloads them all.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terminal.sqlite3");
        let at = NaiveDate::from_ymd_opt(2020, 5, 18)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let site = SiteInfo {
            code: "DL".into(),
            name: "다운로드".into(),
            site_type: relief_core::SiteType::Center,
            sigungu: "41110".into(),
        };
        let code = ledger.create_enrollment_code(&site, None).unwrap();
        let answer = ledger.enroll(&code.code).unwrap();
        let (mut store, _recovery) = Store::init(
            &path,
            TerminalSetup {
                eupmyeondong: None,
                site_code: "DL".into(),
                site_name: "다운로드".into(),
                site_type: SiteType::Center,
                sigungu: "41110".parse().unwrap(),
                demo: true,
                policy_file: "p".into(),
                policy_text: relief_core::policy::builtin::GYEONGGI_2020.into(),
                secret: CampaignSecret::from_bytes(vec![1; 32]).unwrap(),
            },
            at,
        )
        .unwrap();
        store
            .add_clerk(
                None,
                relief_store::NewClerk {
                    employee_id: "S".into(),
                    name: "감독".into(),
                    role: relief_store::Role::Supervisor,
                    pin: zeroize::Zeroizing::new("48291375".into()),
                },
                at,
            )
            .unwrap();
        let supervisor = store.sign_in("S", "48291375", at).unwrap();
        store.enroll(&supervisor, &url, &answer, None, at).unwrap();
        let store = Mutex::new(store);
        let started = Instant::now();
        let report = runtime
            .block_on(relief_sync::pull_all(
                &store,
                relief_sync::Retry::default(),
                relief_protocol::MAX_PULL_LIMIT,
            ))
            .unwrap();
        let took = started.elapsed();
        let held = store.lock().unwrap().deny_list_len().unwrap();
        println!(
            "[{db}] download: {held} keys in {} pages into the terminal's store in {took:.2?}",
            report.pages
        );
        assert_eq!(held, KEYS);
    }
    if scenario == "activations" {
        let (ledger, _keep) = open(&db);
        let url = runtime.block_on(serve(ledger.clone()));
        activations(&runtime, &db, &ledger, &url);
    }
    if scenario == "day" {
        let (ledger, _keep) = open(&db);
        let url = runtime.block_on(serve(ledger.clone()));
        day(&runtime, &db, &ledger, &url);
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The value at `q` (0 to 1) of sorted durations.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// The activation feed of day one, as the card issuer reads and confirms it.
fn activations(runtime: &tokio::runtime::Runtime, db: &str, ledger: &Shared, url: &str) {
    const COUNTERS: usize = 1_486;
    const EACH: u64 = 290;
    const PAGE: u32 = relief_protocol::MAX_ACTIVATION_LIMIT;
    let work: Vec<_> = (0..COUNTERS)
        .map(|i| {
            let t = enroll(ledger, 200_000 + i);
            let e = events(&t, 200_000 + i as u64, EACH);
            (t, e)
        })
        .collect();
    let (pushed, took) = runtime.block_on(push_all(url, work, 290, 4));
    println!("[{db}] activations: {pushed} issuances pushed in {took:.2?}");
    let accepted = ledger
        .storage()
        .read(|db| -> Result<i64, relief_ledger::StorageError> {
            db.query_opt("SELECT count(*) AS n FROM card", &[])?
                .map_or(Ok(0), |r| r.int("n"))
        })
        .unwrap();
    assert_eq!(
        accepted as u64, pushed,
        "every issuance accepted with its card"
    );
    let token = ledger
        .create_token(relief_ledger::service::Role::CardIssuer)
        .unwrap();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    // The whole feed, page after page, decoded as the issuer would.
    let read_all = || {
        let (http, token, url) = (http.clone(), token.clone(), url.to_owned());
        async move {
            let started = Instant::now();
            let (mut cursor, mut all) = (0u64, Vec::new());
            loop {
                let response = http
                    .get(format!("{url}/v1/activations?cursor={cursor}&limit={PAGE}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success(), "{}", response.status());
                let page: relief_protocol::ActivationPage =
                    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
                all.extend(page.instructions);
                if !page.more {
                    break;
                }
                cursor = page.next_cursor;
            }
            (all, started.elapsed())
        }
    };
    let mut reads = Vec::new();
    let mut instructions = Vec::new();
    for _ in 0..5 {
        let (all, took) = runtime.block_on(read_all());
        assert_eq!(all.len() as u64, pushed, "every card to activate, once");
        reads.push(took);
        instructions = all;
    }
    reads.sort();
    println!(
        "[{db}] activations: the feed of {} instructions read in pages of {PAGE}: median {:.2?} (5 reads: {:.2?} to {:.2?})",
        instructions.len(),
        quantile(&reads, 0.5),
        reads[0],
        reads[4]
    );
    let started = Instant::now();
    for chunk in instructions.chunks(PAGE as usize) {
        let request = relief_protocol::AckRequest {
            acks: chunk
                .iter()
                .map(|i| relief_protocol::Ack {
                    serial: i.serial.clone(),
                    action: i.action,
                    amount_krw: i.amount_krw,
                })
                .collect(),
        };
        let response = runtime
            .block_on(async {
                http.post(format!("{url}/v1/activations/ack"))
                    .bearer_auth(&token)
                    .json(&request)
                    .send()
                    .await
            })
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }
    println!(
        "[{db}] activations: {} confirmations in batches of {PAGE} in {:.2?}",
        instructions.len(),
        started.elapsed()
    );
    let (left, took) = runtime.block_on(read_all());
    assert!(left.is_empty());
    println!("[{db}] activations: read again after the confirmations: empty, in {took:.2?}");
}

/// Day one, compressed: every counter claims, then pushes, one visit after
/// another, `in_flight` visits at once across the province, while the card
/// companies' file is imported.
fn day(runtime: &tokio::runtime::Runtime, db: &str, ledger: &Shared, url: &str) {
    const COUNTERS: usize = 1_486;
    let scale: f64 = env_or("RELIEF_BENCH_SCALE", 1.0);
    let in_flight: usize = env_or("RELIEF_BENCH_IN_FLIGHT", 16);
    let issuances = (431_000.0 * scale) as usize;
    let online = (826_000.0 * scale) as usize;
    let terminals: Vec<Terminal> = (0..COUNTERS).map(|i| enroll(ledger, 100_000 + i)).collect();
    // Per visit: the terminal, the claim's body, the push's body.
    let mut visits: Vec<(usize, Vec<u8>, Vec<u8>)> = Vec::with_capacity(issuances);
    let mut seq = vec![0u64; COUNTERS];
    for n in 0..issuances {
        let t = n % COUNTERS;
        seq[t] += 1;
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&(n as u64).to_be_bytes());
        key[8] = 0xda;
        let key = relief_core::identity::BeneficiaryKey::from_bytes(key);
        let visit = uuid::Uuid::now_v7().to_string();
        let claim = serde_json::to_vec(&relief_protocol::ClaimRequest {
            visit_id: visit.clone(),
            keys: vec![key.to_hex()],
        })
        .unwrap();
        let mut event = events(&terminals[t], 0, 1).remove(0);
        event.seq = seq[t];
        event.event_id = format!("day-{n}");
        if let EventBody::Issuance(p) = &mut event.body {
            p.issuance_id = format!("day-{n}");
            p.verification = relief_protocol::Verification::Online;
            p.visit_id = Some(visit);
            p.beneficiaries[0].key = key.to_hex();
        }
        let push = serde_json::to_vec(&relief_protocol::PushRequest {
            terminal_id: terminals[t].id.clone(),
            events: vec![event],
        })
        .unwrap();
        visits.push((t, claim, push));
    }
    let files: Vec<String> = (0..online)
        .collect::<Vec<_>>()
        .chunks(100_000)
        .map(|chunk| {
            let mut csv = String::from("rrn,sigungu,amount_krw,paid_at,issuer\n");
            for &n in chunk {
                csv.push_str(&person(5_000_000 + n as u64));
                csv.push_str(",41110,100000,2020-04-20T09:00:00,경기지역화폐\n");
            }
            csv
        })
        .collect();
    let tokens: Vec<String> = terminals.iter().map(|t| t.token.clone()).collect();
    println!("[{db}] day: {COUNTERS} counters, {issuances} visits, {online} online rows");

    let importing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let import = {
        let (ledger, importing) = (ledger.clone(), importing.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut imported = 0;
            for csv in files {
                imported += ledger
                    .import_online("gyeonggi-2020", csv.as_bytes())
                    .unwrap()
                    .imported;
            }
            importing.store(false, std::sync::atomic::Ordering::SeqCst);
            (imported, started.elapsed())
        })
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let (claim_url, push_url) = (
        Arc::new(format!("{url}/v1/claims")),
        Arc::new(format!("{url}/v1/push")),
    );
    let tokens = Arc::new(tokens);
    // One visit: the claim (timed), then the push.
    let visit = move |(t, claim, push): (usize, Vec<u8>, Vec<u8>), importing: bool| {
        let (http, tokens, claim_url, push_url) = (
            http.clone(),
            tokens.clone(),
            claim_url.clone(),
            push_url.clone(),
        );
        async move {
            let post = |url: &str, body: Vec<u8>| {
                http.post(url)
                    .bearer_auth(&tokens[t])
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
            };
            let asked = Instant::now();
            let answer = post(claim_url.as_str(), claim).await.unwrap();
            assert!(answer.status().is_success(), "{}", answer.status());
            let answer: relief_protocol::ClaimResponse =
                serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
            let latency = asked.elapsed();
            assert!(matches!(
                answer.results[0],
                relief_protocol::ClaimResult::Granted { .. }
            ));
            let pushed = post(push_url.as_str(), push).await.unwrap();
            assert!(pushed.status().is_success(), "{}", pushed.status());
            (latency, importing)
        }
    };
    // The last visits, a fifth of them, as fast as `in_flight` at once
    // allow: the most claims a second the ledger takes.
    let burst: Vec<_> = visits.split_off(visits.len() - visits.len() / 5);
    // The rest at a steady rate, as counters would send them, beside the import.
    let rate: f64 = env_or("RELIEF_BENCH_RATE", 250.0);
    let started = Instant::now();
    let results = runtime.block_on(async {
        let mut tasks = Vec::with_capacity(visits.len());
        for (n, v) in visits.into_iter().enumerate() {
            tokio::time::sleep_until(
                tokio::time::Instant::from_std(started) + Duration::from_secs_f64(n as f64 / rate),
            )
            .await;
            let importing = importing.load(std::sync::atomic::Ordering::SeqCst);
            tasks.push(tokio::spawn(visit(v, importing)));
        }
        let mut all = Vec::with_capacity(tasks.len());
        for t in tasks {
            all.push(t.await.unwrap());
        }
        all
    });
    let steady = started.elapsed();
    let burst_size = burst.len();
    let burst_started = Instant::now();
    let queue = Arc::new(Mutex::new(burst.into_iter()));
    runtime.block_on(async {
        let workers: Vec<_> = (0..in_flight)
            .map(|_| {
                let (queue, visit) = (queue.clone(), visit.clone());
                tokio::spawn(async move {
                    loop {
                        let next = queue.lock().unwrap().next();
                        let Some(v) = next else { return };
                        visit(v, false).await;
                    }
                })
            })
            .collect();
        for w in workers {
            w.await.unwrap();
        }
    });
    let burst_took = burst_started.elapsed();
    println!(
        "[{db}] day: {} visits at {rate:.0} a second in {steady:.1?}; then {burst_size} with {in_flight} at once in {burst_took:.1?}: {:.0} claims/s, each with its push",
        results.len(),
        burst_size as f64 / burst_took.as_secs_f64()
    );
    let (imported, import_took) = import.join().unwrap();
    let mut during: Vec<Duration> = results
        .iter()
        .filter(|(_, i)| *i)
        .map(|(d, _)| *d)
        .collect();
    let mut after: Vec<Duration> = results
        .iter()
        .filter(|(_, i)| !*i)
        .map(|(d, _)| *d)
        .collect();
    during.sort();
    after.sort();
    println!(
        "[{db}] day: {imported} online payments imported in {import_took:.1?} ({:.0} rows/s) beside the counters",
        imported as f64 / import_took.as_secs_f64()
    );
    for (when, latencies) in [("with the import running", &during), ("after it", &after)] {
        println!(
            "[{db}] day: claim latency {when}: {} claims, median {:.1?}, p99 {:.1?}, max {:.1?}",
            latencies.len(),
            quantile(latencies, 0.5),
            quantile(latencies, 0.99),
            quantile(latencies, 1.0)
        );
    }
}
