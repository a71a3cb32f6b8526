//! Each kind of mistake in a policy file is caught and named: file, field,
//! problem. Every case edits one line of a shipped policy.

use chrono::NaiveDate;

use super::builtin::{GYEONGGI_2020, NATIONAL_2020};
use super::*;

const FILE: &str = "edited.toml";

fn edited(original: &str, from: &str, to: &str) -> String {
    assert!(original.contains(from), "the policy no longer has {from:?}");
    original.replacen(from, to, 1)
}

fn error_after(original: &str, from: &str, to: &str) -> PolicyError {
    Policy::from_toml(FILE, &edited(original, from, to)).expect_err("the edit should be refused")
}

fn assert_refused(original: &str, from: &str, to: &str, field: &str, problem: PolicyProblem) {
    let error = error_after(original, from, to);
    assert_eq!(error.file, FILE);
    assert_eq!(error.field, field, "{error}");
    assert_eq!(error.problem, problem, "{error}");
}

#[test]
fn the_shipped_policies_are_valid() {
    let gyeonggi = Policy::from_toml("gyeonggi-2020.toml", GYEONGGI_2020).unwrap();
    assert_eq!(gyeonggi.campaign.id, "gyeonggi-2020");
    assert_eq!(gyeonggi.schedule.windows.len(), 6);
    assert_eq!(gyeonggi.schedule.holidays.len(), 3);
    assert_eq!(gyeonggi.campaign.offline_mode, OfflineMode::Supervisor);
    assert_eq!(
        gyeonggi.campaign.offline_approval,
        OfflineApprovalBounds {
            max_minutes: 60,
            max_issuances: 50
        }
    );
    let national = Policy::from_toml("national-2020.toml", NATIONAL_2020).unwrap();
    assert_eq!(national.campaign.basis, Basis::Household);
    // Not written: the default bounds.
    assert_eq!(
        national.campaign.offline_approval,
        gyeonggi.campaign.offline_approval
    );
    assert_eq!(national.campaign.birth_year_of, BirthYearOf::Householder);
}

#[test]
fn unknown_and_malformed_sigungu_codes() {
    assert_refused(
        GYEONGGI_2020,
        "41550 = 250000,",
        "41550 = 250000, 11110 = 50000,",
        "amount[1].per_person_by_region.11110",
        PolicyProblem::UnknownSigungu("11110".into()),
    );
    assert_refused(
        GYEONGGI_2020,
        "41110 = \"수원시\"",
        "4111 = \"수원시\"",
        "regions.4111",
        PolicyProblem::InvalidSigunguCode("4111".into()),
    );
}

#[test]
fn overlapping_windows() {
    assert_refused(
        GYEONGGI_2020,
        "from = 2020-04-27",
        "from = 2020-04-26",
        "window[1]",
        PolicyProblem::Overlaps {
            other: "window \"1주차\"".into(),
        },
    );
}

#[test]
fn a_weekday_map_that_misses_or_repeats_a_digit() {
    assert_refused(
        GYEONGGI_2020,
        "friday = [5, 0]",
        "friday = [5]",
        "rotation",
        PolicyProblem::DigitMissing(0),
    );
    assert_refused(
        GYEONGGI_2020,
        "friday = [5, 0]",
        "friday = [5, 0, 1]",
        "rotation.friday",
        PolicyProblem::DigitTwice(1),
    );
    assert_refused(
        GYEONGGI_2020,
        "friday = [5, 0]",
        "friday = [5, 10]",
        "rotation.friday",
        PolicyProblem::NotADigit(10),
    );
}

#[test]
fn amounts_must_be_positive() {
    assert_refused(
        GYEONGGI_2020,
        "per_person = 100000",
        "per_person = 0",
        "amount[0].per_person",
        PolicyProblem::NotPositive(0),
    );
    assert_refused(
        GYEONGGI_2020,
        "41590 = 200000",
        "41590 = -200000",
        "amount[1].per_person_by_region.41590",
        PolicyProblem::NotPositive(-200000),
    );
    assert_refused(
        GYEONGGI_2020,
        "max = 3000000",
        "max = 0",
        "card_limit[1].max",
        PolicyProblem::NotPositive(0),
    );
}

