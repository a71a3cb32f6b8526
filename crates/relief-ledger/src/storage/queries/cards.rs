//! Cards handed over, what the ledger worked out for each, what the card
//! issuer was told and what it confirmed.

use relief_protocol::IssuerAction;

use crate::card::{CardState, IssuerState};
use crate::storage::batch::{Insert, insert_one, insert_rows};
use crate::storage::row::{all, first};
use crate::storage::{Db, FromRow, Param, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

fn opt_int(v: Option<i64>) -> Param<'static> {
    Param::Int(v)
}

/// A card as an issuance handed it over.
pub struct NewIssuanceCard<'a> {
    pub issuance_id: &'a str,
    pub position: i64,
    pub serial: &'a str,
    pub amount_krw: i64,
    pub face_value_krw: Option<i64>,
}

impl Insert<5> for NewIssuanceCard<'_> {
    const INTO: &'static str =
        "issuance_card (issuance_id, position, serial, amount_krw, face_value_krw)";

    fn params(&self) -> [Param<'_>; 5] {
        [
            self.issuance_id.into(),
            self.position.into(),
            self.serial.into(),
            self.amount_krw.into(),
            opt_int(self.face_value_krw),
        ]
    }
}

pub fn insert_issuance_cards(db: &mut dyn Db, rows: &[NewIssuanceCard]) -> Result<()> {
    insert_rows(db, rows)
}

/// The serials an issuance handed over, each once, in order.
pub fn cards_of_issuance(db: &mut dyn Db, issuance_id: &str) -> Result<Vec<String>> {
    db.query(
        "SELECT DISTINCT serial FROM issuance_card WHERE issuance_id = $1 ORDER BY serial",
        &[issuance_id.into()],
    )?
    .iter()
    .map(|r| r.text("serial"))
    .collect()
}

/// An issuance that carried a card, as the card's rule reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carrier {
    pub issuance_id: String,
    pub terminal_id: String,
    pub campaign_id: String,
    pub amount_krw: i64,
    pub face_value_krw: Option<i64>,
    pub voided: bool,
    /// One of its payments is held.
    pub held: bool,
}

impl FromRow for Carrier {
    fn from_row(r: &Row) -> Result<Carrier> {
        Ok(Carrier {
            issuance_id: r.text("issuance_id")?,
            terminal_id: r.text("terminal_id")?,
            campaign_id: r.text("campaign_id")?,
            amount_krw: r.int("amount_krw")?,
            face_value_krw: r.opt_int("face_value_krw")?,
            voided: r.flag("voided")?,
            held: r.flag("held")?,
        })
    }
}

/// Every issuance that carried the serial, in the order the ledger
/// received them.
pub fn carriers(db: &mut dyn Db, serial: &str) -> Result<Vec<Carrier>> {
    all(db.query(
        "SELECT c.issuance_id, i.terminal_id, t.campaign_id, c.amount_krw, c.face_value_krw,
                CASE WHEN EXISTS (SELECT 1 FROM void v WHERE v.issuance_id = c.issuance_id) THEN 1 ELSE 0 END AS voided,
                CASE WHEN EXISTS (SELECT 1 FROM payment p WHERE p.issuance_id = c.issuance_id AND p.held = 1) THEN 1 ELSE 0 END AS held
         FROM issuance_card c JOIN issuance i ON i.id = c.issuance_id JOIN terminal t ON t.id = i.terminal_id
         WHERE c.serial = $1 ORDER BY i.received_at, c.issuance_id, c.position",
        &[serial.into()],
    )?)
}

/// A card as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRow {
    pub serial: String,
    pub campaign_id: String,
    pub terminal_id: String,
    pub issuance_id: String,
    pub amount_krw: i64,
    pub face_value_krw: Option<i64>,
    pub state: CardState,
    pub issuer_state: IssuerState,
}

impl FromRow for CardRow {
    fn from_row(r: &Row) -> Result<CardRow> {
        Ok(CardRow {
            serial: r.text("serial")?,
            campaign_id: r.text("campaign_id")?,
            terminal_id: r.text("terminal_id")?,
            issuance_id: r.text("issuance_id")?,
            amount_krw: r.int("amount_krw")?,
            face_value_krw: r.opt_int("face_value_krw")?,
            state: r.parsed("state")?,
            issuer_state: r.parsed("issuer_state")?,
        })
    }
}

const CARD_COLUMNS: &str = "serial, campaign_id, terminal_id, issuance_id, amount_krw, face_value_krw, state, issuer_state";

