//! The terminal's copy of the resident roll against a plain model of the
//! ledger's: random change files, downloads cut after any page, the store
//! closed and opened again between pages, pages sent twice, out of order
//! or tampered with. Whatever happens, once a download completes the copy
//! is what the ledger holds for this 시군 (and those who left it), every
//! household exactly its members; a page refused changes nothing.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use common::*;
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use relief_core::identity::BeneficiaryKey;
use relief_core::policy::builtin::GYEONGGI_2020;
use relief_core::roll::RollStatus;
use relief_protocol::{RollCursor, RollMember, RollPage};
use relief_store::*;
use sha2::{Digest, Sha256};

const HERE: &str = "41110";
const THERE: &str = "41130";

fn signing() -> SigningKey {
    ledger_signing()
}

fn enrolled() -> Terminal {
    enrolled_site(GYEONGGI_2020, None)
}

/// Person `n`'s key. Pairs of people share their first 8 bytes, as two
/// keys of a real 시군 may: the copy's index is by those 8 bytes.
fn key(n: u32) -> [u8; 32] {
    let mut key: [u8; 32] = Sha256::digest(n.to_be_bytes()).into();
    let prefix: [u8; 32] = Sha256::digest((n / 2).to_le_bytes()).into();
    key[..8].copy_from_slice(&prefix[..8]);
    key
}

fn masked(n: u32) -> String {
    let birth =
        NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(n as i64 * 37);
    format!(
        "{}-{}******",
        birth.format("%y%m%d"),
        if birth.year_ce().1 < 2000 { 1 } else { 3 }
    )
}

use chrono::Datelike;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Person {
    household: u64,
    masked: String,
    sigungu: &'static str,
    place: String,
    status: RollStatus,
    /// The version that last changed them.
    version: u64,
}

/// The ledger, plainly: each person as the latest file left them.
#[derive(Debug, Default)]
struct Ledger {
    people: BTreeMap<u32, Person>,
    version: u64,
    next_household: u64,
}

#[derive(Debug, Clone)]
enum Change {
    /// Someone new (a newborn, a registration the extract missed), into a
    /// household of theirs or a new one.
    Add {
        household: Option<usize>,
        there: bool,
    },
    /// To another household of the campaign.
    Household {
        who: usize,
        to: usize,
    },
    /// To the other 시군, or back.
    Move {
        who: usize,
    },
    Remove {
        who: usize,
    },
    Place {
        who: usize,
        place: u8,
    },
}

impl Ledger {
    fn pick(&self, i: usize) -> Option<u32> {
        let keys: Vec<u32> = self.people.keys().copied().collect();
        (!keys.is_empty()).then(|| keys[i % keys.len()])
    }

    fn household(&self, i: usize) -> Option<u64> {
        let all: BTreeSet<u64> = self.people.values().map(|p| p.household).collect();
        let all: Vec<u64> = all.into_iter().collect();
        (!all.is_empty()).then(|| all[i % all.len()])
    }

    /// A change file of these changes, as the next version.
    fn import(&mut self, changes: &[Change]) {
        self.version += 1;
        let v = self.version;
        for change in changes {
            match *change {
                Change::Add { household, there } => {
                    let n = self.people.keys().last().map_or(0, |n| n + 1);
                    let household = match household.and_then(|h| self.household(h)) {
                        Some(h) => h,
                        None => {
                            self.next_household += 1;
                            self.next_household
                        }
                    };
                    self.people.insert(
                        n,
                        Person {
                            household,
                            masked: masked(n),
                            sigungu: if there { THERE } else { HERE },
                            place: format!("{}동", n % 5),
                            status: RollStatus::Resident,
                            version: v,
                        },
                    );
                }
                Change::Household { who, to } => {
                    if let (Some(n), Some(h)) = (self.pick(who), self.household(to)) {
                        let p = self.people.get_mut(&n).unwrap();
                        if p.household != h {
                            p.household = h;
                            p.version = v;
                        }
                    }
                }
                Change::Move { who } => {
                    if let Some(n) = self.pick(who) {
                        let p = self.people.get_mut(&n).unwrap();
                        p.sigungu = if p.sigungu == HERE { THERE } else { HERE };
                        p.version = v;
                    }
                }
                Change::Remove { who } => {
                    if let Some(n) = self.pick(who) {
                        let p = self.people.get_mut(&n).unwrap();
                        if p.status != RollStatus::Removed {
                            p.status = RollStatus::Removed;
                            p.version = v;
                        }
                    }
                }
                Change::Place { who, place } => {
                    if let Some(n) = self.pick(who) {
                        let p = self.people.get_mut(&n).unwrap();
                        let place = format!("{place}동");
                        if p.place != place {
                            p.place = place;
                            p.version = v;
                        }
                    }
                }
            }
        }
    }

