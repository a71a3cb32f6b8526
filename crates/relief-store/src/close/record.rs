//! Closing a day and reopening it, and the closes as recorded.

use chrono::{NaiveDate, NaiveDateTime};
use relief_core::Krw;
use relief_protocol::{DayClosedPayload, DayReopenedPayload, DrawerLine};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::plan::{ClosePlan, plan};
use crate::audit::{self, Action};
use crate::clerk::Session;
use crate::error::{Error, Result};
use crate::stock::CardState;
use crate::{Store, outbox, snapshot, time};

/// What a close recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayClosed {
    pub close_id: String,
    pub day: NaiveDate,
    /// Hex.
    pub report_sha256: String,
    pub outbox_seq: i64,
    /// Serials written off as lost, and found back in stock.
    pub lost: Vec<String>,
    pub found: Vec<String>,
}

/// A close as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayClose {
    pub close_id: String,
    pub day: NaiveDate,
    pub closed_at: NaiveDateTime,
    pub closed_by: String,
    /// By face value: (face value, expected, counted).
    pub drawer: Vec<(Krw, u64, u64)>,
    pub reason: String,
    pub unsent: u64,
    pub unsent_reason: String,
    /// Hex.
    pub report_sha256: String,
    pub reopened: Option<Reopening>,
}

impl DayClose {
    /// Counted less expected, over every face value.
    pub fn difference(&self) -> i64 {
        self.drawer
            .iter()
            .map(|(_, expected, counted)| *counted as i64 - *expected as i64)
            .sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reopening {
    pub at: NaiveDateTime,
    pub by: String,
    pub reason: String,
}

impl Store {
    /// Closes `plan.day` with the report made from `plan`: the drawer's
    /// differences become stock adjustments, and the close, its audit
    /// entry and its event for the ledger are written together. Refused if
    /// the books moved since the plan was made (`close_outdated`), if
    /// events are unsent and no reason says why, or if the drawer differs
    /// and no reason says why.
    pub fn close_day(
        &mut self,
        supervisor: &Session,
        planned: &ClosePlan,
        reason: &str,
        unsent_reason: &str,
        report: &[u8],
        at: NaiveDateTime,
    ) -> Result<DayClosed> {
        supervisor.require_supervisor()?;
        let (reason, unsent_reason) = (reason.trim(), unsent_reason.trim());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // The same count over the books as they are now: anything else
        // means they moved since the report was made from the plan.
        match plan(&tx, planned.day, &planned.drawer, at) {
            Ok(now) if now == *planned => {}
            Ok(_)
            | Err(
                Error::CountNeedsSerials { .. }
                | Error::CountDisagrees { .. }
                | Error::CountMissing(_)
                | Error::NotInDrawer { .. }
                | Error::UnknownCard(_),
            ) => return Err(Error::CloseOutdated),
            Err(e) => return Err(e),
        }
        if !planned.unsent.is_empty() && unsent_reason.is_empty() {
            return Err(Error::UnsentEvents(planned.unsent.len() as u64));
        }
        if !planned.balanced() && reason.is_empty() {
            return Err(Error::Missing {
                field: "불일치 사유",
            });
        }
        let close_id = Uuid::now_v7().to_string();
        let at_text = time::format(at);
        let digest: [u8; 32] = Sha256::digest(report).into();
        let adjustment = format!("마감 불일치: {reason}");
        let (mut lost, mut found) = (Vec::new(), Vec::new());
        for face in &planned.faces {
            for (serials, state, list) in [
                (&face.missing, CardState::Lost, &mut lost),
                (&face.found, CardState::InStock, &mut found),
            ] {
                for serial in serials {
                    tx.execute(
                        "INSERT INTO card_event (serial, state, at, actor, cause, cause_id, reason) VALUES (?1, ?2, ?3, ?4, 'adjust', ?5, ?6)",
                        params![serial, state.code(), at_text, supervisor.employee_id(), close_id, adjustment],
                    )?;
                    list.push(serial.clone());
                }
            }
        }
        tx.execute(
            "INSERT INTO day_close (id, day, closed_at, closed_by, reason, unsent, unsent_reason, report, report_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                close_id,
                planned.day.to_string(),
                at_text,
                supervisor.employee_id(),
                reason,
                planned.unsent.len() as i64,
                unsent_reason,
                report,
                digest.as_slice()
            ],
        )?;
        for face in &planned.faces {
            tx.execute(
                "INSERT INTO day_close_count (close_id, face_value, expected, counted) VALUES (?1, ?2, ?3, ?4)",
                params![close_id, face.face_value.won() as i64, face.expected as i64, face.counted as i64],
            )?;
        }
        let event = DayClosedPayload {
            close_id: close_id.clone(),
            day: planned.day,
            closed_at: at,
            closed_by: supervisor.employee_id().to_owned(),
            drawer: planned
                .faces
                .iter()
                .map(|f| DrawerLine {
                    face_value_krw: f.face_value.won(),
                    expected: f.expected,
                    counted: f.counted,
                })
                .collect(),
            reason: reason.to_owned(),
            unsent: planned.unsent.len() as u64,
            unsent_reason: unsent_reason.to_owned(),
            report_sha256: hex::encode(digest),
        };
        let seq = outbox::append(&tx, &close_id, &event, at)?;
        let content = snapshot::day_close(&tx, &close_id)?;
        audit::append(
            &tx,
            at,
            Some(supervisor.employee_id()),
            Action::DayClosed,
            &close_id,
            &content,
        )?;
        tx.commit()?;
        Ok(DayClosed {
            close_id,
            day: planned.day,
            report_sha256: hex::encode(digest),
            outbox_seq: seq,
            lost,
            found,
        })
    }

    /// Reopens a closed day, with a reason; returns the close reopened.
    pub fn reopen_day(
        &mut self,
        supervisor: &Session,
        day: NaiveDate,
        reason: &str,
        at: NaiveDateTime,
    ) -> Result<String> {
        supervisor.require_supervisor()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Missing {
                field: "다시 여는 사유",
            });
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let close_id: String = tx
            .query_row(
                "SELECT id FROM day_close c WHERE c.day = ?1
                   AND NOT EXISTS (SELECT 1 FROM day_reopen r WHERE r.close_id = c.id)",
                [day.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(Error::DayNotClosed(day))?;
        tx.execute(
            "INSERT INTO day_reopen (close_id, reopened_at, reopened_by, reason) VALUES (?1, ?2, ?3, ?4)",
            params![close_id, time::format(at), supervisor.employee_id(), reason],
        )?;
        let event = DayReopenedPayload {
            close_id: close_id.clone(),
            day,
            reopened_at: at,
            reopened_by: supervisor.employee_id().to_owned(),
            reason: reason.to_owned(),
        };
        outbox::append(&tx, &close_id, &event, at)?;
        let content = snapshot::day_reopen(&tx, &close_id)?;
        audit::append(
            &tx,
            at,
            Some(supervisor.employee_id()),
            Action::DayReopened,
            &close_id,
            &content,
        )?;
        tx.commit()?;
        Ok(close_id)
    }

    /// Whether `day` stands closed.
    pub fn is_closed(&self, day: NaiveDate) -> Result<bool> {
        super::is_closed(&self.conn, day)
    }

    /// Every close of `day`, oldest first (all but the last reopened).
    pub fn day_closes(&self, day: NaiveDate) -> Result<Vec<DayClose>> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached("SELECT id FROM day_close WHERE day = ?1 ORDER BY closed_at, id")?
            .query_map([day.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| load(&self.conn, id)).collect()
    }

    /// The report a close fixed, exactly as it was made.
    pub fn close_report(&self, close_id: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT report FROM day_close WHERE id = ?1",
                [close_id],
                |r| r.get(0),
            )
            .optional()?)
    }
}

