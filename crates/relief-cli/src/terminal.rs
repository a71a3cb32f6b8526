//! What the store commands share: where the store lives, standard input
//! (PINs and identity numbers arrive there, never as arguments), signing in
//! and the time of the counter.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use relief_store::{Session, Store, Unlock};

use crate::cli::Actor;
use zeroize::Zeroizing;

use crate::error::CliError;

pub const STORE_FILE: &str = "terminal.sqlite3";

/// `--data-dir`, or the platform's data directory for the program.
pub fn data_dir(given: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(dir) = given {
        return Ok(dir.to_owned());
    }
    directories::ProjectDirs::from("kr", "relief", "relief-counter")
        .map(|dirs| dirs.data_dir().to_owned())
        .ok_or(CliError::NoDataDir)
}

pub fn store_path(given: Option<&Path>) -> Result<PathBuf, CliError> {
    let dir = data_dir(given)?;
    std::fs::create_dir_all(&dir).map_err(|source| CliError::DataDir {
        path: dir.clone(),
        source,
    })?;
    Ok(dir.join(STORE_FILE))
}

/// Opens the store with the PIN of the supervisor named in `RELIEF_OPENER`
/// (`RELIEF_OPENER_PIN`): the store is encrypted, and only a supervisor's
/// PIN opens it. `at` is a demo terminal's time, as the command was given it.
pub fn open(given: Option<&Path>, at: Option<NaiveDateTime>) -> Result<Store, CliError> {
    let opener = std::env::var("RELIEF_OPENER").map_err(|_| CliError::NoOpener)?;
    let pin = Zeroizing::new(std::env::var("RELIEF_OPENER_PIN").map_err(|_| CliError::NoOpener)?);
    open_by(given, &opener, &pin, at)
}

/// Opens the store with `employee_id`'s PIN. A store written before
/// encryption is encrypted now; its new recovery code is printed once, on
/// standard error.
fn open_by(
    given: Option<&Path>,
    employee_id: &str,
    pin: &str,
    at: Option<NaiveDateTime>,
) -> Result<Store, CliError> {
    let unlock = Unlock::Supervisor {
        employee_id,
        pin: pin.trim(),
    };
    // The time failed attempts are counted at; a production terminal
    // refuses a given time once open (`now`).
    let at = at.unwrap_or_else(|| chrono::Local::now().naive_local());
    let mut store = Store::open(&store_path(given)?, unlock, at)?;
    announce_recovery_code(&mut store);
    Ok(store)
}

/// A store encrypted as it opened has a new recovery code: shown once,
/// on standard error.
pub fn announce_recovery_code(store: &mut Store) {
    if let Some(code) = store.fresh_recovery_code() {
        eprintln!(
            "보관함을 암호화했습니다. 복구 코드(한 번만 표시됩니다, 적어서 안전한 곳에 두세요): {}",
            code.to_printed().as_str()
        );
    }
}

/// Standard input, read once when first needed, consumed line by line.
/// The buffer is wiped when dropped: it may hold PINs and identity numbers.
#[derive(Default)]
pub struct Input {
    text: Option<Zeroizing<String>>,
    at: usize,
    /// Secrets already read, by their variable: the PIN that opened the
    /// store is the one the clerk then signs in with, not the next line.
    secrets: Vec<(String, Zeroizing<String>)>,
}

impl Input {
    fn text(&mut self) -> Result<&str, CliError> {
        if self.text.is_none() {
            let mut text = Zeroizing::new(String::new());
            std::io::stdin()
                .take(1 << 20)
                .read_to_string(&mut text)
                .map_err(CliError::Stdin)?;
            self.text = Some(text);
        }
        Ok(self.text.as_ref().expect("just read").as_str())
    }

    pub fn line(&mut self, what: &str) -> Result<Zeroizing<String>, CliError> {
        let start = self.at;
        let text = self.text()?;
        let rest = &text[start..];
        if rest.is_empty() {
            return Err(CliError::Input(format!(
                "표준 입력에 {what}이(가) 없습니다"
            )));
        }
        let (line, used) = match rest.find('\n') {
            Some(end) => (&rest[..end], end + 1),
            None => (rest, rest.len()),
        };
        let line = Zeroizing::new(line.trim_end_matches('\r').to_owned());
        self.at += used;
        Ok(line)
    }

    pub fn rest(&mut self) -> Result<Zeroizing<String>, CliError> {
        let start = self.at;
        let text = self.text()?;
        let rest = Zeroizing::new(text[start..].to_owned());
        self.at = text.len();
        Ok(rest)
    }

    /// A secret from the environment variable `env`, else the next line.
    pub fn secret(&mut self, env: &str, what: &str) -> Result<Zeroizing<String>, CliError> {
        if let Some((_, known)) = self.secrets.iter().find(|(name, _)| name == env) {
            return Ok(known.clone());
        }
        let value = match std::env::var(env) {
            Ok(value) => Zeroizing::new(value),
            Err(_) => self.line(what)?,
        };
        self.secrets.push((env.to_owned(), value.clone()));
        Ok(value)
    }
}

/// The counter's time: now, unless a demo terminal is told otherwise.
pub fn now(store: &Store, at: Option<NaiveDateTime>) -> Result<NaiveDateTime, CliError> {
    match at {
        None => Ok(chrono::Local::now().naive_local()),
        Some(at) if store.site().demo => Ok(at),
        Some(_) => Err(relief_store::Error::ClockNotSettable.into()),
    }
}

pub fn sign_in(
    store: &mut Store,
    input: &mut Input,
    employee_id: &str,
    env: &str,
    at: NaiveDateTime,
) -> Result<Session, CliError> {
    let pin = input.secret(env, "PIN")?;
    Ok(store.sign_in(employee_id, pin.trim(), at)?)
}

/// The store opened for `actor`: by `RELIEF_OPENER` when it is set, or
/// else by the actor's own PIN (`RELIEF_PIN` or the first line of standard
/// input), when they are a supervisor with a key slot.
pub fn open_for(dir: Option<&Path>, actor: &Actor, input: &mut Input) -> Result<Store, CliError> {
    match std::env::var("RELIEF_OPENER") {
        Ok(_) => open(dir, actor.at),
        Err(_) => {
            let pin = input.secret("RELIEF_PIN", "PIN")?;
            open_by(dir, &actor.clerk, &pin, actor.at)
        }
    }
}

/// How most commands begin: the store opened ([`open_for`]) and the acting
/// clerk signed in with `RELIEF_PIN` or the first line of standard input.
pub fn open_as(
    dir: Option<&Path>,
    actor: &Actor,
) -> Result<(Store, Session, NaiveDateTime), CliError> {
    let mut input = Input::default();
    let mut store = open_for(dir, actor, &mut input)?;
    let at = now(&store, actor.at)?;
    let who = sign_in(&mut store, &mut input, &actor.clerk, "RELIEF_PIN", at)?;
    Ok((store, who, at))
}
