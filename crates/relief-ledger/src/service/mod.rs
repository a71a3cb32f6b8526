//! The ledger's rules, over any [`Storage`]. Every operation is one
//! transaction; the HTTP layer only translates.

mod activations;
mod claim;
mod csv_rows;
mod enroll;
mod import;
mod pull;
mod purge;
mod push;
mod roll;
mod roll_download;
mod summary;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use ed25519_dalek::SigningKey;
use relief_core::identity::BeneficiaryKey;
use relief_core::policy::{Policy, builtin};
use relief_protocol::{LedgerKey, SignedPolicy};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub use enroll::EnrollmentCode;
pub use import::ImportReport;
pub use pull::view as conflict_view;
pub use purge::LedgerPurged;
pub use push::Pushed;
pub use roll::{ROLL_COLUMNS, RollImport};
pub use summary::{CardCounts, DaySummary, SiteDay};

use crate::metrics::Metrics;
use crate::storage::{Db, Storage, StorageError, queries};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("인증이 필요합니다")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("저장소 오류: {0}")]
    Storage(#[from] StorageError),
}

impl ServiceError {
    pub fn bad(code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::BadRequest {
            code,
            message: message.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, ServiceError>;

relief_core::closed_set! {
    /// Who an operator's token is for.
    pub enum Role as "권한" {
        /// Runs the ledger: enrollment codes, policies, imports, summaries.
        Admin => "관리자",
        /// Loads, activates and blocks cards as the ledger says.
        CardIssuer => "카드사",
    }
}

/// Local time at the ledger; replaceable in tests.
pub type Clock = Arc<dyn Fn() -> NaiveDateTime + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Local::now().naive_local())
}

/// `YYYY-MM-DDTHH:MM:SS`, on every row a push writes.
pub(crate) fn ts(at: NaiveDateTime) -> String {
    relief_protocol::time::format(at)
}

/// Reads back what [`ts`] wrote. Anything else in a time column is a
/// corrupt row, not the epoch.
pub(crate) fn parse_ts(text: &str) -> std::result::Result<NaiveDateTime, StorageError> {
    relief_protocol::time::parse(text).ok_or_else(|| {
        StorageError::Corrupt(format!(
            "시각이 YYYY-MM-DDTHH:MM:SS 꼴이 아닙니다: {text:?}"
        ))
    })
}

pub(crate) fn random_bytes<const N: usize>() -> Zeroizing<[u8; N]> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(bytes.as_mut()).expect("the operating system's random source works");
    bytes
}

/// Tokens and codes are kept only as their SHA-256: high-entropy secrets
/// need no slow hash.
pub(crate) fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.trim().as_bytes()).into()
}

pub(crate) fn key_from_hex(text: &str) -> Result<BeneficiaryKey> {
    BeneficiaryKey::from_hex(text).map_err(|_| {
        ServiceError::bad(
            "invalid_key",
            format!("수급자 키는 16진수 64자입니다: {text:?}"),
        )
    })
}

pub struct Ledger<S> {
    storage: S,
    signing: SigningKey,
    pub metrics: Metrics,
    clock: Clock,
    /// The policy in force by campaign, as last read.
    policies: Mutex<HashMap<String, CachedPolicy>>,
}

impl<S: Storage> Ledger<S> {
    /// Opens the ledger: its signing key is made on first start, and a
    /// ledger with no campaign gets the embedded 경기도 2020 one.
    pub fn new(storage: S, clock: Clock) -> Result<Ledger<S>> {
        let signing = storage.transaction(|db| -> Result<SigningKey> {
            if queries::signing_key(db)?.is_none() {
                queries::insert_signing_key(db, random_bytes::<32>().as_ref())?;
            }
            let bytes = queries::signing_key(db)?.expect("just made");
            let bytes: [u8; 32] = bytes
                .try_into()
                .map_err(|_| StorageError::Corrupt("서명 키 길이가 32바이트가 아닙니다".into()))?;
            Ok(SigningKey::from_bytes(&bytes))
        })?;
        let ledger = Ledger {
            storage,
            signing,
            metrics: Metrics::default(),
            clock,
            policies: Mutex::new(HashMap::new()),
        };
        let empty = ledger
            .storage
            .transaction(|db| -> Result<bool> { Ok(queries::campaign_ids(db)?.is_empty()) })?;
        if empty {
            ledger.publish_policy(builtin::GYEONGGI_2020)?;
        }
        Ok(ledger)
    }

    pub fn now(&self) -> NaiveDateTime {
        (self.clock)()
    }

    pub fn storage(&self) -> &S {
        &self.storage
    }

    pub fn ledger_key(&self) -> LedgerKey {
        LedgerKey::of(&self.signing)
    }

    /// A new admin token; only its hash is kept.
    pub fn create_admin_token(&self) -> Result<String> {
        self.create_token(Role::Admin)
    }

    /// A new token for `role`; only its hash is kept.
    pub fn create_token(&self, role: Role) -> Result<String> {
        let token = hex::encode(random_bytes::<32>().as_ref());
        let at = ts(self.now());
        self.storage.transaction(|db| -> Result<()> {
            queries::insert_admin_token(db, &token_hash(&token), role.code(), &at)?;
            Ok(())
        })?;
        Ok(token)
    }

    /// Whose token it is: an operator's role, or nobody's.
    pub fn role_of(&self, token: &str) -> Result<Option<Role>> {
        self.storage.read(|db| -> Result<Option<Role>> {
            queries::token_role(db, &token_hash(token))?
                .map(|role| {
                    role.parse()
                        .map_err(|_| crate::storage::column_error("role", &role).into())
                })
                .transpose()
        })
    }

