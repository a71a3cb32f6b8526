//! Push: each terminal's outbox, in sequence order. Idempotent on
//! (terminal, seq): the same event again gets the verdict it got; a
//! different event under a used sequence is refused and counted as an
//! alarm. Each new event gets a verdict: accepted, duplicate (a conflict)
//! or rejected.

use relief_core::Sigungu;
use relief_core::policy::Policy;
use relief_protocol::{
    Event, EventBody, IssuancePayload, MAX_PUSH_EVENTS, Outcome, PushRequest, PushResponse,
    ResolutionPayload, Verdict, VoidPayload,
};
use sha2::{Digest, Sha256};

use super::claim::paid_record;
use super::{Ledger, Result, ServiceError, conflict, key_from_hex, ts};
use crate::metrics::Metrics;
use crate::storage::queries::{self, EntitlementRow, FeedPaid, Side, TerminalRow};
use crate::storage::{Db, Storage, StorageError};

mod batched;

use batched::new_issuances;

fn rejected(reason: &str, message: impl Into<String>) -> Outcome {
    Outcome::Rejected {
        reason: reason.to_owned(),
        message: message.into(),
    }
}

/// An event with the SHA-256 of its JSON, which identifies its content.
pub struct Pushed {
    pub event: Event,
    pub digest: [u8; 32],
}

impl Pushed {
    /// From the exact bytes the terminal sent.
    pub fn from_json(json: &str) -> std::result::Result<Pushed, serde_json::Error> {
        Ok(Pushed {
            event: serde_json::from_str(json)?,
            digest: Sha256::digest(json.as_bytes()).into(),
        })
    }

    /// From a parsed event: its JSON as the terminal's encoder writes it.
    pub fn from_event(event: Event) -> Pushed {
        let digest = Sha256::digest(serde_json::to_vec(&event).expect("events serialise")).into();
        Pushed { event, digest }
    }
}

impl<S: Storage> Ledger<S> {
    pub fn push(&self, terminal: &TerminalRow, request: &PushRequest) -> Result<PushResponse> {
        let events = request
            .events
            .iter()
            .cloned()
            .map(Pushed::from_event)
            .collect();
        self.push_events(terminal, &request.terminal_id, events)
    }

    /// Records a batch. `terminal_id` is whom the request claims to be.
    pub fn push_events(
        &self,
        terminal: &TerminalRow,
        terminal_id: &str,
        events: Vec<Pushed>,
    ) -> Result<PushResponse> {
        if terminal_id != terminal.id {
            return Err(ServiceError::Forbidden(
                "다른 단말기의 이름으로 보낼 수 없습니다".into(),
            ));
        }
        if events.len() > MAX_PUSH_EVENTS {
            return Err(ServiceError::bad(
                "batch_too_large",
                format!(
                    "한 번에 {MAX_PUSH_EVENTS}건까지 보냅니다 ({}건)",
                    events.len()
                ),
            ));
        }
        let now = ts(self.now());
        // Batched first. Should another terminal record one of these people
        // meanwhile, the database refuses the row and the batch goes again
        // one event at a time, where that becomes a conflict.
        let recorded = match self.record(terminal, &events, &now, true) {
            Err(ServiceError::Storage(e)) if e.is_unique_violation() => {
                self.record(terminal, &events, &now, false)
            }
            other => other,
        };
        let (verdicts, next_seq, reused) = recorded?;
        if reused {
            self.metrics.sequence_conflicts.inc();
        }
        for v in &verdicts {
            let outcome = match &v.outcome {
                Outcome::Accepted => "accepted",
                Outcome::Duplicate { .. } => "duplicate",
                Outcome::Rejected { .. } => "rejected",
            };
            Metrics::count(&self.metrics.events, outcome);
        }
        Ok(PushResponse {
            verdicts,
            next_seq: next_seq as u64,
        })
    }

    /// Records a batch in one transaction: the events after those already
    /// recorded, in sequence order, each with its verdict; those already
    /// recorded get the verdict they got. `batched` tries [`new_issuances`]
    /// first.
    fn record(
        &self,
        terminal: &TerminalRow,
        events: &[Pushed],
        now: &str,
        batched: bool,
    ) -> Result<(Vec<Verdict>, i64, bool)> {
        self.storage
            .transaction(|db| self.record_in(db, terminal, events, now, batched))
    }

