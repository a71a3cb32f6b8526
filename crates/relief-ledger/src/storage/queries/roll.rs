//! The resident roll: the files imported (versions) and each person as the
//! latest file said.

use crate::storage::batch::{Insert, each_statement, insert_rows, sizes};
use crate::storage::row::first;
use crate::storage::{Db, FromRow, Param, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

/// A roll file, by version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollVersion {
    pub version: i64,
    pub rows: i64,
    pub changed: i64,
    pub complete: bool,
}

impl FromRow for RollVersion {
    fn from_row(r: &Row) -> Result<RollVersion> {
        Ok(RollVersion {
            version: r.int("version")?,
            rows: r.int("rows")?,
            changed: r.int("changed")?,
            complete: r.flag("complete")?,
        })
    }
}

/// The version a file was imported as, if it was.
pub fn roll_version_of_file(
    db: &mut dyn Db,
    campaign: &str,
    sha256: &[u8],
) -> Result<Option<RollVersion>> {
    first(db.query_opt(
        "SELECT version, rows, changed, complete FROM roll_version WHERE campaign_id = $1 AND file_sha256 = $2",
        &[campaign.into(), sha256.into()],
    )?)
}

/// Takes the next version number for a file, or `None` while another
/// file's import has not completed: one file at a time, so that versions
/// complete in their order. (Two takers at once: the key lets one win.)
pub fn reserve_roll_version(
    db: &mut dyn Db,
    campaign: &str,
    sha256: &[u8],
    at: &str,
) -> Result<Option<i64>> {
    if db
        .query_opt(
            "SELECT version FROM roll_version WHERE campaign_id = $1 AND complete = 0",
            &[campaign.into()],
        )?
        .is_some()
    {
        return Ok(None);
    }
    let next = db
        .query_opt(
            "SELECT coalesce(max(version), 0) + 1 AS next FROM roll_version WHERE campaign_id = $1",
            &[campaign.into()],
        )?
        .map_or(Ok(1), |r| r.int("next"))?;
    match db.exec(
        "INSERT INTO roll_version (campaign_id, version, file_sha256, imported_at) VALUES ($1, $2, $3, $4)",
        &[campaign.into(), next.into(), sha256.into(), at.into()],
    ) {
        Ok(_) => Ok(Some(next)),
        Err(e) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Marks a version's every row written.
pub fn complete_roll_version(
    db: &mut dyn Db,
    campaign: &str,
    version: i64,
    rows: i64,
    changed: i64,
) -> Result<()> {
    db.exec(
        "UPDATE roll_version SET rows = $3, changed = $4, complete = 1 WHERE campaign_id = $1 AND version = $2",
        &[campaign.into(), version.into(), rows.into(), changed.into()],
    )?;
    Ok(())
}

/// A person as a roll file gives them, keyed.
pub struct RollEntry<'a> {
    pub campaign_id: &'a str,
    pub beneficiary_key: &'a [u8],
    pub household: &'a [u8],
    pub masked: &'a str,
    pub sigungu: &'a str,
    pub eupmyeondong: &'a str,
    pub registered_since: &'a str,
    pub status: relief_core::roll::RollStatus,
    pub version: i64,
    pub household_serial: i64,
}

impl Insert<10> for RollEntry<'_> {
    const INTO: &'static str = "roll_person (campaign_id, beneficiary_key, household, masked, sigungu, eupmyeondong, registered_since, status, version, household_serial)";

    fn params(&self) -> [Param<'_>; 10] {
        [
            self.campaign_id.into(),
            self.beneficiary_key.into(),
            self.household.into(),
            self.masked.into(),
            self.sigungu.into(),
            self.eupmyeondong.into(),
            self.registered_since.into(),
            self.status.code().into(),
            self.version.into(),
            self.household_serial.into(),
        ]
    }
}

