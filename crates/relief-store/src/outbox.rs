//! Events for the ledger, appended in the same transaction as the change
//! they report, numbered without gaps per terminal.

use chrono::NaiveDateTime;
use relief_protocol::{Event, EventBody, EventKind, Payload};
use rusqlite::{Connection, params};
use serde::Serialize;
use uuid::Uuid;

use crate::error::Result;
use crate::{Store, time};

/// One event as stored, ready to push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEvent {
    pub seq: i64,
    pub event_id: String,
    pub kind: EventKind,
    pub subject_id: String,
    /// JSON of the protocol's payload for `kind`.
    pub payload: String,
    pub created_at: NaiveDateTime,
}

/// Appends inside the caller's transaction; returns the sequence number.
pub(crate) fn append<P: Payload>(
    conn: &Connection,
    subject_id: &str,
    payload: &P,
    at: NaiveDateTime,
) -> Result<i64> {
    let seq: i64 = conn.query_row("SELECT coalesce(max(seq), 0) + 1 FROM outbox", [], |r| {
        r.get(0)
    })?;
    let payload = serde_json::to_string(payload).expect("event types serialise");
    conn.execute(
        "INSERT INTO outbox (seq, event_id, kind, subject_id, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![seq, Uuid::now_v7().to_string(), P::KIND, subject_id, payload, time::format(at)],
    )?;
    Ok(seq)
}

impl Store {
    /// Events after `seq`, in order, at most `limit`.
    pub fn outbox_after(&self, seq: i64, limit: usize) -> Result<Vec<OutboxEvent>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT seq, event_id, kind, subject_id, payload, created_at FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = statement.query_map(params![seq, limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, EventKind>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (seq, event_id, kind, subject_id, payload, created_at) = row?;
            Ok(OutboxEvent {
                seq,
                event_id,
                kind,
                subject_id,
                payload,
                created_at: time::parse(&created_at)?,
            })
        })
        .collect()
    }
}

impl OutboxEvent {
    /// The event as the ledger receives it.
    pub fn to_wire(&self) -> Result<Event> {
        let body = EventBody::from_parts(self.kind, &self.payload)
            .map_err(|e| crate::Error::Corrupt(format!("outbox #{}: {e}", self.seq)))?;
        Ok(Event {
            seq: self.seq as u64,
            event_id: self.event_id.clone(),
            created_at: self.created_at,
            body,
        })
    }
}
