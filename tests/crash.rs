//! Power cuts at the counter: a child process issues cards in a loop and is
//! killed with SIGKILL at random moments, again and again. After each kill
//! the store must hold every issuance the child reported as committed,
//! nothing half-written, an outbox matching the issuances one to one, stock
//! that adds up, and an audit chain that verifies.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use relief_store::CardState;
use relief_system_tests::open_store;
use relief_system_tests::set_up_terminal;
use rusqlite::Connection;

const KILLS: usize = 200;
// Enough for every round to issue throughout: 200 rounds of up to 40 ms
// each at a fast disk's 0.2 ms a commit. (5,000 once ran out.)
const CARDS: usize = 40_000;

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn killed_at_random_moments_the_store_loses_and_halves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terminal.sqlite3");
    drop(set_up_terminal(&path, CARDS));
    let mut committed: Vec<String> = Vec::new();
    let mut killed_mid_run = 0;

    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-child"))
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        // Mostly while issuing; now and then while it is still opening.
        if round % 10 != 0 {
            let ready = received
                .recv_timeout(Duration::from_secs(30))
                .expect("the child starts");
            assert_eq!(ready, "ready");
            std::thread::sleep(Duration::from_micros(fastrand::u64(0..40_000)));
        } else {
            std::thread::sleep(Duration::from_micros(fastrand::u64(0..3_000)));
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        reader.join().unwrap();
        let before = committed.len();
        for line in received.try_iter() {
            if let Some(id) = line.strip_prefix("committed ") {
                committed.push(id.to_owned());
            } else {
                assert_eq!(line, "ready", "the child failed: {line}");
            }
        }
        if status.code().is_none() && committed.len() > before {
            killed_mid_run += 1;
        }
        check(&path, &committed, round);
    }
    assert!(
        committed.len() > KILLS,
        "the children issued {} cards in all",
        committed.len()
    );
    assert!(
        killed_mid_run > KILLS / 2,
        "only {killed_mid_run} kills landed while issuing"
    );
}

fn check(path: &std::path::Path, committed: &[String], round: usize) {
    let store =
        open_store(path).unwrap_or_else(|e| panic!("round {round}: the store does not open: {e}"));
    for id in committed {
        assert!(
            store.issuance(id).unwrap().is_some(),
            "round {round}: committed issuance {id} is gone"
        );
    }
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "key", store.data_key().pragma_value().as_str())
        .unwrap();
    let issuances = count(&conn, "SELECT count(*) FROM issuance");
    assert!(issuances >= committed.len() as i64);
    // Nothing half-written: every issuance has its beneficiary, share, card,
    // card event, outbox event and audit entry, and nothing exists without
    // its issuance.
    for (what, sql) in [
        (
            "beneficiary",
            "SELECT count(*) FROM issuance i WHERE NOT EXISTS (SELECT 1 FROM issuance_beneficiary b WHERE b.issuance_id = i.id)",
        ),
        (
            "share",
            "SELECT count(*) FROM issuance_beneficiary b WHERE NOT EXISTS (SELECT 1 FROM beneficiary_share s WHERE s.issuance_id = b.issuance_id AND s.position = b.position)",
        ),
        (
            "card",
            "SELECT count(*) FROM issuance i WHERE NOT EXISTS (SELECT 1 FROM issuance_card c WHERE c.issuance_id = i.id)",
        ),
        (
            "card event",
            "SELECT count(*) FROM issuance_card c WHERE NOT EXISTS (SELECT 1 FROM card_event e WHERE e.cause = 'issue' AND e.cause_id = c.issuance_id AND e.serial = c.serial)",
        ),
        (
            "outbox",
            "SELECT count(*) FROM issuance i WHERE (SELECT count(*) FROM outbox o WHERE o.subject_id = i.id) != 1",
        ),
        (
            "audit",
            "SELECT count(*) FROM issuance i WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'issued' AND a.subject = i.id)",
        ),
        (
            "orphan event",
            "SELECT count(*) FROM card_event e WHERE e.cause = 'issue' AND NOT EXISTS (SELECT 1 FROM issuance i WHERE i.id = e.cause_id)",
        ),
    ] {
        assert_eq!(
            count(&conn, sql),
            0,
            "round {round}: an issuance without its {what}"
        );
    }
    // The outbox matches the issuances one to one, numbered without gaps.
    assert_eq!(
        count(&conn, "SELECT count(*) FROM outbox"),
        issuances,
        "round {round}: outbox"
    );
    assert_eq!(
        count(&conn, "SELECT coalesce(max(seq), 0) FROM outbox"),
        issuances,
        "round {round}: outbox gap"
    );
    // Stock adds up: every card issued once, the rest still in stock.
    let stock = store.stock().unwrap();
    let total: u64 = stock.by_face_value.iter().map(|s| s.received).sum();
    let issued: u64 = stock.by_face_value.iter().map(|s| s.issued).sum();
    let in_stock: u64 = stock.by_face_value.iter().map(|s| s.in_stock).sum();
    assert_eq!(total, CARDS as u64);
    assert_eq!(issued, issuances as u64, "round {round}: cards issued");
    assert_eq!(in_stock + issued, total, "round {round}: stock");
    if let Some(id) = committed.last() {
        let record = store.issuance(id).unwrap().unwrap();
        assert_eq!(
            store
                .card_state(&record.cards[0].serial)
                .unwrap()
                .unwrap()
                .0,
            CardState::Issued
        );
    }
    let report = store.verify_audit().unwrap();
    assert!(report.is_intact(), "round {round}: {:?}", report.finding);
}
