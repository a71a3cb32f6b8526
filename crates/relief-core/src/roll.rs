//! The resident roll: the register's extract as of the campaign's base
//! date, with the changes after it, as the ledger keeps it and a terminal
//! will check it offline. A person is known by their beneficiary key, a
//! household (세대) by a keyed token: neither the identity number nor the
//! register's household number is kept.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::identity::CampaignSecret;

crate::closed_set! {
    /// A person's standing on the register.
    pub enum RollStatus as "주민 구분" {
        /// A Korean national registered here.
        Resident => "주민",
        /// 결혼이민자 (F-6): entitled from the foreign residents' period.
        MarriageMigrant => "결혼이민자",
        /// 영주권자 (F-5): entitled from the foreign residents' period.
        PermanentResident => "영주권자",
        /// Any other registered foreigner: not entitled in 2020.
        OtherForeign => "기타 외국인",
        /// Taken off the register after the base date (moved out of the
        /// province, died): a change file says so, and the person is no
        /// longer counted in their household.
        Removed => "말소(전출·사망)",
    }
}

crate::closed_set! {
    /// The documented exceptions for which a supervisor serves someone the
    /// roll does not list as entitled here, with a reason written down.
    pub enum RollOverride as "명부 예외" {
        /// Born after the extract, shown by a birth certificate.
        Newborn => "출생증명서로 확인한 신생아",
        /// Registered on the base date, as a 주민등록표 등본 shows, but
        /// missing from the extract or listed wrongly.
        MissedRegistration => "명부 추출에서 빠진 등록 (등본 확인)",
    }
}

impl RollStatus {
    /// Whether the register knows them by an alien registration number.
    pub fn is_foreign(self) -> bool {
        matches!(
            self,
            RollStatus::MarriageMigrant | RollStatus::PermanentResident | RollStatus::OtherForeign
        )
    }
}

/// A household as the ledger and the terminals know it: the HMAC of the
/// register's household number under the campaign secret, apart from
/// beneficiary keys by its prefix (a key hashes 13 digits alone).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HouseholdToken([u8; 32]);

impl HouseholdToken {
    pub fn of(secret: &CampaignSecret, household_id: &str) -> HouseholdToken {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(b"household\0");
        mac.update(household_id.trim().as_bytes());
        HouseholdToken(mac.finalize().into_bytes().into())
    }

    pub fn from_bytes(bytes: [u8; 32]) -> HouseholdToken {
        HouseholdToken(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for HouseholdToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HouseholdToken({})", hex::encode(&self.0[..4]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{IdentityNumber, synthetic};

    fn secret(byte: u8) -> CampaignSecret {
        CampaignSecret::from_bytes(vec![byte; 32]).unwrap()
    }

    #[test]
    fn a_household_token_depends_on_the_household_and_the_secret_only() {
        let a = HouseholdToken::of(&secret(1), "H-0001");
        assert_eq!(a, HouseholdToken::of(&secret(1), " H-0001 "));
        assert_ne!(a, HouseholdToken::of(&secret(1), "H-0002"));
        assert_ne!(a, HouseholdToken::of(&secret(2), "H-0001"));
    }

    #[test]
    fn a_household_number_of_thirteen_digits_is_not_a_persons_key() {
        let birth = chrono::NaiveDate::from_ymd_opt(1980, 1, 2).unwrap();
        let number = synthetic::number(birth, false, false, 7);
        let id = IdentityNumber::parse(&number).unwrap();
        let key = id.beneficiary_key(&secret(1));
        assert_ne!(
            HouseholdToken::of(&secret(1), &number).as_bytes(),
            key.as_bytes()
        );
    }

    #[test]
    fn foreign_statuses_are_the_three_foreign_kinds() {
        use strum::VariantArray;
        let foreign: Vec<_> = RollStatus::VARIANTS
            .iter()
            .filter(|s| s.is_foreign())
            .collect();
        assert_eq!(
            foreign,
            [
                &RollStatus::MarriageMigrant,
                &RollStatus::PermanentResident,
                &RollStatus::OtherForeign
            ]
        );
    }
}
