//! The terminal's side of sync: talking to the ledger over HTTP, and moving
//! what it says into the store. The network never holds the counter: the
//! store is locked only for the moments it is read or written, never while a
//! request is in flight.

mod client;
mod roll;
mod run;
pub mod visit;

pub use client::{Client, SyncError};
pub use roll::{ROLL_PAGE, RollProgress, RollReport, download_roll};
pub use run::{PullReport, PushReport, Retry, enroll, pull_all, push_now, push_pending, sync_once};
