//! Conflicts: the ledger found someone paid twice, once by this terminal.
//! A supervisor answers one by accepting both payments, saying why, or by
//! recovering the card, which is a void (`void`) of our issuance. What the
//! pull brings of a conflict is written by `sync`.

use chrono::NaiveDateTime;
use relief_protocol::{ConflictStatus, PaymentRef, Resolution, ResolutionPayload};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::clerk::Session;
use crate::error::{Error, Result};
use crate::{Store, outbox, snapshot, time};

/// A conflict as this terminal holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictRecord {
    pub id: String,
    pub beneficiary_key: String,
    pub standing: PaymentRef,
    pub other: PaymentRef,
    pub status: ConflictStatus,
    pub note: Option<String>,
    pub detected_at: NaiveDateTime,
    /// Our issuance in it, if this terminal made one of the two.
    pub our_issuance_id: Option<String>,
}

impl Store {
    pub fn conflicts(&self) -> Result<Vec<ConflictRecord>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, beneficiary_key, standing, other, status, note, detected_at FROM conflict ORDER BY detected_at, id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, ConflictStatus>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let terminal = self.enrollment()?.map(|e| e.terminal_id);
        rows.map(|row| {
            let (id, key, standing, other, status, note, detected_at) = row?;
            let standing: PaymentRef =
                serde_json::from_str(&standing).map_err(|e| Error::Corrupt(e.to_string()))?;
            let other: PaymentRef =
                serde_json::from_str(&other).map_err(|e| Error::Corrupt(e.to_string()))?;
            let ours = [&standing, &other]
                .into_iter()
                .find(|p| p.terminal_id.is_some() && p.terminal_id == terminal)
                .and_then(|p| p.issuance_id.clone());
            Ok(ConflictRecord {
                id,
                beneficiary_key: hex::encode(key),
                standing,
                other,
                status,
                note,
                detected_at: time::parse(&detected_at)?,
                our_issuance_id: ours,
            })
        })
        .collect()
    }

    /// A supervisor accepts both payments of a conflict, saying why. (The
    /// other answer, recovering the card, is a void of our issuance.)
    pub fn accept_conflict(
        &mut self,
        supervisor: &Session,
        conflict_id: &str,
        note: &str,
        at: NaiveDateTime,
    ) -> Result<String> {
        supervisor.require_supervisor()?;
        let note = note.trim();
        if note.is_empty() {
            return Err(Error::Missing {
                field: "처리 메모"
            });
        }
        let status: Option<ConflictStatus> = self
            .conn
            .query_row(
                "SELECT status FROM conflict WHERE id = ?1",
                [conflict_id],
                |r| r.get(0),
            )
            .optional()?;
        match status {
            None => return Err(Error::UnknownConflict(conflict_id.to_owned())),
            Some(ConflictStatus::Open) => {}
            Some(ConflictStatus::ResolvedByVoid | ConflictStatus::Accepted) => {
                return Err(Error::ConflictClosed(conflict_id.to_owned()));
            }
        }
        let already: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM conflict_resolution WHERE conflict_id = ?1",
            [conflict_id],
            |r| r.get(0),
        )?;
        if already {
            return Err(Error::ConflictClosed(conflict_id.to_owned()));
        }
        let id = Uuid::now_v7().to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO conflict_resolution (id, conflict_id, resolution, note, resolved_by, resolved_at)
             VALUES (?1, ?2, 'accepted', ?3, ?4, ?5)",
            params![id, conflict_id, note, supervisor.employee_id(), time::format(at)],
        )?;
        let payload = ResolutionPayload {
            resolution_id: id.clone(),
            conflict_id: conflict_id.to_owned(),
            resolution: Resolution::Accepted,
            note: note.to_owned(),
            resolved_by: supervisor.employee_id().to_owned(),
            resolved_at: at,
        };
        outbox::append(&tx, &id, &payload, at)?;
        let content = snapshot::resolution(&tx, &id)?;
        audit::append(
            &tx,
            at,
            Some(supervisor.employee_id()),
            Action::ConflictResolved,
            &id,
            &content,
        )?;
        tx.commit()?;
        Ok(id)
    }
}
