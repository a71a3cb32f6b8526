//! Payments, a row per payment whatever paid it: a counter's issuance or
//! the card companies online.

use relief_core::Channel;
use relief_protocol::Verification;

use crate::storage::row::all;
use crate::storage::{Db, FromRow, Param, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

/// A payment as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: i64,
    pub reference: String,
    pub channel: Channel,
    pub terminal_id: Option<String>,
    pub issuance_id: Option<String>,
    pub verification: Verification,
    pub site: String,
    pub sigungu: String,
    pub paid_at: String,
    pub voided: bool,
}

impl FromRow for PaymentRow {
    fn from_row(r: &Row) -> Result<PaymentRow> {
        Ok(PaymentRow {
            id: r.int("id")?,
            reference: r.text("payment_ref")?,
            channel: r.parsed("channel")?,
            terminal_id: r.opt_text("terminal_id")?,
            issuance_id: r.opt_text("issuance_id")?,
            verification: r.parsed("verification")?,
            site: r.text("site")?,
            sigungu: r.text("sigungu")?,
            paid_at: r.text("paid_at")?,
            voided: r.flag("voided")?,
        })
    }
}

/// A payment to record.
pub struct NewPayment<'a> {
    pub reference: &'a str,
    pub channel: Channel,
    pub terminal_id: Option<&'a str>,
    pub issuance_id: Option<&'a str>,
    pub verification: Verification,
    pub site: &'a str,
    pub sigungu: &'a str,
    pub amount_krw: i64,
    pub paid_at: &'a str,
}

impl<'a> NewPayment<'a> {
    /// Its columns in table order after the id, as parameters: campaign_id,
    /// beneficiary_key, payment_ref, channel, terminal_id, issuance_id,
    /// verification, site, sigungu, amount_krw, paid_at, recorded_at.
    pub fn params(&self, campaign: &'a str, key: &'a [u8], now: &'a str) -> [Param<'a>; 12] {
        [
            campaign.into(),
            key.into(),
            self.reference.into(),
            self.channel.code().into(),
            self.terminal_id.into(),
            self.issuance_id.into(),
            self.verification.code().into(),
            self.site.into(),
            self.sigungu.into(),
            self.amount_krw.into(),
            self.paid_at.into(),
            now.into(),
        ]
    }
}

pub const PAYMENT_COLUMNS: &str = "payment (campaign_id, beneficiary_key, payment_ref, channel, terminal_id, issuance_id, verification, site, sigungu, amount_krw, paid_at, recorded_at)";

/// Records a payment unless one of that name is there; whether it was.
pub fn insert_payment(
    db: &mut dyn Db,
    campaign: &str,
    key: &[u8],
    p: &NewPayment,
    now: &str,
) -> Result<bool> {
    Ok(db.exec(
        &format!(
            "INSERT INTO {PAYMENT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (campaign_id, beneficiary_key, payment_ref) DO NOTHING"
        ),
        &p.params(campaign, key, now),
    )? == 1)
}

/// Payment rows all at once (parameters as [`NewPayment::params`]); a
/// name already there is refused as a unique violation.
pub fn insert_payments(db: &mut dyn Db, rows: &[Param]) -> Result<()> {
    crate::storage::batch::insert(db, PAYMENT_COLUMNS, 12, rows)
}

/// A payment by its name: whose, and which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentName {
    pub key: Vec<u8>,
    pub reference: String,
}

impl FromRow for PaymentName {
    fn from_row(r: &Row) -> Result<PaymentName> {
        Ok(PaymentName {
            key: r.bytes("beneficiary_key")?,
            reference: r.text("payment_ref")?,
        })
    }
}

/// As [`insert_payments`], passing over names already there: the payments
/// written.
pub fn insert_new_payments(db: &mut dyn Db, rows: &[Param]) -> Result<Vec<PaymentName>> {
    let mut written = Vec::new();
    crate::storage::batch::each_statement(
        PAYMENT_COLUMNS,
        12,
        rows,
        "ON CONFLICT (campaign_id, beneficiary_key, payment_ref) DO NOTHING RETURNING beneficiary_key, payment_ref",
        |sql, params| {
            written.extend(all::<PaymentName>(db.query(sql, params)?)?);
            Ok(())
        },
    )?;
    Ok(written)
}

/// Everyone paid by an issuance.
pub fn payees_of_issuance(db: &mut dyn Db, issuance_id: &str) -> Result<Vec<Vec<u8>>> {
    db.query(
        "SELECT beneficiary_key FROM issuance_beneficiary WHERE issuance_id = $1 ORDER BY beneficiary_key",
        &[issuance_id.into()],
    )?
    .iter()
    .map(|r| r.bytes("beneficiary_key"))
    .collect()
}

/// A person's payments, in the order they were recorded.
pub fn payments(db: &mut dyn Db, campaign: &str, key: &[u8]) -> Result<Vec<PaymentRow>> {
    all(db.query(
        "SELECT p.id, p.payment_ref, p.channel, p.terminal_id, p.issuance_id, p.verification, p.site, p.sigungu, p.paid_at,
                CASE WHEN EXISTS (SELECT 1 FROM void v WHERE v.issuance_id = p.issuance_id) THEN 1 ELSE 0 END AS voided
         FROM payment p WHERE p.campaign_id = $1 AND p.beneficiary_key = $2 ORDER BY p.id",
        &[campaign.into(), key.into()],
    )?)
}
