//! The simulated card issuer's books (`relief_system_tests::issuer`),
//! reached through the model's switch: it reads a page of the activation
//! feed, does it and confirms; a confirmation lost on the way is sent
//! again. It passes over the feed from the start each round (what it
//! confirmed drops out), so a ledger restored from an earlier copy loses
//! it nothing.

use relief_protocol::{Ack, AckRequest, AckResponse, ActivationPage};
use relief_system_tests::issuer::IssuerBooks;

use crate::world::{Fault, World};

/// How many instructions one read asks for: small, so that sequences
/// page.
const PAGE: u32 = 3;

#[derive(Debug, Default)]
pub struct SimIssuer {
    pub books: IssuerBooks,
    /// Confirmations not yet known to have reached the ledger.
    unsent: Vec<Ack>,
    cursor: u64,
}

impl SimIssuer {
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
        for instruction in &page.instructions {
            let ack = self.books.carry_out(instruction);
            self.unsent.push(ack);
        }
        // A pass ends where the feed does; the next starts over.
        self.cursor = if page.more { page.next_cursor } else { 0 };
        if restart_between {
            world.restart();
        }
        self.send_acks(world, ack_fault);
        !page.instructions.is_empty()
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
        self.books.answered(&request.acks, &response.results);
        self.unsent.clear();
    }

    /// Rounds without faults until a whole pass brings nothing: one read
    /// from the start that finds the feed empty. (A read from the middle
    /// of a pass that finds nothing proves nothing: a ledger restored from
    /// an earlier copy numbers its instructions again, below the cursor.)
    pub fn drain(&mut self, world: &mut World) -> Result<(), String> {
        for _ in 0..200 {
            let from_start = self.cursor == 0;
            let worked = self.round(world, None, None, false);
            if from_start && !worked && self.cursor == 0 && self.unsent.is_empty() {
                return Ok(());
            }
        }
        Err("the card issuer's feed never ran dry".into())
    }
}
