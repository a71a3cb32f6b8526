//! Clerks and supervisors: who they are, their PINs (argon2id), sign-in with
//! lockout after repeated failures, every attempt audited.

use std::ops::RangeInclusive;
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{Duration, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::{Store, snapshot, time};

/// A PIN is 6 to 12 digits: with argon2id, guessing a 6-digit PIN offline
/// takes hours per clerk instead of seconds.
pub const PIN_DIGITS: RangeInclusive<usize> = 6..=12;
/// A supervisor's PIN also seals the store's data key (their key slot), and
/// a stolen key file can be guessed at without end: 8 digits at least.
pub const SUPERVISOR_PIN_DIGITS: RangeInclusive<usize> = 8..=12;
/// Consecutive failures that lock a clerk out...
pub const LOCKOUT_AFTER: u32 = 5;
/// ...for this long after the last of them.
pub const LOCKOUT_MINUTES: i64 = 15;

relief_core::closed_set! {
    /// What a clerk may do: a supervisor also approves, voids, settles
    /// conflicts and adds clerks.
    pub enum Role as "역할" {
        Clerk => "담당자",
        Supervisor => "감독자",
    }
}

/// Proof that a clerk signed in on this store. Only [`Store::sign_in`]
/// makes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    employee_id: String,
    name: String,
    role: Role,
}

