//! The rule for a card, as pure functions.

use relief_protocol::{CardActivation, IssuerAction};

use crate::storage::queries::Carrier;

relief_core::closed_set! {
    /// What the ledger worked out for a card.
    pub enum CardState as "카드 상태" {
        /// Its payment stands, or was accepted beside the one that does.
        ToActivate => "사용 등록 대상",
        /// Its payment is in an open conflict: loaded with nothing.
        Held => "보류",
        /// Voided, or handed over twice: never to carry money.
        Blocked => "사용 정지",
    }
}

relief_core::closed_set! {
    /// What the card issuer confirmed.
    pub enum IssuerState as "카드사 처리" {
        Untouched = "none" => "처리 전",
        Active => "사용 등록 완료",
        Blocked => "정지 완료",
    }
}

/// A card's state from the issuances that carried it, in the order the
/// ledger received them. One issuance, not voided: its payment decides
/// (held while any of its people's payments is). Voided, or carried by a
/// second issuance (a serial that should never have been handed over
/// again): blocked. Blocked stays blocked: the voids and issuances that
/// made it so are never taken back, and `previous` says so once more.
pub fn worked_out(previous: Option<CardState>, carriers: &[Carrier]) -> CardState {
    if previous == Some(CardState::Blocked) {
        return CardState::Blocked;
    }
    match carriers {
        [only] if !only.voided && only.held => CardState::Held,
        [only] if !only.voided => CardState::ToActivate,
        _ => CardState::Blocked,
    }
}

/// What the issuer is to do about a card, given what it confirmed: load
/// and activate a card to activate; block a blocked card, loaded or not,
/// so that nothing can activate it later. A held card is left alone, and
/// an activation it was due before it was held again is withdrawn
/// (`refresh`): a payment accepted beside another stands held again when
/// that other is voided and a third payment of the person remains.
pub fn instruction(state: CardState, issuer: IssuerState) -> Option<IssuerAction> {
    match (state, issuer) {
        (CardState::ToActivate, IssuerState::Untouched) => Some(IssuerAction::Activate),
        (CardState::Blocked, IssuerState::Untouched | IssuerState::Active) => {
            Some(IssuerAction::Block)
        }
        _ => None,
    }
}

/// The card as its terminal names it.
pub fn activation(state: CardState, issuer: IssuerState) -> CardActivation {
    match (state, issuer) {
        (CardState::ToActivate, IssuerState::Active) => CardActivation::Active,
        (CardState::ToActivate, _) => CardActivation::ToActivate,
        (CardState::Held, _) => CardActivation::Held,
        (CardState::Blocked, _) => CardActivation::Blocked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carrier(voided: bool, held: bool) -> Carrier {
        Carrier {
            issuance_id: "i".into(),
            terminal_id: "t".into(),
            campaign_id: "c".into(),
            amount_krw: 100_000,
            face_value_krw: Some(500_000),
            voided,
            held,
        }
    }

    #[test]
    fn a_card_follows_its_one_issuance() {
        assert_eq!(
            worked_out(None, &[carrier(false, false)]),
            CardState::ToActivate
        );
        assert_eq!(worked_out(None, &[carrier(false, true)]), CardState::Held);
        assert_eq!(
            worked_out(Some(CardState::Held), &[carrier(false, false)]),
            CardState::ToActivate
        );
        for held in [false, true] {
            assert_eq!(worked_out(None, &[carrier(true, held)]), CardState::Blocked);
        }
    }

    #[test]
    fn a_card_handed_over_twice_or_once_blocked_is_blocked() {
        let twice = [carrier(false, false), carrier(false, false)];
        assert_eq!(worked_out(None, &twice), CardState::Blocked);
        assert_eq!(worked_out(None, &[]), CardState::Blocked);
        assert_eq!(
            worked_out(Some(CardState::Blocked), &[carrier(false, false)]),
            CardState::Blocked
        );
    }

    #[test]
    fn the_issuer_is_told_only_what_changes_money() {
        use IssuerState::*;
        assert_eq!(
            instruction(CardState::ToActivate, Untouched),
            Some(IssuerAction::Activate)
        );
        assert_eq!(instruction(CardState::ToActivate, Active), None);
        assert_eq!(instruction(CardState::Held, Untouched), None);
        assert_eq!(
            instruction(CardState::Blocked, Untouched),
            Some(IssuerAction::Block)
        );
        assert_eq!(
            instruction(CardState::Blocked, Active),
            Some(IssuerAction::Block)
        );
        assert_eq!(instruction(CardState::Blocked, IssuerState::Blocked), None);
        assert_eq!(
            activation(CardState::ToActivate, Active),
            CardActivation::Active
        );
        assert_eq!(
            activation(CardState::Blocked, Active),
            CardActivation::Blocked
        );
        assert_eq!(
            activation(CardState::ToActivate, Untouched),
            CardActivation::ToActivate
        );
        assert_eq!(activation(CardState::Held, Untouched), CardActivation::Held);
    }
}
