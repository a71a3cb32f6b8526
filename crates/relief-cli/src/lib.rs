//! `relief`: the counter's operations without a window, for scripts,
//! supervisors and tests. Each command translates arguments into calls on
//! the crates and their answers into text or `--json`; no rule lives here.

mod cli;
mod commands;
mod error;
mod terminal;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// Runs `relief` with the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let dir = cli.data_dir.as_deref();
    let outcome = match cli.command {
        Command::Check(args) => commands::check::run(dir, args, json),
        Command::Init(args) => commands::init::run(dir, args, json),
        Command::Recover(args) => commands::init::recover(dir, args, json),
        Command::Purge(args) => commands::audit::purge(dir, args, json),
        Command::Clerk(command) => commands::clerk::run(dir, command, json),
        Command::Stock(command) => commands::stock::run(dir, command, json),
        Command::Issue(args) => commands::issue::run(dir, args, json),
        Command::Offline(command) => commands::offline::run(dir, command, json),
        Command::Void(args) => commands::void::run(dir, args, json),
        Command::List(args) => commands::list::run(dir, args, json),
        Command::Audit(command) => commands::audit::run(dir, command, json),
        Command::Enroll(args) => commands::sync::enroll(dir, args, json),
        Command::Sync(args) => commands::sync::sync(dir, args, json),
        Command::Status(args) => commands::sync::status(dir, args, json),
        Command::Conflict(command) => commands::sync::conflict(dir, command, json),
        Command::Report(command) => commands::report::run(dir, command, json),
        Command::Roll(command) => commands::roll::run(dir, command, json),
        Command::Close(args) => commands::close::close(dir, args, json),
        Command::Reopen(args) => commands::close::reopen(dir, args, json),
        Command::Closes(args) => commands::close::show(dir, args, json),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if json {
                let mut value =
                    serde_json::json!({ "error": error.code(), "message": error.to_string() });
                if let Some(reason) = error.reason() {
                    value["reason"] = reason.into();
                }
                eprintln!("{value}");
            } else {
                eprintln!("relief: {error}");
            }
            error.exit_code()
        }
    }
}
