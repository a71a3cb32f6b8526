//! The audit chain. Every state change appends an entry whose SHA-256
//! covers the previous entry's hash and its own content; the content is a
//! canonical snapshot of the rows the change wrote. `verify` walks the
//! chain, recomputes each snapshot from the rows as they are now, and checks
//! that no history row lacks an entry: altering a row by hand, even with the
//! triggers dropped, names the entry that recorded it.

use std::fmt;

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::{Store, snapshot, time};

relief_core::closed_set! {
    /// What an audit entry records.
    pub(crate) enum Action as "감사 기록 종류" {
        Init,
        ClerkAdded,
        SignIn,
        SignInFailed,
        StockReceived,
        StockAdjusted,
        Issued,
        Voided,
        Enrolled,
        PolicyInstalled,
        ConflictResolved,
        VisitOpened,
        VisitEnded,
        DayClosed,
        DayReopened,
        ClerkRemoved,
        PinReset,
        StoreEncrypted,
        Purged,
        OfflineApprovalOpened,
        OfflineApprovalClosed,
    }
}

const GENESIS: [u8; 32] = [0; 32];

fn entry_hash(
    prev: &[u8],
    seq: i64,
    at: &str,
    actor: Option<&str>,
    action: &str,
    subject: &str,
    content: &str,
) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(prev);
    hash.update(seq.to_be_bytes());
    // Length-prefixed, so no two different entries hash the same bytes.
    for field in [at, actor.unwrap_or("\u{0}"), action, subject, content] {
        hash.update((field.len() as u64).to_be_bytes());
        hash.update(field.as_bytes());
    }
    hash.finalize().into()
}

/// Appends an entry inside the caller's transaction.
pub(crate) fn append(
    conn: &Connection,
    at: NaiveDateTime,
    actor: Option<&str>,
    action: Action,
    subject: &str,
    content: &str,
) -> Result<i64> {
    let (seq, prev): (i64, Vec<u8>) = conn.query_row(
        "SELECT coalesce(max(seq), 0) + 1,
                coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), ?1)
         FROM audit_log",
        [GENESIS.as_slice()],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let at = time::format(at);
    let hash = entry_hash(&prev, seq, &at, actor, action.code(), subject, content);
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, subject, content, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            seq,
            at,
            actor,
            action.code(),
            subject,
            content,
            prev,
            hash.as_slice()
        ],
    )?;
    Ok(seq)
}

/// What a purge leaves of an entry whose rows it changed: the SHA-256 of
/// the content it destroyed. The purge's own entry seals these.
pub(crate) const PURGED_PREFIX: &str = "{\"purged_sha256\":\"";

pub(crate) fn purged_marker(content: &str) -> String {
    format!(
        "{PURGED_PREFIX}{}\"}}",
        hex::encode(Sha256::digest(content.as_bytes()))
    )
}

/// The seal over the entries a purge blanked, in order: their every field
/// as it now stands and their hash. Tampering with a blanked entry breaks
/// the seal, which the purge's own (fully hashed) entry holds.
#[derive(Default)]
pub(crate) struct PurgeSeal(Sha256);

impl PurgeSeal {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add(
        &mut self,
        seq: i64,
        at: &str,
        actor: Option<&str>,
        action: &str,
        subject: &str,
        content: &str,
        hash: &[u8],
    ) {
        self.0
            .update(entry_hash(hash, seq, at, actor, action, subject, content));
    }

    pub(crate) fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub entries: u64,
    /// Of those, entries whose content a purge of personal data blanked:
    /// checked by the purge's seal instead of their own hash.
    pub purged: u64,
    /// The first thing found wrong, if any.
    pub finding: Option<AuditFinding>,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.finding.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum AuditFinding {
    /// The entry does not follow from the one before it.
    ChainBroken {
        seq: i64,
        action: String,
        subject: String,
    },
    /// The entry's own fields were altered.
    EntryAltered {
        seq: i64,
        action: String,
        subject: String,
    },
    /// The rows the entry recorded are no longer what it recorded.
    RowsChanged {
        seq: i64,
        action: String,
        subject: String,
    },
    /// A history row that no entry recorded.
    Unrecorded { table: String, id: String },
}

impl fmt::Display for AuditFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditFinding::ChainBroken {
                seq,
                action,
                subject,
            } => {
                write!(
                    f,
                    "감사 기록 #{seq} ({action} {subject}): 앞 기록과 이어지지 않습니다"
                )
            }
            AuditFinding::EntryAltered {
                seq,
                action,
                subject,
            } => {
                write!(
                    f,
                    "감사 기록 #{seq} ({action} {subject}): 기록 자체가 바뀌었습니다"
                )
            }
            AuditFinding::RowsChanged {
                seq,
                action,
                subject,
            } => {
                write!(
                    f,
                    "감사 기록 #{seq} ({action} {subject}): 기록된 자료가 바뀌었습니다"
                )
            }
            AuditFinding::Unrecorded { table, id } => {
                write!(f, "{table} {id}: 감사 기록이 없는 자료입니다")
            }
        }
    }
}

