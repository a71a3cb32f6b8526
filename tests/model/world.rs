//! The world a sequence runs in: one or two ledgers (SQLite, PostgreSQL,
//! or two over one PostgreSQL) behind an HTTP switch that can lose or
//! double requests, four terminals with real stores, the campaign's
//! people. Built once per test; every sequence starts from a copy of it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use relief_core::identity::{BeneficiaryKey, CampaignSecret, IdentityNumber, synthetic};
use relief_core::policy::builtin;
use relief_core::{Krw, SiteType};
use relief_ledger::{Clock, Ledger, PostgresStorage, SqliteStorage, Storage, StorageError};
use relief_protocol::SiteInfo;
use relief_store::{DataKey, NewClerk, Role, SerialSpec, Session, Store, TerminalSetup, Unlock};
use tower::ServiceExt;
use zeroize::Zeroizing;

pub const PIN: &str = "48291375";
pub const CAMPAIGN: &str = "gyeonggi-2020";
pub const SUWON: &str = "41110";
pub const SEONGNAM: &str = "41130";
/// Cards each terminal holds: more than any sequence hands over.
const CARDS: usize = 400;

/// What the next request of a kind meets on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Never reaches the ledger.
    LostBefore,
    /// The ledger does the work; the answer is lost.
    LostAfter,
    /// Reaches the ledger twice; the second answer comes back.
    Doubled,
}

/// The faults the switch applies, by the path of the request.
#[derive(Default)]
pub struct Network {
    /// Every request fails, as if the ledger were down.
    pub down: bool,
    pub next: Vec<(&'static str, Fault)>,
}

impl Network {
    fn take(&mut self, path: &str) -> Option<Fault> {
        let i = self.next.iter().position(|(p, _)| path.ends_with(p))?;
        Some(self.next.remove(i).1)
    }
}

/// A ledger in service behind the switch; replaced on restart and restore.
struct Switch {
    router: RwLock<Option<Router>>,
    network: Arc<Mutex<Network>>,
}

fn unavailable() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, "the ledger is away").into_response()
}

async fn call(router: &Router, parts: &axum::http::request::Parts, body: &[u8]) -> Response {
    let mut request = Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone())
        .version(parts.version);
    for (name, value) in &parts.headers {
        request = request.header(name, value);
    }
    let request = request.body(Body::from(body.to_vec())).unwrap();
    router.clone().oneshot(request).await.unwrap()
}

async fn forward(State(switch): State<Arc<Switch>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let fault = {
        let mut network = switch.network.lock().unwrap();
        if network.down {
            return unavailable();
        }
        network.take(parts.uri.path())
    };
    let Some(router) = switch.router.read().unwrap().clone() else {
        return unavailable();
    };
    match fault {
        None => call(&router, &parts, &body).await,
        Some(Fault::LostBefore) => unavailable(),
        Some(Fault::LostAfter) => {
            let _ = call(&router, &parts, &body).await;
            unavailable()
        }
        Some(Fault::Doubled) => {
            let _ = call(&router, &parts, &body).await;
            call(&router, &parts, &body).await
        }
    }
}

/// The ledger's database, however it runs.
pub enum Backend {
    Sqlite { dir: PathBuf },
    Postgres { url: String, schema: String },
}

/// A PostgreSQL storage several ledgers can be made over, as a ledger
/// process restarting would reconnect to the same database.
#[derive(Clone)]
pub struct Shared(Arc<PostgresStorage>);

impl Storage for Shared {
    fn transaction<T, E: From<StorageError>>(
        &self,
        work: impl FnOnce(&mut dyn relief_ledger::storage::Db) -> Result<T, E>,
    ) -> Result<T, E> {
        self.0.transaction(work)
    }
    fn read<T, E: From<StorageError>>(
        &self,
        work: impl FnOnce(&mut dyn relief_ledger::storage::Db) -> Result<T, E>,
    ) -> Result<T, E> {
        self.0.read(work)
    }
    fn dialect(&self) -> &'static str {
        "postgres"
    }
    fn reclaim(&self, tables: &[&str]) -> Result<(), StorageError> {
        self.0.reclaim(tables)
    }
}

