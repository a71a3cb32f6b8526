//! Visits: a visit that asks the ledger is recorded first, so that no
//! crash can forget a claim it may hold there, and ends once, either by its
//! issuance (in the issuance's own transaction) or without a card, an end
//! that goes to the ledger through the outbox and lets go of the claims.

use chrono::{Duration, NaiveDateTime};
use relief_protocol::VisitEndedPayload;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::clerk::Session;
use crate::error::{Error, Result};
use crate::{Store, outbox, snapshot, time};

/// A visit open longer than this handed over no card: the counter's
/// program stopped mid-visit. It is ended at the next visit or sync.
pub const VISIT_MINUTES: i64 = 10;

impl Store {
    /// Records a visit before its claims are asked for; its id.
    pub fn open_visit(&mut self, clerk: &Session, at: NaiveDateTime) -> Result<String> {
        // A closed day serves nobody: no claim is asked for.
        if crate::close::is_closed(&self.conn, at.date())? {
            return Err(Error::DayClosed(at.date()));
        }
        let id = Uuid::now_v7().to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO visit (id, opened_at, opened_by) VALUES (?1, ?2, ?3)",
            params![id, time::format(at), clerk.employee_id()],
        )?;
        let content = snapshot::visit(&tx, &id)?;
        audit::append(
            &tx,
            at,
            Some(clerk.employee_id()),
            Action::VisitOpened,
            &id,
            &content,
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Ends a visit that handed over no card, saying why; the ledger hears
    /// of it with the next push, unless `asked` is false (no claim of the
    /// visit can have reached it). `false` if it had ended already
    /// (issued, or ended before).
    pub fn end_visit(
        &mut self,
        visit_id: &str,
        reason: &str,
        asked: bool,
        at: NaiveDateTime,
    ) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ended = end(&tx, visit_id, reason, asked, at)?;
        tx.commit()?;
        Ok(ended)
    }

    /// Ends every visit left open longer than [`VISIT_MINUTES`] before
    /// `at`: how many.
    pub fn end_stale_visits(&mut self, at: NaiveDateTime) -> Result<usize> {
        self.end_open_visits(
            Some(at - Duration::minutes(VISIT_MINUTES)),
            "방문이 끝나지 않은 채 남아 있었습니다",
            at,
        )
    }

    /// Ends every visit still open that opened before `opened_before`
    /// (every one, with `None`), saying why: how many.
    pub fn end_open_visits(
        &mut self,
        opened_before: Option<NaiveDateTime>,
        reason: &str,
        at: NaiveDateTime,
    ) -> Result<usize> {
        // Read first: before each visit there is mostly nothing to end, and
        // no need to take the write lock.
        let open = open_visits(&self.conn, opened_before)?;
        if open.is_empty() {
            return Ok(0);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut ended = 0;
        for id in &open {
            if end(&tx, id, reason, true, at)? {
                ended += 1;
            }
        }
        tx.commit()?;
        Ok(ended)
    }

    /// Visits not yet ended, oldest first.
    pub fn open_visits(&self) -> Result<Vec<String>> {
        open_visits(&self.conn, None)
    }
}

fn open_visits(conn: &Connection, opened_before: Option<NaiveDateTime>) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT v.id FROM visit v
              WHERE (?1 IS NULL OR v.opened_at < ?1)
                AND NOT EXISTS (SELECT 1 FROM visit_end e WHERE e.visit_id = v.id)
              ORDER BY v.opened_at, v.id",
        )?
        .query_map([opened_before.map(time::format)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

fn end(
    conn: &Connection,
    visit_id: &str,
    reason: &str,
    asked: bool,
    at: NaiveDateTime,
) -> Result<bool> {
    let known: Option<i64> = conn
        .query_row("SELECT 1 FROM visit WHERE id = ?1", [visit_id], |r| {
            r.get(0)
        })
        .optional()?;
    if known.is_none() {
        return Err(Error::UnknownVisit(visit_id.to_owned()));
    }
    let written = conn.execute(
        "INSERT INTO visit_end (visit_id, outcome, reason, ended_at) VALUES (?1, 'ended', ?2, ?3)
         ON CONFLICT (visit_id) DO NOTHING",
        params![visit_id, reason, time::format(at)],
    )?;
    if written == 0 {
        return Ok(false);
    }
    if asked {
        let payload = VisitEndedPayload {
            visit_id: visit_id.to_owned(),
            ended_at: at,
            reason: reason.to_owned(),
        };
        outbox::append(conn, visit_id, &payload, at)?;
    }
    let content = snapshot::visit_end(conn, visit_id)?;
    audit::append(conn, at, None, Action::VisitEnded, visit_id, &content)?;
    Ok(true)
}

/// Closes a visit by its issuance, inside the issuance's transaction; an
/// ended visit cannot issue.
pub(crate) fn close_by_issuance(
    conn: &Connection,
    visit_id: &str,
    issuance_id: &str,
    at: NaiveDateTime,
) -> Result<()> {
    let written = conn.execute(
        "INSERT INTO visit_end (visit_id, outcome, issuance_id, ended_at)
         SELECT ?1, 'issued', ?2, ?3 WHERE EXISTS (SELECT 1 FROM visit WHERE id = ?1)
         ON CONFLICT (visit_id) DO NOTHING",
        params![visit_id, issuance_id, time::format(at)],
    )?;
    if written == 0 {
        return Err(Error::VisitEnded(visit_id.to_owned()));
    }
    Ok(())
}
