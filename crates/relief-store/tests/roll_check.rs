//! Issuing against the terminal's copy of the resident roll: the roll, not
//! the visitor, gives the household size and says who is registered here;
//! each refusal has its reason code; a supervisor's documented exception
//! serves someone the roll does not list, and is recorded; household
//! members are picked from the roll without typing their numbers.

mod common;

use chrono::NaiveDate;
use common::*;
use relief_core::identity::{IdentityNumber, synthetic};
use relief_core::policy::builtin::GYEONGGI_2020;
use relief_core::proxy::Relation;
use relief_core::roll::{RollOverride, RollStatus};
use relief_protocol::{EventBody, RollCursor, RollMember, RollPage};
use relief_store::*;
use zeroize::Zeroizing;

/// One person on the roll: number, household serial, standing, 시군, 읍면동.
struct Listed<'a>(&'a str, u64, RollStatus, &'a str, &'a str);

/// Gives the terminal a roll (version 1) of these people.
fn roll(t: &mut Terminal, people: &[Listed]) {
    let mut members: Vec<RollMember> = people
        .iter()
        .map(
            |Listed(number, household, status, sigungu, place)| RollMember {
                key: t.store.beneficiary_key(&id(number)).to_hex(),
                household: *household,
                masked: id(number).masked().to_string(),
                sigungu: (*sigungu).into(),
                eupmyeondong: (*place).into(),
                status: *status,
            },
        )
        .filter(|m| m.sigungu == "41110")
        .collect();
    members.sort_by(|a, b| (a.household, &a.key).cmp(&(b.household, &b.key)));
    let page = RollPage {
        campaign_id: "gyeonggi-2020".into(),
        sigungu: "41110".into(),
        from_version: 0,
        upto_version: 1,
        after: RollCursor::start(),
        total: Some(members.len() as u64),
        people: members,
        next: None,
        signature: String::new(),
    }
    .signed(&ledger_signing());
    t.store.apply_roll_page(&page, at(4, 2, 9)).unwrap();
}

fn number(birth: (i32, u32, u32), foreign: bool, serial: u32) -> Zeroizing<String> {
    synthetic::number(
        NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap(),
        foreign,
        serial.is_multiple_of(2),
        serial,
    )
}

/// A request without a typed household size: the roll is to say.
fn undeclared(number: &str, card: &str) -> IssueRequest {
    let mut request = solo(number, &[card]);
    request.beneficiaries[0].household_size = None;
    request
}

