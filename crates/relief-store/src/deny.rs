//! Has this beneficiary been paid? Here (an active issuance in this store)
//! or elsewhere (the deny-list the ledger sends: other terminals, the online
//! channel).

use relief_core::Channel;
use relief_core::identity::BeneficiaryKey;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::error::Result;
use crate::{Store, time};

/// A beneficiary key paid somewhere else, as the ledger reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DenyEntry {
    pub key: BeneficiaryKey,
    pub channel: Channel,
    pub site: String,
    pub paid_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "where", rename_all = "snake_case")]
pub enum Paid {
    Here {
        issuance_id: String,
        issued_at: chrono::NaiveDateTime,
        masked: String,
    },
    Elsewhere {
        channel: Channel,
        site: String,
        paid_at: String,
    },
}

impl Store {
    /// The duplicate check: local active issuances first, then the deny-list.
    pub fn paid(&self, key: &BeneficiaryKey) -> Result<Option<Paid>> {
        paid(&self.conn, &self.policy.campaign.id, key)
    }

    /// Adds keys paid elsewhere; a key already listed keeps its first entry.
    /// Returns how many were new.
    pub fn add_to_deny_list<'a>(
        &mut self,
        entries: impl IntoIterator<Item = &'a DenyEntry>,
    ) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut added = 0;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO deny_list (beneficiary_key, channel, site, paid_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for entry in entries {
                added += insert.execute(params![
                    entry.key.as_bytes().as_slice(),
                    entry.channel,
                    entry.site,
                    entry.paid_at
                ])?;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// What the deny-list says of one key: the ledger's word only, not
    /// this terminal's own issuances.
    pub fn deny_entry(&self, key: &BeneficiaryKey) -> Result<Option<DenyEntry>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT channel, site, paid_at FROM deny_list WHERE beneficiary_key = ?1",
            )?
            .query_row(params![key.as_bytes().as_slice()], |r| {
                Ok(DenyEntry {
                    key: *key,
                    channel: r.get(0)?,
                    site: r.get(1)?,
                    paid_at: r.get(2)?,
                })
            })
            .optional()?)
    }

    pub fn deny_list_len(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM deny_list", [], |r| r.get::<_, i64>(0))?
            as u64)
    }
}

pub(crate) fn paid(
    conn: &Connection,
    campaign: &str,
    key: &BeneficiaryKey,
) -> Result<Option<Paid>> {
    let here: Option<(String, String, String)> = conn
        .prepare_cached(
            "SELECT b.issuance_id, i.issued_at, b.masked
             FROM issuance_beneficiary b JOIN issuance i ON i.id = b.issuance_id
             WHERE b.campaign_id = ?1 AND b.beneficiary_key = ?2
               AND NOT EXISTS (SELECT 1 FROM void v WHERE v.issuance_id = b.issuance_id)
             LIMIT 1",
        )?
        .query_row(params![campaign, key.as_bytes().as_slice()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    if let Some((issuance_id, issued_at, masked)) = here {
        return Ok(Some(Paid::Here {
            issuance_id,
            issued_at: time::parse(&issued_at)?,
            masked,
        }));
    }
    let elsewhere = conn
        .prepare_cached("SELECT channel, site, paid_at FROM deny_list WHERE beneficiary_key = ?1")?
        .query_row(params![key.as_bytes().as_slice()], |r| {
            Ok(Paid::Elsewhere {
                channel: r.get(0)?,
                site: r.get(1)?,
                paid_at: r.get(2)?,
            })
        })
        .optional()?;
    Ok(elsewhere)
}
