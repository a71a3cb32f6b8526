//! Conflicts between two of a person's payments, and what closes them: a
//! supervisor's acceptance, or a void.

use relief_core::Channel;
use relief_protocol::ConflictStatus;

use super::PaymentRow;
use crate::storage::row::{all, first};
use crate::storage::{Db, FromRow, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

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

/// Records a supervisor's acceptance once: a second one is passed over.
pub fn insert_acceptance(
    db: &mut dyn Db,
    conflict_id: &str,
    terminal_id: &str,
    note: &str,
    accepted_by: &str,
    accepted_at: &str,
    now: &str,
) -> Result<()> {
    db.exec(
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
    )?;
    Ok(())
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