    pub fn is_admin(&self, token: &str) -> Result<bool> {
        Ok(self.role_of(token)? == Some(Role::Admin))
    }

    /// Publishes a policy, signed: a new campaign (with a new secret), or a
    /// new version of one. The same version twice is refused.
    pub fn publish_policy(&self, toml: &str) -> Result<SignedPolicy> {
        let policy = Policy::from_toml("published", toml)
            .map_err(|e| ServiceError::bad("invalid_policy", e.to_string()))?;
        let campaign = &policy.campaign;
        let signed = SignedPolicy::sign(&self.signing, &campaign.id, &campaign.version, toml);
        let at = ts(self.now());
        self.storage.transaction(|db| -> Result<()> {
            queries::insert_campaign(db, &campaign.id, random_bytes::<32>().as_ref(), &at)?;
            let fresh = queries::insert_policy(
                db,
                &queries::PolicyRow {
                    campaign_id: signed.campaign_id.clone(),
                    version: signed.version.clone(),
                    toml: signed.toml.clone(),
                    signature: signed.signature.clone(),
                },
                &at,
            )?;
            if !fresh {
                return Err(ServiceError::Conflict {
                    code: "policy_version_exists",
                    message: format!("{} {} 정책은 이미 있습니다", campaign.id, campaign.version),
                });
            }
            Ok(())
        })?;
        self.policies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&campaign.id);
        Ok(signed)
    }

    /// The terminal a bearer token belongs to.
    pub fn authenticate(&self, token: &str) -> Result<queries::TerminalRow> {
        self.storage
            .read(|db| -> Result<_> { Ok(queries::terminal_by_token(db, &token_hash(token))?) })?
            .ok_or(ServiceError::Unauthorized)
            .and_then(|(terminal, purged_at)| match purged_at {
                None => Ok(terminal),
                Some(at) => Err(purge::purged(&terminal.campaign_id, &at)),
            })
    }

    /// The campaign an operator named, or the only one there is: with
    /// several, one must be named (nothing goes into "the first" by
    /// accident).
    pub(crate) fn campaign_or_only(db: &mut dyn Db, named: Option<&str>) -> Result<String> {
        if let Some(id) = named {
            return Ok(id.to_owned());
        }
        let mut ids = queries::campaign_ids(db)?;
        match ids.len() {
            0 => Err(ServiceError::NotFound("캠페인이 없습니다".into())),
            1 => Ok(ids.remove(0)),
            _ => Err(ServiceError::bad(
                "campaign_required",
                format!(
                    "캠페인이 여럿입니다 ({}): 캠페인을 지정하세요",
                    ids.join(", ")
                ),
            )),
        }
    }

    /// The campaign an operator named, or the only one there is.
    pub fn campaign_named(&self, named: Option<&str>) -> Result<String> {
        self.storage.read(|db| Self::campaign_or_only(db, named))
    }

    /// The campaign's latest policy, signed and parsed: read again at most
    /// every [`POLICY_FRESH`] (pushes and pulls ask for it every time; the
    /// policy file is ten kilobytes), parsed once per version.
    pub(crate) fn current_policy(
        &self,
        db: &mut dyn Db,
        campaign_id: &str,
    ) -> Result<(SignedPolicy, Arc<Policy>)> {
        let mut cache = self.policies.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cached) = cache.get(campaign_id)
            && cached.read_at.elapsed() < POLICY_FRESH
        {
            return Ok((cached.signed.clone(), cached.policy.clone()));
        }
        let row = queries::current_policy(db, campaign_id)?.ok_or_else(|| {
            ServiceError::NotFound(format!("캠페인 {campaign_id}의 정책이 없습니다"))
        })?;
        let policy = match cache.get(campaign_id) {
            Some(cached) if cached.signed.version == row.version => cached.policy.clone(),
            _ => Arc::new(Policy::from_toml("ledger", &row.toml).map_err(|e| {
                StorageError::Corrupt(format!("저장된 정책이 올바르지 않습니다: {e}"))
            })?),
        };
        let signed = SignedPolicy {
            campaign_id: row.campaign_id,
            version: row.version,
            toml: row.toml,
            signature: row.signature,
        };
        cache.insert(
            campaign_id.to_owned(),
            CachedPolicy {
                signed: signed.clone(),
                policy: policy.clone(),
                read_at: std::time::Instant::now(),
            },
        );
        Ok((signed, policy))
    }
}

/// How long a policy read from the database is used before it is read
/// again: a version published by another ledger process takes effect here
/// within this (one published by this process, at once).
pub const POLICY_FRESH: std::time::Duration = std::time::Duration::from_secs(5);

struct CachedPolicy {
    signed: SignedPolicy,
    policy: Arc<Policy>,
    read_at: std::time::Instant,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_through_text() {
        let at = chrono::NaiveDate::from_ymd_opt(2020, 5, 18)
            .unwrap()
            .and_hms_opt(9, 5, 7)
            .unwrap();
        assert_eq!(ts(at), "2020-05-18T09:05:07");
        assert_eq!(parse_ts(&ts(at)).unwrap(), at);
    }

    #[test]
    fn a_time_that_does_not_parse_is_a_corrupt_row_not_the_epoch() {
        for bad in [
            "",
            "2020-05-18",
            "2020-13-18T09:05:07",
            "2020-05-18 09:05:07",
            "20x0-05-18T09:05:07",
            "2020-05-18T09:05:07Z",
        ] {
            match parse_ts(bad) {
                Err(StorageError::Corrupt(message)) => {
                    assert!(message.contains(&format!("{bad:?}")), "{message}")
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
