//! Where issuance happens: a 읍면동 center or an NH농협 branch, in a 시군.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::region::Sigungu;

/// The kind of counter. Policies differ by it: NH branches keep bank hours and
/// closed on weekends in 2020, and could not verify foreign residents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteType {
    /// 읍면동 행정복지센터
    Center,
    /// NH농협 branch (지점) or local 농축협
    Nh,
}

impl SiteType {
    pub const ALL: [SiteType; 2] = [SiteType::Center, SiteType::Nh];

    pub fn code(self) -> &'static str {
        match self {
            SiteType::Center => "center",
            SiteType::Nh => "nh",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SiteType::Center => "행정복지센터",
            SiteType::Nh => "NH농협",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("창구 종류는 center(행정복지센터) 또는 nh(NH농협)입니다 (받은 값: {0:?})")]
pub struct InvalidSiteType(pub String);

impl FromStr for SiteType {
    type Err = InvalidSiteType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "center" => Ok(SiteType::Center),
            "nh" => Ok(SiteType::Nh),
            other => Err(InvalidSiteType(other.to_owned())),
        }
    }
}

impl fmt::Display for SiteType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

crate::closed_set! {
    /// Where a payment was made: at a counter of either kind, or through
    /// the card companies' online applications.
    pub enum Channel {
        Center,
        Nh,
        Online,
    }
}

impl Channel {
    pub fn label(self) -> &'static str {
        match self {
            Channel::Center => SiteType::Center.label(),
            Channel::Nh => SiteType::Nh.label(),
            Channel::Online => "온라인 신청",
        }
    }
}

impl From<SiteType> for Channel {
    fn from(kind: SiteType) -> Channel {
        match kind {
            SiteType::Center => Channel::Center,
            SiteType::Nh => Channel::Nh,
        }
    }
}

/// A payment channel as the ledger names it (`center`, `nh`, `online`),
/// in words for the counter; an unknown code is shown as it is.
pub fn channel_label(code: &str) -> &str {
    match code.parse::<Channel>() {
        Ok(channel) => channel.label(),
        Err(_) => code,
    }
}

/// A counter as the rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    pub kind: SiteType,
    pub sigungu: Sigungu,
}

/// One value for each kind of site, so a rule never forgets one.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PerSite<T> {
    pub center: T,
    pub nh: T,
}

impl<T> PerSite<T> {
    pub fn get(&self, kind: SiteType) -> &T {
        match kind {
            SiteType::Center => &self.center,
            SiteType::Nh => &self.nh,
        }
    }
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    #[test]
    fn a_channel_has_one_string_form_everywhere() {
        for channel in Channel::VARIANTS {
            let json = serde_json::to_string(channel).unwrap();
            assert_eq!(json, format!("\"{}\"", channel.code()));
            assert_eq!(channel.code().parse::<Channel>().unwrap(), *channel);
            assert_eq!(serde_json::from_str::<Channel>(&json).unwrap(), *channel);
            assert_eq!(channel_label(channel.code()), channel.label());
        }
        assert!("mobile".parse::<Channel>().is_err());
        assert_eq!(channel_label("mobile"), "mobile");
        assert_eq!(Channel::from(SiteType::Nh), Channel::Nh);
    }
}
