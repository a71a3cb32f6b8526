//! Properties that must hold for any visitor, any date, any input.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use proptest::prelude::*;
use relief_core::card;
use relief_core::eligibility::{Visit, Visitor, check};
use relief_core::identity::{CampaignSecret, IdentityNumber, synthetic};
use relief_core::policy::{Policy, Rotation, builtin};
use relief_core::{HouseholdSize, Krw, Sigungu, Site, SiteType};

fn policies() -> [Policy; 2] {
    [builtin::gyeonggi_2020(), builtin::national_2020()]
}

fn site_type() -> impl Strategy<Value = SiteType> {
    prop_oneof![Just(SiteType::Center), Just(SiteType::Nh)]
}

/// A visit around the 2020 campaigns, mostly by residents of the site's 시군.
fn visit() -> impl Strategy<Value = Visit> {
    (
        0i64..200,
        0u32..24 * 60,
        site_type(),
        0usize..31,
        prop_oneof![4 => Just(None), 1 => (0usize..31).prop_map(Some)],
        1i64..=HouseholdSize::MAX as i64,
        1900i32..2021,
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(day, minute, kind, site_region, resident_region, size, birth_year, foreign)| {
                let regions: Vec<Sigungu> =
                    builtin::gyeonggi_2020().regions.keys().copied().collect();
                let date = NaiveDate::from_ymd_opt(2020, 4, 1).unwrap() + Duration::days(day);
                let time = NaiveTime::from_num_seconds_from_midnight_opt(minute * 60, 0).unwrap();
                Visit {
                    at: date.and_time(time),
                    site: Site {
                        kind,
                        sigungu: regions[site_region],
                    },
                    resident_sigungu: regions[resident_region.unwrap_or(site_region)],
                    household_size: HouseholdSize::try_from(size).unwrap(),
                    visitor: Visitor {
                        birth_year,
                        foreign,
                    },
                }
            },
        )
}

