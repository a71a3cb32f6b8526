//! The store commands as a supervisor's script would run them: PINs and
//! identity numbers on standard input or in the environment, never as
//! arguments; `--json` answers; exit codes that tell refusal from fault.

use assert_cmd::Command;
use chrono::NaiveDate;
use relief_core::identity::synthetic;
use serde_json::Value;

const SUPERVISOR_PIN: &str = "48291375";
const CLERK_PIN: &str = "135790";

struct Terminal {
    dir: tempfile::TempDir,
}

impl Terminal {
    fn relief(&self) -> Command {
        let mut command = Command::cargo_bin("relief").unwrap();
        command
            .arg("--data-dir")
            .arg(self.dir.path())
            .env_remove("RELIEF_PIN")
            // The store is encrypted: a supervisor's PIN opens it.
            .env("RELIEF_OPENER", "S001")
            .env("RELIEF_OPENER_PIN", SUPERVISOR_PIN);
        command
    }

    /// A demo terminal with a supervisor, a clerk and 20 cards.
    fn new() -> Terminal {
        let t = Terminal {
            dir: tempfile::tempdir().unwrap(),
        };
        t.relief()
            .args([
                "init",
                "--site-code",
                "41110-515",
                "--site-name",
                "매탄1동 행정복지센터",
            ])
            .args(["--site-type", "center", "--sigungu", "41110", "--demo"])
            .args(["--supervisor", "S001", "--supervisor-name", "김감독"])
            .write_stdin(format!("{SUPERVISOR_PIN}\n"))
            .assert()
            .success();
        t.relief()
            .args([
                "clerk",
                "add",
                "--clerk",
                "S001",
                "--employee-id",
                "C001",
                "--name",
                "이담당",
                "--role",
                "clerk",
            ])
            .write_stdin(format!("{SUPERVISOR_PIN}\n{CLERK_PIN}\n"))
            .assert()
            .success();
        t.relief()
            .args([
                "stock",
                "receive",
                "--clerk",
                "S001",
                "--face-value",
                "3000000",
            ])
            .args([
                "--first",
                "GG-0001",
                "--last",
                "GG-0020",
                "--at",
                "2020-05-18T09:00",
            ])
            .env("RELIEF_PIN", SUPERVISOR_PIN)
            .assert()
            .success();
        t
    }

    fn json(&self, command: &mut Command) -> (i32, Value, Value) {
        let output = command.arg("--json").output().unwrap();
        let parse = |bytes: &[u8]| serde_json::from_slice(bytes).unwrap_or(Value::Null);
        (
            output.status.code().unwrap(),
            parse(&output.stdout),
            parse(&output.stderr),
        )
    }
}

fn number(n: u32) -> zeroize::Zeroizing<String> {
    synthetic::number(
        NaiveDate::from_ymd_opt(1986, 3, 1 + n).unwrap(),
        false,
        n.is_multiple_of(2),
        1000 + n,
    )
}

/// Not enrolled with a ledger, the terminal issues offline, and the
/// Gyeonggi policy wants a supervisor's approval for that.
fn issue(t: &Terminal, at: &str) -> Command {
    let mut command = t.relief();
    command
        .args(["issue", "--clerk", "C001", "--approver", "S001", "--at", at])
        .env("RELIEF_APPROVER_PIN", SUPERVISOR_PIN);
    command
}

fn application(rrn: &str, card: &str) -> String {
    format!(
        r#"{{"applicant": {{"rrn": "{rrn}", "name": "홍길동", "id_document": "resident_card"}},
            "beneficiaries": [{{"relation": "self", "household_size": 1}}], "cards": ["{card}"]}}"#
    )
}

