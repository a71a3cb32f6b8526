//! The batched path of a push: a table at a time instead of an event at
//! a time, for the batches that meet nothing already recorded.

use relief_core::policy::Policy;
use relief_protocol::{EventBody, Outcome, Verdict, Verification};

use super::{Pushed, check_issuance, issuance_ref};
use crate::person;
use crate::service::{Result, key_from_hex, ts};
use crate::storage::persons::{self, NewPayment, VisitOutcome};
use crate::storage::queries::{FeedPaid, FeedRows, TerminalRow};
use crate::storage::{Db, Param, batch};

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
    let channel = terminal.channel()?;
    let mut rows: Vec<Param> = Vec::with_capacity(events.len() * 12);
    for Pushed { event, digest } in events {
        rows.extend::<[Param; _]>([
            (&terminal.id).into(),
            (event.seq as i64).into(),
            (&event.event_id).into(),
            event.body.kind().code().into(),
            digest.as_slice().into(),
            now.into(),
        ]);
    }
    batch::insert_events(db, &rows)?;
    rows.clear();
    for (p, at) in issuances.iter().zip(&issued_at) {
        rows.extend::<[Param; _]>([
            (&p.issuance_id).into(),
            (&terminal.id).into(),
            at.into(),
            p.verification.code().into(),
            (p.total_krw as i64).into(),
            now.into(),
        ]);
    }
    batch::insert_issuances(db, &rows)?;
    rows.clear();
    for (i, position, key, b, amount, shares) in &people {
        rows.extend::<[Param; _]>([
            (&issuances[*i].issuance_id).into(),
            (*position).into(),
            key.as_slice().into(),
            (&b.sigungu).into(),
            i64::from(b.household_size).into(),
            (*amount).into(),
            shares.into(),
        ]);
    }
    batch::insert_beneficiaries(db, &rows)?;
    rows.clear();
    let payments: Vec<NewPayment> = people
        .iter()
        .map(|(i, _, _, b, amount, _)| NewPayment {
            reference: &references[*i],
            channel,
            terminal_id: Some(&terminal.id),
            issuance_id: Some(&issuances[*i].issuance_id),
            verification: Verification::Offline,
            site: &terminal.site_name,
            sigungu: &b.sigungu,
            amount_krw: *amount,
            paid_at: &issued_at[*i],
        })
        .collect();
    for ((_, _, key, ..), payment) in people.iter().zip(&payments) {
        rows.extend(payment.params(&terminal.campaign_id, key.as_slice(), now));
    }
    persons::insert_payments(db, &rows)?;
    rows.clear();
    // People in key order, as everywhere a transaction locks several, and
    // before the feed's turn, taken at its first row.
    let mut order: Vec<usize> = (0..people.len()).collect();
    order.sort_by_key(|&j| people[j].2);
    let settled: Vec<_> = people
        .iter()
        .map(|(i, ..)| person::first_payment(&references[*i], Some(&terminal.id)))
        .collect();
    for &j in &order {
        rows.extend::<[Param; _]>([
            (&terminal.campaign_id).into(),
            people[j].2.as_slice().into(),
            settled[j].state.code().into(),
            settled[j].deny.standing.as_deref().into(),
            settled[j].deny.other.as_deref().into(),
            now.into(),
        ]);
    }
    persons::insert_entitlements(db, &rows)?;
    rows.clear();
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
    let issued = VisitOutcome::Issued.code();
    for p in &issuances {
        if let Some(visit) = &p.visit_id {
            rows.extend::<[Param; _]>([
                visit.into(),
                (&terminal.id).into(),
                issued.into(),
                now.into(),
                Param::Text(None),
            ]);
        }
    }
    persons::end_visits(db, &rows)?;
    feed.flush(db)?;
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
