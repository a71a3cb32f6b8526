//! The 2020 rules, day by day.
//!
//! Two kinds of test: named cases written out by hand from DOMAIN.md, and a
//! walk over every day, hour, household size, digit and kind of site,
//! compared with `gyeonggi_2020_by_hand`, a second reading of the same rules
//! written straight from the prose with the dates spelled out, sharing no
//! code with the engine.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

use super::*;
use crate::policy::builtin;
use strum::VariantArray;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, m, day).unwrap()
}

fn code(s: &str) -> Sigungu {
    s.parse().unwrap()
}

const SUWON: &str = "41110";

fn visit(site: SiteType, date: NaiveDate, hh: u32, mm: u32, size: i64, birth_year: i32) -> Visit {
    Visit {
        at: date.and_hms_opt(hh, mm, 0).unwrap(),
        site: Site {
            kind: site,
            sigungu: code(SUWON),
        },
        resident_sigungu: code(SUWON),
        household_size: HouseholdSize::try_from(size).unwrap(),
        visitor: Visitor {
            birth_year,
            foreign: false,
        },
    }
}

use SiteType::{Center, Nh};

struct Case {
    what: &'static str,
    site: SiteType,
    date: NaiveDate,
    time: (u32, u32),
    size: i64,
    birth_year: i32,
    reason: &'static str,
    next: &'static [(u32, u32)],
}

