//! `POST /v1/claims`: before the card is handed over, the terminal claims
//! each beneficiary for one visit; exactly one visit holds a person.

use chrono::NaiveDateTime;
use relief_core::Channel;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The visit the claims belong to, made by the terminal (a UUIDv7):
    /// only that visit's issuance, or its end, lets go of them.
    pub visit_id: String,
    /// Beneficiary keys, hex.
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimResponse {
    /// One per key, in the order asked.
    pub results: Vec<ClaimResult>,
}

/// Where and when someone was paid (or is being served).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaidRecord {
    pub channel: Channel,
    pub site: String,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClaimResult {
    /// Held for this visit until its issuance arrives or the visit ends.
    /// `lease_until` is only when other counters start being told the
    /// person has been in service here a long time.
    Granted {
        key: String,
        lease_until: NaiveDateTime,
    },
    /// Paid already: refuse, and say where. `yours`: the payment that
    /// stands, or one in conflict with it, was made by the asking terminal.
    AlreadyPaid {
        key: String,
        paid: PaidRecord,
        yours: bool,
    },
    /// Another visit holds the person (`at` is when it began); `yours`: at
    /// the asking terminal itself.
    ClaimedElsewhere {
        key: String,
        paid: PaidRecord,
        yours: bool,
    },
}

impl ClaimResult {
    pub fn key(&self) -> &str {
        match self {
            ClaimResult::Granted { key, .. }
            | ClaimResult::AlreadyPaid { key, .. }
            | ClaimResult::ClaimedElsewhere { key, .. } => key,
        }
    }

    /// For logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            ClaimResult::Granted { .. } => "granted",
            ClaimResult::AlreadyPaid { .. } => "already_paid",
            ClaimResult::ClaimedElsewhere { .. } => "claimed_elsewhere",
        }
    }
}
