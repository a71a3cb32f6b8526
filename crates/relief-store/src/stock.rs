//! Card stock: batches received, each serial's state as the latest of its
//! events, adjustments by supervisors, and what is on hand.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use relief_core::Krw;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::clerk::Session;
use crate::error::{Error, Result};
use crate::{Store, snapshot, time};

/// The most serials one batch may carry: a large counter's delivery.
pub const MAX_BATCH: usize = 100_000;

/// Serials as they arrive: a printed range or a scanned list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialSpec {
    /// Same prefix, same number of digits: `GG20-000001` to `GG20-000500`.
    Range {
        first: String,
        last: String,
    },
    List(Vec<String>),
}

impl SerialSpec {
    pub fn expand(&self) -> Result<Vec<String>> {
        let serials = match self {
            SerialSpec::List(list) => list.iter().map(|s| s.trim().to_owned()).collect(),
            SerialSpec::Range { first, last } => expand_range(first.trim(), last.trim())?,
        };
        if serials.is_empty() {
            return Err(Error::Missing {
                field: "카드 번호"
            });
        }
        if serials.len() > MAX_BATCH {
            return Err(Error::BatchTooLarge {
                found: serials.len(),
                max: MAX_BATCH,
            });
        }
        for serial in &serials {
            check_serial(serial)?;
        }
        Ok(serials)
    }
}

pub(crate) fn check_serial(serial: &str) -> Result<()> {
    let ok = (1..=32).contains(&serial.len())
        && serial
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::BadSerial(serial.to_owned()))
    }
}

fn split_number(serial: &str) -> Option<(&str, &str)> {
    let digits = serial.bytes().rev().take_while(u8::is_ascii_digit).count();
    (digits > 0).then(|| serial.split_at(serial.len() - digits))
}

fn expand_range(first: &str, last: &str) -> Result<Vec<String>> {
    let bad = || Error::BadSerialRange(format!("{first} ~ {last}"));
    let (prefix, from) = split_number(first).ok_or_else(bad)?;
    let (prefix_last, to) = split_number(last).ok_or_else(bad)?;
    if prefix != prefix_last || from.len() != to.len() || from.len() > 18 {
        return Err(bad());
    }
    let (from_n, to_n): (u64, u64) = (
        from.parse().map_err(|_| bad())?,
        to.parse().map_err(|_| bad())?,
    );
    if from_n > to_n {
        return Err(bad());
    }
    let count = (to_n - from_n + 1) as usize;
    if count > MAX_BATCH {
        return Err(Error::BatchTooLarge {
            found: count,
            max: MAX_BATCH,
        });
    }
    let width = from.len();
    Ok((from_n..=to_n)
        .map(|n| format!("{prefix}{n:0width$}"))
        .collect())
}

relief_core::closed_set! {
    /// Where a card is.
    pub enum CardState as "카드 상태" {
        InStock => "재고",
        Issued => "발급됨",
        /// Back in the drawer after a void, to go back to the card issuer:
        /// the ledger blocks it, so it is never handed over again.
        Returned => "취소 후 회수 (반납 대상)",
        Damaged => "훼손·폐기",
        Lost => "분실",
    }
}

impl CardState {
    /// In the drawer and ready to hand over.
    pub fn on_hand(self) -> bool {
        self == CardState::InStock
    }
}

relief_core::closed_set! {
    /// What moved a card (`card_event.cause`): the statements that write
    /// each name it in their SQL; the day's reconciliation reads it back.
    pub(crate) enum CardCause {
        /// A batch received into stock.
        Receive,
        Issue,
        Void,
        /// A supervisor's [`Adjustment`].
        Adjust,
    }
}

relief_core::closed_set! {
    /// A supervisor's correction of one card's state.
    pub enum Adjustment as "재고 조정" {
        Damaged => "훼손",
        Lost => "분실",
        /// A lost card turned up again.
        Found => "분실 카드 찾음",
    }
}

