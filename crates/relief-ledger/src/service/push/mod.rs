//! Push: each terminal's outbox, in sequence order. Idempotent on
//! (terminal, seq): the same event again gets the verdict it got; a
//! different event under a used sequence is refused and counted as an
//! alarm. Each new event gets a verdict: accepted, duplicate (a conflict)
//! or rejected.

use std::collections::BTreeSet;

use relief_core::Sigungu;
use relief_core::policy::Policy;
use relief_protocol::{
    ConflictStatus, DayClosedPayload, DayReopenedPayload, Event, EventBody, IssuancePayload,
    MAX_PUSH_EVENTS, Outcome, PushRequest, PushResponse, ResolutionPayload, Verdict,
    VisitEndedPayload, VoidPayload,
};
use sha2::{Digest, Sha256};

use super::claim::paid_record;
use super::{Ledger, Result, ServiceError, key_from_hex, ts};
use crate::metrics::Metrics;
use crate::person;
use crate::storage::persons::{self, NewPayment, VisitOutcome};
use crate::storage::queries::{self, FeedRows, TerminalRow};
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
            Metrics::count(&self.metrics.events, v.outcome.kind().code());
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
        let start = queries::hold_terminal(db, &terminal.id)?;
        let mut next = start;
        let (_, policy) = self.current_policy(db, &terminal.campaign_id)?;
        if batched && let Some(verdicts) = new_issuances(db, terminal, &policy, events, start, now)?
        {
            let next = start + verdicts.len() as i64;
            if !queries::advance_seq(db, &terminal.id, start, next)? {
                return Err(StorageError::Race("단말기 순번".into()).into());
            }
            return Ok((verdicts, next, false));
        }
        // Where the batch will settle several people they are locked first,
        // in key order, as claims and imports lock them; the feed's turn
        // (`Db::lock_feed`) only comes after, at the first change written
        // to it. Nobody then holds one lock while waiting for an earlier one.
        let people = people_of(db, events, start)?;
        if people.len() > 1 {
            for key in people {
                persons::lock_entitlement(db, &terminal.campaign_id, &key, now)?;
            }
        }
        let mut verdicts = Vec::with_capacity(events.len());
        let mut reused = false;
        let mut feed = FeedRows::default();
        for Pushed { event, digest } in events {
            let seq = event.seq as i64;
            if seq < next {
                let again = match queries::event(db, &terminal.id, seq)? {
                    Some(stored) if stored.body_sha256 == digest.as_slice() => match stored.verdict
                    {
                        None => Outcome::Accepted,
                        Some(verdict) => serde_json::from_str(&verdict).map_err(|e| {
                            StorageError::Corrupt(format!(
                                "단말기 {} 순번 {seq}의 판정이 JSON이 아닙니다: {e}",
                                terminal.id
                            ))
                        })?,
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
                &queries::NewEvent {
                    terminal_id: &terminal.id,
                    seq,
                    event_id: &event.event_id,
                    kind: event.body.kind(),
                    body_sha256: digest,
                    received_at: now,
                },
            )?;
            let outcome = apply(db, terminal, &policy, event, now, &mut feed)?;
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
            return Err(StorageError::Race("단말기 순번".into()).into());
        }
        feed.flush(db, now)?;
        Ok((verdicts, next, reused))
    }
}

