//! Reading the files the ledger imports (the card companies' payments, the
//! resident roll): a header that must be the one expected, then rows with
//! their line numbers. A row that is not text, or has too few or too many
//! columns, is reported on its line like any other bad row and the file
//! goes on; only a failure to read at all ends it.

use std::io::Read;

use relief_core::Sigungu;
use relief_core::policy::Policy;

use super::{Result, ServiceError};

pub(super) struct CsvRows<R> {
    reader: csv::Reader<R>,
    record: csv::StringRecord,
    /// Rows read so far, bad ones included.
    pub rows: u64,
}

impl<R: Read> CsvRows<R> {
    pub fn open(input: R, columns: &[&str]) -> Result<CsvRows<R>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(input);
        let header = reader
            .headers()
            .map_err(|e| ServiceError::bad("invalid_csv", e.to_string()))?;
        if header.iter().ne(columns.iter().copied()) {
            return Err(ServiceError::bad(
                "invalid_csv",
                format!("첫 줄은 {}이어야 합니다", columns.join(",")),
            ));
        }
        Ok(CsvRows {
            reader,
            record: csv::StringRecord::new(),
            rows: 0,
        })
    }

    /// The next row and its line; a row that is not CSV goes into
    /// `invalid` and is passed over.
    pub fn next(
        &mut self,
        invalid: &mut Vec<(u64, String)>,
    ) -> Result<Option<(u64, &csv::StringRecord)>> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {
                    self.rows += 1;
                    let line = self.record.position().map_or(self.rows + 1, |p| p.line());
                    return Ok(Some((line, &self.record)));
                }
                Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                    return Err(ServiceError::bad("invalid_csv", e.to_string()));
                }
                Err(e) => {
                    self.rows += 1;
                    let line = e.position().map_or(self.rows + 1, |p| p.line());
                    invalid.push((line, "CSV 형식이 올바르지 않습니다".into()));
                }
            }
        }
    }
}

/// A row's 시군 is one of the campaign's, or the row is refused saying
/// which it named (a code, never a person).
pub(super) fn in_campaign(policy: &Policy, sigungu: Sigungu) -> std::result::Result<(), String> {
    if policy.covers(sigungu) {
        Ok(())
    } else {
        Err(format!("캠페인에 없는 시군입니다: {sigungu}"))
    }
}
