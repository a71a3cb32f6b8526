//! 시군 codes from the 행정표준코드 (administrative standard code).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A 시군(구) code: five digits, e.g. `41110` for 수원시.
///
/// The code alone says nothing about whether a campaign covers the region;
/// that is the policy's `regions` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sigungu(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("시군 코드는 숫자 다섯 자리입니다 (받은 값: {0:?})")]
pub struct InvalidSigunguCode(pub String);

impl FromStr for Sigungu {
    type Err = InvalidSigunguCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim();
        let well_formed =
            code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with('0');
        if !well_formed {
            return Err(InvalidSigunguCode(s.to_owned()));
        }
        code.parse()
            .map(Sigungu)
            .map_err(|_| InvalidSigunguCode(s.to_owned()))
    }
}

impl TryFrom<String> for Sigungu {
    type Error = InvalidSigunguCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Sigungu> for String {
    fn from(code: Sigungu) -> String {
        code.to_string()
    }
}

impl fmt::Display for Sigungu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:05}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_five_digit_codes_only() {
        assert_eq!("41110".parse::<Sigungu>().unwrap().to_string(), "41110");
        assert_eq!(" 41590 ".parse::<Sigungu>().unwrap().to_string(), "41590");
        for bad in ["", "4111", "411100", "4111a", "01110", "-4111", "+4111"] {
            assert!(bad.parse::<Sigungu>().is_err(), "{bad:?} accepted");
        }
    }
}
