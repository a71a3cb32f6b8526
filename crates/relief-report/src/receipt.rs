//! The 수령 확인증: what a resident takes home. It says who received what
//! for whom, on which cards, and the terms; nothing beyond the payment
//! itself (no household size, no reason for the aid).

use chrono::{NaiveDate, NaiveDateTime};

relief_core::closed_set! {
    /// Paper for a receipt.
    pub enum Paper as "용지" {
        /// 148 × 210 mm.
        A5 => "A5",
        /// An 80 mm thermal roll, as long as it needs.
        Roll80 => "감열지 80mm",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    pub masked: String,
    pub name: String,
    pub relation: String,
    pub amount: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptCard {
    pub serial: String,
    pub amount: u64,
    /// When it can be spent, in words: `확인 후 사용 가능` until the ledger
    /// accepted the payment (a reprint says what was last pulled).
    pub activation: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub campaign: String,
    pub site_name: String,
    pub issuance_id: String,
    pub issued_at: NaiveDateTime,
    pub applicant_masked: String,
    pub applicant_name: String,
    pub id_document: String,
    pub beneficiaries: Vec<ReceiptLine>,
    pub cards: Vec<ReceiptCard>,
    pub clerk: String,
    /// The 시군 where the cards may be used, in words.
    pub usable_in: Vec<String>,
    pub usable_until: NaiveDate,
    pub offline: bool,
}

impl Receipt {
    pub fn total(&self) -> u64 {
        self.cards.iter().map(|card| card.amount).sum()
    }

    /// The terms, in the words printed.
    pub fn terms(&self) -> Vec<String> {
        vec![
            // Handed over empty: the card carries money once the ledger has
            // accepted the payment (README, "A card's activation").
            "확인 후 사용 가능: 지급 확인이 끝나면 카드사가 충전하고 문자로 알려 드립니다."
                .to_owned(),
            format!("{}에서만 사용할 수 있습니다.", self.usable_in.join(", ")),
            format!(
                "{}까지 사용할 수 있으며, 남은 금액은 소멸됩니다.",
                self.usable_until.format("%Y년 %m월 %d일")
            ),
            "잃어버리거나 훼손된 카드는 다시 발급하지 않습니다.".to_owned(),
            "충전하거나 현금으로 바꿀 수 없습니다.".to_owned(),
        ]
    }
}
