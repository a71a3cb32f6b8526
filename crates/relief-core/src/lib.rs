//! The rules of a disaster-relief campaign as the counter applies them.
//!
//! Everything here is a pure function over plain data: no I/O, no clock (the
//! date and time are arguments), no async. The campaign's particulars live in
//! a [`policy::Policy`] read from TOML; this crate knows only the shapes
//! such rules take.
//!
//! - [`eligibility::check`]: may this visitor be served here now, why not,
//!   and on which days instead;
//! - [`identity`]: 주민등록번호 parsing, masking and the beneficiary key;
//! - [`amount`] and [`card`]: how much, by source, and onto which cards;
//! - [`proxy`]: who may collect for whom.

// So that what `closed_set!` derives names this crate the same way from
// inside it as from outside.
extern crate self as relief_core;

pub mod amount;
pub mod card;
mod closed_set;
pub mod eligibility;
pub mod household;
pub mod identity;
pub mod ko;
pub mod money;
pub mod policy;
pub mod proxy;
pub mod region;
pub mod roll;
pub mod site;

pub use closed_set::{Labelled, UnknownCode};
pub use household::HouseholdSize;
pub use money::Krw;
pub use region::Sigungu;
pub use site::{Channel, Site, SiteType};

#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "rusqlite")]
    pub use rusqlite;
    #[cfg(feature = "ts")]
    pub use ts_rs;
}
