//! The counter's day close (마감; README, "A counter's day"): the drawer
//! counted against the books, what had not reached the ledger named, the
//! day's report fixed by its SHA-256. A closed day takes no issuance; a
//! void after the close belongs to a later day's books.

mod plan;
mod record;

pub use plan::{ClosePlan, DrawerCount, FaceCount, UnsentEvent};
pub use record::{DayClose, DayClosed, Reopening};

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::error::Result;

/// Whether `day` stands closed: a close not reopened.
pub(crate) fn is_closed(conn: &Connection, day: NaiveDate) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) > 0 FROM day_close c
             WHERE c.day = ?1 AND NOT EXISTS (SELECT 1 FROM day_reopen r WHERE r.close_id = c.id)",
        )?
        .query_row([day.to_string()], |r| r.get(0))?)
}

/// The day whose books a void made on `voided_on` of an issuance of
/// `issued_on` belongs to: none (its issuance's own) unless that day was
/// closed; then the first open day from the void's own.
pub(crate) fn booked_on(
    conn: &Connection,
    issued_on: NaiveDate,
    voided_on: NaiveDate,
) -> Result<Option<NaiveDate>> {
    if !is_closed(conn, issued_on)? {
        return Ok(None);
    }
    let mut day = voided_on.max(issued_on);
    while is_closed(conn, day)? {
        day = day.succ_opt().expect("far from the end of time");
    }
    Ok(Some(day))
}
