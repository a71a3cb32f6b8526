//! What the system tests through processes share: the `relief` command on
//! a terminal's folder, terminals set up and enrolled as a supervisor
//! would, applications, and reading the ledger's file.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use relief_system_tests::process::LedgerProcess;
use relief_system_tests::{PIN, resident};
use rusqlite::Connection;
use serde_json::Value;

pub const LEDGER: &str = env!("CARGO_BIN_EXE_sys-relief-ledger");
pub const RELIEF: &str = env!("CARGO_BIN_EXE_sys-relief");

pub fn relief(dir: &Path) -> Command {
    let mut command = Command::new(RELIEF);
    command
        .arg("--data-dir")
        .arg(dir)
        .env("RELIEF_PIN", PIN)
        .env("RELIEF_APPROVER_PIN", PIN)
        // The store is encrypted: its supervisor's PIN opens it.
        .env("RELIEF_OPENER", "S001")
        .env("RELIEF_OPENER_PIN", PIN);
    command
}

/// A terminal's database opened directly, with the key its supervisor's
/// PIN unseals: for checks that read (or tamper) past the store's code.
pub fn terminal_db(path: &Path) -> Connection {
    let store = relief_system_tests::open_store(path).unwrap();
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "key", store.data_key().pragma_value().as_str())
        .unwrap();
    conn
}

pub fn json(output: Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A demo terminal with supervisor S001 and cards `{prefix}-0001`..,
/// enrolled at `ledger_url` (the ledger or a proxy to it).
pub fn terminal(
    dir: &Path,
    ledger: &LedgerProcess,
    ledger_url: &str,
    site: &str,
    site_type: &str,
    prefix: &str,
    cards: u32,
) {
    let ok = |mut c: Command| {
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let mut init = relief(dir);
    init.args([
        "init",
        "--site-code",
        site,
        "--site-name",
        &format!("{site} 창구"),
        "--site-type",
        site_type,
        "--sigungu",
        "41110",
        "--demo",
        "--supervisor",
        "S001",
        "--supervisor-name",
        "감독",
    ]);
    init.env("RELIEF_NEW_PIN", PIN);
    ok(init);
    let mut stock = relief(dir);
    stock.args([
        "stock",
        "receive",
        "--clerk",
        "S001",
        "--face-value",
        "3000000",
        "--at",
        "2020-05-18T08:00",
    ]);
    stock.args([
        "--first",
        &format!("{prefix}-0001"),
        "--last",
        &format!("{prefix}-{cards:04}"),
    ]);
    ok(stock);
    let (code, fingerprint) = ledger.enrollment_code(site, site_type);
    let mut enroll = relief(dir);
    enroll.args([
        "enroll",
        "--clerk",
        "S001",
        "--ledger",
        ledger_url,
        "--code",
        &code,
        "--ledger-key-fingerprint",
        &fingerprint,
    ]);
    enroll.args(["--at", "2020-05-18T08:00"]);
    ok(enroll);
}

pub fn application(n: u64, card: &str) -> String {
    format!(
        r#"{{"applicant": {{"rrn": "{}", "name": "주민", "id_document": "resident_card"}},
            "beneficiaries": [{{"relation": "self", "household_size": 1}}], "cards": ["{card}"]}}"#,
        &*resident(n)
    )
}

pub fn issue(dir: &Path, n: u64, card: &str, at: &str) -> Output {
    relief(dir)
        .args([
            "issue",
            "--clerk",
            "S001",
            "--approver",
            "S001",
            "--json",
            "--at",
            at,
        ])
        .write_stdin_str(&application(n, card))
}

pub trait WriteStdin {
    fn write_stdin_str(&mut self, input: &str) -> Output;
}

impl WriteStdin for Command {
    fn write_stdin_str(&mut self, input: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

pub fn ledger_count(ledger: &LedgerProcess, sql: &str) -> i64 {
    Connection::open(ledger.db())
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// Every one of `count` issuances is at the ledger once: its event, its
/// issuance and its payment, and no conflict.
pub fn assert_ledger_holds_each_once(ledger: &LedgerProcess, count: u64) {
    let count = count as i64;
    assert_eq!(ledger_count(ledger, "SELECT count(*) FROM event"), count);
    assert_eq!(ledger_count(ledger, "SELECT count(*) FROM issuance"), count);
    assert_eq!(
        ledger_count(
            ledger,
            "SELECT count(*) FROM entitlement WHERE state = 'paid'"
        ),
        count
    );
    assert_eq!(ledger_count(ledger, "SELECT count(*) FROM conflict"), 0);
}

pub fn conflicts(dir: &Path) -> Vec<Value> {
    json(
        relief(dir)
            .args([
                "conflict",
                "list",
                "--clerk",
                "S001",
                "--json",
                "--at",
                "2020-05-18T12:00",
            ])
            .output()
            .unwrap(),
    )
    .as_array()
    .unwrap()
    .clone()
}

pub fn sync(dir: &Path) -> Value {
    json(relief(dir).args(["sync", "--json"]).output().unwrap())
}

/// A supervisor's void of `issuance`, its card returned.
pub fn void(dir: &Path, issuance: &Value) {
    json(
        relief(dir)
            .args(["void", "--clerk", "S001", "--json", "--issuance"])
            .arg(issuance.as_str().unwrap())
            .args(["--reason", "카드 회수", "--card", "returned"])
            .args(["--at", "2020-05-18T13:00"])
            .output()
            .unwrap(),
    );
}

/// A supervisor's acceptance of both payments of `conflict`.
pub fn accept(dir: &Path, conflict: &Value) {
    json(
        relief(dir)
            .args(["conflict", "accept", "--clerk", "S001", "--json"])
            .arg("--conflict")
            .arg(conflict.as_str().unwrap())
            .args(["--note", "동일인 아님 확인, 각각 지급"])
            .args(["--at", "2020-05-18T12:30"])
            .output()
            .unwrap(),
    );
}
