//! The ways a second card was once handed over, or a person refused for
//! good, each tried again end to end through the real programs: a ledger
//! process, `relief` on each terminal's folder, and a proxy between them
//! where the network must misbehave. (The class they belong to is explored
//! by the model test, `model/`.)

mod support;

use std::path::Path;
use std::process::Output;

use relief_core::identity::IdentityNumber;
use relief_system_tests::open_store;
use relief_system_tests::process::LedgerProcess;
use relief_system_tests::proxy::{FaultProxy, Faults};
use relief_system_tests::resident;
use serde_json::Value;
use support::*;

/// A refusal: the exit status, and the error as `--json` puts it.
fn refused(output: Output) -> (i32, Value) {
    assert!(
        !output.status.success(),
        "expected a refusal, got {output:?}"
    );
    let error = serde_json::from_slice(&output.stderr)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap(), error)
}

fn key_of(dir: &Path, person: u64) -> relief_core::identity::BeneficiaryKey {
    open_store(&dir.join("terminal.sqlite3"))
        .unwrap()
        .beneficiary_key(&IdentityNumber::parse(&resident(person)).unwrap())
}

fn on_deny_list(dir: &Path, person: u64) -> bool {
    let key = key_of(dir, person);
    open_store(&dir.join("terminal.sqlite3"))
        .unwrap()
        .deny_entry(&key)
        .unwrap()
        .is_some()
}

/// What the ledger says stands for a person (a payment's name), if any.
fn standing(ledger: &LedgerProcess, dir: &Path, person: u64) -> Option<String> {
    let key = key_of(dir, person);
    rusqlite::Connection::open(ledger.db())
        .unwrap()
        .query_row(
            "SELECT standing_ref FROM entitlement WHERE beneficiary_key = ?1",
            [key.as_bytes().as_slice()],
            |r| r.get(0),
        )
        .unwrap()
}

fn terminal_id(ledger: &LedgerProcess, site: &str) -> String {
    rusqlite::Connection::open(ledger.db())
        .unwrap()
        .query_row(
            "SELECT id FROM terminal WHERE site_code = ?1",
            [site],
            |r| r.get(0),
        )
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

/// A ledger, terminal A behind a proxy that can misbehave, terminal B
/// straight to the ledger. The runtime keeps the proxy running: bind it
/// by name, since `..` would drop it at once.
struct BehindAProxy {
    ledger: LedgerProcess,
    _runtime: tokio::runtime::Runtime,
    proxy: FaultProxy,
    a: std::path::PathBuf,
    b: std::path::PathBuf,
}

fn a_behind_a_proxy(dir: &Path) -> BehindAProxy {
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir);
    let rt = runtime();
    let proxy = rt.block_on(FaultProxy::start(ledger.addr));
    let (a, b) = (dir.join("a"), dir.join("b"));
    terminal(&a, &ledger, &proxy.url(), "41110-515", "center", "GG", 10);
    terminal(&b, &ledger, &ledger.url(), "41110-NH1", "nh", "NH", 10);
    BehindAProxy {
        ledger,
        _runtime: rt,
        proxy,
        a,
        b,
    }
}

