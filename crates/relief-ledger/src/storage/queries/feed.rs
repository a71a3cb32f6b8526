//! The feed terminals pull: rows only ever added, in id order, read after
//! a cursor.

use std::collections::BTreeSet;

use relief_protocol::CardActivation;

use crate::storage::batch::{Insert, insert_rows};
use crate::storage::row::{all, first};
use crate::storage::{Db, FromRow, Param, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

/// A feed row's check value (see `FeedCursor`): random, so that a row
/// written after a restore under a reused id tells itself apart.
pub fn feed_token() -> i64 {
    let bytes = crate::service::random_bytes::<8>();
    i64::from_le_bytes(*bytes) & i64::MAX
}

/// Changes for the feed, gathered while a transaction settles people and
/// written together at its end ([`FeedRows::flush`]): on PostgreSQL the
/// feed's turn is then held only from there to the commit.
#[derive(Debug, Default)]
pub struct FeedRows {
    rows: Vec<FeedRow>,
    /// Issuances whose cards are to be worked out again before the rows
    /// are written (see `crate::card`).
    cards: BTreeSet<String>,
}

#[derive(Debug)]
enum FeedRow {
    /// Someone paid, and by whom: a terminal (whose own deny-list is not
    /// told) or online (`payer` none).
    Paid {
        campaign: String,
        sigungu: String,
        key: Vec<u8>,
        payer: Option<String>,
        channel: &'static str,
        site: String,
        at: String,
    },
    /// Nobody stands paid any more: every counter of the 시군 drops the
    /// person, the one whose void it was too.
    Released {
        campaign: String,
        sigungu: String,
        key: Vec<u8>,
    },
    /// A conflict changed: both of its terminals pull it.
    Conflict {
        campaign: String,
        id: String,
        a: Option<String>,
        b: Option<String>,
    },
    /// One of a terminal's cards changed, as the terminal names it.
    Card {
        campaign: String,
        terminal: String,
        serial: String,
        activation: CardActivation,
    },
}

/// A payment as the feed tells it.
pub struct FeedPaid<'a> {
    pub campaign_id: &'a str,
    pub sigungu: &'a str,
    pub key: &'a [u8],
    pub payer_terminal: Option<&'a str>,
    pub channel: &'static str,
    pub site: &'a str,
    pub at: &'a str,
}

impl FeedRows {
    pub fn paid(&mut self, f: &FeedPaid) {
        self.rows.push(FeedRow::Paid {
            campaign: f.campaign_id.to_owned(),
            sigungu: f.sigungu.to_owned(),
            key: f.key.to_vec(),
            payer: f.payer_terminal.map(str::to_owned),
            channel: f.channel,
            site: f.site.to_owned(),
            at: f.at.to_owned(),
        });
    }

    pub fn released(&mut self, campaign: &str, sigungu: &str, key: &[u8]) {
        self.rows.push(FeedRow::Released {
            campaign: campaign.to_owned(),
            sigungu: sigungu.to_owned(),
            key: key.to_vec(),
        });
    }

    pub fn conflict(&mut self, campaign: &str, id: &str, a: Option<&str>, b: Option<&str>) {
        self.rows.push(FeedRow::Conflict {
            campaign: campaign.to_owned(),
            id: id.to_owned(),
            a: a.map(str::to_owned),
            b: b.map(str::to_owned),
        });
    }

    pub fn card(
        &mut self,
        campaign: &str,
        terminal: &str,
        serial: &str,
        activation: CardActivation,
    ) {
        self.rows.push(FeedRow::Card {
            campaign: campaign.to_owned(),
            terminal: terminal.to_owned(),
            serial: serial.to_owned(),
            activation,
        });
    }

    /// The issuance's cards may have changed: they are worked out again
    /// at [`FeedRows::flush`], once however often this is said.
    pub fn cards_of(&mut self, issuance_id: &str) {
        if !self.cards.contains(issuance_id) {
            self.cards.insert(issuance_id.to_owned());
        }
    }

    /// The issuances named by [`FeedRows::cards_of`] since last asked.
    pub fn take_cards(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.cards)
    }

    /// Works out the cards of the issuances named (`crate::card`), then
    /// writes what was gathered, in order, a table at a time: the last
    /// thing a transaction does before it commits.
    pub fn flush(&mut self, db: &mut dyn Db, now: &str) -> Result<()> {
        if self.rows.is_empty() && self.cards.is_empty() {
            return Ok(());
        }
        // The card issuer reads instructions after a cursor, as terminals
        // read the feed: the cards' turn is the feed's.
        db.lock_feed()?;
        crate::card::refresh(db, self, now)?;
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows: Vec<FeedInsert> = self
            .rows
            .iter()
            .map(|row| FeedInsert {
                row,
                token: feed_token(),
            })
            .collect();
        insert_rows(db, &rows)?;
        self.rows.clear();
        Ok(())
    }
}

/// A feed row as written, with its check value.
struct FeedInsert<'a> {
    row: &'a FeedRow,
    token: i64,
}

