//! Claims, which hold a person for one visit, and the visit ends that let
//! go of them.

use relief_core::Channel;

use crate::storage::batch::{Insert, each_statement, insert_one};
use crate::storage::row::all;
use crate::storage::{Db, FromRow, Param, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

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

/// How a terminal's visit ended.
pub struct NewVisitEnd<'a> {
    pub visit_id: &'a str,
    pub terminal_id: &'a str,
    pub outcome: VisitOutcome,
    pub ended_at: &'a str,
    pub reason: Option<&'a str>,
}

impl Insert<5> for NewVisitEnd<'_> {
    const INTO: &'static str = "visit_end (visit_id, terminal_id, outcome, ended_at, reason)";

    fn params(&self) -> [Param<'_>; 5] {
        [
            self.visit_id.into(),
            self.terminal_id.into(),
            self.outcome.code().into(),
            self.ended_at.into(),
            self.reason.into(),
        ]
    }
}

/// A visit ends once.
const PASS_OVER_ENDED: &str = "ON CONFLICT (visit_id, terminal_id) DO NOTHING";

/// Ends a visit once: ending it again leaves its first end.
pub fn end_visit(
    db: &mut dyn Db,
    visit_id: &str,
    terminal_id: &str,
    outcome: VisitOutcome,
    reason: Option<&str>,
    now: &str,
) -> Result<()> {
    let end = NewVisitEnd {
        visit_id,
        terminal_id,
        outcome,
        ended_at: now,
        reason,
    };
    insert_one(db, &end, PASS_OVER_ENDED)?;
    Ok(())
}

/// Visit ends all at once, passing over visits already ended.
pub fn end_visits(db: &mut dyn Db, rows: &[NewVisitEnd]) -> Result<()> {
    each_statement(rows, PASS_OVER_ENDED, |sql, params| {
        db.exec(sql, params).map(drop)
    })
}
