//! The purge of a campaign's personal data at the ledger, once the
//! policy's retention has passed (개인정보 보호법: destroyed when its
//! purpose ends).
//!
//! The ledger holds no names or numbers, only what a number can be traced
//! by: the beneficiary keys (keyed hashes of 주민등록번호), the roll
//! (keys, masked numbers, keyed household tokens) and the campaign's
//! secret that makes the keys testable. The purge replaces every key by a
//! random one, the same for one person everywhere, deletes the roll and
//! the secret, and rewrites the tables so no old copy stays in the files.
//! Issuances, payments, voids, conflicts and cards stay: every count a
//! report needs still adds up.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::{Ledger, Result, ServiceError, ts};
use crate::storage::Storage;
use crate::storage::queries::{self, CampaignRow, PURGED_TABLES, PurgeCounts};

/// What a purge did, for the operator and the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerPurged {
    pub campaign_id: String,
    pub purged_at: NaiveDateTime,
    #[serde(flatten)]
    pub counts: PurgeCounts,
}

/// Refuses what would need the personal data of a purged campaign.
pub(crate) fn require_unpurged(campaign: &CampaignRow) -> Result<()> {
    match &campaign.purged_at {
        None => Ok(()),
        Some(at) => Err(purged(&campaign.id, at)),
    }
}

pub(crate) fn purged(campaign: &str, at: &str) -> ServiceError {
    ServiceError::Conflict {
        code: "campaign_purged",
        message: format!(
            "캠페인 {campaign}의 개인정보는 {at}에 파기되었습니다: 더 받거나 내줄 수 없습니다"
        ),
    }
}

impl<S: Storage> Ledger<S> {
    /// The last day the campaign's personal data is kept.
    pub fn personal_data_kept_until(&self, campaign: Option<&str>) -> Result<NaiveDate> {
        self.storage.read(|db| -> Result<NaiveDate> {
            let id = Self::campaign_or_only(db, campaign)?;
            let (_, policy) = self.current_policy(db, &id)?;
            Ok(policy.campaign.personal_data_kept_until())
        })
    }

    /// Purges the campaign's personal data: refused before the policy's
    /// retention has ended, and a second time.
    pub fn purge(&self, campaign: Option<&str>) -> Result<LedgerPurged> {
        let at = self.now();
        let (campaign_id, counts) = self.storage.transaction(|db| -> Result<_> {
            let id = Self::campaign_or_only(db, campaign)?;
            let row = queries::campaign(db, &id)?
                .ok_or_else(|| ServiceError::NotFound(format!("캠페인 {id}이(가) 없습니다")))?;
            require_unpurged(&row)?;
            let (_, policy) = self.current_policy(db, &id)?;
            let until = policy.campaign.personal_data_kept_until();
            if at.date() <= until {
                return Err(ServiceError::Conflict {
                    code: "purge_too_early",
                    message: format!(
                        "캠페인 {id}의 개인정보는 {until}까지 보관합니다: 그 뒤에 파기하세요"
                    ),
                });
            }
            let counts = queries::purge_campaign(db, &id, &ts(at))?;
            Ok((id, counts))
        })?;
        self.storage.reclaim(PURGED_TABLES)?;
        tracing::warn!(
            campaign = %campaign_id,
            people = counts.people,
            roll_people = counts.roll_people,
            "personal data purged"
        );
        Ok(LedgerPurged {
            campaign_id,
            purged_at: at,
            counts,
        })
    }
}
