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
    /// Fields a row has: as many as the header names.
    width: usize,
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
            width: columns.len(),
            rows: 0,
        })
    }

    /// The next row and its line, with as many fields as the header; a
    /// row that is not CSV, or has too few or too many fields, goes into
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
                    let at = line(self.record.position());
                    if self.record.len() != self.width {
                        invalid.push((
                            at,
                            format!("열이 {}개여야 합니다 ({}개)", self.width, self.record.len()),
                        ));
                        continue;
                    }
                    return Ok(Some((at, &self.record)));
                }
                Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                    return Err(ServiceError::bad("invalid_csv", e.to_string()));
                }
                Err(e) => {
                    self.rows += 1;
                    invalid.push((line(e.position()), "CSV 형식이 올바르지 않습니다".into()));
                }
            }
        }
    }
}

/// The line a row began on; the reader knows it for every row it reads
/// (0 would be a row it could not place).
fn line(position: Option<&csv::Position>) -> u64 {
    position.map_or(0, csv::Position::line)
}

/// A 시군 code field. Not the parse error: it repeats the field, which in
/// a file with its columns out of order may be an identity number.
pub(super) fn sigungu(field: &str) -> std::result::Result<Sigungu, String> {
    field
        .parse()
        .map_err(|_| "시군 코드는 숫자 다섯 자리입니다".to_owned())
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

#[cfg(test)]
mod tests {
    use std::io::{self, Read};

    use super::*;

    /// A file whose header is read, then the disk fails once.
    struct FailsAfterHeader {
        header: &'static [u8],
        failed: bool,
    }

    impl Read for FailsAfterHeader {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if !self.header.is_empty() {
                let n = self.header.len().min(buf.len());
                buf[..n].copy_from_slice(&self.header[..n]);
                self.header = &self.header[n..];
                return Ok(n);
            }
            if self.failed {
                return Ok(0);
            }
            self.failed = true;
            Err(io::Error::other("the disk failed"))
        }
    }

    #[test]
    fn a_file_that_cannot_be_read_ends_the_import_instead_of_being_a_bad_row() {
        let file = FailsAfterHeader {
            header: b"a,b\n",
            failed: false,
        };
        let mut rows = CsvRows::open(file, &["a", "b"]).unwrap();
        let mut invalid = Vec::new();
        let read = rows.next(&mut invalid).map(|r| r.map(|(line, _)| line));
        assert!(
            matches!(
                read,
                Err(ServiceError::BadRequest {
                    code: "invalid_csv",
                    ..
                })
            ),
            "{read:?}"
        );
        assert!(invalid.is_empty());
    }

    #[test]
    fn rows_come_with_the_line_they_began_on() {
        let text = "a,b\n1,2\n\"x\ny\",3\n4,5\n";
        let mut rows = CsvRows::open(text.as_bytes(), &["a", "b"]).unwrap();
        let mut invalid = Vec::new();
        let mut lines = Vec::new();
        while let Some((line, _)) = rows.next(&mut invalid).unwrap() {
            lines.push(line);
        }
        assert_eq!(lines, [2, 3, 5]);
        assert_eq!(rows.rows, 3);
    }
}