impl Insert<14> for FeedInsert<'_> {
    const INTO: &'static str = "feed (campaign_id, kind, sigungu, beneficiary_key, payer_terminal, channel, site, at, conflict_id, terminal_a, terminal_b, token, serial, activation)";

    fn params(&self) -> [Param<'_>; 14] {
        let none = Param::Text(None);
        let token = self.token.into();
        match self.row {
            FeedRow::Paid {
                campaign,
                sigungu,
                key,
                payer,
                channel,
                site,
                at,
            } => [
                campaign.into(),
                "paid".into(),
                sigungu.into(),
                key.into(),
                payer.as_deref().into(),
                (*channel).into(),
                site.into(),
                at.into(),
                none,
                none,
                none,
                token,
                none,
                none,
            ],
            FeedRow::Released {
                campaign,
                sigungu,
                key,
            } => [
                campaign.into(),
                "released".into(),
                sigungu.into(),
                key.into(),
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                token,
                none,
                none,
            ],
            FeedRow::Conflict { campaign, id, a, b } => [
                campaign.into(),
                "conflict".into(),
                none,
                Param::Bytes(None),
                none,
                none,
                none,
                none,
                id.into(),
                a.as_deref().into(),
                b.as_deref().into(),
                token,
                none,
                none,
            ],
            FeedRow::Card {
                campaign,
                terminal,
                serial,
                activation,
            } => [
                campaign.into(),
                "card".into(),
                none,
                Param::Bytes(None),
                none,
                none,
                none,
                none,
                none,
                terminal.into(),
                none,
                token,
                serial.into(),
                activation.code().into(),
            ],
        }
    }
}

pub struct DenyRow {
    pub id: i64,
    pub token: i64,
    pub paid: bool,
    pub key: Vec<u8>,
    pub channel: Option<String>,
    pub site: Option<String>,
    pub at: Option<String>,
}

impl FromRow for DenyRow {
    fn from_row(r: &Row) -> Result<DenyRow> {
        Ok(DenyRow {
            id: r.int("id")?,
            paid: r.text("kind")? == "paid",
            key: r.bytes("beneficiary_key")?,
            channel: r.opt_text("channel")?,
            site: r.opt_text("site")?,
            at: r.opt_text("at")?,
            token: r.int("token")?,
        })
    }
}

/// Keys paid or released in a 시군 after a cursor, except those whose
/// payment `terminal` made itself.
pub fn deny_page(
    db: &mut dyn Db,
    campaign: &str,
    sigungu: &str,
    terminal: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<DenyRow>> {
    all(db.query(
        "SELECT id, kind, beneficiary_key, channel, site, at, token FROM feed
         WHERE campaign_id = $1 AND sigungu = $2 AND id > $4 AND kind IN ('paid', 'released')
           AND (payer_terminal IS NULL OR payer_terminal <> $3)
         ORDER BY id LIMIT $5",
        &[
            campaign.into(),
            sigungu.into(),
            terminal.into(),
            after.into(),
            limit.into(),
        ],
    )?)
}

/// A feed row saying a conflict changed.
pub struct ConflictChange {
    /// The feed row's.
    pub id: i64,
    pub conflict_id: String,
}

impl FromRow for ConflictChange {
    fn from_row(r: &Row) -> Result<ConflictChange> {
        Ok(ConflictChange {
            id: r.int("id")?,
            conflict_id: r.text("conflict_id")?,
        })
    }
}

/// Conflicts concerning `terminal` that changed after a cursor.
pub fn conflict_page(
    db: &mut dyn Db,
    terminal: &str,
    after: i64,
    before: i64,
) -> Result<Vec<ConflictChange>> {
    all(db.query(
        "SELECT id, conflict_id FROM feed WHERE kind = 'conflict' AND id > $2 AND id <= $3 AND terminal_a = $1
         UNION
         SELECT id, conflict_id FROM feed WHERE kind = 'conflict' AND id > $2 AND id <= $3 AND terminal_b = $1
         ORDER BY 1",
        &[terminal.into(), after.into(), before.into()],
    )?)
}

/// What became of `terminal`'s cards after a cursor, in order: a card
/// changed twice is there twice, the later last.
pub fn card_page(
    db: &mut dyn Db,
    terminal: &str,
    after: i64,
    before: i64,
) -> Result<Vec<(String, CardActivation)>> {
    db.query(
        "SELECT serial, activation FROM feed WHERE kind = 'card' AND terminal_a = $1 AND id > $2 AND id <= $3 ORDER BY id",
        &[terminal.into(), after.into(), before.into()],
    )?
    .iter()
    .map(|r| Ok((r.text("serial")?, r.parsed("activation")?)))
    .collect()
}

/// Where the feed stands: its last row's id and check value, both 0 for an
/// empty feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedHead {
    pub id: i64,
    pub token: i64,
}

impl FromRow for FeedHead {
    fn from_row(r: &Row) -> Result<FeedHead> {
        Ok(FeedHead {
            id: r.int("id")?,
            token: r.int("token")?,
        })
    }
}

/// The last row of the feed.
pub fn feed_head(db: &mut dyn Db) -> Result<FeedHead> {
    Ok(
        first(db.query_opt("SELECT id, token FROM feed ORDER BY id DESC LIMIT 1", &[])?)?
            .unwrap_or_default(),
    )
}

/// The check value of the feed row `id`, if there is such a row.
pub fn feed_row_token(db: &mut dyn Db, id: i64) -> Result<Option<i64>> {
    db.query_opt("SELECT token FROM feed WHERE id = $1", &[id.into()])?
        .map(|r| r.int("token"))
        .transpose()
}
