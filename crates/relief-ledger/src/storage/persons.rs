//! The statements about people: their payments, claims, visit ends,
//! conflicts and acceptances (rows only ever added), and the entitlement
//! row that `person` works out from them.

use relief_core::Channel;
use relief_protocol::{ConflictStatus, Verification};

use super::row::{all, first};
use super::{Db, FromRow, Param, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

// --- the worked-out row, which is also what concurrent writers lock

/// What `person` last worked out for someone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntitlementRow {
    pub state: String,
    pub standing_ref: Option<String>,
    pub other_ref: Option<String>,
}

impl FromRow for EntitlementRow {
    fn from_row(r: &Row) -> Result<EntitlementRow> {
        Ok(EntitlementRow {
            state: r.text("state")?,
            standing_ref: r.opt_text("standing_ref")?,
            other_ref: r.opt_text("other_ref")?,
        })
    }
}

/// The person's entitlement row, made `unpaid` if there is none yet, and
/// locked until the transaction ends where the database has many writers.
pub fn lock_entitlement(
    db: &mut dyn Db,
    campaign: &str,
    key: &[u8],
    now: &str,
) -> Result<EntitlementRow> {
    db.exec(
        "INSERT INTO entitlement (campaign_id, beneficiary_key, state, changed_at) VALUES ($1, $2, 'unpaid', $3)
         ON CONFLICT (campaign_id, beneficiary_key) DO NOTHING",
        &[campaign.into(), key.into(), now.into()],
    )?;
    let sql = format!(
        "SELECT state, standing_ref, other_ref FROM entitlement WHERE campaign_id = $1 AND beneficiary_key = $2{}",
        db.for_update()
    );
    first(db.query_opt(&sql, &[campaign.into(), key.into()])?)?
        .ok_or_else(|| StorageError::Race("수급자 행이 사라졌습니다".into()))
}

pub fn update_entitlement(
    db: &mut dyn Db,
    campaign: &str,
    key: &[u8],
    e: &EntitlementRow,
    now: &str,
) -> Result<()> {
    db.exec(
        "UPDATE entitlement SET state = $3, standing_ref = $4, other_ref = $5, changed_at = $6
         WHERE campaign_id = $1 AND beneficiary_key = $2",
        &[
            campaign.into(),
            key.into(),
            (&e.state).into(),
            e.standing_ref.as_deref().into(),
            e.other_ref.as_deref().into(),
            now.into(),
        ],
    )?;
    Ok(())
}

/// Entitlement rows for people met for the first time, all at once
/// (`campaign_id, beneficiary_key, state, standing_ref, other_ref,
/// changed_at` per row). Anyone already there is refused as a unique
/// violation: the caller then goes one person at a time.
pub fn insert_entitlements(db: &mut dyn Db, rows: &[Param]) -> Result<()> {
    super::batch::insert(
        db,
        "entitlement (campaign_id, beneficiary_key, state, standing_ref, other_ref, changed_at)",
        6,
        rows,
    )
}

/// As [`insert_entitlements`] (rows in key order), where anyone already
/// there is locked instead (see [`Db::entitlement_upsert`]): the keys this
/// created.
pub fn insert_or_lock_entitlements(db: &mut dyn Db, rows: &[Param]) -> Result<Vec<Vec<u8>>> {
    let tail = db.entitlement_upsert();
    let mut created = Vec::new();
    super::batch::each_statement(
        "entitlement (campaign_id, beneficiary_key, state, standing_ref, other_ref, changed_at)",
        6,
        rows,
        tail,
        |sql, params| {
            for row in db.query(sql, params)? {
                if row.flag("created")? {
                    created.push(row.bytes("beneficiary_key")?);
                }
            }
            Ok(())
        },
    )?;
    Ok(created)
}

// --- payments

/// A payment as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: i64,
    pub reference: String,
    pub channel: Channel,
    pub terminal_id: Option<String>,
    pub issuance_id: Option<String>,
    pub verification: Verification,
    pub site: String,
    pub sigungu: String,
    pub paid_at: String,
    pub voided: bool,
}

