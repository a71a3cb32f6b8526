//! Issuing, refusing and voiding, as a counter does them.

mod common;

use chrono::{Duration, NaiveDate};
use common::*;
use relief_core::Krw;
use relief_core::identity::synthetic;
use relief_core::proxy::{IdDocument, Relation};
use relief_store::*;

#[test]
fn a_family_is_issued_one_card_and_everything_is_recorded() {
    let mut t = setup();
    let (me, spouse, child) = (
        person(6),
        person(7),
        synthetic::number(
            NaiveDate::from_ymd_opt(2012, 3, 3).unwrap(),
            false,
            false,
            9,
        ),
    );
    let request = IssueRequest {
        applicant: Applicant {
            id: id(&me),
            name: "홍길동".into(),
            id_document: IdDocument::DriverLicense,
        },
        beneficiaries: vec![
            beneficiary(&me, Relation::SelfApplicant, 4),
            beneficiary(&spouse, Relation::Spouse, 4),
            beneficiary(&child, Relation::LegalRepresentative, 4),
        ],
        card_serials: vec!["GG-0007".into()],
        verification: Verification::Online,
        household_of_minors: false,
        visit: None,
        roll_approver: None,
    };
    // Week 1 is for 4+ households, but the applicant (born 1986, digit 6)
    // comes on Mondays, and 04-21 is a Tuesday.
    let error = t.store.issue(&t.clerk, request, at(4, 21, 10)).unwrap_err();
    assert!(
        matches!(
            &error,
            Error::NotEligible {
                reason: "wrong_weekday",
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(t.store.outbox_after(0, 10).unwrap().len(), 0);

    let request = IssueRequest {
        applicant: Applicant {
            id: id(&me),
            name: "홍길동".into(),
            id_document: IdDocument::DriverLicense,
        },
        beneficiaries: vec![
            beneficiary(&me, Relation::SelfApplicant, 4),
            beneficiary(&spouse, Relation::Spouse, 4),
            beneficiary(&child, Relation::LegalRepresentative, 4),
        ],
        card_serials: vec!["GG-0007".into()],
        verification: Verification::Online,
        household_of_minors: false,
        visit: None,
        roll_approver: None,
    };
    let issued = t.store.issue(&t.clerk, request, free_day()).unwrap();
    assert_eq!(issued.total, Krw(300_000));
    assert_eq!(
        issued.cards,
        vec![IssuedCard {
            serial: "GG-0007".into(),
            amount: Krw(300_000),
            face_value: Krw(3_000_000),
        }]
    );
    assert_eq!(issued.outbox_seq, 1);
    assert!(!issued.offline);

    let record = t.store.issuance(&issued.issuance_id).unwrap().unwrap();
    assert_eq!(record.beneficiaries.len(), 3);
    assert_eq!(
        record.beneficiaries[2].relation.code(),
        "legal_representative"
    );
    assert_eq!(record.applicant_id_document.code(), "driver_license");
    assert_eq!(record.decision_window, "자유 신청");
    assert!(
        record
            .beneficiaries
            .iter()
            .all(|b| b.masked.ends_with("******"))
    );
    assert_eq!(
        t.store.card_state("GG-0007").unwrap().unwrap().0,
        CardState::Issued
    );
    let events = t.store.outbox_after(0, 10).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind.code(), "issuance");
    assert!(
        !events[0].payload.contains("홍길동"),
        "names stay at the counter"
    );
    assert!(t.store.verify_audit().unwrap().is_intact());
    assert_eq!(
        t.store.issuances_on(free_day().date()).unwrap(),
        vec![record.clone()]
    );
    let key = t.store.beneficiary_key(&id(&spouse));
    assert_eq!(t.store.issuances_for(&key).unwrap(), vec![record]);
}

#[test]
fn the_same_person_is_never_paid_twice() {
    let mut t = setup();
    let me = person(1);
    let first = t
        .store
        .issue(&t.clerk, solo(&me, &["GG-0001"]), free_day())
        .unwrap();
    let error = t
        .store
        .issue(
            &t.clerk,
            solo(&me, &["GG-0002"]),
            free_day() + Duration::minutes(5),
        )
        .unwrap_err();
    match error {
        Error::AlreadyPaidHere { issuance_id, .. } => assert_eq!(issuance_id, first.issuance_id),
        other => panic!("{other}"),
    }
    // Nothing was written by the refusal.
    assert_eq!(t.store.outbox_after(0, 10).unwrap().len(), 1);
    assert_eq!(
        t.store.card_state("GG-0002").unwrap().unwrap().0,
        CardState::InStock
    );
}

#[test]
fn a_key_paid_elsewhere_is_refused() {
    let mut t = setup();
    let me = person(2);
    let key = t.store.beneficiary_key(&id(&me));
    t.store
        .add_to_deny_list(&[DenyEntry {
            key,
            channel: relief_core::Channel::Online,
            site: "경기지역화폐".into(),
            paid_at: "2020-04-15T08:00:00".into(),
        }])
        .unwrap();
    let error = t
        .store
        .issue(&t.clerk, solo(&me, &["GG-0001"]), free_day())
        .unwrap_err();
    assert!(
        matches!(&error, Error::PaidElsewhere { channel, .. } if channel.code() == "online"),
        "{error}"
    );
    assert!(matches!(
        t.store.paid(&key).unwrap(),
        Some(Paid::Elsewhere { .. })
    ));
}

#[test]
fn refusals_name_what_to_do() {
    let mut t = setup();
    let me = person(3);
    // Digit 3 (born 1983) comes on Wednesday; 05-11 is Monday of week 4.
    let error = t
        .store
        .issue(&t.clerk, solo(&me, &["GG-0001"]), at(5, 11, 10))
        .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::NotEligible {
                reason: "wrong_weekday",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("수요일"), "{error}");

    let error = t
        .store
        .issue(&t.clerk, solo(&me, &[]), free_day())
        .unwrap_err();
    assert!(matches!(
        error,
        Error::CardCountMismatch {
            needed: 1,
            scanned: 0
        }
    ));
    let error = t
        .store
        .issue(&t.clerk, solo(&me, &["NOPE-1"]), free_day())
        .unwrap_err();
    assert!(matches!(error, Error::UnknownCard(_)));
    let mut request = solo(&me, &["GG-0001"]);
    request.applicant.id_document = IdDocument::AlienRegistrationCard;
    request.card_serials = vec!["GG-0001".into()];
    // Accepted by the Gyeonggi policy; the national one does not list it.
    assert!(t.store.issue(&t.clerk, request, free_day()).is_ok());

    let other = person(13);
    let mut request = solo(&other, &["GG-0002"]);
    request.beneficiaries[0].relation = Relation::Spouse;
    assert!(matches!(
        t.store.issue(&t.clerk, request, free_day()),
        Err(Error::SelfMismatch)
    ));

    let error = t
        .store
        .issue(&t.clerk, solo(&other, &["GG-0001"]), free_day())
        .unwrap_err();
    assert!(matches!(error, Error::CardNotInStock { .. }), "{error}");
}

#[test]
fn a_minor_is_paid_only_through_their_legal_representative() {
    let mut t = setup();
    let grandparent =
        synthetic::number(NaiveDate::from_ymd_opt(1950, 2, 2).unwrap(), false, true, 5);
    let child = synthetic::number(NaiveDate::from_ymd_opt(2010, 2, 2).unwrap(), false, true, 6);
    let request = IssueRequest {
        applicant: Applicant {
            id: id(&grandparent),
            name: "박할머니".into(),
            id_document: IdDocument::ResidentCard,
        },
        beneficiaries: vec![beneficiary(&child, Relation::LinealRelative, 2)],
        card_serials: vec!["GG-0003".into()],
        verification: Verification::Online,
        household_of_minors: false,
        visit: None,
        roll_approver: None,
    };
    let error = t.store.issue(&t.clerk, request, free_day()).unwrap_err();
    assert!(matches!(&error, Error::Proxy { .. }), "{error}");
    assert!(error.to_string().contains("법정대리인"));
}

#[test]
fn cards_must_hold_the_amount_and_be_scanned_once() {
    let mut t = setup();
    t.store
        .receive_stock(
            &t.supervisor,
            &SerialSpec::List(vec!["SMALL-1".into()]),
            Krw(50_000),
            "소액 카드",
            free_day(),
        )
        .unwrap();
    let error = t
        .store
        .issue(&t.clerk, solo(&person(4), &["SMALL-1"]), free_day())
        .unwrap_err();
    assert!(
        matches!(error, Error::CardFaceValueTooLow { .. }),
        "{error}"
    );

    let family = IssueRequest {
        applicant: Applicant {
            id: id(&person(5)),
            name: "가".into(),
            id_document: IdDocument::ResidentCard,
        },
        beneficiaries: vec![beneficiary(&person(5), Relation::SelfApplicant, 2)],
        card_serials: vec!["GG-0010".into(), "GG-0010".into()],
        verification: Verification::Online,
        household_of_minors: false,
        visit: None,
        roll_approver: None,
    };
    assert!(matches!(
        t.store.issue(&t.clerk, family, free_day()),
        Err(Error::CardCountMismatch {
            needed: 1,
            scanned: 2
        })
    ));
}

#[test]
fn the_card_limit_of_the_day_decides_how_many_cards() {
    let mut t = setup();
    // Six people on 04-20 (limit 500,000): 600,000 needs two cards, the
    // larger amount on either.
    let people: Vec<_> = (0..6)
        .map(|n| {
            synthetic::number(
                NaiveDate::from_ymd_opt(1986, 1, 1 + n).unwrap(),
                false,
                false,
                n,
            )
        })
        .collect();
    let request = |cards: &[&str]| IssueRequest {
        applicant: Applicant {
            id: id(&people[0]),
            name: "가장".into(),
            id_document: IdDocument::ResidentCard,
        },
        beneficiaries: people
            .iter()
            .enumerate()
            .map(|(i, p)| {
                beneficiary(
                    p,
                    if i == 0 {
                        Relation::SelfApplicant
                    } else {
                        Relation::LinealRelative
                    },
                    6,
                )
            })
            .collect(),
        card_serials: cards.iter().map(|s| s.to_string()).collect(),
        verification: Verification::Online,
        household_of_minors: false,
        visit: None,
        roll_approver: None,
    };
    let error = t
        .store
        .issue(&t.clerk, request(&["GG-0020"]), at(4, 20, 10))
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::CardCountMismatch {
                needed: 2,
                scanned: 1
            }
        ),
        "{error}"
    );
    let issued = t
        .store
        .issue(&t.clerk, request(&["GG-0020", "GG-0021"]), at(4, 20, 10))
        .unwrap();
    let amounts: Vec<Krw> = issued.cards.iter().map(|c| c.amount).collect();
    assert_eq!(amounts, vec![Krw(500_000), Krw(100_000)]);
}

