//! The events a terminal's outbox holds and pushes: issuances, voids,
//! conflict resolutions, visit ends and day closes. The terminal's store writes them in this form.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

pub use crate::close::{DayClosedPayload, DayReopenedPayload};

relief_core::closed_set! {
    /// How an issuance was checked against the rest of the province.
    pub enum Verification {
        /// The ledger granted a claim for every beneficiary first.
        Online,
        /// The ledger could not be reached; checked at the next push.
        Offline,
    }
}

relief_core::closed_set! {
    /// What became of a voided issuance's cards.
    pub enum CardDisposition as "카드 처리" {
        /// Recovered unused: back in stock.
        Returned => "재고로 회수",
        /// Recovered and destroyed, or not recoverable.
        Destroyed => "폐기",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Gap-free per terminal, from 1.
    pub seq: u64,
    /// UUIDv7, unique across terminals.
    pub event_id: String,
    pub created_at: NaiveDateTime,
    pub body: EventBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum EventBody {
    Issuance(IssuancePayload),
    Void(VoidPayload),
    Resolution(ResolutionPayload),
    /// A visit that asked the ledger ended without a card.
    VisitEnded(VisitEndedPayload),
    /// A supervisor closed the counter's day.
    DayClosed(DayClosedPayload),
    /// A supervisor reopened a closed day.
    DayReopened(DayReopenedPayload),
}

relief_core::closed_set! {
    /// What an event is about: the tag of [`EventBody`], and the outbox's
    /// `kind` column.
    pub enum EventKind {
        Issuance,
        Void,
        Resolution,
        VisitEnded,
        DayClosed,
        DayReopened,
    }
}

/// A payload and the kind of event it is the body of: whoever stores a
/// payload apart from its kind cannot pair them wrongly.
pub trait Payload: Serialize + serde::de::DeserializeOwned {
    const KIND: EventKind;
}

impl Payload for IssuancePayload {
    const KIND: EventKind = EventKind::Issuance;
}
impl Payload for VoidPayload {
    const KIND: EventKind = EventKind::Void;
}
impl Payload for ResolutionPayload {
    const KIND: EventKind = EventKind::Resolution;
}
impl Payload for VisitEndedPayload {
    const KIND: EventKind = EventKind::VisitEnded;
}
impl Payload for DayClosedPayload {
    const KIND: EventKind = EventKind::DayClosed;
}
impl Payload for DayReopenedPayload {
    const KIND: EventKind = EventKind::DayReopened;
}

impl EventBody {
    pub fn kind(&self) -> EventKind {
        match self {
            EventBody::Issuance(_) => EventKind::Issuance,
            EventBody::Void(_) => EventKind::Void,
            EventBody::Resolution(_) => EventKind::Resolution,
            EventBody::VisitEnded(_) => EventKind::VisitEnded,
            EventBody::DayClosed(_) => EventKind::DayClosed,
            EventBody::DayReopened(_) => EventKind::DayReopened,
        }
    }

    /// Rebuilds a body from the kind and payload JSON the outbox stores.
    pub fn from_parts(kind: EventKind, payload: &str) -> Result<EventBody, serde_json::Error> {
        Ok(match kind {
            EventKind::Issuance => EventBody::Issuance(serde_json::from_str(payload)?),
            EventKind::Void => EventBody::Void(serde_json::from_str(payload)?),
            EventKind::Resolution => EventBody::Resolution(serde_json::from_str(payload)?),
            EventKind::VisitEnded => EventBody::VisitEnded(serde_json::from_str(payload)?),
            EventKind::DayClosed => EventBody::DayClosed(serde_json::from_str(payload)?),
            EventKind::DayReopened => EventBody::DayReopened(serde_json::from_str(payload)?),
        })
    }
}

/// What the ledger learns of an issuance: keys and amounts, no names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuancePayload {
    pub issuance_id: String,
    pub campaign_id: String,
    pub policy_version: String,
    pub site_code: String,
    pub clerk_id: String,
    pub issued_at: NaiveDateTime,
    pub verification: Verification,
    /// The visit whose claims this issuance ends (none for an offline
    /// issuance that never asked the ledger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<String>,
    pub beneficiaries: Vec<BeneficiaryPaid>,
    pub cards: Vec<CardLoaded>,
    pub total_krw: u64,
    /// The version of the resident roll that allowed it (none: the
    /// terminal had no roll, and the visitor's word was taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roll_version: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryPaid {
    /// HMAC-SHA256 beneficiary key, hex.
    pub key: String,
    /// A supervisor served them though the roll did not admit them, for
    /// this documented reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roll_exception: Option<relief_core::roll::RollOverride>,
    pub household_size: u8,
    pub sigungu: String,
    pub shares_krw: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardLoaded {
    pub serial: String,
    pub amount_krw: u64,
    /// The most the card holds, from the counter's stock (none from a
    /// terminal older than card activation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_value_krw: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoidPayload {
    pub void_id: String,
    pub issuance_id: String,
    pub voided_at: NaiveDateTime,
    pub voided_by: String,
    pub reason: String,
    pub card_disposition: CardDisposition,
}

/// A supervisor's answer to a conflict other than a void.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionPayload {
    pub resolution_id: String,
    pub conflict_id: String,
    pub resolution: Resolution,
    pub note: String,
    pub resolved_by: String,
    pub resolved_at: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Both payments stand, knowingly (with a note saying why).
    Accepted,
}

/// The end of a visit that asked the ledger and handed over no card: its
/// claims end, and a claim for it arriving late is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitEndedPayload {
    pub visit_id: String,
    pub ended_at: NaiveDateTime,
    /// Why, in words, for the ledger's logs.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_on_the_wire_stay_as_they_were() {
        assert_eq!(
            serde_json::to_string(&Verification::Offline).unwrap(),
            "\"offline\""
        );
        assert_eq!(
            serde_json::from_str::<CardDisposition>("\"destroyed\"").unwrap(),
            CardDisposition::Destroyed
        );
        assert!(serde_json::from_str::<Verification>("\"maybe\"").is_err());
    }
}
