//! One key slot: the data key sealed (XChaCha20-Poly1305) under a key
//! derived from a secret (a supervisor's PIN, the recovery code) with
//! argon2id.
//!
//! A PIN of 8 digits is 10^8 guesses; at this cost (64 MiB, three passes)
//! each guess takes a core about a fifth of a second, so trying them all
//! against a stolen key file takes a core years, not hours.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use password_hash::rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::DataKey;
use crate::error::{Error, Result};

/// The cost a new slot is sealed at. Each slot records its own, so a later
/// version may raise it without losing the slots sealed before.
const COST: Cost = Cost {
    memory_kib: 64 * 1024,
    passes: 3,
    lanes: 1,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Cost {
    memory_kib: u32,
    passes: u32,
    lanes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Sealed {
    cost: Cost,
    #[serde(with = "hex")]
    salt: Vec<u8>,
    #[serde(with = "hex")]
    nonce: Vec<u8>,
    /// The data key and the AEAD's tag.
    #[serde(with = "hex")]
    sealed: Vec<u8>,
}

fn derive(secret: &[u8], salt: &[u8], cost: Cost) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(cost.memory_kib, cost.passes, cost.lanes, Some(32))
        .map_err(|e| Error::Corrupt(format!("열쇠 파일의 argon2 설정: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(secret, salt, key.as_mut())
        .map_err(|e| Error::Corrupt(format!("열쇠를 만들 수 없습니다: {e}")))?;
    Ok(key)
}

/// Seals `key` under `secret`. `binding` (the slot's holder and the
/// store's identity) is authenticated with it: a slot copied under another
/// name, or into another store's key file, does not open.
pub(crate) fn seal(key: &DataKey, secret: &[u8], binding: &str) -> Result<Sealed> {
    let mut salt = vec![0u8; 16];
    let mut nonce = vec![0u8; 24];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let wrapping = derive(secret, &salt, COST)?;
    let cipher = XChaCha20Poly1305::new_from_slice(wrapping.as_ref())
        .map_err(|_| Error::Corrupt("열쇠 길이".into()))?;
    let sealed = cipher
        .encrypt(
            &XNonce::try_from(nonce.as_slice()).map_err(|_| Error::Corrupt("nonce".into()))?,
            Payload {
                msg: key.bytes(),
                aad: binding.as_bytes(),
            },
        )
        .map_err(|_| Error::Corrupt("열쇠를 봉인할 수 없습니다".into()))?;
    Ok(Sealed {
        cost: COST,
        salt,
        nonce,
        sealed,
    })
}

/// The data key, if `secret` is the one the slot was sealed under; `None`
/// for a wrong secret (or a slot altered or moved).
pub(crate) fn open(slot: &Sealed, secret: &[u8], binding: &str) -> Result<Option<DataKey>> {
    let wrapping = derive(secret, &slot.salt, slot.cost)?;
    let cipher = XChaCha20Poly1305::new_from_slice(wrapping.as_ref())
        .map_err(|_| Error::Corrupt("열쇠 길이".into()))?;
    let Ok(nonce) = XNonce::try_from(slot.nonce.as_slice()) else {
        return Ok(None);
    };
    let opened = cipher.decrypt(
        &nonce,
        Payload {
            msg: &slot.sealed,
            aad: binding.as_bytes(),
        },
    );
    Ok(opened
        .ok()
        .map(Zeroizing::new)
        .and_then(|bytes| DataKey::from_bytes(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_opens_with_its_secret_and_binding_only() {
        let key = DataKey::generate();
        let slot = seal(&key, b"48291375", "supervisor:S001").unwrap();
        let opened = open(&slot, b"48291375", "supervisor:S001")
            .unwrap()
            .unwrap();
        assert_eq!(opened.bytes(), key.bytes());
        assert!(
            open(&slot, b"48291376", "supervisor:S001")
                .unwrap()
                .is_none()
        );
        assert!(
            open(&slot, b"48291375", "supervisor:S002")
                .unwrap()
                .is_none()
        );
        let mut altered = slot.clone();
        altered.sealed[0] ^= 1;
        assert!(
            open(&altered, b"48291375", "supervisor:S001")
                .unwrap()
                .is_none()
        );
        // The sealed bytes are not the key.
        assert!(!slot.sealed.windows(32).any(|w| w == key.bytes()));
    }

    #[test]
    fn a_new_slot_costs_64_mib_and_three_passes_of_argon2id() {
        let key = DataKey::generate();
        let slot = seal(&key, b"48291375", "supervisor:S001").unwrap();
        // Derived independently, with the cost written out: the slot's
        // wrapping key is argon2id at 64 MiB, 3 passes, 1 lane.
        let mut expected = [0u8; 32];
        Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(65_536, 3, 1, Some(32)).unwrap(),
        )
        .hash_password_into(b"48291375", &slot.salt, &mut expected)
        .unwrap();
        let cipher = XChaCha20Poly1305::new_from_slice(&expected).unwrap();
        let opened = cipher
            .decrypt(
                &XNonce::try_from(slot.nonce.as_slice()).unwrap(),
                Payload {
                    msg: &slot.sealed,
                    aad: b"supervisor:S001",
                },
            )
            .unwrap();
        assert_eq!(opened, key.bytes());
        assert_eq!(slot.salt.len(), 16);
    }
}
