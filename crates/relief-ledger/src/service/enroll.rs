//! Enrollment: an admin makes a one-time code for a site; a terminal
//! redeems it once for its id, token, the campaign secret and the signed
//! policy.

use chrono::Duration;
use relief_core::Sigungu;
use relief_protocol::{EnrollResponse, SiteInfo};
use uuid::Uuid;

use super::{Ledger, Result, ServiceError, random_bytes, token_hash, ts};
use crate::storage::{Storage, queries};

/// How long a code may wait to be redeemed.
pub const CODE_VALID_DAYS: i64 = 7;

/// Letters and digits nobody misreads on a phone call: no 0/O, 1/I/L.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// `7KQ2-M9XD-3PHT`: what an admin reads out and a clerk types.
fn new_code() -> String {
    let bytes = random_bytes::<12>();
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Codes match however they were typed: case, dashes and spaces aside.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct EnrollmentCode {
    pub code: String,
    pub expires_at: chrono::NaiveDateTime,
    /// For the terminal's operator to compare with what their screen shows.
    pub ledger_key_fingerprint: String,
}

impl<S: Storage> Ledger<S> {
    pub fn create_enrollment_code(
        &self,
        site: &SiteInfo,
        campaign_id: Option<&str>,
    ) -> Result<EnrollmentCode> {
        let sigungu: Sigungu =
            site.sigungu
                .parse()
                .map_err(|e: relief_core::region::InvalidSigunguCode| {
                    ServiceError::bad("invalid_site", e.to_string())
                })?;
        for (field, value) in [("site.code", &site.code), ("site.name", &site.name)] {
            if value.trim().is_empty() {
                return Err(ServiceError::bad(
                    "invalid_site",
                    format!("{field}이(가) 비어 있습니다"),
                ));
            }
        }
        let code = new_code();
        let now = self.now();
        let expires_at = now + Duration::days(CODE_VALID_DAYS);
        self.storage.transaction(|db| -> Result<()> {
            let campaign_id = Self::campaign_or_only(db, campaign_id)?;
            if let Some(campaign) = queries::campaign(db, &campaign_id)? {
                super::purge::require_unpurged(&campaign)?;
            }
            let (_, policy) = self.current_policy(db, &campaign_id)?;
            if !policy.covers(sigungu) {
                return Err(ServiceError::bad(
                    "invalid_site",
                    format!("캠페인 {campaign_id}에 없는 시군입니다: {sigungu}"),
                ));
            }
            queries::insert_enrollment_code(
                db,
                &token_hash(&normalise(&code)),
                &campaign_id,
                &queries::SiteRow {
                    code: site.code.trim().to_owned(),
                    name: site.name.trim().to_owned(),
                    site_type: site.site_type,
                    sigungu: sigungu.to_string(),
                },
                &ts(now),
                &ts(expires_at),
            )?;
            Ok(())
        })?;
        Ok(EnrollmentCode {
            code,
            expires_at,
            ledger_key_fingerprint: self.ledger_key().fingerprint(),
        })
    }

    /// Redeems a code, once.
    pub fn enroll(&self, code: &str) -> Result<EnrollResponse> {
        let terminal_id = Uuid::now_v7().to_string();
        let token = hex::encode(random_bytes::<32>().as_ref());
        let now = ts(self.now());
        let response = self.storage.transaction(|db| -> Result<EnrollResponse> {
            let queries::RedeemedCode { campaign_id, site } = queries::redeem_enrollment_code(
                db,
                &token_hash(&normalise(code)),
                &now,
                &terminal_id,
            )?
            .ok_or(ServiceError::Conflict {
                code: "enrollment_code_invalid",
                message: "등록 코드가 없거나 이미 쓰였거나 만료되었습니다".into(),
            })?;
            let terminal = queries::TerminalRow {
                id: terminal_id.clone(),
                campaign_id: campaign_id.clone(),
                site_code: site.code.clone(),
                site_name: site.name.clone(),
                site_type: site.site_type,
                sigungu: site.sigungu.clone(),
                next_seq: 1,
            };
            queries::insert_terminal(db, &terminal, &token_hash(&token), &now)?;
            let campaign = queries::campaign(db, &campaign_id)?.ok_or_else(|| {
                ServiceError::NotFound(format!("캠페인 {campaign_id}이(가) 없습니다"))
            })?;
            super::purge::require_unpurged(&campaign)?;
            let (policy, _) = self.current_policy(db, &campaign_id)?;
            Ok(EnrollResponse {
                terminal_id: terminal_id.clone(),
                token: token.clone(),
                site: SiteInfo {
                    code: site.code,
                    name: site.name,
                    site_type: site.site_type,
                    sigungu: site.sigungu,
                },
                campaign_secret: hex::encode(&campaign.secret),
                policy,
                ledger_key: self.ledger_key().to_hex(),
            })
        })?;
        self.metrics.enrollments.inc();
        tracing::info!(terminal = %response.terminal_id, site = %response.site.code, "terminal enrolled");
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_forgiving() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert!(
            code.chars()
                .all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8)))
        );
        assert_eq!(
            normalise(&code.to_lowercase().replace('-', " ")),
            normalise(&code)
        );
    }
}