impl FromRow for PaymentRow {
    fn from_row(r: &Row) -> Result<PaymentRow> {
        Ok(PaymentRow {
            id: r.int("id")?,
            reference: r.text("payment_ref")?,
            channel: r.parsed("channel")?,
            terminal_id: r.opt_text("terminal_id")?,
            issuance_id: r.opt_text("issuance_id")?,
            verification: r.parsed("verification")?,
            site: r.text("site")?,
            sigungu: r.text("sigungu")?,
            paid_at: r.text("paid_at")?,
            voided: r.flag("voided")?,
        })
    }
}

/// A payment to record.
pub struct NewPayment<'a> {
    pub reference: &'a str,
    pub channel: Channel,
    pub terminal_id: Option<&'a str>,
    pub issuance_id: Option<&'a str>,
    pub verification: Verification,
    pub site: &'a str,
    pub sigungu: &'a str,
    pub amount_krw: i64,
    pub paid_at: &'a str,
}

impl<'a> NewPayment<'a> {
    /// Its columns in table order after the id, as parameters: campaign_id,
    /// beneficiary_key, payment_ref, channel, terminal_id, issuance_id,
    /// verification, site, sigungu, amount_krw, paid_at, recorded_at.
    pub fn params(&self, campaign: &'a str, key: &'a [u8], now: &'a str) -> [Param<'a>; 12] {
        [
            campaign.into(),
            key.into(),
            self.reference.into(),
            self.channel.code().into(),
            self.terminal_id.into(),
            self.issuance_id.into(),
            self.verification.code().into(),
            self.site.into(),
            self.sigungu.into(),
            self.amount_krw.into(),
            self.paid_at.into(),
            now.into(),
        ]
    }
}

pub const PAYMENT_COLUMNS: &str = "payment (campaign_id, beneficiary_key, payment_ref, channel, terminal_id, issuance_id, verification, site, sigungu, amount_krw, paid_at, recorded_at)";

/// Records a payment unless one of that name is there; whether it was.
pub fn insert_payment(
    db: &mut dyn Db,
    campaign: &str,
    key: &[u8],
    p: &NewPayment,
    now: &str,
) -> Result<bool> {
    Ok(db.exec(
        &format!(
            "INSERT INTO {PAYMENT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (campaign_id, beneficiary_key, payment_ref) DO NOTHING"
        ),
        &p.params(campaign, key, now),
    )? == 1)
}

/// Payment rows all at once (parameters as [`NewPayment::params`]); a
/// name already there is refused as a unique violation.
pub fn insert_payments(db: &mut dyn Db, rows: &[Param]) -> Result<()> {
    super::batch::insert(db, PAYMENT_COLUMNS, 12, rows)
}

/// A payment by its name: whose, and which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentName {
    pub key: Vec<u8>,
    pub reference: String,
}

impl FromRow for PaymentName {
    fn from_row(r: &Row) -> Result<PaymentName> {
        Ok(PaymentName {
            key: r.bytes("beneficiary_key")?,
            reference: r.text("payment_ref")?,
        })
    }
}

/// As [`insert_payments`], passing over names already there: the payments
/// written.
pub fn insert_new_payments(db: &mut dyn Db, rows: &[Param]) -> Result<Vec<PaymentName>> {
    let mut written = Vec::new();
    super::batch::each_statement(
        PAYMENT_COLUMNS,
        12,
        rows,
        "ON CONFLICT (campaign_id, beneficiary_key, payment_ref) DO NOTHING RETURNING beneficiary_key, payment_ref",
        |sql, params| {
            written.extend(all::<PaymentName>(db.query(sql, params)?)?);
            Ok(())
        },
    )?;
    Ok(written)
}

/// Everyone paid by an issuance.
pub fn payees_of_issuance(db: &mut dyn Db, issuance_id: &str) -> Result<Vec<Vec<u8>>> {
    db.query(
        "SELECT beneficiary_key FROM issuance_beneficiary WHERE issuance_id = $1 ORDER BY beneficiary_key",
        &[issuance_id.into()],
    )?
    .iter()
    .map(|r| r.bytes("beneficiary_key"))
    .collect()
}

