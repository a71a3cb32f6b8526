//! A synthetic resident roll, for tests, benchmarks and demos: people in
//! realistic households (sizes as in the 2020 census, about 30% of them one
//! person), every identity number synthetic (a valid check digit on a
//! serial no real person has been given by this generator's design).

use std::collections::HashMap;
use std::io::{self, Write};

use chrono::{Datelike, Duration, NaiveDate};
use relief_core::identity::synthetic;

/// Households by size in the 2020 census (per mille): 1 person 31.7%, 2:
/// 28.0%, 3: 20.1%, 4: 15.6%, 5 or more 4.6%.
const HOUSEHOLD_SIZES: [(u32, u32); 7] = [
    (1, 317),
    (2, 280),
    (3, 201),
    (4, 156),
    (5, 36),
    (6, 8),
    (7, 2),
];

/// What to make.
#[derive(Debug, Clone)]
pub struct RollSpec {
    /// 시군 codes; households are spread over them evenly.
    pub sigungu: Vec<String>,
    /// 읍면동 per 시군 (codes `{sigungu}{nnn}00`).
    pub eupmyeondong: u32,
    /// About this many people (the last household is whole).
    pub people: usize,
    pub seed: u64,
    /// Registrations before it are entitled; one household in a hundred
    /// moved in after it.
    pub base_date: NaiveDate,
}

impl RollSpec {
    /// A 시군 of `people`, as 수원시 (41110) with 40 읍면동, as of 2020-03-23.
    pub fn one_sigungu(people: usize) -> RollSpec {
        RollSpec {
            sigungu: vec!["41110".into()],
            eupmyeondong: 40,
            people,
            seed: 2020,
            base_date: NaiveDate::from_ymd_opt(2020, 3, 23).expect("a date"),
        }
    }
}

/// One person of the roll, as the CSV row gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollRow {
    pub rrn: String,
    pub household_id: String,
    pub sigungu: String,
    pub eupmyeondong: String,
    pub registered_since: NaiveDate,
    pub status: &'static str,
}

impl RollRow {
    pub fn csv_line(&self) -> String {
        format!(
            "{},{},{},{},{},{}",
            self.rrn,
            self.household_id,
            self.sigungu,
            self.eupmyeondong,
            self.registered_since.format("%Y-%m-%d"),
            self.status
        )
    }
}

pub const HEADER: &str = "rrn,household_id,sigungu,eupmyeondong,registered_since,status";

struct Numbers {
    /// The next serial for a birth date and kind of number, so that no
    /// two people share one.
    next: HashMap<(NaiveDate, bool, bool), u32>,
}

impl Numbers {
    fn number(&mut self, birth: NaiveDate, foreign: bool, female: bool) -> String {
        let serial = self.next.entry((birth, foreign, female)).or_insert(0);
        *serial += 1;
        synthetic::number(birth, foreign, female, *serial).to_string()
    }
}