fn refusal(result: Result<Issued>) -> &'static str {
    match result {
        Err(Error::NotEligible { reason, .. }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

struct Family {
    t: Terminal,
    parent: Zeroizing<String>,
    spouse: Zeroizing<String>,
    child: Zeroizing<String>,
}

/// A household of three in 매탄1동, and others around it.
fn family(eupmyeondong: Option<&str>, policy: &str) -> (Family, Vec<Zeroizing<String>>) {
    let mut t = enrolled_site(policy, eupmyeondong);
    let parent = number((1981, 3, 4), false, 1);
    let spouse = number((1983, 5, 6), false, 2);
    let child = number((2012, 7, 8), false, 3);
    let others = vec![
        number((1970, 1, 1), false, 4), // 0: moved to 41130
        number((1960, 2, 2), false, 5), // 1: removed
        number((1990, 3, 3), false, 6), // 2: another 읍면동
        number((1985, 4, 4), true, 7),  // 3: marriage migrant
        number((1986, 5, 5), true, 8),  // 4: other foreigner
        number((1975, 6, 6), false, 9), // 5: not on the roll
    ];
    let here = "매탄1동";
    roll(
        &mut t,
        &[
            Listed(&parent, 10, RollStatus::Resident, "41110", here),
            Listed(&spouse, 10, RollStatus::Resident, "41110", here),
            Listed(&child, 10, RollStatus::Resident, "41110", here),
            Listed(&others[0], 11, RollStatus::Resident, "41110", here),
            Listed(&others[1], 12, RollStatus::Removed, "41110", here),
            Listed(&others[2], 13, RollStatus::Resident, "41110", "원천동"),
            Listed(&others[3], 14, RollStatus::MarriageMigrant, "41110", here),
            Listed(&others[4], 15, RollStatus::OtherForeign, "41110", here),
        ],
    );
    // Person 0 then moved: a change to version 2 says they are of 41130.
    let key = t.store.beneficiary_key(&id(&others[0])).to_hex();
    let change = RollPage {
        campaign_id: "gyeonggi-2020".into(),
        sigungu: "41110".into(),
        from_version: 1,
        upto_version: 2,
        after: RollCursor::start(),
        total: Some(1),
        people: vec![RollMember {
            key,
            household: 11,
            masked: id(&others[0]).masked().to_string(),
            sigungu: "41130".into(),
            eupmyeondong: "영통동".into(),
            status: RollStatus::Resident,
        }],
        next: None,
        signature: String::new(),
    }
    .signed(&ledger_signing());
    t.store.apply_roll_page(&change, at(4, 3, 9)).unwrap();
    (
        Family {
            t,
            parent,
            spouse,
            child,
        },
        others,
    )
}

#[test]
fn the_household_size_comes_from_the_roll_not_the_visitor() {
    let (mut f, _) = family(None, GYEONGGI_2020);
    let clerk = f.t.clerk.clone();
    // Week one is for households of four or more: the roll says three,
    // whatever the visitor says.
    let week_one = at(4, 20, 10);
    let mut says_four = solo(&f.parent, &["GG-0001"]);
    says_four.beneficiaries[0].household_size = Some(4.try_into().unwrap());
    assert_eq!(
        refusal(f.t.store.issue(&clerk, says_four, week_one)),
        "wrong_week"
    );
    // In week two (three-person households), on the parent's weekday
    // (1981: 1·6 → Monday 04-27).
    let issued =
        f.t.store
            .issue(&clerk, undeclared(&f.parent, "GG-0001"), at(4, 27, 10))
            .unwrap();
    assert_eq!(issued.roll_version, Some(2));
    let conn = raw_of(&f.t);
    let (version, size): (i64, i64) = conn
        .query_row(
            "SELECT i.roll_version, b.household_size FROM issuance i
             JOIN issuance_beneficiary b ON b.issuance_id = i.id WHERE i.id = ?1",
            [&issued.issuance_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((version, size), (2, 3));
    let events = f.t.store.pending_events(10).unwrap();
    let EventBody::Issuance(payload) = &events.last().unwrap().body else {
        panic!("an issuance event")
    };
    assert_eq!(payload.roll_version, Some(2));
    assert_eq!(payload.beneficiaries[0].household_size, 3);
    // The size the screen quotes, for someone listed; none for a stranger.
    let store = &f.t.store;
    assert_eq!(
        store
            .roll_household_size_of(&store.beneficiary_key(&id(&f.child)))
            .unwrap(),
        Some(3.try_into().unwrap())
    );
    assert_eq!(
        store
            .roll_household_size_of(&store.beneficiary_key(&id(&person(77))))
            .unwrap(),
        None
    );
}

#[test]
fn whom_the_roll_does_not_admit_is_refused_with_the_reason() {
    let (mut f, others) = family(Some("매탄1동"), GYEONGGI_2020);
    let clerk = f.t.clerk.clone();
    let day = free_day();
    let mut refused = Vec::new();
    for (i, person) in others.iter().enumerate() {
        refused.push(refusal(f.t.store.issue(
            &clerk,
            undeclared(person, &format!("GG-{:04}", i + 1)),
            day,
        )));
    }
    assert_eq!(
        refused,
        [
            "moved_away",
            "removed_from_roll",
            "other_eupmyeondong",
            // A marriage migrant is entitled, but in their own period.
            "before_period",
            "status_not_entitled",
            "not_on_roll",
        ]
    );
    // The marriage migrant is served from 06-01, at this center.
    let june = at(6, 1, 10);
    f.t.store
        .issue(&clerk, undeclared(&others[3], "GG-0010"), june)
        .unwrap();
    // Nothing was written for the refused.
    assert_eq!(f.t.store.issuance_count().unwrap(), 1);
    let _ = &f.parent;
}

#[test]
fn a_supervisor_serves_a_newborn_the_roll_misses_with_a_reason_recorded() {
    let (mut f, others) = family(None, GYEONGGI_2020);
    let (clerk, supervisor) = (f.t.clerk.clone(), f.t.supervisor.clone());
    let day = free_day();
    let newborn = &others[5];
    let exception = || RollException {
        reason: RollOverride::Newborn,
        note: "출생증명서 확인 (2020-04-02 출생)".into(),
    };
    let with = |exception: Option<RollException>, size: Option<i64>, approver: Option<&Session>| {
        let mut request = solo(newborn, &["GG-0001"]);
        request.beneficiaries[0].roll_exception = exception;
        request.beneficiaries[0].household_size = size.map(|s| s.try_into().unwrap());
        request.roll_approver = approver.cloned();
        request
    };
    // A clerk cannot; a supervisor must say why; the size is then the
    // one shown on the papers.
    assert!(matches!(
        f.t.store
            .issue(&clerk, with(Some(exception()), Some(3), None), day),
        Err(Error::SupervisorRequired)
    ));
    assert!(matches!(
        f.t.store
            .issue(&clerk, with(Some(exception()), Some(3), Some(&clerk)), day),
        Err(Error::SupervisorRequired)
    ));
    let blank = RollException {
        note: "  ".into(),
        ..exception()
    };
    assert!(matches!(
        f.t.store
            .issue(&clerk, with(Some(blank), Some(3), Some(&supervisor)), day),
        Err(Error::Missing { .. })
    ));
    assert!(matches!(
        f.t.store.issue(
            &clerk,
            with(Some(exception()), None, Some(&supervisor)),
            day
        ),
        Err(Error::Missing {
            field: "세대원 수"
        })
    ));
    // Someone the roll lists needs no exception.
    let mut listed = undeclared(&f.spouse, "GG-0002");
    listed.beneficiaries[0].roll_exception = Some(exception());
    listed.roll_approver = Some(supervisor.clone());
    assert!(matches!(
        f.t.store.issue(&clerk, listed, day),
        Err(Error::RollExceptionNotNeeded(_))
    ));
    // Moved away is not an exception the policy documents.
    let mut moved = undeclared(&others[0], "GG-0002");
    moved.beneficiaries[0].roll_exception = Some(exception());
    moved.beneficiaries[0].household_size = Some(1.try_into().unwrap());
    moved.roll_approver = Some(supervisor.clone());
    assert_eq!(refusal(f.t.store.issue(&clerk, moved, day)), "moved_away");

    let issued =
        f.t.store
            .issue(
                &clerk,
                with(Some(exception()), Some(3), Some(&supervisor)),
                day,
            )
            .unwrap();
    let conn = raw_of(&f.t);
    let recorded: (String, String, String, i64) = conn
        .query_row(
            "SELECT e.reason, e.note, e.approved_by, b.household_size
             FROM roll_exception e JOIN issuance_beneficiary b USING (issuance_id, position)
             WHERE e.issuance_id = ?1",
            [&issued.issuance_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        recorded,
        (
            "newborn".into(),
            "출생증명서 확인 (2020-04-02 출생)".into(),
            SUPERVISOR.into(),
            3
        )
    );
    let events = f.t.store.pending_events(10).unwrap();
    let EventBody::Issuance(payload) = &events.last().unwrap().body else {
        panic!("an issuance event")
    };
    assert_eq!(
        payload.beneficiaries[0].roll_exception,
        Some(RollOverride::Newborn)
    );
    // The audit chain covers the exception.
    assert!(f.t.store.verify_audit().unwrap().is_intact());
    // A policy without the exception refuses it.
    let strict = GYEONGGI_2020.replace(
        r#"overrides = ["newborn", "missed_registration"]"#,
        r#"overrides = ["missed_registration"]"#,
    );
    let (mut g, others) = family(None, &strict);
    let (clerk, supervisor) = (g.t.clerk.clone(), g.t.supervisor.clone());
    let mut request = solo(&others[5], &["GG-0001"]);
    request.beneficiaries[0].roll_exception = Some(exception());
    request.roll_approver = Some(supervisor);
    assert!(matches!(
        g.t.store.issue(&clerk, request, day),
        Err(Error::RollExceptionNotAllowed(RollOverride::Newborn))
    ));
    let _ = (&g.parent, &g.child);
}

#[test]
fn household_members_are_picked_from_the_roll_without_their_numbers() {
    let (mut f, others) = family(None, GYEONGGI_2020);
    let clerk = f.t.clerk.clone();
    let spouse_key = f.t.store.beneficiary_key(&id(&f.spouse));
    let child_key = f.t.store.beneficiary_key(&id(&f.child));
    let mut request = undeclared(&f.parent, "GG-0001");
    for (key, relation) in [
        (spouse_key, Relation::Spouse),
        // A minor, whose age the roll's masked number gives: only
        // through a legal representative.
        (child_key, Relation::LegalRepresentative),
    ] {
        request.beneficiaries.push(BeneficiaryRequest {
            who: Who::Listed(key),
            name: "가족".into(),
            relation,
            household_size: None,
            resident_sigungu: "41110".parse().unwrap(),
            roll_exception: None,
        });
    }
    let issued = f.t.store.issue(&clerk, request, free_day()).unwrap();
    assert_eq!(issued.total, relief_core::Krw(300_000));
    assert_eq!(
        issued.beneficiaries,
        [
            id(&f.parent).masked().to_string(),
            id(&f.spouse).masked().to_string(),
            id(&f.child).masked().to_string()
        ]
    );
    // Someone of another household cannot be picked as a member.
    let outsider = f.t.store.beneficiary_key(&id(&others[2]));
    let mut request = undeclared(&f.spouse, "GG-0004");
    request.beneficiaries.push(BeneficiaryRequest {
        who: Who::Listed(outsider),
        name: "남".into(),
        relation: Relation::Spouse,
        household_size: None,
        resident_sigungu: "41110".parse().unwrap(),
        roll_exception: None,
    });
    assert!(matches!(
        f.t.store.issue(&clerk, request, free_day()),
        Err(Error::NotInHousehold)
    ));
}

#[test]
fn a_policy_that_requires_the_roll_serves_no_one_without_a_copy() {
    let required = GYEONGGI_2020.replace("required = false", "required = true");
    let mut t = enrolled_site(&required, None);
    let clerk = t.clerk.clone();
    let visitor = person(1);
    assert_eq!(
        refusal(
            t.store
                .issue(&clerk, solo(&visitor, &["GG-0001"]), free_day())
        ),
        "no_roll"
    );
    // Not required: without a copy, the visitor's word, as before.
    let mut t = enrolled_site(GYEONGGI_2020, None);
    let clerk = t.clerk.clone();
    let issued = t
        .store
        .issue(&clerk, solo(&visitor, &["GG-0001"]), free_day())
        .unwrap();
    assert_eq!(issued.roll_version, None);
    assert!(matches!(
        t.store
            .issue(&clerk, undeclared(&person(2), "GG-0002"), free_day()),
        Err(Error::Missing {
            field: "세대원 수"
        })
    ));
    let _ = IdentityNumber::parse(&visitor).unwrap();
}
