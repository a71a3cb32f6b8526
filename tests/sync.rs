//! Terminals and the ledger as real processes on loopback: conflicts from
//! offline issuance, online claims, a ledger killed mid-push, and a faulty
//! network in between. Every issuance must reach the ledger exactly once.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use relief_core::identity::IdentityNumber;
use relief_store::Verification;
use relief_sync::Retry;
use relief_sync::visit::{self, Approver};
use relief_system_tests::open_store;
use relief_system_tests::process::LedgerProcess;
use relief_system_tests::proxy::{FaultProxy, Faults};
use relief_system_tests::{PIN, resident, solo_issue};
use rusqlite::Connection;
use serde_json::Value;

mod support;

use support::*;

/// Retries quick and many, for syncing through the fault proxy.
const THROUGH_FAULTS: Retry = Retry {
    first_delay: Duration::from_millis(20),
    max_delay: Duration::from_millis(300),
    attempts: 60,
};

#[test]
fn two_terminals_offline_pay_one_person_and_both_see_the_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let (center, nh) = (dir.path().join("center"), dir.path().join("nh"));
    terminal(
        &center,
        &ledger,
        &ledger.url(),
        "41110-515",
        "center",
        "GG",
        10,
    );
    terminal(&nh, &ledger, &ledger.url(), "41110-NH1", "nh", "NH", 10);

    // The ledger goes down; both counters fall back to offline issuance.
    ledger.kill();
    let first = json(issue(&center, 1, "GG-0001", "2020-05-18T10:00"));
    let second = json(issue(&nh, 1, "NH-0001", "2020-05-18T11:00"));
    assert_eq!(
        (first["offline"].as_bool(), second["offline"].as_bool()),
        (Some(true), Some(true))
    );

    ledger.restart();
    let pushed = json(relief(&center).args(["sync", "--json"]).output().unwrap());
    assert_eq!(pushed["pushed"]["accepted"], 1);
    let pushed = json(relief(&nh).args(["sync", "--json"]).output().unwrap());
    assert_eq!(pushed["pushed"]["duplicates"], 1);
    json(relief(&center).args(["sync", "--json"]).output().unwrap());

    let (on_center, on_nh) = (conflicts(&center), conflicts(&nh));
    assert_eq!((on_center.len(), on_nh.len()), (1, 1));
    assert_eq!(on_center[0]["id"], on_nh[0]["id"]);
    assert_eq!(on_center[0]["status"], "open");
    assert_eq!(
        on_center[0]["standing"]["issuance_id"],
        first["issuance_id"]
    );
    assert_eq!(on_nh[0]["our_issuance_id"], second["issuance_id"]);

    // The NH supervisor recovers the card and voids; after sync both see it closed.
    let void = relief(&nh)
        .args([
            "void",
            "--clerk",
            "S001",
            "--issuance",
            second["issuance_id"].as_str().unwrap(),
        ])
        .args([
            "--reason",
            "행정복지센터에서 먼저 수령, 카드 회수",
            "--card",
            "returned",
            "--at",
            "2020-05-18T12:00",
        ])
        .output()
        .unwrap();
    assert!(
        void.status.success(),
        "{}",
        String::from_utf8_lossy(&void.stderr)
    );
    json(relief(&nh).args(["sync", "--json"]).output().unwrap());
    json(relief(&center).args(["sync", "--json"]).output().unwrap());
    assert_eq!(conflicts(&center)[0]["status"], "resolved_by_void");
    assert_eq!(conflicts(&nh)[0]["status"], "resolved_by_void");
}