#[test]
fn issue_list_void_and_verify() {
    let t = Terminal::new();
    let rrn = number(1);
    let (code, issued, _) = t.json(
        issue(&t, "2020-05-18T10:00")
            .write_stdin(format!("{CLERK_PIN}\n{}", application(&rrn, "GG-0001"))),
    );
    assert_eq!(code, 0, "{issued}");
    assert_eq!(issued["total"], 100_000);
    assert_eq!(issued["offline"], true);
    assert_eq!(
        issued["beneficiaries"][0],
        format!("{}-{}******", &rrn[..6], &rrn[6..7])
    );
    let id = issued["issuance_id"].as_str().unwrap().to_owned();

    // The same person again: refused by the rules, exit 3, a JSON error.
    let (code, _, error) = t.json(
        issue(&t, "2020-05-18T10:05")
            .write_stdin(format!("{CLERK_PIN}\n{}", application(&rrn, "GG-0002"))),
    );
    assert_eq!(code, 3);
    assert_eq!(error["error"], "already_paid_here");

    let (code, listed, _) = t.json(
        t.relief()
            .args([
                "list",
                "--clerk",
                "C001",
                "--rrn-stdin",
                "--at",
                "2020-05-18T10:06",
            ])
            .write_stdin(format!("{CLERK_PIN}\n{}\n", &*rrn)),
    );
    assert_eq!(code, 0);
    assert_eq!(listed[0]["id"], id.as_str());
    // Not yet told by a ledger: the card is waiting.
    assert_eq!(listed[0]["cards"][0]["activation"], "waiting");
    let (_, by_day, _) = t.json(
        t.relief()
            .args([
                "list",
                "--clerk",
                "C001",
                "--day",
                "2020-05-18",
                "--at",
                "2020-05-18T10:06",
            ])
            .env("RELIEF_PIN", CLERK_PIN),
    );
    assert_eq!(by_day.as_array().unwrap().len(), 1);

    // A clerk cannot void; a supervisor can.
    let void = |clerk: &str, pin: &str| {
        t.json(
            t.relief()
                .args([
                    "void",
                    "--clerk",
                    clerk,
                    "--issuance",
                    &id,
                    "--reason",
                    "세대원 수 착오",
                ])
                .args(["--card", "returned", "--at", "2020-05-18T10:10"])
                .env("RELIEF_PIN", pin),
        )
    };
    let (code, _, error) = void("C001", CLERK_PIN);
    assert_eq!(
        (code, error["error"].as_str()),
        (3, Some("supervisor_required"))
    );
    let (code, voided, _) = void("S001", SUPERVISOR_PIN);
    assert_eq!(code, 0);
    assert_eq!(voided["cards"][0], "GG-0001");

    let (code, stock, _) = t.json(
        t.relief()
            .args([
                "stock",
                "show",
                "--clerk",
                "S001",
                "--at",
                "2020-05-18T10:11",
            ])
            .env("RELIEF_PIN", SUPERVISOR_PIN),
    );
    assert_eq!(code, 0);
    // The returned card is not handed over again: it goes back to the
    // card issuer blocked.
    assert_eq!(stock["on_hand"], 19);
    assert_eq!(stock["by_face_value"][0]["returned"], 1);

    let (code, report, _) = t.json(
        t.relief()
            .args([
                "audit",
                "verify",
                "--clerk",
                "S001",
                "--at",
                "2020-05-18T10:12",
            ])
            .env("RELIEF_PIN", SUPERVISOR_PIN),
    );
    assert_eq!(code, 0);
    assert!(report["finding"].is_null());
    assert!(report["entries"].as_u64().unwrap() > 10);
}

#[test]
fn a_wrong_pin_and_a_broken_application_are_named() {
    let t = Terminal::new();
    let (code, _, error) = t.json(
        t.relief()
            .args([
                "stock",
                "show",
                "--clerk",
                "C001",
                "--at",
                "2020-05-18T10:00",
            ])
            .env("RELIEF_PIN", "000000"),
    );
    assert_eq!(
        (code, error["error"].as_str()),
        (3, Some("bad_credentials"))
    );
    let (code, _, error) = t.json(
        issue(&t, "2020-05-18T10:00").write_stdin(format!("{CLERK_PIN}\n{{\"applicant\": 5}}")),
    );
    assert_eq!((code, error["error"].as_str()), (2, Some("input")));
    let (code, _, error) = t.json(
        issue(&t, "2020-05-18T10:00")
            .write_stdin(format!("{CLERK_PIN}\n{}", application("12345", "GG-0003"))),
    );
    assert_eq!(
        (code, error["error"].as_str()),
        (2, Some("identity_number"))
    );
    assert!(!error["message"].as_str().unwrap().contains("12345"));
}

