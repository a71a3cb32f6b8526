//! Local times as stored: `YYYY-MM-DDTHH:MM:SS`, which sorts as it reads.

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::{Error, Result};

const FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// Spelled out rather than through the format string: a first download
/// formats a million of these.
pub(crate) fn format(at: NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

pub(crate) fn parse(text: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, FORMAT)
        .map_err(|_| Error::Corrupt(format!("시각 {text:?}")))
}

/// The half-open range of stored times that fall on `day`.
pub(crate) fn day_bounds(day: NaiveDate) -> (String, String) {
    let start = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    let end = day
        .succ_opt()
        .expect("far from the end of time")
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists");
    (format(start), format(end))
}