#[test]
fn offline_issuance_follows_the_policy() {
    let mut t = setup();
    let me = person(8);
    let offline = |approver| {
        let mut request = solo(&me, &["GG-0030"]);
        request.verification = Verification::Offline { approver };
        request
    };
    // Gyeonggi: offline needs a supervisor.
    assert!(matches!(
        t.store.issue(&t.clerk, offline(None), free_day()),
        Err(Error::OfflineNeedsSupervisor)
    ));
    let clerk = t.clerk.clone();
    assert!(matches!(
        t.store
            .issue(&t.clerk, offline(Some(clerk.clone())), free_day()),
        Err(Error::SupervisorRequired)
    ));
    let supervisor = t.supervisor.clone();
    let issued = t
        .store
        .issue(&t.clerk, offline(Some(supervisor.clone())), free_day())
        .unwrap();
    assert!(issued.offline);
    let record = t.store.issuance(&issued.issuance_id).unwrap().unwrap();
    assert_eq!(record.verification.code(), "offline");
    assert_eq!(record.offline_approved_by.as_deref(), Some(SUPERVISOR));

    // The national policy refuses offline issuance outright.
    let mut n = setup_with(relief_core::policy::builtin::NATIONAL_2020);
    let national_supervisor = n.supervisor.clone();
    let mut request = solo(&person(9), &["GG-0001"]);
    request.verification = Verification::Offline {
        approver: Some(national_supervisor.clone()),
    };
    assert!(matches!(
        n.store.issue(&n.clerk, request, at(5, 25, 10)),
        Err(Error::OfflineRefused)
    ));
}

