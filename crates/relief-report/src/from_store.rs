//! Report inputs straight from a terminal's store.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use relief_protocol::Verification;
use relief_store::{IssuanceRecord, Session, Store};

use crate::model::{
    Beneficiary, Card, Close, DailyInput, DrawerRow, Header, Issuance, OpenConflict, Source, Void,
};
use crate::receipt::{Receipt, ReceiptCard, ReceiptLine};
use crate::stock::{FaceValueDay, StockInput};

pub fn header(store: &Store, date: NaiveDate, by: &Session, now: NaiveDateTime) -> Header {
    let site = store.site();
    let policy = store.policy();
    Header {
        site_code: site.code.clone(),
        site_name: site.name.clone(),
        site_type: site.site_type,
        sigungu: format!(
            "{} ({})",
            policy.region_name(site.sigungu).unwrap_or_default(),
            site.sigungu
        ),
        date,
        campaign: policy.campaign.name.clone(),
        policy_version: policy.campaign.version.clone(),
        generated_at: now,
        generated_by: format!("{} ({})", by.name(), by.employee_id()),
    }
}

fn issuance(record: &IssuanceRecord) -> Issuance {
    Issuance {
        id: record.id.clone(),
        issued_at: record.issued_at,
        clerk: record.clerk_id.clone(),
        offline: record.verification == Verification::Offline,
        applicant_masked: record.applicant_masked.clone(),
        applicant_name: record.applicant_name.clone(),
        beneficiaries: record
            .beneficiaries
            .iter()
            .map(|b| Beneficiary {
                masked: b.masked.clone(),
                name: b.name.clone(),
                relation: b.relation.label().to_owned(),
                household_size: b.household_size,
                sigungu: b.sigungu.clone(),
                shares: b.shares.iter().map(|(s, a)| (s.clone(), a.won())).collect(),
                roll_exception: b.roll_exception.map(|e| e.label().to_owned()),
            })
            .collect(),
        cards: record
            .cards
            .iter()
            .map(|c| Card {
                serial: c.serial.clone(),
                amount: c.amount.won(),
            })
            .collect(),
        void: record.void.as_ref().map(void),
    }
}

fn void(v: &relief_store::VoidRecord) -> Void {
    Void {
        at: v.voided_at,
        by: v.voided_by.clone(),
        reason: v.reason.clone(),
        disposition: v.card_disposition.label().to_owned(),
    }
}

pub fn daily(
    store: &Store,
    date: NaiveDate,
    by: &Session,
    now: NaiveDateTime,
) -> relief_store::Result<DailyInput> {
    let policy = store.policy();
    let clerks = store
        .clerks()?
        .into_iter()
        .map(|c| (c.employee_id, c.name))
        .collect::<BTreeMap<_, _>>();
    let open_conflicts = store
        .conflicts()?
        .into_iter()
        .filter(|c| c.status == relief_protocol::ConflictStatus::Open)
        .map(|c| OpenConflict {
            id: c.id,
            standing: format!(
                "{} {} ({})",
                c.standing.paid.channel.label(),
                c.standing.paid.site,
                c.standing.paid.at.format("%m-%d %H:%M")
            ),
            our_issuance: c.our_issuance_id,
            detected_at: c.detected_at,
        })
        .collect();
    Ok(DailyInput {
        header: header(store, date, by, now),
        sources: policy
            .amounts
            .iter()
            .map(|a| Source {
                code: a.source.clone(),
                label: a.label.clone(),
            })
            .collect(),
        clerks,
        issuances: store
            .issuances_on(date)?
            .iter()
            .map(|record| {
                let mut issuance = issuance(record);
                // Voided after the day closed: the day's books stand as
                // closed, the void belongs to a later day's.
                if record.void.as_ref().is_some_and(|v| v.booked_on.is_some()) {
                    issuance.void = None;
                }
                issuance
            })
            .collect(),
        open_conflicts,
        card_activations: card_activations(store.activations_on(date)?),
        corrections: store.corrections_on(date)?.iter().map(issuance).collect(),
        close: None,
    })
}