impl Store {
    /// Walks the whole chain and checks every history row against it.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        verify(&self.conn)
    }
}

pub(crate) fn verify(conn: &Connection) -> Result<AuditReport> {
    let mut statement =
        conn.prepare("SELECT seq, at, actor, action, subject, content, prev_hash, hash FROM audit_log ORDER BY seq")?;
    let mut rows = statement.query([])?;
    let mut prev = GENESIS.to_vec();
    let mut expected_seq = 1;
    let mut entries = 0;
    let mut purged = 0;
    let mut seal = PurgeSeal::default();
    // The first blanked entry not yet sealed by a purge entry after it.
    let mut unsealed: Option<(i64, String, String)> = None;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let at: String = row.get(1)?;
        let actor: Option<String> = row.get(2)?;
        let action: String = row.get(3)?;
        let subject: String = row.get(4)?;
        let content: String = row.get(5)?;
        let prev_hash: Vec<u8> = row.get(6)?;
        let hash: Vec<u8> = row.get(7)?;
        let named = |make: fn(i64, String, String) -> AuditFinding| AuditReport {
            entries,
            purged,
            finding: Some(make(seq, action.clone(), subject.clone())),
        };
        if seq != expected_seq || prev_hash != prev {
            return Ok(named(|seq, action, subject| AuditFinding::ChainBroken {
                seq,
                action,
                subject,
            }));
        }
        if content.starts_with(PURGED_PREFIX) {
            // Its content is gone with the personal data: its hash cannot
            // be recomputed; the purge's seal covers it.
            seal.add(
                seq,
                &at,
                actor.as_deref(),
                &action,
                &subject,
                &content,
                &hash,
            );
            unsealed.get_or_insert((seq, action.clone(), subject.clone()));
            prev = hash;
            expected_seq += 1;
            entries += 1;
            purged += 1;
            continue;
        }
        if entry_hash(
            &prev,
            seq,
            &at,
            actor.as_deref(),
            &action,
            &subject,
            &content,
        )
        .as_slice()
            != hash
        {
            return Ok(named(|seq, action, subject| AuditFinding::EntryAltered {
                seq,
                action,
                subject,
            }));
        }
        // An action this version does not know is not one it wrote.
        let Ok(kind) = action.parse::<Action>() else {
            return Ok(named(|seq, action, subject| AuditFinding::EntryAltered {
                seq,
                action,
                subject,
            }));
        };
        if kind == Action::Purged {
            let sealed = serde_json::from_str::<serde_json::Value>(&content)
                .ok()
                .and_then(|v| v["seal"].as_str().map(str::to_owned));
            let found = std::mem::take(&mut seal).finish();
            if sealed.as_deref() != Some(found.as_str()) {
                return Ok(named(|seq, action, subject| AuditFinding::EntryAltered {
                    seq,
                    action,
                    subject,
                }));
            }
            unsealed = None;
        }
        if let Some(now) = snapshot::recompute(conn, kind, &subject)?
            && now != content
        {
            return Ok(named(|seq, action, subject| AuditFinding::RowsChanged {
                seq,
                action,
                subject,
            }));
        }
        prev = hash;
        expected_seq += 1;
        entries += 1;
    }
    if let Some((seq, action, subject)) = unsealed {
        return Ok(AuditReport {
            entries,
            purged,
            finding: Some(AuditFinding::EntryAltered {
                seq,
                action,
                subject,
            }),
        });
    }
    Ok(AuditReport {
        entries,
        purged,
        finding: unrecorded(conn)?,
    })
}

