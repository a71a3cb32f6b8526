//! The entitlement row: what `person` last worked out for someone, and
//! also what concurrent writers lock a person by.

use crate::storage::batch::{Insert, each_statement, insert_rows};
use crate::storage::row::first;
use crate::storage::{Db, FromRow, Param, Row, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

/// What `person` last worked out for someone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntitlementRow {
    pub state: String,
    pub standing_ref: Option<String>,
    pub other_ref: Option<String>,
}

impl FromRow for EntitlementRow {
    fn from_row(r: &Row) -> Result<EntitlementRow> {
        Ok(EntitlementRow {
            state: r.text("state")?,
            standing_ref: r.opt_text("standing_ref")?,
            other_ref: r.opt_text("other_ref")?,
        })
    }
}

/// The person's entitlement row, made `unpaid` if there is none yet, and
/// locked until the transaction ends where the database has many writers.
pub fn lock_entitlement(
    db: &mut dyn Db,
    campaign: &str,
    key: &[u8],
    now: &str,
) -> Result<EntitlementRow> {
    db.exec(
        "INSERT INTO entitlement (campaign_id, beneficiary_key, state, changed_at) VALUES ($1, $2, 'unpaid', $3)
         ON CONFLICT (campaign_id, beneficiary_key) DO NOTHING",
        &[campaign.into(), key.into(), now.into()],
    )?;
    let sql = format!(
        "SELECT state, standing_ref, other_ref FROM entitlement WHERE campaign_id = $1 AND beneficiary_key = $2{}",
        db.for_update()
    );
    first(db.query_opt(&sql, &[campaign.into(), key.into()])?)?
        .ok_or_else(|| StorageError::Race("수급자 행이 사라졌습니다".into()))
}

pub fn update_entitlement(
    db: &mut dyn Db,
    campaign: &str,
    key: &[u8],
    e: &EntitlementRow,
    now: &str,
) -> Result<()> {
    db.exec(
        "UPDATE entitlement SET state = $3, standing_ref = $4, other_ref = $5, changed_at = $6
         WHERE campaign_id = $1 AND beneficiary_key = $2",
        &[
            campaign.into(),
            key.into(),
            (&e.state).into(),
            e.standing_ref.as_deref().into(),
            e.other_ref.as_deref().into(),
            now.into(),
        ],
    )?;
    Ok(())
}

/// The entitlement row of someone met for the first time, worked out
/// already.
pub struct NewEntitlement<'a> {
    pub campaign_id: &'a str,
    pub beneficiary_key: &'a [u8],
    pub state: &'a str,
    pub standing_ref: Option<&'a str>,
    pub other_ref: Option<&'a str>,
    pub changed_at: &'a str,
}

impl Insert<6> for NewEntitlement<'_> {
    const INTO: &'static str =
        "entitlement (campaign_id, beneficiary_key, state, standing_ref, other_ref, changed_at)";

    fn params(&self) -> [Param<'_>; 6] {
        [
            self.campaign_id.into(),
            self.beneficiary_key.into(),
            self.state.into(),
            self.standing_ref.into(),
            self.other_ref.into(),
            self.changed_at.into(),
        ]
    }
}

/// Entitlement rows for people met for the first time, all at once.
/// Anyone already there is refused as a unique violation: the caller then
/// goes one person at a time.
pub fn insert_entitlements(db: &mut dyn Db, rows: &[NewEntitlement]) -> Result<()> {
    insert_rows(db, rows)
}

/// As [`insert_entitlements`] (rows in key order), where anyone already
/// there is locked instead (see [`Db::entitlement_upsert`]): the keys this
/// created.
pub fn insert_or_lock_entitlements(
    db: &mut dyn Db,
    rows: &[NewEntitlement],
) -> Result<Vec<Vec<u8>>> {
    let tail = db.entitlement_upsert();
    let mut created = Vec::new();
    each_statement(rows, tail, |sql, params| {
        for row in db.query(sql, params)? {
            if row.flag("created")? {
                created.push(row.bytes("beneficiary_key")?);
            }
        }
        Ok(())
    })?;
    Ok(created)
}
