//! Working a card out again and writing what changed: its state, what the
//! card issuer is to do, and what its terminals are told.

use std::collections::BTreeSet;

use relief_protocol::{CardActivation, IssuerAction};

use super::state::{CardState, IssuerState, activation, instruction, worked_out};
type Result<T> = std::result::Result<T, StorageError>;
use crate::storage::queries::{self, FeedRows, NewCard, NewInstruction, NewIssuanceCard};
use crate::storage::{Db, StorageError};

/// Works out again every card of the issuances `feed` was told of
/// ([`FeedRows::cards_of`]), in serial order (two writers lock cards in
/// the same order), after every person the transaction settled.
pub fn refresh(db: &mut dyn Db, feed: &mut FeedRows, now: &str) -> Result<()> {
    let issuances = feed.take_cards();
    let mut serials = BTreeSet::new();
    for id in &issuances {
        serials.extend(queries::cards_of_issuance(db, id)?);
    }
    for serial in serials {
        let card = queries::lock_card(db, &serial)?;
        let carriers = queries::carriers(db, &serial)?;
        let state = worked_out(card.as_ref().map(|c| c.state), &carriers);
        let terminals: BTreeSet<&str> = carriers.iter().map(|c| c.terminal_id.as_str()).collect();
        let (issuer, seen_before, amount, face_value) = match &card {
            Some(c) if c.state == state => continue,
            Some(c) => {
                queries::set_card_state(db, &serial, state, now)?;
                (
                    c.issuer_state,
                    Some(activation(c.state, c.issuer_state)),
                    c.amount_krw,
                    c.face_value_krw,
                )
            }
            None => {
                let first = carriers.first().ok_or_else(|| {
                    StorageError::Race(format!("카드 {serial}을(를) 실은 발급이 없습니다"))
                })?;
                queries::insert_card(
                    db,
                    &NewCard {
                        serial: &serial,
                        campaign_id: &first.campaign_id,
                        terminal_id: &first.terminal_id,
                        issuance_id: &first.issuance_id,
                        amount_krw: first.amount_krw,
                        face_value_krw: first.face_value_krw,
                        state,
                        changed_at: now,
                    },
                )?;
                (
                    IssuerState::Untouched,
                    None,
                    first.amount_krw,
                    first.face_value_krw,
                )
            }
        };
        // Held again before the issuer loaded it: the activation waits
        // for the conflict, off the issuer's feed.
        if state == CardState::Held && issuer == IssuerState::Untouched {
            queries::withdraw_activation(db, &serial)?;
        }
        if let Some(action) = instruction(state, issuer) {
            queries::insert_instruction(
                db,
                &NewInstruction {
                    serial: &serial,
                    action,
                    amount_krw: (action == IssuerAction::Activate).then_some(amount),
                    face_value_krw: face_value,
                    at: now,
                },
            )?;
        }
        let seen = activation(state, issuer);
        if seen_before != Some(seen) {
            let campaign = &carriers[0].campaign_id;
            for terminal in terminals {
                feed.card(campaign, terminal, &serial, seen);
            }
        }
    }
    Ok(())
}

/// The cards of issuances met for the first time whose every payment
/// stands (the batched push): all to activate, written a table at a
/// time. A serial the ledger knows already is refused as a unique
/// violation, and the batch goes again one event at a time.
pub fn new_cards(
    db: &mut dyn Db,
    campaign: &str,
    terminal: &str,
    cards: &[NewIssuanceCard],
    now: &str,
    feed: &mut FeedRows,
) -> Result<()> {
    queries::insert_issuance_cards(db, cards)?;
    let rows: Vec<NewCard> = cards
        .iter()
        .map(|c| NewCard {
            serial: c.serial,
            campaign_id: campaign,
            terminal_id: terminal,
            issuance_id: c.issuance_id,
            amount_krw: c.amount_krw,
            face_value_krw: c.face_value_krw,
            state: CardState::ToActivate,
            changed_at: now,
        })
        .collect();
    queries::insert_cards(db, &rows)?;
    let rows: Vec<NewInstruction> = cards
        .iter()
        .map(|c| NewInstruction {
            serial: c.serial,
            action: IssuerAction::Activate,
            amount_krw: Some(c.amount_krw),
            face_value_krw: c.face_value_krw,
            at: now,
        })
        .collect();
    queries::insert_instructions(db, &rows)?;
    for c in cards {
        feed.card(campaign, terminal, c.serial, CardActivation::ToActivate);
    }
    Ok(())
}