#[test]
fn only_a_supervisor_voids_and_the_person_may_then_be_paid_again() {
    let mut t = setup();
    let me = person(11);
    let issued = t
        .store
        .issue(&t.clerk, solo(&me, &["GG-0040"]), free_day())
        .unwrap();
    let later = free_day() + Duration::minutes(3);
    let clerk = t.clerk.clone();
    assert!(matches!(
        t.store.void(
            &clerk,
            &issued.issuance_id,
            "잘못 발급",
            CardDisposition::Returned,
            later
        ),
        Err(Error::SupervisorRequired)
    ));
    let supervisor = t.supervisor.clone();
    assert!(matches!(
        t.store.void(
            &supervisor,
            &issued.issuance_id,
            "  ",
            CardDisposition::Returned,
            later
        ),
        Err(Error::Missing { .. })
    ));
    let voided = t
        .store
        .void(
            &supervisor,
            &issued.issuance_id,
            "세대원 수 착오",
            CardDisposition::Returned,
            later,
        )
        .unwrap();
    assert_eq!(voided.outbox_seq, 2);
    assert_eq!(voided.cards, vec!["GG-0040".to_string()]);
    assert!(matches!(
        t.store.void(
            &supervisor,
            &issued.issuance_id,
            "again",
            CardDisposition::Returned,
            later
        ),
        Err(Error::AlreadyVoided(_))
    ));
    assert_eq!(
        t.store.card_state("GG-0040").unwrap().unwrap().0,
        CardState::Returned
    );
    let record = t.store.issuance(&issued.issuance_id).unwrap().unwrap();
    assert_eq!(record.void.unwrap().reason, "세대원 수 착오");

    // The person is free again; the returned card is not: it goes back to
    // the card issuer blocked.
    assert!(matches!(
        t.store.issue(
            &t.clerk,
            solo(&me, &["GG-0040"]),
            later + Duration::minutes(1)
        ),
        Err(Error::CardNotInStock { .. })
    ));
    let again = t
        .store
        .issue(
            &t.clerk,
            solo(&me, &["GG-0041"]),
            later + Duration::minutes(1),
        )
        .unwrap();
    let destroyed = t
        .store
        .void(
            &supervisor,
            &again.issuance_id,
            "카드 훼손",
            CardDisposition::Destroyed,
            later,
        )
        .unwrap();
    assert_eq!(destroyed.outbox_seq, 4);
    assert_eq!(
        t.store.card_state("GG-0041").unwrap().unwrap().0,
        CardState::Damaged
    );
    assert!(matches!(
        t.store.void(
            &supervisor,
            "no-such-id",
            "x",
            CardDisposition::Returned,
            later
        ),
        Err(Error::UnknownIssuance(_))
    ));
    assert!(t.store.verify_audit().unwrap().is_intact());
}

