//! Reading a person's rows, and writing what [`Rows::settle`] worked out
//! from them: the entitlement row, conflicts, and the feed the counters'
//! deny-lists and conflict queues are built from.

use std::collections::BTreeSet;

use relief_protocol::ConflictStatus;
use uuid::Uuid;

use super::state::{Conflict, DenyView, Payer, Payment, Rows, Settled};
use crate::service::Result;
use crate::storage::persons::{self, ClaimRow, ConflictRow, EntitlementRow, PaymentRow, Side};
use crate::storage::queries::{self, FeedRows};
use crate::storage::{Db, StorageError};

/// One person's rows, read under the person's lock.
#[derive(Debug, Clone)]
pub struct Person {
    pub key: Vec<u8>,
    /// What was last worked out and written.
    pub written: EntitlementRow,
    pub payments: Vec<PaymentRow>,
    pub claims: Vec<ClaimRow>,
    pub conflicts: Vec<ConflictRow>,
}

impl Person {
    /// Locks the person (see [`persons::lock_entitlement`]) and reads
    /// everything recorded about them.
    pub fn load(db: &mut dyn Db, campaign: &str, key: &[u8], now: &str) -> Result<Person> {
        let written = persons::lock_entitlement(db, campaign, key, now)?;
        Ok(Person {
            key: key.to_vec(),
            written,
            payments: persons::payments(db, campaign, key)?,
            claims: persons::live_claims(db, campaign, key)?,
            conflicts: persons::conflicts_of(db, campaign, key)?,
        })
    }

    /// The rows as the rules read them.
    pub fn rows(&self) -> Rows {
        Rows {
            payments: self
                .payments
                .iter()
                .map(|p| Payment {
                    reference: p.reference.clone(),
                    payer: payer(p),
                    voided: p.voided,
                })
                .collect(),
            claimed: !self.claims.is_empty(),
            conflicts: self
                .conflicts
                .iter()
                .map(|c| Conflict {
                    id: c.id.clone(),
                    first: c.standing.reference.clone(),
                    second: c.other.reference.clone(),
                    accepted: c.accepted,
                    status: c.status,
                })
                .collect(),
        }
    }

    pub fn payment(&self, reference: &str) -> Option<&PaymentRow> {
        self.payments.iter().find(|p| p.reference == reference)
    }

    /// The payment that stands.
    pub fn standing(&self) -> Option<&PaymentRow> {
        self.payments.iter().find(|p| !p.voided)
    }
}

fn payer(p: &PaymentRow) -> Payer {
    match &p.terminal_id {
        Some(t) => Payer::Terminal(t.clone()),
        None => Payer::Online,
    }
}

/// A conflict's id, from the pair it is between: the same pair is the same
/// conflict, also after a ledger restore and whichever was recorded first.
pub fn conflict_id(campaign: &str, key: &[u8], a: &str, b: &str) -> String {
    const NAMESPACE: Uuid = Uuid::from_u128(0x5b1f_2c7e_9a04_4d6b_8e3f_72a1_c0d9_e814);
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let name = format!("{campaign}\0{}\0{low}\0{high}", hex::encode(key));
    Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
}

/// Reads the person, works them out, writes the result: what every path
/// calls after it has written its rows.
pub fn settle(
    db: &mut dyn Db,
    campaign: &str,
    key: &[u8],
    now: &str,
    feed: &mut FeedRows,
) -> Result<(Person, Settled)> {
    let mut person = Person::load(db, campaign, key, now)?;
    let settled = person.rows().settle();
    write(db, campaign, &mut person, &settled, now, feed)?;
    Ok((person, settled))
}