#[test]
fn a_counter_whose_push_failed_keeps_its_claim_when_the_person_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let BehindAProxy {
        ledger,
        proxy,
        a,
        b,
        _runtime,
    } = a_behind_a_proxy(dir.path());
    // The ledger answers claims, and 503 to every push of A's.
    proxy.set(Faults {
        only: Some("/v1/push"),
        answer: Some((503, r#"{"error":"unavailable","message":"잠시 후"}"#)),
        ..Faults::default()
    });
    let first = json(issue(&a, 1, "GG-0001", "2020-05-18T10:00"));
    assert_eq!(first["offline"], false, "claimed online");

    // The person comes back to A: refused, and A lets go of nothing.
    let (code, error) = refused(issue(&a, 1, "GG-0002", "2020-05-18T10:10"));
    assert_eq!(
        (code, error["error"].as_str()),
        (3, Some("already_paid_here"))
    );
    // So B is not granted them: A's card is out, its push late.
    let (code, error) = refused(issue(&b, 1, "NH-0001", "2020-05-18T10:20"));
    assert_eq!(
        (code, error["error"].as_str()),
        (3, Some("being_served")),
        "{error}"
    );

    proxy.set(Faults::default());
    assert_eq!(sync(&a)["pushed"]["accepted"], 1);
    let (_, error) = refused(issue(&b, 1, "NH-0001", "2020-05-18T10:30"));
    assert_eq!(error["error"], "paid_elsewhere");
    assert_eq!(ledger_count(&ledger, "SELECT count(*) FROM issuance"), 1);
    assert_eq!(ledger_count(&ledger, "SELECT count(*) FROM conflict"), 0);
    // B's two visits ended at the ledger saying why by code only: their
    // messages mask the person, which is not the ledger's to keep.
    let said = |code: &str| {
        ledger_count(
            &ledger,
            &format!("SELECT count(*) FROM visit_end WHERE reason = '{code}'"),
        )
    };
    assert_eq!((said("being_served"), said("paid_elsewhere")), (1, 1));
    assert_eq!(
        ledger_count(
            &ledger,
            "SELECT count(*) FROM visit_end WHERE reason LIKE '%*%'"
        ),
        0
    );
}

#[test]
fn accepting_both_then_voiding_the_standing_payment_leaves_the_other_standing() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    terminal(&a, &ledger, &ledger.url(), "41110-515", "center", "GA", 10);
    terminal(&b, &ledger, &ledger.url(), "41110-NH1", "nh", "GB", 10);
    terminal(&c, &ledger, &ledger.url(), "41110-516", "center", "GC", 10);
    ledger.kill();
    let on_a = json(issue(&a, 2, "GA-0001", "2020-05-18T10:00"));
    let on_b = json(issue(&b, 2, "GB-0001", "2020-05-18T10:05"));
    ledger.restart();
    sync(&a);
    assert_eq!(sync(&b)["pushed"]["duplicates"], 1);
    let conflict = conflicts(&b)[0]["id"].clone();
    // B's supervisor accepts both; then A's supervisor voids A's.
    accept(&b, &conflict);
    sync(&b);
    sync(&a);
    void(&a, &on_a["issuance_id"]);
    sync(&a);
    for t in [&a, &b, &c] {
        sync(t);
    }
    // B's payment still stands: nobody is released, and C refuses.
    assert_eq!(
        standing(&ledger, &a, 2),
        Some(format!(
            "issuance:{}",
            on_b["issuance_id"].as_str().unwrap()
        ))
    );
    assert!(on_deny_list(&c, 2) && on_deny_list(&a, 2));
    let (_, error) = refused(issue(&c, 2, "GC-0001", "2020-05-18T14:00"));
    assert_eq!(error["error"], "paid_elsewhere");
    assert_eq!(
        ledger_count(&ledger, "SELECT count(*) FROM feed WHERE kind = 'released'"),
        0
    );
}

#[test]
fn a_void_of_the_standing_payment_puts_the_other_two_in_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    terminal(&a, &ledger, &ledger.url(), "41110-515", "center", "GA", 10);
    terminal(&b, &ledger, &ledger.url(), "41110-NH1", "nh", "GB", 10);
    terminal(&c, &ledger, &ledger.url(), "41110-516", "center", "GC", 10);
    let on_a = json(issue(&a, 3, "GA-0001", "2020-05-18T10:00"));
    assert_eq!(on_a["offline"], false);
    // B and C pay the same person while the ledger is away.
    ledger.kill();
    let on_b = json(issue(&b, 3, "GB-0001", "2020-05-18T10:05"));
    let on_c = json(issue(&c, 3, "GC-0001", "2020-05-18T10:06"));
    ledger.restart();
    sync(&b);
    sync(&c);
    void(&a, &on_a["issuance_id"]);
    for t in [&a, &b, &c, &a, &b, &c] {
        sync(t);
    }
    // B stands now, and B against C is a conflict both see open.
    let ids = |v: &Value| v.as_str().unwrap().to_owned();
    let between_b_and_c = |list: Vec<Value>| {
        list.into_iter().find(|x| {
            let pair = [
                x["standing"]["issuance_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                x["other"]["issuance_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ];
            pair.contains(&ids(&on_b["issuance_id"])) && pair.contains(&ids(&on_c["issuance_id"]))
        })
    };
    for t in [&b, &c] {
        let conflict = between_b_and_c(conflicts(t)).expect("B against C is recorded");
        assert_eq!(conflict["status"], "open");
    }
    assert!(
        conflicts(&a)
            .iter()
            .all(|x| x["status"] == "resolved_by_void")
    );
    assert_eq!(
        standing(&ledger, &a, 3),
        Some(format!("issuance:{}", ids(&on_b["issuance_id"])))
    );
}

