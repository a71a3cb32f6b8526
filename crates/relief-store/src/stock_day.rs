//! A day of card stock, for the reconciliation: what was on hand when the
//! day began and ended, and every movement in between, by face value.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use relief_core::Krw;
use serde::Serialize;

use crate::error::Result;
use crate::stock::{CardCause, CardState};
use crate::{Store, time};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FaceValueMoves {
    pub face_value: Krw,
    pub opening: u64,
    pub closing: u64,
    pub received: Vec<String>,
    pub issued: Vec<String>,
    pub returned: Vec<String>,
    pub destroyed: Vec<String>,
    pub damaged: Vec<String>,
    pub lost: Vec<String>,
    pub found: Vec<String>,
}

impl Store {
    /// The card events of `day` (local time), with each card's state at its
    /// start and end.
    pub fn stock_day(&self, day: NaiveDate) -> Result<Vec<FaceValueMoves>> {
        let (start, end) = time::day_bounds(day);
        let mut statement = self.conn.prepare(
            "SELECT e.serial, b.face_value, e.state, e.cause, e.at
             FROM card_event e JOIN card c ON c.serial = e.serial JOIN card_batch b ON b.id = c.batch_id
             WHERE e.at < ?1 ORDER BY e.id",
        )?;
        let mut rows = statement.query([&end])?;
        let mut at_start: BTreeMap<String, (u64, CardState)> = BTreeMap::new();
        let mut at_end: BTreeMap<String, (u64, CardState)> = BTreeMap::new();
        let mut faces: BTreeMap<u64, FaceValueMoves> = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let serial: String = row.get(0)?;
            let face = row.get::<_, i64>(1)? as u64;
            let state: CardState = row.get(2)?;
            let cause: CardCause = row.get(3)?;
            let at: String = row.get(4)?;
            let before = at_end
                .insert(serial.clone(), (face, state))
                .map(|(_, state)| state);
            if at < start {
                at_start.insert(serial, (face, state));
                continue;
            }
            let moves = faces.entry(face).or_default();
            let list = match (cause, state) {
                (CardCause::Receive, _) => &mut moves.received,
                (CardCause::Issue, _) => &mut moves.issued,
                (CardCause::Void, CardState::Returned) => &mut moves.returned,
                (CardCause::Void, _) => &mut moves.destroyed,
                // A returned card written off was not in stock.
                (CardCause::Adjust, CardState::Damaged) if before == Some(CardState::Returned) => {
                    &mut moves.destroyed
                }
                (CardCause::Adjust, CardState::Damaged) => &mut moves.damaged,
                (CardCause::Adjust, CardState::Lost) => &mut moves.lost,
                // Back in stock: the only other state an adjustment sets.
                (CardCause::Adjust, _) => &mut moves.found,
            };
            list.push(serial);
        }
        for (states, opening) in [(&at_start, true), (&at_end, false)] {
            for (face, state) in states.values() {
                let moves = faces.entry(*face).or_default();
                if state.on_hand() {
                    if opening {
                        moves.opening += 1;
                    } else {
                        moves.closing += 1;
                    }
                }
            }
        }
        Ok(faces
            .into_iter()
            .map(|(face, moves)| FaceValueMoves {
                face_value: Krw(face),
                ..moves
            })
            .collect())
    }
}
