//! Household size (세대원 수) as on the resident register.

use std::fmt;

/// 1 to [`HouseholdSize::MAX`] people. Larger numbers are typing mistakes:
/// registered households in Korea are far smaller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HouseholdSize(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("세대원 수는 1명부터 {max}명까지입니다 (받은 값: {found})", max = HouseholdSize::MAX)]
pub struct InvalidHouseholdSize {
    pub found: i64,
}

impl HouseholdSize {
    pub const MAX: u8 = 30;

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for HouseholdSize {
    type Error = InvalidHouseholdSize;
    fn try_from(n: i64) -> Result<Self, Self::Error> {
        if (1..=i64::from(Self::MAX)).contains(&n) {
            Ok(HouseholdSize(n as u8))
        } else {
            Err(InvalidHouseholdSize { found: n })
        }
    }
}

impl fmt::Display for HouseholdSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}인", self.0)
    }
}
