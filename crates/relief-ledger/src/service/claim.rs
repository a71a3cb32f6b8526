//! Claims: before a card is handed over, the terminal asks to hold each
//! beneficiary. Two counters claiming one key at once: the primary key of
//! `entitlement` lets exactly one insert win; the other is told where.

use chrono::Duration;
use relief_protocol::{
    ClaimRequest, ClaimResponse, ClaimResult, MAX_CLAIM_KEYS, PaidRecord, ReleaseRequest,
};

use super::{Ledger, Result, ServiceError, key_from_hex, parse_ts, ts};
use crate::metrics::Metrics;
use crate::storage::queries::{self, EntitlementRow, TerminalRow};
use crate::storage::{Db, Storage};

/// How long a granted claim holds without its issuance arriving.
pub const CLAIM_MINUTES: i64 = 15;

pub(crate) fn paid_record(e: &EntitlementRow) -> PaidRecord {
    PaidRecord {
        channel: e.channel.clone(),
        site: e.site.clone(),
        at: parse_ts(&e.at),
    }
}

impl<S: Storage> Ledger<S> {
    pub fn claim(&self, terminal: &TerminalRow, request: &ClaimRequest) -> Result<ClaimResponse> {
        if request.keys.is_empty() || request.keys.len() > MAX_CLAIM_KEYS {
            return Err(ServiceError::bad(
                "invalid_claim",
                format!(
                    "한 번에 1~{MAX_CLAIM_KEYS}명을 확인합니다 ({}명 요청)",
                    request.keys.len()
                ),
            ));
        }
        let keys = request
            .keys
            .iter()
            .map(|k| key_from_hex(k))
            .collect::<Result<Vec<_>>>()?;
        let now = self.now();
        let expires = ts(now + Duration::minutes(CLAIM_MINUTES));
        let now = ts(now);
        let results = self.storage.transaction(|db| -> Result<Vec<ClaimResult>> {
            keys.iter()
                .zip(&request.keys)
                .map(|(key, hex)| claim_one(db, terminal, key.as_bytes(), hex, &now, &expires))
                .collect()
        })?;
        for r in &results {
            let outcome = match r {
                ClaimResult::Granted { .. } => "granted",
                ClaimResult::AlreadyPaid { .. } => "already_paid",
                ClaimResult::ClaimedElsewhere { .. } => "claimed_elsewhere",
            };
            Metrics::count(&self.metrics.claims, outcome);
        }
        Ok(ClaimResponse { results })
    }

    /// Lets go of claims whose visit ended without an issuance.
    pub fn release(&self, terminal: &TerminalRow, request: &ReleaseRequest) -> Result<u64> {
        if request.keys.len() > MAX_CLAIM_KEYS {
            return Err(ServiceError::bad(
                "invalid_claim",
                "한 번에 놓을 수 있는 키가 너무 많습니다",
            ));
        }
        let keys = request
            .keys
            .iter()
            .map(|k| key_from_hex(k))
            .collect::<Result<Vec<_>>>()?;
        self.storage.transaction(|db| -> Result<u64> {
            let mut released = 0;
            for key in &keys {
                released += u64::from(queries::release_claim(
                    db,
                    &terminal.campaign_id,
                    key.as_bytes(),
                    &terminal.id,
                )?);
            }
            Ok(released)
        })
    }
}

fn claim_one(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    key: &[u8],
    hex: &str,
    now: &str,
    expires: &str,
) -> Result<ClaimResult> {
    let campaign = &terminal.campaign_id;
    let claim = EntitlementRow {
        state: "claimed".into(),
        terminal_id: Some(terminal.id.clone()),
        issuance_id: None,
        channel: terminal.site_type.clone(),
        site: terminal.site_name.clone(),
        sigungu: None,
        at: now.to_owned(),
        expires_at: Some(expires.to_owned()),
    };
    let granted = ClaimResult::Granted {
        key: hex.to_owned(),
        expires_at: parse_ts(expires),
    };
    if queries::insert_entitlement(db, campaign, key, &claim)? {
        return Ok(granted);
    }
    // Someone holds the key. Our own claim again (a retried request) or an
    // expired one is taken over; anything else is an answer for the clerk.
    if queries::take_over_claim(db, campaign, key, &terminal.id, now, &claim)? {
        return Ok(granted);
    }
    let existing =
        queries::entitlement(db, campaign, key)?.ok_or_else(|| ServiceError::Conflict {
            code: "claim_race",
            message: "다시 시도하세요".into(),
        })?;
    let paid = paid_record(&existing);
    Ok(if existing.state == "paid" {
        ClaimResult::AlreadyPaid {
            key: hex.to_owned(),
            paid,
        }
    } else {
        ClaimResult::ClaimedElsewhere {
            key: hex.to_owned(),
            paid,
        }
    })
}
