//! Local times as stored: `YYYY-MM-DDTHH:MM:SS`, which sorts as it reads.

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::{Error, Result};

pub(crate) fn format(at: NaiveDateTime) -> String {
    relief_protocol::time::format(at)
}

pub(crate) fn parse(text: &str) -> Result<NaiveDateTime> {
    relief_protocol::time::parse(text).ok_or_else(|| Error::Corrupt(format!("시각 {text:?}")))
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