/// A person's payments, in the order they were recorded.
pub fn payments(db: &mut dyn Db, campaign: &str, key: &[u8]) -> Result<Vec<PaymentRow>> {
    all(db.query(
        "SELECT p.id, p.payment_ref, p.channel, p.terminal_id, p.issuance_id, p.verification, p.site, p.sigungu, p.paid_at,
                CASE WHEN EXISTS (SELECT 1 FROM void v WHERE v.issuance_id = p.issuance_id) THEN 1 ELSE 0 END AS voided
         FROM payment p WHERE p.campaign_id = $1 AND p.beneficiary_key = $2 ORDER BY p.id",
        &[campaign.into(), key.into()],
    )?)
}

// --- claims and visits

/// A claim whose visit has not ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRow {
    pub visit_id: String,
    pub terminal_id: String,
    pub channel: Channel,
    pub site: String,
    pub claimed_at: String,
}

impl FromRow for ClaimRow {
    fn from_row(r: &Row) -> Result<ClaimRow> {
        Ok(ClaimRow {
            visit_id: r.text("visit_id")?,
            terminal_id: r.text("terminal_id")?,
            channel: r.parsed("site_type")?,
            site: r.text("site_name")?,
            claimed_at: r.text("claimed_at")?,
        })
    }
}

pub fn live_claims(db: &mut dyn Db, campaign: &str, key: &[u8]) -> Result<Vec<ClaimRow>> {
    all(db.query(
        "SELECT c.visit_id, c.terminal_id, t.site_type, t.site_name, c.claimed_at
         FROM claim c JOIN terminal t ON t.id = c.terminal_id
         WHERE c.campaign_id = $1 AND c.beneficiary_key = $2
           AND NOT EXISTS (SELECT 1 FROM visit_end e WHERE e.visit_id = c.visit_id AND e.terminal_id = c.terminal_id)
         ORDER BY c.claimed_at, c.visit_id",
        &[campaign.into(), key.into()],
    )?)
}

pub fn insert_claim(
    db: &mut dyn Db,
    campaign: &str,
    key: &[u8],
    visit_id: &str,
    terminal_id: &str,
    now: &str,
    lease_until: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO claim (campaign_id, beneficiary_key, visit_id, terminal_id, claimed_at, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (campaign_id, beneficiary_key, visit_id) DO NOTHING",
        &[
            campaign.into(),
            key.into(),
            visit_id.into(),
            terminal_id.into(),
            now.into(),
            lease_until.into(),
        ],
    )?;
    Ok(())
}

/// Someone a visit claimed, and the terminal it claimed them from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitClaim {
    pub key: Vec<u8>,
    pub terminal_id: String,
}

impl FromRow for VisitClaim {
    fn from_row(r: &Row) -> Result<VisitClaim> {
        Ok(VisitClaim {
            key: r.bytes("beneficiary_key")?,
            terminal_id: r.text("terminal_id")?,
        })
    }
}

/// The people a visit claimed, in key order.
pub fn claims_of_visit(db: &mut dyn Db, visit_id: &str) -> Result<Vec<VisitClaim>> {
    all(db.query(
        "SELECT beneficiary_key, terminal_id FROM claim WHERE visit_id = $1 ORDER BY beneficiary_key",
        &[visit_id.into()],
    )?)
}

/// The visits of a terminal that hold claims still.
pub fn open_visits_of_terminal(db: &mut dyn Db, terminal_id: &str) -> Result<Vec<String>> {
    db.query(
        "SELECT DISTINCT c.visit_id FROM claim c WHERE c.terminal_id = $1
           AND NOT EXISTS (SELECT 1 FROM visit_end e WHERE e.visit_id = c.visit_id AND e.terminal_id = c.terminal_id)
         ORDER BY c.visit_id",
        &[terminal_id.into()],
    )?
    .iter()
    .map(|r| r.text("visit_id"))
    .collect()
}

relief_core::closed_set! {
    /// How a visit ended at the ledger.
    pub enum VisitOutcome {
        /// Its issuance arrived.
        Issued,
        /// Its counter said it ended without a card.
        Released,
        /// An admin withdrew the claims of a terminal that is not coming back.
        Withdrawn,
    }
}

