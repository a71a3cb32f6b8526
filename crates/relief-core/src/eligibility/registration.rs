//! Layer 0: who the visitor is on the resident roll. Where the campaign
//! has a roll and the terminal a copy of it, the roll, not the visitor,
//! says whether they are registered here, in which household, and of
//! which standing; the schedule's layers then take the household's size
//! and the standing from it.

use super::Refusal;
use crate::household::HouseholdSize;
use crate::policy::Policy;
use crate::roll::RollStatus;
use crate::site::SiteType;

/// What the terminal's roll says of one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listing<'a> {
    pub status: RollStatus,
    /// Still registered in the terminal's 시군.
    pub here: bool,
    pub eupmyeondong: &'a str,
    /// Their household's members still on the register.
    pub household_size: HouseholdSize,
}

/// The terminal's answer when asked about a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollLookup<'a> {
    /// The terminal holds no copy of the roll (yet).
    NoCopy,
    NotListed,
    Listed(Listing<'a>),
}

/// What the rest of the check goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// No roll to go by: the household size the visitor states, and the
    /// standing their number shows.
    Declared,
    /// As the roll lists them.
    Listed {
        household_size: HouseholdSize,
        foreign: bool,
    },
}

/// Whether the roll lets this person be served at this site at all. A
/// center's own 읍면동 is `site_eupmyeondong` (none: not known, so not
/// checked).
pub fn registration<'p>(
    policy: &'p Policy,
    site: SiteType,
    site_eupmyeondong: Option<&str>,
    lookup: RollLookup,
) -> Result<Standing, Refusal<'p>> {
    let Some(rules) = &policy.roll else {
        return Ok(Standing::Declared);
    };
    let listing = match lookup {
        RollLookup::NoCopy if rules.required => return Err(Refusal::NoRoll),
        RollLookup::NoCopy => return Ok(Standing::Declared),
        RollLookup::NotListed => return Err(Refusal::NotOnRoll),
        RollLookup::Listed(listing) => listing,
    };
    if listing.status == RollStatus::Removed {
        return Err(Refusal::RemovedFromRoll);
    }
    if !listing.here {
        return Err(Refusal::MovedAway);
    }
    if !rules.entitled.contains(&listing.status) {
        return Err(Refusal::StatusNotEntitled {
            status: listing.status,
        });
    }
    if site == SiteType::Center
        && rules.center_own_eupmyeondong
        && let Some(ours) = site_eupmyeondong
        && ours != listing.eupmyeondong
    {
        return Err(Refusal::OtherEupmyeondong {
            theirs: listing.eupmyeondong.to_owned(),
        });
    }
    Ok(Standing::Listed {
        household_size: listing.household_size,
        foreign: listing.status.is_foreign(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::builtin;
    use crate::roll::RollOverride;
    use strum::VariantArray;

    fn with_roll(required: bool) -> Policy {
        let mut policy = Policy::from_toml("gyeonggi", builtin::GYEONGGI_2020).unwrap();
        policy.roll = Some(crate::policy::RollRules {
            required,
            entitled: vec![
                RollStatus::Resident,
                RollStatus::MarriageMigrant,
                RollStatus::PermanentResident,
            ],
            center_own_eupmyeondong: true,
            overrides: RollOverride::VARIANTS.to_vec(),
        });
        policy
    }

    fn listed(status: RollStatus, here: bool, place: &str) -> RollLookup<'_> {
        RollLookup::Listed(Listing {
            status,
            here,
            eupmyeondong: place,
            household_size: HouseholdSize::try_from(3).unwrap(),
        })
    }

    #[test]
    fn the_roll_decides_who_is_registered_here() {
        let policy = with_roll(true);
        let at = |site, lookup| registration(&policy, site, Some("매탄1동"), lookup);
        use SiteType::{Center, Nh};
        assert_eq!(at(Center, RollLookup::NoCopy), Err(Refusal::NoRoll));
        assert_eq!(at(Nh, RollLookup::NotListed), Err(Refusal::NotOnRoll));
        assert_eq!(
            at(Nh, listed(RollStatus::Removed, true, "매탄1동")),
            Err(Refusal::RemovedFromRoll)
        );
        assert_eq!(
            at(Center, listed(RollStatus::Resident, false, "매탄1동")),
            Err(Refusal::MovedAway)
        );
        assert_eq!(
            at(Center, listed(RollStatus::OtherForeign, true, "매탄1동")),
            Err(Refusal::StatusNotEntitled {
                status: RollStatus::OtherForeign
            })
        );
        assert_eq!(
            at(Center, listed(RollStatus::Resident, true, "원천동")),
            Err(Refusal::OtherEupmyeondong {
                theirs: "원천동".into()
            })
        );
        // Any 읍면동 of the 시군 at an NH branch.
        let three = HouseholdSize::try_from(3).unwrap();
        assert_eq!(
            at(Nh, listed(RollStatus::Resident, true, "원천동")),
            Ok(Standing::Listed {
                household_size: three,
                foreign: false
            })
        );
        assert_eq!(
            at(Center, listed(RollStatus::MarriageMigrant, true, "매탄1동")),
            Ok(Standing::Listed {
                household_size: three,
                foreign: true
            })
        );
        // A center whose 읍면동 is not known checks the rest.
        assert!(
            registration(
                &policy,
                Center,
                None,
                listed(RollStatus::Resident, true, "원천동")
            )
            .is_ok()
        );
    }

    #[test]
    fn without_a_roll_the_visitor_declares_unless_the_roll_is_required() {
        let optional = with_roll(false);
        assert_eq!(
            registration(&optional, SiteType::Nh, None, RollLookup::NoCopy),
            Ok(Standing::Declared)
        );
        // A copy held is used, required or not.
        assert_eq!(
            registration(&optional, SiteType::Nh, None, RollLookup::NotListed),
            Err(Refusal::NotOnRoll)
        );
        let mut none = optional.clone();
        none.roll = None;
        assert_eq!(
            registration(&none, SiteType::Nh, None, RollLookup::NotListed),
            Ok(Standing::Declared)
        );
    }

    #[test]
    fn every_refusal_of_the_roll_has_a_code_and_words() {
        let policy = with_roll(true);
        let refusals = [
            Refusal::NoRoll,
            Refusal::NotOnRoll,
            Refusal::RemovedFromRoll,
            Refusal::MovedAway,
            Refusal::OtherEupmyeondong {
                theirs: "원천동".into(),
            },
            Refusal::StatusNotEntitled {
                status: RollStatus::OtherForeign,
            },
        ];
        let codes: std::collections::BTreeSet<&str> = refusals.iter().map(Refusal::code).collect();
        assert_eq!(codes.len(), refusals.len());
        for r in &refusals {
            assert!(!r.message(&policy).is_empty());
        }
        assert!(refusals[4].message(&policy).contains("원천동"));
        assert!(refusals[5].message(&policy).contains("기타 외국인"));
    }
}