#[test]
fn an_online_claim_stops_the_second_issuance() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let (center, nh) = (dir.path().join("center"), dir.path().join("nh"));
    terminal(
        &center,
        &ledger,
        &ledger.url(),
        "41110-515",
        "center",
        "GG",
        10,
    );
    terminal(&nh, &ledger, &ledger.url(), "41110-NH1", "nh", "NH", 10);
    let first = json(issue(&center, 2, "GG-0001", "2020-05-18T10:00"));
    assert_eq!(first["offline"], false);
    let refused = issue(&nh, 2, "NH-0001", "2020-05-18T10:30");
    assert_eq!(refused.status.code(), Some(3));
    let error: Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(error["error"], "paid_elsewhere");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("41110-515 창구"),
        "{error}"
    );
    let stock = json(
        relief(&nh)
            .args([
                "stock",
                "show",
                "--clerk",
                "S001",
                "--json",
                "--at",
                "2020-05-18T10:31",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(stock["on_hand"], 10, "the refused visit took no card");
    assert_eq!(ledger_count(&ledger, "SELECT count(*) FROM issuance"), 1);
}

fn moment(n: u64) -> NaiveDateTime {
    relief_system_tests::moment(n)
}

/// Issues `count` offline issuances straight into the terminal's store.
fn issue_offline(dir: &Path, count: u64) {
    let mut store = open_store(&dir.join("terminal.sqlite3")).unwrap();
    let supervisor = store.sign_in("S001", PIN, moment(0)).unwrap();
    for n in 0..count {
        let mut request = solo_issue(n);
        request.card_serials = vec![format!("GG-{:04}", n + 1)];
        request.verification = Verification::Offline {
            approver: Some(supervisor.clone()),
        };
        store.issue(&supervisor, request, moment(n)).unwrap();
    }
}

fn pending(dir: &Path) -> u64 {
    open_store(&dir.join("terminal.sqlite3"))
        .unwrap()
        .sync_status()
        .unwrap()
        .pending
}

#[test]
fn the_ledger_killed_mid_push_loses_nothing_and_doubles_nothing() {
    const COUNT: u64 = 3000;
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let counter = dir.path().join("counter");
    terminal(
        &counter,
        &ledger,
        &ledger.url(),
        "41110-515",
        "center",
        "GG",
        COUNT as u32,
    );
    issue_offline(&counter, COUNT);

    let mut sync = relief(&counter)
        .args(["sync", "--retries", "40", "--json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill the ledger as soon as part of the outbox has gone.
    let started = Instant::now();
    let at_kill = loop {
        let left = pending(&counter);
        if left < COUNT {
            ledger.kill();
            break left;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the push never started"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    assert!(
        at_kill > 0,
        "the push finished before the kill; make COUNT larger"
    );
    std::thread::sleep(Duration::from_millis(700));
    ledger.restart();
    let status = sync.wait().unwrap();
    assert!(status.success());

    assert_eq!(pending(&counter), 0);
    assert_ledger_holds_each_once(&ledger, COUNT);
    assert_eq!(
        ledger_count(&ledger, "SELECT count(DISTINCT id) FROM issuance"),
        COUNT as i64
    );
    assert_eq!(
        ledger_count(&ledger, "SELECT next_seq FROM terminal"),
        COUNT as i64 + 1
    );
}

#[test]
fn through_a_faulty_network_every_issuance_reaches_the_ledger_exactly_once() {
    const COUNT: u64 = 300;
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let proxy = runtime.block_on(FaultProxy::start(ledger.addr));
    let counter = dir.path().join("counter");
    terminal(
        &counter,
        &ledger,
        &proxy.url(),
        "41110-515",
        "center",
        "GG",
        COUNT as u32,
    );

    let store = Mutex::new(open_store(&counter.join("terminal.sqlite3")).unwrap());
    let supervisor = store
        .lock()
        .unwrap()
        .sign_in("S001", PIN, moment(0))
        .unwrap();
    proxy.set(Faults {
        drop_request: 8,
        drop_response: 8,
        cut_response: 8,
        duplicate: 10,
        delay: 5,
        delay_ms: 1_500,
        ..Faults::default()
    });
    let (mut online, mut offline) = (0, 0);
    let mut issued = Vec::new();
    for n in 0..COUNT {
        let mut request = solo_issue(n);
        request.card_serials = vec![format!("GG-{:04}", n + 1)];
        let approver = Approver {
            employee_id: "S001".into(),
            pin: PIN.to_owned().into(),
        };
        let options = visit::Options {
            claim_timeout: Duration::from_secs(1),
            push_now: false,
            offline: false,
        };
        let done = runtime
            .block_on(visit::issue(
                &store,
                &supervisor,
                request,
                Some(approver),
                options,
                moment(n),
            ))
            .unwrap_or_else(|e| panic!("person {n} refused: {e}"));
        match done.offline_because {
            None => online += 1,
            Some(_) => offline += 1,
        }
        issued.push(done.issued.issuance_id);
        if n % 50 == 49 {
            let _ = runtime.block_on(relief_sync::push_pending(&store, THROUGH_FAULTS, 40));
        }
    }
    // Keep syncing through the faults until everything is acknowledged.
    let started = Instant::now();
    while store.lock().unwrap().sync_status().unwrap().pending > 0 {
        let _ = runtime.block_on(relief_sync::sync_once(&store, THROUGH_FAULTS));
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "sync never finished"
        );
    }
    let s = &proxy.stats;
    for (fault, seen) in [
        ("dropped requests", &s.dropped_requests),
        ("dropped responses", &s.dropped_responses),
        ("cut responses", &s.cut_responses),
        ("duplicated requests", &s.duplicated),
        ("delays", &s.delayed),
    ] {
        assert!(
            seen.load(Ordering::Relaxed) > 0,
            "no {fault}: the network was kinder than intended"
        );
    }
    assert!(
        online > 0 && offline > 0,
        "online {online}, offline {offline}"
    );

    let conn = Connection::open(ledger.db()).unwrap();
    for id in &issued {
        let n: i64 = conn
            .query_row("SELECT count(*) FROM issuance WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 1, "issuance {id} reached the ledger {n} times");
    }
    assert_ledger_holds_each_once(&ledger, COUNT);
    // Every visit's claims ended: with its issuance, or its end.
    assert_eq!(
        ledger_count(
            &ledger,
            "SELECT count(*) FROM claim c WHERE NOT EXISTS
               (SELECT 1 FROM visit_end e WHERE e.visit_id = c.visit_id AND e.terminal_id = c.terminal_id)"
        ),
        0
    );
    assert!(ledger_count(&ledger, "SELECT count(*) FROM claim") > 0);
    let verdicts: i64 = terminal_db(&counter.join("terminal.sqlite3"))
        .query_row(
            "SELECT count(*) FROM outbox_ack WHERE verdict = 'accepted'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(verdicts, COUNT as i64);
}

#[test]
fn a_failed_push_is_retried_without_any_new_local_write() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let proxy = runtime.block_on(FaultProxy::start(ledger.addr));
    let counter = dir.path().join("counter");
    terminal(
        &counter,
        &ledger,
        &proxy.url(),
        "41110-515",
        "center",
        "GG",
        20,
    );
    issue_offline(&counter, 20);

    let path = counter.join("terminal.sqlite3");
    let writes = || -> (i64, i64) {
        let conn = terminal_db(&path);
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        (
            count("SELECT count(*) FROM outbox"),
            count("SELECT count(*) FROM audit_log"),
        )
    };
    let before = writes();
    proxy.set(Faults {
        drop_request: 100,
        ..Faults::default()
    });
    let store = Mutex::new(open_store(&path).unwrap());
    let retry = Retry {
        first_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        attempts: 30,
    };
    // Enrolling asked through the proxy too (the code, the roll).
    let asked_before = proxy.stats.requests.load(Ordering::Relaxed);
    let report = runtime.block_on(async {
        let push = relief_sync::push_pending(&store, retry, 500);
        let heal = async {
            while proxy.stats.requests.load(Ordering::Relaxed) < asked_before + 4 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            assert_eq!(writes(), before, "a retry wrote locally");
            proxy.set(Faults::default());
        };
        let (report, ()) = tokio::join!(push, heal);
        report.unwrap()
    });
    assert_eq!(report.accepted, 20);
    assert!(
        proxy.stats.dropped_requests.load(Ordering::Relaxed) >= 3,
        "the push was retried"
    );
    assert_eq!(
        writes(),
        before,
        "retrying wrote nothing new to the outbox or the audit log"
    );
    assert_eq!(pending(&counter), 0);
}

#[test]
fn a_deny_list_download_page_by_page_through_a_faulty_network_misses_nothing() {
    const COUNT: u64 = 120;
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let (paying, reading) = (dir.path().join("paying"), dir.path().join("reading"));
    terminal(
        &paying,
        &ledger,
        &ledger.url(),
        "41110-515",
        "center",
        "GG",
        COUNT as u32,
    );
    issue_offline(&paying, COUNT);
    let pushed = relief(&paying).args(["sync", "--json"]).output().unwrap();
    assert!(pushed.status.success(), "{pushed:?}");
    assert_eq!(pending(&paying), 0);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let proxy = runtime.block_on(FaultProxy::start(ledger.addr));
    terminal(&reading, &ledger, &proxy.url(), "41110-516", "nh", "NH", 1);
    proxy.set(Faults {
        // A fifth of requests each way: no fault in 18 pages is a
        // one-in-a-hundred-thousand chance.
        drop_request: 20,
        drop_response: 20,
        cut_response: 20,
        duplicate: 10,
        delay: 5,
        delay_ms: 300,
        ..Faults::default()
    });
    let store = Mutex::new(open_store(&reading.join("terminal.sqlite3")).unwrap());
    // Pages of 7: the next is asked for while the last is being read.
    let report = runtime
        .block_on(relief_sync::pull_all(&store, THROUGH_FAULTS, 7))
        .unwrap();
    assert_eq!(report.pages, 18, "120 changes in pages of 7");
    assert_eq!(report.deny_changes, COUNT);
    let store = store.into_inner().unwrap();
    assert_eq!(store.deny_list_len().unwrap(), COUNT);
    for n in 0..COUNT {
        let key = store.beneficiary_key(&IdentityNumber::parse(&resident(n)).unwrap());
        assert!(
            matches!(
                store.paid(&key).unwrap(),
                Some(relief_store::Paid::Elsewhere { .. })
            ),
            "person {n} is not on the deny-list"
        );
    }
    let faults = &proxy.stats;
    assert!(
        faults.dropped_requests.load(Ordering::Relaxed)
            + faults.dropped_responses.load(Ordering::Relaxed)
            + faults.cut_responses.load(Ordering::Relaxed)
            > 0,
        "the network was kinder than intended"
    );
}

#[test]
fn after_the_counters_purge_the_ledger_purges_and_takes_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    let center = dir.path().join("center");
    terminal(
        &center,
        &ledger,
        &ledger.url(),
        "41110-515",
        "center",
        "GG",
        10,
    );
    assert_eq!(
        json(issue(&center, 2, "GG-0001", "2020-05-18T10:00"))["offline"],
        false
    );
    json(relief(&center).args(["sync", "--json"]).output().unwrap());
    // The counter purges first, once the ledger has every event of it.
    let purged = relief(&center)
        .args(["purge", "--clerk", "S001", "--at", "2021-09-01T09:00"])
        .output()
        .unwrap();
    assert!(
        purged.status.success(),
        "{}",
        String::from_utf8_lossy(&purged.stderr)
    );

    // The ledger's clock is today's, long past the retention end.
    let report: Value = serde_json::from_str(&ledger.admin(&["purge"])).unwrap();
    assert_eq!(report["campaign_id"], "gyeonggi-2020");
    assert_eq!(report["people"], 1);
    assert_eq!(ledger_count(&ledger, "SELECT count(*) FROM issuance"), 1);
    assert_eq!(
        ledger_count(
            &ledger,
            "SELECT count(*) FROM campaign WHERE purged_at IS NOT NULL AND length(secret) = 0"
        ),
        1
    );

    // A second purge, and the counter's next sync, are told why not.
    let again = ledger.try_admin(&["purge"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("파기"));
    let sync = relief(&center).args(["sync", "--json"]).output().unwrap();
    assert!(!sync.status.success());
    let said = String::from_utf8_lossy(&sync.stderr);
    assert!(said.contains("파기"), "{said}");
}
