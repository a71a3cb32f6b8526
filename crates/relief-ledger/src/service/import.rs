//! The online channel: the card companies' applications, imported so that
//! counters refuse people already paid online. Each identity number becomes
//! its beneficiary key at once; no plain number is kept or logged.

use std::collections::HashSet;
use std::io::Read;

use chrono::NaiveDateTime;
use relief_core::Sigungu;
use relief_core::identity::{CampaignSecret, IdentityNumber};
use serde::Serialize;

use super::{Ledger, Result, ServiceError, conflict, ts};
use crate::storage::queries::{self, EntitlementRow, FeedPaid, Side};
use crate::storage::{Db, Param, Storage, StorageError, batch};

/// The columns the card companies send, in this order, with a header.
pub const COLUMNS: [&str; 5] = ["rrn", "sigungu", "amount_krw", "paid_at", "issuer"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub imported: u64,
    /// Paid at a counter first: recorded as conflicts for those counters.
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
    if record.len() != COLUMNS.len() {
        return Err(format!(
            "열이 {}개여야 합니다 ({}개)",
            COLUMNS.len(),
            record.len()
        ));
    }
    let id = IdentityNumber::parse(&record[0]).map_err(|e| e.to_string())?;
    let sigungu: Sigungu = record[1]
        .parse()
        .map_err(|e: relief_core::region::InvalidSigunguCode| e.to_string())?;
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

impl<S: Storage> Ledger<S> {
    pub fn import_online(&self, campaign_id: Option<&str>, csv: impl Read) -> Result<ImportReport> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(csv);
        let header = reader
            .headers()
            .map_err(|e| ServiceError::bad("invalid_csv", e.to_string()))?;
        if header.iter().collect::<Vec<_>>() != COLUMNS {
            return Err(ServiceError::bad(
                "invalid_csv",
                format!("첫 줄은 {}이어야 합니다", COLUMNS.join(",")),
            ));
        }
        let now = ts(self.now());
        self.storage
            .transaction(|db| -> Result<ImportReport> {
                db.lock_feed()?;
                let campaign_id = match campaign_id {
                    Some(id) => id.to_owned(),
                    None => queries::campaign_ids(db)?
                        .into_iter()
                        .next()
                        .ok_or_else(|| ServiceError::NotFound("캠페인이 없습니다".into()))?,
                };
                let campaign = queries::campaign(db, &campaign_id)?.ok_or_else(|| {
                    ServiceError::NotFound(format!("캠페인 {campaign_id}이(가) 없습니다"))
                })?;
                let secret = CampaignSecret::from_bytes(campaign.secret.clone())
                    .map_err(|e| StorageError::Config(e.to_string()))?;
                let (_, policy) = self.current_policy(db, &campaign_id)?;
                let mut report = ImportReport::default();
                let mut round = Vec::with_capacity(ROUND);
                let mut record = csv::StringRecord::new();
                while reader
                    .read_record(&mut record)
                    .map_err(|e| ServiceError::bad("invalid_csv", e.to_string()))?
                {
                    report.rows += 1;
                    let line = record.position().map_or(report.rows + 1, |p| p.line());
                    let row = match parse_row(&record) {
                        Ok(row) if policy.covers(row.sigungu) => row,
                        Ok(row) => {
                            report
                                .invalid
                                .push((line, format!("캠페인에 없는 시군입니다: {}", row.sigungu)));
                            continue;
                        }
                        Err(problem) => {
                            report.invalid.push((line, problem));
                            continue;
                        }
                    };
                    round.push(Payment {
                        key: *row.id.beneficiary_key(&secret).as_bytes(),
                        sigungu: row.sigungu.to_string(),
                        amount: row.amount,
                        issuer: row.issuer,
                        paid_at: ts(row.paid_at),
                    });
                    if round.len() == ROUND {
                        write_round(db, &campaign_id, &round, &now, &mut report)?;
                        round.clear();
                    }
                }
                write_round(db, &campaign_id, &round, &now, &mut report)?;
                Ok(report)
            })
            .inspect(|report| {
                self.metrics.online_imported.inc_by(report.imported);
                tracing::info!(
                    rows = report.rows,
                    imported = report.imported,
                    conflicts = report.conflicts,
                    invalid = report.invalid.len(),
                    "online payments imported"
                );
            })
    }
}

