//! Reading issuances back: one, a day's, a beneficiary's.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use relief_core::Krw;
use relief_core::identity::BeneficiaryKey;
use relief_core::proxy::{IdDocument, Relation};
use relief_protocol::{CardActivation, CardDisposition, Verification};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::Result;
use crate::{Store, time};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuanceRecord {
    pub id: String,
    pub campaign_id: String,
    pub policy_version: String,
    pub site_code: String,
    pub clerk_id: String,
    pub issued_at: NaiveDateTime,
    pub applicant_masked: String,
    pub applicant_name: String,
    pub applicant_id_document: IdDocument,
    pub verification: Verification,
    pub offline_approved_by: Option<String>,
    /// The counter's approval of offline issuance it was recorded under
    /// (none where a supervisor approved it alone, or online).
    pub offline_approval: Option<String>,
    pub decision_window: String,
    pub total: Krw,
    pub beneficiaries: Vec<BeneficiaryRecord>,
    pub cards: Vec<CardRecord>,
    pub void: Option<VoidRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BeneficiaryRecord {
    pub key: String,
    pub masked: String,
    pub name: String,
    pub relation: Relation,
    pub household_size: u8,
    pub sigungu: String,
    pub shares: BTreeMap<String, Krw>,
    /// Served though the roll did not admit them, for this exception.
    pub roll_exception: Option<relief_core::roll::RollOverride>,
}

impl BeneficiaryRecord {
    pub fn amount(&self) -> Krw {
        self.shares.values().copied().sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardRecord {
    pub serial: String,
    pub amount: Krw,
    /// What the ledger last said of the card (waiting until it has).
    pub activation: CardActivation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoidRecord {
    pub id: String,
    pub voided_at: NaiveDateTime,
    pub voided_by: String,
    pub reason: String,
    pub card_disposition: CardDisposition,
    /// Made after its issuance's day was closed: the later day whose books
    /// it belongs to, as a correction.
    pub booked_on: Option<NaiveDate>,
}

impl Store {
    pub fn issuance(&self, id: &str) -> Result<Option<IssuanceRecord>> {
        load(&self.conn, id.trim())
    }

    /// Every issuance of a local day, voided ones included, in time order.
    pub fn issuances_on(&self, day: NaiveDate) -> Result<Vec<IssuanceRecord>> {
        let (start, end) = time::day_bounds(day);
        let ids: Vec<String> = self
            .conn
            .prepare_cached("SELECT id FROM issuance WHERE issued_at >= ?1 AND issued_at < ?2 ORDER BY issued_at, id")?
            .query_map(params![start, end], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        self.load_all(&ids)
    }

    /// Issuances of earlier, closed days whose void belongs to `day`'s
    /// books: the corrections that day's report lists.
    pub fn corrections_on(&self, day: NaiveDate) -> Result<Vec<IssuanceRecord>> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT issuance_id FROM void WHERE booked_on = ?1 ORDER BY voided_at, id",
            )?
            .query_map([day.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        self.load_all(&ids)
    }

    /// Every issuance that paid this beneficiary, voided ones included.
    pub fn issuances_for(&self, key: &BeneficiaryKey) -> Result<Vec<IssuanceRecord>> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT b.issuance_id FROM issuance_beneficiary b JOIN issuance i ON i.id = b.issuance_id
                 WHERE b.campaign_id = ?1 AND b.beneficiary_key = ?2 ORDER BY i.issued_at",
            )?
            .query_map(params![self.policy.campaign.id, key.as_bytes().as_slice()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        self.load_all(&ids)
    }

    fn load_all(&self, ids: &[String]) -> Result<Vec<IssuanceRecord>> {
        ids.iter()
            .filter_map(|id| load(&self.conn, id).transpose())
            .collect()
    }
}

fn load(conn: &Connection, id: &str) -> Result<Option<IssuanceRecord>> {
    type Head = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        IdDocument,
        Verification,
        Option<String>,
        String,
        i64,
        Option<String>,
    );
    let head: Option<Head> = conn
        .prepare_cached(
            "SELECT campaign_id, policy_version, site_code, clerk_id, issued_at, applicant_masked, applicant_name,
                    applicant_id_document, verification, offline_approved_by, decision_window, total_krw,
                    offline_approval_id
             FROM issuance WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
            ))
        })
        .optional()?;
    let Some((
        campaign_id,
        policy_version,
        site_code,
        clerk_id,
        issued_at,
        applicant_masked,
        applicant_name,
        applicant_id_document,
        verification,
        offline_approved_by,
        decision_window,
        total,
        offline_approval,
    )) = head
    else {
        return Ok(None);
    };

    let mut shares: BTreeMap<i64, BTreeMap<String, Krw>> = BTreeMap::new();
    let mut statement = conn.prepare_cached(
        "SELECT position, source, amount_krw FROM beneficiary_share WHERE issuance_id = ?1",
    )?;
    for row in statement.query_map([id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (position, source, amount) = row?;
        shares
            .entry(position)
            .or_default()
            .insert(source, Krw(amount as u64));
    }
    let mut statement = conn.prepare_cached(
        "SELECT b.position, b.beneficiary_key, b.masked, b.name, b.relation, b.household_size,
                b.sigungu, e.reason
         FROM issuance_beneficiary b
         LEFT JOIN roll_exception e ON e.issuance_id = b.issuance_id AND e.position = b.position
         WHERE b.issuance_id = ?1 ORDER BY b.position",
    )?;
    let beneficiaries = statement
        .query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Relation>(4)?,
                r.get::<_, u8>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<relief_core::roll::RollOverride>>(7)?,
            ))
        })?
        .map(|row| {
            let (position, key, masked, name, relation, household_size, sigungu, roll_exception) =
                row?;
            Ok(BeneficiaryRecord {
                key: hex::encode(key),
                masked,
                name,
                relation,
                household_size,
                sigungu,
                shares: shares.remove(&position).unwrap_or_default(),
                roll_exception,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let cards = conn
        .prepare_cached(
            "SELECT c.serial, c.amount_krw, a.activation
             FROM issuance_card c LEFT JOIN card_activation a ON a.serial = c.serial
             WHERE c.issuance_id = ?1 ORDER BY c.position",
        )?
        .query_map([id], |r| {
            Ok(CardRecord {
                serial: r.get(0)?,
                amount: Krw(r.get::<_, i64>(1)? as u64),
                activation: r
                    .get::<_, Option<CardActivation>>(2)?
                    .unwrap_or(CardActivation::Waiting),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let void = conn
        .prepare_cached("SELECT id, voided_at, voided_by, reason, card_disposition, booked_on FROM void WHERE issuance_id = ?1")?
        .query_row([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get::<_, Option<String>>(5)?))
        })
        .optional()?
        .map(|(id, voided_at, voided_by, reason, card_disposition, booked_on)| {
            Ok::<_, crate::Error>(VoidRecord {
                id,
                voided_at: time::parse(&voided_at)?,
                voided_by,
                reason,
                card_disposition,
                booked_on: booked_on
                    .map(|d| d.parse().map_err(|_| crate::Error::Corrupt(format!("정정일 {d:?}"))))
                    .transpose()?,
            })
        })
        .transpose()?;
    Ok(Some(IssuanceRecord {
        id: id.to_owned(),
        campaign_id,
        policy_version,
        site_code,
        clerk_id,
        issued_at: time::parse(&issued_at)?,
        applicant_masked,
        applicant_name,
        applicant_id_document,
        verification,
        offline_approved_by,
        offline_approval,
        decision_window,
        total: Krw(total as u64),
        beneficiaries,
        cards,
        void,
    }))
}
