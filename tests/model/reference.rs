//! After a sequence, once every terminal has synced until nothing more
//! moves, what must hold, checked against the plain reference model of
//! what was handed over.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use relief_store::Store;
use relief_sync::Retry;

use crate::issuer::SimIssuer;
use crate::ops::Reference;
use crate::world::World;

/// Syncs every terminal until nothing moves, lets the card issuer do all
/// it was asked, and syncs again, so that the terminals hear of it.
pub fn quiesce(
    world: &mut World,
    stores: &[Mutex<Store>],
    issuer: &mut SimIssuer,
) -> Result<(), String> {
    sync_to_rest(world, stores)?;
    issuer.drain(world)?;
    sync_to_rest(world, stores)
}

/// Syncs every terminal until a round moves nothing (no event waits, no
/// pull brings a change).
fn sync_to_rest(world: &World, stores: &[Mutex<Store>]) -> Result<(), String> {
    let retry = Retry {
        first_delay: std::time::Duration::from_millis(1),
        max_delay: std::time::Duration::from_millis(5),
        attempts: 3,
    };
    for _ in 0..8 {
        let mut moved = false;
        for (i, store) in stores.iter().enumerate() {
            let (pushed, pulled) = world
                .runtime
                .block_on(relief_sync::sync_once(store, retry))
                .map_err(|e| format!("terminal {i} could not sync: {e}"))?;
            moved |= pushed.sent > 0
                || pulled.deny_changes > 0
                || pulled.conflicts > 0
                || pulled.cards > 0;
        }
        if !moved {
            return Ok(());
        }
    }
    Err("sync never came to rest".into())
}

/// A payment's name, as the ledger gives it.
fn counter_ref(issuance_id: &str) -> String {
    format!("issuance:{issuance_id}")
}

pub fn online_ref(issuer: u8, paid_at: &str) -> String {
    format!("online:카드사{issuer}:{paid_at}")
}

/// Who made a payment: a terminal's index, or `None` online.
type Payer = Option<usize>;

