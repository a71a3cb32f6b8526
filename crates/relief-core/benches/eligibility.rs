//! How fast the counter answers "may this visitor be served now?".
//!
//! `cargo bench -p relief-core --bench eligibility`

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use relief_core::eligibility::{Visit, Visitor, check};
use relief_core::policy::builtin;
use relief_core::{HouseholdSize, Site, SiteType};

fn visits() -> Vec<Visit> {
    let site = Site {
        kind: SiteType::Center,
        sigungu: "41110".parse().unwrap(),
    };
    // A queue's worth of visitors spread over the campaign: every size and
    // digit, allowed and refused, so the next-date search is exercised.
    let mut visits = Vec::new();
    for (i, (m, d)) in [
        (4, 20),
        (4, 22),
        (4, 25),
        (4, 30),
        (5, 6),
        (5, 12),
        (5, 16),
        (6, 3),
    ]
    .into_iter()
    .enumerate()
    {
        for size in 1..=5 {
            for digit in 0..10 {
                visits.push(Visit {
                    at: NaiveDate::from_ymd_opt(2020, m, d)
                        .unwrap()
                        .and_hms_opt(10 + (i as u32 % 8), 30, 0)
                        .unwrap(),
                    site: Site {
                        kind: if digit % 3 == 0 {
                            SiteType::Nh
                        } else {
                            SiteType::Center
                        },
                        ..site
                    },
                    resident_sigungu: site.sigungu,
                    household_size: HouseholdSize::try_from(size).unwrap(),
                    visitor: Visitor {
                        birth_year: 1950 + digit,
                        foreign: false,
                    },
                });
            }
        }
    }
    visits
}

fn eligibility(c: &mut Criterion) {
    let policy = builtin::gyeonggi_2020();
    let visits = visits();
    let mut group = c.benchmark_group("eligibility");
    group.throughput(Throughput::Elements(visits.len() as u64));
    group.bench_function("check_with_next_dates", |b| {
        b.iter(|| {
            let mut allowed = 0usize;
            for visit in &visits {
                allowed += usize::from(check(black_box(&policy), black_box(visit)).allowed());
            }
            allowed
        })
    });
    group.finish();
}

criterion_group!(benches, eligibility);
criterion_main!(benches);
