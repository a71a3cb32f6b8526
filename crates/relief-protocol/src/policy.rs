//! The campaign policy as the ledger distributes it: signed with the
//! ledger's Ed25519 key, so a terminal installs only what the ledger said.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedPolicy {
    pub campaign_id: String,
    pub version: String,
    /// The policy file, as TOML.
    pub toml: String,
    /// Ed25519 over [`SignedPolicy::message`], hex.
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("원장 서버 공개키 형식이 올바르지 않습니다")]
    BadKey,
    #[error("정책 서명 형식이 올바르지 않습니다")]
    BadSignature,
    #[error("정책 서명이 원장 서버의 키와 맞지 않습니다: 설치하지 않습니다")]
    Mismatch,
}

/// The ledger's public key, as a terminal pins it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LedgerKey(VerifyingKey);

impl LedgerKey {
    pub fn from_hex(text: &str) -> Result<LedgerKey, SignatureError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| SignatureError::BadKey)?;
        VerifyingKey::from_bytes(&bytes)
            .map(LedgerKey)
            .map_err(|_| SignatureError::BadKey)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    /// What an operator compares by eye: the first 8 bytes of the key's
    /// SHA-256, as four groups, e.g. `3f2a-91c0-7d14-be55`.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        let hex = hex::encode(&digest[..8]);
        hex.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("hex is ascii"))
            .collect::<Vec<_>>()
            .join("-")
    }

    pub fn of(signing: &SigningKey) -> LedgerKey {
        LedgerKey(signing.verifying_key())
    }

    /// Checks an Ed25519 signature, hex, over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &str) -> Result<(), SignatureError> {
        let mut bytes = [0u8; 64];
        hex::decode_to_slice(signature, &mut bytes).map_err(|_| SignatureError::BadSignature)?;
        self.0
            .verify(message, &Signature::from_bytes(&bytes))
            .map_err(|_| SignatureError::Mismatch)
    }
}

impl fmt::Debug for LedgerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LedgerKey({})", self.fingerprint())
    }
}

impl SignedPolicy {
    /// The bytes signed: a domain tag, then the fields, each ended by NUL,
    /// so no field can be shifted into another.
    fn message(campaign_id: &str, version: &str, toml: &str) -> Vec<u8> {
        let mut message = b"relief-counter policy v1\0".to_vec();
        for part in [campaign_id, version, toml] {
            message.extend_from_slice(part.as_bytes());
            message.push(0);
        }
        message
    }

    pub fn sign(key: &SigningKey, campaign_id: &str, version: &str, toml: &str) -> SignedPolicy {
        let signature = key.sign(&Self::message(campaign_id, version, toml));
        SignedPolicy {
            campaign_id: campaign_id.to_owned(),
            version: version.to_owned(),
            toml: toml.to_owned(),
            signature: hex::encode(signature.to_bytes()),
        }
    }

    pub fn verify(&self, key: &LedgerKey) -> Result<(), SignatureError> {
        key.verify(
            &Self::message(&self.campaign_id, &self.version, &self.toml),
            &self.signature,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_signed_policy_verifies_only_unchanged_and_with_its_key() {
        let signed = SignedPolicy::sign(&key(1), "gyeonggi-2020", "2020.1", "schema = 1\n");
        let ledger = LedgerKey::of(&key(1));
        assert_eq!(signed.verify(&ledger), Ok(()));
        assert_eq!(
            signed.verify(&LedgerKey::of(&key(2))),
            Err(SignatureError::Mismatch)
        );
        for tampered in [
            SignedPolicy {
                toml: "schema = 2\n".into(),
                ..signed.clone()
            },
            SignedPolicy {
                version: "2020.2".into(),
                ..signed.clone()
            },
            SignedPolicy {
                campaign_id: "national-2020".into(),
                ..signed.clone()
            },
        ] {
            assert_eq!(tampered.verify(&ledger), Err(SignatureError::Mismatch));
        }
        let garbled = SignedPolicy {
            signature: "zz".into(),
            ..signed
        };
        assert_eq!(garbled.verify(&ledger), Err(SignatureError::BadSignature));
    }

    #[test]
    fn keys_round_trip_through_hex_and_have_a_short_fingerprint() {
        let ledger = LedgerKey::of(&key(3));
        assert_eq!(LedgerKey::from_hex(&ledger.to_hex()), Ok(ledger));
        assert_eq!(ledger.fingerprint().len(), 19);
        assert_ne!(ledger.fingerprint(), LedgerKey::of(&key(4)).fingerprint());
        assert_eq!(LedgerKey::from_hex("abcd"), Err(SignatureError::BadKey));
    }
}