/// The first history row that no audit entry covers.
fn unrecorded(conn: &Connection) -> Result<Option<AuditFinding>> {
    let checks: [(&str, &str); 12] = [
        ("issuance", "SELECT id FROM issuance EXCEPT SELECT subject FROM audit_log WHERE action = 'issued'"),
        ("void", "SELECT id FROM void EXCEPT SELECT subject FROM audit_log WHERE action = 'voided'"),
        (
            "card_batch",
            "SELECT CAST(id AS TEXT) FROM card_batch EXCEPT SELECT subject FROM audit_log WHERE action = 'stock_received'",
        ),
        (
            "card_event",
            "SELECT cause_id FROM card_event WHERE cause = 'adjust'
             EXCEPT SELECT subject FROM audit_log WHERE action IN ('stock_adjusted', 'day_closed')",
        ),
        // Events whose cause no recorded change accounts for.
        (
            "card_event",
            "SELECT CAST(e.id AS TEXT) FROM card_event e WHERE NOT (
                (e.cause = 'receive' AND EXISTS (SELECT 1 FROM card c WHERE c.serial = e.serial AND CAST(c.batch_id AS TEXT) = e.cause_id))
             OR (e.cause = 'issue' AND EXISTS (SELECT 1 FROM issuance_card ic WHERE ic.issuance_id = e.cause_id AND ic.serial = e.serial))
             OR (e.cause = 'void' AND EXISTS (SELECT 1 FROM void v JOIN issuance_card ic ON ic.issuance_id = v.issuance_id
                                              WHERE v.id = e.cause_id AND ic.serial = e.serial))
             OR e.cause = 'adjust')",
        ),
        (
            "outbox",
            "SELECT CAST(seq AS TEXT) FROM outbox WHERE subject_id NOT IN
                (SELECT subject FROM audit_log WHERE action IN ('issued', 'voided', 'conflict_resolved', 'visit_ended', 'day_closed', 'day_reopened'))",
        ),
        ("visit", "SELECT id FROM visit EXCEPT SELECT subject FROM audit_log WHERE action = 'visit_opened'"),
        (
            "visit_end",
            "SELECT visit_id FROM visit_end WHERE outcome = 'ended'
             EXCEPT SELECT subject FROM audit_log WHERE action = 'visit_ended'",
        ),
        ("day_close", "SELECT id FROM day_close EXCEPT SELECT subject FROM audit_log WHERE action = 'day_closed'"),
        ("day_reopen", "SELECT close_id FROM day_reopen EXCEPT SELECT subject FROM audit_log WHERE action = 'day_reopened'"),
        (
            "conflict_resolution",
            "SELECT id FROM conflict_resolution EXCEPT SELECT subject FROM audit_log WHERE action = 'conflict_resolved'",
        ),
        // The first policy is recorded by `init`; every later one by its install.
        (
            "campaign_policy",
            "SELECT CAST(id AS TEXT) FROM campaign_policy WHERE id > (SELECT min(id) FROM campaign_policy)
             EXCEPT SELECT subject FROM audit_log WHERE action = 'policy_installed'",
        ),
    ];
    for (table, sql) in checks {
        let id: Option<String> = conn
            .query_row(&format!("{sql} LIMIT 1"), [], |row| row.get(0))
            .optional()?;
        if let Some(id) = id {
            return Ok(Some(AuditFinding::Unrecorded {
                table: table.to_owned(),
                id,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_of_an_action_this_version_never_writes_is_named_even_when_its_hash_holds() {
        // A forger who knows the chain's hash can make an entry that hashes
        // right; an action no version writes still gives it away.
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::schema::open(
            &dir.path().join("t.sqlite3"),
            Some(&crate::keys::DataKey::generate()),
        )
        .unwrap();
        let at = "2020-04-20T10:00:00";
        let hash = entry_hash(&GENESIS, 1, at, None, "time_travel", "x", "{}");
        conn.execute(
            "INSERT INTO audit_log (seq, at, actor, action, subject, content, prev_hash, hash)
             VALUES (1, ?1, NULL, 'time_travel', 'x', '{}', ?2, ?3)",
            params![at, GENESIS.as_slice(), hash.as_slice()],
        )
        .unwrap();
        let report = verify(&conn).unwrap();
        assert_eq!(
            report.finding,
            Some(AuditFinding::EntryAltered {
                seq: 1,
                action: "time_travel".into(),
                subject: "x".into(),
            })
        );
        assert_eq!(report.entries, 0);
    }
}
