//! The central ledger: every counter's issuances and the online channel's
//! payments in one place, so that nobody is paid twice across centers, NH
//! branches and the web, and every terminal keeps working when the network
//! does not.
//!
//! `storage` keeps the records (SQLite or PostgreSQL), `service` holds the
//! rules, `http` translates requests, `cli` the command line.

pub mod card;
pub mod cli;
pub mod http;
pub mod metrics;
pub mod person;
pub mod run;
pub mod service;
pub mod storage;

pub use service::{Clock, Ledger, ServiceError, system_clock};
pub use storage::{AnyStorage, PostgresStorage, SqliteStorage, Storage, StorageError};
