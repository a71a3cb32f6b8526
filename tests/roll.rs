//! The resident roll across processes: a synthetic 시군 imported at the
//! ledger with its admin command, downloaded by two terminals of the 시군
//! as they enroll, through a network that drops, cuts, delays and
//! doubles the roll's requests; then a change file, pulled with `relief
//! sync`. Every person arrives once, in their household; no one of
//! another 시군 does.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;

use relief_core::identity::IdentityNumber;
use relief_core::roll::RollStatus;
use relief_system_tests::open_store;
use relief_system_tests::process::LedgerProcess;
use relief_system_tests::proxy::{FaultProxy, Faults};
use relief_testkit::roll::{self, HEADER, RollRow, RollSpec};

mod support;

use support::*;

fn csv(rows: &[RollRow]) -> String {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(&r.csv_line());
        text.push('\n');
    }
    text
}

fn import(ledger: &LedgerProcess, dir: &Path, name: &str, rows: &[RollRow]) -> serde_json::Value {
    let file = dir.join(name);
    std::fs::write(&file, csv(rows)).unwrap();
    let out = ledger.admin(&["import-roll", "--csv", file.to_str().unwrap()]);
    serde_json::from_str(&out).unwrap()
}

/// Checks a terminal's copy against the rows of its 시군, one by one.
fn check_copy(terminal: &Path, rows: &[RollRow]) {
    let store = open_store(&terminal.join("terminal.sqlite3")).unwrap();
    let ours: Vec<&RollRow> = rows.iter().filter(|r| r.sigungu == "41110").collect();
    assert_eq!(
        store.roll_size().unwrap(),
        ours.len() as u64,
        "no one missed, no one twice"
    );
    let mut serials: BTreeMap<&str, u64> = BTreeMap::new();
    let mut members: BTreeMap<u64, usize> = BTreeMap::new();
    for r in &ours {
        let id = IdentityNumber::parse(&r.rrn).unwrap();
        let p = store
            .roll_person(&store.beneficiary_key(&id))
            .unwrap()
            .unwrap_or_else(|| panic!("a person of line {} missing", r.household_id));
        assert_eq!(p.masked, id.masked());
        assert_eq!(p.eupmyeondong, r.eupmyeondong);
        assert_eq!(p.status.code(), r.status);
        assert!(p.here);
        assert_eq!(
            *serials.entry(&r.household_id).or_insert(p.household),
            p.household
        );
        *members.entry(p.household).or_default() += 1;
    }
    for (household, count) in members.iter().step_by(97) {
        assert_eq!(store.roll_household(*household).unwrap().len(), *count);
    }
    for r in rows.iter().filter(|r| r.sigungu != "41110").take(50) {
        let id = IdentityNumber::parse(&r.rrn).unwrap();
        assert_eq!(
            store.roll_person(&store.beneficiary_key(&id)).unwrap(),
            None
        );
    }
}

