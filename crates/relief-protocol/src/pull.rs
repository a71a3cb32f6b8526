//! `GET /v1/pull?cursor=N-C&limit=M`: what changed at the ledger after a
//! cursor, for this terminal: keys paid elsewhere in its 시군 (and keys
//! released by voids), conflicts it is part of, and a newer policy.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::claim::PaidRecord;
use crate::policy::SignedPolicy;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    pub deny: Vec<DenyChange>,
    pub conflicts: Vec<ConflictView>,
    /// What became of this terminal's own cards.
    #[serde(default)]
    pub cards: Vec<crate::activation::CardChange>,
    /// The campaign's policy, when it is newer than the one the terminal
    /// reported (`policy_version` query parameter).
    pub policy: Option<SignedPolicy>,
    /// Ask again from here.
    pub next_cursor: FeedCursor,
    /// More changes wait beyond this page.
    pub more: bool,
    /// The cursor asked from is not in the ledger's feed (the ledger was
    /// restored from an earlier copy): this page starts from the beginning,
    /// and the terminal's deny-list is to be rebuilt from it.
    pub reset: bool,
    /// The next event the ledger expects from this terminal. Below the
    /// terminal's own next one, the ledger has lost events it had
    /// acknowledged (a restore), and the terminal sends them again.
    pub next_seq: u64,
}

/// A place in the ledger's feed: the id of the last change seen, and that
/// change's check value, random per change. After a restore from an
/// earlier copy the same id may name another change; the check tells.
/// Written `ID-CHECK`; the beginning is `0-0`. A bare `ID` is read with
/// check 0, the check of every change written before checks were kept.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde_with::SerializeDisplay,
    serde_with::DeserializeFromStr,
)]
pub struct FeedCursor {
    pub id: u64,
    pub check: u64,
}

impl FeedCursor {
    pub const START: FeedCursor = FeedCursor { id: 0, check: 0 };
}

impl fmt::Display for FeedCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.id, self.check)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cursor는 숫자-숫자 형식입니다 (받은 값: {0:?})")]
pub struct InvalidCursor(pub String);

impl FromStr for FeedCursor {
    type Err = InvalidCursor;
    fn from_str(text: &str) -> Result<FeedCursor, InvalidCursor> {
        let bad = || InvalidCursor(text.to_owned());
        let (id, check) = text.trim().split_once('-').unwrap_or((text.trim(), "0"));
        Ok(FeedCursor {
            id: id.parse().map_err(|_| bad())?,
            check: check.parse().map_err(|_| bad())?,
        })
    }
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

relief_core::closed_set! {
    pub enum ConflictStatus as "충돌 상태" {
        /// Both payments stand and nobody has decided.
        Open => "처리 필요",
        /// One of the payments was voided.
        ResolvedByVoid => "취소로 해결",
        /// Both stand, accepted with a note.
        Accepted => "모두 인정",
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_writes() {
        let cursor = FeedCursor {
            id: 1_234,
            check: u64::MAX,
        };
        assert_eq!(cursor.to_string().parse::<FeedCursor>(), Ok(cursor));
        assert_eq!("0-0".parse::<FeedCursor>(), Ok(FeedCursor::START));
        assert_eq!("0".parse::<FeedCursor>(), Ok(FeedCursor::START));
        assert_eq!(
            "12".parse::<FeedCursor>(),
            Ok(FeedCursor { id: 12, check: 0 })
        );
        for bad in ["", "12-", "-3", "a-b", "1-2-3", "x"] {
            assert!(bad.parse::<FeedCursor>().is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::to_string(&cursor).unwrap(),
            format!("\"{cursor}\"")
        );
    }
}
