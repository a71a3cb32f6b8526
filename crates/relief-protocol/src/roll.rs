//! `GET /v1/roll?from=V&upto=U&after=H-KEY&limit=N`: the resident roll of a
//! terminal's 시군, as the terminal keeps it (keys, household serials,
//! masked numbers, 읍면동, status; no names, no identity numbers), in pages
//! signed with the ledger's key. From version 0 a page holds the 시군's
//! people as of version `upto`; from a version the terminal holds, it
//! holds everyone of the campaign changed after it, so that a terminal
//! also learns who left its 시군.

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::{Signer, SigningKey};
use relief_core::roll::RollStatus;
use serde::{Deserialize, Serialize};

use crate::policy::{LedgerKey, SignatureError};

/// The most people one roll page may carry.
pub const MAX_ROLL_LIMIT: u32 = 50_000;

/// A header on a roll page with more after it: `UPTO/CURSOR`, the version
/// and place to ask from next (the body's `upto_version` and `next`),
/// readable before the body, so that a terminal asks for the next page
/// while it checks and applies this one.
pub const ROLL_MORE_FROM: &str = "relief-roll-more-from";

/// The value of [`ROLL_MORE_FROM`] for a page.
pub fn more_from(upto: u64, next: &RollCursor) -> String {
    format!("{upto}/{next}")
}

/// Reads [`more_from`] back.
pub fn parse_more_from(text: &str) -> Option<(u64, RollCursor)> {
    let (upto, cursor) = text.split_once('/')?;
    Some((upto.parse().ok()?, cursor.parse().ok()?))
}

/// A place in a download: after this household and, within it, this
/// person (their key, hex). The beginning is household 0 and no key,
/// written `0-`.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde_with::SerializeDisplay,
    serde_with::DeserializeFromStr,
)]
pub struct RollCursor {
    pub household: u64,
    pub key: String,
}

impl RollCursor {
    pub fn start() -> RollCursor {
        RollCursor::default()
    }

    /// The key's bytes (none at the beginning).
    pub fn key_bytes(&self) -> Vec<u8> {
        hex::decode(&self.key).expect("checked when parsed or made")
    }
}

impl fmt::Display for RollCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.household, self.key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("after는 세대번호-수급자키(16진수) 형식입니다 (받은 값: {0:?})")]
pub struct InvalidRollCursor(pub String);

impl FromStr for RollCursor {
    type Err = InvalidRollCursor;
    fn from_str(text: &str) -> Result<RollCursor, InvalidRollCursor> {
        let bad = || InvalidRollCursor(text.to_owned());
        let (household, key) = text.trim().split_once('-').ok_or_else(bad)?;
        let household = household.parse().map_err(|_| bad())?;
        let key = key.to_ascii_lowercase();
        let valid = key.is_empty() || (key.len() == 64 && hex::decode(&key).is_ok());
        if !valid {
            return Err(bad());
        }
        Ok(RollCursor { household, key })
    }
}

/// One person on the roll, as a terminal keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollMember {
    /// The beneficiary key, hex.
    pub key: String,
    /// The household's serial at the ledger: members share it.
    pub household: u64,
    /// `YYMMDD-G******`.
    pub masked: String,
    /// The 시군 they are registered in now.
    pub sigungu: String,
    /// Their 읍면동.
    pub eupmyeondong: String,
    pub status: RollStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollPage {
    pub campaign_id: String,
    /// The terminal's 시군.
    pub sigungu: String,
    /// The version the terminal holds (0: none).
    pub from_version: u64,
    /// The version this download brings the terminal to.
    pub upto_version: u64,
    pub after: RollCursor,
    /// On the first page of a download: how many people it brings in all,
    /// for the terminal's progress bar.
    pub total: Option<u64>,
    pub people: Vec<RollMember>,
    /// Where the next page starts; none on the last page.
    pub next: Option<RollCursor>,
    /// Ed25519 over [`RollPage::message`], hex.
    pub signature: String,
}