    fn record_in(
        &self,
        db: &mut dyn Db,
        terminal: &TerminalRow,
        events: &[Pushed],
        now: &str,
        batched: bool,
    ) -> Result<(Vec<Verdict>, i64, bool)> {
        // Serialises this terminal's pushes where the database has
        // many writers (a no-op under SQLite's single writer).
        db.exec(
            "UPDATE terminal SET next_seq = next_seq WHERE id = $1",
            &[(&terminal.id).into()],
        )?;
        let start = queries::terminal(db, &terminal.id)?.map_or(1, |t| t.next_seq);
        let mut next = start;
        let (_, policy) = self.current_policy(db, &terminal.campaign_id)?;
        if batched && let Some(verdicts) = new_issuances(db, terminal, &policy, events, start, now)?
        {
            let next = start + verdicts.len() as i64;
            if !queries::advance_seq(db, &terminal.id, start, next)? {
                return Err(
                    StorageError::Config("단말기 순번이 동시에 바뀌었습니다".into()).into(),
                );
            }
            return Ok((verdicts, next, false));
        }
        // Pushes take turns from here (see `Db::lock_feed`): each writes
        // entitlements, then the feed, and holding the turn before the
        // first entitlement keeps two pushes from waiting on each other.
        db.lock_feed()?;
        let mut verdicts = Vec::with_capacity(events.len());
        let mut reused = false;
        for Pushed { event, digest } in events {
            let seq = event.seq as i64;
            if seq < next {
                let again = match queries::event(db, &terminal.id, seq)? {
                    Some(stored) if stored.body_sha256 == digest.as_slice() => match stored.verdict
                    {
                        None => Outcome::Accepted,
                        Some(verdict) => serde_json::from_str(&verdict)
                            .map_err(|e| StorageError::Config(e.to_string()))?,
                    },
                    _ => {
                        reused = true;
                        tracing::error!(terminal = %terminal.id, seq, "a different event under a sequence number already used");
                        verdicts.push(Verdict {
                            seq: event.seq,
                            outcome: rejected(
                                "sequence_reused",
                                "이미 다른 내용으로 받은 순번입니다: 단말기를 점검하세요",
                            ),
                        });
                        break;
                    }
                };
                verdicts.push(Verdict {
                    seq: event.seq,
                    outcome: again,
                });
                continue;
            }
            if seq > next {
                break;
            }
            // Recorded as accepted, then applied; only another verdict is
            // written again.
            queries::insert_event(
                db,
                &terminal.id,
                seq,
                &event.event_id,
                event.body.kind(),
                digest,
                now,
            )?;
            let outcome = apply(db, terminal, &policy, event, now)?;
            if outcome != Outcome::Accepted {
                let verdict = serde_json::to_string(&outcome).expect("outcomes serialise");
                queries::set_event_verdict(db, &terminal.id, seq, &verdict)?;
            }
            next += 1;
            verdicts.push(Verdict {
                seq: event.seq,
                outcome,
            });
        }
        if next != start && !queries::advance_seq(db, &terminal.id, start, next)? {
            return Err(StorageError::Config("단말기 순번이 동시에 바뀌었습니다".into()).into());
        }
        Ok((verdicts, next, reused))
    }
}

fn apply(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    policy: &Policy,
    event: &Event,
    now: &str,
) -> Result<Outcome> {
    match &event.body {
        EventBody::Issuance(p) => issuance(db, terminal, policy, p, now),
        EventBody::Void(p) => void(db, terminal, p, now),
        EventBody::Resolution(p) => resolution(db, terminal, p, now),
    }
}