    /// A page as the ledger makes it (see its `roll_download_page`).
    fn page(&self, from: u64, upto: Option<u64>, after: &RollCursor, limit: usize) -> RollPage {
        let upto = upto.unwrap_or(self.version);
        let mut rows: Vec<(u64, String, u32)> = self
            .people
            .iter()
            .filter(|(_, p)| {
                if from == 0 {
                    p.sigungu == HERE && p.version <= upto
                } else {
                    from < p.version && p.version <= upto
                }
            })
            .map(|(n, p)| (p.household, hex::encode(key(*n)), *n))
            .filter(|(h, k, _)| (*h, k.as_str()) > (after.household, after.key.as_str()))
            .collect();
        rows.sort();
        let total = (*after == RollCursor::start()).then_some(rows.len() as u64);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = more.then(|| {
            let (household, key, _) = rows.last().unwrap().clone();
            RollCursor { household, key }
        });
        RollPage {
            campaign_id: "gyeonggi-2020".into(),
            sigungu: HERE.into(),
            from_version: from,
            upto_version: upto,
            after: after.clone(),
            total,
            people: rows
                .iter()
                .map(|(_, k, n)| {
                    let p = &self.people[n];
                    RollMember {
                        key: k.clone(),
                        household: p.household,
                        masked: p.masked.clone(),
                        sigungu: p.sigungu.into(),
                        eupmyeondong: p.place.clone(),
                        status: p.status,
                    }
                })
                .collect(),
            next,
            signature: String::new(),
        }
        .signed(&signing())
    }
}

#[derive(Debug, Clone)]
enum Op {
    Import(Vec<Change>),
    /// Up to this many pages of the download under way (or a new one).
    Download {
        pages: usize,
        limit: usize,
    },
    /// The counter's program closed and started again.
    Reopen,
    /// The last page applied, sent again.
    Replay,
    /// A page with one thing changed after the ledger signed it.
    Tamper {
        field: u8,
    },
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        3 => (proptest::option::of(0usize..50), proptest::bool::weighted(0.2))
            .prop_map(|(household, there)| Change::Add { household, there }),
        1 => (0usize..500, 0usize..500).prop_map(|(who, to)| Change::Household { who, to }),
        1 => (0usize..500).prop_map(|who| Change::Move { who }),
        1 => (0usize..500).prop_map(|who| Change::Remove { who }),
        1 => (0usize..500, 0u8..6).prop_map(|(who, place)| Change::Place { who, place }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => proptest::collection::vec(change(), 1..25).prop_map(Op::Import),
        4 => (1usize..4, 1usize..12).prop_map(|(pages, limit)| Op::Download { pages, limit }),
        1 => Just(Op::Reopen),
        1 => Just(Op::Replay),
        1 => (0u8..4).prop_map(|field| Op::Tamper { field }),
    ]
}

fn reopen(t: &mut Terminal) {
    let path = t.path();
    // The old connection closes before the new one opens.
    let key = t.store.data_key().clone();
    t.store = Store::open(&path, Unlock::Key(&key), at(4, 1, 9)).unwrap();
}