pub enum AnyLedger {
    Sqlite(Arc<Ledger<SqliteStorage>>),
    Postgres(Arc<Ledger<Shared>>),
}

impl AnyLedger {
    fn router(&self) -> Router {
        match self {
            AnyLedger::Sqlite(l) => relief_ledger::http::router(l.clone()),
            AnyLedger::Postgres(l) => relief_ledger::http::router(l.clone()),
        }
    }

    pub fn import(&self, csv: &str) -> relief_ledger::service::ImportReport {
        match self {
            AnyLedger::Sqlite(l) => l.import_online(CAMPAIGN, csv.as_bytes()),
            AnyLedger::Postgres(l) => l.import_online(CAMPAIGN, csv.as_bytes()),
        }
        .unwrap()
    }

    /// Reads rows: `map` gets each.
    pub fn rows<T>(&self, sql: &str, map: impl Fn(&relief_ledger::storage::Row) -> T) -> Vec<T> {
        let read = |db: &mut dyn relief_ledger::storage::Db| -> Result<Vec<T>, StorageError> {
            Ok(db.query(sql, &[])?.iter().map(&map).collect())
        };
        match self {
            AnyLedger::Sqlite(l) => l.storage().read(read),
            AnyLedger::Postgres(l) => l.storage().read(read),
        }
        .unwrap()
    }
}

/// One of the four counters.
pub struct Terminal {
    pub sigungu: &'static str,
    pub id: String,
    /// Where its store lives while a sequence runs.
    pub path: PathBuf,
    /// Its data key, held as the running app holds it: each sequence
    /// opens a fresh copy without a supervisor's (slow) PIN derivation.
    key: DataKey,
}

/// Someone of the campaign.
pub struct Person {
    pub number: Zeroizing<String>,
    pub key: BeneficiaryKey,
    pub sigungu: &'static str,
}

pub struct World {
    pub runtime: tokio::runtime::Runtime,
    backend: Backend,
    storages: Vec<Option<Shared>>,
    switches: Vec<Arc<Switch>>,
    pub network: Arc<Mutex<Network>>,
    pub ledgers: Vec<AnyLedger>,
    pub terminals: Vec<Terminal>,
    pub people: Vec<Person>,
    /// The card issuer's credential at the ledger.
    pub issuer_token: String,
    supervisor: Option<Session>,
    clock: Arc<AtomicI64>,
    template: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2020, 5, 18)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap()
}

/// The campaign as the sequences run it: Gyeonggi 2020, offline issuance
/// allowed without a supervisor's PIN (which only slows a simulation; the
/// approval has tests of its own).
fn policy() -> String {
    builtin::GYEONGGI_2020
        .replace("version = \"2020.1\"", "version = \"2020.sim\"")
        .replace("offline_mode = \"supervisor\"", "offline_mode = \"allow\"")
}

/// A folder in memory where there is one: the simulation commits
/// thousands of transactions, and what it tests is not the disk.
pub fn scratch_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("relief-model")
        .tempdir_in(if Path::new("/dev/shm").is_dir() {
            "/dev/shm"
        } else {
            "/tmp"
        })
        .unwrap()
}

