//! The daily issuance report on A4.

use super::{Align, Column, Pdf, Table};
use crate::daily::{DailyReport, Tally};
use crate::{ReportError, grouped};

/// A row of a tally table: its label, then issuances, beneficiaries, amount.
fn tally_row(label: String, t: &Tally) -> Vec<String> {
    vec![
        label,
        grouped(t.issuances),
        grouped(t.beneficiaries),
        grouped(t.amount),
    ]
}

/// Tallies broken down by what `first` names (세대원 수, 담당자...).
fn tally_table<'a>(
    title: &'a str,
    first: &'a str,
    rows: Vec<Vec<String>>,
    empty: &'a str,
) -> Table<'a> {
    Table {
        title,
        columns: tally_columns(first),
        rows,
        empty,
    }
}

fn tally_columns(first: &str) -> Vec<Column<'_>> {
    vec![
        Column {
            title: first,
            width: 60.0,
            align: Align::Left,
        },
        Column {
            title: "발급 건수",
            width: 30.0,
            align: Align::Right,
        },
        Column {
            title: "수급자 수",
            width: 30.0,
            align: Align::Right,
        },
        Column {
            title: "지급액(원)",
            width: 40.0,
            align: Align::Right,
        },
    ]
}

pub fn daily(report: &DailyReport) -> Result<Vec<u8>, ReportError> {
    let h = &report.input.header;
    let mut pdf = Pdf::new("일일 발급 보고서", 210.0, 297.0, 15.0)?;
    let top = pdf.margin;
    pdf.approval_box(&h.approvers(), top);
    pdf.text(
        pdf.margin,
        top + 8.0,
        16.0,
        true,
        if report.input.close.is_some() {
            "선불카드 일일 발급 보고서 (마감)"
        } else {
            "선불카드 일일 발급 보고서"
        },
    );
    pdf.text(pdf.margin, top + 15.0, 10.0, false, &h.campaign);
    pdf.y = top + 26.0;
    pdf.facts(&[
        ("발급 창구", format!("{} ({})", h.site_name, h.site_code)),
        ("시군", h.sigungu.clone()),
        ("발급일", h.date.format("%Y년 %m월 %d일").to_string()),
        ("정책 버전", h.policy_version.clone()),
        (
            "작성 일시",
            h.generated_at.format("%Y-%m-%d %H:%M").to_string(),
        ),
        ("작성자", h.generated_by.clone()),
    ]);

    let mut totals = vec![
        tally_row("발급".to_owned(), &report.total),
        tally_row("취소 (제외)".to_owned(), &report.voided),
    ];
    if report.corrected.issuances > 0 {
        totals.push(tally_row(
            "마감 후 정정 (이전 발급 취소)".to_owned(),
            &report.corrected,
        ));
    }
    for (label, amount) in &report.by_source {
        totals.push(vec![
            format!("재원: {label}"),
            String::new(),
            String::new(),
            grouped(*amount),
        ]);
    }
    tally_table("합계", "구분", totals, "").draw(&mut pdf);
    let rows = report
        .by_household
        .iter()
        .map(|(size, t)| tally_row(format!("{size}인 세대"), t));
    tally_table("세대원 수별", "세대원 수", rows.collect(), "발급 없음").draw(&mut pdf);
    let rows = report
        .by_clerk
        .iter()
        .map(|(id, name, t)| tally_row(format!("{name} ({id})"), t));
    tally_table("담당자별", "담당자", rows.collect(), "발급 없음").draw(&mut pdf);
    let rows = report
        .by_hour
        .iter()
        .map(|(hour, t)| tally_row(format!("{hour:02}:00~{:02}:00", hour + 1), t));
    tally_table("시간대별", "시간", rows.collect(), "발급 없음").draw(&mut pdf);
    let rows = [
        ("원장 확인 (온라인)", &report.online),
        ("오프라인 발급", &report.offline),
    ]
    .map(|(label, t)| tally_row(label.to_owned(), t));
    let mut rows = rows.to_vec();
    // Beneficiaries a supervisor served though the roll did not admit them.
    rows.push(vec![
        "명부 예외 (감독자 확인)".to_owned(),
        String::new(),
        format!("{}명", report.roll_exceptions),
        String::new(),
    ]);
    tally_table("확인 방법별", "구분", rows, "").draw(&mut pdf);
    // A card carries money only once the ledger accepted its payment: the
    // supervisor sees how many of the day's are still waiting or held.
    Table {
        title: "카드 사용 상태 (원장 확인 기준)",
        columns: vec![
            Column {
                title: "상태",
                width: 60.0,
                align: Align::Left,
            },
            Column {
                title: "카드(장)",
                width: 30.0,
                align: Align::Right,
            },
        ],
        rows: report
            .input
            .card_activations
            .iter()
            .map(|(label, count)| vec![label.clone(), grouped(*count)])
            .collect(),
        empty: "발급 없음",
    }
    .draw(&mut pdf);

    let rows = report
        .voids
        .iter()
        .map(|i| {
            let void = i.void.as_ref().expect("voids have a void");
            // Whom the void concerned, each on a line: the supervisor who
            // signs the report sees every one.
            let people: Vec<String> = i
                .beneficiaries
                .iter()
                .map(|b| format!("{} {}", b.name, b.masked))
                .collect();
            vec![
                i.issued_at.format("%H:%M").to_string(),
                i.id.clone(),
                people.join("\n"),
                grouped(i.total()),
                void.by.clone(),
                void.disposition.clone(),
                void.reason.clone(),
            ]
        })
        .collect();
    Table {
        title: "발급 취소",
        columns: vec![
            Column {
                title: "발급 시각",
                width: 14.0,
                align: Align::Center,
            },
            Column {
                title: "발급번호",
                width: 24.0,
                align: Align::Left,
            },
            Column {
                title: "수급자",
                width: 50.0,
                align: Align::Left,
            },
            Column {
                title: "금액(원)",
                width: 20.0,
                align: Align::Right,
            },
            Column {
                title: "취소자",
                width: 14.0,
                align: Align::Center,
            },
            Column {
                title: "카드 처리",
                width: 16.0,
                align: Align::Center,
            },
            Column {
                title: "사유",
                width: 42.0,
                align: Align::Left,
            },
        ],
        rows,
        empty: "취소 없음",
    }
    .draw(&mut pdf);

    if !report.input.corrections.is_empty() {
        super::close::corrections(report, &mut pdf);
    }

    let rows = report
        .input
        .open_conflicts
        .iter()
        .map(|c| {
            vec![
                c.detected_at.format("%m-%d %H:%M").to_string(),
                short(&c.id),
                c.standing.clone(),
                c.our_issuance.as_deref().map(short).unwrap_or_default(),
            ]
        })
        .collect();
    Table {
        title: "처리할 이중 지급 충돌",
        columns: vec![
            Column {
                title: "확인 시각",
                width: 26.0,
                align: Align::Center,
            },
            Column {
                title: "충돌 번호",
                width: 30.0,
                align: Align::Left,
            },
            Column {
                title: "먼저 지급한 곳",
                width: 80.0,
                align: Align::Left,
            },
            Column {
                title: "이 창구 발급번호",
                width: 44.0,
                align: Align::Left,
            },
        ],
        rows,
        empty: "열린 충돌 없음",
    }
    .draw(&mut pdf);

    super::close::close(report, &mut pdf);

    let footer = format!("{} · {} · {}", h.site_name, h.date, h.campaign);
    Ok(pdf.finish(&footer))
}

/// The last part of a UUID: enough to find it, short enough for a column.
pub(crate) fn short(id: &str) -> String {
    let tail: String = id
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if tail.len() < id.len() {
        format!("…{tail}")
    } else {
        tail
    }
}