#[test]
fn named_cases_from_the_2020_rules() {
    let policy = builtin::gyeonggi_2020();
    let cases = [
        Case {
            what: "day one, 4 people, digit 6 on Monday",
            site: Center,
            date: d(4, 20),
            time: (9, 0),
            size: 4,
            birth_year: 1986,
            reason: "allowed",
            // Saturday and Sunday are open to week 1's group whatever the digit.
            next: &[(4, 25), (4, 26), (5, 11)],
        },
        Case {
            what: "the same visitor at NH: no weekends there",
            site: Nh,
            date: d(4, 20),
            time: (15, 59),
            size: 4,
            birth_year: 1986,
            reason: "allowed",
            next: &[(5, 11), (5, 18), (5, 19)],
        },
        Case {
            what: "NH closes at 16:00 (half-open hours)",
            site: Nh,
            date: d(4, 20),
            time: (16, 0),
            size: 4,
            birth_year: 1986,
            reason: "outside_hours",
            next: &[(5, 11), (5, 18), (5, 19)],
        },
        Case {
            what: "before nine",
            site: Center,
            date: d(4, 20),
            time: (8, 59),
            size: 4,
            birth_year: 1986,
            reason: "outside_hours",
            next: &[(4, 25), (4, 26), (5, 11)],
        },
        Case {
            what: "center open until 20:00 on weekdays",
            site: Center,
            date: d(4, 20),
            time: (19, 59),
            size: 5,
            birth_year: 1991,
            reason: "allowed",
            next: &[(4, 25), (4, 26), (5, 11)],
        },
        Case {
            what: "digit 7 on Monday: Tuesday's digit",
            site: Center,
            date: d(4, 20),
            time: (10, 0),
            size: 4,
            birth_year: 1957,
            reason: "wrong_weekday",
            next: &[(4, 21), (4, 25), (4, 26)],
        },
        Case {
            what: "3 people in week 1: come in week 2 on Wednesday",
            site: Center,
            date: d(4, 20),
            time: (10, 0),
            size: 3,
            birth_year: 1978,
            reason: "wrong_week",
            // 04-29 is Wednesday; 04-30 (부처님오신날) is open like a weekend.
            next: &[(4, 29), (4, 30), (5, 2)],
        },
        Case {
            what: "the 04-25 outage: stopped from 09:00",
            site: Center,
            date: d(4, 25),
            time: (9, 0),
            size: 4,
            birth_year: 1986,
            reason: "closed",
            next: &[(4, 26), (5, 11), (5, 16)],
        },
        Case {
            what: "the 04-25 outage ends at 14:00",
            site: Center,
            date: d(4, 25),
            time: (14, 0),
            size: 4,
            birth_year: 1986,
            reason: "allowed",
            next: &[(4, 26), (5, 11), (5, 16)],
        },
        Case {
            what: "weekend hours end at 18:00",
            site: Center,
            date: d(4, 26),
            time: (18, 0),
            size: 4,
            birth_year: 1986,
            reason: "outside_hours",
            next: &[(5, 11), (5, 16), (5, 17)],
        },
        Case {
            what: "NH is closed on weekends",
            site: Nh,
            date: d(4, 25),
            time: (15, 0),
            size: 4,
            birth_year: 1986,
            reason: "weekend_closed",
            next: &[(5, 11), (5, 18), (5, 19)],
        },
        Case {
            what: "부처님오신날 at a center: open on weekend hours for week 2",
            site: Center,
            date: d(4, 30),
            time: (17, 59),
            size: 3,
            birth_year: 1980,
            reason: "allowed",
            // Digit 0 is Friday's, and 근로자의 날 is a working day at centers.
            next: &[(5, 1), (5, 2), (5, 3)],
        },
        Case {
            what: "부처님오신날 at NH: closed",
            site: Nh,
            date: d(4, 30),
            time: (10, 0),
            size: 3,
            birth_year: 1984,
            reason: "holiday_closed",
            next: &[(5, 14), (5, 18), (5, 19)],
        },
        Case {
            what: "근로자의 날 at a center: a normal weekday with 5부제",
            site: Center,
            date: d(5, 1),
            time: (10, 0),
            size: 3,
            birth_year: 1981,
            reason: "wrong_weekday",
            next: &[(5, 2), (5, 3), (5, 11)],
        },
        Case {
            what: "근로자의 날 at NH: banks close",
            site: Nh,
            date: d(5, 1),
            time: (10, 0),
            size: 3,
            birth_year: 1985,
            reason: "holiday_closed",
            next: &[(5, 15), (5, 18), (5, 19)],
        },
        Case {
            what: "어린이날 at a center: week 3's group, any digit",
            site: Center,
            date: d(5, 5),
            time: (9, 0),
            size: 2,
            birth_year: 1999,
            reason: "allowed",
            next: &[(5, 7), (5, 9), (5, 10)],
        },
        Case {
            what: "week 4 takes every household size, with 5부제",
            site: Nh,
            date: d(5, 12),
            time: (9, 0),
            size: 6,
            birth_year: 1962,
            reason: "allowed",
            next: &[(5, 18), (5, 19), (5, 20)],
        },
        Case {
            what: "05-16: no restriction at centers",
            site: Center,
            date: d(5, 16),
            time: (9, 0),
            size: 1,
            birth_year: 1943,
            reason: "allowed",
            next: &[(5, 17), (5, 18), (5, 19)],
        },
        Case {
            what: "after 05-17 no weekend openings",
            site: Center,
            date: d(5, 23),
            time: (10, 0),
            size: 1,
            birth_year: 1943,
            reason: "weekend_closed",
            next: &[(5, 25), (5, 26), (5, 27)],
        },
        Case {
            what: "after 05-17 centers close at 18:00",
            site: Center,
            date: d(5, 18),
            time: (18, 0),
            size: 2,
            birth_year: 1970,
            reason: "outside_hours",
            next: &[(5, 19), (5, 20), (5, 21)],
        },
        Case {
            what: "before the period",
            site: Center,
            date: d(4, 19),
            time: (10, 0),
            size: 4,
            birth_year: 1986,
            reason: "before_period",
            next: &[(4, 20), (4, 25), (4, 26)],
        },
        Case {
            what: "the last day",
            site: Center,
            date: d(7, 31),
            time: (17, 0),
            size: 1,
            birth_year: 1990,
            reason: "allowed",
            next: &[],
        },
        Case {
            what: "after the period",
            site: Center,
            date: d(8, 3),
            time: (10, 0),
            size: 1,
            birth_year: 1990,
            reason: "after_period",
            next: &[],
        },
    ];
    for case in cases {
        let v = visit(
            case.site,
            case.date,
            case.time.0,
            case.time.1,
            case.size,
            case.birth_year,
        );
        let decision = check(&policy, &v);
        assert_eq!(decision.verdict.code(), case.reason, "{}", case.what);
        let next: Vec<NaiveDate> = case.next.iter().map(|&(m, day)| d(m, day)).collect();
        assert_eq!(decision.next.as_slice(), next.as_slice(), "{}", case.what);
        assert!(!decision.verdict.message(&policy).is_empty());
    }
}

