//! A clerk's shift as a till counts it: what each clerk handed over today
//! (issuances, people, cards, won), voided issuances left out and counted
//! apart.

use chrono::NaiveDate;
use relief_core::Krw;
use rusqlite::params;
use serde::Serialize;

use crate::error::Result;
use crate::{Store, time};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shift {
    pub clerk_id: String,
    pub clerk_name: String,
    /// Issuances that stand (not voided).
    pub issuances: u64,
    pub people: u64,
    pub cards: u64,
    pub total: Krw,
    /// Issuances of the day since voided.
    pub voided: u64,
}

impl Store {
    /// Each clerk's shift on `day`, by employee id; only clerks who issued.
    pub fn shifts_on(&self, day: NaiveDate) -> Result<Vec<Shift>> {
        let (start, end) = time::day_bounds(day);
        let mut statement = self.conn.prepare_cached(
            "SELECT i.clerk_id, coalesce(c.name, i.clerk_id),
                    count(*) FILTER (WHERE v.id IS NULL),
                    coalesce(sum((SELECT count(*) FROM issuance_beneficiary b WHERE b.issuance_id = i.id))
                             FILTER (WHERE v.id IS NULL), 0),
                    coalesce(sum((SELECT count(*) FROM issuance_card k WHERE k.issuance_id = i.id))
                             FILTER (WHERE v.id IS NULL), 0),
                    coalesce(sum(i.total_krw) FILTER (WHERE v.id IS NULL), 0),
                    count(v.id)
             FROM issuance i
             LEFT JOIN void v ON v.issuance_id = i.id
             LEFT JOIN clerk c ON c.employee_id = i.clerk_id
             WHERE i.issued_at >= ?1 AND i.issued_at < ?2
             GROUP BY i.clerk_id
             ORDER BY i.clerk_id",
        )?;
        let rows = statement.query_map(params![start, end], |r| {
            // Counts and sums of positive amounts: never negative.
            let count = |i| r.get::<_, i64>(i).map(|n| n as u64);
            Ok(Shift {
                clerk_id: r.get(0)?,
                clerk_name: r.get(1)?,
                issuances: count(2)?,
                people: count(3)?,
                cards: count(4)?,
                total: Krw(count(5)?),
                voided: count(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
