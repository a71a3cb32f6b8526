//! The store's side of sync: enrollment with the ledger, events waiting to
//! be pushed and the ledger's verdicts on them, what a pull brings (keys
//! paid elsewhere, conflicts, a newer policy). Supervisors' answers to
//! conflicts are in `conflict`. The network is the sync crate's business;
//! this is what is written, each change in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use relief_core::Channel;
use relief_core::identity::{BeneficiaryKey, CampaignSecret};
use relief_core::policy::Policy;
use relief_protocol::{
    CardChange, ConflictView, DenyChange, EnrollResponse, Event, FeedCursor, LedgerKey,
    PullResponse, SignedPolicy, Verdict,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::audit::{self, Action};
use crate::clerk::Session;
use crate::error::{Error, Result};
use crate::{Store, outbox, snapshot, time};

/// What the terminal knows of its ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrollment {
    pub ledger_url: String,
    pub terminal_id: String,
    #[serde(skip)]
    pub token: String,
    pub ledger_key: String,
    pub enrolled_at: NaiveDateTime,
}

impl Enrollment {
    pub fn ledger_key(&self) -> Result<LedgerKey> {
        LedgerKey::from_hex(&self.ledger_key).map_err(|e| Error::Corrupt(e.to_string()))
    }
}

/// For the status bar: online or not, and what waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub enrolled: bool,
    /// Events not yet acknowledged by the ledger.
    pub pending: u64,
    /// Events the ledger refused: a supervisor must look.
    pub rejected: u64,
    pub open_conflicts: u64,
    pub pull_cursor: FeedCursor,
    pub last_contact_at: Option<NaiveDateTime>,
    pub last_push_at: Option<NaiveDateTime>,
    pub last_pull_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

/// One key paid elsewhere (`paid`), or released by a void (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenyUpdate {
    pub key: BeneficiaryKey,
    pub paid: Option<PaidAt>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidAt {
    pub channel: Channel,
    pub site: Arc<str>,
    pub at: NaiveDateTime,
}

/// Pull pages gathered for one write, held compactly: a first download
/// brings a million keys, and a page of protocol text is several times the
/// size of what is kept.
#[derive(Debug, Default)]
pub struct PullBatch {
    pub deny: Vec<DenyUpdate>,
    pub conflicts: Vec<ConflictView>,
    /// What the ledger last said of this terminal's cards, in feed order.
    pub cards: Vec<CardChange>,
    pub policy: Option<SignedPolicy>,
    pub next_cursor: FeedCursor,
    /// The ledger no longer holds the cursor asked from (it was restored
    /// from an earlier copy): the deny-list is rebuilt from these pages.
    pub reset: bool,
    names: HashMap<String, Arc<str>>,
}

impl PullBatch {
    /// Adds a page (pages must come in order).
    pub fn add(&mut self, page: PullResponse) -> Result<()> {
        if page.reset {
            // Whatever came before is of a history the ledger no longer has.
            self.deny.clear();
            self.conflicts.clear();
            self.cards.clear();
            self.reset = true;
        }
        self.deny.reserve(page.deny.len());
        for change in page.deny {
            let update = match change {
                DenyChange::Paid { key, paid } => DenyUpdate {
                    key: key_bytes(&key)?,
                    paid: Some(PaidAt {
                        channel: paid.channel,
                        site: self.intern(paid.site),
                        at: paid.at,
                    }),
                },
                DenyChange::Released { key } => DenyUpdate {
                    key: key_bytes(&key)?,
                    paid: None,
                },
            };
            self.deny.push(update);
        }
        self.conflicts.extend(page.conflicts);
        self.cards.extend(page.cards);
        if page.policy.is_some() {
            self.policy = page.policy;
        }
        self.next_cursor = page.next_cursor;
        Ok(())
    }

    fn intern(&mut self, name: String) -> Arc<str> {
        if let Some(shared) = self.names.get(&name) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(name.as_str());
        self.names.insert(name, shared.clone());
        shared
    }
}

fn key_bytes(hex: &str) -> Result<BeneficiaryKey> {
    BeneficiaryKey::from_hex(hex).map_err(|_| Error::Corrupt(format!("수급자 키 {hex:?}")))
}

