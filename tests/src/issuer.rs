//! A simulated card issuer, as plain as a real one should be: it reads the
//! ledger's activation feed, does what each instruction says to its own
//! books (load and activate, or block for good), and confirms; a
//! confirmation lost on the way is sent again. Its books are the truth
//! about money: a card loaded and not blocked can be spent. It notes
//! anything a correct ledger never asks of it, or answers.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use relief_protocol::{Ack, AckOutcome, AckResult, ActivationPage, Instruction, IssuerAction};
use relief_sync::{Client, SyncError};

/// The issuer's books, whatever carries the feed to it.
#[derive(Debug, Default)]
pub struct IssuerBooks {
    /// Cards loaded and activated, with the amount loaded.
    pub loaded: BTreeMap<String, u64>,
    /// Cards blocked for good.
    pub blocked: BTreeSet<String>,
    /// Every activation carried out, repeats included: one per card when
    /// nothing is done twice.
    pub activations: Vec<String>,
    /// What a correct ledger never asks, or answers.
    pub violations: Vec<String>,
}

impl IssuerBooks {
    /// Loaded, activated and not blocked: money that can be spent.
    pub fn spendable(&self, serial: &str) -> bool {
        self.loaded.contains_key(serial) && !self.blocked.contains(serial)
    }

    /// Does what an instruction says; the confirmation to send. A card
    /// already loaded is not loaded again (the instruction read twice).
    pub fn carry_out(&mut self, instruction: &Instruction) -> Ack {
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
                    Some(_) => {}
                    None => {
                        self.loaded.insert(serial.clone(), amount);
                        self.activations.push(serial.clone());
                    }
                }
            }
            IssuerAction::Block => {
                self.blocked.insert(serial.clone());
            }
        }
        Ack {
            serial: serial.clone(),
            action: instruction.action,
            amount_krw: instruction.amount_krw,
        }
    }

    /// Reads the ledger's answers to confirmations sent.
    pub fn answered(&mut self, sent: &[Ack], results: &[AckResult]) {
        if results.len() != sent.len() {
            self.violations.push(format!(
                "{} confirmations sent, {} answered",
                sent.len(),
                results.len()
            ));
        }
        for (ack, result) in sent.iter().zip(results) {
            if result.serial != ack.serial {
                self.violations.push(format!(
                    "the answer for {} names {}",
                    ack.serial, result.serial
                ));
            }
            if let AckOutcome::Refused { reason, .. } = &result.outcome {
                // Loaded, then voided before the confirmation came: the
                // ledger asks for the block next. Anything else is wrong.
                let voided_meanwhile =
                    ack.action == IssuerAction::Activate && reason == "not_to_activate";
                if !voided_meanwhile {
                    self.violations.push(format!(
                        "{}: the confirmation of {:?} was refused: {reason}",
                        ack.serial, ack.action
                    ));
                }
            }
        }
    }
}

/// The issuer over HTTP, under its credential.
pub struct CardIssuer {
    client: Client,
    page: u32,
    pub books: IssuerBooks,
    unsent: Vec<Ack>,
    /// Every instruction read, repeats included.
    pub read: Vec<Instruction>,
}

impl CardIssuer {
    pub fn new(ledger_url: &str, token: &str, page: u32) -> CardIssuer {
        CardIssuer {
            client: Client::new(ledger_url, Some(token), Duration::from_secs(5)).unwrap(),
            page,
            books: IssuerBooks::default(),
            unsent: Vec::new(),
            read: Vec::new(),
        }
    }

    /// Reads one page after `cursor` and does it; the confirmations wait
    /// for [`CardIssuer::confirm`].
    pub async fn read_page(&mut self, cursor: u64) -> Result<ActivationPage, SyncError> {
        let page = self.client.activations(cursor, self.page).await?;
        for instruction in &page.instructions {
            let ack = self.books.carry_out(instruction);
            self.unsent.push(ack);
        }
        self.read.extend(page.instructions.iter().cloned());
        Ok(page)
    }

    /// Sends what waits; kept for the next try if the answer does not come.
    pub async fn confirm(&mut self) -> Result<(), SyncError> {
        if self.unsent.is_empty() {
            return Ok(());
        }
        let response = self.client.acknowledge(self.unsent.clone()).await?;
        let sent = std::mem::take(&mut self.unsent);
        self.books.answered(&sent, &response.results);
        Ok(())
    }

    /// Passes over the feed from the start until a pass finds nothing and
    /// every confirmation is in, trying again through failures (at most
    /// `tries` of them).
    pub async fn run_dry(&mut self, mut tries: u32) -> Result<(), String> {
        let mut fail = |e: SyncError| {
            tries = tries
                .checked_sub(1)
                .ok_or_else(|| format!("the card issuer gave up: {e}"))?;
            Ok::<_, String>(())
        };
        loop {
            if let Err(e) = self.confirm().await {
                fail(e)?;
                continue;
            }
            let mut cursor = 0;
            let mut found = false;
            loop {
                match self.read_page(cursor).await {
                    Ok(page) => {
                        found |= !page.instructions.is_empty();
                        if !page.more {
                            break;
                        }
                        cursor = page.next_cursor;
                    }
                    Err(e) => fail(e)?,
                }
                if let Err(e) = self.confirm().await {
                    fail(e)?;
                }
            }
            if let Err(e) = self.confirm().await {
                fail(e)?;
                continue;
            }
            if !found && self.unsent.is_empty() {
                return Ok(());
            }
        }
    }
}