/// Writes what was worked out for `person`, and keeps `person` in step;
/// what the counters are to be told goes into `feed`, which the caller
/// writes last.
pub fn write(
    db: &mut dyn Db,
    campaign: &str,
    person: &mut Person,
    settled: &Settled,
    now: &str,
    feed: &mut FeedRows,
) -> Result<()> {
    for (first, second) in &settled.new_conflicts {
        let side = |reference: &str| -> Result<Side> {
            person.payment(reference).map(Side::of).ok_or_else(|| {
                StorageError::Race(format!("지급 {reference}이(가) 없습니다")).into()
            })
        };
        let row = ConflictRow {
            id: conflict_id(campaign, &person.key, first, second),
            campaign_id: campaign.to_owned(),
            key: person.key.clone(),
            standing: side(first)?,
            other: side(second)?,
            detected_at: now.to_owned(),
            status: ConflictStatus::Open,
            note: None,
            accepted: false,
        };
        persons::insert_conflict(db, &row)?;
        tell_both(feed, campaign, &row);
        tracing::warn!(conflict = %row.id, "a person paid twice");
        person.conflicts.push(row);
    }
    for (id, status) in &settled.status_changes {
        let Some(c) = person.conflicts.iter_mut().find(|c| &c.id == id) else {
            continue;
        };
        let note = match status {
            ConflictStatus::Accepted => persons::acceptance_note(db, id)?,
            ConflictStatus::ResolvedByVoid => persons::void_reason(
                db,
                &[
                    c.standing.issuance_id.as_deref(),
                    c.other.issuance_id.as_deref(),
                ],
            )?,
            ConflictStatus::Open => None,
        };
        persons::set_conflict_status(db, id, *status, note.as_deref(), now)?;
        c.status = *status;
        if note.is_some() {
            c.note = note;
        }
        tell_both(feed, campaign, c);
    }
    for p in &mut person.payments {
        let held = settled.held.contains(&p.reference);
        if held != p.held {
            persons::set_payment_held(db, p.id, held)?;
            p.held = held;
            if let Some(issuance) = &p.issuance_id {
                feed.cards_of(issuance);
            }
        }
    }
    let deny = DenyView {
        standing: person.written.standing_ref.clone(),
        other: person.written.other_ref.clone(),
    };
    if deny != settled.deny {
        announce(feed, campaign, person, &settled.deny)?;
    }
    let worked_out = EntitlementRow {
        state: settled.state.code().to_owned(),
        standing_ref: settled.deny.standing.clone(),
        other_ref: settled.deny.other.clone(),
    };
    if worked_out != person.written {
        persons::update_entitlement(db, campaign, &person.key, &worked_out, now)?;
        person.written = worked_out;
    }
    Ok(())
}

/// The feed's row for a conflict: both terminals will pull it.
fn tell_both(feed: &mut FeedRows, campaign: &str, c: &ConflictRow) {
    feed.conflict(
        campaign,
        &c.id,
        c.standing.terminal_id.as_deref(),
        c.other.terminal_id.as_deref(),
    );
}

/// Tells the counters of the person's 시군 what their deny-lists now say.
/// A change reaches every terminal of the 시군 but the payer's own: the
/// other payer's row goes first, the standing one last, so that everyone
/// but the standing payer ends up naming the payment that stands, and the
/// standing payer hears of the other.
fn announce(feed: &mut FeedRows, campaign: &str, person: &Person, deny: &DenyView) -> Result<()> {
    let regions: BTreeSet<&str> = person.payments.iter().map(|p| p.sigungu.as_str()).collect();
    let Some(standing) = &deny.standing else {
        for sigungu in regions {
            feed.released(campaign, sigungu, &person.key);
        }
        return Ok(());
    };
    for reference in deny.other.iter().chain([standing]) {
        let p = person
            .payment(reference)
            .ok_or_else(|| StorageError::Race(format!("지급 {reference}이(가) 없습니다")))?;
        for sigungu in &regions {
            feed.paid(&queries::FeedPaid {
                campaign_id: campaign,
                sigungu,
                key: &person.key,
                payer_terminal: p.terminal_id.as_deref(),
                channel: p.channel.code(),
                site: &p.site,
                at: &p.paid_at,
            });
        }
    }
    Ok(())
}

/// For someone met for the first time with one payment: what they are is
/// plain, and is written by the batched paths without reading anything
/// back. The batched insert of their entitlement row proves they are new.
pub fn first_payment(reference: &str, terminal: Option<&str>) -> Settled {
    Rows {
        payments: vec![Payment {
            reference: reference.to_owned(),
            payer: terminal.map_or(Payer::Online, |t| Payer::Terminal(t.to_owned())),
            voided: false,
        }],
        ..Rows::default()
    }
    .settle()
}
