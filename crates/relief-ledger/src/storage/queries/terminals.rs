//! Enrollment codes and the terminals that redeemed them: where each
//! terminal stands, and the sequence number it is to push next.

use relief_core::{Channel, SiteType};

use crate::storage::row::first;
use crate::storage::{Db, FromRow, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

pub struct SiteRow {
    pub code: String,
    pub name: String,
    pub site_type: SiteType,
    pub sigungu: String,
}

impl FromRow for SiteRow {
    fn from_row(r: &Row) -> Result<SiteRow> {
        Ok(SiteRow {
            code: r.text("site_code")?,
            name: r.text("site_name")?,
            site_type: r.parsed("site_type")?,
            sigungu: r.text("sigungu")?,
        })
    }
}

/// What a redeemed enrollment code was made for.
pub struct RedeemedCode {
    pub campaign_id: String,
    pub site: SiteRow,
}

impl FromRow for RedeemedCode {
    fn from_row(r: &Row) -> Result<RedeemedCode> {
        Ok(RedeemedCode {
            campaign_id: r.text("campaign_id")?,
            site: SiteRow::from_row(r)?,
        })
    }
}

pub fn insert_enrollment_code(
    db: &mut dyn Db,
    hash: &[u8],
    campaign_id: &str,
    site: &SiteRow,
    at: &str,
    expires_at: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO enrollment_code (code_hash, campaign_id, site_code, site_name, site_type, sigungu, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            hash.into(),
            campaign_id.into(),
            (&site.code).into(),
            (&site.name).into(),
            site.site_type.code().into(),
            (&site.sigungu).into(),
            at.into(),
            expires_at.into(),
        ],
    )?;
    Ok(())
}

/// Marks a code used, once: the UPDATE's condition is the guard, so two
/// redemptions at once cannot both succeed.
pub fn redeem_enrollment_code(
    db: &mut dyn Db,
    hash: &[u8],
    now: &str,
    terminal_id: &str,
) -> Result<Option<RedeemedCode>> {
    let rows = db.query(
        "UPDATE enrollment_code SET redeemed_at = $2, terminal_id = $3
         WHERE code_hash = $1 AND redeemed_at IS NULL AND expires_at > $2
         RETURNING campaign_id, site_code, site_name, site_type, sigungu",
        &[hash.into(), now.into(), terminal_id.into()],
    )?;
    first(rows.into_iter().next())
}

#[derive(Debug, Clone)]
pub struct TerminalRow {
    pub id: String,
    pub campaign_id: String,
    pub site_code: String,
    pub site_name: String,
    pub site_type: SiteType,
    pub sigungu: String,
    pub next_seq: i64,
}

pub fn insert_terminal(
    db: &mut dyn Db,
    t: &TerminalRow,
    token_hash: &[u8],
    at: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO terminal (id, token_hash, campaign_id, site_code, site_name, site_type, sigungu, enrolled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            (&t.id).into(),
            token_hash.into(),
            (&t.campaign_id).into(),
            (&t.site_code).into(),
            (&t.site_name).into(),
            t.site_type.code().into(),
            (&t.sigungu).into(),
            at.into(),
        ],
    )?;
    Ok(())
}

impl TerminalRow {
    /// Where this terminal's payments are said to come from.
    pub fn channel(&self) -> Channel {
        self.site_type.into()
    }
}

impl FromRow for TerminalRow {
    fn from_row(r: &Row) -> Result<TerminalRow> {
        Ok(TerminalRow {
            id: r.text("id")?,
            campaign_id: r.text("campaign_id")?,
            site_code: r.text("site_code")?,
            site_name: r.text("site_name")?,
            site_type: r.parsed("site_type")?,
            sigungu: r.text("sigungu")?,
            next_seq: r.int("next_seq")?,
        })
    }
}

/// The terminal a token is for, and when its campaign was purged if it was.
pub fn terminal_by_token(
    db: &mut dyn Db,
    token_hash: &[u8],
) -> Result<Option<(TerminalRow, Option<String>)>> {
    db.query_opt(
        "SELECT t.id, t.campaign_id, t.site_code, t.site_name, t.site_type, t.sigungu, t.next_seq, c.purged_at
         FROM terminal t JOIN campaign c ON c.id = t.campaign_id WHERE t.token_hash = $1",
        &[token_hash.into()],
    )?
    .map(|row| Ok((TerminalRow::from_row(&row)?, row.opt_text("purged_at")?)))
    .transpose()
}

pub fn terminal(db: &mut dyn Db, id: &str) -> Result<Option<TerminalRow>> {
    first(db.query_opt(
        "SELECT id, campaign_id, site_code, site_name, site_type, sigungu, next_seq FROM terminal WHERE id = $1",
        &[id.into()],
    )?)
}

/// Holds the terminal's row until the transaction ends (this terminal's
/// pushes take turns where the database has many writers): the sequence
/// number it expects next.
pub fn hold_terminal(db: &mut dyn Db, terminal_id: &str) -> Result<i64> {
    db.query_opt(
        "UPDATE terminal SET next_seq = next_seq WHERE id = $1 RETURNING next_seq",
        &[terminal_id.into()],
    )?
    .map_or(Ok(1), |r| r.int("next_seq"))
}

/// Moves the terminal's expected sequence from `from` to `to`, only if it
/// stands at `from`.
pub fn advance_seq(db: &mut dyn Db, terminal_id: &str, from: i64, to: i64) -> Result<bool> {
    Ok(db.exec(
        "UPDATE terminal SET next_seq = $3 WHERE id = $1 AND next_seq = $2",
        &[terminal_id.into(), from.into(), to.into()],
    )? == 1)
}
