//! The province's view of a day, counted per site.

use crate::storage::row::all;
use crate::storage::{Db, FromRow, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

pub struct SummaryRow {
    pub sigungu: String,
    pub site_code: String,
    pub site_name: String,
    pub issuances: i64,
    pub offline: i64,
    pub beneficiaries: i64,
    pub amount_krw: i64,
    pub voided: i64,
}

impl FromRow for SummaryRow {
    fn from_row(r: &Row) -> Result<SummaryRow> {
        Ok(SummaryRow {
            sigungu: r.text("sigungu")?,
            site_code: r.text("site_code")?,
            site_name: r.text("site_name")?,
            issuances: r.int("issuances")?,
            offline: r.int("offline")?,
            beneficiaries: r.int("beneficiaries")?,
            amount_krw: r.int("amount_krw")?,
            voided: r.int("voided")?,
        })
    }
}

pub fn day_summary(
    db: &mut dyn Db,
    campaign: &str,
    start: &str,
    end: &str,
) -> Result<Vec<SummaryRow>> {
    all(db.query(
        "SELECT t.sigungu, t.site_code, t.site_name,
                count(DISTINCT i.id) AS issuances,
                count(DISTINCT CASE WHEN i.verification = 'offline' THEN i.id END) AS offline,
                count(b.position) AS beneficiaries,
                CAST(coalesce(sum(b.amount_krw), 0) AS BIGINT) AS amount_krw,
                count(DISTINCT v.issuance_id) AS voided
         FROM issuance i
         JOIN terminal t ON t.id = i.terminal_id
         JOIN issuance_beneficiary b ON b.issuance_id = i.id
         LEFT JOIN void v ON v.issuance_id = i.id
         WHERE t.campaign_id = $1 AND i.issued_at >= $2 AND i.issued_at < $3
         GROUP BY t.sigungu, t.site_code, t.site_name
         ORDER BY t.sigungu, t.site_code",
        &[campaign.into(), start.into(), end.into()],
    )?)
}

/// How many conflicts were detected over a site's payments.
pub struct SiteConflicts {
    pub site_code: String,
    pub conflicts: i64,
}

impl FromRow for SiteConflicts {
    fn from_row(r: &Row) -> Result<SiteConflicts> {
        Ok(SiteConflicts {
            site_code: r.text("site_code")?,
            conflicts: r.int("conflicts")?,
        })
    }
}

pub fn conflicts_detected_between(
    db: &mut dyn Db,
    campaign: &str,
    start: &str,
    end: &str,
) -> Result<Vec<SiteConflicts>> {
    all(db.query(
        "SELECT t.site_code, count(*) AS conflicts FROM conflict c
         JOIN issuance i ON i.id = c.other_issuance_id JOIN terminal t ON t.id = i.terminal_id
         WHERE c.campaign_id = $1 AND c.detected_at >= $2 AND c.detected_at < $3 GROUP BY t.site_code",
        &[campaign.into(), start.into(), end.into()],
    )?)
}
