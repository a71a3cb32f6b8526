//! `relief clerk add|list`.

use std::path::Path;

use relief_store::NewClerk;

use super::answer;
use crate::cli::{ClerkAddArgs, ClerkCommand};
use crate::error::CliError;
use crate::terminal::{self, Input};

pub fn run(dir: Option<&Path>, command: ClerkCommand, json: bool) -> Result<(), CliError> {
    match command {
        ClerkCommand::Add(args) => add(dir, args, json),
        ClerkCommand::Remove(args) => {
            let (mut store, who, at) = terminal::open_as(dir, &args.actor)?;
            store.remove_clerk(&who, &args.employee_id, at)?;
            let removed = args.employee_id.trim();
            answer(json, &serde_json::json!({ "removed": removed }), || {
                format!(
                    "직원 삭제: {removed} (로그인할 수 없고, 감독자였다면 보관함 열쇠도 지웠습니다)"
                )
            })
        }
        ClerkCommand::List(args) => {
            let (store, _, _) = terminal::open_as(dir, &args.actor)?;
            let clerks = store.clerks()?;
            answer(json, &clerks, || {
                clerks
                    .iter()
                    .map(|c| format!("{}\t{}\t{}", c.employee_id, c.name, c.role.label()))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}

fn add(dir: Option<&Path>, args: ClerkAddArgs, json: bool) -> Result<(), CliError> {
    let mut store = terminal::open(dir, args.at)?;
    let at = terminal::now(&store, args.at)?;
    let mut input = Input::default();
    let session = match &args.clerk {
        Some(actor) => Some(terminal::sign_in(
            &mut store,
            &mut input,
            actor,
            "RELIEF_PIN",
            at,
        )?),
        None => None,
    };
    let pin = input.secret("RELIEF_NEW_PIN", "새 직원의 PIN")?;
    let role = args.role;
    let added = store.add_clerk(
        session.as_ref(),
        NewClerk {
            employee_id: args.employee_id,
            name: args.name,
            role,
            pin: zeroize::Zeroizing::new(pin.trim().to_owned()),
        },
        at,
    )?;
    answer(json, &added, || {
        format!(
            "직원 등록: {} {} ({})",
            added.employee_id,
            added.name,
            added.role.label()
        )
    })
}
