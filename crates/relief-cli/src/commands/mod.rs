pub mod audit;
pub mod check;
pub mod clerk;
pub mod close;
pub mod init;
pub mod issue;
pub mod list;
pub mod offline;
pub mod report;
pub mod roll;
pub mod stock;
pub mod sync;
pub mod void;

use serde::Serialize;

use crate::error::CliError;

/// Prints `value` as JSON, or `text` for a person.
pub fn answer(
    json: bool,
    value: &impl Serialize,
    text: impl FnOnce() -> String,
) -> Result<(), CliError> {
    if json {
        println!("{}", serde_json::to_string(value)?);
    } else {
        println!("{}", text());
    }
    Ok(())
}