#[test]
fn only_a_demo_terminal_may_be_told_the_time() {
    let dir = tempfile::tempdir().unwrap();
    let relief = || {
        let mut command = Command::cargo_bin("relief").unwrap();
        command.arg("--data-dir").arg(dir.path());
        command
    };
    relief()
        .args([
            "init",
            "--site-code",
            "X",
            "--site-name",
            "NH 수원지점",
            "--site-type",
            "nh",
            "--sigungu",
            "41110",
            "--supervisor",
            "S001",
            "--supervisor-name",
            "김감독",
        ])
        .env("RELIEF_CAMPAIGN_SECRET", "00112233445566778899aabbccddeeff")
        .env("RELIEF_NEW_PIN", SUPERVISOR_PIN)
        .assert()
        .success();
    let output = relief()
        .args([
            "stock",
            "show",
            "--clerk",
            "S001",
            "--at",
            "2020-05-18T10:00",
            "--json",
        ])
        .env("RELIEF_PIN", SUPERVISOR_PIN)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["error"], "clock_not_settable");
    // A production terminal without a secret is refused rather than given one.
    let other = tempfile::tempdir().unwrap();
    Command::cargo_bin("relief")
        .unwrap()
        .arg("--data-dir")
        .arg(other.path())
        .args([
            "init",
            "--site-code",
            "X",
            "--site-name",
            "Y",
            "--site-type",
            "nh",
            "--sigungu",
            "41110",
            "--supervisor",
            "S001",
            "--supervisor-name",
            "김감독",
        ])
        .env_remove("RELIEF_CAMPAIGN_SECRET")
        .write_stdin(format!("abc\n{SUPERVISOR_PIN}\n"))
        .assert()
        .code(2);
    assert!(!other.path().join("terminal.sqlite3").exists());
}

#[test]
fn reports_for_a_supervisor_and_receipts_for_a_clerk() {
    let t = Terminal::new();
    let rrn = number(5);
    let (code, issued, _) = t.json(
        issue(&t, "2020-05-18T10:00")
            .write_stdin(format!("{CLERK_PIN}\n{}", application(&rrn, "GG-0005"))),
    );
    assert_eq!(code, 0);
    let id = issued["issuance_id"].as_str().unwrap().to_owned();
    let out = t.dir.path().join("day.csv");
    let report = |clerk: &str, pin: &str, kind: &str, format: &str, out: &std::path::Path| {
        t.json(
            t.relief()
                .args([
                    "report",
                    kind,
                    "--clerk",
                    clerk,
                    "--date",
                    "2020-05-18",
                    "--format",
                    format,
                ])
                .arg("--out")
                .arg(out)
                .args(["--at", "2020-05-18T18:00"])
                .env("RELIEF_PIN", pin),
        )
    };
    let (code, _, error) = report("C001", CLERK_PIN, "daily", "csv", &out);
    assert_eq!(
        (code, error["error"].as_str()),
        (3, Some("supervisor_required"))
    );
    assert!(!out.exists());
    let (code, done, _) = report("S001", SUPERVISOR_PIN, "daily", "csv", &out);
    assert_eq!(code, 0, "{done}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(
        csv.contains(&format!("{}-{}******", &rrn[..6], &rrn[6..7])) && !csv.contains(&rrn[7..])
    );
    let (code, _, error) = report("S001", SUPERVISOR_PIN, "stock", "docx", &out);
    assert_eq!((code, error["error"].as_str()), (2, Some("input")));
    let xlsx = t.dir.path().join("stock.xlsx");
    assert_eq!(report("S001", SUPERVISOR_PIN, "stock", "xlsx", &xlsx).0, 0);
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));

    let receipt = t.dir.path().join("receipt.pdf");
    let (code, _, _) = t.json(
        t.relief()
            .args([
                "report",
                "receipt",
                "--clerk",
                "C001",
                "--issuance",
                &id,
                "--paper",
                "roll80",
            ])
            .arg("--out")
            .arg(&receipt)
            .args(["--at", "2020-05-18T10:01"])
            .env("RELIEF_PIN", CLERK_PIN),
    );
    assert_eq!(code, 0);
    assert!(std::fs::read(&receipt).unwrap().starts_with(b"%PDF"));
}

