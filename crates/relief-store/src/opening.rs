//! Opening the encrypted store: a supervisor's PIN (or the recovery code)
//! opens their key slot, the slot gives the data key, the data key opens
//! the database. Clerks work under a store a supervisor opened.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use relief_core::identity::CampaignSecret;
use relief_core::policy::Policy;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use zeroize::Zeroizing;

use crate::audit::{self, Action};
use crate::clerk::{LOCKOUT_AFTER, SUPERVISOR_PIN_DIGITS};
use crate::error::{Error, Result};
use crate::keys::{DataKey, Holder, KeyFile, RecoveryCode, key_file_path};
use crate::{Store, encrypt, schema, terminal, time};

/// What opens the store.
pub enum Unlock<'a> {
    /// A supervisor's PIN opens their key slot.
    Supervisor { employee_id: &'a str, pin: &'a str },
    /// The key of a store this process has open, to open it again (after a
    /// restore, or a copy of it in a test).
    Key(&'a DataKey),
}

/// Where an open store's key slots are and the key they hold.
pub(crate) struct Keys {
    pub(crate) file: PathBuf,
    pub(crate) key: DataKey,
}

impl Store {
    /// Opens an initialised store, applying pending migrations. A store
    /// written before encryption is encrypted first, when a supervisor
    /// opens it ([`Store::fresh_recovery_code`] then holds its new code).
    pub fn open(path: &Path, unlock: Unlock<'_>, at: NaiveDateTime) -> Result<Store> {
        if found_plain(path)? {
            return match unlock {
                Unlock::Supervisor { employee_id, pin } => {
                    let (mut store, code) = encrypt::encrypt(path, employee_id, pin, None, at)?;
                    store.fresh_recovery_code = Some(code);
                    Ok(store)
                }
                Unlock::Key(_) => Err(Error::NotEncrypted),
            };
        }
        let file = key_file_path(path);
        let key = match unlock {
            Unlock::Key(key) => key.clone(),
            Unlock::Supervisor { employee_id, pin } => {
                let holder = Holder::supervisor(employee_id.trim());
                unseal(&file, &holder, pin.as_bytes(), at)?
            }
        };
        let mut store = Store::open_with(path, file, key)?;
        store.record_failed_opens()?;
        Ok(store)
    }

    /// Opens the store for a supervisor who sets a new PIN as they sign in
    /// ([`Store::change_supervisor_pin`]). A store from before encryption
    /// is encrypted under the new PIN: the way its supervisors, whose PINs
    /// may be too short to seal a key under, move to this version.
    pub fn open_with_new_pin(
        path: &Path,
        employee_id: &str,
        pin: &str,
        new_pin: &str,
        at: NaiveDateTime,
    ) -> Result<Store> {
        if found_plain(path)? {
            let (mut store, code) = encrypt::encrypt(path, employee_id, pin, Some(new_pin), at)?;
            store.fresh_recovery_code = Some(code);
            return Ok(store);
        }
        let mut store = Store::open(path, Unlock::Supervisor { employee_id, pin }, at)?;
        store.change_supervisor_pin(employee_id, pin, new_pin, at)?;
        Ok(store)
    }

    /// Whether the store at `path` is a demo terminal's, read before it is
    /// open (from the key file; from the file itself for a store not yet
    /// encrypted): the window's clock. Checked against the store once open.
    pub fn is_demo(path: &Path) -> Result<bool> {
        if found_plain(path)? {
            let conn = rusqlite::Connection::open(path)?;
            let demo = terminal::load_site(&conn)
                .ok()
                .flatten()
                .is_some_and(|site| site.demo);
            return Ok(demo);
        }
        Ok(KeyFile::read(&key_file_path(path))?.demo)
    }

    /// Opens the store with the recovery code, for a supervisor who forgot
    /// their PIN: sets their new PIN (and slot), and replaces the used
    /// code with a new one, returned to be printed.
    pub fn recover(
        path: &Path,
        code: &str,
        employee_id: &str,
        new_pin: &str,
        at: NaiveDateTime,
    ) -> Result<(Store, RecoveryCode)> {
        let code = RecoveryCode::parse(code).ok_or(Error::BadRecoveryCode)?;
        let file = key_file_path(path);
        let key = unseal(&file, &Holder::Recovery, code.secret(), at).map_err(|e| match e {
            Error::BadCredentials => Error::BadRecoveryCode,
            other => other,
        })?;
        let mut store = Store::open_with(path, file, key)?;
        store.record_failed_opens()?;
        store.reset_supervisor_pin(employee_id, new_pin, at)?;
        let fresh = store.reissue_recovery_code()?;
        Ok((store, fresh))
    }

    /// Opens the database under `key`, reading the terminal's profile.
    pub(crate) fn open_with(path: &Path, file: PathBuf, key: DataKey) -> Result<Store> {
        let conn = schema::open(path, Some(&key))?;
        let (site, policy, secret) = read_profile(&conn)?;
        Ok(Store {
            conn,
            site,
            policy,
            secret,
            keys: Keys { file, key },
            fresh_recovery_code: None,
        })
    }

    /// The data key of this open store, to open it again in this process
    /// ([`Unlock::Key`]). Never written anywhere.
    pub fn data_key(&self) -> &DataKey {
        &self.keys.key
    }

    /// A recovery code made by this opening (when it encrypted a store
    /// written before encryption), to be printed once; taken, it is gone.
    pub fn fresh_recovery_code(&mut self) -> Option<RecoveryCode> {
        self.fresh_recovery_code.take()
    }

    pub(crate) fn key_file(&self) -> Result<KeyFile> {
        KeyFile::read(&self.keys.file)
    }

