//! Spreadsheets: typed cells, amounts in won, a frozen header row, columns
//! wide enough for Hangul. What a supervisor should reach for first: a
//! UTF-8 CSV may open as mojibake in a spreadsheet that guesses the charset.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet};

use crate::ReportError;
use crate::daily::DailyReport;
use crate::stock::{StockInput, ranges};
use crate::summary::ProvinceSummary;

/// A header row, frozen, with an autofilter, and column widths in
/// characters (a Hangul syllable counts about two).
fn header(sheet: &mut Worksheet, columns: &[(&str, f64)]) -> Result<(), ReportError> {
    let bold = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color("#E8E8E8");
    for (i, (title, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, *title, &bold)?;
        sheet.set_column_width(i as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, 0, columns.len() as u16 - 1)?;
    Ok(())
}

fn won() -> Format {
    Format::new().set_num_format("#,##0\"원\"")
}

/// One row per beneficiary, and a sheet of totals.
pub fn daily(report: &DailyReport) -> Result<Vec<u8>, ReportError> {
    let input = report.input;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("발급내역")?;
    let mut columns: Vec<(&str, f64)> = vec![
        ("발급 시각", 18.0),
        ("발급번호", 38.0),
        ("담당자", 10.0),
        ("확인", 10.0),
        ("신청인", 16.0),
        ("신청인 이름", 12.0),
        ("수급자", 16.0),
        ("수급자 이름", 12.0),
        ("관계", 16.0),
        ("세대원 수", 10.0),
        ("시군", 8.0),
    ];
    let labels: Vec<String> = input
        .sources
        .iter()
        .map(|s| format!("{} 지급액", s.label))
        .collect();
    columns.extend(labels.iter().map(|l| (l.as_str(), 14.0)));
    columns.extend([
        ("지급액 합계", 14.0),
        ("카드 번호", 24.0),
        ("상태", 8.0),
        ("취소 사유", 30.0),
    ]);
    header(sheet, &columns)?;
    let (won, when) = (won(), Format::new().set_num_format("yyyy-mm-dd hh:mm"));
    let mut row = 1u32;
    for issuance in &input.issuances {
        let cards: Vec<&str> = issuance.cards.iter().map(|c| c.serial.as_str()).collect();
        for b in &issuance.beneficiaries {
            sheet.write_datetime_with_format(row, 0, issuance.issued_at, &when)?;
            sheet.write_string(row, 1, &issuance.id)?;
            sheet.write_string(row, 2, &issuance.clerk)?;
            sheet.write_string(
                row,
                3,
                if issuance.offline {
                    "오프라인"
                } else {
                    "온라인"
                },
            )?;
            sheet.write_string(row, 4, &issuance.applicant_masked)?;
            sheet.write_string(row, 5, &issuance.applicant_name)?;
            sheet.write_string(row, 6, &b.masked)?;
            sheet.write_string(row, 7, &b.name)?;
            sheet.write_string(row, 8, &b.relation)?;
            sheet.write_number(row, 9, f64::from(b.household_size))?;
            sheet.write_string(row, 10, &b.sigungu)?;
            let mut col = 11u16;
            for source in &input.sources {
                let amount = b.shares.get(&source.code).copied().unwrap_or(0);
                sheet.write_number_with_format(row, col, amount as f64, &won)?;
                col += 1;
            }
            sheet.write_number_with_format(row, col, b.amount() as f64, &won)?;
            sheet.write_string(row, col + 1, cards.join(", "))?;
            sheet.write_string(
                row,
                col + 2,
                if issuance.void.is_some() {
                    "취소"
                } else {
                    "발급"
                },
            )?;
            if let Some(void) = &issuance.void {
                sheet.write_string(row, col + 3, &void.reason)?;
            }
            row += 1;
        }
    }

    let totals = workbook.add_worksheet().set_name("합계")?;
    header(
        totals,
        &[
            ("구분", 24.0),
            ("발급 건수", 12.0),
            ("수급자 수", 12.0),
            ("지급액", 16.0),
        ],
    )?;
    let mut row = 1u32;
    let mut put = |label: &str, t: &crate::daily::Tally| -> Result<(), ReportError> {
        totals.write_string(row, 0, label)?;
        totals.write_number(row, 1, t.issuances as f64)?;
        totals.write_number(row, 2, t.beneficiaries as f64)?;
        totals.write_number_with_format(row, 3, t.amount as f64, &won)?;
        row += 1;
        Ok(())
    };
    put("발급", &report.total)?;
    put("취소 (제외)", &report.voided)?;
    put("원장 확인 (온라인)", &report.online)?;
    put("오프라인 발급", &report.offline)?;
    for (size, t) in &report.by_household {
        put(&format!("{size}인 세대"), t)?;
    }
    for (id, name, t) in &report.by_clerk {
        put(&format!("담당자 {name} ({id})"), t)?;
    }
    for (label, amount) in &report.by_source {
        totals.write_string(row, 0, format!("재원: {label}"))?;
        totals.write_number_with_format(row, 3, *amount as f64, &won)?;
        row += 1;
    }
    totals.write_string(row, 0, "명부 예외 (감독자 확인)")?;
    totals.write_number(row, 2, report.roll_exceptions as f64)?;
    Ok(workbook.save_to_buffer()?)
}

pub fn stock(input: &StockInput) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("재고대사")?;
    header(
        sheet,
        &[
            ("권면", 14.0),
            ("전일 재고", 10.0),
            ("입고", 8.0),
            ("발급", 8.0),
            ("취소 회수", 10.0),
            ("훼손", 8.0),
            ("분실", 8.0),
            ("찾음", 8.0),
            ("취소 폐기", 10.0),
            ("장부상 마감", 12.0),
            ("실제 마감", 10.0),
            ("차이", 8.0),
        ],
    )?;
    let won = won();
    for (i, f) in input.by_face_value.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number_with_format(row, 0, f.face_value as f64, &won)?;
        let counts = [
            f.opening as f64,
            f.received.len() as f64,
            f.issued.len() as f64,
            f.returned.len() as f64,
            f.damaged.len() as f64,
            f.lost.len() as f64,
            f.found.len() as f64,
            f.destroyed.len() as f64,
            f.expected_closing() as f64,
            f.closing as f64,
            f.difference() as f64,
        ];
        for (j, n) in counts.iter().enumerate() {
            sheet.write_number(row, j as u16 + 1, *n)?;
        }
    }
    let serials = workbook.add_worksheet().set_name("카드번호")?;
    header(
        serials,
        &[("권면", 14.0), ("구분", 14.0), ("카드 번호 (범위)", 40.0)],
    )?;
    let mut row = 1u32;
    for f in &input.by_face_value {
        for (label, list) in [
            ("입고", &f.received),
            ("발급", &f.issued),
            ("취소 회수", &f.returned),
            ("취소 폐기", &f.destroyed),
            ("훼손", &f.damaged),
            ("분실", &f.lost),
            ("찾음", &f.found),
        ] {
            for range in ranges(list) {
                serials.write_number_with_format(row, 0, f.face_value as f64, &won)?;
                serials.write_string(row, 1, label)?;
                serials.write_string(row, 2, range)?;
                row += 1;
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

pub fn summary(s: &ProvinceSummary) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let won = won();
    let percent = Format::new().set_num_format("0.0\"%\"");
    for (name, lines) in [("시군별", s.by_sigungu()), ("창구별", s.sites.clone())] {
        let sheet = workbook.add_worksheet().set_name(name)?;
        header(
            sheet,
            &[
                ("시군", 14.0),
                ("시군 코드", 10.0),
                ("창구", 28.0),
                ("창구 코드", 14.0),
                ("발급 건수", 10.0),
                ("수급자 수", 10.0),
                ("지급액", 16.0),
                ("오프라인 비율", 12.0),
                ("취소", 8.0),
                ("충돌", 8.0),
            ],
        )?;
        for (i, l) in lines.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, &l.sigungu_name)?;
            sheet.write_string(row, 1, &l.sigungu)?;
            sheet.write_string(row, 2, &l.site_name)?;
            sheet.write_string(row, 3, &l.site_code)?;
            sheet.write_number(row, 4, l.issuances as f64)?;
            sheet.write_number(row, 5, l.beneficiaries as f64)?;
            sheet.write_number_with_format(row, 6, l.amount as f64, &won)?;
            sheet.write_number_with_format(row, 7, l.offline_share(), &percent)?;
            sheet.write_number(row, 8, l.voided as f64)?;
            sheet.write_number(row, 9, l.conflicts as f64)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}
