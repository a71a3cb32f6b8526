//! The papers of the counter: the daily issuance report a supervisor signs
//! off, the stock reconciliation, the receipt (수령 확인증) a resident takes
//! home, and the province's summary of a day, as PDF, XLSX and CSV.
//!
//! Inputs are plain data ([`model`]); what a report says is computed in
//! [`daily`], [`stock`] and [`summary`], independent of any format, and
//! [`pdf`], [`xlsx`] and [`csv`] only lay it out. Personal data appears only
//! masked, as the terminal stores it.

pub mod csv;
pub mod daily;
pub mod error;
#[cfg(feature = "store")]
pub mod from_store;
pub mod model;
pub mod pdf;
pub mod receipt;
pub mod stock;
pub mod summary;
pub mod xlsx;

pub use error::ReportError;

relief_core::closed_set! {
    /// The output formats.
    pub enum Format as "보고서 형식" {
        Pdf => "PDF",
        Xlsx => "엑셀(XLSX)",
        Csv => "CSV",
    }
}

relief_core::closed_set! {
    /// The reports a supervisor exports for a day.
    pub enum ReportKind as "보고서 종류" {
        /// 일일 발급 보고서
        Daily => "일일 발급 보고서",
        /// 카드 재고 대사표
        Stock => "카드 재고 대사표",
    }
}

/// `100,000` (no unit), for tables.
pub fn csv_free_grouped(n: u64) -> String {
    grouped(n)
}

pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