fn load(conn: &Connection, id: &str) -> Result<DayClose> {
    #[allow(clippy::type_complexity)]
    let (day, closed_at, closed_by, reason, unsent, unsent_reason, digest): (
        String,
        String,
        String,
        String,
        i64,
        String,
        Vec<u8>,
    ) = conn.query_row(
        "SELECT day, closed_at, closed_by, reason, unsent, unsent_reason, report_sha256 FROM day_close WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
    )?;
    let drawer = conn
        .prepare_cached(
            "SELECT face_value, expected, counted FROM day_close_count WHERE close_id = ?1 ORDER BY face_value",
        )?
        .query_map([id], |r| {
            Ok((
                Krw(r.get::<_, i64>(0)? as u64),
                r.get::<_, i64>(1)? as u64,
                r.get::<_, i64>(2)? as u64,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let reopened = conn
        .query_row(
            "SELECT reopened_at, reopened_by, reason FROM day_reopen WHERE close_id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?
        .map(|(at, by, reason)| {
            Ok::<_, Error>(Reopening {
                at: time::parse(&at)?,
                by,
                reason,
            })
        })
        .transpose()?;
    Ok(DayClose {
        close_id: id.to_owned(),
        day: day
            .parse()
            .map_err(|_| Error::Corrupt(format!("마감일 {day:?}")))?,
        closed_at: time::parse(&closed_at)?,
        closed_by,
        drawer,
        reason,
        unsent: unsent as u64,
        unsent_reason,
        report_sha256: hex::encode(digest),
        reopened,
    })
}