/// What an issuance must be before the ledger records it.
fn check_issuance(terminal: &TerminalRow, policy: &Policy, p: &IssuancePayload) -> Option<Outcome> {
    if p.campaign_id != terminal.campaign_id {
        return Some(rejected(
            "wrong_campaign",
            format!("이 단말기의 캠페인은 {}입니다", terminal.campaign_id),
        ));
    }
    if p.site_code != terminal.site_code {
        return Some(rejected(
            "wrong_site",
            format!("이 단말기의 사이트는 {}입니다", terminal.site_code),
        ));
    }
    if p.beneficiaries.is_empty() || p.cards.is_empty() {
        return Some(rejected("malformed", "받는 사람과 카드가 있어야 합니다"));
    }
    let shares: u64 = p
        .beneficiaries
        .iter()
        .flat_map(|b| b.shares_krw.values())
        .sum();
    let cards: u64 = p.cards.iter().map(|c| c.amount_krw).sum();
    if shares != p.total_krw || cards != p.total_krw {
        return Some(rejected(
            "amounts_inconsistent",
            format!(
                "총액 {}원, 지급액 합 {shares}원, 카드 합 {cards}원이 맞지 않습니다",
                p.total_krw
            ),
        ));
    }
    for b in &p.beneficiaries {
        if key_from_hex(&b.key).is_err() {
            return Some(rejected("malformed", "수급자 키 형식이 올바르지 않습니다"));
        }
        let covered = b.sigungu.parse::<Sigungu>().is_ok_and(|s| policy.covers(s));
        if !covered {
            return Some(rejected(
                "unknown_sigungu",
                format!("캠페인에 없는 시군입니다: {}", b.sigungu),
            ));
        }
    }
    None
}

fn issuance(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    policy: &Policy,
    p: &IssuancePayload,
    now: &str,
) -> Result<Outcome> {
    if let Some(refusal) = check_issuance(terminal, policy, p) {
        return Ok(refusal);
    }
    let issued_at = ts(p.issued_at);
    let recorded = queries::insert_issuance(
        db,
        &queries::IssuanceRow {
            id: &p.issuance_id,
            terminal,
            issued_at: &issued_at,
            verification: &p.verification,
            total_krw: p.total_krw as i64,
        },
        now,
    )?;
    if !recorded {
        return Ok(rejected("issuance_id_reused", "이미 받은 발급번호입니다"));
    }
    let mut first_conflict = None;
    for (position, b) in p.beneficiaries.iter().enumerate() {
        let key = key_from_hex(&b.key)?;
        let key = key.as_bytes().as_slice();
        let amount: u64 = b.shares_krw.values().sum();
        queries::insert_issuance_beneficiary(
            db,
            &p.issuance_id,
            position as i64,
            key,
            &b.sigungu,
            i64::from(b.household_size),
            amount as i64,
            &serde_json::to_string(&b.shares_krw).expect("serialises"),
        )?;
        let paid = EntitlementRow {
            state: "paid".into(),
            terminal_id: Some(terminal.id.clone()),
            issuance_id: Some(p.issuance_id.clone()),
            channel: terminal.site_type.clone(),
            site: terminal.site_name.clone(),
            sigungu: Some(b.sigungu.clone()),
            at: issued_at.clone(),
            expires_at: None,
        };
        let campaign = &terminal.campaign_id;
        let stands = queries::insert_entitlement(db, campaign, key, &paid)?
            || queries::pay_over_claim(db, campaign, key, &paid)?;
        if stands {
            queries::feed_paid(
                db,
                &FeedPaid {
                    campaign_id: campaign,
                    sigungu: &b.sigungu,
                    key,
                    payer_terminal: Some(&terminal.id),
                    channel: &paid.channel,
                    site: &paid.site,
                    at: &issued_at,
                },
            )?;
            continue;
        }
        // Paid first elsewhere: the first recorded stands, and both sides
        // are told.
        let existing = queries::entitlement(db, campaign, key)?
            .ok_or_else(|| StorageError::Config("지급 기록이 사라졌습니다".into()))?;
        let other = Side {
            issuance_id: Some(p.issuance_id.clone()),
            terminal_id: Some(terminal.id.clone()),
            channel: paid.channel.clone(),
            site: paid.site.clone(),
            at: issued_at.clone(),
        };
        let conflict = conflict::record(db, campaign, key, &existing, other, now)?;
        tracing::warn!(conflict = %conflict.id, terminal = %terminal.id, "a beneficiary paid twice");
        first_conflict.get_or_insert(Outcome::Duplicate {
            conflict_id: conflict.id,
            key: b.key.clone(),
            standing_issuance: existing.issuance_id.clone(),
            first: paid_record(&existing),
        });
    }
    Ok(first_conflict.unwrap_or(Outcome::Accepted))
}

