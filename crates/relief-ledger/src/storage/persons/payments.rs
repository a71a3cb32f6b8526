//! Payments, a row per payment whatever paid it: a counter's issuance or
//! the card companies online.

use relief_core::Channel;
use relief_protocol::Verification;

use crate::storage::batch::{Insert, each_statement, insert_one, insert_rows};
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
    /// In an open conflict with the payment that stands (see `person`).
    pub held: bool,
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
            held: r.flag("held")?,
        })
    }
}

/// A payment to record, for a person of a campaign.
pub struct NewPayment<'a> {
    pub campaign_id: &'a str,
    pub beneficiary_key: &'a [u8],
    pub reference: &'a str,
    pub channel: Channel,
    pub terminal_id: Option<&'a str>,
    pub issuance_id: Option<&'a str>,
    pub verification: Verification,
    pub site: &'a str,
    pub sigungu: &'a str,
    pub amount_krw: i64,
    pub paid_at: &'a str,
    pub recorded_at: &'a str,
}

impl Insert<12> for NewPayment<'_> {
    const INTO: &'static str = "payment (campaign_id, beneficiary_key, payment_ref, channel, terminal_id, issuance_id, verification, site, sigungu, amount_krw, paid_at, recorded_at)";

    fn params(&self) -> [Param<'_>; 12] {
        [
            self.campaign_id.into(),
            self.beneficiary_key.into(),
            self.reference.into(),
            self.channel.code().into(),
            self.terminal_id.into(),
            self.issuance_id.into(),
            self.verification.code().into(),
            self.site.into(),
            self.sigungu.into(),
            self.amount_krw.into(),
            self.paid_at.into(),
            self.recorded_at.into(),
        ]
    }
}

/// A payment's name is unique to its person.
const PASS_OVER_NAMES_TAKEN: &str =
    "ON CONFLICT (campaign_id, beneficiary_key, payment_ref) DO NOTHING";

/// Records a payment unless one of that name is there.
pub fn insert_payment(db: &mut dyn Db, p: &NewPayment) -> Result<()> {
    insert_one(db, p, PASS_OVER_NAMES_TAKEN)?;
    Ok(())
}

/// Payments all at once; a name already there is refused as a unique
/// violation.
pub fn insert_payments(db: &mut dyn Db, rows: &[NewPayment]) -> Result<()> {
    insert_rows(db, rows)
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
pub fn insert_new_payments(db: &mut dyn Db, rows: &[NewPayment]) -> Result<Vec<PaymentName>> {
    let mut written = Vec::new();
    let tail = format!("{PASS_OVER_NAMES_TAKEN} RETURNING beneficiary_key, payment_ref");
    each_statement(rows, &tail, |sql, params| {
        written.extend(all::<PaymentName>(db.query(sql, params)?)?);
        Ok(())
    })?;
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
        "SELECT p.id, p.payment_ref, p.channel, p.terminal_id, p.issuance_id, p.verification, p.site, p.sigungu, p.paid_at, p.held,
                CASE WHEN EXISTS (SELECT 1 FROM void v WHERE v.issuance_id = p.issuance_id) THEN 1 ELSE 0 END AS voided
         FROM payment p WHERE p.campaign_id = $1 AND p.beneficiary_key = $2 ORDER BY p.id",
        &[campaign.into(), key.into()],
    )?)
}

/// Marks a payment held or not, as `person` worked it out.
pub fn set_payment_held(db: &mut dyn Db, id: i64, held: bool) -> Result<()> {
    db.exec(
        "UPDATE payment SET held = $2 WHERE id = $1",
        &[id.into(), i64::from(held).into()],
    )?;
    Ok(())
}
