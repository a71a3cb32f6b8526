//! Voids: a supervisor undoes an issuance with a reason. The issuance stays
//! in history; the void is a new row, its cards go back to stock or are
//! marked destroyed, and the ledger hears of it through the outbox.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::clerk::Session;
use crate::error::{Error, Result};
use crate::outbox;
use crate::stock::CardState;
use crate::{Store, close, snapshot, time};
pub use relief_protocol::CardDisposition;
use relief_protocol::VoidPayload;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Voided {
    pub void_id: String,
    pub issuance_id: String,
    pub outbox_seq: i64,
    pub cards: Vec<String>,
    /// Its issuance's day was closed: the day whose books it belongs to.
    pub booked_on: Option<NaiveDate>,
}

impl Store {
    pub fn void(
        &mut self,
        supervisor: &Session,
        issuance_id: &str,
        reason: &str,
        disposition: CardDisposition,
        at: NaiveDateTime,
    ) -> Result<Voided> {
        supervisor.require_supervisor()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Missing {
                field: "취소 사유"
            });
        }
        let issuance_id = issuance_id.trim();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let issued_at: String = tx
            .query_row(
                "SELECT issued_at FROM issuance WHERE id = ?1",
                [issuance_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::UnknownIssuance(issuance_id.to_owned()))?;
        let voided: Option<String> = tx
            .query_row(
                "SELECT id FROM void WHERE issuance_id = ?1",
                [issuance_id],
                |r| r.get(0),
            )
            .optional()?;
        if voided.is_some() {
            return Err(Error::AlreadyVoided(issuance_id.to_owned()));
        }
        let cards: Vec<String> = tx
            .prepare_cached(
                "SELECT serial FROM issuance_card WHERE issuance_id = ?1 ORDER BY position",
            )?
            .query_map([issuance_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;

        let void_id = Uuid::now_v7().to_string();
        let at_text = time::format(at);
        let booked_on = close::booked_on(&tx, time::parse(&issued_at)?.date(), at.date())?;
        tx.execute(
            "INSERT INTO void (id, issuance_id, voided_at, voided_by, reason, card_disposition, booked_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![void_id, issuance_id, at_text, supervisor.employee_id(), reason, disposition.code(), booked_on.map(|d| d.to_string())],
        )?;
        let card_state = match disposition {
            CardDisposition::Returned => CardState::Returned,
            CardDisposition::Destroyed => CardState::Damaged,
        }
        .code();
        for serial in &cards {
            tx.execute(
                "INSERT INTO card_event (serial, state, at, actor, cause, cause_id, reason) VALUES (?1, ?2, ?3, ?4, 'void', ?5, ?6)",
                params![serial, card_state, at_text, supervisor.employee_id(), void_id, reason],
            )?;
        }
        let event = VoidPayload {
            void_id: void_id.clone(),
            issuance_id: issuance_id.to_owned(),
            voided_at: at,
            voided_by: supervisor.employee_id().to_owned(),
            reason: reason.to_owned(),
            card_disposition: disposition,
        };
        let seq = outbox::append(&tx, &void_id, &event, at)?;
        let content = snapshot::void(&tx, &void_id)?;
        audit::append(
            &tx,
            at,
            Some(supervisor.employee_id()),
            Action::Voided,
            &void_id,
            &content,
        )?;
        tx.commit()?;
        Ok(Voided {
            void_id,
            issuance_id: issuance_id.to_owned(),
            outbox_seq: seq,
            cards,
            booked_on,
        })
    }
}
