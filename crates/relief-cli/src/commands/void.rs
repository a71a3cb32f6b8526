//! `relief void`: a supervisor undoes an issuance.

use std::path::Path;

use super::answer;
use crate::cli::VoidArgs;
use crate::error::CliError;
use crate::terminal;

pub fn run(dir: Option<&Path>, args: VoidArgs, json: bool) -> Result<(), CliError> {
    let (mut store, who, at) = terminal::open_as(dir, &args.actor)?;
    let voided = store.void(&who, &args.issuance, &args.reason, args.card, at)?;
    answer(json, &voided, || {
        format!(
            "발급 취소: {} (카드 {}: {})",
            voided.issuance_id,
            voided.cards.join(", "),
            args.card.label()
        )
    })
}