/// Everything the copy holds, by person, looked up one by one, and
/// every household as the copy lists it.
fn check_copy(t: &Terminal, ledger: &Ledger, known: &BTreeSet<u32>) {
    let copy = t.store.roll_copy().unwrap();
    assert_eq!(copy.version, ledger.version);
    assert_eq!(copy.download, None);
    let mut households: BTreeMap<u64, BTreeSet<[u8; 32]>> = BTreeMap::new();
    let mut expected_size = 0;
    for (n, p) in &ledger.people {
        let found = t
            .store
            .roll_person(&BeneficiaryKey::from_bytes(key(*n)))
            .unwrap();
        let held = p.sigungu == HERE || known.contains(n);
        match found {
            None => assert!(!held, "person {n} missing: {p:?}"),
            Some(found) => {
                assert!(held, "person {n} should not be on the copy: {found:?}");
                assert_eq!(found.household, p.household, "person {n}");
                assert_eq!(found.masked.as_str(), p.masked);
                assert_eq!(found.eupmyeondong, p.place);
                assert_eq!(found.status, p.status);
                assert_eq!(found.here, p.sigungu == HERE);
                households.entry(p.household).or_default().insert(key(*n));
                expected_size += 1;
            }
        }
    }
    assert_eq!(t.store.roll_size().unwrap(), expected_size, "no one twice");
    for (household, members) in households {
        let listed: BTreeSet<[u8; 32]> = t
            .store
            .roll_household(household)
            .unwrap()
            .iter()
            .map(|m| *m.key.as_bytes())
            .collect();
        assert_eq!(listed, members, "household {household}");
    }
}

fn run(ops: Vec<Op>) {
    let mut t = enrolled();
    let mut ledger = Ledger::default();
    // Whom the copy has been told of as being of this 시군.
    let mut known: BTreeSet<u32> = BTreeSet::new();
    let mut last: Option<RollPage> = None;
    // A first extract, so that downloads have something to bring.
    ledger.import(&vec![
        Change::Add {
            household: None,
            there: false
        };
        8
    ]);
    let apply = |t: &mut Terminal, page: &RollPage, known: &mut BTreeSet<u32>| {
        let before = t.store.roll_copy().unwrap();
        match t.store.apply_roll_page(page, at(4, 2, 9)) {
            Ok(applied) => {
                // Taken: everyone of this 시군, and anyone the copy knew
                // who has left it; not strangers of the other 시군.
                let mut taken = 0;
                for m in &page.people {
                    let n = ledger_n(&m.key);
                    if m.sigungu == HERE || known.contains(&n) {
                        taken += 1;
                    }
                    if m.sigungu == HERE {
                        known.insert(n);
                    }
                }
                assert_eq!(applied.people, taken);
                assert_eq!(applied.completed, page.next.is_none());
                let after = t.store.roll_copy().unwrap();
                match (&after.download, applied.completed) {
                    (None, true) => assert_eq!(after.version, page.upto_version),
                    (Some(d), false) => {
                        let so_far = before.download.as_ref().map_or(0, |d| d.received);
                        assert_eq!(
                            d.received,
                            so_far + taken,
                            "the download counts what it took"
                        );
                        assert_eq!(
                            (d.target, Some(&d.after)),
                            (page.upto_version, page.next.as_ref())
                        );
                        assert_eq!(after.version, before.version, "not raised before the end");
                    }
                    other => panic!("{other:?}"),
                }
                true
            }
            Err(e) => {
                assert!(
                    matches!(e, Error::RollOutOfOrder(_) | Error::RollSignature(_)),
                    "{e}"
                );
                assert_eq!(
                    t.store.roll_copy().unwrap(),
                    before,
                    "a refused page changes nothing"
                );
                false
            }
        }
    };
    for op in ops {
        match op {
            Op::Import(changes) => ledger.import(&changes),
            Op::Download { pages, limit } => {
                for _ in 0..pages {
                    let (from, upto, after) = t.store.roll_copy().unwrap().next_request();
                    let page = ledger.page(from, upto, &after, limit);
                    if upto.is_none() && page.upto_version == from {
                        break;
                    }
                    assert!(
                        apply(&mut t, &page, &mut known),
                        "the page asked for is taken"
                    );
                    last = Some(page);
                }
            }
            Op::Reopen => reopen(&mut t),
            Op::Replay => {
                if let Some(page) = &last {
                    let completed_now = t.store.roll_copy().unwrap();
                    // Taken again only if it is, by chance, the one asked
                    // for next (never: each page moves the place on).
                    assert!(!apply(&mut t, page, &mut known), "{completed_now:?}");
                }
            }
            Op::Tamper { field } => {
                let (from, upto, after) = t.store.roll_copy().unwrap().next_request();
                let mut page = ledger.page(from, upto, &after, 5);
                if page.people.is_empty() && field != 3 {
                    continue;
                }
                match field {
                    0 => page.people[0].household += 1,
                    1 => page.people[0].status = RollStatus::OtherForeign,
                    2 => {
                        let m = &mut page.people[0];
                        m.sigungu = if m.sigungu == HERE { THERE } else { HERE }.into();
                    }
                    _ => page.upto_version += 1,
                }
                assert!(!apply(&mut t, &page, &mut known));
            }
        }
    }
    // However it went, the download finishes and the copy is the ledger's.
    loop {
        let (from, upto, after) = t.store.roll_copy().unwrap().next_request();
        let page = ledger.page(from, upto, &after, 7);
        if upto.is_none() && page.upto_version == from {
            break;
        }
        assert!(apply(&mut t, &page, &mut known));
    }
    check_copy(&t, &ledger, &known);
}

