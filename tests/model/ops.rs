//! What happens in a sequence: visits, pushes and syncs through a network
//! that loses and doubles requests, voids, acceptances, online imports,
//! ledger restarts, backups and restores. Each step is carried out through
//! the real code (the visit flow, the store, sync, the ledger's HTTP API)
//! and written down in the plain reference model of what was handed over.

use std::collections::BTreeSet;
use std::sync::Mutex;

use proptest::prelude::*;
use relief_core::HouseholdSize;
use relief_core::identity::IdentityNumber;
use relief_core::proxy::{IdDocument, Relation};
use relief_store::{Applicant, BeneficiaryRequest, CardDisposition, IssueRequest, Store};
use relief_sync::Retry;
use relief_sync::visit::{self, VisitError};

use crate::issuer::SimIssuer;
use crate::world::{Fault, World};

/// How the network treats a visit's claim.
#[derive(Debug, Clone, Copy)]
pub enum Net {
    Up,
    /// The ledger cannot be reached at all.
    Down,
    /// The claim, or the answer to it, is lost (the visit goes offline),
    /// or it reaches the ledger twice.
    Claim(Fault),
}

#[derive(Debug, Clone)]
pub enum Op {
    /// A visitor at a counter, collecting for themself and maybe one more
    /// of their household (people are numbered within the 시군).
    Visit {
        terminal: usize,
        people: Vec<usize>,
        net: Net,
        push_now: bool,
    },
    /// One push of what waits, meeting `fault`.
    Push {
        terminal: usize,
        fault: Option<Fault>,
    },
    /// Push and pull, as the background sync does.
    Sync { terminal: usize },
    /// A supervisor voids one of the counter's issuances.
    Void { terminal: usize, nth: usize },
    /// A supervisor accepts one of the counter's open conflicts.
    Accept { terminal: usize, nth: usize },
    /// The card companies' file: people paid online, by which issuer and
    /// when (the same again is a file sent twice).
    Import { people: Vec<usize>, issuer: u8 },
    /// The card issuer reads a page of the activation feed, does it and
    /// confirms; the read or the confirmation may meet a fault, and the
    /// ledger may restart between the two.
    Issuer {
        read_fault: Option<Fault>,
        ack_fault: Option<Fault>,
        restart_between: bool,
    },
    /// The ledgers stop and start on the same database.
    Restart,
    /// An operator copies the ledger's database aside...
    Backup,
    /// ...and later puts it back.
    Restore,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::LostBefore),
        Just(Fault::LostAfter),
        Just(Fault::Doubled)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let terminal = 0..4usize;
    prop_oneof![
        10 => (
            terminal.clone(),
            proptest::collection::vec(0..6usize, 1..=2),
            prop_oneof![4 => Just(Net::Up), 2 => Just(Net::Down), 2 => fault().prop_map(Net::Claim)],
            any::<bool>(),
        )
            .prop_map(|(terminal, people, net, push_now)| Op::Visit { terminal, people, net, push_now }),
        3 => (terminal.clone(), proptest::option::of(fault()))
            .prop_map(|(terminal, fault)| Op::Push { terminal, fault }),
        3 => terminal.clone().prop_map(|terminal| Op::Sync { terminal }),
        2 => (terminal.clone(), any::<usize>()).prop_map(|(terminal, nth)| Op::Void { terminal, nth }),
        2 => (terminal, any::<usize>()).prop_map(|(terminal, nth)| Op::Accept { terminal, nth }),
        1 => (proptest::collection::vec(0..8usize, 1..=3), 0..2u8)
            .prop_map(|(people, issuer)| Op::Import { people, issuer }),
        3 => (proptest::option::of(fault()), proptest::option::of(fault()), proptest::bool::weighted(0.2))
            .prop_map(|(read_fault, ack_fault, restart_between)| Op::Issuer { read_fault, ack_fault, restart_between }),
        1 => Just(Op::Restart),
        1 => Just(Op::Backup),
        1 => Just(Op::Restore),
    ]
}

