//! How much a beneficiary receives, by source of money.

use serde::Serialize;

use crate::household::HouseholdSize;
use crate::money::Krw;
use crate::policy::{AmountRule, Basis, Policy};
use crate::region::Sigungu;

/// One source's part of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Share<'p> {
    pub source: &'p str,
    pub label: &'p str,
    pub amount: Krw,
}

/// What one beneficiary is paid: a person, or a household through its
/// 세대주, depending on the campaign's basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entitlement<'p> {
    pub basis: Basis,
    /// Only sources that pay something to this beneficiary.
    pub shares: Vec<Share<'p>>,
}

impl Entitlement<'_> {
    pub fn total(&self) -> Krw {
        self.shares.iter().map(|s| s.amount).sum()
    }

    /// What the whole household receives: per-person amounts times its size,
    /// or the household amount itself.
    pub fn for_household(&self, size: HouseholdSize) -> Krw {
        match self.basis {
            Basis::Person => self.total() * u64::from(size.get()),
            Basis::Household => self.total(),
        }
    }
}

/// The amount for a beneficiary resident in `resident`. Foreign residents
/// get the policy's own per-person table where it has one.
pub fn entitlement<'p>(
    policy: &'p Policy,
    resident: Sigungu,
    household: HouseholdSize,
    foreign: bool,
) -> Entitlement<'p> {
    let foreign_table = policy.foreign.per_person.as_ref().filter(|_| foreign);
    let shares = policy
        .amounts
        .iter()
        .filter_map(|source| {
            let amount = match (foreign_table, &source.rule) {
                (Some(table), _) => table.get(&source.source).copied(),
                (None, AmountRule::PerPerson(amount)) => Some(*amount),
                (None, AmountRule::PerPersonByRegion(table)) => table.get(&resident).copied(),
                (None, AmountRule::PerHousehold(table)) => table
                    .range(..=household.get())
                    .next_back()
                    .map(|(_, amount)| *amount),
            }?;
            Some(Share {
                source: &source.source,
                label: &source.label,
                amount,
            })
        })
        .collect();
    Entitlement {
        basis: policy.campaign.basis,
        shares,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::builtin;

    fn code(s: &str) -> Sigungu {
        s.parse().unwrap()
    }

    fn size(n: i64) -> HouseholdSize {
        HouseholdSize::try_from(n).unwrap()
    }

    /// Every 시군 of 경기도 with the top-up it added, per DOMAIN.md.
    const TOP_UPS: [(&str, &str, u64); 31] = [
        ("41550", "안성", 250_000),
        ("41590", "화성", 200_000),
        ("41500", "이천", 150_000),
        ("41250", "동두천", 150_000),
        ("41830", "양평", 120_000),
        ("41460", "용인", 100_000),
        ("41130", "성남", 100_000),
        ("41220", "평택", 100_000),
        ("41390", "시흥", 100_000),
        ("41630", "양주", 100_000),
        ("41670", "여주", 100_000),
        ("41290", "과천", 100_000),
        ("41190", "부천", 50_000),
        ("41150", "의정부", 50_000),
        ("41570", "김포", 50_000),
        ("41210", "광명", 50_000),
        ("41450", "하남", 50_000),
        ("41430", "의왕", 50_000),
        ("41110", "수원", 0),
        ("41170", "안양", 0),
        ("41270", "안산", 0),
        ("41280", "고양", 0),
        ("41310", "구리", 0),
        ("41360", "남양주", 0),
        ("41370", "오산", 0),
        ("41410", "군포", 0),
        ("41480", "파주", 0),
        ("41610", "광주", 0),
        ("41650", "포천", 0),
        ("41800", "연천", 0),
        ("41820", "가평", 0),
    ];

    #[test]
    fn every_gyeonggi_sigungu_gets_the_province_part_and_its_top_up() {
        let policy = builtin::gyeonggi_2020();
        assert_eq!(policy.regions.len(), 31);
        for (sigungu, name, top_up) in TOP_UPS {
            assert!(policy.region_name(code(sigungu)).unwrap().starts_with(name));
            let e = entitlement(&policy, code(sigungu), size(3), false);
            assert_eq!(e.shares[0].source, "province");
            assert_eq!(e.shares[0].amount, Krw(100_000), "{name}");
            let sigungu_part = e
                .shares
                .iter()
                .find(|s| s.source == "sigungu")
                .map(|s| s.amount);
            assert_eq!(sigungu_part.unwrap_or(Krw::ZERO), Krw(top_up), "{name}");
            assert_eq!(e.total(), Krw(100_000 + top_up), "{name}");
            assert_eq!(
                e.for_household(size(3)),
                Krw(3 * (100_000 + top_up)),
                "{name}"
            );
        }
    }

    #[test]
    fn foreign_residents_get_one_province_card_only() {
        let policy = builtin::gyeonggi_2020();
        let e = entitlement(&policy, code("41550"), size(2), true);
        assert_eq!(e.total(), Krw(100_000));
        assert_eq!(e.shares.len(), 1);
    }

    #[test]
    fn the_national_aid_pays_the_household_by_size() {
        let policy = builtin::national_2020();
        for (n, amount) in [
            (1, 348_000),
            (2, 523_000),
            (3, 697_000),
            (4, 871_000),
            (7, 871_000),
        ] {
            let e = entitlement(&policy, code("41110"), size(n), false);
            assert_eq!(e.total(), Krw(amount));
            assert_eq!(e.for_household(size(n)), Krw(amount));
        }
    }
}
