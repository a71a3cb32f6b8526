//! The online channel: the card companies' applications, imported so that
//! counters refuse people already paid online. Each identity number becomes
//! its beneficiary key at once; no plain number is kept or logged.
//!
//! A file is written a round of rows at a time, each round its own short
//! transaction, so that a counter's claim never waits behind a whole file.
//! A payment is known by its person, issuer and time: rows repeated, or a
//! file sent again, add nothing; two different online payments for one
//! person are a conflict like any other.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use chrono::NaiveDateTime;
use relief_core::identity::{CampaignSecret, IdentityNumber};
use relief_core::{Channel, Sigungu};
use relief_protocol::Verification;
use serde::Serialize;

use super::csv_rows::{self, CsvRows, in_campaign};
use super::{Ledger, Result, ServiceError, ts};
use crate::person;
use crate::storage::persons::{self, NewEntitlement, NewPayment};
use crate::storage::queries::{self, FeedPaid, FeedRows};
use crate::storage::{Db, Storage, StorageError};

/// The columns the card companies send, in this order, with a header.
pub const COLUMNS: [&str; 5] = ["rrn", "sigungu", "amount_krw", "paid_at", "issuer"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    /// New payments recorded.
    pub imported: u64,
    /// Payments the ledger already held (the same row again, or a file
    /// sent again): nothing was written for them.
    pub repeated: u64,
    /// Conflicts recorded: a person paid at a counter, or online, before.
    pub conflicts: u64,
    /// Rows refused, by line number and reason (never the number itself).
    pub invalid: Vec<(u64, String)>,
}

struct Row {
    id: IdentityNumber,
    sigungu: Sigungu,
    amount: i64,
    paid_at: NaiveDateTime,
    issuer: String,
}

fn parse_row(record: &csv::StringRecord) -> std::result::Result<Row, String> {
    let id = IdentityNumber::parse(&record[0]).map_err(|e| e.to_string())?;
    let sigungu = csv_rows::sigungu(&record[1])?;
    let amount: i64 = record[2]
        .trim()
        .parse()
        .map_err(|_| "금액이 숫자가 아닙니다".to_owned())?;
    if amount <= 0 {
        return Err("금액은 0보다 커야 합니다".into());
    }
    let paid_at = NaiveDateTime::parse_from_str(record[3].trim(), "%Y-%m-%dT%H:%M:%S")
        .map_err(|_| "paid_at은 YYYY-MM-DDTHH:MM:SS입니다".to_owned())?;
    let issuer = record[4].trim().to_owned();
    if issuer.is_empty() {
        return Err("issuer가 비어 있습니다".into());
    }
    Ok(Row {
        id,
        sigungu,
        amount,
        paid_at,
        issuer,
    })
}

/// Rows per transaction: on SQLite, with its one writer, few enough that a
/// counter's claim waiting behind a round barely notices; on PostgreSQL a
/// round holds only its own people (and the feed from its first row to
/// its commit), so more.
pub fn round_size(dialect: &str) -> usize {
    if dialect == "sqlite" { 256 } else { 1_024 }
}

/// A valid row, keyed: nothing of the identity number is left in it.
struct Payment {
    key: [u8; 32],
    reference: String,
    sigungu: String,
    amount: i64,
    issuer: String,
    paid_at: String,
}

