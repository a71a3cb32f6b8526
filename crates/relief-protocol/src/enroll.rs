//! `POST /v1/enroll`: a terminal redeems a one-time code for its identity.

use relief_core::SiteType;
use serde::{Deserialize, Serialize};

use crate::policy::SignedPolicy;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    pub code: String,
}

/// The site a code was made for, as the ledger knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteInfo {
    pub code: String,
    pub name: String,
    pub site_type: SiteType,
    pub sigungu: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollResponse {
    pub terminal_id: String,
    /// Bearer token for every later request; the ledger keeps only its hash.
    pub token: String,
    pub site: SiteInfo,
    /// The HMAC key for beneficiary keys, hex.
    pub campaign_secret: String,
    pub policy: SignedPolicy,
    /// The ledger's Ed25519 public key, hex.
    pub ledger_key: String,
}
