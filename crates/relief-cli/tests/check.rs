//! `relief check` as other tools call it: flags, JSON fields, exit codes.

use assert_cmd::Command;
use chrono::NaiveDate;
use relief_core::identity::synthetic;
use serde_json::Value;

fn relief() -> Command {
    Command::cargo_bin("relief").unwrap()
}

fn policy_path(name: &str) -> String {
    format!("{}/../../policies/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn check_json(args: &[&str]) -> Value {
    let output = relief()
        .arg("check")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn an_eligible_visitor_gets_allowed_and_amounts() {
    let answer = check_json(&[
        "--policy",
        &policy_path("gyeonggi-2020.toml"),
        "--site-type",
        "center",
        "--site-sigungu",
        "41550",
        "--at",
        "2020-04-20T10:00",
        "--household-size",
        "4",
        "--birth-year",
        "1986",
    ]);
    assert_eq!(answer["allowed"], true);
    assert_eq!(answer["reason"], "allowed");
    assert!(answer["message"].as_str().unwrap().contains("가능"));
    assert_eq!(
        answer["next"],
        serde_json::json!(["2020-04-25", "2020-04-26", "2020-05-11"])
    );
    assert_eq!(answer["amount_per_person_krw"], 350_000);
    assert_eq!(answer["amount_household_krw"], 1_400_000);
    // 04-20 is still under the 500,000 limit.
    assert_eq!(
        answer["cards_krw"],
        serde_json::json!([500_000, 500_000, 400_000])
    );
}

#[test]
fn a_refusal_still_exits_zero_with_reason_and_next_dates() {
    let answer = check_json(&[
        "--site-type",
        "nh",
        "--site-sigungu",
        "41110",
        "--at",
        "2020-04-25T10:00",
        "--household-size",
        "4",
        "--birth-year",
        "1986",
    ]);
    assert_eq!(answer["allowed"], false);
    assert_eq!(answer["reason"], "weekend_closed");
    assert_eq!(
        answer["next"],
        serde_json::json!(["2020-05-11", "2020-05-18", "2020-05-19"])
    );
    assert_eq!(answer["amount_per_person_krw"], 100_000);
}

#[test]
fn another_sigungus_resident_and_a_foreign_resident() {
    let answer = check_json(&[
        "--site-type",
        "center",
        "--site-sigungu",
        "41110",
        "--resident-sigungu",
        "41590",
        "--at",
        "2020-04-20T10:00",
        "--household-size",
        "4",
        "--birth-year",
        "1986",
    ]);
    assert_eq!(answer["reason"], "wrong_region");
    assert_eq!(answer["next"], serde_json::json!([]));
    let answer = check_json(&[
        "--site-type",
        "nh",
        "--site-sigungu",
        "41110",
        "--at",
        "2020-06-02T10:00",
        "--household-size",
        "1",
        "--birth-year",
        "1984",
        "--foreign",
    ]);
    assert_eq!(answer["reason"], "foreign_site_type");
}

#[test]
fn the_identity_number_comes_on_stdin_and_never_comes_back() {
    let number = synthetic::number(
        NaiveDate::from_ymd_opt(1957, 8, 14).unwrap(),
        false,
        true,
        31337,
    );
    let output = relief()
        .args([
            "check",
            "--site-type",
            "center",
            "--site-sigungu",
            "41110",
            "--at",
            "2020-04-21T10:00",
            "--household-size",
            "5",
            "--rrn-stdin",
            "--json",
        ])
        .write_stdin(format!("  {}-{}\n", &number[..6], &number[6..]))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        !stdout.contains(&number[6..]),
        "the number leaked: {stdout}"
    );
    let answer: Value = serde_json::from_str(&stdout).unwrap();
    // Born 1957: digit 7, Tuesday.
    assert_eq!(answer["allowed"], true);
    assert_eq!(answer["identity"]["masked"], "570814-2******");
    assert_eq!(answer["identity"]["check_digit"], "valid");
    assert_eq!(answer["identity"]["age"], 62);
}

#[test]
fn the_national_policy_pays_households() {
    let answer = check_json(&[
        "--policy",
        &policy_path("national-2020.toml"),
        "--site-type",
        "center",
        "--site-sigungu",
        "41110",
        "--at",
        "2020-05-18T10:00",
        "--household-size",
        "2",
        "--birth-year",
        "1958",
    ]);
    assert_eq!(answer["reason"], "wrong_weekday");
    assert_eq!(answer["basis"], "household");
    assert_eq!(answer["amount_household_krw"], 523_000);
    assert_eq!(
        answer["next"],
        serde_json::json!(["2020-05-20", "2020-05-25", "2020-05-26"])
    );
}

#[test]
fn without_json_a_person_reads_korean() {
    let output = relief()
        .args([
            "check",
            "--site-type",
            "center",
            "--site-sigungu",
            "41110",
            "--at",
            "2020-04-20T10:00",
            "--household-size",
            "3",
            "--birth-year",
            "1986",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("발급 불가: "), "{text}");
    assert!(text.contains("다음 신청 가능일: 4월 27일(월)"), "{text}");
}

/// Invalid input exits non-zero with a message naming the problem.
#[test]
fn invalid_input_is_refused_with_a_specific_message() {
    let base = |overrides: &[(&str, &str)]| {
        let mut args = vec![
            ("--site-type", "center"),
            ("--site-sigungu", "41110"),
            ("--at", "2020-04-20T10:00"),
            ("--household-size", "4"),
            ("--birth-year", "1986"),
        ];
        for (flag, value) in overrides {
            match args.iter_mut().find(|(f, _)| f == flag) {
                Some(slot) => slot.1 = value,
                None => args.push((flag, value)),
            }
        }
        let mut command = relief();
        command.arg("check");
        for (flag, value) in args {
            command.arg(flag).arg(value);
        }
        command.output().unwrap()
    };
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("--site-type", "bank")], "창구 종류"),
        (&[("--site-sigungu", "11110")], "없는 시군 코드"),
        (&[("--site-sigungu", "4111")], "다섯 자리"),
        (&[("--resident-sigungu", "99999")], "없는 시군 코드"),
        (&[("--at", "2020-02-30T10:00")], "날짜"),
        (&[("--at", "2020-04-20 10:00")], "날짜"),
        (&[("--household-size", "0")], "세대원 수"),
        (&[("--household-size", "500")], "세대원 수"),
        (&[("--birth-year", "2031")], "출생연도"),
        (
            &[("--policy", "/nonexistent/policy.toml")],
            "정책 파일을 읽을 수 없습니다",
        ),
    ];
    for (overrides, expected) in cases {
        let output = base(overrides);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{overrides:?} accepted");
        assert!(stderr.contains(expected), "{overrides:?}: {stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn a_broken_policy_file_is_named_with_its_field() {
    let dir = std::env::temp_dir().join(format!("relief-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.toml");
    let text = std::fs::read_to_string(policy_path("gyeonggi-2020.toml")).unwrap();
    std::fs::write(&path, text.replace("friday = [5, 0]", "friday = [5]")).unwrap();
    let output = relief()
        .args(["check", "--policy", path.to_str().unwrap()])
        .args([
            "--site-type",
            "center",
            "--site-sigungu",
            "41110",
            "--at",
            "2020-04-20T10:00",
        ])
        .args(["--household-size", "4", "--birth-year", "1986", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("broken.toml: rotation: 출생연도 끝자리 0"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_malformed_identity_number_is_refused_without_echo() {
    for input in [
        "",
        "12345",
        "860315-12345678",
        "8603151234567x",
        "861315-1234567",
    ] {
        let output = relief()
            .args(["check", "--site-type", "center", "--site-sigungu", "41110"])
            .args([
                "--at",
                "2020-04-20T10:00",
                "--household-size",
                "4",
                "--rrn-stdin",
                "--json",
            ])
            .write_stdin(input)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{input:?}");
        assert!(stderr.contains("주민등록번호"), "{stderr}");
        if input.len() > 6 {
            assert!(!stderr.contains(&input[6..]), "{stderr}");
        }
    }
}

#[test]
fn birth_year_and_rrn_stdin_are_exclusive_and_one_is_required() {
    let output = relief()
        .args(["check", "--site-type", "center", "--site-sigungu", "41110"])
        .args(["--at", "2020-04-20T10:00", "--household-size", "4"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let output = relief()
        .args(["check", "--site-type", "center", "--site-sigungu", "41110"])
        .args([
            "--at",
            "2020-04-20T10:00",
            "--household-size",
            "4",
            "--birth-year",
            "1986",
            "--rrn-stdin",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
}
