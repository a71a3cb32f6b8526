//! Issuances, who each paid, and their voids: what the counters handed
//! over and took back.

use crate::storage::batch::{Insert, insert_one};
use crate::storage::{Db, Param, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

/// An issuance received.
pub struct NewIssuance<'a> {
    pub id: &'a str,
    pub terminal_id: &'a str,
    pub issued_at: &'a str,
    pub verification: &'a str,
    pub total_krw: i64,
    pub received_at: &'a str,
}

impl Insert<6> for NewIssuance<'_> {
    const INTO: &'static str =
        "issuance (id, terminal_id, issued_at, verification, total_krw, received_at)";

    fn params(&self) -> [Param<'_>; 6] {
        [
            self.id.into(),
            self.terminal_id.into(),
            self.issued_at.into(),
            self.verification.into(),
            self.total_krw.into(),
            self.received_at.into(),
        ]
    }
}

/// Someone an issuance paid, and how much of what (`shares`, JSON).
pub struct NewIssuanceBeneficiary<'a> {
    pub issuance_id: &'a str,
    pub position: i64,
    pub beneficiary_key: &'a [u8],
    pub sigungu: &'a str,
    pub household_size: i64,
    pub amount_krw: i64,
    pub shares: &'a str,
}

impl Insert<7> for NewIssuanceBeneficiary<'_> {
    const INTO: &'static str = "issuance_beneficiary (issuance_id, position, beneficiary_key, sigungu, household_size, amount_krw, shares)";

    fn params(&self) -> [Param<'_>; 7] {
        [
            self.issuance_id.into(),
            self.position.into(),
            self.beneficiary_key.into(),
            self.sigungu.into(),
            self.household_size.into(),
            self.amount_krw.into(),
            self.shares.into(),
        ]
    }
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
pub fn insert_issuance(db: &mut dyn Db, i: &NewIssuance) -> Result<bool> {
    Ok(insert_one(db, i, "ON CONFLICT (id) DO NOTHING")? == 1)
}

pub fn insert_issuance_beneficiary(db: &mut dyn Db, b: &NewIssuanceBeneficiary) -> Result<()> {
    insert_one(db, b, "")?;
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
