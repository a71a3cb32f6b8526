//! The batched path of a push: a table at a time instead of an event at
//! a time, for the batches that meet nothing already recorded.

use relief_core::policy::Policy;
use relief_protocol::{EventBody, Outcome, Verdict, Verification};

use super::{Pushed, check_issuance, issuance_cards, issuance_ref};
use crate::card;
use crate::person;
use crate::service::{Result, key_from_hex, ts};
use crate::storage::persons::{self, NewEntitlement, NewPayment, NewVisitEnd, VisitOutcome};
use crate::storage::queries::{
    FeedPaid, FeedRows, NewEvent, NewIssuance, NewIssuanceBeneficiary, TerminalRow,
};
use crate::storage::{Db, batch};

/// The batched path, for the usual push after an outage: new issuances
/// only, in sequence from `start`, each valid and issued offline (an
/// online one was claimed first: its person's entitlement row is there
/// already). Such a batch is written a table at a time, the rows the
/// one-by-one path would write, and every event is accepted. `None`, with
/// nothing written, for any other batch. Should an issuance id be recorded
/// already, or anyone the batch pays have a row at the ledger already
/// (paid, claimed, or ever met), or come twice in the batch, the database
/// refuses the rows (a unique violation) and the caller goes again one by
/// one, where each person is read and settled. What the people of a batch
/// that goes through are is plain: one payment each, standing
/// ([`person::first_payment`]).
pub(super) fn new_issuances(
    db: &mut dyn Db,
    terminal: &TerminalRow,
    policy: &Policy,
    events: &[Pushed],
    start: i64,
    now: &str,
) -> Result<Option<Vec<Verdict>>> {
    let mut issuances = Vec::with_capacity(events.len());
    for (i, Pushed { event, .. }) in events.iter().enumerate() {
        let EventBody::Issuance(p) = &event.body else {
            return Ok(None);
        };
        if event.seq as i64 != start + i as i64
            || p.verification == Verification::Online
            || check_issuance(terminal, policy, p).is_some()
        {
            return Ok(None);
        }
        issuances.push(p);
    }
    if issuances.is_empty() {
        return Ok(None);
    }
    // Per beneficiary: its issuance, its key and what the rows need.
    let mut people = Vec::new();
    for (i, p) in issuances.iter().enumerate() {
        for (position, b) in p.beneficiaries.iter().enumerate() {
            let key = key_from_hex(&b.key)?;
            let amount: u64 = b.shares_krw.values().sum();
            let shares = serde_json::to_string(&b.shares_krw).expect("serialises");
            people.push((
                i,
                position as i64,
                *key.as_bytes(),
                b,
                amount as i64,
                shares,
            ));
        }
    }
    let issued_at: Vec<String> = issuances.iter().map(|p| ts(p.issued_at)).collect();
    let references: Vec<String> = issuances
        .iter()
        .map(|p| issuance_ref(&p.issuance_id))
        .collect();
    let channel = terminal.channel();
    let rows: Vec<NewEvent> = events
        .iter()
        .map(|Pushed { event, digest }| NewEvent {
            terminal_id: &terminal.id,
            seq: event.seq as i64,
            event_id: &event.event_id,
            kind: event.body.kind(),
            body_sha256: digest.as_slice(),
            received_at: now,
        })
        .collect();
    batch::insert_rows(db, &rows)?;
    let rows: Vec<NewIssuance> = issuances
        .iter()
        .zip(&issued_at)
        .map(|(p, at)| NewIssuance {
            id: &p.issuance_id,
            terminal_id: &terminal.id,
            issued_at: at,
            verification: p.verification.code(),
            total_krw: p.total_krw as i64,
            received_at: now,
        })
        .collect();
    batch::insert_rows(db, &rows)?;
    let rows: Vec<NewIssuanceBeneficiary> = people
        .iter()
        .map(
            |(i, position, key, b, amount, shares)| NewIssuanceBeneficiary {
                issuance_id: &issuances[*i].issuance_id,
                position: *position,
                beneficiary_key: key.as_slice(),
                sigungu: &b.sigungu,
                household_size: i64::from(b.household_size),
                amount_krw: *amount,
                shares,
            },
        )
        .collect();
    batch::insert_rows(db, &rows)?;
    let payments: Vec<NewPayment> = people
        .iter()
        .map(|(i, _, key, b, amount, _)| NewPayment {
            campaign_id: &terminal.campaign_id,
            beneficiary_key: key.as_slice(),
            reference: &references[*i],
            channel,
            terminal_id: Some(&terminal.id),
            issuance_id: Some(&issuances[*i].issuance_id),
            verification: Verification::Offline,
            site: &terminal.site_name,
            sigungu: &b.sigungu,
            amount_krw: *amount,
            paid_at: &issued_at[*i],
            recorded_at: now,
        })
        .collect();
    persons::insert_payments(db, &payments)?;
    // People in key order, as everywhere a transaction locks several, and
    // before the feed's turn, taken at its first row.
    let mut order: Vec<usize> = (0..people.len()).collect();
    order.sort_by_key(|&j| people[j].2);
    let settled: Vec<_> = people
        .iter()
        .map(|(i, ..)| person::first_payment(&references[*i], Some(&terminal.id)))
        .collect();
    let rows: Vec<NewEntitlement> = order
        .iter()
        .map(|&j| NewEntitlement {
            campaign_id: &terminal.campaign_id,
            beneficiary_key: people[j].2.as_slice(),
            state: settled[j].state.code(),
            standing_ref: settled[j].deny.standing.as_deref(),
            other_ref: settled[j].deny.other.as_deref(),
            changed_at: now,
        })
        .collect();
    persons::insert_entitlements(db, &rows)?;
    let mut feed = FeedRows::default();
    for (i, _, key, b, ..) in &people {
        feed.paid(&FeedPaid {
            campaign_id: &terminal.campaign_id,
            sigungu: &b.sigungu,
            key: key.as_slice(),
            payer_terminal: Some(&terminal.id),
            channel: channel.code(),
            site: &terminal.site_name,
            at: &issued_at[*i],
        });
    }
    let rows: Vec<NewVisitEnd> = issuances
        .iter()
        .filter_map(|p| p.visit_id.as_deref())
        .map(|visit| NewVisitEnd {
            visit_id: visit,
            terminal_id: &terminal.id,
            outcome: VisitOutcome::Issued,
            ended_at: now,
            reason: None,
        })
        .collect();
    persons::end_visits(db, &rows)?;
    // Card instructions are read after a cursor: they take the feed's turn.
    db.lock_feed()?;
    let cards: Vec<_> = issuances.iter().flat_map(|p| issuance_cards(p)).collect();
    card::new_cards(
        db,
        &terminal.campaign_id,
        &terminal.id,
        &cards,
        now,
        &mut feed,
    )?;
    feed.flush(db, now)?;
    Ok(Some(
        events
            .iter()
            .map(|e| Verdict {
                seq: e.event.seq,
                outcome: Outcome::Accepted,
            })
            .collect(),
    ))
}
