//! The resident roll at the ledger: the register's extract as of the
//! campaign's base date, then change files. Each identity number becomes
//! its beneficiary key and each household number its keyed token as the
//! row is read; neither is kept, logged or echoed in a reason.
//!
//! A file is known by its SHA-256: sent again, it changes nothing. Its rows
//! are written in rounds, each a short transaction, so that counters'
//! claims do not wait behind a whole 시군; the version becomes readable
//! (complete) only once its last round is in.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use relief_core::Sigungu;
use relief_core::identity::IdentityNumber;
use relief_core::roll::{HouseholdToken, RollStatus};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::csv_rows::{self, CsvRows, in_campaign};
use super::{Ledger, Result, ServiceError, ts};
use crate::storage::queries::{self, NewHousehold, RollEntry};
use crate::storage::{Db, Storage};

/// The register extract's columns, in this order, with a header.
pub const ROLL_COLUMNS: [&str; 6] = [
    "rrn",
    "household_id",
    "sigungu",
    "eupmyeondong",
    "registered_since",
    "status",
];

/// People per transaction.
const ROUND: usize = 4_096;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RollImport {
    /// The version this file is (1 for the first extract).
    pub version: i64,
    /// The file had been imported before: nothing was written.
    pub already_imported: bool,
    pub rows: u64,
    /// People added, or whose record this file changed.
    pub changed: u64,
    /// People the file gives as they already stood.
    pub unchanged: u64,
    /// Households among the file's valid rows.
    pub households: u64,
    /// Rows refused, by line number and reason (never the number itself).
    pub invalid: Vec<(u64, String)>,
}

/// A valid row, keyed: nothing of the identity or household number is
/// left in it.
struct Person {
    key: [u8; 32],
    household: [u8; 32],
    masked: String,
    sigungu: String,
    eupmyeondong: String,
    registered_since: String,
    status: RollStatus,
}

struct Parsed {
    id: IdentityNumber,
    household_id: String,
    sigungu: Sigungu,
    eupmyeondong: String,
    registered_since: NaiveDate,
    status: RollStatus,
}

fn parse_row(record: &csv::StringRecord) -> std::result::Result<Parsed, String> {
    let id = IdentityNumber::parse(&record[0]).map_err(|e| e.to_string())?;
    let household_id = record[1].trim();
    if household_id.is_empty() || household_id.chars().count() > 40 {
        return Err("household_id는 1자 이상 40자 이하입니다".into());
    }
    let sigungu = csv_rows::sigungu(&record[2])?;
    let eupmyeondong = record[3].trim();
    if eupmyeondong.is_empty() || eupmyeondong.chars().count() > 40 {
        return Err("eupmyeondong은 1자 이상 40자 이하입니다".into());
    }
    let registered_since = NaiveDate::parse_from_str(record[4].trim(), "%Y-%m-%d")
        .map_err(|_| "registered_since는 YYYY-MM-DD입니다".to_owned())?;
    let status: RollStatus = record[5]
        .trim()
        .parse()
        .map_err(|e: relief_core::UnknownCode| {
            format!("status: {}", e.expected.join(", ")) + " 중 하나여야 합니다"
        })?;
    if status != RollStatus::Removed && status.is_foreign() != id.is_foreign() {
        return Err(if id.is_foreign() {
            "외국인등록번호인데 status가 외국인 구분이 아닙니다".into()
        } else {
            "주민등록번호인데 status가 외국인 구분입니다".into()
        });
    }
    Ok(Parsed {
        id,
        household_id: household_id.to_owned(),
        sigungu,
        eupmyeondong: eupmyeondong.to_owned(),
        registered_since,
        status,
    })
}

