//! `GET /v1/pull?cursor=N&limit=M`: what changed at the ledger after a
//! cursor, for this terminal: keys paid elsewhere in its 시군 (and keys
//! released by voids), conflicts it is part of, and a newer policy.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::claim::PaidRecord;
use crate::policy::SignedPolicy;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    pub deny: Vec<DenyChange>,
    pub conflicts: Vec<ConflictView>,
    /// The campaign's policy, when it is newer than the one the terminal
    /// reported (`policy_version` query parameter).
    pub policy: Option<SignedPolicy>,
    /// Ask again from here.
    pub next_cursor: u64,
    /// More changes wait beyond this page.
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case", deny_unknown_fields)]
pub enum DenyChange {
    Paid {
        key: String,
        paid: PaidRecord,
    },
    /// The payment was voided: the person may be served again.
    Released {
        key: String,
    },
}

/// One side of a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRef {
    pub issuance_id: Option<String>,
    pub terminal_id: Option<String>,
    pub paid: PaidRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictStatus {
    Open,
    /// One of the issuances was voided.
    ResolvedByVoid,
    /// Both stand, accepted with a note.
    Accepted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictView {
    pub id: String,
    pub beneficiary_key: String,
    /// The payment recorded first, which stands.
    pub standing: PaymentRef,
    /// The later one.
    pub other: PaymentRef,
    pub detected_at: NaiveDateTime,
    pub status: ConflictStatus,
    pub note: Option<String>,
}
