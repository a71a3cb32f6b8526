//! Issuances, who each paid, and their voids: what the counters handed
//! over and took back.

use super::TerminalRow;
use crate::storage::{Db, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

pub struct IssuanceRow<'a> {
    pub id: &'a str,
    pub terminal: &'a TerminalRow,
    pub issued_at: &'a str,
    pub verification: &'a str,
    pub total_krw: i64,
}

pub fn issuance_terminal(db: &mut dyn Db, id: &str) -> Result<Option<String>> {
    db.query_opt(
        "SELECT terminal_id FROM issuance WHERE id = $1",
        &[id.into()],
    )?
    .map(|r| r.text("terminal_id"))
    .transpose()
}

/// Records an issuance unless its id is taken; returns whether it was recorded.
pub fn insert_issuance(db: &mut dyn Db, i: &IssuanceRow, at: &str) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO issuance (id, terminal_id, issued_at, verification, total_krw, received_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
        &[
            i.id.into(),
            (&i.terminal.id).into(),
            i.issued_at.into(),
            i.verification.into(),
            i.total_krw.into(),
            at.into(),
        ],
    )? == 1)
}

#[allow(clippy::too_many_arguments)]
pub fn insert_issuance_beneficiary(
    db: &mut dyn Db,
    issuance_id: &str,
    position: i64,
    key: &[u8],
    sigungu: &str,
    household_size: i64,
    amount: i64,
    shares: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO issuance_beneficiary (issuance_id, position, beneficiary_key, sigungu, household_size, amount_krw, shares)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            issuance_id.into(),
            position.into(),
            key.into(),
            sigungu.into(),
            household_size.into(),
            amount.into(),
            shares.into(),
        ],
    )?;
    Ok(())
}

pub fn is_voided(db: &mut dyn Db, issuance_id: &str) -> Result<bool> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM void WHERE issuance_id = $1",
            &[issuance_id.into()],
        )?
        .is_some())
}

pub fn insert_void(
    db: &mut dyn Db,
    issuance_id: &str,
    void_id: &str,
    voided_at: &str,
    reason: &str,
    disposition: &str,
    at: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO void (issuance_id, void_id, voided_at, reason, card_disposition, received_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[issuance_id.into(), void_id.into(), voided_at.into(), reason.into(), disposition.into(), at.into()],
    )?;
    Ok(())
}