#[test]
fn stock_is_received_adjusted_and_counted() {
    let mut t = setup();
    let clerk = t.clerk.clone();
    let batch = SerialSpec::Range {
        first: "NH-100".into(),
        last: "NH-109".into(),
    };
    assert!(matches!(
        t.store
            .receive_stock(&clerk, &batch, Krw(500_000), "", free_day()),
        Err(Error::SupervisorRequired)
    ));
    let supervisor = t.supervisor.clone();
    let received = t
        .store
        .receive_stock(&supervisor, &batch, Krw(500_000), "2차 입고", free_day())
        .unwrap();
    assert_eq!(received.count, 10);
    // A batch that repeats a serial is refused whole.
    let overlap = SerialSpec::Range {
        first: "NH-105".into(),
        last: "NH-115".into(),
    };
    assert!(
        matches!(t.store.receive_stock(&supervisor, &overlap, Krw(500_000), "", free_day()), Err(Error::SerialExists(s)) if s == "NH-105")
    );
    assert_eq!(t.store.card_state("NH-110").unwrap(), None);

    t.store
        .adjust_stock(
            &supervisor,
            "NH-100",
            Adjustment::Damaged,
            "물에 젖음",
            free_day(),
        )
        .unwrap();
    t.store
        .adjust_stock(&supervisor, "NH-101", Adjustment::Lost, "분실", free_day())
        .unwrap();
    assert!(matches!(
        t.store
            .adjust_stock(&supervisor, "NH-100", Adjustment::Found, "?", free_day()),
        Err(Error::BadAdjustment { .. })
    ));
    assert!(matches!(
        t.store
            .adjust_stock(&clerk, "NH-102", Adjustment::Lost, "x", free_day()),
        Err(Error::SupervisorRequired)
    ));
    assert!(matches!(
        t.store
            .adjust_stock(&supervisor, "NH-102", Adjustment::Lost, " ", free_day()),
        Err(Error::Missing { .. })
    ));
    t.store
        .adjust_stock(
            &supervisor,
            "NH-101",
            Adjustment::Found,
            "서랍 뒤에서 찾음",
            free_day(),
        )
        .unwrap();

    let stock = t.store.stock().unwrap();
    let small = stock
        .by_face_value
        .iter()
        .find(|s| s.face_value == Krw(500_000))
        .unwrap();
    assert_eq!(
        (small.received, small.in_stock, small.damaged, small.lost),
        (10, 9, 1, 0)
    );
    assert_eq!(stock.on_hand(), 200 + 9);
    assert!(t.store.verify_audit().unwrap().is_intact());
}