pub fn card(db: &mut dyn Db, serial: &str) -> Result<Option<CardRow>> {
    first(db.query_opt(
        &format!("SELECT {CARD_COLUMNS} FROM card WHERE serial = $1"),
        &[serial.into()],
    )?)
}

/// The card, locked until the transaction ends where the database has
/// many writers: two transactions working out one card take turns.
pub fn lock_card(db: &mut dyn Db, serial: &str) -> Result<Option<CardRow>> {
    let sql = format!(
        "SELECT {CARD_COLUMNS} FROM card WHERE serial = $1{}",
        db.for_update()
    );
    first(db.query_opt(&sql, &[serial.into()])?)
}

/// A card met for the first time.
pub struct NewCard<'a> {
    pub serial: &'a str,
    pub campaign_id: &'a str,
    pub terminal_id: &'a str,
    pub issuance_id: &'a str,
    pub amount_krw: i64,
    pub face_value_krw: Option<i64>,
    pub state: CardState,
    pub changed_at: &'a str,
}

impl Insert<8> for NewCard<'_> {
    const INTO: &'static str = "card (serial, campaign_id, terminal_id, issuance_id, amount_krw, face_value_krw, state, changed_at)";

    fn params(&self) -> [Param<'_>; 8] {
        [
            self.serial.into(),
            self.campaign_id.into(),
            self.terminal_id.into(),
            self.issuance_id.into(),
            self.amount_krw.into(),
            opt_int(self.face_value_krw),
            self.state.code().into(),
            self.changed_at.into(),
        ]
    }
}

pub fn insert_card(db: &mut dyn Db, card: &NewCard) -> Result<()> {
    insert_one(db, card, "")?;
    Ok(())
}

/// New cards all at once; a serial already there is refused as a unique
/// violation.
pub fn insert_cards(db: &mut dyn Db, rows: &[NewCard]) -> Result<()> {
    insert_rows(db, rows)
}

pub fn set_card_state(db: &mut dyn Db, serial: &str, state: CardState, now: &str) -> Result<()> {
    db.exec(
        "UPDATE card SET state = $2, changed_at = $3 WHERE serial = $1",
        &[serial.into(), state.code().into(), now.into()],
    )?;
    Ok(())
}

pub fn set_issuer_state(
    db: &mut dyn Db,
    serial: &str,
    state: IssuerState,
    now: &str,
) -> Result<()> {
    db.exec(
        "UPDATE card SET issuer_state = $2, changed_at = $3 WHERE serial = $1",
        &[serial.into(), state.code().into(), now.into()],
    )?;
    Ok(())
}

/// Something the card issuer is to do.
pub struct NewInstruction<'a> {
    pub serial: &'a str,
    pub action: IssuerAction,
    pub amount_krw: Option<i64>,
    pub face_value_krw: Option<i64>,
    pub at: &'a str,
}

impl Insert<5> for NewInstruction<'_> {
    const INTO: &'static str = "card_instruction (serial, action, amount_krw, face_value_krw, at)";

    fn params(&self) -> [Param<'_>; 5] {
        [
            self.serial.into(),
            self.action.code().into(),
            opt_int(self.amount_krw),
            opt_int(self.face_value_krw),
            self.at.into(),
        ]
    }
}

/// Each card is activated once and blocked once: an instruction already
/// given is not given again.
const ONCE: &str = "ON CONFLICT (serial, action) DO NOTHING";

/// A new instruction; a block overtakes an activation not yet confirmed,
/// which is no longer to be done. An activation withdrawn while its card
/// was held ([`withdraw_activation`]) and due again is pending again.
pub fn insert_instruction(db: &mut dyn Db, i: &NewInstruction) -> Result<()> {
    match i.action {
        IssuerAction::Block => withdraw_activation(db, i.serial)?,
        IssuerAction::Activate => {
            db.exec(
                "UPDATE card_instruction SET pending = 1 WHERE serial = $1 AND action = 'activate' AND pending = 0
                   AND NOT EXISTS (SELECT 1 FROM card_ack a WHERE a.serial = $1 AND a.action = 'activate')",
                &[i.serial.into()],
            )?;
        }
    }
    insert_one(db, i, ONCE)?;
    Ok(())
}