impl<S: Storage> Ledger<S> {
    /// Imports a roll file (the first extract, or changes after it) into
    /// `campaign_id`.
    pub fn import_roll(&self, campaign_id: &str, file: &[u8]) -> Result<RollImport> {
        let sha256: [u8; 32] = Sha256::digest(file).into();
        // Before a version is taken: a file that is not a roll takes none.
        let mut rows = CsvRows::open(file, &ROLL_COLUMNS)?;
        let (secret, policy) = self.campaign_keys(campaign_id)?;
        let now = ts(self.now());
        let mut report = RollImport::default();
        let known = self
            .storage
            .read(|db| queries::roll_version_of_file(db, campaign_id, &sha256))?;
        report.version = match known {
            Some(v) if v.complete => {
                return Ok(RollImport {
                    version: v.version,
                    already_imported: true,
                    ..RollImport::default()
                });
            }
            // Cut short before: written again under its own version.
            Some(v) => v.version,
            None => self
                .storage
                .transaction(|db| queries::reserve_roll_version(db, campaign_id, &sha256, &now))?
                .ok_or(ServiceError::Conflict {
                    code: "roll_import_running",
                    message: "다른 명부 파일을 가져오는 중이거나 가져오다 멈췄습니다. 그 파일을 마친 뒤(멈췄다면 같은 파일을 다시 보내면 이어서 마칩니다) 다시 하세요".into(),
                })?,
        };

        // Where each person was first seen in this file: a second row for
        // them is refused, naming the first.
        let mut seen: HashMap<[u8; 32], u64> = HashMap::new();
        let mut households: HashSet<[u8; 32]> = HashSet::new();
        let mut round: Vec<Person> = Vec::with_capacity(ROUND);
        while let Some((line, record)) = rows.next(&mut report.invalid)? {
            let row = match parse_row(record)
                .and_then(|row| in_campaign(&policy, row.sigungu).map(|()| row))
            {
                Ok(row) => row,
                Err(problem) => {
                    report.invalid.push((line, problem));
                    continue;
                }
            };
            let key = *row.id.beneficiary_key(&secret).as_bytes();
            if let Some(first) = seen.get(&key) {
                report
                    .invalid
                    .push((line, format!("같은 사람이 {first}번째 줄에 이미 있습니다")));
                continue;
            }
            seen.insert(key, line);
            let household = *HouseholdToken::of(&secret, &row.household_id).as_bytes();
            households.insert(household);
            round.push(Person {
                key,
                household,
                masked: row.id.masked().to_string(),
                sigungu: row.sigungu.to_string(),
                eupmyeondong: row.eupmyeondong,
                registered_since: row.registered_since.format("%Y-%m-%d").to_string(),
                status: row.status,
            });
            if round.len() == ROUND {
                report.changed += self.write_roll_round(campaign_id, report.version, &round)?;
                round.clear();
            }
        }
        report.changed += self.write_roll_round(campaign_id, report.version, &round)?;
        report.rows = rows.rows;
        let valid = report.rows - report.invalid.len() as u64;
        report.unchanged = valid - report.changed;
        report.households = households.len() as u64;
        self.storage.transaction(|db| {
            queries::complete_roll_version(
                db,
                campaign_id,
                report.version,
                report.rows as i64,
                report.changed as i64,
            )
        })?;
        tracing::info!(
            version = report.version,
            rows = report.rows,
            changed = report.changed,
            invalid = report.invalid.len(),
            "resident roll imported"
        );
        Ok(report)
    }

    fn write_roll_round(&self, campaign_id: &str, version: i64, round: &[Person]) -> Result<u64> {
        if round.is_empty() {
            return Ok(0);
        }
        let changed = self.storage.transaction(|db| -> Result<u64> {
            let serials = number_households(db, campaign_id, round)?;
            let entries: Vec<RollEntry> = round
                .iter()
                .map(|p| RollEntry {
                    campaign_id,
                    beneficiary_key: &p.key,
                    household: &p.household,
                    masked: &p.masked,
                    sigungu: &p.sigungu,
                    eupmyeondong: &p.eupmyeondong,
                    registered_since: &p.registered_since,
                    status: p.status,
                    version,
                    household_serial: serials[&p.household],
                })
                .collect();
            Ok(queries::upsert_roll(db, &entries)?)
        })?;
        self.storage.after_bulk_write()?;
        Ok(changed)
    }
}

/// The serial of every household of a round: the one it was given when the
/// ledger first met it, or the next free one now. One importer at a time
/// (a version is reserved first), so the next free one is not contended.
fn number_households(
    db: &mut dyn Db,
    campaign_id: &str,
    round: &[Person],
) -> Result<HashMap<[u8; 32], i64>> {
    let mut tokens: Vec<[u8; 32]> = round.iter().map(|p| p.household).collect();
    tokens.sort_unstable();
    tokens.dedup();
    let mut serials: HashMap<[u8; 32], i64> = queries::household_serials(db, campaign_id, &tokens)?
        .into_iter()
        .collect();
    let mut next = queries::last_household_serial(db, campaign_id)?;
    let new: Vec<([u8; 32], i64)> = tokens
        .iter()
        .filter(|token| !serials.contains_key(*token))
        .map(|token| {
            next += 1;
            (*token, next)
        })
        .collect();
    let rows: Vec<NewHousehold> = new
        .iter()
        .map(|(token, serial)| NewHousehold {
            campaign_id,
            household: token,
            serial: *serial,
        })
        .collect();
    queries::insert_households(db, &rows)?;
    serials.extend(new);
    Ok(serials)
}