/// The person a key in a page stands for (the model's keys are few).
fn ledger_n(hex_key: &str) -> u32 {
    (0..10_000)
        .find(|n| hex::encode(key(*n)) == hex_key)
        .expect("a key of the model")
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("RELIEF_ROLL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_copy_is_the_ledgers_roll_whatever_the_network_does(ops in proptest::collection::vec(op(), 1..30)) {
        run(ops);
    }
}

#[test]
fn a_copy_of_another_sigungu_or_campaign_is_refused() {
    let mut t = enrolled();
    let mut ledger = Ledger::default();
    ledger.import(&[Change::Add {
        household: None,
        there: false,
    }]);
    let page = ledger.page(0, None, &RollCursor::start(), 10);
    for wrong in [
        RollPage {
            sigungu: THERE.into(),
            ..page.clone()
        },
        RollPage {
            campaign_id: "national-2020".into(),
            ..page.clone()
        },
    ] {
        let wrong = RollPage {
            signature: String::new(),
            ..wrong
        }
        .signed(&signing());
        assert!(matches!(
            t.store.apply_roll_page(&wrong, at(4, 2, 9)),
            Err(Error::RollOutOfOrder(_))
        ));
    }
    // Signed by another key: refused, whatever it says.
    let forged = RollPage {
        signature: String::new(),
        ..page.clone()
    }
    .signed(&SigningKey::from_bytes(&[8; 32]));
    assert!(matches!(
        t.store.apply_roll_page(&forged, at(4, 2, 9)),
        Err(Error::RollSignature(_))
    ));
    assert_eq!(t.store.roll_copy().unwrap().version, 0);
    assert_eq!(
        t.store.roll_copy().unwrap().next_request(),
        (0, None, RollCursor::start())
    );
    t.store.apply_roll_page(&page, at(4, 2, 9)).unwrap();
    assert_eq!(t.store.roll_copy().unwrap().version, 1);
    // A page that brings the copy nowhere (from its own version to it) is
    // not a download.
    let nowhere = ledger.page(1, Some(1), &RollCursor::start(), 10);
    assert!(matches!(
        t.store.apply_roll_page(&nowhere, at(4, 2, 9)),
        Err(Error::RollOutOfOrder(_))
    ));
    assert_eq!(
        t.store.roll_copy().unwrap().next_request(),
        (1, None, RollCursor::start())
    );
}
