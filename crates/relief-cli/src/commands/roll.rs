//! `relief roll status`, `relief roll household`.

use std::path::Path;

use relief_core::identity::IdentityNumber;
use relief_store::{RollPerson, Store};
use serde::Serialize;

use super::answer;
use crate::cli::{ActorOnly, RollCommand};
use crate::error::CliError;
use crate::terminal::{self, Input};

pub fn run(dir: Option<&Path>, command: RollCommand, json: bool) -> Result<(), CliError> {
    match command {
        RollCommand::Status(args) => status(dir, args, json),
        RollCommand::Household(args) => household(dir, args, json),
    }
}

#[derive(Serialize)]
struct Status {
    #[serde(flatten)]
    copy: relief_store::RollCopy,
    people: u64,
}

fn status(dir: Option<&Path>, args: ActorOnly, json: bool) -> Result<(), CliError> {
    let (store, _, _) = terminal::open_as(dir, &args.actor)?;
    let status = Status {
        copy: store.roll_copy()?,
        people: store.roll_size()?,
    };
    answer(json, &status, || {
        let held = match status.copy.version {
            0 => "주민 명부 없음".to_owned(),
            v => format!("주민 명부 버전 {v}, {}명", status.people),
        };
        match &status.copy.download {
            Some(d) => format!(
                "{held}; 버전 {} 받는 중 ({}{}명)",
                d.target,
                d.received,
                d.expected.map(|n| format!("/{n}")).unwrap_or_default()
            ),
            None => held,
        }
    })
}

#[derive(Serialize)]
struct Household {
    /// The applicant's place in the list below (from 1).
    applicant: usize,
    members: Vec<RollPerson>,
}

fn household(dir: Option<&Path>, args: ActorOnly, json: bool) -> Result<(), CliError> {
    let mut input = Input::default();
    let mut store = terminal::open_for(dir, &args.actor, &mut input)?;
    let at = terminal::now(&store, args.actor.at)?;
    terminal::sign_in(&mut store, &mut input, &args.actor.clerk, "RELIEF_PIN", at)?;
    let id = IdentityNumber::parse(&input.line("주민등록번호")?)?;
    let found =
        of(&store, &id)?.ok_or_else(|| CliError::Input("주민 명부에 없는 사람입니다".into()))?;
    answer(json, &found, || {
        found
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                format!(
                    "{}{}. {}  만 {}세  {}  {}{}",
                    if i + 1 == found.applicant { "*" } else { " " },
                    i + 1,
                    m.masked,
                    m.masked.age_on(at.date()),
                    m.eupmyeondong,
                    m.status.label(),
                    if m.here {
                        ""
                    } else {
                        " (다른 시군으로 전입)"
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn of(store: &Store, id: &IdentityNumber) -> Result<Option<Household>, CliError> {
    let key = store.beneficiary_key(id);
    let Some(person) = store.roll_person(&key)? else {
        return Ok(None);
    };
    let members = store.roll_household(person.household)?;
    let applicant = members
        .iter()
        .position(|m| m.key == key)
        .expect("the person is of their own household")
        + 1;
    Ok(Some(Household { applicant, members }))
}