impl World {
    pub fn new(backend: Backend, ledgers: usize) -> World {
        let dir = scratch_dir();
        let template = dir.path().join("template");
        std::fs::create_dir_all(&template).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let network = Arc::new(Mutex::new(Network::default()));
        let switches: Vec<Arc<Switch>> = (0..ledgers)
            .map(|_| {
                Arc::new(Switch {
                    router: RwLock::new(None),
                    network: network.clone(),
                })
            })
            .collect();
        let addresses: Vec<String> = switches
            .iter()
            .map(|switch| {
                let app = Router::new().fallback(forward).with_state(switch.clone());
                let listener = runtime
                    .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
                    .unwrap();
                let address = listener.local_addr().unwrap();
                runtime.spawn(async move { axum::serve(listener, app).await });
                format!("http://{address}")
            })
            .collect();
        let mut world = World {
            runtime,
            backend,
            storages: vec![None; ledgers],
            switches,
            network,
            ledgers: Vec::new(),
            terminals: Vec::new(),
            people: Vec::new(),
            issuer_token: String::new(),
            supervisor: None,
            clock: Arc::new(AtomicI64::new(0)),
            template,
            _dir: dir,
        };
        world.open_ledgers(true);
        world.ledger_publish(&policy());
        let sites = [
            ("41110-A", SiteType::Center, SUWON, 0),
            ("41110-N", SiteType::Nh, SUWON, 0),
            ("41110-B", SiteType::Center, SUWON, ledgers - 1),
            ("41130-C", SiteType::Center, SEONGNAM, ledgers - 1),
        ];
        let secret = CampaignSecret::from_bytes(vec![9; 32]).unwrap();
        for (i, (code, kind, sigungu, ledger)) in sites.into_iter().enumerate() {
            let path = world._dir.path().join(format!("terminal-{i}.sqlite3"));
            let (store, supervisor) =
                set_up_store(&world.template, i, code, kind, sigungu, &secret);
            let key = store.data_key().clone();
            drop(store);
            world.supervisor = Some(supervisor.clone());
            let made = world.enrollment_code(ledger, code, kind, sigungu);
            let store = Mutex::new(
                Store::open(
                    &world.template.join(format!("terminal-{i}.sqlite3")),
                    Unlock::Key(&key),
                    start(),
                )
                .unwrap(),
            );
            let enrollment = world
                .runtime
                .block_on(relief_sync::enroll(
                    &store,
                    &supervisor,
                    &addresses[ledger],
                    &made,
                    None,
                    start() - Duration::hours(1),
                ))
                .unwrap();
            world.terminals.push(Terminal {
                sigungu,
                id: enrollment.terminal_id,
                path,
                key,
            });
        }
        let keys_from = Store::open(
            &world.template.join("terminal-0.sqlite3"),
            Unlock::Key(&world.terminals[0].key),
            start(),
        )
        .unwrap();
        for n in 0..8u32 {
            let number = person_number(n);
            let key = keys_from.beneficiary_key(&IdentityNumber::parse(&number).unwrap());
            world.people.push(Person {
                number,
                key,
                sigungu: if n < 6 { SUWON } else { SEONGNAM },
            });
        }
        drop(keys_from);
        world.issuer_token = match &world.ledgers[0] {
            AnyLedger::Sqlite(l) => l.create_token(relief_ledger::service::Role::CardIssuer),
            AnyLedger::Postgres(l) => l.create_token(relief_ledger::service::Role::CardIssuer),
        }
        .unwrap();
        world.close_ledgers();
        world.save_ledger_as("template");
        world
    }

