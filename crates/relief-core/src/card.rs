//! Putting a family's money onto prepaid cards.

use chrono::NaiveDate;

use crate::money::Krw;
use crate::policy::Policy;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardSplitError {
    #[error("{0}에 적용되는 선불카드 한도가 정책에 없습니다")]
    NoLimit(NaiveDate),
}

/// The amounts to load, one per card: the fewest cards that respect `limit`,
/// each filled to the limit but the last. A zero total needs no card.
pub fn split(total: Krw, limit: Krw) -> Vec<Krw> {
    assert!(
        limit > Krw::ZERO,
        "a card limit is positive by policy validation"
    );
    let full = total.won() / limit.won();
    let rest = total.won() % limit.won();
    let mut cards = vec![limit; full as usize];
    if rest > 0 {
        cards.push(Krw(rest));
    }
    cards
}

/// [`split`] with the card limit in force on `day`.
pub fn split_on(policy: &Policy, day: NaiveDate, total: Krw) -> Result<Vec<Krw>, CardSplitError> {
    let limit = policy
        .card_limit_on(day)
        .ok_or(CardSplitError::NoLimit(day))?;
    Ok(split(total, limit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::builtin;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, m, day).unwrap()
    }

    #[test]
    fn fills_cards_to_the_limit() {
        assert_eq!(split(Krw(0), Krw(500_000)), Vec::<Krw>::new());
        assert_eq!(split(Krw(100_000), Krw(500_000)), vec![Krw(100_000)]);
        assert_eq!(split(Krw(500_000), Krw(500_000)), vec![Krw(500_000)]);
        assert_eq!(
            split(Krw(1_400_000), Krw(500_000)),
            vec![Krw(500_000), Krw(500_000), Krw(400_000)]
        );
    }

    #[test]
    fn the_limit_rises_on_april_21() {
        let policy = builtin::gyeonggi_2020();
        // A family of six in 안성: 6 × 350,000 = 2,100,000.
        let total = Krw(2_100_000);
        assert_eq!(split_on(&policy, d(4, 20), total).unwrap().len(), 5);
        assert_eq!(
            split_on(&policy, d(4, 21), total).unwrap(),
            vec![Krw(2_100_000)]
        );
        assert_eq!(split_on(&policy, d(9, 30), total).unwrap().len(), 1);
        assert_eq!(split_on(&policy, d(10, 1), total).unwrap().len(), 5);
        // Eight people in 안성 pass even the raised limit.
        assert_eq!(
            split_on(&policy, d(5, 4), Krw(2_800_000)).unwrap(),
            vec![Krw(2_800_000)]
        );
        assert_eq!(
            split_on(&policy, d(5, 4), Krw(3_500_000)).unwrap(),
            vec![Krw(3_000_000), Krw(500_000)]
        );
    }
}