/// How a terminal's visit ended, if it has.
pub fn visit_end(
    db: &mut dyn Db,
    visit_id: &str,
    terminal_id: &str,
) -> Result<Option<VisitOutcome>> {
    db.query_opt(
        "SELECT outcome FROM visit_end WHERE visit_id = $1 AND terminal_id = $2",
        &[visit_id.into(), terminal_id.into()],
    )?
    .map(|r| r.parsed("outcome"))
    .transpose()
}

/// Ends a visit once; whether this ended it.
pub fn end_visit(
    db: &mut dyn Db,
    visit_id: &str,
    terminal_id: &str,
    outcome: VisitOutcome,
    reason: Option<&str>,
    now: &str,
) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO visit_end (visit_id, terminal_id, outcome, ended_at, reason) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (visit_id, terminal_id) DO NOTHING",
        &[
            visit_id.into(),
            terminal_id.into(),
            outcome.code().into(),
            now.into(),
            reason.into(),
        ],
    )? == 1)
}

/// Visit ends all at once (`visit_id, terminal_id, outcome, ended_at,
/// reason` per row), passing over visits already ended.
pub fn end_visits(db: &mut dyn Db, rows: &[Param]) -> Result<()> {
    super::batch::each_statement(
        "visit_end (visit_id, terminal_id, outcome, ended_at, reason)",
        5,
        rows,
        "ON CONFLICT (visit_id, terminal_id) DO NOTHING",
        |sql, params| db.exec(sql, params).map(drop),
    )
}

// --- conflicts

/// One side of a conflict, as shown to supervisors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub reference: String,
    pub issuance_id: Option<String>,
    pub terminal_id: Option<String>,
    pub channel: Channel,
    pub site: String,
    pub at: String,
}