/// A valid row, keyed: nothing of the identity number is left in it.
struct Payment {
    key: [u8; 32],
    sigungu: String,
    amount: i64,
    issuer: String,
    paid_at: String,
}

/// Rows keyed, then written a table at a time: one row at a time took
/// 465 s for 1.2 M rows on PostgreSQL, a round trip per statement.
const ROUND: usize = 1_024;

fn write_round(
    db: &mut dyn Db,
    campaign_id: &str,
    round: &[Payment],
    now: &str,
    report: &mut ImportReport,
) -> Result<()> {
    let mut rows: Vec<Param> = Vec::with_capacity(round.len() * 10);
    for p in round {
        rows.extend::<[Param; _]>([
            campaign_id.into(),
            p.key.as_slice().into(),
            (&p.sigungu).into(),
            p.amount.into(),
            (&p.issuer).into(),
            (&p.paid_at).into(),
            now.into(),
        ]);
    }
    batch::insert_online_payments(db, &rows)?;
    rows.clear();
    for p in round {
        rows.extend::<[Param; _]>([
            campaign_id.into(),
            p.key.as_slice().into(),
            "paid".into(),
            Param::Text(None),
            Param::Text(None),
            "online".into(),
            (&p.issuer).into(),
            (&p.sigungu).into(),
            (&p.paid_at).into(),
            Param::Text(None),
        ]);
    }
    let mut new: HashSet<Vec<u8>> = batch::insert_new_entitlements(db, &rows)?
        .into_iter()
        .collect();
    rows.clear();
    let mut repeats = Vec::new();
    for p in round {
        // New once: a second row for the same person in this round is a
        // repeat, as is a person the ledger held before.
        if new.remove(p.key.as_slice()) {
            rows.extend::<[Param; _]>([
                campaign_id.into(),
                "paid".into(),
                (&p.sigungu).into(),
                p.key.as_slice().into(),
                Param::Text(None),
                "online".into(),
                (&p.issuer).into(),
                (&p.paid_at).into(),
            ]);
            report.imported += 1;
        } else {
            repeats.push(p);
        }
    }
    batch::insert_feed(db, &rows)?;
    for p in repeats {
        record_repeat(db, campaign_id, p, now, report)?;
    }
    Ok(())
}

/// A person the ledger already held when this round was written: the same
/// application sent again (nothing to do), a person being served at a
/// counter (the payment takes the claim's place), or one paid at a counter
/// first, a conflict that counter is told of, once however often the file
/// comes.
fn record_repeat(
    db: &mut dyn Db,
    campaign_id: &str,
    p: &Payment,
    now: &str,
    report: &mut ImportReport,
) -> Result<()> {
    let existing = queries::entitlement(db, campaign_id, &p.key)?;
    let paid = EntitlementRow {
        state: "paid".into(),
        terminal_id: None,
        issuance_id: None,
        channel: "online".into(),
        site: p.issuer.clone(),
        sigungu: Some(p.sigungu.clone()),
        at: p.paid_at.clone(),
        expires_at: None,
    };
    let recorded = match &existing {
        // Released since the round met it.
        None => queries::insert_entitlement(db, campaign_id, &p.key, &paid)?,
        Some(held) if held.state == "claimed" => {
            queries::pay_over_claim(db, campaign_id, &p.key, &paid)?
        }
        Some(_) => false,
    };
    if recorded {
        queries::feed_paid(
            db,
            &FeedPaid {
                campaign_id,
                sigungu: &p.sigungu,
                key: &p.key,
                payer_terminal: None,
                channel: "online",
                site: &p.issuer,
                at: &p.paid_at,
            },
        )?;
        report.imported += 1;
        return Ok(());
    }
    let existing =
        existing.ok_or_else(|| StorageError::Config("지급 기록이 사라졌습니다".into()))?;
    if existing.channel == "online"
        || queries::online_payment_in_conflict(db, campaign_id, &p.key, &p.issuer, &p.paid_at)?
    {
        return Ok(());
    }
    let other = Side {
        issuance_id: None,
        terminal_id: None,
        channel: "online".into(),
        site: p.issuer.clone(),
        at: p.paid_at.clone(),
    };
    conflict::record(db, campaign_id, &p.key, &existing, other, now)?;
    report.conflicts += 1;
    Ok(())
}