    /// The card issuer's request to the first ledger, through the switch
    /// (and whatever fault waits for its path): the status and body, as
    /// the issuer would see them.
    pub fn issuer_request(&self, method: &str, uri: &str, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {}", self.issuer_token))
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let app = Router::new()
            .fallback(forward)
            .with_state(self.switches[0].clone());
        self.runtime.block_on(async {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, body.to_vec())
        })
    }

    /// Every terminal's supervisor (the same employee, signed in once:
    /// a session is not tied to one open store).
    pub fn supervisor(&self) -> &Session {
        self.supervisor.as_ref().expect("set up with the terminals")
    }

    fn enrollment_code(&self, ledger: usize, code: &str, kind: SiteType, sigungu: &str) -> String {
        let site = SiteInfo {
            code: code.into(),
            name: format!("{code} 창구"),
            site_type: kind,
            sigungu: sigungu.into(),
        };
        match &self.ledgers[ledger] {
            AnyLedger::Sqlite(l) => l.create_enrollment_code(&site, None),
            AnyLedger::Postgres(l) => l.create_enrollment_code(&site, None),
        }
        .unwrap()
        .code
    }

    fn ledger_publish(&self, toml: &str) {
        match &self.ledgers[0] {
            AnyLedger::Sqlite(l) => l.publish_policy(toml),
            AnyLedger::Postgres(l) => l.publish_policy(toml),
        }
        .unwrap();
    }

    fn ledger_clock(&self) -> Clock {
        let offset = self.clock.clone();
        Arc::new(move || start() + Duration::seconds(offset.load(Ordering::SeqCst)))
    }

    /// The time now, for the ledger and the counters alike.
    pub fn now(&self) -> NaiveDateTime {
        start() + Duration::seconds(self.clock.load(Ordering::SeqCst))
    }

    pub fn tick(&self) {
        self.clock.fetch_add(60, Ordering::SeqCst);
    }

    fn sqlite_path(&self) -> PathBuf {
        match &self.backend {
            Backend::Sqlite { dir } => dir.join("ledger.sqlite3"),
            Backend::Postgres { .. } => unreachable!(),
        }
    }

    /// Starts the ledgers on what their database holds (a restart, as far
    /// as anything they kept in memory goes).
    fn open_ledgers(&mut self, fresh: bool) {
        self.ledgers.clear();
        for i in 0..self.switches.len() {
            let ledger = match &self.backend {
                Backend::Sqlite { .. } => AnyLedger::Sqlite(Arc::new(
                    Ledger::new(
                        SqliteStorage::open(&self.sqlite_path()).unwrap(),
                        self.ledger_clock(),
                    )
                    .unwrap(),
                )),
                Backend::Postgres { url, schema } => {
                    if fresh || self.storages[i].is_none() {
                        let storage = PostgresStorage::connect(&format!(
                            "{url}?options=-csearch_path%3D{schema}"
                        ))
                        .unwrap();
                        self.storages[i] = Some(Shared(Arc::new(storage)));
                    }
                    let storage = self.storages[i].clone().unwrap();
                    AnyLedger::Postgres(Arc::new(
                        Ledger::new(storage, self.ledger_clock()).unwrap(),
                    ))
                }
            };
            *self.switches[i].router.write().unwrap() = Some(ledger.router());
            self.ledgers.push(ledger);
        }
    }

    fn close_ledgers(&mut self) {
        for switch in &self.switches {
            *switch.router.write().unwrap() = None;
        }
        self.ledgers.clear();
    }

    /// The ledgers stop and start again on the same database.
    pub fn restart(&mut self) {
        self.close_ledgers();
        self.open_ledgers(false);
    }

    /// Copies the ledger's database aside, as a backup would.
    pub fn save_ledger_as(&self, name: &str) {
        match &self.backend {
            Backend::Sqlite { dir } => {
                let copy = dir.join(format!("{name}.sqlite3"));
                let _ = std::fs::remove_file(&copy);
                let conn = rusqlite::Connection::open(self.sqlite_path()).unwrap();
                conn.execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
                    .unwrap();
            }
            Backend::Postgres { url, schema } => {
                pg_copy(url, schema, &format!("{schema}_{name}"));
            }
        }
    }

    /// Stops the ledgers, puts the database back as it was saved, starts
    /// them again: what an operator restoring a backup does.
    pub fn restore_ledger(&mut self, name: &str) {
        self.close_ledgers();
        match &self.backend {
            Backend::Sqlite { dir } => {
                let main = self.sqlite_path();
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", main.display()));
                }
                std::fs::copy(dir.join(format!("{name}.sqlite3")), &main).unwrap();
            }
            Backend::Postgres { url, schema } => {
                pg_copy(url, &format!("{schema}_{name}"), schema);
            }
        }
        self.open_ledgers(false);
    }

    /// A new sequence: the ledger and every terminal as they were built.
    pub fn reset(&mut self) -> Vec<Mutex<Store>> {
        *self.network.lock().unwrap() = Network::default();
        self.clock.store(0, Ordering::SeqCst);
        self.restore_ledger("template");
        self.terminals
            .iter()
            .enumerate()
            .map(|(i, t)| {
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", t.path.display()));
                }
                let template = self.template.join(format!("terminal-{i}.sqlite3"));
                std::fs::copy(&template, &t.path).unwrap();
                std::fs::copy(
                    format!("{}.keys", template.display()),
                    format!("{}.keys", t.path.display()),
                )
                .unwrap();
                Mutex::new(Store::open(&t.path, Unlock::Key(&t.key), start()).unwrap())
            })
            .collect()
    }
}

