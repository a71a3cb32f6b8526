//! A card carries money only once the ledger says so. Each card's state
//! is worked out from the issuances that carried it ([`worked_out`]), in
//! the transaction that changed one of them, and the card issuer is told
//! what to do ([`instruction`]); what the issuer confirmed is kept beside
//! it. The README's tables ("A card's activation") say the same in a
//! supervisor's words.

mod refresh;
mod state;

pub use refresh::{new_cards, refresh};
pub use state::{CardState, IssuerState, activation, instruction, worked_out};