#[test]
fn two_terminals_download_their_sigungus_roll_through_faults_then_its_changes() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProcess::start(LEDGER.as_ref(), dir.path());
    // Two 시군, so that a page of another's would show; 45,000 people in
    // 41110: three pages of the download each.
    let spec = RollSpec {
        sigungu: vec!["41110".into(), "41130".into()],
        ..RollSpec::one_sigungu(90_000)
    };
    let rows = roll::rows(&spec);
    let first = import(&ledger, dir.path(), "roll.csv", &rows);
    assert_eq!(first["version"], 1);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let proxy = runtime.block_on(FaultProxy::start(ledger.addr));
    proxy.set(Faults {
        only: Some("/v1/roll"),
        drop_request: 15,
        drop_response: 15,
        cut_response: 15,
        duplicate: 20,
        delay: 10,
        delay_ms: 500,
        ..Faults::default()
    });
    let (center, nh) = (dir.path().join("center"), dir.path().join("nh"));
    terminal(
        &center,
        &ledger,
        &proxy.url(),
        "41110-515",
        "center",
        "GG",
        1,
    );
    terminal(&nh, &ledger, &proxy.url(), "41110-NH1", "nh", "NH", 1);
    assert!(proxy.stats.requests.load(Ordering::Relaxed) >= 6);
    let faults = proxy.stats.dropped_requests.load(Ordering::Relaxed)
        + proxy.stats.dropped_responses.load(Ordering::Relaxed)
        + proxy.stats.cut_responses.load(Ordering::Relaxed)
        + proxy.stats.duplicated.load(Ordering::Relaxed);
    eprintln!("faults met on the way: {faults}");
    for terminal in [&center, &nh] {
        let status = json(
            relief(terminal)
                .args(["roll", "status", "--clerk", "S001", "--json"])
                .output()
                .unwrap(),
        );
        assert_eq!(status["version"], 1);
        assert_eq!(status["download"], serde_json::Value::Null);
        check_copy(terminal, &rows);
    }

    // A change file: one of 41110 dies, one moves to 41130, a child is
    // born into a household of 41110.
    let ours: Vec<&RollRow> = rows.iter().filter(|r| r.sigungu == "41110").collect();
    let mut died = ours[10].clone();
    died.status = "removed";
    let mut moved = ours[20].clone();
    moved.sigungu = "41130".into();
    let mut born = ours[30].clone();
    born.rrn = relief_core::identity::synthetic::number(
        chrono::NaiveDate::from_ymd_opt(2020, 4, 2).unwrap(),
        false,
        true,
        4_242,
    )
    .to_string();
    born.registered_since = chrono::NaiveDate::from_ymd_opt(2020, 4, 2).unwrap();
    let changes = import(
        &ledger,
        dir.path(),
        "changes.csv",
        &[died.clone(), moved.clone(), born.clone()],
    );
    assert_eq!(
        (changes["version"].as_i64(), changes["changed"].as_i64()),
        (Some(2), Some(3))
    );

    let synced = json(relief(&center).args(["sync", "--json"]).output().unwrap());
    assert_eq!(synced["pulled"]["roll"]["version"], 2);
    assert_eq!(synced["pulled"]["roll"]["people"], 3);
    let store = open_store(&center.join("terminal.sqlite3")).unwrap();
    let on_roll = |rrn: &str| {
        let id = IdentityNumber::parse(rrn).unwrap();
        store.roll_person(&store.beneficiary_key(&id)).unwrap()
    };
    assert_eq!(on_roll(&died.rrn).unwrap().status, RollStatus::Removed);
    assert!(!on_roll(&moved.rrn).unwrap().here);
    let child = on_roll(&born.rrn).unwrap();
    let parent = on_roll(&ours[30].rrn).unwrap();
    assert_eq!(child.household, parent.household);
    assert_eq!(store.roll_size().unwrap(), ours.len() as u64 + 1);
    // Synced again: nothing new, nothing applied twice.
    let again = json(relief(&center).args(["sync", "--json"]).output().unwrap());
    assert_eq!(again["pulled"]["roll"]["people"], 0);
    assert_eq!(store.roll_size().unwrap(), ours.len() as u64 + 1);
    drop(store);

    // At the counter: those the change took off are refused with their
    // reason; a household is served by place, without typing numbers.
    let at = "2020-05-18T10:00";
    for (who, reason) in [(&died, "removed_from_roll"), (&moved, "moved_away")] {
        let out = issue_json(
            &center,
            &format!(
                r#"{{"applicant": {{"rrn": "{}", "name": "주민", "id_document": "resident_card"}},
                "beneficiaries": [{{"relation": "self"}}], "cards": ["GG-0001"]}}"#,
                who.rrn
            ),
            at,
        );
        assert!(!out.status.success());
        let error: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(
            (error["error"].as_str(), error["reason"].as_str()),
            (Some("not_eligible"), Some(reason))
        );
    }
    // The check at this terminal: the roll's size, the roll's refusals.
    let check = |rrn: &str| {
        json(
            relief(&center)
                .args(["check", "--terminal", "--rrn-stdin", "--at", at, "--json"])
                .write_stdin_str(&format!("{rrn}\n")),
        )
    };
    let size = ours
        .iter()
        .filter(|r| r.household_id == ours[30].household_id)
        .count()
        + 1; // and the newborn
    let checked = check(&ours[30].rrn);
    assert_eq!(checked["household_from_roll"], true);
    assert_eq!(checked["household_size"], size as u64);
    let checked = check(&died.rrn);
    assert_eq!(
        (checked["allowed"].as_bool(), checked["reason"].as_str()),
        (Some(false), Some("removed_from_roll"))
    );
    let household = relief(&center)
        .args(["roll", "household", "--clerk", "S001", "--json"])
        .write_stdin_str(&format!("{}\n", ours[30].rrn));
    let household = json(household);
    let members = household["members"].as_array().unwrap();
    let adult = members.iter().position(|m| {
        m["masked"]
            != household["members"][household["applicant"].as_u64().unwrap() as usize - 1]["masked"]
            && m["masked"].as_str().unwrap()[..2].parse::<u32>().unwrap() > 30
    });
    let mut beneficiaries = vec![r#"{"relation": "self"}"#.to_owned()];
    if let Some(i) = adult {
        beneficiaries.push(format!(
            r#"{{"member": {}, "name": "가족", "relation": "lineal_relative"}}"#,
            i + 1
        ));
    }
    let out = issue_json(
        &center,
        &format!(
            r#"{{"applicant": {{"rrn": "{}", "name": "주민", "id_document": "resident_card"}},
            "beneficiaries": [{}], "cards": ["GG-0001"]}}"#,
            ours[30].rrn,
            beneficiaries.join(", ")
        ),
        at,
    );
    let issued = json(out);
    assert_eq!(issued["roll_version"], 2);
    assert_eq!(
        issued["beneficiaries"].as_array().unwrap().len(),
        beneficiaries.len()
    );
    // A place beyond the household is named, not guessed.
    let out = issue_json(
        &center,
        &format!(
            r#"{{"applicant": {{"rrn": "{}", "name": "주민", "id_document": "resident_card"}},
            "beneficiaries": [{{"member": 99, "name": "가족", "relation": "spouse"}}], "cards": ["GG-0002"]}}"#,
            ours[31].rrn
        ),
        at,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("세대원 순번"));
}

fn issue_json(dir: &Path, application: &str, at: &str) -> std::process::Output {
    relief(dir)
        .args(["issue", "--clerk", "S001", "--json", "--at", at])
        .write_stdin_str(application)
}