/// Everyone the new events of a batch (from `start`) will settle, in key
/// order.
fn people_of(db: &mut dyn Db, events: &[Pushed], start: i64) -> Result<BTreeSet<Vec<u8>>> {
    let mut people = BTreeSet::new();
    for Pushed { event, .. } in events.iter().filter(|p| p.event.seq as i64 >= start) {
        match &event.body {
            EventBody::Issuance(p) => {
                people.extend(
                    p.beneficiaries
                        .iter()
                        .filter_map(|b| key_from_hex(&b.key).ok())
                        .map(|k| k.as_bytes().to_vec()),
                );
                if let Some(visit) = &p.visit_id {
                    people.extend(
                        persons::claims_of_visit(db, visit)?
                            .into_iter()
                            .map(|c| c.key),
                    );
                }
            }
            EventBody::Void(p) => people.extend(persons::payees_of_issuance(db, &p.issuance_id)?),
            EventBody::Resolution(p) => {
                people.extend(persons::conflict(db, &p.conflict_id)?.map(|c| c.key));
            }
            EventBody::VisitEnded(p) => {
                people.extend(
                    persons::claims_of_visit(db, &p.visit_id)?
                        .into_iter()
                        .map(|c| c.key),
                );
            }
            // A close concerns the counter's books, nobody's payment.
            EventBody::DayClosed(_) | EventBody::DayReopened(_) => {}
        }
    }
    Ok(people)
}