pub fn check(world: &World, stores: &[Mutex<Store>], model: &Reference) -> Result<(), String> {
    let ledger = &world.ledgers[0];

    // Every card handed over is known to the ledger, once; every void too.
    let at_ledger: BTreeSet<String> = ledger
        .rows("SELECT id FROM issuance", |r| r.text("id").unwrap())
        .into_iter()
        .collect();
    let handed: BTreeSet<String> = model.handed.iter().map(|h| h.issuance_id.clone()).collect();
    if at_ledger != handed {
        return Err(format!(
            "issuances at the ledger differ from those handed over: missing {:?}, unknown {:?}",
            handed.difference(&at_ledger).collect::<Vec<_>>(),
            at_ledger.difference(&handed).collect::<Vec<_>>()
        ));
    }
    let voided_at_ledger: BTreeSet<String> = ledger
        .rows("SELECT issuance_id FROM void", |r| {
            r.text("issuance_id").unwrap()
        })
        .into_iter()
        .collect();
    let voided: BTreeSet<String> = model
        .handed
        .iter()
        .filter(|h| h.voided)
        .map(|h| h.issuance_id.clone())
        .collect();
    if voided_at_ledger != voided {
        return Err(format!(
            "voids differ: ledger {voided_at_ledger:?}, model {voided:?}"
        ));
    }

    // What each person was really paid, and by whom.
    let mut expected: BTreeMap<usize, BTreeMap<String, (Payer, bool)>> = BTreeMap::new();
    for h in model.handed.iter().filter(|h| !h.voided) {
        for &p in &h.people {
            expected
                .entry(p)
                .or_default()
                .insert(counter_ref(&h.issuance_id), (Some(h.terminal), h.online));
        }
    }
    for (p, issuer, paid_at) in &model.online {
        expected
            .entry(*p)
            .or_default()
            .insert(online_ref(*issuer, paid_at), (None, false));
    }

    let payments = ledger.rows(
        "SELECT p.beneficiary_key, p.payment_ref,
                CASE WHEN EXISTS (SELECT 1 FROM void v WHERE v.issuance_id = p.issuance_id) THEN 1 ELSE 0 END AS voided
         FROM payment p",
        |r| {
            (
                r.bytes("beneficiary_key").unwrap(),
                r.text("payment_ref").unwrap(),
                r.int("voided").unwrap() == 1,
            )
        },
    );
    let standing: BTreeMap<Vec<u8>, (String, Option<String>)> = ledger
        .rows(
            "SELECT beneficiary_key, state, standing_ref FROM entitlement",
            |r| {
                (
                    r.bytes("beneficiary_key").unwrap(),
                    (
                        r.text("state").unwrap(),
                        r.opt_text("standing_ref").unwrap(),
                    ),
                )
            },
        )
        .into_iter()
        .collect();
    let conflicts = ledger.rows(
        "SELECT beneficiary_key, standing_ref, other_ref, status FROM conflict",
        |r| {
            (
                r.bytes("beneficiary_key").unwrap(),
                r.text("standing_ref").unwrap(),
                r.text("other_ref").unwrap(),
                r.text("status").unwrap(),
            )
        },
    );
    let voided_refs: BTreeSet<(Vec<u8>, String)> = payments
        .iter()
        .filter(|(_, _, v)| *v)
        .map(|(k, r, _)| (k.clone(), r.clone()))
        .collect();
    for (c_key, a, b, status) in &conflicts {
        let voided_side = voided_refs.contains(&(c_key.clone(), a.clone()))
            || voided_refs.contains(&(c_key.clone(), b.clone()));
        if voided_side && status == "open" {
            return Err(format!(
                "a conflict with a voided payment is open: {a} / {b}"
            ));
        }
    }

    for (p, person) in world.people.iter().enumerate() {
        let key = person.key.as_bytes().to_vec();
        let want = expected.remove(&p).unwrap_or_default();
        let have: BTreeSet<String> = payments
            .iter()
            .filter(|(k, _, voided)| *k == key && !voided)
            .map(|(_, r, _)| r.clone())
            .collect();
        let want_refs: BTreeSet<String> = want.keys().cloned().collect();
        if have != want_refs {
            return Err(format!(
                "person {p}: the ledger holds payments {have:?}, but {want_refs:?} were made"
            ));
        }
        let (state, stands) = standing
            .get(&key)
            .cloned()
            .unwrap_or_else(|| ("unpaid".into(), None));
        match &stands {
            None if !want.is_empty() => {
                return Err(format!(
                    "person {p} was paid {want_refs:?} and nothing stands ({state})"
                ));
            }
            Some(s) if !want.contains_key(s) => {
                return Err(format!(
                    "person {p}: {s} stands, but only {want_refs:?} were paid"
                ));
            }
            _ => {}
        }
        if state == "being_served" {
            return Err(format!(
                "person {p} is still held by a claim after every visit ended"
            ));
        }
        // Every other payment is in an open or accepted conflict with the
        // one that stands.
        if let Some(s) = &stands {
            for other in want.keys().filter(|r| *r != s) {
                let joined = conflicts.iter().any(|(k, a, b, status)| {
                    *k == key
                        && ((a == s && b == other) || (a == other && b == s))
                        && (status == "open" || status == "accepted")
                });
                if !joined {
                    return Err(format!(
                        "person {p}: {other} is paid beside {s}, in no open or accepted conflict"
                    ));
                }
            }
        }
        // Claims work: two counters that both asked the ledger never both
        // pay (unless a restore took back what it had granted).
        let online_verified = want
            .values()
            .filter(|(payer, online)| payer.is_some() && *online)
            .count();
        if online_verified > 1 && !model.restored {
            return Err(format!(
                "person {p} was paid {online_verified} times after claims granted"
            ));
        }
        // Deny-lists: paid by another, listed; paid by nobody, not listed.
        for (t, terminal) in world.terminals.iter().enumerate() {
            if terminal.sigungu != person.sigungu {
                continue;
            }
            let listed = deny_listed(&stores[t], &key);
            let by_another = want.values().any(|(payer, _)| *payer != Some(t));
            if by_another && !listed {
                return Err(format!(
                    "terminal {t} would serve person {p}, paid elsewhere: {want_refs:?}"
                ));
            }
            if want.is_empty() && listed {
                return Err(format!("terminal {t} refuses person {p}, whom nobody paid"));
            }
        }
    }

    let live = ledger.rows(
        "SELECT count(*) AS live FROM claim c WHERE NOT EXISTS
           (SELECT 1 FROM visit_end e WHERE e.visit_id = c.visit_id AND e.terminal_id = c.terminal_id)",
        |r| r.int("live").unwrap(),
    )[0];
    if live != 0 {
        return Err(format!("{live} claims still held after every visit ended"));
    }
    let next_seq: BTreeMap<String, i64> = ledger
        .rows("SELECT id, next_seq FROM terminal", |r| {
            (r.text("id").unwrap(), r.int("next_seq").unwrap())
        })
        .into_iter()
        .collect();
    for (t, store) in stores.iter().enumerate() {
        let store = store.lock().unwrap();
        let status = store.sync_status().unwrap();
        if status.pending != 0 {
            return Err(format!(
                "terminal {t}: {} events never acknowledged",
                status.pending
            ));
        }
        let head = store.outbox_head().unwrap() as i64;
        let id = &world.terminals[t].id;
        if next_seq.get(id) != Some(&(head + 1)) {
            return Err(format!(
                "terminal {t}: the ledger expects event {:?}, the outbox ends at {head}",
                next_seq.get(id)
            ));
        }
        if !store.verify_audit().unwrap().is_intact() {
            return Err(format!("terminal {t}: the audit chain is broken"));
        }
    }
    let reused = ledger.rows(
        "SELECT count(*) AS reused FROM event WHERE verdict LIKE '%sequence_reused%'",
        |r| r.int("reused").unwrap(),
    )[0];
    if reused != 0 {
        return Err("a terminal reused a sequence number".into());
    }
    check_cards(world, stores, model, &conflicts, &standing)
}

