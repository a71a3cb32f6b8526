//! The void screen: today's issuances, and a supervisor's void of one.

use relief_protocol::Verification;

use super::views::*;
use super::{Counter, Result};

impl Counter {
    /// Today's issuances, newest first, for the void screen.
    pub fn issuances_today(&self) -> Result<Vec<IssuanceRow>> {
        self.session()?;
        let store = self.store()?;
        let mut rows: Vec<IssuanceRow> = store
            .issuances_on(self.now().date())?
            .into_iter()
            .map(|r| IssuanceRow {
                people: r
                    .beneficiaries
                    .iter()
                    .map(|b| format!("{} {}", b.name, b.masked))
                    .collect::<Vec<_>>()
                    .join(", "),
                cards: r
                    .cards
                    .iter()
                    .map(|c| format!("{} ({})", c.serial, c.activation.label()))
                    .collect::<Vec<_>>()
                    .join(", "),
                issued_at: r.issued_at.format("%H:%M").to_string(),
                clerk: r.clerk_id.clone(),
                total: r.total.won(),
                offline: r.verification == Verification::Offline,
                voided: r.void.map(|v| v.reason),
                id: r.id,
            })
            .collect();
        rows.reverse();
        Ok(rows)
    }

    pub fn void(&self, input: &VoidInput) -> Result<()> {
        let supervisor = self.supervisor()?;
        let now = self.now();
        self.store()?.void(
            &supervisor,
            &input.issuance_id,
            &input.reason,
            input.disposition,
            now,
        )?;
        self.sync_now.notify_one();
        Ok(())
    }
}
