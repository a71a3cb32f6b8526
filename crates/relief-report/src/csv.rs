//! CSV: UTF-8 with a byte-order mark and CRLF line ends, as spreadsheets on
//! Windows expect; amounts as plain integers; identity numbers masked.

use crate::ReportError;
use crate::daily::DailyReport;
use crate::stock::{StockInput, ranges};
use crate::summary::ProvinceSummary;

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(BOM.to_vec())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ReportError> {
    writer
        .into_inner()
        .map_err(|e| ReportError::Io(e.into_error()))
}

/// One row per beneficiary.
pub fn daily(report: &DailyReport) -> Result<Vec<u8>, ReportError> {
    let input = report.input;
    let mut w = writer();
    let mut header: Vec<String> = [
        "발급_시각",
        "발급번호",
        "담당자",
        "확인",
        "신청인",
        "신청인_이름",
        "수급자",
        "수급자_이름",
        "관계",
        "세대원_수",
        "시군",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(input.sources.iter().map(|s| format!("{}_지급액", s.label)));
    header
        .extend(["지급액_합계", "카드_번호", "상태", "취소_사유", "명부_예외"].map(str::to_owned));
    w.write_record(&header)?;
    for issuance in &input.issuances {
        let cards: Vec<&str> = issuance.cards.iter().map(|c| c.serial.as_str()).collect();
        for b in &issuance.beneficiaries {
            let mut record = vec![
                issuance.issued_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                issuance.id.clone(),
                issuance.clerk.clone(),
                if issuance.offline {
                    "오프라인"
                } else {
                    "온라인"
                }
                .to_owned(),
                issuance.applicant_masked.clone(),
                issuance.applicant_name.clone(),
                b.masked.clone(),
                b.name.clone(),
                b.relation.clone(),
                b.household_size.to_string(),
                b.sigungu.clone(),
            ];
            record.extend(
                input
                    .sources
                    .iter()
                    .map(|s| b.shares.get(&s.code).copied().unwrap_or(0).to_string()),
            );
            record.push(b.amount().to_string());
            record.push(cards.join(" "));
            record.push(
                if issuance.void.is_some() {
                    "취소"
                } else {
                    "발급"
                }
                .to_owned(),
            );
            record.push(
                issuance
                    .void
                    .as_ref()
                    .map(|v| v.reason.clone())
                    .unwrap_or_default(),
            );
            record.push(b.roll_exception.clone().unwrap_or_default());
            w.write_record(&record)?;
        }
    }
    finish(w)
}

/// One row per face value and line of the reconciliation, the serials of
/// each movement as ranges in the last column.
pub fn stock(input: &StockInput) -> Result<Vec<u8>, ReportError> {
    let mut w = writer();
    w.write_record(["권면", "구분", "매수", "카드_번호"])?;
    for f in &input.by_face_value {
        let face = f.face_value.to_string();
        let count = |n: usize| n.to_string();
        let moved = |list: &Vec<String>| ranges(list).join(" ");
        let rows: [(&str, String, String); 11] = [
            ("전일_재고", f.opening.to_string(), String::new()),
            ("입고", count(f.received.len()), moved(&f.received)),
            ("발급", count(f.issued.len()), moved(&f.issued)),
            ("취소_회수", count(f.returned.len()), moved(&f.returned)),
            ("훼손", count(f.damaged.len()), moved(&f.damaged)),
            ("분실", count(f.lost.len()), moved(&f.lost)),
            ("찾음", count(f.found.len()), moved(&f.found)),
            ("취소_폐기", count(f.destroyed.len()), moved(&f.destroyed)),
            (
                "장부상_마감",
                f.expected_closing().to_string(),
                String::new(),
            ),
            ("실제_마감", f.closing.to_string(), String::new()),
            ("차이", f.difference().to_string(), String::new()),
        ];
        for (label, n, serials) in rows {
            w.write_record([face.as_str(), label, n.as_str(), serials.as_str()])?;
        }
    }
    finish(w)
}

pub fn summary(s: &ProvinceSummary) -> Result<Vec<u8>, ReportError> {
    let mut w = writer();
    w.write_record([
        "시군",
        "시군_코드",
        "창구",
        "창구_코드",
        "발급_건수",
        "수급자_수",
        "지급액",
        "오프라인_건수",
        "취소",
        "충돌",
    ])?;
    for l in &s.sites {
        w.write_record([
            l.sigungu_name.clone(),
            l.sigungu.clone(),
            l.site_name.clone(),
            l.site_code.clone(),
            l.issuances.to_string(),
            l.beneficiaries.to_string(),
            l.amount.to_string(),
            l.offline.to_string(),
            l.voided.to_string(),
            l.conflicts.to_string(),
        ])?;
    }
    finish(w)
}
