//! Cards checked as they are scanned, against a plain model: random
//! drawers (face values, damaged cards), random splits and random scans
//! (unknown serials, repeats, one card too many). Every prefix of a scan is
//! accepted exactly when some way of loading the split onto those cards
//! exists, found by trying every way; every refusal is the one the model
//! names, for the serial it names.

mod common;

use common::*;
use proptest::prelude::*;
use relief_core::Krw;
use relief_store::*;

const FACES: [u64; 4] = [100_000, 300_000, 500_000, 3_000_000];
const AMOUNTS: [u64; 4] = [100_000, 200_000, 400_000, 500_000];

#[derive(Debug, Clone)]
struct Case {
    /// Each card of the drawer: face value, and whether it is damaged.
    drawer: Vec<(u64, bool)>,
    amounts: Vec<u64>,
    /// Indexes into the drawer; one past its end is a serial never received.
    scan: Vec<usize>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(
            (prop::sample::select(&FACES[..]), prop::bool::weighted(0.2)),
            1..6,
        ),
        prop::collection::vec(prop::sample::select(&AMOUNTS[..]), 1..4),
    )
        .prop_flat_map(|(drawer, amounts)| {
            let cards = drawer.len();
            (
                Just(drawer),
                Just(amounts),
                prop::collection::vec(0..=cards, 1..5),
            )
        })
        .prop_map(|(drawer, amounts, scan)| Case {
            drawer,
            amounts,
            scan,
        })
}

fn serial(i: usize) -> String {
    format!("SC-{i:04}")
}

/// What the rules say of the cards scanned so far.
#[derive(Debug, PartialEq, Eq)]
enum Expected {
    Fits,
    TooMany,
    Twice(String),
    Unknown(String),
    NotInDrawer(String),
    TooSmall,
}

/// Whether the amounts can be loaded, one card each, onto `faces`: tries
/// every way of giving each card a different amount.
fn some_way(faces: &[u64], amounts: &[u64], taken: &mut Vec<bool>) -> bool {
    let Some((&face, rest)) = faces.split_first() else {
        return true;
    };
    for (i, &amount) in amounts.iter().enumerate() {
        if !taken[i] && amount <= face {
            taken[i] = true;
            let found = some_way(rest, amounts, taken);
            taken[i] = false;
            if found {
                return true;
            }
        }
    }
    false
}

fn expected(case: &Case, prefix: &[usize]) -> Expected {
    if prefix.len() > case.amounts.len() {
        return Expected::TooMany;
    }
    let mut seen = Vec::new();
    for &i in prefix {
        let s = serial(i);
        if seen.contains(&i) {
            return Expected::Twice(s);
        }
        seen.push(i);
        match case.drawer.get(i) {
            None => return Expected::Unknown(s),
            Some((_, true)) => return Expected::NotInDrawer(s),
            Some((_, false)) => {}
        }
    }
    let faces: Vec<u64> = prefix.iter().map(|&i| case.drawer[i].0).collect();
    if some_way(&faces, &case.amounts, &mut vec![false; case.amounts.len()]) {
        Expected::Fits
    } else {
        Expected::TooSmall
    }
}

fn run(case: Case) -> Result<(), TestCaseError> {
    let mut t = copy_of_setup();
    let supervisor = t.supervisor.clone();
    let at = free_day();
    for (i, &(face, damaged)) in case.drawer.iter().enumerate() {
        t.store
            .receive_stock(
                &supervisor,
                &SerialSpec::List(vec![serial(i)]),
                Krw(face),
                "",
                at,
            )
            .unwrap();
        if damaged {
            t.store
                .adjust_stock(&supervisor, &serial(i), Adjustment::Damaged, "훼손", at)
                .unwrap();
        }
    }
    let amounts: Vec<Krw> = case.amounts.iter().map(|&a| Krw(a)).collect();
    for end in 1..=case.scan.len() {
        let prefix = &case.scan[..end];
        let serials: Vec<String> = prefix.iter().map(|&i| serial(i)).collect();
        let got = t.store.check_scanned_cards(&serials, &amounts);
        let want = expected(&case, prefix);
        match (&want, &got) {
            (Expected::Fits, Ok(())) => {}
            (Expected::TooMany, Err(Error::CardCountMismatch { needed, scanned })) => {
                prop_assert_eq!((*needed, *scanned), (amounts.len(), end));
            }
            (Expected::Twice(s), Err(Error::SameCardTwice(got))) => prop_assert_eq!(s, got),
            (Expected::Unknown(s), Err(Error::UnknownCard(got))) => prop_assert_eq!(s, got),
            (Expected::NotInDrawer(s), Err(Error::CardNotInStock { serial, .. })) => {
                prop_assert_eq!(s, serial)
            }
            (
                Expected::TooSmall,
                Err(Error::CardFaceValueTooLow {
                    serial,
                    face_value,
                    amount,
                }),
            ) => {
                // The card named is one scanned, and cannot hold what it names.
                prop_assert!(serials.contains(serial));
                prop_assert!(amount > face_value);
            }
            _ => prop_assert!(false, "{prefix:?}: expected {want:?}, got {got:?}"),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_scan_is_refused_exactly_when_no_way_to_load_the_split_exists(case in case()) {
        run(case)?;
    }
}

#[test]
fn an_issued_card_is_refused_at_the_scan_with_its_state() {
    let mut t = setup();
    let issued = t
        .store
        .issue(&t.clerk.clone(), solo(&person(1), &["GG-0001"]), free_day())
        .unwrap();
    assert_eq!(issued.cards[0].serial, "GG-0001");
    let amounts = [Krw(100_000)];
    match t
        .store
        .check_scanned_cards(&["GG-0001".into()], &amounts)
        .unwrap_err()
    {
        Error::CardNotInStock { serial, state } => {
            assert_eq!((serial.as_str(), state), ("GG-0001", "발급됨"));
        }
        other => panic!("{other}"),
    }
    t.store
        .check_scanned_cards(&[" GG-0002 ".into()], &amounts)
        .unwrap();
    assert!(matches!(
        t.store.check_scanned_cards(&["".into()], &amounts),
        Err(Error::BadSerial(_))
    ));
}
