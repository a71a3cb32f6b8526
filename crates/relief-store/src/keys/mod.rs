//! The store's data key and where it is kept: nowhere in the clear.
//!
//! The database is encrypted (SQLCipher) under a random 32-byte data key.
//! The key file beside the database holds that key only wrapped, once per
//! supervisor under a key derived from their PIN, and once under the
//! recovery code printed at `relief init` — the way a disk keeps key slots.
//! The unwrapped key lives in this process's memory while the store is open
//! and is wiped when the store is dropped.

mod file;
mod slot;

use std::fmt;

use password_hash::rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

pub(crate) use file::{Holder, KeyFile, path_for as key_file_path};

/// The key the database is encrypted under.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    pub(crate) fn generate() -> DataKey {
        let mut bytes = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(bytes.as_mut());
        DataKey(bytes)
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<DataKey> {
        let bytes: [u8; 32] = bytes.try_into().ok()?;
        Some(DataKey(Zeroizing::new(bytes)))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// SQLCipher's raw-key form, `x'…'`, for `PRAGMA key`: the key is used
    /// as it is, without SQLCipher's own (slow, and here needless) key
    /// derivation. Public for tools that open the file directly.
    pub fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(…)")
    }
}

/// The recovery code: 128 random bits as 32 hex digits in groups of four,
/// to be written down once and typed back by hand.
pub struct RecoveryCode(Zeroizing<String>);

impl RecoveryCode {
    pub(crate) fn generate() -> RecoveryCode {
        let mut bytes = Zeroizing::new([0u8; 16]);
        OsRng.fill_bytes(bytes.as_mut());
        RecoveryCode(Zeroizing::new(hex::encode_upper(bytes.as_ref())))
    }

    /// What a supervisor typed: case, spaces and dashes do not matter.
    pub fn parse(typed: &str) -> Option<RecoveryCode> {
        let digits: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let digits = Zeroizing::new(digits);
        (digits.len() == 32 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| RecoveryCode(digits))
    }

    pub(crate) fn secret(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The code as it is printed: `3F2A-91C0-…`.
    pub fn to_printed(&self) -> Zeroizing<String> {
        let groups: Vec<&str> = (0..8).map(|i| &self.0[i * 4..i * 4 + 4]).collect();
        Zeroizing::new(groups.join("-"))
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recovery_code_reads_back_as_printed_and_typed_loosely() {
        let code = RecoveryCode::generate();
        let printed = code.to_printed();
        assert_eq!(printed.len(), 39);
        assert_eq!(printed.matches('-').count(), 7);
        let typed = printed.to_lowercase().replace('-', " ");
        assert_eq!(RecoveryCode::parse(&typed).unwrap().secret(), code.secret());
        assert!(RecoveryCode::parse(&printed[..38]).is_none());
        assert!(RecoveryCode::parse(&"G".repeat(32)).is_none());
    }

    #[test]
    fn data_keys_are_random_and_say_nothing_when_printed() {
        let (a, b) = (DataKey::generate(), DataKey::generate());
        assert_ne!(a.bytes(), b.bytes());
        assert_eq!(format!("{a:?}"), "DataKey(…)");
        let value = a.pragma_value();
        assert!(value.starts_with("x'") && value.ends_with('\'') && value.len() == 67);
    }
}
