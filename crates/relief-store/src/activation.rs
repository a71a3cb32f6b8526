//! What the ledger last said of the cards this counter handed over (README,
//! "A card's activation"): pulled with the deny-list, kept per serial. A
//! card the ledger has not spoken of is waiting.

use chrono::NaiveDate;
use relief_protocol::CardActivation;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::error::Result;
use crate::{Store, time};

/// The cards of a day's issuances by activation, voided issuances' cards
/// included (they are the ones to be blocked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActivationCounts {
    pub waiting: u64,
    pub to_activate: u64,
    pub active: u64,
    pub held: u64,
    pub blocked: u64,
}

impl ActivationCounts {
    fn add(&mut self, activation: CardActivation, count: u64) {
        let slot = match activation {
            CardActivation::Waiting => &mut self.waiting,
            CardActivation::ToActivate => &mut self.to_activate,
            CardActivation::Active => &mut self.active,
            CardActivation::Held => &mut self.held,
            CardActivation::Blocked => &mut self.blocked,
        };
        *slot += count;
    }

    pub fn total(&self) -> u64 {
        self.waiting + self.to_activate + self.active + self.held + self.blocked
    }
}

impl Store {
    /// A card's activation as last pulled.
    pub fn card_activation(&self, serial: &str) -> Result<CardActivation> {
        Ok(self
            .conn
            .prepare_cached("SELECT activation FROM card_activation WHERE serial = ?1")?
            .query_row([serial.trim()], |r| r.get(0))
            .optional()?
            .unwrap_or(CardActivation::Waiting))
    }

    /// The cards handed over on a local day, by activation.
    pub fn activations_on(&self, day: NaiveDate) -> Result<ActivationCounts> {
        let (start, end) = time::day_bounds(day);
        let mut counts = ActivationCounts::default();
        let mut statement = self.conn.prepare_cached(
            "SELECT coalesce(a.activation, 'waiting'), count(*)
             FROM issuance i
             JOIN issuance_card c ON c.issuance_id = i.id
             LEFT JOIN card_activation a ON a.serial = c.serial
             WHERE i.issued_at >= ?1 AND i.issued_at < ?2
             GROUP BY 1",
        )?;
        let rows = statement.query_map(params![start, end], |r| {
            Ok((r.get::<_, CardActivation>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (activation, count) = row?;
            counts.add(activation, count as u64);
        }
        Ok(counts)
    }
}
