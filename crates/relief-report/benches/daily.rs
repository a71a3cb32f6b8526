//! A daily report of 10,000 issuances: how long, and how large.
//!
//! `cargo bench -p relief-report --bench daily`

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use relief_report::daily::DailyReport;
use relief_report::model::*;

fn input(count: u32) -> DailyInput {
    let day = NaiveDate::from_ymd_opt(2020, 5, 18).unwrap();
    let issuances = (0..count)
        .map(|n| {
            let people = 1 + n % 4;
            Issuance {
                id: format!("01a20f56-7247-774f-b080-{n:012}"),
                issued_at: day.and_hms_opt(9 + n % 11, n % 60, 0).unwrap(),
                clerk: format!("C{:03}", n % 12),
                offline: n % 7 == 0,
                applicant_masked: "860315-1******".into(),
                applicant_name: "홍길동".into(),
                beneficiaries: (0..people)
                    .map(|p| Beneficiary {
                        roll_exception: None,
                        masked: format!("{:02}0315-{}******", 50 + p, 1 + p % 2),
                        name: format!("수급자{p}"),
                        relation: "배우자".into(),
                        household_size: people as u8,
                        sigungu: "41550".into(),
                        shares: BTreeMap::from([
                            ("province".into(), 100_000),
                            ("sigungu".into(), 250_000),
                        ]),
                    })
                    .collect(),
                cards: vec![Card {
                    serial: format!("AS-{n:06}"),
                    amount: 350_000 * u64::from(people),
                }],
                void: (n % 50 == 0).then(|| Void {
                    at: day.and_hms_opt(18, 0, 0).unwrap(),
                    by: "S001".into(),
                    reason: "세대원 수 착오로 재발급".into(),
                    disposition: "재고로 회수".into(),
                }),
            }
        })
        .collect();
    DailyInput {
        header: Header {
            site_code: "41550-101".into(),
            site_name: "안성1동 행정복지센터".into(),
            site_type: relief_core::SiteType::Center,
            sigungu: "안성시 (41550)".into(),
            date: day,
            campaign: "경기도 재난기본소득".into(),
            policy_version: "2020.1".into(),
            generated_at: day.and_hms_opt(20, 0, 0).unwrap(),
            generated_by: "김감독 (S001)".into(),
        },
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
        clerks: (0..12)
            .map(|c| (format!("C{c:03}"), format!("담당자{c}")))
            .collect(),
        issuances,
        open_conflicts: vec![],
        card_activations: vec![],
        corrections: vec![],
        close: None,
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let data = input(10_000);
    let runs = 7;
    type Render = fn(&DailyReport) -> Result<Vec<u8>, relief_report::ReportError>;
    let formats: [(&str, Render); 3] = [
        ("pdf", relief_report::pdf::daily),
        ("xlsx", relief_report::xlsx::daily),
        ("csv", relief_report::csv::daily),
    ];
    // The fonts are parsed once per process; the first report pays for it.
    let first = Instant::now();
    let _ = relief_report::pdf::daily(&DailyReport::build(&data)).unwrap();
    println!(
        "first PDF of the process (font parsing included): {:.0?}",
        first.elapsed()
    );
    for (name, render) in formats {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let report = DailyReport::build(&data);
            size = render(&report).unwrap().len();
            times.push(start.elapsed());
        }
        println!(
            "daily report of 10,000 issuances as {name}: median {:.0?} over {runs} runs, {} KB",
            median(times),
            size / 1024
        );
    }
}