#[test]
fn an_answer_from_the_ledger_is_never_an_offline_payment() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let rt = runtime();
    let proxy = rt.block_on(FaultProxy::start(ledger.addr));
    let a = dir.path().join("a");
    terminal(&a, &ledger, &proxy.url(), "41110-515", "center", "GG", 10);
    for (status, body) in [
        (409, r#"{"error":"claim_race","message":"다시 시도하세요"}"#),
        (
            401,
            r#"{"error":"unauthorized","message":"인증이 필요합니다"}"#,
        ),
        (
            422,
            r#"{"error":"invalid_body","message":"요청 내용이 맞지 않습니다"}"#,
        ),
    ] {
        proxy.set(Faults {
            only: Some("/v1/claims"),
            answer: Some((status, body)),
            ..Faults::default()
        });
        let (code, error) = refused(issue(&a, 4, "GG-0001", "2020-05-18T10:00"));
        assert_eq!(
            (code, error["error"].as_str()),
            (3, Some("ledger_refused")),
            "HTTP {status}: {error}"
        );
    }
    let store = open_store(&a.join("terminal.sqlite3")).unwrap();
    assert_eq!(
        store.issuance_count().unwrap(),
        0,
        "nothing was issued offline"
    );
    assert_eq!(store.stock().unwrap().on_hand(), 10);
}

/// The backup and restore of a ledger's database, however it is kept.
trait Restorable {
    fn ledger(&mut self) -> &mut LedgerProcess;
    fn back_up(&mut self);
    fn restore(&mut self);
    fn count(&self, sql: &str) -> i64;
}

struct SqliteLedger {
    ledger: LedgerProcess,
    copy: std::path::PathBuf,
}

impl Restorable for SqliteLedger {
    fn ledger(&mut self) -> &mut LedgerProcess {
        &mut self.ledger
    }
    /// A copy taken while the ledger runs, as a nightly backup would.
    fn back_up(&mut self) {
        rusqlite::Connection::open(self.ledger.db())
            .unwrap()
            .execute("VACUUM INTO ?1", [self.copy.to_str().unwrap()])
            .unwrap();
    }
    fn restore(&mut self) {
        self.ledger.kill();
        let db = self.ledger.db().to_owned();
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        std::fs::copy(&self.copy, &db).unwrap();
        self.ledger.restart();
    }
    fn count(&self, sql: &str) -> i64 {
        ledger_count(&self.ledger, sql)
    }
}

struct PostgresLedger {
    ledger: LedgerProcess,
    server: String,
    name: String,
}

impl PostgresLedger {
    fn admin(&self, sql: &str) {
        postgres::Client::connect(&relief_testkit::postgres::url(), postgres::NoTls)
            .unwrap()
            .batch_execute(sql)
            .unwrap();
    }
}

impl Restorable for PostgresLedger {
    fn ledger(&mut self) -> &mut LedgerProcess {
        &mut self.ledger
    }
    /// A database copied from another needs it idle: the ledger stops
    /// for the copy, as for a cold backup.
    fn back_up(&mut self) {
        self.ledger.kill();
        let name = &self.name;
        self.admin(&format!("CREATE DATABASE {name}_copy TEMPLATE {name}"));
        self.ledger.restart();
    }
    fn restore(&mut self) {
        self.ledger.kill();
        let name = &self.name;
        self.admin(&format!("DROP DATABASE {name}"));
        self.admin(&format!("CREATE DATABASE {name} TEMPLATE {name}_copy"));
        self.ledger.restart();
    }
    fn count(&self, sql: &str) -> i64 {
        postgres::Client::connect(&format!("{}/{}", self.server, self.name), postgres::NoTls)
            .unwrap()
            .query_one(sql, &[])
            .unwrap()
            .get(0)
    }
}

impl Drop for PostgresLedger {
    fn drop(&mut self) {
        self.ledger.kill();
        let name = &self.name;
        if let Ok(mut c) =
            postgres::Client::connect(&relief_testkit::postgres::url(), postgres::NoTls)
        {
            for db in [name.clone(), format!("{name}_copy")] {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"));
            }
        }
    }
}

