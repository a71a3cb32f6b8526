//! `relief clerk add|list|remove|pin`.

use std::path::Path;

use relief_store::{NewClerk, Store};

use super::answer;
use crate::cli::{Actor, ClerkAddArgs, ClerkCommand};
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
        ClerkCommand::Pin(args) => change_pin(dir, &args.actor, json),
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

fn change_pin(dir: Option<&Path>, actor: &Actor, json: bool) -> Result<(), CliError> {
    let mut input = Input::default();
    let pin = input.secret("RELIEF_PIN", "지금 PIN")?;
    let new_pin = input.secret("RELIEF_NEW_PIN", "새 PIN")?;
    let (pin, new_pin) = (pin.trim(), new_pin.trim());
    // Opened by another supervisor: the way for one who has no key slot yet.
    let mut store = if std::env::var_os("RELIEF_OPENER").is_some() {
        let mut store = terminal::open(dir, actor.at)?;
        let at = terminal::now(&store, actor.at)?;
        store.change_supervisor_pin(&actor.clerk, pin, new_pin, at)?;
        store
    } else {
        let path = terminal::store_path(dir)?;
        // The change is made as the store opens: a production terminal's
        // clock is refused before, not after.
        if actor.at.is_some() && !Store::is_demo(&path)? {
            return Err(relief_store::Error::ClockNotSettable.into());
        }
        let at = actor
            .at
            .unwrap_or_else(|| chrono::Local::now().naive_local());
        Store::open_with_new_pin(&path, &actor.clerk, pin, new_pin, at)?
    };
    terminal::announce_recovery_code(&mut store);
    let who = actor.clerk.trim();
    answer(json, &serde_json::json!({ "pin_changed": who }), || {
        format!("{who}의 PIN을 바꾸었습니다. 보관함 열쇠도 새 PIN으로 잠갔습니다.")
    })
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