/// A terminal's store as its supervisor sets it up: the site, the
/// supervisor, its cards.
fn set_up_store(
    dir: &Path,
    i: usize,
    code: &str,
    kind: SiteType,
    sigungu: &str,
    secret: &CampaignSecret,
) -> (Store, Session) {
    let at = start() - Duration::hours(2);
    let (mut store, _recovery) = Store::init(
        &dir.join(format!("terminal-{i}.sqlite3")),
        TerminalSetup {
            eupmyeondong: None,
            site_code: code.into(),
            site_name: format!("{code} 창구"),
            site_type: kind,
            sigungu: sigungu.parse().unwrap(),
            demo: true,
            policy_file: "gyeonggi-2020.toml".into(),
            policy_text: builtin::GYEONGGI_2020.into(),
            secret: CampaignSecret::from_bytes(secret.expose_bytes().to_vec()).unwrap(),
        },
        at,
    )
    .unwrap();
    store
        .add_clerk(
            None,
            NewClerk {
                employee_id: "S001".into(),
                name: "감독".into(),
                role: Role::Supervisor,
                pin: Zeroizing::new(PIN.into()),
            },
            at,
        )
        .unwrap();
    let supervisor = store.sign_in("S001", PIN, at).unwrap();
    store
        .receive_stock(
            &supervisor,
            &SerialSpec::Range {
                first: format!("T{i}-0001"),
                last: format!("T{i}-{CARDS:04}"),
            },
            Krw(3_000_000),
            "",
            at,
        )
        .unwrap();
    (store, supervisor)
}

pub fn person_number(n: u32) -> Zeroizing<String> {
    synthetic::number(
        NaiveDate::from_ymd_opt(1960, 3, 1).unwrap() + Duration::days(i64::from(n) * 37),
        false,
        n % 2 == 1,
        n + 1,
    )
}

/// Copies every table of schema `from` into `to` (made if missing), the
/// serial counters too: a PostgreSQL backup and its restore.
fn pg_copy(url: &str, from: &str, to: &str) {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let tables: Vec<String> = client
        .query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
            &[&from],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut sql =
        format!("SET session_replication_role = replica; CREATE SCHEMA IF NOT EXISTS {to};");
    for t in &tables {
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {to}.{t} (LIKE {from}.{t} INCLUDING ALL);"
        ));
    }
    let list: Vec<String> = tables.iter().map(|t| format!("{to}.{t}")).collect();
    sql.push_str(&format!("TRUNCATE {};", list.join(", ")));
    for t in &tables {
        sql.push_str(&format!("INSERT INTO {to}.{t} SELECT * FROM {from}.{t};"));
    }
    // The serial counters go back with the rows: each of `to`'s own is set
    // past its highest id (a copy made with `LIKE` owns none: NULL, a no-op).
    let serials = client
        .query(
            "SELECT table_name, column_name FROM information_schema.columns
             WHERE table_schema = $1 AND column_default LIKE 'nextval%'",
            &[&from],
        )
        .unwrap();
    for row in &serials {
        let (t, c): (String, String) = (row.get(0), row.get(1));
        sql.push_str(&format!(
            "SELECT setval(pg_get_serial_sequence('{to}.{t}', '{c}'), (SELECT coalesce(max({c}), 0) + 1 FROM {to}.{t}), false);"
        ));
    }
    sql.push_str("SET session_replication_role = DEFAULT;");
    client.batch_execute(&sql).unwrap();
}
