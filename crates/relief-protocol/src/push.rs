//! `POST /v1/push`: the outbox, in sequence order, in batches. The ledger is
//! idempotent on (terminal, seq): the same event again is acknowledged
//! again; a different event under a used sequence is refused loudly.

use serde::{Deserialize, Serialize};

use crate::claim::PaidRecord;
use crate::event::Event;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Must be the terminal the token belongs to.
    pub terminal_id: String,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    /// One per event the ledger took up, in order; it stops at the first
    /// event out of sequence.
    pub verdicts: Vec<Verdict>,
    /// The sequence number the ledger expects next from this terminal.
    pub next_seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    pub seq: u64,
    pub outcome: Outcome,
}

relief_core::closed_set! {
    /// What became of an event, as the terminal files it.
    pub enum VerdictKind {
        Accepted,
        Duplicate,
        Rejected,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    Accepted,
    /// Recorded, but a beneficiary was paid first elsewhere: a conflict for
    /// the supervisors of both sides.
    Duplicate {
        conflict_id: String,
        key: String,
        /// The issuance that stands, if it came from a counter.
        standing_issuance: Option<String>,
        first: PaidRecord,
    },
    /// Not recorded, and never will be as it is.
    Rejected {
        reason: String,
        message: String,
    },
}

impl Outcome {
    pub fn kind(&self) -> VerdictKind {
        match self {
            Outcome::Accepted => VerdictKind::Accepted,
            Outcome::Duplicate { .. } => VerdictKind::Duplicate,
            Outcome::Rejected { .. } => VerdictKind::Rejected,
        }
    }
}