impl Adjustment {
    fn target(self) -> CardState {
        match self {
            Adjustment::Damaged => CardState::Damaged,
            Adjustment::Lost => CardState::Lost,
            Adjustment::Found => CardState::InStock,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchReceived {
    pub batch_id: i64,
    pub count: usize,
    pub face_value: Krw,
}

/// Cards of one face value by state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FaceValueStock {
    pub face_value: Krw,
    pub received: u64,
    pub in_stock: u64,
    pub issued: u64,
    pub returned: u64,
    pub damaged: u64,
    pub lost: u64,
}

impl FaceValueStock {
    pub fn on_hand(&self) -> u64 {
        self.in_stock
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StockSummary {
    pub by_face_value: Vec<FaceValueStock>,
}

impl StockSummary {
    pub fn on_hand(&self) -> u64 {
        self.by_face_value.iter().map(FaceValueStock::on_hand).sum()
    }
}

impl Store {
    /// Records a delivery of cards. Supervisors only.
    pub fn receive_stock(
        &mut self,
        by: &Session,
        serials: &SerialSpec,
        face_value: Krw,
        note: &str,
        at: NaiveDateTime,
    ) -> Result<BatchReceived> {
        by.require_supervisor()?;
        if face_value == Krw::ZERO {
            return Err(Error::Missing {
                field: "카드 권면 금액",
            });
        }
        let serials = serials.expand()?;
        let at_text = time::format(at);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO card_batch (face_value, received_at, received_by, note) VALUES (?1, ?2, ?3, ?4)",
            params![face_value.won() as i64, at_text, by.employee_id(), note.trim()],
        )?;
        let batch_id = tx.last_insert_rowid();
        {
            let mut card =
                tx.prepare_cached("INSERT INTO card (serial, batch_id) VALUES (?1, ?2)")?;
            let mut event = tx.prepare_cached(
                "INSERT INTO card_event (serial, state, at, actor, cause, cause_id) VALUES (?1, 'in_stock', ?2, ?3, 'receive', ?4)",
            )?;
            let batch = batch_id.to_string();
            for serial in &serials {
                card.execute(params![serial, batch_id])
                    .map_err(|e| match Error::from(e) {
                        Error::Invariant(_) => Error::SerialExists(serial.clone()),
                        other => other,
                    })?;
                event.execute(params![serial, at_text, by.employee_id(), batch])?;
            }
        }
        let content = snapshot::batch(&tx, &batch_id.to_string())?;
        audit::append(
            &tx,
            at,
            Some(by.employee_id()),
            Action::StockReceived,
            &batch_id.to_string(),
            &content,
        )?;
        tx.commit()?;
        Ok(BatchReceived {
            batch_id,
            count: serials.len(),
            face_value,
        })
    }

    /// Marks a card damaged or lost, or a lost one found. Supervisors only,
    /// with a reason.
    pub fn adjust_stock(
        &mut self,
        by: &Session,
        serial: &str,
        adjustment: Adjustment,
        reason: &str,
        at: NaiveDateTime,
    ) -> Result<CardState> {
        by.require_supervisor()?;
        if reason.trim().is_empty() {
            return Err(Error::Missing { field: "사유" });
        }
        let serial = serial.trim();
        let (from, _) = self
            .card_state(serial)?
            .ok_or_else(|| Error::UnknownCard(serial.to_owned()))?;
        let to = adjustment.target();
        let allowed = match adjustment {
            Adjustment::Damaged => matches!(from, CardState::InStock | CardState::Returned),
            // Only a card lost from the drawer is found into it again.
            Adjustment::Lost => from == CardState::InStock,
            Adjustment::Found => from == CardState::Lost,
        };
        if !allowed {
            return Err(Error::BadAdjustment {
                serial: serial.to_owned(),
                from: from.label(),
                to: to.label(),
            });
        }
        let id = Uuid::now_v7().to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO card_event (serial, state, at, actor, cause, cause_id, reason) VALUES (?1, ?2, ?3, ?4, 'adjust', ?5, ?6)",
            params![serial, to.code(), time::format(at), by.employee_id(), id, reason.trim()],
        )?;
        let content = snapshot::adjustment(&tx, &id)?;
        audit::append(
            &tx,
            at,
            Some(by.employee_id()),
            Action::StockAdjusted,
            &id,
            &content,
        )?;
        tx.commit()?;
        Ok(to)
    }

    /// A card's current state and face value, if it was ever received here.
    pub fn card_state(&self, serial: &str) -> Result<Option<(CardState, Krw)>> {
        card_state(&self.conn, serial)
    }

    /// Cards by face value and state, now.
    pub fn stock(&self) -> Result<StockSummary> {
        let mut statement = self.conn.prepare_cached(
            "SELECT b.face_value, e.state, count(*)
             FROM card c
             JOIN card_batch b ON b.id = c.batch_id
             JOIN card_event e ON e.id = (SELECT max(id) FROM card_event WHERE serial = c.serial)
             GROUP BY b.face_value, e.state",
        )?;
        let mut by_face: BTreeMap<u64, FaceValueStock> = BTreeMap::new();
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (face, state, count) = row?;
            let entry = by_face
                .entry(face as u64)
                .or_insert_with(|| FaceValueStock {
                    face_value: Krw(face as u64),
                    ..FaceValueStock::default()
                });
            let count = count as u64;
            entry.received += count;
            match state.parse::<CardState>()? {
                CardState::InStock => entry.in_stock += count,
                CardState::Issued => entry.issued += count,
                CardState::Returned => entry.returned += count,
                CardState::Damaged => entry.damaged += count,
                CardState::Lost => entry.lost += count,
            }
        }
        Ok(StockSummary {
            by_face_value: by_face.into_values().collect(),
        })
    }
}

pub(crate) fn card_state(conn: &Connection, serial: &str) -> Result<Option<(CardState, Krw)>> {
    let row: Option<(String, i64)> = conn
        .prepare_cached(
            "SELECT (SELECT state FROM card_event WHERE serial = c.serial ORDER BY id DESC LIMIT 1), b.face_value
             FROM card c JOIN card_batch b ON b.id = c.batch_id WHERE c.serial = ?1",
        )?
        .query_row([serial.trim()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(state, face)| Ok((state.parse::<CardState>()?, Krw(face as u64))))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_keep_prefix_and_width() {
        let spec = SerialSpec::Range {
            first: "GG20-000098".into(),
            last: "GG20-000101".into(),
        };
        assert_eq!(
            spec.expand().unwrap(),
            ["GG20-000098", "GG20-000099", "GG20-000100", "GG20-000101"]
        );
        for (first, last) in [
            ("A001", "B002"),
            ("A001", "A02"),
            ("A002", "A001"),
            ("ABC", "ABD"),
            ("A1", ""),
        ] {
            let spec = SerialSpec::Range {
                first: first.into(),
                last: last.into(),
            };
            assert!(
                matches!(spec.expand(), Err(Error::BadSerialRange(_))),
                "{first}..{last}"
            );
        }
        let huge = SerialSpec::Range {
            first: "C0000000".into(),
            last: "C9999999".into(),
        };
        assert!(matches!(huge.expand(), Err(Error::BatchTooLarge { .. })));
        assert!(matches!(
            SerialSpec::List(vec!["ok-1".into(), "no good".into()]).expand(),
            Err(Error::BadSerial(_))
        ));
    }
}