fn apply(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    policy: &Policy,
    event: &Event,
    now: &str,
    feed: &mut FeedRows,
) -> Result<Outcome> {
    match &event.body {
        EventBody::Issuance(p) => issuance(db, terminal, policy, p, now, feed),
        EventBody::Void(p) => void(db, terminal, p, now, feed),
        EventBody::Resolution(p) => resolution(db, terminal, p, now, feed),
        EventBody::VisitEnded(p) => visit_ended(db, terminal, p, now, feed),
        EventBody::DayClosed(p) => day_closed(db, terminal, p, now),
        EventBody::DayReopened(p) => day_reopened(db, terminal, p, now),
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
    // Summed with a check: a crafted push must not wrap around to a total
    // that adds up.
    fn sum(amounts: impl Iterator<Item = u64>) -> Option<u64> {
        let mut amounts = amounts;
        amounts.try_fold(0u64, |total, a| total.checked_add(a))
    }
    let shares = sum(p
        .beneficiaries
        .iter()
        .flat_map(|b| b.shares_krw.values().copied()));
    let cards = sum(p.cards.iter().map(|c| c.amount_krw));
    let fits = i64::try_from(p.total_krw).is_ok();
    if shares != Some(p.total_krw) || cards != Some(p.total_krw) || !fits {
        return Some(rejected(
            "amounts_inconsistent",
            format!(
                "총액 {}원, 지급액 합 {}원, 카드 합 {}원이 맞지 않습니다",
                p.total_krw,
                shares.map_or("(넘침)".to_owned(), |s| s.to_string()),
                cards.map_or("(넘침)".to_owned(), |c| c.to_string()),
            ),
        ));
    }
    let mut serials = BTreeSet::new();
    for c in &p.cards {
        if c.serial.is_empty() || c.serial.chars().count() > 32 || !serials.insert(&c.serial) {
            return Some(rejected(
                "malformed",
                "카드 일련번호가 비었거나, 너무 길거나, 두 번 있습니다",
            ));
        }
        if c.amount_krw == 0 || c.face_value_krw.is_some_and(|face| c.amount_krw > face) {
            return Some(rejected(
                "card_face_value_exceeded",
                format!(
                    "카드 {}에 {}원을 실을 수 없습니다 (액면 {}원)",
                    c.serial,
                    c.amount_krw,
                    c.face_value_krw.map_or("-".to_owned(), |f| f.to_string())
                ),
            ));
        }
    }
    let mut keys = BTreeSet::new();
    for b in &p.beneficiaries {
        let Ok(key) = key_from_hex(&b.key) else {
            return Some(rejected("malformed", "수급자 키 형식이 올바르지 않습니다"));
        };
        if !keys.insert(key) {
            return Some(rejected(
                "malformed",
                "한 발급에 같은 사람이 두 번 있습니다",
            ));
        }
        if b.shares_krw.values().all(|a| *a == 0) {
            return Some(rejected("malformed", "지급액이 0원인 사람이 있습니다"));
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

/// The name a counter payment goes by at the ledger.
pub(crate) fn issuance_ref(issuance_id: &str) -> String {
    format!("issuance:{issuance_id}")
}

fn issuance(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    policy: &Policy,
    p: &IssuancePayload,
    now: &str,
    feed: &mut FeedRows,
) -> Result<Outcome> {
    if let Some(refusal) = check_issuance(terminal, policy, p) {
        return Ok(refusal);
    }
    let issued_at = ts(p.issued_at);
    let recorded = queries::insert_issuance(
        db,
        &queries::NewIssuance {
            id: &p.issuance_id,
            terminal_id: &terminal.id,
            issued_at: &issued_at,
            verification: p.verification.code(),
            total_krw: p.total_krw as i64,
            received_at: now,
        },
    )?;
    if !recorded {
        return Ok(rejected("issuance_id_reused", "이미 받은 발급번호입니다"));
    }
    let campaign = &terminal.campaign_id;
    let reference = issuance_ref(&p.issuance_id);
    let channel = terminal.channel();
    let mut people = BTreeSet::new();
    for (position, b) in p.beneficiaries.iter().enumerate() {
        let key = key_from_hex(&b.key)?;
        let key = key.as_bytes().as_slice();
        let amount: u64 = b.shares_krw.values().sum();
        queries::insert_issuance_beneficiary(
            db,
            &queries::NewIssuanceBeneficiary {
                issuance_id: &p.issuance_id,
                position: position as i64,
                beneficiary_key: key,
                sigungu: &b.sigungu,
                household_size: i64::from(b.household_size),
                amount_krw: amount as i64,
                shares: &serde_json::to_string(&b.shares_krw).expect("serialises"),
            },
        )?;
        let payment = NewPayment {
            campaign_id: campaign,
            beneficiary_key: key,
            reference: &reference,
            channel,
            terminal_id: Some(&terminal.id),
            issuance_id: Some(&p.issuance_id),
            verification: p.verification,
            site: &terminal.site_name,
            sigungu: &b.sigungu,
            amount_krw: amount as i64,
            paid_at: &issued_at,
            recorded_at: now,
        };
        persons::insert_payment(db, &payment)?;
        people.insert(key.to_vec());
    }
    queries::insert_issuance_cards(db, &issuance_cards(p))?;
    feed.cards_of(&p.issuance_id);
    // The visit's claims end with its issuance: only this terminal's.
    if let Some(visit) = &p.visit_id {
        persons::end_visit(db, visit, &terminal.id, VisitOutcome::Issued, None, now)?;
        people.extend(own_claims(db, terminal, visit)?);
    }
    let mut first_conflict = None;
    for key in &people {
        let (person, _) = person::settle(db, campaign, key, now, feed)?;
        let Some(standing) = person.standing() else {
            continue;
        };
        if standing.reference == reference || person.payment(&reference).is_none() {
            continue;
        }
        // Paid first elsewhere: the first recorded stands, and both sides
        // are told through the feed.
        // The pair names its conflict (settle has just written it).
        let conflict_id = person::conflict_id(campaign, key, &standing.reference, &reference);
        first_conflict.get_or_insert(Outcome::Duplicate {
            conflict_id,
            key: hex::encode(key),
            standing_issuance: standing.issuance_id.clone(),
            first: paid_record(standing)?,
        });
    }
    Ok(first_conflict.unwrap_or(Outcome::Accepted))
}

/// The cards an issuance handed over, as the ledger keeps them.
pub(super) fn issuance_cards(p: &IssuancePayload) -> Vec<queries::NewIssuanceCard<'_>> {
    p.cards
        .iter()
        .enumerate()
        .map(|(position, c)| queries::NewIssuanceCard {
            issuance_id: &p.issuance_id,
            position: position as i64,
            serial: &c.serial,
            amount_krw: c.amount_krw as i64,
            face_value_krw: c.face_value_krw.and_then(|f| i64::try_from(f).ok()),
        })
        .collect()
}

/// The people a visit of this terminal claimed.
fn own_claims(db: &mut dyn Db, terminal: &TerminalRow, visit: &str) -> Result<Vec<Vec<u8>>> {
    Ok(persons::claims_of_visit(db, visit)?
        .into_iter()
        .filter(|c| c.terminal_id == terminal.id)
        .map(|c| c.key)
        .collect())
}

fn void(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    p: &VoidPayload,
    now: &str,
    feed: &mut FeedRows,
) -> Result<Outcome> {
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
        p.card_disposition.code(),
        now,
    )?;
    for key in persons::payees_of_issuance(db, &p.issuance_id)? {
        person::settle(db, &terminal.campaign_id, &key, now, feed)?;
    }
    feed.cards_of(&p.issuance_id);
    Ok(Outcome::Accepted)
}

fn resolution(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    p: &ResolutionPayload,
    now: &str,
    feed: &mut FeedRows,
) -> Result<Outcome> {
    let Some(c) = persons::conflict(db, &p.conflict_id)? else {
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
    if c.status != ConflictStatus::Open {
        return Ok(rejected("conflict_closed", "이미 처리된 충돌입니다"));
    }
    persons::insert_acceptance(
        db,
        &c.id,
        &terminal.id,
        &p.note,
        &p.resolved_by,
        &ts(p.resolved_at),
        now,
    )?;
    person::settle(db, &c.campaign_id, &c.key, now, feed)?;
    Ok(Outcome::Accepted)
}

fn visit_ended(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    p: &VisitEndedPayload,
    now: &str,
    feed: &mut FeedRows,
) -> Result<Outcome> {
    persons::end_visit(
        db,
        &p.visit_id,
        &terminal.id,
        VisitOutcome::Released,
        Some(&p.reason),
        now,
    )?;
    for key in own_claims(db, terminal, &p.visit_id)? {
        person::settle(db, &terminal.campaign_id, &key, now, feed)?;
    }
    Ok(Outcome::Accepted)
}

fn day_closed(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    p: &DayClosedPayload,
    now: &str,
) -> Result<Outcome> {
    let digest_ok =
        p.report_sha256.len() == 64 && p.report_sha256.bytes().all(|b| b.is_ascii_hexdigit());
    if !digest_ok || p.unsent > i64::MAX as u64 {
        return Ok(rejected(
            "malformed",
            "마감 보고서의 SHA-256이 올바르지 않습니다",
        ));
    }
    let recorded = queries::insert_close(
        db,
        &queries::NewClose {
            close_id: &p.close_id,
            terminal_id: &terminal.id,
            day: &p.day.to_string(),
            closed_at: &ts(p.closed_at),
            closed_by: &p.closed_by,
            difference: p.difference(),
            drawer: &serde_json::to_string(&p.drawer).expect("serialises"),
            reason: &p.reason,
            unsent: p.unsent as i64,
            unsent_reason: &p.unsent_reason,
            report_sha256: &p.report_sha256.to_ascii_lowercase(),
            received_at: now,
        },
    )?;
    Ok(if recorded {
        Outcome::Accepted
    } else {
        rejected("close_id_reused", "이미 받은 마감입니다")
    })
}

fn day_reopened(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    p: &DayReopenedPayload,
    now: &str,
) -> Result<Outcome> {
    let recorded = queries::insert_reopen(
        db,
        &terminal.id,
        &queries::NewReopen {
            close_id: &p.close_id,
            reopened_at: &ts(p.reopened_at),
            reopened_by: &p.reopened_by,
            reason: &p.reason,
            received_at: now,
        },
    )?;
    Ok(if recorded {
        Outcome::Accepted
    } else {
        rejected(
            "unknown_close",
            "이 단말기의 마감이 아니거나 이미 다시 연 마감입니다",
        )
    })
}