#[test]
fn clerks_sign_in_and_are_locked_out_after_five_failures() {
    let mut t = setup();
    let clerk = t.clerk.clone();
    let new = |id: &str, role, pin: &str| NewClerk {
        employee_id: id.into(),
        name: "새직원".into(),
        role,
        pin: zeroize::Zeroizing::new(pin.into()),
    };
    assert!(matches!(
        t.store
            .add_clerk(None, new("X1", Role::Supervisor, PIN), free_day()),
        Err(Error::SupervisorRequired)
    ));
    assert!(matches!(
        t.store
            .add_clerk(Some(&clerk), new("X1", Role::Clerk, PIN), free_day()),
        Err(Error::SupervisorRequired)
    ));
    let supervisor = t.supervisor.clone();
    assert!(matches!(
        t.store.add_clerk(
            Some(&supervisor),
            new("X1", Role::Clerk, "1234"),
            free_day()
        ),
        Err(Error::WeakPin)
    ));
    assert!(matches!(
        t.store.add_clerk(
            Some(&supervisor),
            new("X1", Role::Clerk, "12345a"),
            free_day()
        ),
        Err(Error::WeakPin)
    ));
    assert!(matches!(
        t.store
            .add_clerk(Some(&supervisor), new(CLERK, Role::Clerk, PIN), free_day()),
        Err(Error::ClerkExists(_))
    ));

    let t0 = free_day();
    for i in 0..LOCKOUT_AFTER {
        let error = t
            .store
            .sign_in(CLERK, "000000", t0 + Duration::seconds(i.into()))
            .unwrap_err();
        assert!(matches!(error, Error::BadCredentials), "{error}");
    }
    // Locked now, even with the right PIN.
    assert!(matches!(
        t.store.sign_in(CLERK, PIN, t0 + Duration::minutes(1)),
        Err(Error::LockedOut { .. })
    ));
    let session = t
        .store
        .sign_in(CLERK, PIN, t0 + Duration::minutes(LOCKOUT_MINUTES + 1))
        .unwrap();
    assert_eq!(
        (session.employee_id(), session.name(), session.role()),
        (CLERK, "이담당", Role::Clerk)
    );
    assert!(matches!(
        t.store.sign_in("NOBODY", PIN, t0),
        Err(Error::BadCredentials)
    ));
    assert!(t.store.verify_audit().unwrap().is_intact());
}