/// A, B in one 시군: A pays three people, the ledger is restored to a
/// copy taken after the first, and must end up with each payment once.
fn a_restored_ledger_gets_what_it_lost_once(db: &mut dyn Restorable, dir: &Path) {
    let (a, b) = (dir.join("a"), dir.join("b"));
    let url = db.ledger().url();
    terminal(&a, db.ledger(), &url, "41110-515", "center", "GG", 10);
    terminal(&b, db.ledger(), &url, "41110-NH1", "nh", "NH", 10);
    json(issue(&a, 11, "GG-0001", "2020-05-18T10:00"));
    db.back_up();
    json(issue(&a, 12, "GG-0002", "2020-05-18T10:01"));
    json(issue(&a, 13, "GG-0003", "2020-05-18T10:02"));
    sync(&b);
    assert_eq!(db.count("SELECT count(*) FROM issuance"), 3);

    db.restore();
    assert_eq!(
        db.count("SELECT count(*) FROM issuance"),
        1,
        "the copy had one"
    );
    // B still refuses person 13 from its own deny-list.
    let (_, error) = refused(issue(&b, 13, "NH-0001", "2020-05-18T10:10"));
    assert_eq!(error["error"], "paid_elsewhere");
    // A's next sync sends what the ledger lost, from the first it lacks.
    let report = sync(&a);
    assert_eq!(report["pushed"]["resent_from"], 2, "{report}");
    let again = sync(&a);
    assert_eq!(again["pushed"]["sent"], 0);
    for sql in [
        "SELECT count(*) FROM issuance",
        "SELECT count(*) FROM event",
        "SELECT count(DISTINCT payment_ref) FROM payment",
    ] {
        assert_eq!(db.count(sql), 3, "{sql}");
    }
    assert_eq!(db.count("SELECT count(*) FROM conflict"), 0);
    // B's cursor was past what the copy holds: it starts over, and keeps
    // refusing all three.
    assert_eq!(sync(&b)["pulled"]["reset"], true);
    for person in [11, 12, 13] {
        assert!(on_deny_list(&b, person), "person {person}");
    }
}

#[test]
fn a_ledger_restored_from_an_earlier_copy_gets_what_it_lost_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = SqliteLedger {
        ledger: LedgerProcess::start(LEDGER.as_ref(), dir.path()),
        copy: dir.path().join("copy.sqlite3"),
    };
    a_restored_ledger_gets_what_it_lost_once(&mut db, dir.path());
}

#[test]
fn a_ledger_restored_from_an_earlier_copy_gets_what_it_lost_once_on_postgres() {
    let Some(mut admin) = relief_testkit::postgres::admin(
        "a_ledger_restored_from_an_earlier_copy_gets_what_it_lost_once_on_postgres",
    ) else {
        return;
    };
    let server = relief_testkit::postgres::server();
    let name = format!("relief_restore_{}", fastrand::u32(..));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    drop(admin);
    let dir = tempfile::tempdir().unwrap();
    let mut db = PostgresLedger {
        ledger: LedgerProcess::start_on_postgres(LEDGER.as_ref(), &format!("{server}/{name}")),
        server,
        name,
    };
    a_restored_ledger_gets_what_it_lost_once(&mut db, dir.path());
}

#[test]
fn a_counters_own_void_does_not_stick_on_its_deny_list() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    terminal(&a, &ledger, &ledger.url(), "41110-515", "center", "GG", 10);
    terminal(&b, &ledger, &ledger.url(), "41110-NH1", "nh", "NH", 10);
    let first = json(issue(&a, 6, "GG-0001", "2020-05-18T10:00"));
    // Voided, and the person back before the void reached the ledger.
    void(&a, &first["issuance_id"]);
    let second = json(issue(&a, 6, "GG-0002", "2020-05-18T13:10"));
    assert_eq!(
        second["offline"], false,
        "the void went first, then the claim"
    );
    for t in [&a, &b, &a] {
        sync(t);
    }
    assert!(
        !on_deny_list(&a, 6),
        "A's own payment is not on A's deny-list"
    );
    assert!(on_deny_list(&b, 6));
    assert_eq!(
        standing(&ledger, &a, 6),
        Some(format!(
            "issuance:{}",
            second["issuance_id"].as_str().unwrap()
        ))
    );
    // Voided again: A and B may both serve the person.
    void(&a, &second["issuance_id"]);
    for t in [&a, &b] {
        sync(t);
    }
    assert!(!on_deny_list(&a, 6) && !on_deny_list(&b, 6));
    assert_eq!(
        json(issue(&b, 6, "NH-0001", "2020-05-18T14:00"))["offline"],
        false
    );
}

