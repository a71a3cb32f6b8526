//! A card carries money only once the ledger says so. What the card issuer
//! reads (`GET /v1/activations?cursor=N&limit=M`) and confirms (`POST
//! /v1/activations/ack`), and what each terminal is told of its own cards
//! (in its pull).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// The most instructions one page, or acknowledgements one request, carries.
pub const MAX_ACTIVATION_LIMIT: u32 = 20_000;

relief_core::closed_set! {
    /// A card's activation, as a supervisor names it.
    pub enum CardActivation as "카드 사용 상태" {
        /// Handed over; the ledger has not decided yet (not pushed, or
        /// pushed and not pulled back).
        Waiting => "확인 후 사용 가능",
        /// The ledger accepted the payment: the card issuer is to load and
        /// activate the card.
        ToActivate => "사용 등록 중",
        /// The payment is in an open conflict: the card stays empty until
        /// a supervisor decides.
        Held => "보류 (이중 지급 확인 중)",
        /// Voided, or the losing side of a conflict resolved by a void:
        /// the card never carries money.
        Blocked => "사용 정지",
        /// The card issuer confirmed it: the card can be spent.
        Active => "사용 가능",
    }
}

relief_core::closed_set! {
    /// What the card issuer is asked to do with a card.
    pub enum IssuerAction as "카드사 처리" {
        /// Load the amount and activate the card.
        Activate => "충전 후 사용 등록",
        /// Block the card for good (loaded or not).
        Block => "사용 정지",
    }
}

/// One thing to do: the card's latest instruction, not yet confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instruction {
    /// Its place in the feed: ask from here.
    pub id: u64,
    pub serial: String,
    pub action: IssuerAction,
    /// What to load, for `activate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_krw: Option<u64>,
    /// The most the card holds, as the counter's stock said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_value_krw: Option<u64>,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivationPage {
    pub instructions: Vec<Instruction>,
    /// Ask again from here.
    pub next_cursor: u64,
    /// More instructions wait beyond this page.
    pub more: bool,
}

/// The issuer did what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    pub serial: String,
    pub action: IssuerAction,
    /// What was loaded, for `activate`: it must be what was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_krw: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    pub acks: Vec<Ack>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AckOutcome {
    /// Recorded now.
    Recorded,
    /// Recorded before: nothing changed.
    Already,
    /// Not recorded: the card is unknown, or was not to be done so.
    Refused { reason: String, message: String },
}

/// (A response: `flatten` and `deny_unknown_fields` do not go together.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckResult {
    pub serial: String,
    #[serde(flatten)]
    pub outcome: AckOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckResponse {
    pub results: Vec<AckResult>,
}

/// What became of one of the terminal's cards, in its pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardChange {
    pub serial: String,
    pub activation: CardActivation,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ack_result_reads_back_what_it_writes() {
        for outcome in [
            AckOutcome::Recorded,
            AckOutcome::Already,
            AckOutcome::Refused {
                reason: "unknown_card".into(),
                message: "원장에 없는 카드입니다".into(),
            },
        ] {
            let result = AckResult {
                serial: "GG-0001".into(),
                outcome,
            };
            let json = serde_json::to_string(&result).unwrap();
            assert_eq!(serde_json::from_str::<AckResult>(&json).unwrap(), result);
        }
        assert_eq!(
            serde_json::to_string(&AckResult {
                serial: "GG-0001".into(),
                outcome: AckOutcome::Recorded
            })
            .unwrap(),
            r#"{"serial":"GG-0001","outcome":"recorded"}"#
        );
    }
}
