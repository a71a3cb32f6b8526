//! The purge of personal data once the policy's retention has passed
//! (개인정보 보호법: destroyed when its purpose ends).
//!
//! Names, masked numbers, beneficiary keys, the deny-list, the roll, the
//! campaign secret, the events' payloads and the day-close reports (which
//! list names) are destroyed; issuances, cards, amounts and days stay, so
//! every count a report needs still adds up. Audit entries whose rows the
//! purge changed keep only the SHA-256 of their old content, and the
//! purge's own entry seals them: the chain still verifies, and says how
//! many entries a purge blanked.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Action, PurgeSeal, purged_marker};
use crate::clerk::Session;
use crate::error::{Error, Result};
use crate::{Store, snapshot, time};

/// What a purge destroyed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Purged {
    pub purged_at: NaiveDateTime,
    pub issuances: u64,
    pub beneficiaries: u64,
    pub deny_keys: u64,
    pub roll_people: u64,
    /// Audit entries whose content went with the rows they covered.
    pub audit_entries: u64,
}

/// The tables a purge rewrites, whose history is otherwise append-only.
const REWRITTEN: &[&str] = &[
    "issuance",
    "issuance_beneficiary",
    "roll_exception",
    "outbox",
    "day_close",
    "audit_log",
];

/// An audit entry as stored: seq, at, actor, action, subject, content, hash.
type EntryRow = (i64, String, Option<String>, String, String, String, Vec<u8>);

/// What stands where a name or a number was.
const NAME_GONE: &str = "(파기)";
const MASKED_GONE: &str = "000000-0******";

impl Store {
    /// The last day personal data is kept; a purge is allowed after it.
    pub fn personal_data_kept_until(&self) -> NaiveDate {
        self.policy.campaign.personal_data_kept_until()
    }

    /// When this store's personal data was purged, if it was.
    pub fn purged_at(&self) -> Result<Option<NaiveDateTime>> {
        let at: Option<String> = self
            .conn
            .query_row("SELECT purged_at FROM purge WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        at.map(|at| time::parse(&at)).transpose()
    }

    /// Purges the personal data (supervisor; only after the retention end,
    /// with every event acknowledged by the ledger and the chain intact).
    pub fn purge(&mut self, by: &Session, at: NaiveDateTime) -> Result<Purged> {
        by.require_supervisor()?;
        let until = self.personal_data_kept_until();
        if at.date() <= until {
            return Err(Error::PurgeTooEarly { until });
        }
        if let Some(when) = self.purged_at()? {
            return Err(Error::AlreadyPurged(when));
        }
        let unsent = self.sync_status()?.pending;
        if unsent > 0 {
            return Err(Error::UnsentEvents(unsent));
        }
        if !self.verify_audit()?.is_intact() {
            return Err(Error::PurgeAuditBroken);
        }

        let count = |conn: &rusqlite::Connection, sql: &str| -> Result<u64> {
            Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Destroyed pages are overwritten, not merely freed.
        tx.pragma_update(None, "secure_delete", "ON")?;
        let issuances = count(&tx, "SELECT count(*) FROM issuance")?;
        let beneficiaries = count(&tx, "SELECT count(*) FROM issuance_beneficiary")?;
        let deny_keys = count(&tx, "SELECT count(*) FROM deny_list")?;
        let roll_people = count(&tx, "SELECT count(*) FROM roll_person")?;

        // The append-only triggers stand aside for this one transaction.
        let mut triggers = Vec::new();
        for table in REWRITTEN {
            let mut statement = tx.prepare(
                "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1 AND name LIKE '%append_only%'",
            )?;
            let found: Vec<(String, String)> = statement
                .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            triggers.extend(found);
        }
        for (name, _) in &triggers {
            tx.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
        }

        tx.execute(
            "UPDATE issuance SET applicant_name = ?1, applicant_masked = ?2",
            params![NAME_GONE, MASKED_GONE],
        )?;
        // A key no one can be traced by, distinct per row.
        let rows: Vec<(String, i64)> = tx
            .prepare("SELECT issuance_id, position FROM issuance_beneficiary")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (issuance, position) in rows {
            let key = Sha256::digest(format!("purged|{issuance}|{position}").as_bytes());
            tx.execute(
                "UPDATE issuance_beneficiary SET name = ?3, masked = ?4, beneficiary_key = ?5
                 WHERE issuance_id = ?1 AND position = ?2",
                params![issuance, position, NAME_GONE, MASKED_GONE, key.as_slice()],
            )?;
        }
        tx.execute("UPDATE roll_exception SET note = ?1", [NAME_GONE])?;
        let conflicts: Vec<String> = tx
            .prepare("SELECT id FROM conflict")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in conflicts {
            let key = Sha256::digest(format!("purged|conflict|{id}").as_bytes());
            tx.execute(
                "UPDATE conflict SET beneficiary_key = ?2 WHERE id = ?1",
                params![id, key.as_slice()],
            )?;
        }
        tx.execute(
            "UPDATE outbox SET payload = ?1",
            [json!({ "purged": true }).to_string()],
        )?;
        tx.execute("UPDATE day_close SET report = X''", [])?;
        tx.execute_batch(
            "DELETE FROM deny_list;
             DELETE FROM roll_key; DELETE FROM roll_person; DELETE FROM roll_group;
             DELETE FROM campaign_secret;",
        )?;

        // Every entry whose rows no longer are what it recorded keeps only
        // the hash of what it said, and goes into the seal.
        let entries: Vec<EntryRow> = tx
            .prepare(
                "SELECT seq, at, actor, action, subject, content, hash FROM audit_log ORDER BY seq",
            )?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut seal = PurgeSeal::default();
        let mut blanked = 0u64;
        for (seq, at, actor, action, subject, content, hash) in entries {
            let kind: Action = action
                .parse()
                .map_err(|_| Error::Corrupt(format!("감사 기록 {seq}")))?;
            let Some(now) = snapshot::recompute(&tx, kind, &subject)? else {
                continue;
            };
            if now == content {
                continue;
            }
            let marker = purged_marker(&content);
            tx.execute(
                "UPDATE audit_log SET content = ?2 WHERE seq = ?1",
                params![seq, marker],
            )?;
            seal.add(
                seq,
                &at,
                actor.as_deref(),
                &action,
                &subject,
                &marker,
                &hash,
            );
            blanked += 1;
        }
        for (_, sql) in &triggers {
            tx.execute_batch(sql)?;
        }
        tx.execute(
            "INSERT INTO purge (id, purged_at, purged_by, issuances, beneficiaries, deny_keys, roll_people, audit_entries)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                time::format(at),
                by.employee_id(),
                issuances as i64,
                beneficiaries as i64,
                deny_keys as i64,
                roll_people as i64,
                blanked as i64
            ],
        )?;
        let content = json!({
            "seal": seal.finish(),
            "audit_entries": blanked,
            "issuances": issuances,
            "beneficiaries": beneficiaries,
            "deny_keys": deny_keys,
            "roll_people": roll_people,
        })
        .to_string();
        audit::append(
            &tx,
            at,
            Some(by.employee_id()),
            Action::Purged,
            "terminal",
            &content,
        )?;
        tx.commit()?;
        // The freed pages and the WAL's old copies go too.
        self.conn.execute_batch("VACUUM")?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(Purged {
            purged_at: at,
            issuances,
            beneficiaries,
            deny_keys,
            roll_people,
            audit_entries: blanked,
        })
    }
}
