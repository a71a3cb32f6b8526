//! The stock screen: cards received, and what is on hand by face value.

use relief_store::SerialSpec;

use super::views::*;
use super::{Counter, Result};

impl Counter {
    pub fn receive_stock(&self, input: &StockInput) -> Result<u64> {
        let supervisor = self.supervisor()?;
        let spec = SerialSpec::Range {
            first: input.first.clone(),
            last: input.last.clone(),
        };
        let now = self.now();
        let received = self.store()?.receive_stock(
            &supervisor,
            &spec,
            relief_core::Krw(input.face_value),
            &input.note,
            now,
        )?;
        Ok(received.count as u64)
    }

    pub fn stock(&self) -> Result<Vec<StockRow>> {
        self.session()?;
        Ok(self
            .store()?
            .stock()?
            .by_face_value
            .iter()
            .map(|s| StockRow {
                face_value: s.face_value.won(),
                on_hand: s.on_hand(),
                issued: s.issued,
                damaged: s.damaged,
                lost: s.lost,
            })
            .collect())
    }
}