fn allowed_at_some_time(policy: &Policy, visit: &Visit, date: NaiveDate) -> bool {
    (0..48).any(|half_hour| {
        let time = NaiveTime::from_num_seconds_from_midnight_opt(half_hour * 1800, 0).unwrap();
        check(
            policy,
            &Visit {
                at: date.and_time(time),
                ..*visit
            },
        )
        .allowed()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_next_date_is_itself_allowed(visit in visit()) {
        for policy in &policies() {
            let decision = check(policy, &visit);
            let next = decision.next.as_slice();
            prop_assert!(next.len() <= 3);
            prop_assert!(next.windows(2).all(|w| w[0] < w[1]), "{next:?} not ascending");
            for &date in next {
                prop_assert!(date > visit.at.date());
                prop_assert!(allowed_at_some_time(policy, &visit, date), "{date} in next but never allowed");
            }
            // Nothing allowed is skipped between the visit and the last date offered.
            if let Some(&last) = next.last() {
                let mut day = visit.at.date().succ_opt().unwrap();
                while day < last {
                    if !next.contains(&day) {
                        prop_assert!(!allowed_at_some_time(policy, &visit, day), "{day} allowed but skipped");
                    }
                    day = day.succ_opt().unwrap();
                }
            }
            prop_assert!(!decision.verdict.message(policy).is_empty());
        }
    }

    #[test]
    fn in_every_restricted_week_each_digit_has_a_weekday(birth_year in 1900i32..2021) {
        for policy in &policies() {
            let Rotation::Weekday(map) = policy.schedule.rotation else { continue };
            let digit = birth_year.rem_euclid(10) as usize;
            for window in policy.schedule.windows.iter().filter(|w| w.rotation) {
                let mut day = window.dates.first;
                let mut found = false;
                while day <= window.dates.last {
                    found |= day.weekday() == map[digit];
                    day = day.succ_opt().unwrap();
                }
                prop_assert!(found, "{}: digit {digit} has no day in {}", policy.campaign.id, window.name);
                // And at a center the visitor can actually be served that week.
                let site = *policy.regions.keys().next().unwrap();
                let visit = Visit {
                    at: window.dates.first.pred_opt().unwrap().and_hms_opt(12, 0, 0).unwrap(),
                    site: Site { kind: SiteType::Center, sigungu: site },
                    resident_sigungu: site,
                    household_size: HouseholdSize::try_from(i64::from(window.household_sizes.min)).unwrap(),
                    visitor: Visitor { birth_year, foreign: false },
                };
                let mut day = window.dates.first;
                let mut served = false;
                while day <= window.dates.last {
                    served |= allowed_at_some_time(policy, &visit, day);
                    day = day.succ_opt().unwrap();
                }
                prop_assert!(served, "{}: digit {digit} never served at a center in {}", policy.campaign.id, window.name);
            }
        }
    }

    #[test]
    fn identity_parser_never_panics(input in "\\PC{0,40}") {
        let _ = IdentityNumber::parse(&input);
    }

    #[test]
    fn identity_parser_never_panics_on_near_misses(digits in "[0-9]{5,14}", hyphen in 0usize..16, spaces in " {0,3}") {
        let mut text = digits.clone();
        if hyphen <= text.len() {
            text.insert(hyphen, '-');
        }
        let text = format!("{spaces}{text}{spaces}");
        if let Ok(id) = IdentityNumber::parse(&text) {
            // Anything accepted has 13 digits and a real birth date.
            prop_assert_eq!(digits.len(), 13);
            prop_assert!(id.birth_date().year() >= 1800);
            prop_assert_eq!(id.masked().as_str().len(), 14);
        }
    }

    #[test]
    fn synthetic_numbers_round_trip(day in 0i64..(200 * 365), foreign: bool, female: bool, serial in 0u32..100_000) {
        let birth = NaiveDate::from_ymd_opt(1850, 1, 1).unwrap() + Duration::days(day);
        let text = synthetic::number(birth, foreign, female, serial);
        let id = IdentityNumber::parse(&text).unwrap();
        prop_assert_eq!(id.birth_date(), birth);
        prop_assert_eq!(id.is_foreign(), foreign && birth.year() >= 1900);
        prop_assert_eq!(id.check_digit(), relief_core::identity::CheckDigit::Valid);
        let hyphenated = format!(" {}-{} ", &text[..6], &text[6..]);
        let secret = CampaignSecret::from_bytes(vec![7; 32]).unwrap();
        prop_assert_eq!(
            IdentityNumber::parse(&hyphenated).unwrap().beneficiary_key(&secret),
            id.beneficiary_key(&secret)
        );
        let shown = format!("{:?}", id);
        prop_assert!(!shown.contains(&text[7..]));
    }

    #[test]
    fn sigungu_parser_never_panics(input in "\\PC{0,12}") {
        if let Ok(code) = input.parse::<Sigungu>() {
            prop_assert_eq!(code.to_string(), input.trim());
        }
    }

    #[test]
    fn policy_loader_never_panics_on_garbage(input in "\\PC{0,400}") {
        let _ = Policy::from_toml("garbage.toml", &input);
    }

    #[test]
    fn policy_loader_never_panics_on_damaged_policies(cut in 0usize..8000, len in 0usize..200, insert in "\\PC{0,5}") {
        let text = relief_core::policy::builtin::GYEONGGI_2020;
        let start = text.floor_char_boundary(cut.min(text.len()));
        let end = text.floor_char_boundary((start + len).min(text.len()));
        let damaged = format!("{}{}{}", &text[..start], insert, &text[end..]);
        if let Err(e) = Policy::from_toml("damaged.toml", &damaged) {
            prop_assert!(e.to_string().starts_with("damaged.toml: "));
        }
    }

    #[test]
    fn card_split_uses_the_fewest_cards_within_the_limit(total in 0u64..20_000_000, limit in 1u64..5_000_000) {
        let cards = card::split(Krw(total), Krw(limit));
        prop_assert_eq!(cards.iter().copied().sum::<Krw>(), Krw(total));
        prop_assert_eq!(cards.len() as u64, total.div_ceil(limit));
        prop_assert!(cards.iter().all(|c| Krw::ZERO < *c && *c <= Krw(limit)));
    }
}
