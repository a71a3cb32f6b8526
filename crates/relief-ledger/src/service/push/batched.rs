//! The batched path of a push: a table at a time instead of an event at
//! a time, for the batches that meet nothing already recorded.

use relief_core::policy::Policy;
use relief_protocol::{EventBody, Outcome, Verdict};

use super::{Pushed, check_issuance};
use crate::service::{Result, key_from_hex, ts};
use crate::storage::queries::TerminalRow;
use crate::storage::{Db, Param, batch};

/// The batched path, for the usual push after an outage: new issuances
/// only, in sequence from `start`, each valid and issued offline (an
/// online one was claimed first: its entitlement row is there already).
/// Such a batch is written a table at a time, the rows the
/// one-by-one path would write, and every event is accepted. `None`, with
/// nothing written, for any other batch. Should an issuance id or a
/// person be recorded already, or come twice in the batch, the database
/// refuses the rows (a unique violation) and the caller goes again one by
/// one.
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
            || p.verification == "online"
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
    let mut rows: Vec<Param> = Vec::with_capacity(events.len() * 6);
    for Pushed { event, digest } in events {
        rows.extend::<[Param; _]>([
            (&terminal.id).into(),
            (event.seq as i64).into(),
            (&event.event_id).into(),
            event.body.kind().into(),
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
            (&p.verification).into(),
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
    for (i, _, key, b, ..) in &people {
        rows.extend::<[Param; _]>([
            (&terminal.campaign_id).into(),
            key.as_slice().into(),
            "paid".into(),
            (&terminal.id).into(),
            (&issuances[*i].issuance_id).into(),
            (&terminal.site_type).into(),
            (&terminal.site_name).into(),
            (&b.sigungu).into(),
            (&issued_at[*i]).into(),
            Param::Text(None),
        ]);
    }
    // The feed's turn is taken before the first entitlement is written,
    // as on the one-by-one path, so that no two pushes wait on each other.
    db.lock_feed()?;
    batch::insert_entitlements(db, &rows)?;
    rows.clear();
    for (i, _, key, b, ..) in &people {
        rows.extend::<[Param; _]>([
            (&terminal.campaign_id).into(),
            "paid".into(),
            (&b.sigungu).into(),
            key.as_slice().into(),
            (&terminal.id).into(),
            (&terminal.site_type).into(),
            (&terminal.site_name).into(),
            (&issued_at[*i]).into(),
        ]);
    }
    batch::insert_feed(db, &rows)?;
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