    /// Seals the data key for a supervisor under their PIN.
    pub(crate) fn seal_slot(&self, employee_id: &str, pin: &str) -> Result<()> {
        let mut file = self.key_file()?;
        file.seal(
            Holder::supervisor(employee_id),
            &self.keys.key,
            pin.as_bytes(),
        )?;
        file.write(&self.keys.file)
    }

    /// Seals a slot for a supervisor who has none, when their PIN is long
    /// enough to seal under (a store encrypted from an older one starts
    /// with the encrypting supervisor's slot only).
    pub(crate) fn seal_slot_if_missing(&self, employee_id: &str, pin: &str) -> Result<()> {
        if !SUPERVISOR_PIN_DIGITS.contains(&pin.len()) {
            return Ok(());
        }
        if self.key_file()?.holds(&Holder::supervisor(employee_id)) {
            return Ok(());
        }
        self.seal_slot(employee_id, pin)
    }

    pub(crate) fn remove_slot(&self, employee_id: &str) -> Result<()> {
        let mut file = self.key_file()?;
        file.remove(&Holder::supervisor(employee_id));
        file.write(&self.keys.file)
    }

    /// A new recovery code in place of the old one.
    pub(crate) fn reissue_recovery_code(&self) -> Result<RecoveryCode> {
        let code = RecoveryCode::generate();
        let mut file = self.key_file()?;
        file.seal(Holder::Recovery, &self.keys.key, code.secret())?;
        file.write(&self.keys.file)?;
        Ok(code)
    }

    /// Copies the attempts that failed before the store was open into its
    /// sign-in record, where they count and are audited like any other.
    fn record_failed_opens(&mut self) -> Result<()> {
        let mut file = self.key_file()?;
        let failed = file.take_failed_opens();
        if failed.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for attempt in &failed {
            tx.execute(
                "INSERT INTO sign_in_attempt (employee_id, at, success) VALUES (?1, ?2, 0)",
                params![attempt.name, time::format(attempt.at)],
            )?;
            audit::append(
                &tx,
                attempt.at,
                None,
                Action::SignInFailed,
                &attempt.name,
                "{}",
            )?;
        }
        tx.commit()?;
        file.write(&self.keys.file)
    }
}

/// Whether the store at `path` is one written before encryption, once an
/// interrupted encryption has been put back; refused when there is none.
fn found_plain(path: &Path) -> Result<bool> {
    if std::fs::metadata(path)
        .map(|m| m.len() == 0)
        .unwrap_or(true)
    {
        return Err(Error::NotInitialized);
    }
    encrypt::finish_interrupted(path)?;
    schema::is_plain(path)
}

/// The data key from `holder`'s slot, or the refusal: locked out, or a
/// wrong secret (recorded in the key file, toward the lockout).
fn unseal(file: &Path, holder: &Holder, secret: &[u8], at: NaiveDateTime) -> Result<DataKey> {
    let mut keys = KeyFile::read(file)?;
    if let Some(until) = keys.locked_until(holder, at) {
        return Err(Error::LockedOut {
            failures: LOCKOUT_AFTER,
            until,
        });
    }
    match keys.open(holder, secret, at)? {
        Some(key) => Ok(key),
        None => {
            keys.write(file)?;
            Err(Error::BadCredentials)
        }
    }
}

pub(crate) fn read_profile(
    conn: &rusqlite::Connection,
) -> Result<(terminal::SiteProfile, Policy, CampaignSecret)> {
    let site = terminal::load_site(conn)?.ok_or(Error::NotInitialized)?;
    let (file, text): (String, String) = conn.query_row(
        "SELECT file_name, content FROM campaign_policy ORDER BY id DESC LIMIT 1",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let policy = Policy::from_toml(&file, &text)?;
    let secret: Option<Vec<u8>> = conn
        .query_row(
            "SELECT secret FROM campaign_secret WHERE campaign_id = ?1",
            [&policy.campaign.id],
            |row| row.get(0),
        )
        .optional()?;
    let purged: bool = conn.query_row("SELECT count(*) > 0 FROM purge", [], |r| r.get(0))?;
    let secret = match secret.map(Zeroizing::new) {
        Some(secret) => CampaignSecret::from_bytes(secret.to_vec())
            .map_err(|e| Error::Corrupt(e.to_string()))?,
        // Purged with the personal data: a throwaway secret, whose keys
        // match no one's.
        None if purged => crate::generate_secret(),
        None => return Err(Error::Corrupt("캠페인 비밀키가 없습니다".into())),
    };
    Ok((site, policy, secret))
}

#[cfg(feature = "bench-plain")]
impl Store {
    /// An unencrypted copy of a new store, for the benchmark that measures
    /// what encryption costs. Never in a program: see the `bench-plain`
    /// feature.
    #[doc(hidden)]
    pub fn init_unencrypted_for_benchmark(
        path: &Path,
        setup: crate::TerminalSetup,
        at: NaiveDateTime,
    ) -> Result<Store> {
        let encrypted = encrypt::sibling(path, "encrypted");
        let (store, _) = Store::init(&encrypted, setup, at)?;
        store.conn.execute(
            "ATTACH DATABASE ?1 AS plain KEY ''",
            [path.to_string_lossy()],
        )?;
        store
            .conn
            .query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(()))?;
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        store
            .conn
            .pragma_update(Some("plain"), "user_version", version)?;
        store.conn.execute("DETACH DATABASE plain", [])?;
        let Keys { file, key } = store.keys;
        drop(store.conn);
        let conn = schema::open(path, None)?;
        let (site, policy, secret) = read_profile(&conn)?;
        Ok(Store {
            conn,
            site,
            policy,
            secret,
            keys: Keys { file, key },
            fresh_recovery_code: None,
        })
    }
}