/// Writes people as a file gives them: someone new is added, someone whose
/// record differs takes the file's record and version, and someone the
/// file repeats as they stand is left alone. Returns how many were added
/// or changed.
pub fn upsert_roll(db: &mut dyn Db, entries: &[RollEntry]) -> Result<u64> {
    let mut changed = 0;
    each_statement(
        entries,
        "ON CONFLICT (campaign_id, beneficiary_key) DO UPDATE SET
             household = excluded.household, masked = excluded.masked, sigungu = excluded.sigungu,
             eupmyeondong = excluded.eupmyeondong, registered_since = excluded.registered_since,
             status = excluded.status, version = excluded.version,
             household_serial = excluded.household_serial
         WHERE (roll_person.household, roll_person.masked, roll_person.sigungu, roll_person.eupmyeondong,
                roll_person.registered_since, roll_person.status)
            <> (excluded.household, excluded.masked, excluded.sigungu, excluded.eupmyeondong,
                excluded.registered_since, excluded.status)",
        |sql, params| {
            changed += db.exec(sql, params)?;
            Ok(())
        },
    )?;
    Ok(changed)
}

/// How many people of a household are on the roll (those taken off it
/// not counted): the household size the rules use.
pub fn household_size(db: &mut dyn Db, campaign: &str, household: &[u8]) -> Result<i64> {
    db.query_opt(
        "SELECT count(*) AS size FROM roll_person
         WHERE campaign_id = $1 AND household = $2 AND status <> 'removed'",
        &[campaign.into(), household.into()],
    )?
    .map_or(Ok(0), |r| r.int("size"))
}

/// One person on the roll, as the ledger holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollPerson {
    pub household: Vec<u8>,
    pub masked: String,
    pub sigungu: String,
    pub eupmyeondong: String,
    pub registered_since: String,
    pub status: relief_core::roll::RollStatus,
    pub version: i64,
}

impl FromRow for RollPerson {
    fn from_row(r: &Row) -> Result<RollPerson> {
        Ok(RollPerson {
            household: r.bytes("household")?,
            masked: r.text("masked")?,
            sigungu: r.text("sigungu")?,
            eupmyeondong: r.text("eupmyeondong")?,
            registered_since: r.text("registered_since")?,
            status: r.parsed("status")?,
            version: r.int("version")?,
        })
    }
}

pub fn roll_person(db: &mut dyn Db, campaign: &str, key: &[u8]) -> Result<Option<RollPerson>> {
    first(db.query_opt(
        "SELECT household, masked, sigungu, eupmyeondong, registered_since, status, version
         FROM roll_person WHERE campaign_id = $1 AND beneficiary_key = $2",
        &[campaign.into(), key.into()],
    )?)
}

/// The serial numbers of the households among `tokens` that have one.
pub fn household_serials(
    db: &mut dyn Db,
    campaign: &str,
    tokens: &[[u8; 32]],
) -> Result<Vec<([u8; 32], i64)>> {
    let mut found = Vec::new();
    let mut at = 0;
    for size in sizes(tokens.len()) {
        let chunk = &tokens[at..at + size];
        at += size;
        let list: Vec<String> = (2..size + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT household, serial FROM roll_household WHERE campaign_id = $1 AND household IN ({})",
            list.join(", ")
        );
        let mut params: Vec<Param> = vec![campaign.into()];
        params.extend(chunk.iter().map(|t| Param::from(&t[..])));
        for row in db.query(&sql, &params)? {
            let token: [u8; 32] = row
                .bytes("household")?
                .try_into()
                .map_err(|_| crate::storage::column_error("household", "32바이트가 아님"))?;
            found.push((token, row.int("serial")?));
        }
    }
    Ok(found)
}

/// The highest household serial given so far (0 before any).
pub fn last_household_serial(db: &mut dyn Db, campaign: &str) -> Result<i64> {
    db.query_opt(
        "SELECT coalesce(max(serial), 0) AS last FROM roll_household WHERE campaign_id = $1",
        &[campaign.into()],
    )?
    .map_or(Ok(0), |r| r.int("last"))
}

/// A household numbered for the first time.
pub struct NewHousehold<'a> {
    pub campaign_id: &'a str,
    pub household: &'a [u8],
    pub serial: i64,
}

