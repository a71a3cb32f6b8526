//! The card issuer's side: what to load and activate, what to block
//! (`activations`), and its confirmations (`acknowledge`). Re-reading
//! gives nothing new, re-confirming changes nothing; a card the ledger
//! does not know, an amount other than the one asked (or above the card's
//! face value), and an activation of a card not to be activated are
//! refused. A blocked card is never activated.

use chrono::NaiveDate;
use relief_protocol::{
    Ack, AckOutcome, AckRequest, AckResponse, AckResult, ActivationPage, CardActivation,
    Instruction, IssuerAction, MAX_ACTIVATION_LIMIT,
};

use super::{Ledger, Result, ServiceError, parse_ts, ts};
use crate::card::{CardState, IssuerState, activation};
use crate::storage::queries::{self, FeedRows, InstructionRow};
use crate::storage::{Db, Storage, StorageError};

fn refused(reason: &str, message: impl Into<String>) -> AckOutcome {
    AckOutcome::Refused {
        reason: reason.to_owned(),
        message: message.into(),
    }
}

fn instruction(row: InstructionRow) -> Result<Instruction> {
    Ok(Instruction {
        id: row.id as u64,
        serial: row.serial,
        action: row.action,
        amount_krw: row.amount_krw.map(|a| a as u64),
        face_value_krw: row.face_value_krw.map(|f| f as u64),
        at: parse_ts(&row.at)?,
    })
}

fn check_limit(what: &str, n: u64) -> Result<()> {
    if n == 0 || n > u64::from(MAX_ACTIVATION_LIMIT) {
        return Err(ServiceError::bad(
            "invalid_limit",
            format!("{what}은(는) 1부터 {MAX_ACTIVATION_LIMIT}까지입니다 (받은 값: {n})"),
        ));
    }
    Ok(())
}

impl<S: Storage> Ledger<S> {
    /// The instructions after `cursor`, in order: each card's latest one
    /// not yet confirmed.
    pub fn activations(&self, cursor: u64, limit: u32) -> Result<ActivationPage> {
        check_limit("limit", u64::from(limit))?;
        let after = i64::try_from(cursor).unwrap_or(i64::MAX);
        self.storage.read(|db| -> Result<ActivationPage> {
            let head = queries::instruction_head(db)?;
            let rows = queries::instruction_page(db, after, i64::from(limit))?;
            let next = match rows.last() {
                Some(last) if rows.len() == limit as usize => last.id,
                _ => head.max(after),
            };
            Ok(ActivationPage {
                instructions: rows.into_iter().map(instruction).collect::<Result<_>>()?,
                next_cursor: next as u64,
                more: next < head,
            })
        })
    }

    /// What a day's instructions still ask, for an issuer who exchanges
    /// files.
    pub fn activations_of_day(&self, day: NaiveDate) -> Result<Vec<Instruction>> {
        self.storage.read(|db| -> Result<Vec<Instruction>> {
            queries::instructions_of_day(db, &day.format("%Y-%m-%d").to_string())?
                .into_iter()
                .map(instruction)
                .collect()
        })
    }

    /// Records what the issuer did, each confirmation on its own merits,
    /// in one transaction.
    pub fn acknowledge(&self, request: &AckRequest) -> Result<AckResponse> {
        check_limit("확인 건수", request.acks.len() as u64)?;
        let now = ts(self.now());
        let results = self.storage.transaction(|db| -> Result<Vec<AckResult>> {
            // Confirmations lock cards, as pushes do after the feed's
            // turn: taking it first, nobody waits for a lock held by one
            // waiting for theirs.
            db.lock_feed()?;
            let mut feed = FeedRows::default();
            let mut results = Vec::with_capacity(request.acks.len());
            for ack in &request.acks {
                results.push(AckResult {
                    serial: ack.serial.clone(),
                    outcome: acknowledge_one(db, ack, &now, &mut feed)?,
                });
            }
            feed.flush(db, &now)?;
            Ok(results)
        })?;
        for r in &results {
            if let AckOutcome::Refused { reason, .. } = &r.outcome {
                tracing::warn!(serial = %r.serial, %reason, "a card issuer's confirmation refused");
            }
        }
        Ok(AckResponse { results })
    }
}

fn acknowledge_one(
    db: &mut dyn Db,
    ack: &Ack,
    now: &str,
    feed: &mut FeedRows,
) -> Result<AckOutcome> {
    let Some(card) = queries::lock_card(db, &ack.serial)? else {
        return Ok(refused("unknown_card", "원장에 없는 카드입니다"));
    };
    let (due, confirmed) = match ack.action {
        IssuerAction::Activate => {
            let amount = ack.amount_krw.map(|a| i64::try_from(a).unwrap_or(i64::MAX));
            if let (Some(a), Some(face)) = (amount, card.face_value_krw)
                && a > face
            {
                return Ok(refused(
                    "over_face_value",
                    format!("액면 {face}원인 카드에 {a}원을 실을 수 없습니다"),
                ));
            }
            if amount != Some(card.amount_krw) {
                return Ok(refused(
                    "amount_mismatch",
                    format!("이 카드에 실을 금액은 {}원입니다", card.amount_krw),
                ));
            }
            (CardState::ToActivate, IssuerState::Active)
        }
        IssuerAction::Block => (CardState::Blocked, IssuerState::Blocked),
    };
    if queries::acked(db, &ack.serial, ack.action)? {
        return Ok(AckOutcome::Already);
    }
    if card.state != due {
        let now_is = activation(card.state, card.issuer_state);
        return Ok(refused(
            match ack.action {
                IssuerAction::Activate => "not_to_activate",
                IssuerAction::Block => "not_to_block",
            },
            format!(
                "이 카드는 지금 '{}'입니다: {}하지 않습니다",
                now_is.label(),
                ack.action.label()
            ),
        ));
    }
    let instruction = queries::instruction_of(db, &ack.serial, ack.action)?
        .ok_or_else(|| StorageError::Race(format!("카드 {}에 내린 지시가 없습니다", ack.serial)))?;
    queries::ack(db, &ack.serial, ack.action, instruction, now)?;
    queries::set_issuer_state(db, &ack.serial, confirmed, now)?;
    if confirmed == IssuerState::Active {
        feed.card(
            &card.campaign_id,
            &card.terminal_id,
            &card.serial,
            CardActivation::Active,
        );
    }
    Ok(AckOutcome::Recorded)
}