pub fn sequence() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(op(), 1..40)
}

/// A card handed over, as the reference model keeps it.
#[derive(Debug, Clone)]
pub struct Handed {
    pub terminal: usize,
    pub issuance_id: String,
    /// Indexes into `World::people`.
    pub people: Vec<usize>,
    pub cards: Vec<String>,
    pub online: bool,
    pub voided: bool,
}

/// What was really done, whatever the ledger and the terminals say.
#[derive(Debug, Default)]
pub struct Reference {
    pub handed: Vec<Handed>,
    /// Online payments: (person, issuer, paid at).
    pub online: BTreeSet<(usize, u8, String)>,
    /// A restore took back what the ledger had said: claims it granted
    /// since the backup are gone, so online-verified counter payments may
    /// meet.
    pub restored: bool,
    /// The online payments the backup holds: the card companies' files
    /// imported after it are gone with a restore, until sent again.
    backup: Option<BTreeSet<(usize, u8, String)>>,
    pub visits: u64,
    pub refused: u64,
    /// The card issuer's books: which cards hold money.
    pub issuer: SimIssuer,
}

/// Carries out one step.
pub fn apply(world: &mut World, stores: &[Mutex<Store>], model: &mut Reference, op: &Op) {
    world.tick();
    let now = world.now();
    match op {
        Op::Visit {
            terminal,
            people,
            net,
            push_now,
        } => {
            let t = *terminal;
            let people = local_people(world, t, people);
            {
                let mut network = world.network.lock().unwrap();
                match net {
                    Net::Up => {}
                    Net::Down => network.down = true,
                    Net::Claim(f) => network.next.push(("/claims", *f)),
                }
            }
            // A fresh card each visit.
            let cards = vec![format!("T{t}-{:04}", model.visits + 1)];
            let request = request(world, &people, cards.clone());
            let options = visit::Options {
                offline: false,
                claim_timeout: std::time::Duration::from_secs(5),
                push_now: *push_now,
            };
            let outcome = world.runtime.block_on(visit::issue(
                &stores[t],
                world.supervisor(),
                request,
                None,
                options,
                now,
            ));
            *world.network.lock().unwrap() = Default::default();
            model.visits += 1;
            // Whether the ledger answered is the network's doing, not the
            // terminal's to say: only an answer may lead online.
            let answered = matches!(net, Net::Up | Net::Claim(Fault::Doubled));
            match outcome {
                Ok(visited) => {
                    let online = visited.offline_because.is_none();
                    assert_eq!(
                        online,
                        answered,
                        "terminal {t}: issued {} with the network {net:?}",
                        if online { "online" } else { "offline" }
                    );
                    model.handed.push(Handed {
                        terminal: t,
                        issuance_id: visited.issued.issuance_id,
                        people,
                        cards,
                        online,
                        voided: false,
                    })
                }
                // The refusals a visit may meet here: someone paid, or
                // being served; nothing else of the rules is in play.
                Err(VisitError::Store(
                    relief_store::Error::AlreadyPaidHere { .. }
                    | relief_store::Error::PaidElsewhere { .. }
                    | relief_store::Error::BeingServed { .. },
                )) => model.refused += 1,
                Err(e) => panic!("visit at terminal {t} failed: {e} ({})", e.code()),
            }
        }
        Op::Push { terminal, fault } => {
            if let Some(f) = fault {
                world.network.lock().unwrap().next.push(("/push", *f));
            }
            let _ = world.runtime.block_on(relief_sync::push_pending(
                &stores[*terminal],
                Retry::ONCE,
                50,
            ));
            *world.network.lock().unwrap() = Default::default();
        }
        Op::Sync { terminal } => {
            let _ = world
                .runtime
                .block_on(relief_sync::sync_once(&stores[*terminal], Retry::ONCE));
        }
        Op::Void { terminal, nth } => {
            let standing: Vec<usize> = model
                .handed
                .iter()
                .enumerate()
                .filter(|(_, h)| h.terminal == *terminal && !h.voided)
                .map(|(i, _)| i)
                .collect();
            if standing.is_empty() {
                return;
            }
            let i = standing[nth % standing.len()];
            stores[*terminal]
                .lock()
                .unwrap()
                .void(
                    world.supervisor(),
                    &model.handed[i].issuance_id,
                    "카드 회수",
                    CardDisposition::Returned,
                    now,
                )
                .unwrap();
            model.handed[i].voided = true;
        }
        Op::Accept { terminal, nth } => {
            let mut store = stores[*terminal].lock().unwrap();
            let open: Vec<String> = store
                .conflicts()
                .unwrap()
                .into_iter()
                .filter(|c| c.status == relief_protocol::ConflictStatus::Open)
                .map(|c| c.id)
                .collect();
            if open.is_empty() {
                return;
            }
            // Accepted already here, the ledger not yet told: refused again.
            match store.accept_conflict(
                world.supervisor(),
                &open[nth % open.len()],
                "확인 후 인정",
                now,
            ) {
                Ok(_) | Err(relief_store::Error::ConflictClosed(_)) => {}
                Err(e) => panic!("accepting a conflict: {e}"),
            }
        }
        Op::Import { people, issuer } => {
            let paid_at = format!("2020-05-0{}T09:00:00", 1 + issuer);
            let mut csv = String::from("rrn,sigungu,amount_krw,paid_at,issuer\n");
            for &p in people {
                let person = &world.people[p];
                csv.push_str(&format!(
                    "{},{},100000,{paid_at},카드사{issuer}\n",
                    &*person.number, person.sigungu
                ));
                model.online.insert((p, *issuer, paid_at.clone()));
            }
            // With two ledgers, either may take the file.
            let ledger = &world.ledgers[people[0] % world.ledgers.len()];
            let report = ledger.import(&csv);
            assert!(report.invalid.is_empty(), "{:?}", report.invalid);
        }
        Op::Issuer {
            read_fault,
            ack_fault,
            restart_between,
        } => {
            model
                .issuer
                .round(world, *read_fault, *ack_fault, *restart_between);
        }
        Op::Restart => world.restart(),
        Op::Backup => {
            world.save_ledger_as("backup");
            model.backup = Some(model.online.clone());
        }
        Op::Restore => {
            if let Some(online) = &model.backup {
                world.restore_ledger("backup");
                model.online = online.clone();
                model.restored = true;
            }
        }
    }
}

