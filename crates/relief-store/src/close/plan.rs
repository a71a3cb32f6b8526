//! What a close would record: the drawer against the books, face value by
//! face value, and the events the ledger has not acknowledged.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use relief_core::Krw;
use relief_protocol::EventKind;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::stock::CardState;
use crate::{Store, time};
use rusqlite::Connection;

/// The drawer as the supervisor counted it: a count per face value, typed,
/// and the serials scanned (of any face value; those of a face value are
/// its count).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DrawerCount {
    pub typed: BTreeMap<Krw, u64>,
    pub scanned: Vec<String>,
}

/// One face value of the drawer at the close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaceCount {
    pub face_value: Krw,
    /// In stock by the books.
    pub expected: u64,
    pub counted: u64,
    /// In stock by the books, not in the drawer: written off as lost.
    pub missing: Vec<String>,
    /// Lost by the books, in the drawer: back in stock.
    pub found: Vec<String>,
}

impl FaceCount {
    /// Counted less expected: cards short are below 0.
    pub fn difference(&self) -> i64 {
        self.counted as i64 - self.expected as i64
    }
}

/// An event the ledger has not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnsentEvent {
    pub seq: i64,
    pub kind: EventKind,
    pub created_at: NaiveDateTime,
}

/// What closing `day` would record, as the books stand now. A close is
/// made from a plan and refused if the books moved since it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosePlan {
    pub day: NaiveDate,
    pub faces: Vec<FaceCount>,
    pub unsent: Vec<UnsentEvent>,
    #[serde(skip)]
    pub(crate) drawer: DrawerCount,
    /// The last outbox event and card event the plan saw.
    #[serde(skip)]
    pub(crate) books_at: (i64, i64),
}

impl ClosePlan {
    /// The drawer agrees with the books.
    pub fn balanced(&self) -> bool {
        self.faces
            .iter()
            .all(|f| f.difference() == 0 && f.missing.is_empty() && f.found.is_empty())
    }

    /// Counted less expected, over every face value.
    pub fn difference(&self) -> i64 {
        self.faces.iter().map(FaceCount::difference).sum()
    }
}

impl Store {
    /// What closing `day` now would record; refused where the drawer's
    /// count cannot be squared with the books.
    pub fn plan_close(
        &self,
        day: NaiveDate,
        drawer: &DrawerCount,
        now: NaiveDateTime,
    ) -> Result<ClosePlan> {
        plan(&self.conn, day, drawer, now)
    }
}

pub(crate) fn plan(
    conn: &Connection,
    day: NaiveDate,
    drawer: &DrawerCount,
    now: NaiveDateTime,
) -> Result<ClosePlan> {
    if day > now.date() {
        return Err(Error::CloseInFuture(day));
    }
    if super::is_closed(conn, day)? {
        return Err(Error::DayClosed(day));
    }
    let cards = cards(conn)?;
    // Serials by face value: in stock and lost, by the books; scanned.
    let mut in_stock: BTreeMap<Krw, BTreeSet<&str>> = BTreeMap::new();
    let mut lost: BTreeSet<&str> = BTreeSet::new();
    for (serial, (face, state)) in &cards {
        match state {
            CardState::InStock => {
                in_stock.entry(*face).or_default().insert(serial);
            }
            CardState::Lost => {
                lost.insert(serial);
            }
            _ => {}
        }
    }
    let mut scanned: BTreeMap<Krw, BTreeSet<&str>> = BTreeMap::new();
    for serial in &drawer.scanned {
        let serial = serial.trim();
        match cards.get_key_value(serial) {
            Some((serial, (face, CardState::InStock | CardState::Lost))) => {
                scanned.entry(*face).or_default().insert(serial);
            }
            Some((_, (_, state))) => {
                return Err(Error::NotInDrawer {
                    serial: serial.to_owned(),
                    state: state.label(),
                });
            }
            None => return Err(Error::UnknownCard(serial.to_owned())),
        }
    }
    let face_values: BTreeSet<Krw> = in_stock
        .keys()
        .chain(drawer.typed.keys())
        .chain(scanned.keys())
        .copied()
        .collect();
    let mut faces = Vec::new();
    for face_value in face_values {
        let books = in_stock.remove(&face_value).unwrap_or_default();
        let expected = books.len() as u64;
        let typed = drawer.typed.get(&face_value).copied();
        let face = match (typed, scanned.get(&face_value)) {
            (_, Some(there)) => {
                let counted = there.len() as u64;
                if typed.is_some_and(|t| t != counted) {
                    return Err(Error::CountDisagrees {
                        face_value,
                        typed: typed.unwrap_or_default(),
                        scanned: counted,
                    });
                }
                FaceCount {
                    face_value,
                    expected,
                    counted,
                    missing: books.difference(there).map(|s| (*s).to_owned()).collect(),
                    found: there.intersection(&lost).map(|s| (*s).to_owned()).collect(),
                }
            }
            (Some(counted), None) if counted == expected => FaceCount {
                face_value,
                expected,
                counted,
                missing: Vec::new(),
                found: Vec::new(),
            },
            // Only the serials say which card is missing or came back.
            (Some(counted), None) => {
                return Err(Error::CountNeedsSerials {
                    face_value,
                    expected,
                    counted,
                });
            }
            (None, None) => return Err(Error::CountMissing(face_value)),
        };
        // An empty drawer of a face value agreed with books that hold
        // none of it either: nothing to list.
        if face.counted > 0 {
            faces.push(face);
        }
    }
    Ok(ClosePlan {
        day,
        faces,
        unsent: unsent(conn)?,
        drawer: drawer.clone(),
        books_at: conn.query_row(
            "SELECT (SELECT coalesce(max(seq), 0) FROM outbox), (SELECT coalesce(max(id), 0) FROM card_event)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?,
    })
}

/// Every card received, with its face value and state now.
fn cards(conn: &Connection) -> Result<BTreeMap<String, (Krw, CardState)>> {
    let mut statement = conn.prepare_cached(
        "SELECT c.serial, b.face_value, e.state
         FROM card c
         JOIN card_batch b ON b.id = c.batch_id
         JOIN card_event e ON e.id = (SELECT max(id) FROM card_event WHERE serial = c.serial)",
    )?;
    let rows = statement.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            (Krw(r.get::<_, i64>(1)? as u64), r.get::<_, CardState>(2)?),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn unsent(conn: &Connection) -> Result<Vec<UnsentEvent>> {
    let mut statement = conn.prepare_cached(
        "SELECT o.seq, o.kind, o.created_at FROM outbox o
         WHERE NOT EXISTS (SELECT 1 FROM outbox_ack a WHERE a.seq = o.seq) ORDER BY o.seq",
    )?;
    let rows = statement.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, EventKind>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    rows.map(|row| {
        let (seq, kind, created_at) = row?;
        Ok(UnsentEvent {
            seq,
            kind,
            created_at: time::parse(&created_at)?,
        })
    })
    .collect()
}
