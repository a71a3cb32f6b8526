//! Offline issuance opened at this counter (오프라인 발급 승인). When the
//! ledger cannot be reached, a supervisor approves offline issuance once,
//! with their PIN, for a while and a number of issuances the policy
//! bounds, instead of walking over for every card; each issuance under it
//! names it, and the supervisor closes it at any time. The states are in
//! the README ("Offline issuance at a counter").

use chrono::{Duration, NaiveDateTime};
use relief_core::policy::OfflineMode;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::clerk::Session;
use crate::error::{Error, Result};
use crate::{Store, close, snapshot, time};

/// An approval of offline issuance, as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfflineApproval {
    pub id: String,
    /// The supervisor who approved; each issuance under it names them.
    pub opened_by: String,
    pub opened_at: NaiveDateTime,
    /// It ends at this time at the latest, and never after its day.
    pub until: NaiveDateTime,
    pub max_issuances: u32,
    /// Issuances recorded under it so far (voided ones too: a void does
    /// not give back what was approved).
    pub used: u32,
}

impl OfflineApproval {
    pub fn remaining(&self) -> u32 {
        self.max_issuances.saturating_sub(self.used)
    }

    /// Whether an offline issuance at `at` may be recorded under it.
    fn covers(&self, at: NaiveDateTime) -> bool {
        self.opened_at <= at && at < self.until && self.used < self.max_issuances
    }
}

impl Store {
    /// A supervisor opens offline issuance at this counter for `minutes`
    /// and at most `issuances` issuances, each within the policy's bounds.
    /// An approval still open is replaced.
    pub fn open_offline_approval(
        &mut self,
        supervisor: &Session,
        minutes: u32,
        issuances: u32,
        at: NaiveDateTime,
    ) -> Result<OfflineApproval> {
        supervisor.require_supervisor()?;
        if self.policy.campaign.offline_mode == OfflineMode::Refuse {
            return Err(Error::OfflineRefused);
        }
        let bounds = self.policy.campaign.offline_approval;
        if !(1..=bounds.max_minutes).contains(&minutes)
            || !(1..=bounds.max_issuances).contains(&issuances)
        {
            return Err(Error::OfflineApprovalBounds {
                max_minutes: bounds.max_minutes,
                max_issuances: bounds.max_issuances,
            });
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if close::is_closed(&tx, at.date())? {
            return Err(Error::DayClosed(at.date()));
        }
        let midnight = at
            .date()
            .succ_opt()
            .expect("far from the end of time")
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists");
        let until = (at + Duration::minutes(i64::from(minutes))).min(midnight);
        let at_text = time::format(at);
        let by = supervisor.employee_id();
        let open: Option<String> = tx
            .query_row(
                "SELECT id FROM offline_approval WHERE closed_at IS NULL",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(old) = open {
            end(&tx, &old, supervisor, "replaced", at)?;
        }
        let id = Uuid::now_v7().to_string();
        tx.execute(
            "INSERT INTO offline_approval (id, opened_by, opened_at, until, max_issuances)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, by, at_text, time::format(until), issuances],
        )?;
        let content = snapshot::offline_approval_opened(&tx, &id)?;
        audit::append(
            &tx,
            at,
            Some(by),
            Action::OfflineApprovalOpened,
            &id,
            &content,
        )?;
        tx.commit()?;
        Ok(OfflineApproval {
            id,
            opened_by: by.to_owned(),
            opened_at: at,
            until,
            max_issuances: issuances,
            used: 0,
        })
    }

    /// A supervisor ends the approval in force now (any supervisor: the
    /// one who opened it may have gone).
    pub fn close_offline_approval(
        &mut self,
        supervisor: &Session,
        at: NaiveDateTime,
    ) -> Result<OfflineApproval> {
        supervisor.require_supervisor()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let approval = in_force(&tx, at)?.ok_or(Error::NoOfflineApproval)?;
        end(&tx, &approval.id, supervisor, "closed", at)?;
        tx.commit()?;
        Ok(approval)
    }

    /// The approval under which an offline issuance at `at` would be
    /// recorded, if one is in force.
    pub fn offline_approval(&self, at: NaiveDateTime) -> Result<Option<OfflineApproval>> {
        in_force(&self.conn, at)
    }
}

/// Closes an approval, with its audit entry.
fn end(
    conn: &Connection,
    id: &str,
    supervisor: &Session,
    reason: &str,
    at: NaiveDateTime,
) -> Result<()> {
    conn.execute(
        "UPDATE offline_approval SET closed_at = ?2, closed_by = ?3, close_reason = ?4 WHERE id = ?1",
        params![id, time::format(at), supervisor.employee_id(), reason],
    )?;
    let content = snapshot::offline_approval_closed(conn, id)?;
    audit::append(
        conn,
        at,
        Some(supervisor.employee_id()),
        Action::OfflineApprovalClosed,
        id,
        &content,
    )?;
    Ok(())
}

/// The open approval, if it covers `at`: not closed, within its time and
/// its count, and its supervisor still on the staff.
pub(crate) fn in_force(conn: &Connection, at: NaiveDateTime) -> Result<Option<OfflineApproval>> {
    let row: Option<(String, String, String, String, u32, u32)> = conn
        .prepare_cached(
            "SELECT a.id, a.opened_by, a.opened_at, a.until, a.max_issuances,
                    (SELECT count(*) FROM issuance i WHERE i.offline_approval_id = a.id)
             FROM offline_approval a
             WHERE a.closed_at IS NULL
               AND a.opened_by NOT IN (SELECT employee_id FROM clerk_removal)",
        )?
        .query_row([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let Some((id, opened_by, opened_at, until, max_issuances, used)) = row else {
        return Ok(None);
    };
    let approval = OfflineApproval {
        id,
        opened_by,
        opened_at: time::parse(&opened_at)?,
        until: time::parse(&until)?,
        max_issuances,
        used,
    };
    Ok(approval.covers(at).then_some(approval))
}