/// The report a close fixes: the day's report as the close would leave it,
/// with the drawer's count, its differences and what had not reached the
/// ledger.
pub fn close(
    store: &Store,
    plan: &relief_store::ClosePlan,
    by: &Session,
    now: NaiveDateTime,
    reason: &str,
    unsent_reason: &str,
) -> relief_store::Result<DailyInput> {
    let mut input = daily(store, plan.day, by, now)?;
    input.close = Some(Close {
        closed_at: now,
        closed_by: format!("{} ({})", by.name(), by.employee_id()),
        drawer: plan
            .faces
            .iter()
            .map(|f| DrawerRow {
                face_value: f.face_value.won(),
                expected: f.expected,
                counted: f.counted,
                missing: f.missing.clone(),
                found: f.found.clone(),
            })
            .collect(),
        reason: reason.trim().to_owned(),
        unsent: plan.unsent.len() as u64,
        unsent_reason: unsent_reason.trim().to_owned(),
    });
    Ok(input)
}

fn card_activations(counts: relief_store::ActivationCounts) -> Vec<(String, u64)> {
    use relief_protocol::CardActivation::*;
    [
        (Waiting, counts.waiting),
        (ToActivate, counts.to_activate),
        (Active, counts.active),
        (Held, counts.held),
        (Blocked, counts.blocked),
    ]
    .map(|(state, count)| (state.label().to_owned(), count))
    .to_vec()
}

pub fn stock(
    store: &Store,
    date: NaiveDate,
    by: &Session,
    now: NaiveDateTime,
) -> relief_store::Result<StockInput> {
    Ok(StockInput {
        header: header(store, date, by, now),
        by_face_value: store
            .stock_day(date)?
            .into_iter()
            .map(|m| FaceValueDay {
                face_value: m.face_value.won(),
                opening: m.opening,
                closing: m.closing,
                received: m.received,
                issued: m.issued,
                returned: m.returned,
                destroyed: m.destroyed,
                damaged: m.damaged,
                lost: m.lost,
                found: m.found,
            })
            .collect(),
    })
}

pub fn receipt(store: &Store, issuance_id: &str) -> relief_store::Result<Receipt> {
    let record = store
        .issuance(issuance_id)?
        .ok_or_else(|| relief_store::Error::UnknownIssuance(issuance_id.to_owned()))?;
    let policy = store.policy();
    let clerk = store
        .clerks()?
        .into_iter()
        .find(|c| c.employee_id == record.clerk_id)
        .map_or(record.clerk_id.clone(), |c| c.name);
    let usable_in: BTreeSet<String> = record
        .beneficiaries
        .iter()
        .map(|b| {
            b.sigungu
                .parse()
                .ok()
                .and_then(|code| policy.region_name(code))
                .unwrap_or(&b.sigungu)
                .to_owned()
        })
        .collect();
    Ok(Receipt {
        campaign: policy.campaign.name.clone(),
        site_name: store.site().name.clone(),
        issuance_id: record.id.clone(),
        issued_at: record.issued_at,
        applicant_masked: record.applicant_masked.clone(),
        applicant_name: record.applicant_name.clone(),
        id_document: record.applicant_id_document.label().to_owned(),
        beneficiaries: record
            .beneficiaries
            .iter()
            .map(|b| ReceiptLine {
                masked: b.masked.clone(),
                name: b.name.clone(),
                relation: b.relation.label().to_owned(),
                amount: b.amount().won(),
            })
            .collect(),
        cards: record
            .cards
            .iter()
            .map(|c| ReceiptCard {
                serial: c.serial.clone(),
                amount: c.amount.won(),
                activation: c.activation.label().to_owned(),
            })
            .collect(),
        clerk,
        usable_in: usable_in.into_iter().collect(),
        usable_until: policy.campaign.card_usable_until,
        offline: record.verification == Verification::Offline,
    })
}