#[test]
fn the_store_opens_by_a_supervisor_and_the_recovery_code_works_once() {
    let dir = tempfile::tempdir().unwrap();
    let relief = || {
        let mut command = Command::cargo_bin("relief").unwrap();
        command
            .arg("--data-dir")
            .arg(dir.path())
            .env_remove("RELIEF_OPENER")
            .env_remove("RELIEF_PIN");
        command
    };
    let init = |pin: &str| {
        let output = relief()
            .args(["init", "--site-code", "X", "--site-name", "매탄1동"])
            .args(["--site-type", "center", "--sigungu", "41110", "--demo"])
            .args([
                "--supervisor",
                "S001",
                "--supervisor-name",
                "김감독",
                "--json",
            ])
            .env("RELIEF_NEW_PIN", pin)
            .output()
            .unwrap();
        (
            output.status.code(),
            serde_json::from_slice::<Value>(&output.stdout).unwrap_or(Value::Null),
            serde_json::from_slice::<Value>(&output.stderr).unwrap_or(Value::Null),
        )
    };
    // A supervisor's PIN seals the store's key: 6 digits are too few.
    let (code, _, error) = init("482913");
    assert_eq!(
        (code, error["error"].as_str()),
        (Some(3), Some("weak_supervisor_pin"))
    );
    let (code, made, _) = init(SUPERVISOR_PIN);
    assert_eq!(code, Some(0));
    let recovery = made["recovery_code"].as_str().unwrap().to_owned();
    assert_eq!(recovery.len(), 39);
    let status = |clerk: &str, pin: &str| {
        let output = relief()
            .args(["clerk", "list", "--clerk", clerk, "--json"])
            .env("RELIEF_PIN", pin)
            .output()
            .unwrap();
        let error: Value = serde_json::from_slice(&output.stderr).unwrap_or(Value::Null);
        (
            output.status.code(),
            error["error"].as_str().map(str::to_owned),
        )
    };
    assert_eq!(status("S001", SUPERVISOR_PIN), (Some(0), None));
    assert_eq!(
        status("S001", "11112222"),
        (Some(3), Some("bad_credentials".into()))
    );
    let recover = |code: &str, pin: &str| {
        let output = relief()
            .args(["recover", "--supervisor", "S001", "--json"])
            .write_stdin(format!("{code}\n{pin}\n"))
            .output()
            .unwrap();
        (
            output.status.code(),
            serde_json::from_slice::<Value>(&output.stdout).unwrap_or(Value::Null),
        )
    };
    let (code, fresh) = recover(&recovery, "24681357");
    assert_eq!(code, Some(0));
    let fresh = fresh["recovery_code"].as_str().unwrap().to_owned();
    assert_ne!(fresh, recovery);
    assert_eq!(status("S001", "24681357"), (Some(0), None));
    assert_eq!(
        status("S001", SUPERVISOR_PIN),
        (Some(3), Some("bad_credentials".into()))
    );
    // The used code opens nothing now.
    assert_eq!(recover(&recovery, "13572468").0, Some(3));
    assert_eq!(recover(&fresh, "13572468").0, Some(0));
    // A supervisor changes their PIN, proving the current one.
    let change = |pin: &str, new_pin: &str| {
        let output = relief()
            .args(["clerk", "pin", "--clerk", "S001", "--json"])
            .write_stdin(format!("{pin}\n{new_pin}\n"))
            .output()
            .unwrap();
        let error: Value = serde_json::from_slice(&output.stderr).unwrap_or(Value::Null);
        (
            output.status.code(),
            error["error"].as_str().map(str::to_owned),
        )
    };
    assert_eq!(
        change("24681357", "97531864"),
        (Some(3), Some("bad_credentials".into()))
    );
    assert_eq!(
        change("13572468", "9753"),
        (Some(3), Some("weak_supervisor_pin".into()))
    );
    assert_eq!(change("13572468", "97531864"), (Some(0), None));
    assert_eq!(status("S001", "97531864"), (Some(0), None));
    assert_eq!(
        status("S001", "13572468"),
        (Some(3), Some("bad_credentials".into()))
    );
    // Nothing on disk names the supervisor or the site in plain bytes.
    let bytes = std::fs::read(dir.path().join("terminal.sqlite3")).unwrap();
    assert!(
        !bytes
            .windows("매탄1동".len())
            .any(|w| w == "매탄1동".as_bytes())
    );
}