impl Store {
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        load_enrollment(&self.conn)
    }

    /// Records what the ledger gave at enrollment. The policy must verify
    /// against the ledger's key, pinned here for every later policy; the
    /// site must be this terminal's; the campaign secret replaces the
    /// terminal's own only while nothing has been issued under it.
    pub fn enroll(
        &mut self,
        supervisor: &Session,
        ledger_url: &str,
        answer: &EnrollResponse,
        expected_fingerprint: Option<&str>,
        at: NaiveDateTime,
    ) -> Result<Enrollment> {
        supervisor.require_supervisor()?;
        if self.enrollment()?.is_some() {
            return Err(Error::AlreadyEnrolled);
        }
        let key = LedgerKey::from_hex(&answer.ledger_key).map_err(Error::PolicySignature)?;
        if let Some(expected) = expected_fingerprint
            && key.fingerprint() != expected.trim()
        {
            return Err(Error::LedgerKeyMismatch {
                expected: expected.trim().to_owned(),
                found: key.fingerprint(),
            });
        }
        answer.policy.verify(&key).map_err(Error::PolicySignature)?;
        let policy = Policy::from_toml(
            &format!("ledger:{}", answer.policy.campaign_id),
            &answer.policy.toml,
        )?;
        let site = &self.site;
        if answer.site.code != site.code
            || answer.site.site_type != site.site_type
            || answer.site.sigungu != site.sigungu.to_string()
        {
            return Err(Error::SiteMismatch {
                ours: format!("{} {} {}", site.code, site.site_type.code(), site.sigungu),
                theirs: format!(
                    "{} {} {}",
                    answer.site.code, answer.site.site_type, answer.site.sigungu
                ),
            });
        }
        let secret = CampaignSecret::from_hex(&answer.campaign_secret)
            .map_err(|e| Error::Corrupt(e.to_string()))?;
        let issued = self.issuance_count()?;
        let same_secret = secret.expose_bytes() == self.secret.expose_bytes();
        let same_campaign = policy.campaign.id == self.policy.campaign.id;
        if issued > 0 && !(same_secret && same_campaign) {
            return Err(Error::CampaignChangeAfterIssuance);
        }

        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR REPLACE INTO campaign_secret (campaign_id, secret) VALUES (?1, ?2)",
            params![policy.campaign.id, secret.expose_bytes()],
        )?;
        install_policy(&tx, &answer.policy, at, Some(supervisor.employee_id()))?;
        tx.execute(
            "INSERT INTO enrollment (id, ledger_url, terminal_id, token, ledger_key, enrolled_at, enrolled_by)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                ledger_url.trim_end_matches('/'),
                answer.terminal_id,
                answer.token,
                answer.ledger_key,
                time::format(at),
                supervisor.employee_id()
            ],
        )?;
        let content = snapshot::enrollment(&tx)?;
        audit::append(
            &tx,
            at,
            Some(supervisor.employee_id()),
            Action::Enrolled,
            "enrollment",
            &content,
        )?;
        tx.commit()?;
        self.policy = policy;
        self.secret = secret;
        self.enrollment()?.ok_or(Error::NotEnrolled)
    }

    /// Events the ledger has not acknowledged, oldest first.
    pub fn pending_events(&self, limit: usize) -> Result<Vec<Event>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT o.seq FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM outbox_ack a WHERE a.seq = o.seq)
             ORDER BY o.seq LIMIT ?1",
        )?;
        let first: Option<i64> = statement
            .query_row([limit as i64], |r| r.get(0))
            .optional()?;
        let Some(first) = first else {
            return Ok(Vec::new());
        };
        self.events_from(first as u64, limit)
    }

    /// Events from `seq` on, acknowledged or not, oldest first: what a
    /// ledger restored from an earlier copy no longer has.
    pub fn events_from(&self, seq: u64, limit: usize) -> Result<Vec<Event>> {
        self.outbox_after(seq.saturating_sub(1) as i64, limit)?
            .iter()
            .map(outbox::OutboxEvent::to_wire)
            .collect()
    }

    /// The sequence number of the last event written, 0 before the first.
    pub fn outbox_head(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM outbox", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// Records the ledger's verdicts (again is harmless) and the contact.
    pub fn record_verdicts(&mut self, verdicts: &[Verdict], at: NaiveDateTime) -> Result<()> {
        let at_text = time::format(at);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO outbox_ack (seq, verdict, detail, acked_at)
                 SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM outbox WHERE seq = ?1)",
            )?;
            for verdict in verdicts {
                let detail = serde_json::to_string(&verdict.outcome).expect("outcomes serialise");
                insert.execute(params![
                    verdict.seq as i64,
                    verdict.outcome.kind().code(),
                    detail,
                    at_text
                ])?;
            }
        }
        tx.execute(
            "UPDATE sync_state SET last_contact_at = ?1, last_push_at = ?1, last_error = NULL WHERE id = 1",
            [&at_text],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Applies what one or more pull pages brought, in one transaction:
    /// deny-list changes (sorted by key, so a first download builds the
    /// index in order instead of rewriting its pages again and again),
    /// conflicts, a newer policy, and the cursor.
    pub fn apply_pull(&mut self, mut batch: PullBatch, at: NaiveDateTime) -> Result<()> {
        let enrollment = self.enrollment()?.ok_or(Error::NotEnrolled)?;
        let campaign = self.policy.campaign.id.clone();
        let at_text = time::format(at);
        let mut new_policy = None;
        if let Some(signed) = batch.policy.take()
            && signed.version != self.policy.campaign.version
        {
            signed
                .verify(&enrollment.ledger_key()?)
                .map_err(Error::PolicySignature)?;
            let policy =
                Policy::from_toml(&format!("ledger:{}", signed.campaign_id), &signed.toml)?;
            if policy.campaign.id != campaign {
                return Err(Error::CampaignChangeAfterIssuance);
            }
            new_policy = Some((signed, policy));
        }
        // A stable sort: the same key's changes keep their feed order.
        batch.deny.sort_by_key(|change| change.key);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if batch.reset {
            tx.execute("DELETE FROM deny_list", [])?;
            tx.execute("DELETE FROM card_activation", [])?;
        }
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO deny_list (beneficiary_key, channel, site, paid_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut delete =
                tx.prepare_cached("DELETE FROM deny_list WHERE beneficiary_key = ?1")?;
            for change in &batch.deny {
                let key = change.key.as_bytes().as_slice();
                match &change.paid {
                    Some(paid) => {
                        insert.execute(params![
                            key,
                            paid.channel,
                            &*paid.site,
                            time::format(paid.at)
                        ])?;
                    }
                    None => {
                        delete.execute(params![key])?;
                    }
                }
            }
            for conflict in &batch.conflicts {
                upsert_conflict(&tx, conflict, &at_text)?;
            }
            let mut card = tx.prepare_cached(
                "INSERT OR REPLACE INTO card_activation (serial, activation, pulled_at) VALUES (?1, ?2, ?3)",
            )?;
            for change in &batch.cards {
                card.execute(params![change.serial, change.activation, at_text])?;
            }
        }
        if let Some((signed, _)) = &new_policy {
            // Sent by the ledger, not done by a clerk: no actor.
            install_policy(&tx, signed, at, None)?;
        }
        tx.execute(
            "UPDATE sync_state SET pull_cursor = ?1, pull_check = ?2, last_contact_at = ?3, last_pull_at = ?3, last_error = NULL WHERE id = 1",
            params![
                batch.next_cursor.id as i64,
                batch.next_cursor.check as i64,
                at_text
            ],
        )?;
        tx.commit()?;
        if let Some((_, policy)) = new_policy {
            self.policy = policy;
        }
        Ok(())
    }

    /// Notes that the ledger could not be reached, for the status bar.
    pub fn record_sync_failure(&mut self, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_state SET last_error = ?1 WHERE id = 1",
            [message],
        )?;
        Ok(())
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let enrolled = self.enrollment()?.is_some();
        #[allow(clippy::type_complexity)]
        let (pull_cursor, pull_check, contact, push, pull, error): (i64, i64, Option<String>, Option<String>, Option<String>, Option<String>) =
            self.conn.query_row(
                "SELECT pull_cursor, pull_check, last_contact_at, last_push_at, last_pull_at, last_error FROM sync_state WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )?;
        let count = |sql: &str| -> Result<u64> {
            Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        let parse = |t: Option<String>| t.map(|t| time::parse(&t)).transpose();
        Ok(SyncStatus {
            enrolled,
            pending: count(
                "SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM outbox_ack a WHERE a.seq = o.seq)",
            )?,
            rejected: count("SELECT count(*) FROM outbox_ack WHERE verdict = 'rejected'")?,
            open_conflicts: count("SELECT count(*) FROM conflict WHERE status = 'open'")?,
            pull_cursor: FeedCursor {
                id: pull_cursor as u64,
                check: pull_check as u64,
            },
            last_contact_at: parse(contact)?,
            last_push_at: parse(push)?,
            last_pull_at: parse(pull)?,
            last_error: error,
        })
    }
}

fn load_enrollment(conn: &Connection) -> Result<Option<Enrollment>> {
    conn.query_row(
        "SELECT ledger_url, terminal_id, token, ledger_key, enrolled_at FROM enrollment WHERE id = 1",
        [],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        },
    )
    .optional()?
    .map(|(ledger_url, terminal_id, token, ledger_key, enrolled_at)| {
        Ok(Enrollment {
            ledger_url,
            terminal_id,
            token,
            ledger_key,
            enrolled_at: time::parse(&enrolled_at)?,
        })
    })
    .transpose()
}

