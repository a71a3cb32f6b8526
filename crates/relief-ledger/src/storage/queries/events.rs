//! The events terminals push, each kept with its digest and its verdict,
//! so that the same event again gets the same answer.

use relief_protocol::EventKind;

use crate::storage::batch::{Insert, insert_one};
use crate::storage::row::first;
use crate::storage::{Db, FromRow, Param, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

pub struct StoredEvent {
    pub body_sha256: Vec<u8>,
    /// `None`: accepted.
    pub verdict: Option<String>,
}

impl FromRow for StoredEvent {
    fn from_row(r: &Row) -> Result<StoredEvent> {
        Ok(StoredEvent {
            body_sha256: r.bytes("body_sha256")?,
            verdict: r.opt_text("verdict")?,
        })
    }
}

pub fn event(db: &mut dyn Db, terminal_id: &str, seq: i64) -> Result<Option<StoredEvent>> {
    first(db.query_opt(
        "SELECT body_sha256, verdict FROM event WHERE terminal_id = $1 AND seq = $2",
        &[terminal_id.into(), seq.into()],
    )?)
}

/// An event received, before its verdict (none: accepted).
pub struct NewEvent<'a> {
    pub terminal_id: &'a str,
    pub seq: i64,
    pub event_id: &'a str,
    pub kind: EventKind,
    pub body_sha256: &'a [u8],
    pub received_at: &'a str,
}

impl Insert<6> for NewEvent<'_> {
    const INTO: &'static str = "event (terminal_id, seq, event_id, kind, body_sha256, received_at)";

    fn params(&self) -> [Param<'_>; 6] {
        [
            self.terminal_id.into(),
            self.seq.into(),
            self.event_id.into(),
            self.kind.code().into(),
            self.body_sha256.into(),
            self.received_at.into(),
        ]
    }
}

pub fn insert_event(db: &mut dyn Db, e: &NewEvent) -> Result<()> {
    insert_one(db, e, "")?;
    Ok(())
}

pub fn set_event_verdict(
    db: &mut dyn Db,
    terminal_id: &str,
    seq: i64,
    verdict: &str,
) -> Result<()> {
    db.exec(
        "UPDATE event SET verdict = $3 WHERE terminal_id = $1 AND seq = $2",
        &[terminal_id.into(), seq.into(), verdict.into()],
    )?;
    Ok(())
}