#[test]
fn dates_out_of_order_or_outside_the_period() {
    assert_refused(
        GYEONGGI_2020,
        "period = { from = 2020-04-20, until = 2020-07-31 }",
        "period = { from = 2020-08-20, until = 2020-07-31 }",
        "campaign.period.until",
        PolicyProblem::DatesOutOfOrder {
            from: "2020-08-20".into(),
            until: "2020-07-31".into(),
        },
    );
    assert_refused(
        GYEONGGI_2020,
        "until = 2020-07-31\nhousehold_sizes",
        "until = 2020-08-31\nhousehold_sizes",
        "window[5].from",
        PolicyProblem::OutsidePeriod {
            first: NaiveDate::from_ymd_opt(2020, 4, 20).unwrap(),
            last: NaiveDate::from_ymd_opt(2020, 7, 31).unwrap(),
        },
    );
    assert_refused(
        GYEONGGI_2020,
        "until = 2020-04-25T14:00:00",
        "until = 2020-04-25T08:00:00",
        "closure[0].until",
        PolicyProblem::DatesOutOfOrder {
            from: "2020-04-25 09:00:00".into(),
            until: "2020-04-25 08:00:00".into(),
        },
    );
    assert_refused(
        GYEONGGI_2020,
        "date = 2020-05-01",
        "date = 2020-05-01T10:00:00",
        "holiday[1].date",
        PolicyProblem::NotADate("2020-05-01T10:00:00".into()),
    );
}

#[test]
fn card_limits_must_cover_the_period_without_overlap() {
    assert_refused(
        GYEONGGI_2020,
        "from = 2020-04-21",
        "from = 2020-04-22",
        "card_limit",
        PolicyProblem::NoCardLimit(NaiveDate::from_ymd_opt(2020, 4, 21).unwrap()),
    );
    assert_refused(
        GYEONGGI_2020,
        "from = 2020-04-21",
        "from = 2020-04-20",
        "card_limit[1]",
        PolicyProblem::Overlaps {
            other: "card_limit[0]".into(),
        },
    );
}

#[test]
fn hours_and_household_sizes() {
    assert_refused(
        GYEONGGI_2020,
        "weekday = \"09:00-16:00\"",
        "weekday = \"16:00-09:00\"",
        "hours.nh.weekday",
        PolicyProblem::BadHours("16:00-09:00".into()),
    );
    assert_refused(
        GYEONGGI_2020,
        "household_sizes = { min = 3, max = 3 }",
        "household_sizes = { min = 3, max = 2 }",
        "window[1].household_sizes.max",
        PolicyProblem::MinAboveMax { min: 3, max: 2 },
    );
    assert_refused(
        GYEONGGI_2020,
        "household_sizes = { min = 4 }",
        "household_sizes = { min = 0 }",
        "window[0].household_sizes.min",
        PolicyProblem::HouseholdSize { found: 0, max: 30 },
    );
}