impl Side {
    pub fn of(p: &PaymentRow) -> Side {
        Side {
            reference: p.reference.clone(),
            issuance_id: p.issuance_id.clone(),
            terminal_id: p.terminal_id.clone(),
            channel: p.channel,
            site: p.site.clone(),
            at: p.paid_at.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictRow {
    pub id: String,
    pub campaign_id: String,
    pub key: Vec<u8>,
    /// The payment recorded first, and the later one.
    pub standing: Side,
    pub other: Side,
    pub detected_at: String,
    pub status: ConflictStatus,
    pub note: Option<String>,
    pub accepted: bool,
}

pub fn insert_conflict(db: &mut dyn Db, c: &ConflictRow) -> Result<()> {
    db.exec(
        "INSERT INTO conflict (id, campaign_id, beneficiary_key,
            standing_issuance_id, standing_terminal_id, standing_channel, standing_site, standing_at,
            other_issuance_id, other_terminal_id, other_channel, other_site, other_at, detected_at, status, note,
            standing_ref, other_ref)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        &[
            (&c.id).into(),
            (&c.campaign_id).into(),
            (&c.key).into(),
            c.standing.issuance_id.as_deref().into(),
            c.standing.terminal_id.as_deref().into(),
            c.standing.channel.code().into(),
            (&c.standing.site).into(),
            (&c.standing.at).into(),
            c.other.issuance_id.as_deref().into(),
            c.other.terminal_id.as_deref().into(),
            c.other.channel.code().into(),
            (&c.other.site).into(),
            (&c.other.at).into(),
            (&c.detected_at).into(),
            c.status.code().into(),
            c.note.as_deref().into(),
            (&c.standing.reference).into(),
            (&c.other.reference).into(),
        ],
    )?;
    Ok(())
}

const CONFLICT_COLUMNS: &str = "c.id, c.campaign_id, c.beneficiary_key,
    c.standing_issuance_id, c.standing_terminal_id, c.standing_channel, c.standing_site, c.standing_at,
    c.other_issuance_id, c.other_terminal_id, c.other_channel, c.other_site, c.other_at, c.detected_at, c.status, c.note,
    c.standing_ref, c.other_ref,
    CASE WHEN EXISTS (SELECT 1 FROM acceptance a WHERE a.conflict_id = c.id) THEN 1 ELSE 0 END AS accepted";

/// The names of a side's columns, which the table spells twice.
struct SideColumns {
    reference: &'static str,
    issuance_id: &'static str,
    terminal_id: &'static str,
    channel: &'static str,
    site: &'static str,
    at: &'static str,
}

const STANDING: SideColumns = SideColumns {
    reference: "standing_ref",
    issuance_id: "standing_issuance_id",
    terminal_id: "standing_terminal_id",
    channel: "standing_channel",
    site: "standing_site",
    at: "standing_at",
};

const OTHER: SideColumns = SideColumns {
    reference: "other_ref",
    issuance_id: "other_issuance_id",
    terminal_id: "other_terminal_id",
    channel: "other_channel",
    site: "other_site",
    at: "other_at",
};

impl Side {
    fn from_columns(r: &Row, c: &SideColumns) -> Result<Side> {
        Ok(Side {
            reference: r.text(c.reference)?,
            issuance_id: r.opt_text(c.issuance_id)?,
            terminal_id: r.opt_text(c.terminal_id)?,
            channel: r.parsed(c.channel)?,
            site: r.text(c.site)?,
            at: r.text(c.at)?,
        })
    }
}

impl FromRow for ConflictRow {
    fn from_row(r: &Row) -> Result<ConflictRow> {
        Ok(ConflictRow {
            id: r.text("id")?,
            campaign_id: r.text("campaign_id")?,
            key: r.bytes("beneficiary_key")?,
            standing: Side::from_columns(r, &STANDING)?,
            other: Side::from_columns(r, &OTHER)?,
            detected_at: r.text("detected_at")?,
            status: r.parsed("status")?,
            note: r.opt_text("note")?,
            accepted: r.flag("accepted")?,
        })
    }
}

pub fn conflict(db: &mut dyn Db, id: &str) -> Result<Option<ConflictRow>> {
    first(db.query_opt(
        &format!("SELECT {CONFLICT_COLUMNS} FROM conflict c WHERE c.id = $1"),
        &[id.into()],
    )?)
}

/// Every conflict over a person.
pub fn conflicts_of(db: &mut dyn Db, campaign: &str, key: &[u8]) -> Result<Vec<ConflictRow>> {
    all(db.query(
        &format!(
            "SELECT {CONFLICT_COLUMNS} FROM conflict c
             WHERE c.campaign_id = $1 AND c.beneficiary_key = $2 ORDER BY c.detected_at, c.id"
        ),
        &[campaign.into(), key.into()],
    )?)
}

pub fn set_conflict_status(
    db: &mut dyn Db,
    id: &str,
    status: ConflictStatus,
    note: Option<&str>,
    at: &str,
) -> Result<()> {
    db.exec(
        "UPDATE conflict SET status = $2, note = coalesce($3, note), resolved_at = $4 WHERE id = $1",
        &[id.into(), status.code().into(), note.into(), at.into()],
    )?;
    Ok(())
}

/// Why a conflict's payment was voided: the first void's reason.
pub fn void_reason(db: &mut dyn Db, issuance_ids: &[Option<&str>]) -> Result<Option<String>> {
    for id in issuance_ids.iter().flatten() {
        if let Some(row) = db.query_opt(
            "SELECT reason FROM void WHERE issuance_id = $1",
            &[(*id).into()],
        )? {
            return Ok(Some(row.text("reason")?));
        }
    }
    Ok(None)
}

/// Records a supervisor's acceptance once; whether this recorded it.
pub fn insert_acceptance(
    db: &mut dyn Db,
    conflict_id: &str,
    terminal_id: &str,
    note: &str,
    accepted_by: &str,
    accepted_at: &str,
    now: &str,
) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO acceptance (conflict_id, terminal_id, note, accepted_by, accepted_at, received_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (conflict_id) DO NOTHING",
        &[
            conflict_id.into(),
            terminal_id.into(),
            note.into(),
            accepted_by.into(),
            accepted_at.into(),
            now.into(),
        ],
    )? == 1)
}

pub fn acceptance_note(db: &mut dyn Db, conflict_id: &str) -> Result<Option<String>> {
    db.query_opt(
        "SELECT note, accepted_by, accepted_at FROM acceptance WHERE conflict_id = $1",
        &[conflict_id.into()],
    )?
    .map(|r| {
        let (note, by, at) = (
            r.text("note")?,
            r.text("accepted_by")?,
            r.text("accepted_at")?,
        );
        Ok(if by.is_empty() {
            note
        } else {
            format!("{note} ({by} {at})")
        })
    })
    .transpose()
}
