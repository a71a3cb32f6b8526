//! Campaigns, their secrets, and the policies published for them.

use crate::storage::row::first;
use crate::storage::{Db, FromRow, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

pub struct CampaignRow {
    pub id: String,
    /// Empty once the campaign is purged.
    pub secret: Vec<u8>,
    pub purged_at: Option<String>,
}

impl FromRow for CampaignRow {
    fn from_row(r: &Row) -> Result<CampaignRow> {
        Ok(CampaignRow {
            id: r.text("id")?,
            secret: r.bytes("secret")?,
            purged_at: r.opt_text("purged_at")?,
        })
    }
}

pub fn insert_campaign(db: &mut dyn Db, id: &str, secret: &[u8], at: &str) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO campaign (id, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        &[id.into(), secret.into(), at.into()],
    )? == 1)
}

pub fn campaign(db: &mut dyn Db, id: &str) -> Result<Option<CampaignRow>> {
    first(db.query_opt(
        "SELECT id, secret, purged_at FROM campaign WHERE id = $1",
        &[id.into()],
    )?)
}

pub fn campaign_ids(db: &mut dyn Db) -> Result<Vec<String>> {
    db.query("SELECT id FROM campaign ORDER BY created_at, id", &[])?
        .iter()
        .map(|r| r.text("id"))
        .collect()
}

pub struct PolicyRow {
    pub campaign_id: String,
    pub version: String,
    pub toml: String,
    pub signature: String,
}

impl FromRow for PolicyRow {
    fn from_row(r: &Row) -> Result<PolicyRow> {
        Ok(PolicyRow {
            campaign_id: r.text("campaign_id")?,
            version: r.text("version")?,
            toml: r.text("toml")?,
            signature: r.text("signature")?,
        })
    }
}

pub fn insert_policy(db: &mut dyn Db, p: &PolicyRow, at: &str) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO campaign_policy (campaign_id, version, toml, signature, published_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (campaign_id, version) DO NOTHING",
        &[(&p.campaign_id).into(), (&p.version).into(), (&p.toml).into(), (&p.signature).into(), at.into()],
    )? == 1)
}

/// The policy published last for a campaign.
pub fn current_policy(db: &mut dyn Db, campaign_id: &str) -> Result<Option<PolicyRow>> {
    first(db.query_opt(
        "SELECT campaign_id, version, toml, signature FROM campaign_policy WHERE campaign_id = $1 ORDER BY id DESC LIMIT 1",
        &[campaign_id.into()],
    )?)
}
