//! The purge of a campaign's personal data: every beneficiary key
//! replaced by a random one (the same person gets the same one in every
//! table, so counts and joins hold), the roll and the campaign's secret
//! deleted.

use crate::storage::{Db, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

/// What one purge replaced and deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PurgeCounts {
    /// Distinct beneficiary keys replaced.
    pub people: u64,
    pub roll_people: u64,
    pub roll_households: u64,
}

/// Where a beneficiary key of the campaign `$1` stands, as a `SELECT` of
/// it named `k`.
const KEYS: &[&str] = &[
    "SELECT beneficiary_key AS k FROM entitlement WHERE campaign_id = $1",
    "SELECT beneficiary_key AS k FROM payment WHERE campaign_id = $1",
    "SELECT beneficiary_key AS k FROM claim WHERE campaign_id = $1",
    "SELECT beneficiary_key AS k FROM conflict WHERE campaign_id = $1",
    "SELECT beneficiary_key AS k FROM feed WHERE campaign_id = $1 AND beneficiary_key IS NOT NULL",
    "SELECT b.beneficiary_key AS k FROM issuance_beneficiary b
     JOIN issuance i ON i.id = b.issuance_id JOIN terminal t ON t.id = i.terminal_id
     WHERE t.campaign_id = $1",
];

/// The tables whose keys are replaced, and which of their rows are the
/// campaign's.
const REPLACED: &[(&str, &str)] = &[
    ("entitlement", "campaign_id = $1"),
    ("payment", "campaign_id = $1"),
    ("claim", "campaign_id = $1"),
    ("conflict", "campaign_id = $1"),
    ("feed", "campaign_id = $1 AND beneficiary_key IS NOT NULL"),
    (
        "issuance_beneficiary",
        "issuance_id IN (SELECT i.id FROM issuance i JOIN terminal t ON t.id = i.terminal_id
                         WHERE t.campaign_id = $1)",
    ),
];

/// Every table a purge rewrites, for the storage to reclaim afterwards.
pub const PURGED_TABLES: &[&str] = &[
    "entitlement",
    "payment",
    "claim",
    "conflict",
    "feed",
    "issuance_beneficiary",
    "roll_person",
    "roll_household",
    "campaign",
    "purge_key",
];

/// Purges `campaign` in the caller's transaction, marking it purged `at`.
pub fn purge_campaign(db: &mut dyn Db, campaign: &str, at: &str) -> Result<PurgeCounts> {
    db.exec("DELETE FROM purge_key", &[])?;
    let people = db.exec(
        &format!(
            "INSERT INTO purge_key (old, new) SELECT k, {} FROM ({}) AS known",
            db.random_key(),
            KEYS.join(" UNION ")
        ),
        &[campaign.into()],
    )?;
    for (table, rows) in REPLACED {
        db.exec(
            &format!(
                "UPDATE {table} SET beneficiary_key =
                     (SELECT new FROM purge_key WHERE old = {table}.beneficiary_key)
                 WHERE {rows}"
            ),
            &[campaign.into()],
        )?;
    }
    db.exec("DELETE FROM purge_key", &[])?;
    let roll_people = db.exec(
        "DELETE FROM roll_person WHERE campaign_id = $1",
        &[campaign.into()],
    )?;
    let roll_households = db.exec(
        "DELETE FROM roll_household WHERE campaign_id = $1",
        &[campaign.into()],
    )?;
    let none: &[u8] = &[];
    let marked = db.exec(
        "UPDATE campaign SET secret = $2, purged_at = $3 WHERE id = $1 AND purged_at IS NULL",
        &[campaign.into(), none.into(), at.into()],
    )?;
    if marked != 1 {
        return Err(StorageError::Race(format!(
            "캠페인 {campaign}이(가) 없거나 이미 파기되었습니다"
        )));
    }
    Ok(PurgeCounts {
        people,
        roll_people,
        roll_households,
    })
}
