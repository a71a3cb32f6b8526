//! The terminal's copy of the resident roll: who is registered in its
//! 시군, in which household and 읍면동, of which standing, as the ledger
//! signed it. A download comes in pages, each applied in one transaction
//! with the place it reached, so that a cut download goes on from where
//! it stopped and nothing is applied twice or skipped. Until the first
//! download completes the terminal has no roll (version 0).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use relief_core::HouseholdSize;
use relief_core::identity::{BeneficiaryKey, MaskedId};
use relief_core::roll::RollStatus;
use relief_protocol::{RollCursor, RollPage};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::{Store, time};

/// The copy held, and a download under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollCopy {
    /// The version of the last completed download (0: no roll yet).
    pub version: u64,
    /// A download under way: the version it brings the copy to, and where
    /// its next page starts.
    pub download: Option<RollDownload>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollDownload {
    pub target: u64,
    pub after: RollCursor,
    /// How many people the whole download brings, as its first page said.
    pub expected: Option<u64>,
    /// How many have been applied so far.
    pub received: u64,
}

impl RollCopy {
    /// Where the next page of the download starts: from the version held,
    /// to the target of the download under way (or the ledger's latest).
    pub fn next_request(&self) -> (u64, Option<u64>, RollCursor) {
        match &self.download {
            Some(d) => (self.version, Some(d.target), d.after.clone()),
            None => (self.version, None, RollCursor::start()),
        }
    }
}

/// One person on this terminal's roll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollPerson {
    pub key: BeneficiaryKey,
    /// The ledger's serial for their household.
    pub household: u64,
    pub masked: MaskedId,
    pub eupmyeondong: String,
    pub status: RollStatus,
    /// Still registered in this terminal's 시군 (false: they moved to
    /// another 시군 of the campaign since the base date).
    pub here: bool,
}

impl RollPerson {
    /// Still on the register and of this 시군: counted in their household
    /// (as [`Store::roll_household_size`] counts), and may be paid.
    pub fn registered(&self) -> bool {
        self.here && self.status != RollStatus::Removed
    }
}

/// What applying a page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RollApplied {
    pub people: u64,
    /// The page was the download's last: the copy is now at its version.
    pub completed: bool,
}

/// The first 8 bytes of a key, the index the roll is looked up by.
fn prefix(key: &[u8; 32]) -> &[u8] {
    &key[..8]
}

fn key_of(hex_key: &str) -> Result<[u8; 32]> {
    BeneficiaryKey::from_hex(hex_key)
        .map(|k| *k.as_bytes())
        .map_err(|_| {
            Error::Corrupt(format!(
                "명부의 수급자 키가 16진수 64자가 아닙니다: {hex_key:?}"
            ))
        })
}