/// The cards: each one's state follows its issuance's at the ledger, the
/// issuer did what that asks, the terminal shows it; and nobody holds two
/// cards with money on them (or a card and an online payment) unless a
/// supervisor accepted the conflict between them.
fn check_cards(
    world: &World,
    stores: &[Mutex<Store>],
    model: &Reference,
    conflicts: &[(Vec<u8>, String, String, String)],
    standing: &BTreeMap<Vec<u8>, (String, Option<String>)>,
) -> Result<(), String> {
    let issuer = &model.issuer.books;
    if !issuer.violations.is_empty() && !model.restored {
        return Err(format!(
            "the card issuer was misled: {:?}",
            issuer.violations
        ));
    }
    let cards: BTreeMap<String, (String, String, i64)> = world.ledgers[0]
        .rows(
            "SELECT serial, state, issuer_state, amount_krw FROM card",
            |r| {
                (
                    r.text("serial").unwrap(),
                    (
                        r.text("state").unwrap(),
                        r.text("issuer_state").unwrap(),
                        r.int("amount_krw").unwrap(),
                    ),
                )
            },
        )
        .into_iter()
        .collect();
    let key = |p: usize| world.people[p].key.as_bytes().to_vec();
    let in_conflict = |p: usize, payment: &str, statuses: &[&str]| {
        conflicts.iter().any(|(k, _, other, status)| {
            *k == key(p) && other == payment && statuses.contains(&status.as_str())
        })
    };
    for h in &model.handed {
        let payment = counter_ref(&h.issuance_id);
        let held = h
            .people
            .iter()
            .any(|&p| in_conflict(p, &payment, &["open"]));
        let (state, issuer_state, activation) = match (h.voided, held) {
            (true, _) => (
                "blocked",
                "blocked",
                relief_protocol::CardActivation::Blocked,
            ),
            (false, true) => ("held", "none", relief_protocol::CardActivation::Held),
            (false, false) => (
                "to_activate",
                "active",
                relief_protocol::CardActivation::Active,
            ),
        };
        for serial in &h.cards {
            let Some((have, have_issuer, amount)) = cards.get(serial) else {
                return Err(format!(
                    "card {serial} of {} is unknown to the ledger",
                    h.issuance_id
                ));
            };
            if (have.as_str(), have_issuer.as_str()) != (state, issuer_state) {
                return Err(format!(
                    "card {serial} ({}voided, {}held): the ledger says {have}/{have_issuer}, expected {state}/{issuer_state}",
                    if h.voided { "" } else { "not " },
                    if held { "" } else { "not " },
                ));
            }
            let books = match state {
                "to_activate" => {
                    issuer.loaded.get(serial) == Some(&(*amount as u64)) && issuer.spendable(serial)
                }
                "blocked" => issuer.blocked.contains(serial),
                _ => !issuer.loaded.contains_key(serial) || model.restored,
            };
            if !books {
                return Err(format!(
                    "card {serial} is {state} at the ledger; the issuer's books: loaded {:?}, blocked {}",
                    issuer.loaded.get(serial),
                    issuer.blocked.contains(serial)
                ));
            }
            let shown = stores[h.terminal]
                .lock()
                .unwrap()
                .card_activation(serial)
                .unwrap();
            if shown != activation {
                return Err(format!(
                    "terminal {}: card {serial} shown as {shown:?}, the ledger says {activation:?}",
                    h.terminal
                ));
            }
        }
    }
    if model.restored {
        // A restore may take back what the issuer was already told.
        return Ok(());
    }
    // Money on a card is money paid: every person's cards with money are
    // their payment that stands and those a supervisor accepted beside it.
    for h in &model.handed {
        for serial in h.cards.iter().filter(|s| issuer.spendable(s)) {
            let payment = counter_ref(&h.issuance_id);
            for &p in &h.people {
                let stands =
                    standing.get(&key(p)).and_then(|(_, s)| s.as_deref()) == Some(payment.as_str());
                if !stands && !in_conflict(p, &payment, &["accepted"]) {
                    return Err(format!(
                        "person {p}: card {serial} has money on it, but {payment} neither stands nor was accepted"
                    ));
                }
            }
        }
    }
    Ok(())
}

fn deny_listed(store: &Mutex<Store>, key: &[u8]) -> bool {
    let key = relief_core::identity::BeneficiaryKey::from_bytes(key.try_into().unwrap());
    store.lock().unwrap().deny_entry(&key).unwrap().is_some()
}