/// People of the terminal's 시군: six live in 수원, two in 성남.
fn local_people(world: &World, terminal: usize, picks: &[usize]) -> Vec<usize> {
    let local: Vec<usize> = (0..world.people.len())
        .filter(|&p| world.people[p].sigungu == world.terminals[terminal].sigungu)
        .collect();
    let mut chosen: Vec<usize> = Vec::new();
    for pick in picks {
        let p = local[pick % local.len()];
        if !chosen.contains(&p) {
            chosen.push(p);
        }
    }
    chosen
}

fn request(world: &World, people: &[usize], cards: Vec<String>) -> IssueRequest {
    let id = |p: usize| IdentityNumber::parse(&world.people[p].number).unwrap();
    let applicant = id(people[0]);
    IssueRequest {
        applicant: Applicant {
            id: applicant,
            name: "주민".into(),
            id_document: IdDocument::ResidentCard,
        },
        beneficiaries: people
            .iter()
            .enumerate()
            .map(|(i, &p)| BeneficiaryRequest {
                who: relief_store::Who::Number(id(p)),
                name: format!("주민{p}"),
                relation: if i == 0 {
                    Relation::SelfApplicant
                } else {
                    Relation::Spouse
                },
                household_size: Some(HouseholdSize::try_from(2).unwrap()),
                resident_sigungu: world.people[p].sigungu.parse().unwrap(),
                roll_exception: None,
            })
            .collect(),
        card_serials: cards,
        verification: relief_store::Verification::Online,
        household_of_minors: false,
        visit: None,
        roll_approver: None,
    }
}
