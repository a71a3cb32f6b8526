//! The counter's day close end to end through the real programs: a close
//! refused while events have not reached the ledger (unless named with a
//! reason), a drawer one card short, the report's hash from the file to
//! the audit chain and the ledger, and a closed day that takes no
//! issuance. The rules themselves are explored by the store's model test
//! (`crates/relief-store/tests/close.rs`).

mod support;

use std::path::{Path, PathBuf};

use relief_system_tests::process::LedgerProcess;
use serde_json::Value;
use sha2::{Digest, Sha256};
use support::*;

struct Counter {
    ledger: LedgerProcess,
    dir: PathBuf,
    _root: tempfile::TempDir,
}

/// A counter with ten cards of 3,000,000 won, enrolled at a ledger.
fn counter() -> Counter {
    let root = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), root.path());
    let dir = root.path().join("a");
    terminal(
        &dir,
        &ledger,
        &ledger.url(),
        "41110-515",
        "center",
        "GA",
        10,
    );
    Counter {
        ledger,
        dir,
        _root: root,
    }
}

fn close(dir: &Path, extra: &[&str]) -> std::process::Output {
    relief(dir)
        .args(["close", "--clerk", "S001", "--json", "--date", "2020-05-18"])
        .args(["--at", "2020-05-18T18:30"])
        .args(extra)
        .output()
        .unwrap()
}

fn refused_with(output: &std::process::Output, code: &str) -> Value {
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["error"], code, "{error}");
    error
}

/// The day's summary at the ledger, as `admin summary` gives it.
fn summary(ledger: &LedgerProcess) -> Value {
    serde_json::from_str(&ledger.admin(&["summary", "--date", "2020-05-18"])).unwrap()
}

#[test]
fn a_close_is_refused_while_events_are_unsent_unless_a_supervisor_names_why() {
    let mut c = counter();
    c.ledger.kill();
    assert_eq!(
        json(issue(&c.dir, 1, "GA-0001", "2020-05-18T10:00"))["offline"],
        true
    );
    let error = refused_with(&close(&c.dir, &["--count", "3000000=9"]), "unsent_events");
    assert!(
        error["message"].as_str().unwrap().contains("1건"),
        "{error}"
    );
    let closed = json(close(
        &c.dir,
        &["--count", "3000000=9", "--unsent-reason", "원장 서버 장애"],
    ));
    assert_eq!(closed["plan"]["unsent"].as_array().unwrap().len(), 1);
    assert_eq!(closed["close_sent"], false);
    // Once the ledger is back, the next sync tells it of the issuance and
    // of the close, which names the one event it closed without.
    c.ledger.restart();
    sync(&c.dir);
    let closes = &summary(&c.ledger)["closes"];
    assert_eq!(closes.as_array().unwrap().len(), 1, "{closes}");
    assert_eq!(closes[0]["unsent"], 1);
    assert_eq!(closes[0]["difference"], 0);
    assert_eq!(closes[0]["closed_by"], "S001");
    assert_eq!(closes[0]["closed_at"], "2020-05-18T18:30:00");
}

