//! `POST /v1/claims`: before the card is handed over, the terminal claims
//! each beneficiary; exactly one claim for a key wins.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// Beneficiary keys, hex.
    pub keys: Vec<String>,
}

/// `POST /v1/claims/release`: the visit ended without an issuance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseRequest {
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimResponse {
    /// One per key, in the order asked.
    pub results: Vec<ClaimResult>,
}

/// Where and when someone was paid (or is being paid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaidRecord {
    /// `center`, `nh` or `online`
    pub channel: String,
    pub site: String,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClaimResult {
    /// Held for this terminal until `expires_at`; the push of the issuance
    /// makes it a payment.
    Granted {
        key: String,
        expires_at: NaiveDateTime,
    },
    /// Paid already: refuse, and say where.
    AlreadyPaid { key: String, paid: PaidRecord },
    /// Another counter holds a live claim: the person is being served there.
    ClaimedElsewhere { key: String, paid: PaidRecord },
}
