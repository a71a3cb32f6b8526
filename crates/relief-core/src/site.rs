//! Where issuance happens: a 읍면동 center or an NH농협 branch, in a 시군.

use crate::region::Sigungu;

crate::closed_set! {
    /// The kind of counter. Policies differ by it: NH branches keep bank
    /// hours and closed on weekends in 2020, and could not verify foreign
    /// residents.
    pub enum SiteType as "창구 종류" {
        /// 읍면동 행정복지센터
        Center => "행정복지센터",
        /// NH농협 branch (지점) or local 농축협
        Nh => "NH농협",
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
        }
        assert!("mobile".parse::<Channel>().is_err());
        assert_eq!(Channel::from(SiteType::Nh), Channel::Nh);
    }
}
