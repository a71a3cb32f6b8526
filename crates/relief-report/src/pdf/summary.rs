//! The province's summary of a day, on A4 landscape.

use super::{Align, Column, Pdf, Table};
use crate::summary::{ProvinceSummary, SiteLine};
use crate::{ReportError, grouped};

fn cells(first: String, s: &SiteLine) -> Vec<String> {
    vec![
        first,
        grouped(s.issuances),
        grouped(s.beneficiaries),
        grouped(s.amount),
        format!("{:.1}%", s.offline_share()),
        grouped(s.voided),
        grouped(s.conflicts),
    ]
}

fn columns(first: &str, width: f32) -> Vec<Column<'_>> {
    vec![
        Column {
            title: first,
            width,
            align: Align::Left,
        },
        Column {
            title: "발급 건수",
            width: 28.0,
            align: Align::Right,
        },
        Column {
            title: "수급자 수",
            width: 28.0,
            align: Align::Right,
        },
        Column {
            title: "지급액(원)",
            width: 40.0,
            align: Align::Right,
        },
        Column {
            title: "오프라인 비율",
            width: 28.0,
            align: Align::Right,
        },
        Column {
            title: "취소",
            width: 20.0,
            align: Align::Right,
        },
        Column {
            title: "충돌",
            width: 20.0,
            align: Align::Right,
        },
    ]
}

pub fn summary(s: &ProvinceSummary) -> Result<Vec<u8>, ReportError> {
    let mut pdf = Pdf::new("도 일일 현황", 297.0, 210.0, 15.0)?;
    let top = pdf.margin;
    pdf.text(
        pdf.margin,
        top + 8.0,
        16.0,
        true,
        "재난지원금 선불카드 도 일일 현황",
    );
    pdf.text(pdf.margin, top + 15.0, 10.0, false, &s.campaign);
    pdf.y = top + 20.0;
    pdf.facts(&[
        ("기준일", s.date.format("%Y년 %m월 %d일").to_string()),
        (
            "작성 일시",
            s.generated_at.format("%Y-%m-%d %H:%M").to_string(),
        ),
    ]);
    let mut rows: Vec<Vec<String>> = s
        .by_sigungu()
        .iter()
        .map(|line| cells(format!("{} ({})", line.sigungu_name, line.sigungu), line))
        .collect();
    rows.push(cells("합계".into(), &s.total()));
    Table {
        title: "시군별",
        columns: columns("시군", 60.0),
        rows,
        empty: "발급 없음",
    }
    .draw(&mut pdf);
    let rows = s
        .sites
        .iter()
        .map(|line| {
            cells(
                format!(
                    "{} {} ({})",
                    line.sigungu_name, line.site_name, line.site_code
                ),
                line,
            )
        })
        .collect();
    Table {
        title: "창구별",
        columns: columns("창구", 100.0),
        rows,
        empty: "발급 없음",
    }
    .draw(&mut pdf);
    let column = |title, width, align| Column {
        title,
        width,
        align,
    };
    Table {
        title: "카드 사용 상태 (원장 확인 기준)",
        columns: vec![
            column("상태", 60.0, Align::Left),
            column("카드(장)", 30.0, Align::Right),
        ],
        rows: s
            .cards
            .iter()
            .map(|(label, n)| vec![label.clone(), grouped(*n)])
            .collect(),
        empty: "발급 없음",
    }
    .draw(&mut pdf);
    let rows = s
        .closes
        .iter()
        .map(|c| {
            vec![
                format!("{} ({})", c.site_name, c.site_code),
                c.closed_at.format("%m-%d %H:%M").to_string(),
                c.closed_by.clone(),
                if c.difference == 0 {
                    "일치".to_owned()
                } else {
                    format!("불일치 {:+}장 ({})", c.difference, c.reason)
                },
                if c.unsent == 0 {
                    "없음".to_owned()
                } else {
                    format!("{}건", c.unsent)
                },
                c.report_sha256.chars().take(16).collect(),
                c.reopened_at
                    .map(|t| format!("마감 취소 {}", t.format("%m-%d %H:%M")))
                    .unwrap_or_else(|| "마감".to_owned()),
            ]
        })
        .collect();
    Table {
        title: "창구 마감",
        columns: vec![
            column("창구", 70.0, Align::Left),
            column("마감 일시", 26.0, Align::Center),
            column("마감자", 20.0, Align::Center),
            column("서랍 대조", 60.0, Align::Left),
            column("미전송", 18.0, Align::Right),
            column("보고서 SHA-256", 40.0, Align::Left),
            column("상태", 33.0, Align::Center),
        ],
        rows,
        empty: "마감한 창구 없음",
    }
    .draw(&mut pdf);
    let footer = format!("{} · {} · 도 일일 현황", s.campaign, s.date);
    Ok(pdf.finish(&footer))
}