/// An activation not yet confirmed is no longer to be done: its card was
/// blocked, or held again (a payment accepted beside another, and that
/// other voided, stands in a conflict of its own).
pub fn withdraw_activation(db: &mut dyn Db, serial: &str) -> Result<()> {
    db.exec(
        "UPDATE card_instruction SET pending = 0 WHERE serial = $1 AND action = 'activate' AND pending = 1",
        &[serial.into()],
    )?;
    Ok(())
}

pub fn insert_instructions(db: &mut dyn Db, rows: &[NewInstruction]) -> Result<()> {
    insert_rows(db, rows)
}

/// An instruction not yet confirmed, with what the issuer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionRow {
    pub id: i64,
    pub serial: String,
    pub action: IssuerAction,
    pub amount_krw: Option<i64>,
    pub face_value_krw: Option<i64>,
    pub at: String,
}

impl FromRow for InstructionRow {
    fn from_row(r: &Row) -> Result<InstructionRow> {
        Ok(InstructionRow {
            id: r.int("id")?,
            serial: r.text("serial")?,
            action: r.parsed("action")?,
            amount_krw: r.opt_int("amount_krw")?,
            face_value_krw: r.opt_int("face_value_krw")?,
            at: r.text("at")?,
        })
    }
}

/// What the issuer is to do: each card's latest instruction not yet
/// confirmed. A card blocked before its activation was read is only
/// blocked.
const PENDING: &str = "SELECT id, serial, action, amount_krw, face_value_krw, at
     FROM card_instruction WHERE pending = 1";

/// The instructions after `after`, in order, at most `limit`.
pub fn instruction_page(db: &mut dyn Db, after: i64, limit: i64) -> Result<Vec<InstructionRow>> {
    all(db.query(
        &format!("{PENDING} AND id > $1 ORDER BY id LIMIT $2"),
        &[after.into(), limit.into()],
    )?)
}

/// The last instruction's id, 0 for none.
pub fn instruction_head(db: &mut dyn Db) -> Result<i64> {
    db.query_opt(
        "SELECT coalesce(max(id), 0) AS head FROM card_instruction",
        &[],
    )?
    .map_or(Ok(0), |r| r.int("head"))
}

/// The instructions given on a day (`YYYY-MM-DD`) and not yet confirmed.
pub fn instructions_of_day(db: &mut dyn Db, day: &str) -> Result<Vec<InstructionRow>> {
    all(db.query(
        &format!("{PENDING} AND at >= $1 AND at < $2 ORDER BY id"),
        &[
            format!("{day}T").as_str().into(),
            format!("{day}U").as_str().into(),
        ],
    )?)
}

/// The id of the card's instruction to do `action`, if it was given.
pub fn instruction_of(db: &mut dyn Db, serial: &str, action: IssuerAction) -> Result<Option<i64>> {
    db.query_opt(
        "SELECT id FROM card_instruction WHERE serial = $1 AND action = $2",
        &[serial.into(), action.code().into()],
    )?
    .map(|r| r.int("id"))
    .transpose()
}

pub fn acked(db: &mut dyn Db, serial: &str, action: IssuerAction) -> Result<bool> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM card_ack WHERE serial = $1 AND action = $2",
            &[serial.into(), action.code().into()],
        )?
        .is_some())
}

pub fn ack(
    db: &mut dyn Db,
    serial: &str,
    action: IssuerAction,
    instruction_id: i64,
    now: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO card_ack (serial, action, instruction_id, acked_at) VALUES ($1, $2, $3, $4)",
        &[
            serial.into(),
            action.code().into(),
            instruction_id.into(),
            now.into(),
        ],
    )?;
    db.exec(
        "UPDATE card_instruction SET pending = 0 WHERE id = $1",
        &[instruction_id.into()],
    )?;
    Ok(())
}

/// How many cards of a campaign's issuances made in `[start, end)` are
/// in each (state, issuer state).
pub fn card_counts(
    db: &mut dyn Db,
    campaign: &str,
    start: &str,
    end: &str,
) -> Result<Vec<(CardState, IssuerState, i64)>> {
    db.query(
        "SELECT c.state, c.issuer_state, count(*) AS n FROM card c JOIN issuance i ON i.id = c.issuance_id
         WHERE c.campaign_id = $1 AND i.issued_at >= $2 AND i.issued_at < $3
         GROUP BY c.state, c.issuer_state",
        &[campaign.into(), start.into(), end.into()],
    )?
    .iter()
    .map(|r| Ok((r.parsed("state")?, r.parsed("issuer_state")?, r.int("n")?)))
    .collect()
}