#[test]
fn syntax_and_shape_errors_name_the_line() {
    let error = error_after(GYEONGGI_2020, "basis = \"person\"", "basis = ");
    assert_eq!(error.field, ".");
    let line = GYEONGGI_2020
        .lines()
        .position(|l| l.starts_with("basis = "))
        .unwrap()
        + 1;
    assert!(
        matches!(error.problem, PolicyProblem::Syntax { line: l, .. } if l == line),
        "{error}"
    );

    let error = error_after(
        GYEONGGI_2020,
        "household_sizes = { min = 4 }",
        "househld_sizes = { min = 4 }",
    );
    assert_eq!(error.field, "window[0].househld_sizes");
    assert!(matches!(error.problem, PolicyProblem::Shape { .. }));

    let error = error_after(
        GYEONGGI_2020,
        "{ min = 4 }\nrotation = true",
        "{ min = 4 }\nrotation = \"yes\"",
    );
    assert_eq!(error.field, "window[0].rotation");

    let error = error_after(
        GYEONGGI_2020,
        "offline_mode = \"supervisor\"",
        "offline_mode = \"maybe\"",
    );
    assert_eq!(error.field, "campaign.offline_mode");
    assert!(
        error
            .to_string()
            .starts_with("edited.toml: campaign.offline_mode: "),
        "{error}"
    );

    let error = error_after(GYEONGGI_2020, "max_minutes = 60", "max_minutes = 0");
    assert_eq!(error.field, "campaign.offline_approval.max_minutes");
    let error = error_after(GYEONGGI_2020, "max_issuances = 50", "max_issuances = 1001");
    assert_eq!(error.field, "campaign.offline_approval.max_issuances");
}

#[test]
fn schema_basis_and_sources() {
    assert_refused(
        GYEONGGI_2020,
        "schema = 1",
        "schema = 2",
        "schema",
        PolicyProblem::UnsupportedSchema {
            found: 2,
            supported: 1,
        },
    );
    assert_refused(
        NATIONAL_2020,
        "3 = 697000, ",
        "",
        "amount[0].per_household",
        PolicyProblem::HouseholdSizeGap(3),
    );
    assert_refused(
        NATIONAL_2020,
        "basis = \"household\"",
        "basis = \"person\"",
        "amount[0]",
        PolicyProblem::BasisMismatch {
            basis: Basis::Person,
        },
    );
    assert_refused(
        GYEONGGI_2020,
        "per_person = { province = 100000 }",
        "per_person = { state = 100000 }",
        "foreign_residents.per_person.state",
        PolicyProblem::UnknownSource("state".into()),
    );
    assert_refused(
        GYEONGGI_2020,
        "relations = [\"self\", ",
        "relations = [",
        "proxy.relations",
        PolicyProblem::MustInclude("\"self\""),
    );
}

#[test]
fn the_roll_section_says_who_is_entitled_and_its_mistakes_are_named() {
    let gyeonggi = Policy::from_toml("gyeonggi-2020.toml", GYEONGGI_2020).unwrap();
    let roll = gyeonggi.roll.expect("Gyeonggi has a roll");
    assert!(!roll.required);
    assert!(roll.center_own_eupmyeondong);
    assert_eq!(roll.entitled.len(), 3);
    assert_eq!(roll.overrides.len(), 2);
    let national = Policy::from_toml("national-2020.toml", NATIONAL_2020).unwrap();
    assert_eq!(national.roll, None);

    let entitled = r#"entitled = ["resident", "marriage_migrant", "permanent_resident"]"#;
    assert_refused(
        GYEONGGI_2020,
        entitled,
        r#"entitled = ["resident", "removed"]"#,
        "roll.entitled",
        PolicyProblem::RemovedEntitled,
    );
    assert_refused(
        GYEONGGI_2020,
        entitled,
        "entitled = []",
        "roll.entitled",
        PolicyProblem::Empty,
    );
    let no_foreigners = edited(GYEONGGI_2020, "eligible = true", "eligible = false");
    assert_refused(
        &no_foreigners,
        entitled,
        r#"entitled = ["resident", "permanent_resident"]"#,
        "roll.entitled",
        PolicyProblem::ForeignStatusNotEligible("permanent_resident".into()),
    );
    let error = error_after(GYEONGGI_2020, entitled, r#"entitled = ["tourist"]"#);
    assert!(error.to_string().contains("tourist"), "{error}");
    // A roll is a 시군's: a site serving the whole province cannot use it.
    assert_refused(
        GYEONGGI_2020,
        "[sites.nh]\nregion = \"same_sigungu\"",
        "[sites.nh]\nregion = \"any_covered\"",
        "roll",
        PolicyProblem::RollNeedsOwnSigungu,
    );
}