#[test]
fn a_claim_withdrawn_by_an_admin_lets_the_late_push_meet_the_new_payment() {
    let dir = tempfile::tempdir().unwrap();
    let BehindAProxy {
        ledger,
        proxy,
        a,
        b,
        _runtime,
    } = a_behind_a_proxy(dir.path());
    proxy.set(Faults {
        only: Some("/v1/push"),
        drop_request: 100,
        ..Faults::default()
    });
    let on_a = json(issue(&a, 7, "GG-0001", "2020-05-18T10:00"));
    assert_eq!(on_a["offline"], false);
    // However long A's push takes, its claim holds.
    let (_, error) = refused(issue(&b, 7, "NH-0001", "2020-05-18T11:00"));
    assert_eq!(error["error"], "being_served");
    // A's PC is declared lost: an admin withdraws its claims.
    let a_id = terminal_id(&ledger, "41110-515");
    ledger.admin(&[
        "withdraw-claims",
        "--terminal",
        &a_id,
        "--reason",
        "PC 분실",
    ]);
    let on_b = json(issue(&b, 7, "NH-0001", "2020-05-18T11:10"));
    assert_eq!(on_b["offline"], false);
    // A comes back after all: its push is recorded, and is a conflict.
    proxy.set(Faults::default());
    assert_eq!(sync(&a)["pushed"]["duplicates"], 1);
    sync(&b);
    sync(&a);
    assert_eq!(conflicts(&a).len(), 1);
    assert_eq!(conflicts(&b).len(), 1);
    assert_eq!(conflicts(&b)[0]["status"], "open");
}

#[test]
fn the_command_line_says_5_when_the_ledger_cannot_be_reached() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let a = dir.path().join("a");
    terminal(&a, &ledger, &ledger.url(), "41110-515", "center", "GG", 10);
    ledger.kill();
    let output = relief(&a)
        .args(["sync", "--retries", "0", "--json"])
        .output()
        .unwrap();
    let (code, error) = refused(output);
    assert_eq!(
        (code, error["error"].as_str()),
        (5, Some("ledger_unreachable"))
    );
}

#[test]
fn a_malformed_application_never_echoes_the_identity_number() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let a = dir.path().join("a");
    terminal(&a, &ledger, &ledger.url(), "41110-515", "center", "GG", 10);
    let digits: String = resident(9).chars().filter(char::is_ascii_digit).collect();
    // A number where a string belongs, in the applicant and in a family member.
    for application in [
        format!(
            r#"{{"applicant": {{"rrn": {digits}, "name": "주민", "id_document": "resident_card"}},
                "beneficiaries": [{{"relation": "self", "household_size": 1}}], "cards": ["GG-0001"]}}"#
        ),
        format!(
            r#"{{"applicant": {{"rrn": "{}", "name": "주민", "id_document": "resident_card"}},
                "beneficiaries": [{{"rrn": {digits}, "name": "가족", "relation": "spouse", "household_size": 2}}],
                "cards": ["GG-0001"]}}"#,
            &*resident(8)
        ),
    ] {
        let output = relief(&a)
            .args([
                "issue",
                "--clerk",
                "S001",
                "--json",
                "--at",
                "2020-05-18T10:00",
            ])
            .write_stdin_str(&application);
        let text = String::from_utf8_lossy(&output.stderr).into_owned()
            + &String::from_utf8_lossy(&output.stdout);
        // Said without the text, which would hold the number.
        assert!(!text.contains(&digits), "the number was echoed");
        assert!(
            !text.contains(&digits[..6]),
            "part of the number was echoed"
        );
        let (code, error) = refused(output);
        assert_eq!((code, error["error"].as_str()), (2, Some("input")));
        assert!(
            error["message"].as_str().unwrap().contains("rrn"),
            "{error}"
        );
    }
}