impl<S: Storage> Ledger<S> {
    /// Imports the card companies' file into `campaign_id`.
    pub fn import_online(&self, campaign_id: &str, csv: impl Read) -> Result<ImportReport> {
        let mut rows = CsvRows::open(csv, &COLUMNS)?;
        let (secret, policy) = self.campaign_keys(campaign_id)?;
        let mut report = ImportReport::default();
        let size = round_size(self.storage.dialect());
        let mut round = Vec::with_capacity(size);
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
            let paid_at = ts(row.paid_at);
            round.push(Payment {
                key: *row.id.beneficiary_key(&secret).as_bytes(),
                reference: online_ref(&row.issuer, &paid_at),
                sigungu: row.sigungu.to_string(),
                amount: row.amount,
                issuer: row.issuer,
                paid_at,
            });
            if round.len() == size {
                self.write_round(campaign_id, &round, &mut report)?;
                round.clear();
            }
        }
        self.write_round(campaign_id, &round, &mut report)?;
        report.rows = rows.rows;
        self.metrics.online_imported.inc_by(report.imported);
        tracing::info!(
            rows = report.rows,
            imported = report.imported,
            repeated = report.repeated,
            conflicts = report.conflicts,
            invalid = report.invalid.len(),
            "online payments imported"
        );
        Ok(report)
    }

    /// What a file of identity numbers is keyed and checked by: the
    /// campaign's secret and its current policy.
    pub(super) fn campaign_keys(
        &self,
        campaign_id: &str,
    ) -> Result<(CampaignSecret, std::sync::Arc<relief_core::policy::Policy>)> {
        self.storage.read(|db| -> Result<_> {
            let campaign = queries::campaign(db, campaign_id)?.ok_or_else(|| {
                ServiceError::NotFound(format!("캠페인 {campaign_id}이(가) 없습니다"))
            })?;
            super::purge::require_unpurged(&campaign)?;
            let secret = CampaignSecret::from_bytes(campaign.secret.clone()).map_err(|e| {
                StorageError::Corrupt(format!("캠페인 {campaign_id}의 비밀값: {e}"))
            })?;
            let (_, policy) = self.current_policy(db, campaign_id)?;
            Ok((secret, policy))
        })
    }

    fn write_round(
        &self,
        campaign_id: &str,
        round: &[Payment],
        report: &mut ImportReport,
    ) -> Result<()> {
        if round.is_empty() {
            return Ok(());
        }
        let now = ts(self.now());
        let (imported, conflicts) = self
            .storage
            .transaction(|db| write_round(db, campaign_id, round, &now))?;
        report.imported += imported;
        report.repeated += round.len() as u64 - imported;
        report.conflicts += conflicts;
        Ok(())
    }
}

/// The name an online payment goes by at the ledger.
pub(crate) fn online_ref(issuer: &str, paid_at: &str) -> String {
    format!("online:{issuer}:{paid_at}")
}

/// One round, in one transaction: (payments new to the ledger, conflicts
/// recorded).
fn write_round(
    db: &mut dyn Db,
    campaign_id: &str,
    round: &[Payment],
    now: &str,
) -> Result<(u64, u64)> {
    let payments: Vec<NewPayment> = round
        .iter()
        .map(|p| NewPayment {
            campaign_id,
            beneficiary_key: &p.key,
            reference: &p.reference,
            channel: Channel::Online,
            terminal_id: None,
            issuance_id: None,
            verification: Verification::Online,
            site: &p.issuer,
            sigungu: &p.sigungu,
            amount_krw: p.amount,
            paid_at: &p.paid_at,
            recorded_at: now,
        })
        .collect();
    let new = persons::insert_new_payments(db, &payments)?;
    // Each person once, in key order, with the payments new to them.
    let in_round: HashMap<(&[u8], &str), &Payment> = round
        .iter()
        .map(|p| ((p.key.as_slice(), p.reference.as_str()), p))
        .collect();
    let mut by_person: BTreeMap<&[u8], Vec<&Payment>> = BTreeMap::new();
    for written in &new {
        if let Some(p) = in_round.get(&(written.key.as_slice(), written.reference.as_str())) {
            by_person.entry(p.key.as_slice()).or_default().push(p);
        }
    }
    // Someone met for the first time with one payment is plain; anyone
    // else is read and settled. Creating the first and locking the others
    // goes in key order in one pass, as claims lock.
    let settled: Vec<_> = by_person
        .values()
        .map(|paid| (paid.len() == 1).then(|| person::first_payment(&paid[0].reference, None)))
        .collect();
    let rows: Vec<NewEntitlement> = by_person
        .keys()
        .zip(&settled)
        .map(|(key, first)| {
            let (state, standing_ref) = match first {
                Some(s) => (s.state.code(), s.deny.standing.as_deref()),
                None => ("unpaid", None),
            };
            NewEntitlement {
                campaign_id,
                beneficiary_key: key,
                state,
                standing_ref,
                other_ref: None,
                changed_at: now,
            }
        })
        .collect();
    let created: HashSet<Vec<u8>> = persons::insert_or_lock_entitlements(db, &rows)?
        .into_iter()
        .collect();
    let mut feed = FeedRows::default();
    let mut conflicts = 0;
    let mut rest = Vec::new();
    for ((key, paid), first) in by_person.iter().zip(&settled) {
        let fresh = first.is_some() && created.contains(*key);
        if !fresh {
            rest.push(*key);
            continue;
        }
        let p = paid[0];
        feed.paid(&FeedPaid {
            campaign_id,
            sigungu: &p.sigungu,
            key,
            payer_terminal: None,
            channel: Channel::Online.code(),
            site: &p.issuer,
            at: &p.paid_at,
        });
    }
    for key in rest {
        let (_, settled) = person::settle(db, campaign_id, key, now, &mut feed)?;
        conflicts += settled.new_conflicts.len() as u64;
    }
    feed.flush(db, now)?;
    Ok((new.len() as u64, conflicts))
}