/// Installs a verified policy inside the caller's transaction.
fn install_policy(
    conn: &Connection,
    signed: &SignedPolicy,
    at: NaiveDateTime,
    by: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO campaign_policy (campaign_id, version, file_name, content, installed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            signed.campaign_id,
            signed.version,
            format!("ledger:{}:{}", signed.campaign_id, signed.version),
            signed.toml,
            time::format(at)
        ],
    )?;
    let id = conn.last_insert_rowid().to_string();
    let content = snapshot::policy(conn, &id)?;
    audit::append(conn, at, by, Action::PolicyInstalled, &id, &content)?;
    Ok(())
}

fn upsert_conflict(conn: &Connection, conflict: &ConflictView, at: &str) -> Result<()> {
    let key = key_bytes(&conflict.beneficiary_key)?;
    conn.execute(
        "INSERT INTO conflict (id, beneficiary_key, standing, other, status, note, detected_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, note = excluded.note, updated_at = excluded.updated_at",
        params![
            conflict.id,
            key.as_bytes().as_slice(),
            serde_json::to_string(&conflict.standing).expect("serialises"),
            serde_json::to_string(&conflict.other).expect("serialises"),
            conflict.status.code(),
            conflict.note,
            time::format(conflict.detected_at),
            at
        ],
    )?;
    Ok(())
}
