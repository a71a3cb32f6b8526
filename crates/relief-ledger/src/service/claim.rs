//! Claims: before a card is handed over, the terminal asks the ledger to
//! hold each beneficiary for one visit. A person is held by one visit at a
//! time; the person's lock (their entitlement row) makes two counters
//! asking at once take turns.

use chrono::Duration;
use relief_protocol::{ClaimRequest, ClaimResponse, ClaimResult, MAX_CLAIM_KEYS, PaidRecord};

use super::{Ledger, Result, ServiceError, key_from_hex, parse_ts, ts};
use crate::metrics::Metrics;
use crate::person::{self, Person};
use crate::storage::persons::{self, ClaimRow, PaymentRow};
use crate::storage::queries::{self, FeedRows, TerminalRow};
use crate::storage::{Db, Storage};

/// How long a claim is in service before other counters are told the
/// person has been at that counter a long time. A claim does not lapse
/// when it passes: only its visit's issuance or end lets go of it.
pub const LEASE_MINUTES: i64 = 15;

pub(crate) fn paid_record(p: &PaymentRow) -> Result<PaidRecord> {
    Ok(PaidRecord {
        channel: p.channel,
        site: p.site.clone(),
        at: parse_ts(&p.paid_at)?,
    })
}

fn claim_record(c: &ClaimRow) -> Result<PaidRecord> {
    Ok(PaidRecord {
        channel: c.channel,
        site: c.site.clone(),
        at: parse_ts(&c.claimed_at)?,
    })
}

/// A visit id as terminals make them: a UUID.
fn check_visit(id: &str) -> Result<()> {
    uuid::Uuid::try_parse(id).map(drop).map_err(|_| {
        ServiceError::bad(
            "invalid_visit",
            format!("방문 번호 형식이 올바르지 않습니다: {id:?}"),
        )
    })
}

impl<S: Storage> Ledger<S> {
    pub fn claim(&self, terminal: &TerminalRow, request: &ClaimRequest) -> Result<ClaimResponse> {
        if request.keys.is_empty() || request.keys.len() > MAX_CLAIM_KEYS {
            return Err(ServiceError::bad(
                "invalid_claim",
                format!(
                    "한 번에 1~{MAX_CLAIM_KEYS}명을 확인합니다 ({}명 요청)",
                    request.keys.len()
                ),
            ));
        }
        check_visit(&request.visit_id)?;
        let keys = request
            .keys
            .iter()
            .map(|k| key_from_hex(k))
            .collect::<Result<Vec<_>>>()?;
        let now = self.now();
        let lease = ts(now + Duration::minutes(LEASE_MINUTES));
        let now = ts(now);
        let results = self.storage.transaction(|db| -> Result<Vec<ClaimResult>> {
            if let Some(outcome) = persons::visit_end(db, &request.visit_id, &terminal.id)? {
                return Err(ServiceError::Conflict {
                    code: "visit_ended",
                    message: format!(
                        "이미 끝난 방문입니다 ({outcome}): 새 방문으로 다시 확인하세요"
                    ),
                });
            }
            // People are locked in key order, whatever order they were
            // asked in, so that two visits asking for the same household
            // cannot wait on each other.
            let mut order: Vec<usize> = (0..keys.len()).collect();
            order.sort_by_key(|&i| keys[i]);
            let mut results: Vec<Option<ClaimResult>> = vec![None; keys.len()];
            // A claim changes nobody's payments, so nothing for the feed
            // (gathered all the same, and written last if there were).
            let mut feed = FeedRows::default();
            let visit = Visit {
                terminal,
                id: &request.visit_id,
                now: &now,
                lease: &lease,
            };
            for i in order {
                let key = keys[i].as_bytes();
                let person = Person::load(db, &terminal.campaign_id, key, &now)?;
                results[i] = Some(visit.claim(db, person, &request.keys[i], &mut feed)?);
            }
            feed.flush(db, &now)?;
            Ok(results.into_iter().flatten().collect())
        })?;
        for r in &results {
            Metrics::count(&self.metrics.claims, r.code());
        }
        Ok(ClaimResponse { results })
    }
}