impl Session {
    pub fn employee_id(&self) -> &str {
        &self.employee_id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub(crate) fn require_supervisor(&self) -> Result<()> {
        match self.role {
            Role::Supervisor => Ok(()),
            Role::Clerk => Err(Error::SupervisorRequired),
        }
    }
}

pub struct NewClerk {
    pub employee_id: String,
    pub name: String,
    pub role: Role,
    pub pin: Zeroizing<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClerkInfo {
    pub employee_id: String,
    pub name: String,
    pub role: Role,
    pub added_at: NaiveDateTime,
}

fn hash_pin(pin: &str) -> Result<String> {
    let salt = SaltString::generate(&mut password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Corrupt(format!("PIN 해시를 만들 수 없습니다: {e}")))
}

pub(crate) fn pin_is_digits(pin: &str, digits: &RangeInclusive<usize>) -> bool {
    digits.contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

fn pin_matches(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifying against this when the employee id is unknown takes as long as
/// a real check, so timing does not tell which ids exist.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_pin("000000").expect("hashing a constant works"))
}

impl Store {
    /// Adds a clerk. The very first must be a supervisor and needs no
    /// session; every later one needs a supervisor's.
    pub fn add_clerk(
        &mut self,
        by: Option<&Session>,
        new: NewClerk,
        at: NaiveDateTime,
    ) -> Result<ClerkInfo> {
        let employee_id = new.employee_id.trim().to_owned();
        let name = new.name.trim().to_owned();
        if employee_id.is_empty() {
            return Err(Error::Missing {
                field: "직원 번호"
            });
        }
        if name.is_empty() {
            return Err(Error::Missing { field: "이름" });
        }
        if !pin_is_digits(&new.pin, &PIN_DIGITS) {
            return Err(Error::WeakPin);
        }
        if new.role == Role::Supervisor && !pin_is_digits(&new.pin, &SUPERVISOR_PIN_DIGITS) {
            return Err(Error::WeakSupervisorPin);
        }
        match by {
            Some(session) => session.require_supervisor()?,
            None => {
                let clerks: i64 = self
                    .conn
                    .query_row("SELECT count(*) FROM clerk", [], |r| r.get(0))?;
                if clerks > 0 {
                    return Err(Error::SupervisorRequired);
                }
                if new.role != Role::Supervisor {
                    return Err(Error::FirstClerkMustBeSupervisor);
                }
            }
        }
        let pin_hash = hash_pin(&new.pin)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: bool = tx.query_row(
            "SELECT count(*) > 0 FROM clerk WHERE employee_id = ?1",
            [&employee_id],
            |r| r.get(0),
        )?;
        if exists {
            return Err(Error::ClerkExists(employee_id));
        }
        tx.execute(
            "INSERT INTO clerk (employee_id, name, role, pin_hash, added_at, added_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![employee_id, name, new.role.code(), pin_hash, time::format(at), by.map(Session::employee_id)],
        )?;
        let content = snapshot::clerk(&tx, &employee_id)?;
        audit::append(
            &tx,
            at,
            by.map(Session::employee_id),
            Action::ClerkAdded,
            &employee_id,
            &content,
        )?;
        tx.commit()?;
        if new.role == Role::Supervisor {
            // After the commit: a power cut between the two leaves a
            // supervisor without a slot, sealed at their next sign-in.
            self.seal_slot(&employee_id, &new.pin)?;
        }
        Ok(ClerkInfo {
            employee_id,
            name,
            role: new.role,
            added_at: at,
        })
    }

    /// Checks a PIN. Every attempt, right or wrong, is recorded and audited.
    /// A supervisor without a key slot (one added before the store was
    /// encrypted) gets one now, if their PIN is long enough to seal under.
    pub fn sign_in(&mut self, employee_id: &str, pin: &str, at: NaiveDateTime) -> Result<Session> {
        let session = check_sign_in(&mut self.conn, employee_id, pin, at)?;
        if session.role == Role::Supervisor {
            self.seal_slot_if_missing(&session.employee_id, pin)?;
        }
        Ok(session)
    }

    /// Removes a clerk: they can no longer sign in, and a supervisor's key
    /// slot goes with them. Their name stays on what they did.
    pub fn remove_clerk(
        &mut self,
        by: &Session,
        employee_id: &str,
        at: NaiveDateTime,
    ) -> Result<()> {
        by.require_supervisor()?;
        let employee_id = employee_id.trim();
        if employee_id == by.employee_id {
            return Err(Error::CannotRemoveSelf);
        }
        let role: Role = self
            .conn
            .query_row(
                "SELECT role FROM clerk WHERE employee_id = ?1 AND employee_id NOT IN (SELECT employee_id FROM clerk_removal)",
                [employee_id],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .ok_or_else(|| Error::UnknownClerk(employee_id.to_owned()))?
            .parse()?;
        if role == Role::Supervisor {
            let keys = self.key_file()?;
            if keys
                .supervisors_with_slots()
                .all(|holder| holder == employee_id)
            {
                return Err(Error::LastKeyHolder);
            }
            // The slot first: a power cut between the two leaves a
            // supervisor who can sign in under an open store but no longer
            // open it, never the other way round.
            self.remove_slot(employee_id)?;
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO clerk_removal (employee_id, removed_at, removed_by) VALUES (?1, ?2, ?3)",
            params![employee_id, time::format(at), by.employee_id],
        )?;
        let content = snapshot::clerk_removal(&tx, employee_id)?;
        audit::append(
            &tx,
            at,
            Some(&by.employee_id),
            Action::ClerkRemoved,
            employee_id,
            &content,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets a supervisor's new PIN after the recovery code opened the store.
    pub(crate) fn reset_supervisor_pin(
        &mut self,
        employee_id: &str,
        new_pin: &str,
        at: NaiveDateTime,
    ) -> Result<()> {
        let employee_id = employee_id.trim();
        let role: Option<String> = self
            .conn
            .query_row(
                "SELECT role FROM clerk WHERE employee_id = ?1 AND employee_id NOT IN (SELECT employee_id FROM clerk_removal)",
                [employee_id],
                |r| r.get(0),
            )
            .optional()?;
        match role.as_deref().map(str::parse::<Role>).transpose()? {
            Some(Role::Supervisor) => {}
            Some(Role::Clerk) => return Err(Error::SupervisorRequired),
            None => return Err(Error::UnknownClerk(employee_id.to_owned())),
        }
        if !pin_is_digits(new_pin, &SUPERVISOR_PIN_DIGITS) {
            return Err(Error::WeakSupervisorPin);
        }
        set_pin(&mut self.conn, employee_id, new_pin, at)?;
        self.seal_slot(employee_id, new_pin)
    }

    /// A supervisor changes their own PIN, proving the old one, and their
    /// key slot is sealed under the new one: the way in for a supervisor
    /// whose PIN is too short to seal a key under (set before the store was
    /// encrypted). Audited as any PIN change.
    pub fn change_supervisor_pin(
        &mut self,
        employee_id: &str,
        pin: &str,
        new_pin: &str,
        at: NaiveDateTime,
    ) -> Result<Session> {
        if !pin_is_digits(new_pin, &SUPERVISOR_PIN_DIGITS) {
            return Err(Error::WeakSupervisorPin);
        }
        let session = check_sign_in(&mut self.conn, employee_id, pin, at)?;
        session.require_supervisor()?;
        self.reset_supervisor_pin(&session.employee_id, new_pin, at)?;
        Ok(session)
    }

    pub fn clerks(&self) -> Result<Vec<ClerkInfo>> {
        let mut statement = self
            .conn
            .prepare("SELECT employee_id, name, role, added_at FROM clerk WHERE employee_id NOT IN (SELECT employee_id FROM clerk_removal) ORDER BY employee_id")?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (employee_id, name, role, added_at) = row?;
            Ok(ClerkInfo {
                employee_id,
                name,
                role: role.parse()?,
                added_at: time::parse(&added_at)?,
            })
        })
        .collect()
    }
}

/// Checks a PIN against the clerk's record (a removed clerk is no one),
/// recording and auditing the attempt, right or wrong.
pub(crate) fn check_sign_in(
    conn: &mut Connection,
    employee_id: &str,
    pin: &str,
    at: NaiveDateTime,
) -> Result<Session> {
    let employee_id = employee_id.trim();
    let clerk: Option<(String, String, String)> = conn
        .query_row(
            "SELECT name, role, pin_hash FROM clerk WHERE employee_id = ?1 AND employee_id NOT IN (SELECT employee_id FROM clerk_removal)",
            [employee_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some(until) = locked_until(conn, employee_id, at)? {
        return Err(Error::LockedOut {
            failures: LOCKOUT_AFTER,
            until,
        });
    }
    let stored = clerk
        .as_ref()
        .map_or(decoy_hash(), |(_, _, hash)| hash.as_str());
    let success = pin_matches(pin, stored) && clerk.is_some();

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO sign_in_attempt (employee_id, at, success) VALUES (?1, ?2, ?3)",
        params![employee_id, time::format(at), success],
    )?;
    let action = if success {
        Action::SignIn
    } else {
        Action::SignInFailed
    };
    audit::append(
        &tx,
        at,
        success.then_some(employee_id),
        action,
        employee_id,
        "{}",
    )?;
    tx.commit()?;

    match clerk {
        Some((name, role, _)) if success => Ok(Session {
            employee_id: employee_id.to_owned(),
            name,
            role: role.parse()?,
        }),
        _ => Err(Error::BadCredentials),
    }
}

/// Replaces a clerk's PIN hash, audited.
pub(crate) fn set_pin(
    conn: &mut Connection,
    employee_id: &str,
    new_pin: &str,
    at: NaiveDateTime,
) -> Result<()> {
    let pin_hash = hash_pin(new_pin)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE clerk SET pin_hash = ?2 WHERE employee_id = ?1",
        params![employee_id, pin_hash],
    )?;
    audit::append(&tx, at, None, Action::PinReset, employee_id, "{}")?;
    tx.commit()?;
    Ok(())
}

/// When the clerk's lockout ends, if they are locked out at `at`.
fn locked_until(
    conn: &Connection,
    employee_id: &str,
    at: NaiveDateTime,
) -> Result<Option<NaiveDateTime>> {
    let mut statement = conn.prepare_cached(
        "SELECT at, success FROM sign_in_attempt WHERE employee_id = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let recent: Vec<(String, bool)> = statement
        .query_map(params![employee_id, LOCKOUT_AFTER], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let consecutive_failures = recent.iter().take_while(|(_, success)| !success).count();
    if consecutive_failures < LOCKOUT_AFTER as usize {
        return Ok(None);
    }
    let last_failure = time::parse(&recent[0].0)?;
    let until = last_failure + Duration::minutes(LOCKOUT_MINUTES);
    Ok((at < until).then_some(until))
}