/// What DOMAIN.md says, for a resident of the site's own 시군, as a reason code.
fn gyeonggi_2020_by_hand(
    site: SiteType,
    date: NaiveDate,
    time: NaiveTime,
    size: u8,
    digit: u8,
) -> &'static str {
    let at = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    if date < d(4, 20) {
        return "before_period";
    }
    if date > d(7, 31) {
        return "after_period";
    }
    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    // Our policy's choice for the undocumented holidays.
    let public_holiday = date == d(4, 30) || date == d(5, 5);
    let workers_day = date == d(5, 1);
    let weekend_like = weekend || (site == Center && public_holiday);
    let restricted = date <= d(5, 15);
    if site == Nh && (public_holiday || workers_day) {
        return "holiday_closed";
    }
    if weekend && (site == Nh || date > d(5, 17)) {
        return "weekend_closed";
    }
    if restricted {
        let group = if date <= d(4, 26) {
            size >= 4
        } else if date <= d(5, 3) {
            size == 3
        } else if date <= d(5, 10) {
            size == 2
        } else {
            true
        };
        if !group {
            return "wrong_week";
        }
        let their_day = match digit {
            1 | 6 => Weekday::Mon,
            2 | 7 => Weekday::Tue,
            3 | 8 => Weekday::Wed,
            4 | 9 => Weekday::Thu,
            _ => Weekday::Fri,
        };
        if !weekend_like && date.weekday() != their_day {
            return "wrong_weekday";
        }
    }
    if date == d(4, 25) && time >= at(9) && time < at(14) {
        return "closed";
    }
    let (open, close) = match site {
        Nh => (at(9), at(16)),
        Center if date <= d(5, 17) && weekend_like => (at(9), at(18)),
        Center if date <= d(5, 17) => (at(9), at(20)),
        Center => (at(9), at(18)),
    };
    if time < open || time >= close {
        return "outside_hours";
    }
    "allowed"
}

#[test]
fn every_day_hour_size_and_digit_of_2020_agrees_with_the_rules_read_by_hand() {
    let policy = builtin::gyeonggi_2020();
    let mut day = d(4, 13);
    let mut checked = 0;
    while day <= d(8, 7) {
        for &site in SiteType::VARIANTS {
            for size in 1..=6 {
                for digit in 0..=9u8 {
                    for (hh, mm) in [
                        (8, 59),
                        (9, 0),
                        (13, 59),
                        (14, 0),
                        (15, 59),
                        (16, 0),
                        (17, 59),
                        (18, 0),
                        (19, 59),
                        (20, 0),
                    ] {
                        let v = visit(site, day, hh, mm, size, 1950 + i32::from(digit));
                        let expected =
                            gyeonggi_2020_by_hand(site, day, v.at.time(), size as u8, digit);
                        let decision = check(&policy, &v);
                        assert_eq!(
                            decision.verdict.code(),
                            expected,
                            "{site:?} {} size {size} digit {digit}: {}",
                            v.at,
                            decision.verdict.message(&policy)
                        );
                        checked += 1;
                    }
                }
            }
        }
        day = day.succ_opt().unwrap();
    }
    assert!(checked > 100_000);
}

#[test]
fn next_dates_are_the_first_three_allowed_days_by_hand() {
    let policy = builtin::gyeonggi_2020();
    let open_some_hour = |site, day, size, digit| {
        (9..20).any(|h| {
            gyeonggi_2020_by_hand(
                site,
                day,
                NaiveTime::from_hms_opt(h, 0, 0).unwrap(),
                size,
                digit,
            ) == "allowed"
        })
    };
    let mut day = d(4, 13);
    while day <= d(8, 3) {
        for &site in SiteType::VARIANTS {
            for size in [1u8, 2, 3, 4, 7] {
                for digit in 0..=9u8 {
                    let v = visit(site, day, 10, 0, i64::from(size), 1980 + i32::from(digit));
                    let mut expected = Vec::new();
                    let mut later = day.succ_opt().unwrap();
                    while expected.len() < 3 && later <= d(8, 7) {
                        if open_some_hour(site, later, size, digit) {
                            expected.push(later);
                        }
                        later = later.succ_opt().unwrap();
                    }
                    assert_eq!(
                        check(&policy, &v).next.as_slice(),
                        expected.as_slice(),
                        "{site:?} {day} size {size} digit {digit}"
                    );
                }
            }
        }
        day = day.succ_opt().unwrap();
    }
}

#[test]
fn a_resident_of_another_sigungu_is_sent_home_with_no_dates_here() {
    let policy = builtin::gyeonggi_2020();
    for &site in SiteType::VARIANTS {
        let mut v = visit(site, d(4, 20), 10, 0, 4, 1986);
        v.resident_sigungu = code("41590");
        let decision = check(&policy, &v);
        assert_eq!(decision.verdict.code(), "wrong_region");
        assert!(decision.next.as_slice().is_empty());
        let message = decision.verdict.message(&policy);
        assert!(
            message.contains("수원시") && message.contains("화성시"),
            "{message}"
        );
    }
}

