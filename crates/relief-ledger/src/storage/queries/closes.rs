//! Counters' day closes, as their terminals reported them.

use crate::storage::batch::{Insert, insert_one};
use crate::storage::row::all;
use crate::storage::{Db, FromRow, Param, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

pub struct NewClose<'a> {
    pub close_id: &'a str,
    pub terminal_id: &'a str,
    pub day: &'a str,
    pub closed_at: &'a str,
    pub closed_by: &'a str,
    pub difference: i64,
    /// JSON of the drawer's lines.
    pub drawer: &'a str,
    pub reason: &'a str,
    pub unsent: i64,
    pub unsent_reason: &'a str,
    pub report_sha256: &'a str,
    pub received_at: &'a str,
}

impl Insert<12> for NewClose<'_> {
    const INTO: &'static str = "day_close (close_id, terminal_id, day, closed_at, closed_by, difference, drawer, reason, unsent, unsent_reason, report_sha256, received_at)";

    fn params(&self) -> [Param<'_>; 12] {
        [
            self.close_id.into(),
            self.terminal_id.into(),
            self.day.into(),
            self.closed_at.into(),
            self.closed_by.into(),
            self.difference.into(),
            self.drawer.into(),
            self.reason.into(),
            self.unsent.into(),
            self.unsent_reason.into(),
            self.report_sha256.into(),
            self.received_at.into(),
        ]
    }
}

/// Records a close; `false` if it was recorded already (a terminal
/// sending again what a restored ledger had).
pub fn insert_close(db: &mut dyn Db, close: &NewClose) -> Result<bool> {
    Ok(insert_one(db, close, "ON CONFLICT (close_id) DO NOTHING")? == 1)
}

pub struct NewReopen<'a> {
    pub close_id: &'a str,
    pub reopened_at: &'a str,
    pub reopened_by: &'a str,
    pub reason: &'a str,
    pub received_at: &'a str,
}

impl Insert<5> for NewReopen<'_> {
    const INTO: &'static str =
        "day_reopen (close_id, reopened_at, reopened_by, reason, received_at)";

    fn params(&self) -> [Param<'_>; 5] {
        [
            self.close_id.into(),
            self.reopened_at.into(),
            self.reopened_by.into(),
            self.reason.into(),
            self.received_at.into(),
        ]
    }
}

/// Records a reopening of a close this terminal reported; `false` if the
/// close is not this terminal's or was reopened already.
pub fn insert_reopen(db: &mut dyn Db, terminal_id: &str, reopen: &NewReopen) -> Result<bool> {
    let theirs = db
        .query_opt(
            "SELECT close_id FROM day_close WHERE close_id = $1 AND terminal_id = $2",
            &[reopen.close_id.into(), terminal_id.into()],
        )?
        .is_some();
    Ok(theirs && insert_one(db, reopen, "ON CONFLICT (close_id) DO NOTHING")? == 1)
}

/// A close of the day, with its site and any reopening.
pub struct CloseRow {
    pub site_code: String,
    pub site_name: String,
    pub closed_at: String,
    pub closed_by: String,
    pub difference: i64,
    pub reason: String,
    pub unsent: i64,
    pub report_sha256: String,
    pub reopened_at: Option<String>,
}

impl FromRow for CloseRow {
    fn from_row(r: &Row) -> Result<CloseRow> {
        Ok(CloseRow {
            site_code: r.text("site_code")?,
            site_name: r.text("site_name")?,
            closed_at: r.text("closed_at")?,
            closed_by: r.text("closed_by")?,
            difference: r.int("difference")?,
            reason: r.text("reason")?,
            unsent: r.int("unsent")?,
            report_sha256: r.text("report_sha256")?,
            reopened_at: r.opt_text("reopened_at")?,
        })
    }
}

/// Every close of `day` in the campaign, by site then time.
pub fn closes_of_day(db: &mut dyn Db, campaign: &str, day: &str) -> Result<Vec<CloseRow>> {
    all(db.query(
        "SELECT t.site_code, t.site_name, c.closed_at, c.closed_by, c.difference, c.reason,
                c.unsent, c.report_sha256, r.reopened_at
         FROM day_close c
         JOIN terminal t ON t.id = c.terminal_id
         LEFT JOIN day_reopen r ON r.close_id = c.close_id
         WHERE t.campaign_id = $1 AND c.day = $2
         ORDER BY t.site_code, c.closed_at, c.close_id",
        &[campaign.into(), day.into()],
    )?)
}
