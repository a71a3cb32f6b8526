//! The ledger's signing key and the operators' tokens: who the ledger is,
//! and who may run it (an admin) or activate its cards (a card issuer).

use crate::storage::{Db, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

pub fn signing_key(db: &mut dyn Db) -> Result<Option<Vec<u8>>> {
    db.query_opt("SELECT signing_key FROM ledger_key WHERE id = 1", &[])?
        .map(|r| r.bytes("signing_key"))
        .transpose()
}

pub fn insert_signing_key(db: &mut dyn Db, key: &[u8]) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO ledger_key (id, signing_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        &[key.into()],
    )? == 1)
}

/// A token for `role` (`admin` or `card_issuer`), by its hash.
pub fn insert_admin_token(db: &mut dyn Db, hash: &[u8], role: &str, at: &str) -> Result<()> {
    db.exec(
        "INSERT INTO admin_token (token_hash, role, created_at) VALUES ($1, $2, $3)",
        &[hash.into(), role.into(), at.into()],
    )?;
    Ok(())
}

/// The role of the token with this hash, if there is one.
pub fn token_role(db: &mut dyn Db, hash: &[u8]) -> Result<Option<String>> {
    db.query_opt(
        "SELECT role FROM admin_token WHERE token_hash = $1",
        &[hash.into()],
    )?
    .map(|r| r.text("role"))
    .transpose()
}
