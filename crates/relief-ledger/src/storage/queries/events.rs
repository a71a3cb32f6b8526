//! The events terminals push, each kept with its digest and its verdict,
//! so that the same event again gets the same answer.

use crate::storage::row::first;
use crate::storage::{Db, FromRow, Row, StorageError};

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

pub fn insert_event(
    db: &mut dyn Db,
    terminal_id: &str,
    seq: i64,
    event_id: &str,
    kind: &str,
    body_sha256: &[u8],
    at: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO event (terminal_id, seq, event_id, kind, body_sha256, received_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[terminal_id.into(), seq.into(), event_id.into(), kind.into(), body_sha256.into(), at.into()],
    )?;
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
