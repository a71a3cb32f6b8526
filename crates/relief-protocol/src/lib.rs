//! What a counter terminal and the central ledger say to each other.
//!
//! Every request and response of the ledger's HTTP API under [`API_PREFIX`]
//! is a type here, so the two sides cannot drift. Requests refuse unknown
//! fields: a terminal speaking a newer dialect is told so rather than
//! half-understood.

pub mod activation;
pub mod claim;
pub mod close;
pub mod enroll;
pub mod error;
pub mod event;
pub mod policy;
pub mod pull;
pub mod push;
pub mod roll;
pub mod time;

/// The version of this protocol, part of every path.
pub const API_PREFIX: &str = "/v1";

/// The most events one push may carry.
pub const MAX_PUSH_EVENTS: usize = 1_000;
/// The most keys one claim may carry (a large household, several times over).
pub const MAX_CLAIM_KEYS: usize = 64;
/// The most changes one pull page may carry.
pub const MAX_PULL_LIMIT: u32 = 50_000;
/// A header on a pull page with more after it: the cursor to ask from next
/// (the body's `next_cursor`, `ID-CHECK`), readable before the body, so
/// that a terminal can ask for the next page while it reads this one.
pub const PULL_MORE_FROM: &str = "relief-more-from";

pub use activation::{
    Ack, AckOutcome, AckRequest, AckResponse, AckResult, ActivationPage, CardActivation,
    CardChange, Instruction, IssuerAction, MAX_ACTIVATION_LIMIT,
};
pub use claim::{ClaimRequest, ClaimResponse, ClaimResult, PaidRecord};
pub use close::{DayClosedPayload, DayReopenedPayload, DrawerLine};
pub use enroll::{EnrollRequest, EnrollResponse, SiteInfo};
pub use error::ErrorBody;
pub use event::{
    BeneficiaryPaid, CardDisposition, CardLoaded, Event, EventBody, EventKind, IssuancePayload,
    Payload, Resolution, ResolutionPayload, Verification, VisitEndedPayload, VoidPayload,
};
pub use policy::{LedgerKey, SignatureError, SignedPolicy};
pub use pull::{
    ConflictStatus, ConflictView, DenyChange, FeedCursor, InvalidCursor, PaymentRef, PullResponse,
};
pub use push::{Outcome, PushRequest, PushResponse, Verdict, VerdictKind};
pub use roll::{
    InvalidRollCursor, MAX_ROLL_LIMIT, ROLL_MORE_FROM, RollCursor, RollMember, RollPage,
};