/// The roll's people, household by household.
pub fn rows(spec: &RollSpec) -> Vec<RollRow> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let mut numbers = Numbers {
        next: HashMap::new(),
    };
    let day = |rng: &mut fastrand::Rng, from: NaiveDate, to: NaiveDate| {
        let days = (to - from).num_days().max(1);
        from + Duration::days(rng.i64(0..days))
    };
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    let on = spec.base_date;
    let mut out = Vec::with_capacity(spec.people + 8);
    let mut household = 0u64;
    while out.len() < spec.people {
        household += 1;
        let sigungu = &spec.sigungu[household as usize % spec.sigungu.len()];
        let eupmyeondong = format!("{sigungu}{:03}00", rng.u32(1..=spec.eupmyeondong));
        let household_id = format!("H{sigungu}-{household:08}");
        let mut pick = rng.u32(0..1000);
        let size = HOUSEHOLD_SIZES
            .iter()
            .find(|(_, share)| {
                let hit = pick < *share;
                pick = pick.saturating_sub(*share);
                hit
            })
            .map_or(1, |(size, _)| *size);
        let moved_in = if rng.u32(0..100) == 0 {
            on + Duration::days(rng.i64(1..60))
        } else {
            day(&mut rng, ymd(1990, 1, 1), on - Duration::days(1))
        };
        let mut push = |rrn: String, since: NaiveDate, status: &'static str| {
            out.push(RollRow {
                rrn,
                household_id: household_id.clone(),
                sigungu: sigungu.clone(),
                eupmyeondong: eupmyeondong.clone(),
                registered_since: since,
                status,
            })
        };
        if size == 1 {
            let birth = day(&mut rng, ymd(1931, 1, 1), ymd(2001, 1, 1));
            let (foreign, status) = match rng.u32(0..200) {
                0 => (true, "permanent_resident"),
                1 => (true, "other_foreign"),
                _ => (false, "resident"),
            };
            push(numbers.number(birth, foreign, rng.bool()), moved_in, status);
            continue;
        }
        let first = day(&mut rng, ymd(1945, 1, 1), ymd(1992, 1, 1));
        let female = rng.bool();
        push(numbers.number(first, false, female), moved_in, "resident");
        let spouse = (first + Duration::days(rng.i64(-1800..1800))).min(ymd(2001, 1, 1));
        let migrant = rng.u32(0..60) == 0;
        push(
            numbers.number(spouse, migrant, !female),
            moved_in,
            if migrant {
                "marriage_migrant"
            } else {
                "resident"
            },
        );
        for _ in 2..size {
            let oldest = ymd(first.year() + 20, 1, 1);
            let birth = day(
                &mut rng,
                oldest.max(ymd(1990, 1, 1)),
                on - Duration::days(30),
            );
            push(
                numbers.number(birth, false, rng.bool()),
                moved_in.max(birth),
                "resident",
            );
        }
    }
    out
}

/// The roll as its CSV file, header first.
pub fn write_csv(spec: &RollSpec, mut out: impl Write) -> io::Result<usize> {
    let rows = rows(spec);
    writeln!(out, "{HEADER}")?;
    for row in &rows {
        writeln!(out, "{}", row.csv_line())?;
    }
    Ok(rows.len())
}

/// The roll as one CSV text.
pub fn csv(spec: &RollSpec) -> String {
    let mut text = Vec::new();
    write_csv(spec, &mut text).expect("writing to memory");
    String::from_utf8(text).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;

    #[test]
    fn households_are_sized_as_in_the_census_and_numbers_are_unique_and_valid() {
        let rows = rows(&RollSpec::one_sigungu(50_000));
        let mut sizes: BTreeMap<&str, u32> = BTreeMap::new();
        for r in &rows {
            *sizes.entry(&r.household_id).or_default() += 1;
        }
        let households = sizes.len() as f64;
        let single = sizes.values().filter(|&&n| n == 1).count() as f64 / households;
        assert!((0.29..0.345).contains(&single), "one-person share {single}");
        let numbers: HashSet<&str> = rows.iter().map(|r| r.rrn.as_str()).collect();
        assert_eq!(numbers.len(), rows.len(), "a number given twice");
        for r in rows.iter().step_by(97) {
            let id = relief_core::identity::IdentityNumber::parse(&r.rrn).unwrap();
            assert_eq!(
                id.check_digit(),
                relief_core::identity::CheckDigit::Valid,
                "{}",
                id.masked()
            );
            assert_eq!(id.is_foreign(), r.status != "resident");
        }
        let late = rows
            .iter()
            .filter(|r| r.registered_since >= RollSpec::one_sigungu(1).base_date)
            .count();
        assert!(late > 0 && late < rows.len() / 20, "{late} moved in late");
    }

    #[test]
    fn the_same_spec_makes_the_same_roll() {
        let spec = RollSpec::one_sigungu(1_000);
        assert_eq!(csv(&spec), csv(&spec));
        assert!(csv(&spec).starts_with(HEADER));
    }
}