impl RollPage {
    /// The bytes signed: a domain tag, then every field, each ended by
    /// NUL, so no field can be shifted into another and no page passed
    /// off as another's (a 시군, a version range, a place).
    fn message(&self) -> Vec<u8> {
        let mut message = Vec::with_capacity(64 + self.people.len() * 140);
        message.extend_from_slice(b"relief-counter roll v1\0");
        let mut field = |text: &str| {
            message.extend_from_slice(text.as_bytes());
            message.push(0);
        };
        field(&self.campaign_id);
        field(&self.sigungu);
        field(&self.from_version.to_string());
        field(&self.upto_version.to_string());
        field(&self.after.to_string());
        field(&self.total.map_or(String::new(), |n| n.to_string()));
        field(&self.people.len().to_string());
        for person in &self.people {
            field(&person.key);
            field(&person.household.to_string());
            field(&person.masked);
            field(&person.sigungu);
            field(&person.eupmyeondong);
            field(person.status.code());
        }
        field(
            &self
                .next
                .as_ref()
                .map_or(String::new(), RollCursor::to_string),
        );
        message
    }

    /// Signs the page (its `signature` is replaced).
    pub fn signed(mut self, key: &SigningKey) -> RollPage {
        self.signature = hex::encode(key.sign(&self.message()).to_bytes());
        self
    }

    pub fn verify(&self, key: &LedgerKey) -> Result<(), SignatureError> {
        key.verify(&self.message(), &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn page() -> RollPage {
        RollPage {
            campaign_id: "gyeonggi-2020".into(),
            sigungu: "41110".into(),
            from_version: 0,
            upto_version: 1,
            after: RollCursor::start(),
            total: Some(1),
            people: vec![RollMember {
                key: "ab".repeat(32),
                household: 7,
                masked: "800102-1******".into(),
                sigungu: "41110".into(),
                eupmyeondong: "파장동".into(),
                status: RollStatus::Resident,
            }],
            next: None,
            signature: String::new(),
        }
        .signed(&key(1))
    }

    #[test]
    fn a_signed_page_verifies_only_unchanged_and_with_its_key() {
        let ledger = LedgerKey::of(&key(1));
        let signed = page();
        assert_eq!(signed.verify(&ledger), Ok(()));
        assert_eq!(
            signed.verify(&LedgerKey::of(&key(2))),
            Err(SignatureError::Mismatch)
        );
        let member = |change: fn(&mut RollMember)| {
            let mut p = signed.clone();
            change(&mut p.people[0]);
            p
        };
        let tampered = [
            RollPage {
                sigungu: "41130".into(),
                ..signed.clone()
            },
            RollPage {
                from_version: 1,
                ..signed.clone()
            },
            RollPage {
                upto_version: 2,
                ..signed.clone()
            },
            RollPage {
                campaign_id: "other".into(),
                ..signed.clone()
            },
            RollPage {
                next: Some(RollCursor {
                    household: 7,
                    key: "ab".repeat(32),
                }),
                ..signed.clone()
            },
            RollPage {
                people: vec![],
                ..signed.clone()
            },
            RollPage {
                total: Some(2),
                ..signed.clone()
            },
            member(|m| m.household = 8),
            member(|m| m.status = RollStatus::Removed),
            member(|m| m.eupmyeondong = "정자동".into()),
            member(|m| m.sigungu = "41130".into()),
            member(|m| m.masked = "800102-2******".into()),
            member(|m| m.key = "cd".repeat(32)),
        ];
        for page in tampered {
            assert_eq!(
                page.verify(&ledger),
                Err(SignatureError::Mismatch),
                "{page:?}"
            );
        }
        let garbled = RollPage {
            signature: "zz".into(),
            ..signed
        };
        assert_eq!(garbled.verify(&ledger), Err(SignatureError::BadSignature));
    }

    #[test]
    fn the_next_pages_header_reads_back() {
        let next = RollCursor {
            household: 9,
            key: "ab".repeat(32),
        };
        assert_eq!(parse_more_from(&more_from(3, &next)), Some((3, next)));
        for bad in ["", "3", "x/0-", "3/x"] {
            assert_eq!(parse_more_from(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_cursor_reads_back_what_it_writes() {
        let cursor = RollCursor {
            household: 12,
            key: "0f".repeat(32),
        };
        assert_eq!(cursor.to_string().parse::<RollCursor>(), Ok(cursor.clone()));
        assert_eq!("0-".parse::<RollCursor>(), Ok(RollCursor::start()));
        assert_eq!(cursor.key_bytes(), vec![0x0f; 32]);
        for bad in ["", "0", "x-", "1-abc", &format!("1-{}", "zz".repeat(32))] {
            assert!(bad.parse::<RollCursor>().is_err(), "{bad}");
        }
    }
}
