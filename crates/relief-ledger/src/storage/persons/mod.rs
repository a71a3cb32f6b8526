//! The statements about people: their payments, claims, visit ends,
//! conflicts and acceptances (rows only ever added), and the entitlement
//! row that `person` works out from them. A file to each; re-exported
//! here, so that a caller names the statement, not the file it lives in.

mod claims;
mod conflicts;
mod entitlements;
mod payments;

pub use claims::{
    ClaimRow, NewVisitEnd, VisitClaim, VisitOutcome, claims_of_visit, end_visit, end_visits,
    insert_claim, live_claims, open_visits_of_terminal, visit_end,
};
pub use conflicts::{
    ConflictRow, Side, acceptance_note, conflict, conflicts_of, insert_acceptance, insert_conflict,
    set_conflict_status, void_reason,
};
pub use entitlements::{
    EntitlementRow, NewEntitlement, insert_entitlements, insert_or_lock_entitlements,
    lock_entitlement, update_entitlement,
};
pub use payments::{
    NewPayment, PaymentName, PaymentRow, insert_new_payments, insert_payment, insert_payments,
    payees_of_issuance, payments, set_payment_held,
};