fn void(db: &mut dyn Db, terminal: &TerminalRow, p: &VoidPayload, now: &str) -> Result<Outcome> {
    if queries::issuance_terminal(db, &p.issuance_id)?.as_deref() != Some(terminal.id.as_str()) {
        return Ok(rejected(
            "unknown_issuance",
            "이 단말기가 보낸 적 없는 발급입니다",
        ));
    }
    if queries::is_voided(db, &p.issuance_id)? {
        return Ok(rejected("already_voided", "이미 취소된 발급입니다"));
    }
    queries::insert_void(
        db,
        &p.issuance_id,
        &p.void_id,
        &ts(p.voided_at),
        &p.reason,
        &p.card_disposition,
        now,
    )?;
    let campaign = &terminal.campaign_id;
    let conflicts = queries::open_conflicts_of_issuance(db, &p.issuance_id)?;
    for (key, sigungu) in queries::issuance_beneficiaries(db, &p.issuance_id)? {
        if !queries::release_payment(db, campaign, &key, &p.issuance_id)? {
            continue;
        }
        queries::feed_released(db, campaign, &sigungu, &key, Some(&terminal.id))?;
        // The voided payment stood; a later one for the same person, if
        // any, stands now.
        if let Some(c) = conflicts
            .iter()
            .find(|c| c.key == key && c.standing.issuance_id.as_deref() == Some(&p.issuance_id))
        {
            let promoted = EntitlementRow {
                state: "paid".into(),
                terminal_id: c.other.terminal_id.clone(),
                issuance_id: c.other.issuance_id.clone(),
                channel: c.other.channel.clone(),
                site: c.other.site.clone(),
                sigungu: Some(sigungu.clone()),
                at: c.other.at.clone(),
                expires_at: None,
            };
            if queries::insert_entitlement(db, campaign, &key, &promoted)? {
                queries::feed_paid(
                    db,
                    &FeedPaid {
                        campaign_id: campaign,
                        sigungu: &sigungu,
                        key: &key,
                        payer_terminal: c.other.terminal_id.as_deref(),
                        channel: &c.other.channel,
                        site: &c.other.site,
                        at: &c.other.at,
                    },
                )?;
            }
        }
    }
    for c in &conflicts {
        if queries::set_conflict_status(db, &c.id, "resolved_by_void", Some(&p.reason), now)? {
            queries::feed_conflict(
                db,
                campaign,
                &c.id,
                c.standing.terminal_id.as_deref(),
                c.other.terminal_id.as_deref(),
            )?;
        }
    }
    Ok(Outcome::Accepted)
}

fn resolution(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    p: &ResolutionPayload,
    now: &str,
) -> Result<Outcome> {
    let Some(c) = queries::conflict(db, &p.conflict_id)? else {
        return Ok(rejected("unknown_conflict", "없는 충돌입니다"));
    };
    let involved = [&c.standing.terminal_id, &c.other.terminal_id]
        .iter()
        .any(|t| t.as_deref() == Some(terminal.id.as_str()));
    if !involved {
        return Ok(rejected(
            "unknown_conflict",
            "이 단말기가 관련된 충돌이 아닙니다",
        ));
    }
    let note = format!("{} ({} {})", p.note, p.resolved_by, ts(p.resolved_at));
    if !queries::set_conflict_status(db, &c.id, "accepted", Some(&note), now)? {
        return Ok(rejected("conflict_closed", "이미 처리된 충돌입니다"));
    }
    queries::feed_conflict(
        db,
        &c.campaign_id,
        &c.id,
        c.standing.terminal_id.as_deref(),
        c.other.terminal_id.as_deref(),
    )?;
    Ok(Outcome::Accepted)
}
