//! One person, one payment: what a person is in a campaign, worked out
//! from everything recorded about them (payments, voids, claims, visit
//! ends, acceptances) by one function, [`Rows::settle`], which every path
//! that writes about a person calls afterwards, in the same transaction.
//! No path edits a person's state by itself.

mod settle;
mod state;

pub use settle::{Person, conflict_id, first_payment, settle, write};
pub use state::{Conflict, DenyView, EntitlementState, Payer, Payment, Rows, Settled};
