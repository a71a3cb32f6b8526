//! The terminal's store of record, in SQLite.
//!
//! A card handed over the counter is money. Every write here is one
//! transaction that records the change, its outbox event for the ledger and
//! its audit entry together, or nothing at all. The invariants that keep
//! money safe (one active issuance per beneficiary, one per card, cards
//! issued only from stock, history never rewritten) are held by the
//! database's own constraints and triggers; the checks in this crate come
//! first only to give the clerk a clear answer.
//!
//! No plain identity number is ever stored: beneficiaries are known by
//! their keyed hash and shown by their masked form. And the file itself is
//! encrypted (SQLCipher), its key sealed per supervisor in a key file.

mod activation;
mod audit;
mod clerk;
mod close;
mod conflict;
mod deny;
mod encrypt;
mod error;
mod issue;
mod keys;
mod offline_approval;
mod opening;
mod outbox;
mod purge;
mod query;
mod roll;
mod schema;
mod shift;
mod snapshot;
mod stock;
mod stock_day;
mod sync;
mod terminal;
mod time;
mod visit;
mod void;

pub use activation::ActivationCounts;
pub use audit::{AuditFinding, AuditReport};
pub use clerk::{
    ClerkInfo, LOCKOUT_AFTER, LOCKOUT_MINUTES, NewClerk, PIN_DIGITS, Role, SUPERVISOR_PIN_DIGITS,
    Session,
};
pub use close::{ClosePlan, DayClose, DayClosed, DrawerCount, FaceCount, Reopening, UnsentEvent};
pub use conflict::ConflictRecord;
pub use deny::{DenyEntry, Paid};
pub use error::{Error, Result, StoreCode};
pub use issue::{
    Applicant, BeneficiaryRequest, IssueRequest, Issued, IssuedCard, LISTED_MEMBER, RollException,
    RollStanding, Verification, Who,
};
pub use keys::{DataKey, RecoveryCode};
pub use offline_approval::OfflineApproval;
pub use opening::Unlock;
pub use outbox::OutboxEvent;
pub use purge::Purged;
pub use query::{BeneficiaryRecord, CardRecord, IssuanceRecord, VoidRecord};
pub use roll::{RollApplied, RollCopy, RollDownload, RollPerson};
pub use schema::SCHEMA_VERSION;
pub use shift::Shift;
pub use stock::{Adjustment, BatchReceived, CardState, FaceValueStock, SerialSpec, StockSummary};
pub use stock_day::FaceValueMoves;
pub use sync::{DenyUpdate, Enrollment, PaidAt, PullBatch, SyncStatus};
pub use terminal::{SiteProfile, TerminalSetup};
pub use visit::VISIT_MINUTES;
pub use void::{CardDisposition, Voided};

use relief_core::identity::{BeneficiaryKey, CampaignSecret, IdentityNumber};
use relief_core::policy::Policy;
use rusqlite::Connection;

/// A fresh campaign secret, for a demo terminal or a ledger creating a
/// campaign: 32 bytes from the operating system's random source.
pub fn generate_secret() -> CampaignSecret {
    use password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = vec![0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    CampaignSecret::from_bytes(bytes).expect("32 bytes is long enough")
}

/// An open terminal store. One per process; writes take `&mut self`.
///
/// The database is encrypted; see [`Store::open`] and [`Unlock`].
pub struct Store {
    conn: Connection,
    site: SiteProfile,
    policy: Policy,
    secret: CampaignSecret,
    keys: opening::Keys,
    fresh_recovery_code: Option<RecoveryCode>,
}

impl Store {
    pub fn site(&self) -> &SiteProfile {
        &self.site
    }

    /// The campaign policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// How many issuances this terminal has recorded, voided ones included.
    pub fn issuance_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM issuance", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// The beneficiary key of an identity number under this campaign's
    /// secret (which never leaves the store).
    pub fn beneficiary_key(&self, id: &IdentityNumber) -> BeneficiaryKey {
        id.beneficiary_key(&self.secret)
    }
}