#[test]
fn foreign_residents_apply_at_centers_in_june_and_july() {
    let policy = builtin::gyeonggi_2020();
    let foreign = |site, date, hh| {
        let mut v = visit(site, date, hh, 0, 1, 1984);
        v.visitor.foreign = true;
        v
    };
    let early = check(&policy, &foreign(Center, d(5, 20), 10));
    assert_eq!(early.verdict.code(), "before_period");
    assert_eq!(early.next.as_slice(), &[d(6, 1), d(6, 2), d(6, 3)]);
    assert!(early.verdict.message(&policy).contains("외국인"));
    assert!(check(&policy, &foreign(Center, d(6, 1), 10)).allowed());
    assert_eq!(
        check(&policy, &foreign(Center, d(6, 6), 10)).verdict.code(),
        "weekend_closed"
    );
    let nh = check(&policy, &foreign(Nh, d(6, 1), 10));
    assert_eq!(nh.verdict.code(), "foreign_site_type");
    assert!(nh.next.as_slice().is_empty());
    assert!(nh.verdict.message(&policy).contains("행정복지센터"));
    assert_eq!(
        check(&policy, &foreign(Center, d(8, 3), 10)).verdict.code(),
        "after_period"
    );
}

#[test]
fn the_national_aid_rotates_on_the_first_week_only() {
    let policy = builtin::national_2020();
    // 세대주 born 1958: digit 8, Wednesday.
    let v = |date, size| visit(Center, date, 10, 0, size, 1958);
    assert_eq!(
        check(&policy, &v(d(5, 18), 1)).verdict.code(),
        "wrong_weekday"
    );
    let wednesday = check(&policy, &v(d(5, 20), 5));
    assert!(wednesday.allowed());
    // The weekend after the first week is closed; from 05-25 any weekday.
    assert_eq!(wednesday.next.as_slice(), &[d(5, 25), d(5, 26), d(5, 27)]);
    assert_eq!(
        check(&policy, &v(d(5, 23), 2)).verdict.code(),
        "no_service_day"
    );
    assert!(check(&policy, &v(d(5, 25), 3)).allowed());
    assert!(check(&policy, &v(d(5, 29), 4)).allowed());
    assert_eq!(
        check(&policy, &v(d(8, 17), 1)).verdict.code(),
        "holiday_closed"
    );
    assert_eq!(
        check(&policy, &v(d(5, 18), 1)).next.as_slice(),
        &[d(5, 20), d(5, 25), d(5, 26)]
    );
}

#[test]
fn wrong_week_tells_which_week_is_theirs() {
    let policy = builtin::gyeonggi_2020();
    let early = check(&policy, &visit(Center, d(4, 21), 10, 0, 2, 1987));
    let message = early.verdict.message(&policy);
    assert!(
        message.contains("4인 이상") && message.contains("3주차") && message.contains("5월 4일"),
        "{message}"
    );
    // A family of five in week 2 has only week 4 left.
    let late = check(&policy, &visit(Center, d(4, 28), 10, 0, 5, 1987));
    let message = late.verdict.message(&policy);
    assert!(message.contains("4주차"), "{message}");
}

#[test]
fn every_refusal_has_a_korean_message() {
    let policy = builtin::gyeonggi_2020();
    let mut seen = std::collections::BTreeSet::new();
    let mut day = d(4, 13);
    while day <= d(8, 7) {
        for &site in SiteType::VARIANTS {
            for size in 1..=4 {
                for digit in [0, 3] {
                    for hh in [8, 10, 19] {
                        let mut v = visit(site, day, hh, 0, size, 1960 + digit);
                        for foreign in [false, true] {
                            v.visitor.foreign = foreign;
                            let verdict = check(&policy, &v).verdict;
                            let message = verdict.message(&policy);
                            assert!(
                                message.chars().any(|c| ('가'..='힣').contains(&c)),
                                "{message}"
                            );
                            seen.insert(verdict.code());
                        }
                    }
                }
            }
        }
        day = day.succ_opt().unwrap();
    }
    for code in [
        "allowed",
        "before_period",
        "after_period",
        "weekend_closed",
        "holiday_closed",
        "wrong_week",
        "wrong_weekday",
        "closed",
        "outside_hours",
        "foreign_site_type",
    ] {
        assert!(seen.contains(code), "never saw {code}");
    }
}