/// The visit a claim is asked for.
struct Visit<'a> {
    terminal: &'a TerminalRow,
    id: &'a str,
    now: &'a str,
    lease: &'a str,
}

impl Visit<'_> {
    /// The answer for one person, read under their lock.
    fn claim(
        &self,
        db: &mut dyn Db,
        mut person: Person,
        hex: &str,
        feed: &mut FeedRows,
    ) -> Result<ClaimResult> {
        let Visit {
            terminal,
            id: visit_id,
            now,
            lease,
        } = *self;
        let campaign = &terminal.campaign_id;
        let ours = |t: Option<&str>| t == Some(terminal.id.as_str());
        if let Some(standing) = person.standing() {
            let yours = person
                .payments
                .iter()
                .any(|p| !p.voided && ours(p.terminal_id.as_deref()));
            return Ok(ClaimResult::AlreadyPaid {
                key: hex.to_owned(),
                paid: paid_record(standing)?,
                yours,
            });
        }
        if let Some(held) = person.claims.iter().find(|c| c.visit_id != visit_id) {
            return Ok(ClaimResult::ClaimedElsewhere {
                key: hex.to_owned(),
                paid: claim_record(held)?,
                yours: ours(Some(&held.terminal_id)),
            });
        }
        if !person.claims.iter().any(|c| c.visit_id == visit_id) {
            persons::insert_claim(
                db,
                campaign,
                &person.key,
                visit_id,
                &terminal.id,
                now,
                lease,
            )?;
            person.claims.push(ClaimRow {
                visit_id: visit_id.to_owned(),
                terminal_id: terminal.id.clone(),
                channel: terminal.channel(),
                site: terminal.site_name.clone(),
                claimed_at: now.to_owned(),
            });
            let settled = person.rows().settle();
            person::write(db, campaign, &mut person, &settled, now, feed)?;
        }
        // Asked again by the same visit (a retried request): the same answer.
        Ok(ClaimResult::Granted {
            key: hex.to_owned(),
            lease_until: parse_ts(lease)?,
        })
    }
}

impl<S: Storage> Ledger<S> {
    /// Ends every claim still held by a terminal that is not coming back
    /// (a PC lost mid-visit): an admin's decision, with a reason. Whatever
    /// it pushes afterwards is still recorded, and meets any payment made
    /// meanwhile as a conflict. Returns how many visits it ended.
    pub fn withdraw_claims(&self, terminal_id: &str, reason: &str) -> Result<u64> {
        if reason.trim().is_empty() {
            return Err(ServiceError::bad("invalid_reason", "사유를 적어야 합니다"));
        }
        let now = ts(self.now());
        self.storage.transaction(|db| -> Result<u64> {
            let terminal = queries::terminal(db, terminal_id)?
                .ok_or_else(|| ServiceError::NotFound(format!("단말기 {terminal_id}이(가) 없습니다")))?;
            let visits = persons::open_visits_of_terminal(db, &terminal.id)?;
            let mut people = std::collections::BTreeSet::new();
            for visit in &visits {
                for claim in persons::claims_of_visit(db, visit)? {
                    if claim.terminal_id == terminal.id {
                        people.insert(claim.key);
                    }
                }
            }
            for visit in &visits {
                persons::end_visit(
                    db,
                    visit,
                    &terminal.id,
                    persons::VisitOutcome::Withdrawn,
                    Some(reason.trim()),
                    &now,
                )?;
            }
            let mut feed = FeedRows::default();
            for key in &people {
                person::settle(db, &terminal.campaign_id, key, &now, &mut feed)?;
            }
            feed.flush(db, &now)?;
            // The reason is free text, kept with the visit: not for the log.
            tracing::warn!(terminal = %terminal.id, visits = visits.len(), "claims withdrawn by an admin");
            Ok(visits.len() as u64)
        })
    }
}
