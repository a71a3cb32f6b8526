//! The parts of the daily report a close adds: the voids of earlier,
//! closed days this day's books correct, and the close itself (the drawer
//! against the books, what had not reached the ledger).

use super::daily::short;
use super::{Align, Column, Pdf, Table};
use crate::daily::DailyReport;
use crate::grouped;

fn column(title: &str, width: f32, align: Align) -> Column<'_> {
    Column {
        title,
        width,
        align,
    }
}

/// Voids made after their issuance's day closed, each naming the issuance
/// and the day it corrects.
pub(super) fn corrections(report: &DailyReport, pdf: &mut Pdf) {
    let rows = report
        .input
        .corrections
        .iter()
        .filter_map(|i| {
            let void = i.void.as_ref()?;
            let people: Vec<&str> = i.beneficiaries.iter().map(|b| b.masked.as_str()).collect();
            Some(vec![
                i.issued_at.format("%m-%d %H:%M").to_string(),
                short(&i.id),
                people.join(", "),
                grouped(i.total()),
                void.at.format("%H:%M").to_string(),
                void.by.clone(),
                void.reason.clone(),
            ])
        })
        .collect();
    Table {
        title: "마감 후 정정 (이전 마감일 발급의 취소)",
        columns: vec![
            column("발급일시", 22.0, Align::Center),
            column("발급번호", 32.0, Align::Left),
            column("수급자", 30.0, Align::Left),
            column("금액(원)", 20.0, Align::Right),
            column("취소 시각", 16.0, Align::Center),
            column("취소자", 14.0, Align::Center),
            column("사유", 46.0, Align::Left),
        ],
        rows,
        empty: "정정 없음",
    }
    .draw(pdf);
}

pub(super) fn close(report: &DailyReport, pdf: &mut Pdf) {
    let Some(close) = &report.input.close else {
        return;
    };
    let rows = close
        .drawer
        .iter()
        .map(|r| {
            let difference = r.counted as i64 - r.expected as i64;
            let mut moved = Vec::new();
            if !r.missing.is_empty() {
                moved.push(format!("분실 처리 {}", r.missing.join(", ")));
            }
            if !r.found.is_empty() {
                moved.push(format!("재고 복귀 {}", r.found.join(", ")));
            }
            vec![
                grouped(r.face_value),
                grouped(r.expected),
                grouped(r.counted),
                if difference == 0 && moved.is_empty() {
                    "일치".to_owned()
                } else {
                    format!("불일치 {difference:+}")
                },
                moved.join(" · "),
            ]
        })
        .collect();
    Table {
        title: "마감: 서랍 카드 (장부 대조)",
        columns: vec![
            column("액면(원)", 26.0, Align::Right),
            column("장부(장)", 20.0, Align::Right),
            column("센 수(장)", 20.0, Align::Right),
            column("결과", 24.0, Align::Center),
            column("재고 조정", 90.0, Align::Left),
        ],
        rows,
        empty: "서랍에 카드 없음",
    }
    .draw(pdf);
    let mut facts = vec![
        ("마감자", close.closed_by.clone()),
        (
            "마감 일시",
            close.closed_at.format("%Y-%m-%d %H:%M").to_string(),
        ),
        (
            "대조 결과",
            if close.balanced() {
                "일치".to_owned()
            } else {
                format!("불일치 (사유: {})", close.reason)
            },
        ),
    ];
    facts.push((
        "원장 전송",
        if close.unsent == 0 {
            "모든 이벤트 전송·확인 완료".to_owned()
        } else {
            format!(
                "보내지 못한 이벤트 {}건 (사유: {})",
                close.unsent, close.unsent_reason
            )
        },
    ));
    pdf.facts(&facts);
}
