//! Amounts of money in Korean won.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul};

use serde::{Deserialize, Serialize};

/// An amount in won (KRW). Relief amounts are whole won and never negative.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Krw(pub u64);

impl Krw {
    pub const ZERO: Krw = Krw(0);

    pub fn won(self) -> u64 {
        self.0
    }

    pub fn checked_add(self, rhs: Krw) -> Option<Krw> {
        self.0.checked_add(rhs.0).map(Krw)
    }
}

/// Money never wraps around: an overflow stops here, in release builds
/// too, rather than becoming a small amount. (Campaign amounts are far
/// from it; `checked_add` is for sums of what others send.)
impl Add for Krw {
    type Output = Krw;
    fn add(self, rhs: Krw) -> Krw {
        self.checked_add(rhs)
            .expect("an amount of won beyond u64: refusing to wrap")
    }
}

impl Mul<u64> for Krw {
    type Output = Krw;
    fn mul(self, rhs: u64) -> Krw {
        Krw(self
            .0
            .checked_mul(rhs)
            .expect("an amount of won beyond u64: refusing to wrap"))
    }
}

impl Sum for Krw {
    fn sum<I: Iterator<Item = Krw>>(iter: I) -> Krw {
        iter.fold(Krw::ZERO, Add::add)
    }
}

/// `100,000원`: how a clerk reads an amount aloud and a receipt prints it.
impl fmt::Display for Krw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{grouped}원")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_with_thousands_separators() {
        assert_eq!(Krw(0).to_string(), "0원");
        assert_eq!(Krw(500).to_string(), "500원");
        assert_eq!(Krw(100_000).to_string(), "100,000원");
        assert_eq!(Krw(3_000_000).to_string(), "3,000,000원");
    }

    #[test]
    fn amounts_never_wrap() {
        assert_eq!(Krw(u64::MAX).checked_add(Krw(1)), None);
        assert_eq!(Krw(1).checked_add(Krw(2)), Some(Krw(3)));
        assert!(std::panic::catch_unwind(|| Krw(u64::MAX) + Krw(1)).is_err());
        assert!(std::panic::catch_unwind(|| Krw(u64::MAX / 2 + 1) * 2).is_err());
        assert_eq!(Krw(100_000) * 4, Krw(400_000));
    }
}
