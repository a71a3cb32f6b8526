//! A simulated card issuer, as plain as the real one should be: it reads
//! the ledger's activation feed a page at a time, does what each
//! instruction says to its own books (load and activate, or block), and
//! confirms; a confirmation lost on the way is sent again. It passes over
//! the feed from the start each round (what it confirmed drops out), so a
//! ledger restored from an earlier copy loses it nothing.
//!
//! Its books are the truth about money: a loaded card that is not blocked
//! can be spent. It notes anything a correct ledger never asks of it.

use std::collections::{BTreeMap, BTreeSet};

use relief_protocol::{Ack, AckOutcome, AckRequest, AckResponse, ActivationPage, IssuerAction};

use crate::world::{Fault, World};

/// How many instructions one read asks for: small, so that sequences
/// page.
const PAGE: u32 = 3;

#[derive(Debug, Default)]
pub struct SimIssuer {
    /// Cards loaded and activated, with the amount loaded.
    pub loaded: BTreeMap<String, u64>,
    /// Cards blocked for good.
    pub blocked: BTreeSet<String>,
    /// Confirmations not yet known to have reached the ledger.
    unsent: Vec<Ack>,
    cursor: u64,
    /// What a correct ledger never asks, or answers.
    pub violations: Vec<String>,
}

impl SimIssuer {
    /// Loaded, activated and not blocked: money that can be spent.
    pub fn spendable(&self, serial: &str) -> bool {
        self.loaded.contains_key(serial) && !self.blocked.contains(serial)
    }

    /// One round: confirmations left over, one page read and done, the
    /// ledger restarted between the read and the confirmation if asked,
    /// the confirmations sent (meeting `ack_fault`). True when the page
    /// held anything.
    pub fn round(
        &mut self,
        world: &mut World,
        read_fault: Option<Fault>,
        ack_fault: Option<Fault>,
        restart_between: bool,
    ) -> bool {
        self.send_acks(world, None);
        if let Some(f) = read_fault {
            world.network.lock().unwrap().next.push(("/activations", f));
        }
        let (status, body) = world.issuer_request(
            "GET",
            &format!("/v1/activations?cursor={}&limit={PAGE}", self.cursor),
            Vec::new(),
        );
        *world.network.lock().unwrap() = Default::default();
        if !status.is_success() {
            return false;
        }
        let page: ActivationPage = serde_json::from_slice(&body).unwrap();
        let worked = !page.instructions.is_empty();
        for instruction in &page.instructions {
            let serial = &instruction.serial;
            match instruction.action {
                IssuerAction::Activate => {
                    let amount = instruction.amount_krw.unwrap_or(0);
                    if self.blocked.contains(serial) {
                        self.violations
                            .push(format!("{serial}: asked to activate a blocked card"));
                    }
                    if instruction.face_value_krw.is_some_and(|face| amount > face) {
                        self.violations.push(format!(
                            "{serial}: asked to load {amount}, above its face value"
                        ));
                    }
                    match self.loaded.get(serial) {
                        Some(&before) if before != amount => self.violations.push(format!(
                            "{serial}: loaded with {before}, asked again with {amount}"
                        )),
                        _ => {
                            self.loaded.insert(serial.clone(), amount);
                        }
                    }
                }
                IssuerAction::Block => {
                    self.blocked.insert(serial.clone());
                }
            }
            self.unsent.push(Ack {
                serial: serial.clone(),
                action: instruction.action,
                amount_krw: instruction.amount_krw,
            });
        }
        // A pass ends where the feed does; the next starts over.
        self.cursor = if page.more { page.next_cursor } else { 0 };
        if restart_between {
            world.restart();
        }
        self.send_acks(world, ack_fault);
        worked
    }

    fn send_acks(&mut self, world: &World, fault: Option<Fault>) {
        if self.unsent.is_empty() {
            return;
        }
        if let Some(f) = fault {
            world
                .network
                .lock()
                .unwrap()
                .next
                .push(("/activations/ack", f));
        }
        let request = AckRequest {
            acks: self.unsent.clone(),
        };
        let (status, body) = world.issuer_request(
            "POST",
            "/v1/activations/ack",
            serde_json::to_vec(&request).unwrap(),
        );
        *world.network.lock().unwrap() = Default::default();
        if !status.is_success() {
            return;
        }
        let response: AckResponse = serde_json::from_slice(&body).unwrap();
        if response.results.len() != request.acks.len() {
            self.violations.push(format!(
                "{} confirmations sent, {} answered",
                request.acks.len(),
                response.results.len()
            ));
        }
        for (ack, result) in request.acks.iter().zip(&response.results) {
            if let AckOutcome::Refused { reason, .. } = &result.outcome {
                // Loaded, then voided before the confirmation came: the
                // ledger asks for the block next. Anything else is wrong.
                let voided_meanwhile =
                    ack.action == IssuerAction::Activate && reason == "not_to_activate";
                if !voided_meanwhile || result.serial != ack.serial {
                    self.violations.push(format!(
                        "{}: the confirmation of {:?} was refused: {reason}",
                        ack.serial, ack.action
                    ));
                }
            }
        }
        self.unsent.clear();
    }

    /// Rounds without faults until a whole pass brings nothing.
    pub fn drain(&mut self, world: &mut World) -> Result<(), String> {
        for _ in 0..200 {
            let worked = self.round(world, None, None, false);
            if !worked && self.cursor == 0 && self.unsent.is_empty() {
                return Ok(());
            }
        }
        Err("the card issuer's feed never ran dry".into())
    }
}