/// The households a key is filed under (one, but for a shared prefix).
fn households_of(tx: &Transaction, key: &[u8; 32]) -> Result<Vec<i64>> {
    let mut stmt = tx.prepare_cached(
        "SELECT p.household FROM roll_key k JOIN roll_person p ON p.household = k.household
         WHERE k.prefix = ?1 AND p.key = ?2",
    )?;
    let rows = stmt.query_map(params![prefix(key), &key[..]], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    pub fn roll_copy(&self) -> Result<RollCopy> {
        let (version, target, after, expected, received, updated_at) = self.conn.query_row(
            "SELECT version, target, after, expected, received, updated_at FROM roll_copy WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            },
        )?;
        let download = match (target, after) {
            (Some(target), Some(after)) => Some(RollDownload {
                target: target as u64,
                after: after
                    .parse()
                    .map_err(|e: relief_protocol::InvalidRollCursor| {
                        Error::Corrupt(e.to_string())
                    })?,
                expected: expected.map(|n| n as u64),
                received: received as u64,
            }),
            _ => None,
        };
        Ok(RollCopy {
            version: version as u64,
            download,
            updated_at: updated_at.as_deref().map(time::parse).transpose()?,
        })
    }

    /// Applies one page of a download, after checking the ledger's
    /// signature and that it is the page the copy waits for: the same
    /// campaign and 시군, from the version held, to the download's target,
    /// starting where the last page ended. Anything else changes nothing.
    pub fn apply_roll_page(&mut self, page: &RollPage, at: NaiveDateTime) -> Result<RollApplied> {
        let enrollment = self.enrollment()?.ok_or(Error::NotEnrolled)?;
        page.verify(&enrollment.ledger_key()?)
            .map_err(Error::RollSignature)?;
        let sigungu = self.site.sigungu.to_string();
        if page.campaign_id != self.policy.campaign.id || page.sigungu != sigungu {
            return Err(Error::RollOutOfOrder(format!(
                "캠페인 {} {}의 명부가 왔습니다 (이 단말기: {} {sigungu})",
                page.campaign_id, page.sigungu, self.policy.campaign.id
            )));
        }
        let copy = self.roll_copy()?;
        let (from, target, after) = copy.next_request();
        let in_order = page.from_version == from
            && target.is_none_or(|t| t == page.upto_version)
            && page.after == after
            && page.upto_version > from;
        if !in_order {
            return Err(Error::RollOutOfOrder(format!(
                "기다린 부분: 버전 {from}→{} {after}, 받은 부분: 버전 {}→{} {}",
                target.map_or("최신".to_owned(), |t| t.to_string()),
                page.from_version,
                page.upto_version,
                page.after
            )));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let first = from == 0;
        let people = apply_people(&tx, page, &sigungu, first)?;
        if first && page.next.is_none() {
            // Built once, in key order: a packed index, and no random
            // writes into it while a whole 시군 arrives.
            tx.execute(
                "INSERT INTO roll_key (prefix, household)
                 SELECT DISTINCT substr(key, 1, 8), household FROM roll_person ORDER BY 1, 2",
                [],
            )?;
        }
        let at = time::format(at);
        let received = copy.download.as_ref().map_or(0, |d| d.received) + people;
        match &page.next {
            None => tx.execute(
                "UPDATE roll_copy SET version = ?1, target = NULL, after = NULL, expected = NULL,
                 received = 0, updated_at = ?2 WHERE id = 1",
                params![page.upto_version as i64, at],
            )?,
            Some(next) => tx.execute(
                "UPDATE roll_copy SET target = ?1, after = ?2, expected = coalesce(?3, expected),
                 received = ?4, updated_at = ?5 WHERE id = 1",
                params![
                    page.upto_version as i64,
                    next.to_string(),
                    page.total.map(|n| n as i64),
                    received as i64,
                    at
                ],
            )?,
        };
        tx.commit()?;
        Ok(RollApplied {
            people,
            completed: page.next.is_none(),
        })
    }

    /// A person on this terminal's roll, by key.
    pub fn roll_person(&self, key: &BeneficiaryKey) -> Result<Option<RollPerson>> {
        let key = key.as_bytes();
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.household, p.key, p.birth, g.eupmyeondong, g.status, g.here
             FROM roll_key k
             JOIN roll_person p ON p.household = k.household AND p.key = ?2
             JOIN roll_group g ON g.id = p.grp
             WHERE k.prefix = ?1",
        )?;
        stmt.query_row(params![prefix(key), &key[..]], person)
            .optional()?
            .transpose()
    }

    /// Everyone on the roll filed under a household, in the order of their
    /// keys (those taken off the register included, marked so).
    pub fn roll_household(&self, household: u64) -> Result<Vec<RollPerson>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.household, p.key, p.birth, g.eupmyeondong, g.status, g.here
             FROM roll_person p JOIN roll_group g ON g.id = p.grp
             WHERE p.household = ?1 ORDER BY p.key",
        )?;
        let rows = stmt.query_map(params![household as i64], person)?;
        rows.map(|row| row?).collect()
    }

    /// A household's size as the rules count it: its members still on the
    /// register and in this 시군. (More than the largest size a household
    /// can have counts as that size: the rules treat every size above
    /// their largest alike.)
    pub fn roll_household_size(&self, household: u64) -> Result<HouseholdSize> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM roll_person p JOIN roll_group g ON g.id = p.grp
             WHERE p.household = ?1 AND g.status <> 'removed' AND g.here = 1",
            )?
            .query_row(params![household as i64], |r| r.get(0))?;
        HouseholdSize::try_from(n.clamp(1, i64::from(HouseholdSize::MAX)))
            .map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// The size of a person's household on the roll, if the roll lists them.
    pub fn roll_household_size_of(&self, key: &BeneficiaryKey) -> Result<Option<HouseholdSize>> {
        match self.roll_person(key)? {
            Some(person) => Ok(Some(self.roll_household_size(person.household)?)),
            None => Ok(None),
        }
    }

    /// How many people the copy holds.
    pub fn roll_size(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM roll_person", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }
}

