//! The conflicts screen: what the ledger found paid twice with this
//! terminal, and a supervisor's acceptance of both payments.

use relief_protocol::{ConflictStatus, PaymentRef};

use super::views::*;
use super::{Counter, Result};

impl Counter {
    pub fn conflicts(&self) -> Result<Vec<ConflictRow>> {
        self.supervisor()?;
        let side = |p: &PaymentRef| {
            format!(
                "{} {} ({})",
                p.paid.channel.label(),
                p.paid.site,
                p.paid.at.format("%m-%d %H:%M")
            )
        };
        let store = self.store()?;
        let cards_of = |id: &Option<String>| -> Result<Vec<String>> {
            let Some(record) = id.as_deref().map(|id| store.issuance(id)).transpose()? else {
                return Ok(Vec::new());
            };
            Ok(record
                .into_iter()
                .flat_map(|r| r.cards)
                .map(|c| format!("{} · {}", c.serial, c.activation.label()))
                .collect())
        };
        store
            .conflicts()?
            .into_iter()
            .map(|c| {
                Ok(ConflictRow {
                    open: c.status == ConflictStatus::Open,
                    status: c.status,
                    status_label: c.status.label().into(),
                    standing: side(&c.standing),
                    other: side(&c.other),
                    our_cards: cards_of(&c.our_issuance_id)?,
                    detected_at: c.detected_at.format("%m-%d %H:%M").to_string(),
                    our_issuance: c.our_issuance_id,
                    note: c.note,
                    id: c.id,
                })
            })
            .collect()
    }

    pub fn accept_conflict(&self, conflict_id: &str, note: &str) -> Result<()> {
        let supervisor = self.supervisor()?;
        let now = self.now();
        self.store()?
            .accept_conflict(&supervisor, conflict_id, note, now)?;
        self.sync_now.notify_one();
        Ok(())
    }
}