impl Insert<3> for NewHousehold<'_> {
    const INTO: &'static str = "roll_household (campaign_id, household, serial)";

    fn params(&self) -> [Param<'_>; 3] {
        [
            self.campaign_id.into(),
            self.household.into(),
            self.serial.into(),
        ]
    }
}

pub fn insert_households(db: &mut dyn Db, households: &[NewHousehold]) -> Result<()> {
    insert_rows(db, households)
}

/// The last complete version of a campaign's roll (0 before the first).
pub fn complete_roll_version_of(db: &mut dyn Db, campaign: &str) -> Result<i64> {
    db.query_opt(
        "SELECT coalesce(max(version), 0) AS version FROM roll_version WHERE campaign_id = $1 AND complete = 1",
        &[campaign.into()],
    )?
    .map_or(Ok(0), |r| r.int("version"))
}

/// A person as a terminal downloads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollDownloadRow {
    pub beneficiary_key: Vec<u8>,
    pub household_serial: i64,
    pub masked: String,
    pub sigungu: String,
    pub eupmyeondong: String,
    pub status: relief_core::roll::RollStatus,
}

impl FromRow for RollDownloadRow {
    fn from_row(r: &Row) -> Result<RollDownloadRow> {
        Ok(RollDownloadRow {
            beneficiary_key: r.bytes("beneficiary_key")?,
            household_serial: r.int("household_serial")?,
            masked: r.text("masked")?,
            sigungu: r.text("sigungu")?,
            eupmyeondong: r.text("eupmyeondong")?,
            status: r.parsed("status")?,
        })
    }
}

/// Where a page of the roll's download starts: after this household and
/// person (the beginning is household 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollPlace<'a> {
    pub household_serial: i64,
    pub beneficiary_key: &'a [u8],
}

const DOWNLOAD_COLUMNS: &str =
    "beneficiary_key, household_serial, masked, sigungu, eupmyeondong, status";

/// What one download covers: from nothing, the people of `sigungu` as of
/// `upto`; from a version, everyone of the campaign changed after it up to
/// `upto` (a terminal takes those of its 시군 and learns who left it).
#[derive(Debug, Clone, Copy)]
pub struct RollSpan<'a> {
    pub campaign: &'a str,
    pub sigungu: &'a str,
    pub from: i64,
    pub upto: i64,
}

impl<'a> RollSpan<'a> {
    /// The rows of the span: a condition on `$1`..`$3`, and those values.
    fn filter(&self) -> (&'static str, [Param<'a>; 3]) {
        if self.from == 0 {
            (
                "campaign_id = $1 AND sigungu = $2 AND version <= $3",
                [self.campaign.into(), self.sigungu.into(), self.upto.into()],
            )
        } else {
            (
                "campaign_id = $1 AND version > $2 AND version <= $3",
                [self.campaign.into(), self.from.into(), self.upto.into()],
            )
        }
    }
}

/// A page of a terminal's download, in household order.
pub fn roll_download_page(
    db: &mut dyn Db,
    span: RollSpan,
    after: RollPlace,
    limit: i64,
) -> Result<Vec<RollDownloadRow>> {
    let (filter, [p1, p2, p3]) = span.filter();
    let rows = db.query(
        &format!(
            "SELECT {DOWNLOAD_COLUMNS} FROM roll_person
             WHERE {filter}
               AND (household_serial > $4 OR (household_serial = $4 AND beneficiary_key > $5))
             ORDER BY household_serial, beneficiary_key LIMIT $6"
        ),
        &[
            p1,
            p2,
            p3,
            after.household_serial.into(),
            after.beneficiary_key.into(),
            limit.into(),
        ],
    )?;
    crate::storage::row::all(rows)
}

/// How many people a download brings.
pub fn roll_download_size(db: &mut dyn Db, span: RollSpan) -> Result<i64> {
    let (filter, params) = span.filter();
    db.query_opt(
        &format!("SELECT count(*) AS n FROM roll_person WHERE {filter}"),
        &params,
    )?
    .map_or(Ok(0), |r| r.int("n"))
}