type Row = (i64, Vec<u8>, u32, String, RollStatus, bool);

fn person(r: &rusqlite::Row) -> rusqlite::Result<Result<RollPerson>> {
    let (household, key, birth, place, status, here): Row = (
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    );
    Ok((|| {
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| Error::Corrupt("명부의 수급자 키가 32바이트가 아닙니다".into()))?;
        let masked = MaskedId::from_digits(birth).ok_or_else(|| {
            Error::Corrupt(format!("명부의 생년월일 {birth:07}이 없는 날짜입니다"))
        })?;
        Ok(RollPerson {
            key: BeneficiaryKey::from_bytes(key),
            household: household as u64,
            masked,
            eupmyeondong: place,
            status,
            here,
        })
    })())
}

/// Writes a page's people. A first download only adds (its people are all
/// of this 시군, each once); a later one replaces each person's record
/// wherever it was filed, and takes someone of another 시군 only to note
/// that a person of this one moved there.
fn apply_people(tx: &Transaction, page: &RollPage, sigungu: &str, first: bool) -> Result<u64> {
    let mut groups: HashMap<(String, RollStatus, bool), i64> = HashMap::new();
    {
        let mut stmt =
            tx.prepare_cached("SELECT eupmyeondong, status, here, id FROM roll_group")?;
        for row in stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?)))? {
            let (group, id) = row?;
            groups.insert(group, id);
        }
    }
    let mut add_group = tx.prepare_cached(
        "INSERT INTO roll_group (eupmyeondong, status, here) VALUES (?1, ?2, ?3)",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO roll_person (household, key, birth, grp) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut file =
        tx.prepare_cached("INSERT OR IGNORE INTO roll_key (prefix, household) VALUES (?1, ?2)")?;
    let mut remove =
        tx.prepare_cached("DELETE FROM roll_person WHERE household = ?1 AND key = ?2")?;
    let mut unfile = tx.prepare_cached(
        "DELETE FROM roll_key WHERE prefix = ?1 AND household = ?2
         AND NOT EXISTS (SELECT 1 FROM roll_person p WHERE p.household = ?2
                         AND substr(p.key, 1, 8) = ?1)",
    )?;
    let mut applied = 0;
    for member in &page.people {
        let key = key_of(&member.key)?;
        let masked = MaskedId::parse(&member.masked).ok_or_else(|| {
            Error::Corrupt(format!(
                "명부의 가린 번호 형식이 아닙니다: {:?}",
                member.masked
            ))
        })?;
        let here = member.sigungu == sigungu;
        let household = i64::try_from(member.household)
            .ok()
            .filter(|&h| h >= 1)
            .ok_or_else(|| Error::Corrupt(format!("명부의 세대 번호 {}", member.household)))?;
        if !first {
            let filed = households_of(tx, &key)?;
            if filed.is_empty() && !here {
                continue;
            }
            for old in filed {
                remove.execute(params![old, &key[..]])?;
                unfile.execute(params![prefix(&key), old])?;
            }
        } else if !here {
            return Err(Error::RollOutOfOrder(format!(
                "첫 명부에 다른 시군({})의 사람이 있습니다",
                member.sigungu
            )));
        }
        let group = (member.eupmyeondong.clone(), member.status, here);
        let grp = match groups.get(&group) {
            Some(id) => *id,
            None => {
                add_group.execute(params![member.eupmyeondong, member.status, here])?;
                let id = tx.last_insert_rowid();
                groups.insert(group, id);
                id
            }
        };
        insert.execute(params![household, &key[..], masked.digits(), grp])?;
        if !first {
            file.execute(params![prefix(&key), household])?;
        }
        applied += 1;
    }
    Ok(applied)
}
