//! What the daily issuance report says: totals and breakdowns of the
//! issuances of a day, voids with their reasons, conflicts still open.
//! Voided issuances are counted apart and not in the amounts.

use std::collections::BTreeMap;

use chrono::Timelike;

use crate::model::{DailyInput, Issuance};

/// A count of issuances and beneficiaries, and their amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub issuances: u64,
    pub beneficiaries: u64,
    pub amount: u64,
}

impl Tally {
    fn add(&mut self, issuance: &Issuance) {
        self.issuances += 1;
        self.beneficiaries += issuance.beneficiaries.len() as u64;
        self.amount += issuance.total();
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyReport<'a> {
    pub input: &'a DailyInput,
    /// Issuances that stand (not voided).
    pub total: Tally,
    /// Amounts that stand, by source, in the order of the policy.
    pub by_source: Vec<(String, u64)>,
    pub voided: Tally,
    /// By household size of the beneficiaries.
    pub by_household: Vec<(u8, Tally)>,
    /// By clerk: (id, name, tally).
    pub by_clerk: Vec<(String, String, Tally)>,
    /// By hour of the day.
    pub by_hour: Vec<(u32, Tally)>,
    pub online: Tally,
    pub offline: Tally,
    /// Beneficiaries served on a supervisor's exception to the resident
    /// roll (a newborn, a registration the extract missed).
    pub roll_exceptions: u64,
    pub voids: Vec<&'a Issuance>,
    /// Issuances of earlier, closed days voided in this day's books.
    pub corrected: Tally,
}

impl<'a> DailyReport<'a> {
    pub fn build(input: &'a DailyInput) -> DailyReport<'a> {
        let mut total = Tally::default();
        let mut voided = Tally::default();
        let mut sources: BTreeMap<&str, u64> = BTreeMap::new();
        let mut households: BTreeMap<u8, Tally> = BTreeMap::new();
        let mut clerks: BTreeMap<&str, Tally> = BTreeMap::new();
        let mut hours: BTreeMap<u32, Tally> = BTreeMap::new();
        let (mut online, mut offline) = (Tally::default(), Tally::default());
        let mut roll_exceptions = 0;
        let mut voids = Vec::new();
        for issuance in &input.issuances {
            if issuance.void.is_some() {
                voided.add(issuance);
                voids.push(issuance);
                continue;
            }
            total.add(issuance);
            for b in &issuance.beneficiaries {
                for (source, amount) in &b.shares {
                    *sources.entry(source).or_default() += amount;
                }
                if b.roll_exception.is_some() {
                    roll_exceptions += 1;
                }
                let row = households.entry(b.household_size).or_default();
                row.beneficiaries += 1;
                row.amount += b.amount();
            }
            // An issuance counts once per household size it paid.
            let mut sizes: Vec<u8> = issuance
                .beneficiaries
                .iter()
                .map(|b| b.household_size)
                .collect();
            sizes.sort_unstable();
            sizes.dedup();
            for size in sizes {
                households.entry(size).or_default().issuances += 1;
            }
            clerks.entry(&issuance.clerk).or_default().add(issuance);
            hours
                .entry(issuance.issued_at.hour())
                .or_default()
                .add(issuance);
            if issuance.offline {
                offline.add(issuance)
            } else {
                online.add(issuance)
            }
        }
        let by_source = input
            .sources
            .iter()
            .map(|s| {
                (
                    s.label.clone(),
                    sources.get(s.code.as_str()).copied().unwrap_or(0),
                )
            })
            .collect();
        let by_clerk = clerks
            .into_iter()
            .map(|(id, tally)| {
                let name = input.clerks.get(id).cloned().unwrap_or_default();
                (id.to_owned(), name, tally)
            })
            .collect();
        let mut corrected = Tally::default();
        for issuance in &input.corrections {
            corrected.add(issuance);
        }
        DailyReport {
            input,
            corrected,
            total,
            by_source,
            voided,
            by_household: households.into_iter().collect(),
            by_clerk,
            by_hour: hours.into_iter().collect(),
            online,
            offline,
            roll_exceptions,
            voids,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;

    use super::*;
    use crate::model::*;

    pub fn header() -> Header {
        Header {
            site_code: "41110-515".into(),
            site_name: "매탄1동 행정복지센터".into(),
            site_type: relief_core::SiteType::Center,
            sigungu: "수원시 (41110)".into(),
            date: NaiveDate::from_ymd_opt(2020, 5, 18).unwrap(),
            campaign: "경기도 재난기본소득".into(),
            policy_version: "2020.1".into(),
            generated_at: NaiveDate::from_ymd_opt(2020, 5, 18)
                .unwrap()
                .and_hms_opt(18, 5, 0)
                .unwrap(),
            generated_by: "김감독 (S001)".into(),
        }
    }

    pub fn issuance(
        n: u32,
        hour: u32,
        size: u8,
        people: u32,
        clerk: &str,
        offline: bool,
    ) -> Issuance {
        Issuance {
            id: format!("i{n}"),
            issued_at: NaiveDate::from_ymd_opt(2020, 5, 18)
                .unwrap()
                .and_hms_opt(hour, 0, 0)
                .unwrap(),
            clerk: clerk.into(),
            offline,
            applicant_masked: "860315-1******".into(),
            applicant_name: "홍길동".into(),
            beneficiaries: (0..people)
                .map(|_| Beneficiary {
                    roll_exception: None,
                    masked: "860315-1******".into(),
                    name: "홍길동".into(),
                    relation: "본인".into(),
                    household_size: size,
                    sigungu: "41550".into(),
                    shares: BTreeMap::from([
                        ("province".to_owned(), 100_000),
                        ("sigungu".to_owned(), 250_000),
                    ]),
                })
                .collect(),
            cards: vec![Card {
                serial: format!("GG-{n:04}"),
                amount: 350_000 * u64::from(people),
            }],
            void: None,
        }
    }

    pub fn input(issuances: Vec<Issuance>) -> DailyInput {
        DailyInput {
            header: header(),
            sources: vec![
                Source {
                    code: "province".into(),
                    label: "경기도".into(),
                },
                Source {
                    code: "sigungu".into(),
                    label: "시군".into(),
                },
            ],
            clerks: BTreeMap::from([
                ("C001".to_owned(), "이담당".to_owned()),
                ("C002".to_owned(), "박담당".to_owned()),
            ]),
            issuances,
            open_conflicts: vec![],
            card_activations: vec![],
            corrections: vec![],
            close: None,
        }
    }

    #[test]
    fn people_served_on_a_roll_exception_are_counted_unless_voided() {
        let newborn = "출생증명서로 확인한 신생아".to_owned();
        let mut standing = issuance(1, 9, 3, 2, "C001", false);
        standing.beneficiaries[1].roll_exception = Some(newborn.clone());
        let mut voided = issuance(2, 10, 1, 1, "C001", false);
        voided.beneficiaries[0].roll_exception = Some(newborn);
        voided.void = Some(Void {
            at: voided.issued_at,
            by: "S001".into(),
            reason: "착오".into(),
            disposition: "재고로 회수".into(),
        });
        let input = input(vec![standing, voided, issuance(3, 11, 1, 1, "C002", false)]);
        let report = DailyReport::build(&input);
        assert_eq!(report.roll_exceptions, 1);
        let csv = String::from_utf8(crate::csv::daily(&report).unwrap()).unwrap();
        assert_eq!(
            csv.matches("출생증명서로 확인한 신생아").count(),
            2,
            "every row says so"
        );
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .trim_end()
                .ends_with("명부_예외")
        );
    }

    #[test]
    fn totals_and_breakdowns_add_up_and_leave_voids_out() {
        let mut voided = issuance(4, 11, 1, 1, "C002", false);
        voided.void = Some(Void {
            at: voided.issued_at,
            by: "S001".into(),
            reason: "세대원 수 착오".into(),
            disposition: "재고로 회수".into(),
        });
        let input = input(vec![
            issuance(1, 9, 4, 3, "C001", false),
            issuance(2, 9, 1, 1, "C002", true),
            issuance(3, 14, 4, 1, "C001", false),
            voided,
        ]);
        let report = DailyReport::build(&input);
        assert_eq!(
            report.total,
            Tally {
                issuances: 3,
                beneficiaries: 5,
                amount: 1_750_000
            }
        );
        assert_eq!(
            report.by_source,
            vec![("경기도".into(), 500_000), ("시군".into(), 1_250_000)]
        );
        assert_eq!(
            report.voided,
            Tally {
                issuances: 1,
                beneficiaries: 1,
                amount: 350_000
            }
        );
        assert_eq!(report.voids.len(), 1);
        assert_eq!(
            report.by_household,
            vec![
                (
                    1,
                    Tally {
                        issuances: 1,
                        beneficiaries: 1,
                        amount: 350_000
                    }
                ),
                (
                    4,
                    Tally {
                        issuances: 2,
                        beneficiaries: 4,
                        amount: 1_400_000
                    }
                ),
            ]
        );
        assert_eq!(
            report.by_clerk[0],
            (
                "C001".into(),
                "이담당".into(),
                Tally {
                    issuances: 2,
                    beneficiaries: 4,
                    amount: 1_400_000
                }
            )
        );
        assert_eq!(
            report
                .by_hour
                .iter()
                .map(|(h, t)| (*h, t.issuances))
                .collect::<Vec<_>>(),
            [(9, 2), (14, 1)]
        );
        assert_eq!((report.online.issuances, report.offline.issuances), (2, 1));
        let sum = |rows: &[(u8, Tally)]| rows.iter().map(|(_, t)| t.amount).sum::<u64>();
        assert_eq!(sum(&report.by_household), report.total.amount);
    }
}
