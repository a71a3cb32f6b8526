//! A counter's day close, as the ledger hears of it: who closed which day,
//! what the drawer held against the books, what had not reached the
//! ledger, and the SHA-256 of the day's report.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayClosedPayload {
    pub close_id: String,
    pub day: NaiveDate,
    pub closed_at: NaiveDateTime,
    pub closed_by: String,
    /// The drawer by face value, as counted and as the books had it.
    pub drawer: Vec<DrawerLine>,
    /// Why the drawer differed (empty: it did not).
    pub reason: String,
    /// Events the ledger had not acknowledged when the day closed (this
    /// close not counted), and why the supervisor closed anyway.
    pub unsent: u64,
    pub unsent_reason: String,
    /// Hex.
    pub report_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawerLine {
    pub face_value_krw: u64,
    pub expected: u64,
    pub counted: u64,
}

impl DayClosedPayload {
    /// Counted less expected, over every face value: cards short are below 0.
    pub fn difference(&self) -> i64 {
        self.drawer
            .iter()
            .map(|l| l.counted as i64 - l.expected as i64)
            .sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayReopenedPayload {
    pub close_id: String,
    pub day: NaiveDate,
    pub reopened_at: NaiveDateTime,
    pub reopened_by: String,
    pub reason: String,
}