#[test]
fn purge_is_refused_before_the_retention_end_and_recorded_after() {
    let t = Terminal::new();
    let purge = |at: &str| {
        t.json(
            t.relief()
                .args(["purge", "--clerk", "S001", "--at", at])
                .env("RELIEF_PIN", SUPERVISOR_PIN),
        )
    };
    let (code, _, error) = purge("2021-08-31T18:00");
    assert_eq!(
        (code, error["error"].as_str()),
        (3, Some("purge_too_early"))
    );
    let (code, purged, _) = purge("2021-09-01T09:00");
    assert_eq!(code, 0, "{purged}");
    assert_eq!(purged["issuances"], 0);
    let (code, report, _) = t.json(
        t.relief()
            .args([
                "audit",
                "verify",
                "--clerk",
                "S001",
                "--at",
                "2021-09-01T09:01",
            ])
            .env("RELIEF_PIN", SUPERVISOR_PIN),
    );
    assert_eq!(code, 0, "{report}");
    let (code, _, error) = purge("2021-09-02T09:00");
    assert_eq!((code, error["error"].as_str()), (3, Some("already_purged")));
}

#[test]
fn a_supervisor_approves_offline_issuance_once_for_the_queue() {
    let t = Terminal::new();
    let offline = |args: &[&str], who: &str, at: &str| {
        let mut command = t.relief();
        command
            .arg("offline")
            .args(args)
            .args(["--clerk", who, "--at", at])
            .env(
                "RELIEF_PIN",
                if who == "S001" {
                    SUPERVISOR_PIN
                } else {
                    CLERK_PIN
                },
            );
        t.json(&mut command)
    };
    let unapproved = |rrn: &str, card: &str| {
        let mut command = t.relief();
        command
            .args(["issue", "--clerk", "C001", "--at", "2020-05-18T10:05"])
            .write_stdin(format!("{CLERK_PIN}\n{}", application(rrn, card)));
        t.json(&mut command)
    };
    assert_eq!(
        offline(&["status"], "C001", "2020-05-18T10:00").1,
        Value::Null
    );
    let (code, _, error) = unapproved(&number(1), "GG-0001");
    assert_eq!(
        (code, error["error"].as_str()),
        (3, Some("offline_needs_supervisor"))
    );
    // A clerk cannot approve; a supervisor cannot go past the policy.
    let (code, _, error) = offline(
        &["open", "--minutes", "30", "--issuances", "2"],
        "C001",
        "2020-05-18T10:00",
    );
    assert_eq!(error["error"], "supervisor_required", "{code}");
    let (_, _, error) = offline(
        &["open", "--minutes", "61", "--issuances", "2"],
        "S001",
        "2020-05-18T10:00",
    );
    assert_eq!(error["error"], "offline_approval_bounds");

    let (code, opened, error) = offline(
        &["open", "--minutes", "30", "--issuances", "2"],
        "S001",
        "2020-05-18T10:00",
    );
    assert_eq!(code, 0, "{error}");
    assert_eq!(opened["until"], "2020-05-18T10:30:00");
    for (n, card) in [(2, "GG-0002"), (3, "GG-0003")] {
        let (code, issued, error) = unapproved(&number(n), card);
        assert_eq!(code, 0, "{error}");
        assert_eq!(issued["offline"], true);
    }
    let (_, status, _) = offline(&["status"], "C001", "2020-05-18T10:06");
    assert_eq!(status, Value::Null, "two of two used: it has ended");
    let (_, _, error) = unapproved(&number(4), "GG-0004");
    assert_eq!(error["error"], "offline_needs_supervisor");

    // Opened again, and closed by the supervisor.
    offline(
        &["open", "--minutes", "60", "--issuances", "50"],
        "S001",
        "2020-05-18T11:00",
    );
    let (_, status, _) = offline(&["status"], "C001", "2020-05-18T11:10");
    assert_eq!(
        (status["used"].as_u64(), status["max_issuances"].as_u64()),
        (Some(0), Some(50))
    );
    let (code, _, error) = offline(&["close"], "S001", "2020-05-18T11:20");
    assert_eq!(code, 0, "{error}");
    let (_, _, error) = offline(&["close"], "S001", "2020-05-18T11:21");
    assert_eq!(error["error"], "no_offline_approval");
}