#[test]
fn the_store_reopens_as_it_was_and_is_initialised_once() {
    let mut t = setup();
    let issued = t
        .store
        .issue(&t.clerk, solo(&person(12), &["GG-0050"]), free_day())
        .unwrap();
    let path = t.path();
    let Terminal { dir, store, .. } = t;
    drop(store);
    let store = reopen(&path);
    assert_eq!(store.site().name, "수원시 매탄1동 행정복지센터");
    assert_eq!(store.policy().campaign.id, "gyeonggi-2020");
    assert!(store.issuance(&issued.issuance_id).unwrap().is_some());
    drop(store);
    let again = Store::init(
        &path,
        TerminalSetup {
            eupmyeondong: None,
            site_code: "x".into(),
            site_name: "x".into(),
            site_type: relief_core::SiteType::Nh,
            sigungu: "41110".parse().unwrap(),
            demo: false,
            policy_file: "p".into(),
            policy_text: relief_core::policy::builtin::GYEONGGI_2020.into(),
            secret: relief_core::identity::CampaignSecret::from_bytes(vec![1; 16]).unwrap(),
        },
        free_day(),
    );
    assert!(matches!(again, Err(Error::AlreadyInitialized)));
    let empty = dir.path().join("empty.sqlite3");
    assert!(matches!(
        Store::open(
            &empty,
            Unlock::Supervisor {
                employee_id: SUPERVISOR,
                pin: PIN
            },
            free_day()
        ),
        Err(Error::NotInitialized)
    ));
}

#[test]
fn a_days_stock_balances_and_a_returned_card_written_off_is_not_taken_from_stock() {
    let mut t = setup();
    let day = free_day().date();
    let supervisor = t.supervisor.clone();
    // Received at the stroke of midnight: the day's.
    t.store
        .receive_stock(
            &supervisor,
            &SerialSpec::Range {
                first: "MN-01".into(),
                last: "MN-02".into(),
            },
            Krw(500_000),
            "",
            day.and_hms_opt(0, 0, 0).unwrap(),
        )
        .unwrap();
    let issued = t
        .store
        .issue(&t.clerk, solo(&person(1), &["GG-0001"]), free_day())
        .unwrap();
    t.store
        .void(
            &supervisor,
            &issued.issuance_id,
            "착오",
            CardDisposition::Returned,
            free_day(),
        )
        .unwrap();
    for (serial, reason) in [("GG-0001", "반납 전 훼손"), ("GG-0002", "훼손")] {
        t.store
            .adjust_stock(&supervisor, serial, Adjustment::Damaged, reason, free_day())
            .unwrap();
    }
    let faces = t.store.stock_day(day).unwrap();
    let face = |won: u64| faces.iter().find(|f| f.face_value == Krw(won)).unwrap();
    let gg = face(3_000_000);
    // Received weeks before: the opening stock.
    assert_eq!((gg.opening, gg.received.len()), (200, 0));
    assert_eq!(gg.issued, ["GG-0001"]);
    assert_eq!(gg.returned, ["GG-0001"]);
    assert_eq!(gg.destroyed, ["GG-0001"], "written off after its return");
    assert_eq!(gg.damaged, ["GG-0002"], "taken from stock");
    assert_eq!(gg.closing, 198);
    let mn = face(500_000);
    assert_eq!((mn.opening, mn.received.len(), mn.closing), (0, 2, 2));
}