#[test]
fn a_drawer_one_card_short_shows_the_difference_and_the_card_written_off() {
    let c = counter();
    json(issue(&c.dir, 1, "GA-0001", "2020-05-18T10:00"));
    // Nine cards by the books, eight in the drawer: a typed count cannot
    // say which card is missing.
    let error = refused_with(
        &close(&c.dir, &["--count", "3000000=8"]),
        "count_needs_serials",
    );
    assert!(error["message"].as_str().unwrap().contains("불일치"));
    let scanned = c.dir.join("drawer.txt");
    let drawer: Vec<String> = (2..=10)
        .filter(|n| *n != 7)
        .map(|n| format!("GA-{n:04}"))
        .collect();
    std::fs::write(&scanned, drawer.join("\n")).unwrap();
    let scan = ["--scanned", scanned.to_str().unwrap()];
    refused_with(&close(&c.dir, &scan), "missing");
    let report = c.dir.join("close.pdf");
    let output = relief(&c.dir)
        .args(["close", "--clerk", "S001", "--date", "2020-05-18"])
        .args(["--at", "2020-05-18T18:30", "--reason", "서랍 한 장 부족"])
        .args(scan)
        .arg("--out")
        .arg(&report)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("불일치 -1장"), "{text}");
    assert!(text.contains("분실 처리: GA-0007"), "{text}");
    assert!(text.contains("마감을 원장 서버에 알렸습니다"), "{text}");
    let stock = json(
        relief(&c.dir)
            .args(["stock", "show", "--clerk", "S001", "--json"])
            .output()
            .unwrap(),
    );
    let face = &stock["by_face_value"][0];
    assert_eq!((&face["in_stock"], &face["lost"]), (&8.into(), &1.into()));
    let closes = &summary(&c.ledger)["closes"];
    assert_eq!(closes[0]["difference"], -1, "{closes}");
    assert_eq!(closes[0]["reason"], "서랍 한 장 부족");
    if relief_testkit::tool("pdftotext", "poppler-utils") {
        let out = std::process::Command::new("pdftotext")
            .args(["-layout"])
            .arg(&report)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("일일 발급 보고서 (마감)"), "{text}");
        assert!(
            text.contains("불일치 -1") && text.contains("GA-0007"),
            "{text}"
        );
    }
}

#[test]
fn the_report_hash_goes_from_the_file_to_the_audit_chain_and_the_ledger() {
    let c = counter();
    json(issue(&c.dir, 1, "GA-0001", "2020-05-18T10:00"));
    let report = c.dir.join("close.pdf");
    let closed = json(close(
        &c.dir,
        &["--count", "3000000=9", "--out", report.to_str().unwrap()],
    ));
    let written = hex::encode(Sha256::digest(std::fs::read(&report).unwrap()));
    assert_eq!(closed["closed"]["report_sha256"], written.as_str());
    assert_eq!(
        summary(&c.ledger)["closes"][0]["report_sha256"],
        written.as_str()
    );
    // The close keeps the report itself, byte for byte.
    let again = c.dir.join("again.pdf");
    json(
        relief(&c.dir)
            .args([
                "closes",
                "--clerk",
                "S001",
                "--json",
                "--date",
                "2020-05-18",
            ])
            .arg("--out")
            .arg(&again)
            .output()
            .unwrap(),
    );
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&report).unwrap()
    );
    let verify = || {
        relief(&c.dir)
            .args(["audit", "verify", "--clerk", "S001"])
            .output()
            .unwrap()
    };
    assert!(verify().status.success());
    // A report swapped in the store afterwards no longer verifies.
    let conn = terminal_db(&c.dir.join("terminal.sqlite3"));
    conn.execute_batch(
        "DROP TRIGGER day_close_append_only_u; UPDATE day_close SET report = X'255044462D';",
    )
    .unwrap();
    drop(conn);
    let broken = verify();
    assert_eq!(broken.status.code(), Some(4), "{broken:?}");
    assert!(String::from_utf8_lossy(&broken.stderr).contains("day_closed"));
}

#[test]
fn a_closed_day_takes_no_issuance_until_a_supervisor_reopens_it() {
    let c = counter();
    json(close(&c.dir, &["--count", "3000000=10"]));
    let late = issue(&c.dir, 2, "GA-0002", "2020-05-18T17:00");
    let error = refused_with(&late, "day_closed");
    assert!(error["message"].as_str().unwrap().contains("마감"));
    let reopen = |reason: &str| {
        relief(&c.dir)
            .args([
                "reopen",
                "--clerk",
                "S001",
                "--json",
                "--date",
                "2020-05-18",
            ])
            .args(["--at", "2020-05-18T17:05", "--reason", reason])
            .output()
            .unwrap()
    };
    refused_with(&reopen(" "), "missing");
    json(reopen("마감 후 온 방문자"));
    json(issue(&c.dir, 2, "GA-0002", "2020-05-18T17:10"));
    sync(&c.dir);
    let closes = &summary(&c.ledger)["closes"];
    assert!(closes[0]["reopened_at"].is_string(), "{closes}");
}
