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
}

impl Add for Krw {
    type Output = Krw;
    fn add(self, rhs: Krw) -> Krw {
        Krw(self.0 + rhs.0)
    }
}

impl Mul<u64> for Krw {
    type Output = Krw;
    fn mul(self, rhs: u64) -> Krw {
        Krw(self.0 * rhs)
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
}
