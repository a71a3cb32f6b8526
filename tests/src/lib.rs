//! What the system tests share: a terminal set up the same way in every
//! process, synthetic people, the programs as processes, and a faulty
//! network.

pub mod issuer;
pub mod process;
pub mod proxy;

use std::path::Path;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use relief_core::identity::{CampaignSecret, IdentityNumber, synthetic};
use relief_core::policy::builtin;
use relief_core::proxy::{IdDocument, Relation};
use relief_core::{HouseholdSize, Krw, SiteType};
use relief_store::{
    Applicant, BeneficiaryRequest, IssueRequest, NewClerk, Role, SerialSpec, Store, TerminalSetup,
    Verification,
};
use zeroize::Zeroizing;

pub const SUPERVISOR: &str = "S001";
pub const CLERK: &str = "C001";
/// Long enough for a supervisor, whose PIN seals the store's key.
pub const PIN: &str = "48291375";

/// A demo terminal at a 수원 center on the Gyeonggi 2020 policy, with a
/// supervisor, a clerk and `cards` cards `CR-000001`...
pub fn set_up_terminal(path: &Path, cards: usize) -> Store {
    let t0 = NaiveDate::from_ymd_opt(2020, 5, 18)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    let (mut store, _recovery) = Store::init(
        path,
        TerminalSetup {
            eupmyeondong: None,
            site_code: "41110-515".into(),
            site_name: "수원시 매탄1동 행정복지센터".into(),
            site_type: SiteType::Center,
            sigungu: "41110".parse().unwrap(),
            demo: true,
            policy_file: "gyeonggi-2020.toml".into(),
            policy_text: builtin::GYEONGGI_2020.into(),
            secret: CampaignSecret::from_bytes(vec![7; 32]).unwrap(),
        },
        t0,
    )
    .unwrap();
    let clerk = |id: &str, role| NewClerk {
        employee_id: id.into(),
        name: "직원".into(),
        role,
        pin: Zeroizing::new(PIN.into()),
    };
    store
        .add_clerk(None, clerk(SUPERVISOR, Role::Supervisor), t0)
        .unwrap();
    let supervisor = store.sign_in(SUPERVISOR, PIN, t0).unwrap();
    store
        .add_clerk(Some(&supervisor), clerk(CLERK, Role::Clerk), t0)
        .unwrap();
    store
        .receive_stock(
            &supervisor,
            &SerialSpec::Range {
                first: "CR-000001".into(),
                last: format!("CR-{cards:06}"),
            },
            Krw(3_000_000),
            "",
            t0,
        )
        .unwrap();
    store
}

/// The store at `path` opened by its supervisor, as the first sign-in of
/// the day opens it.
pub fn open_store(path: &Path) -> Result<Store, relief_store::Error> {
    let at = NaiveDate::from_ymd_opt(2020, 5, 18)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    Store::open(
        path,
        relief_store::Unlock::Supervisor {
            employee_id: SUPERVISOR,
            pin: PIN,
        },
        at,
    )
}

pub fn card(n: u64) -> String {
    format!("CR-{:06}", n + 1)
}

/// The n-th synthetic resident: distinct for n below 100,000.
pub fn resident(n: u64) -> Zeroizing<String> {
    let birth = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + Duration::days((n % 20_000) as i64);
    synthetic::number(birth, false, n.is_multiple_of(2), n as u32)
}

/// A time in the free period, during opening hours, later for larger n.
pub fn moment(n: u64) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2020, 5, 18)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        + Duration::seconds((n % 30_000) as i64)
}

/// The n-th resident collecting for themself on card n.
pub fn solo_issue(n: u64) -> IssueRequest {
    let number = resident(n);
    let id = IdentityNumber::parse(&number).unwrap();
    IssueRequest {
        applicant: Applicant {
            id: id.clone(),
            name: "주민".into(),
            id_document: IdDocument::ResidentCard,
        },
        beneficiaries: vec![BeneficiaryRequest {
            who: relief_store::Who::Number(id),
            name: "주민".into(),
            relation: Relation::SelfApplicant,
            household_size: Some(HouseholdSize::try_from(1).unwrap()),
            resident_sigungu: "41110".parse().unwrap(),
            roll_exception: None,
        }],
        card_serials: vec![card(n)],
        verification: Verification::Online,
        household_of_minors: false,
        visit: None,
        roll_approver: None,
    }
}
