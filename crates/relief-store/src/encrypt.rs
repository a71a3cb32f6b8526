//! Encrypting a store written before encryption, in place, the first time
//! a supervisor opens it with this version.
//!
//! The plain file is kept as a backup until the encrypted copy has been
//! opened and found to hold every row and the same audit chain; only then
//! is it removed. A start that finds the backup still there knows the last
//! encryption did not finish, puts the backup back and begins again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::{Connection, TransactionBehavior, params};

use crate::audit::{self, Action, AuditReport};
use crate::clerk::{self, Role, SUPERVISOR_PIN_DIGITS};
use crate::error::{Error, Result};
use crate::keys::{DataKey, Holder, KeyFile, RecoveryCode, key_file_path};
use crate::{Store, schema, terminal};

/// `terminal.sqlite3` → `terminal.sqlite3.<what>`.
pub(crate) fn sibling(path: &Path, what: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(what);
    PathBuf::from(name)
}

fn backup_path(path: &Path) -> PathBuf {
    sibling(path, "plain-backup")
}

/// Removes a database file and its WAL and shared-memory files.
pub(crate) fn remove_database(path: &Path) -> Result<()> {
    for file in [path.to_owned(), wal(path), shm(path)] {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&file, e)),
        }
    }
    Ok(())
}

fn wal(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn shm(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-shm");
    PathBuf::from(name)
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Corrupt(format!("{}: {e}", path.display()))
}

/// Renames a closed database over `to`, durably.
pub(crate) fn move_into_place(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| io(to, e))?;
    let dir = to.parent().unwrap_or(Path::new("."));
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(dir, e))?;
    Ok(())
}

/// Puts back the plain store an interrupted encryption left as a backup.
pub(crate) fn finish_interrupted(path: &Path) -> Result<()> {
    let backup = backup_path(path);
    if !backup.exists() {
        return Ok(());
    }
    remove_database(path)?;
    remove_database(&sibling(path, "encrypting"))?;
    move_into_place(&backup, path)
}

/// What must survive the encryption unchanged: every table's row count
/// and the audit chain's verdict.
#[derive(Debug, PartialEq, Eq)]
struct Contents {
    rows: BTreeMap<String, i64>,
    audit: AuditReport,
}

fn contents(conn: &Connection) -> Result<Contents> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut rows = BTreeMap::new();
    for table in tables {
        let count: i64 = conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
            r.get(0)
        })?;
        rows.insert(table, count);
    }
    Ok(Contents {
        rows,
        audit: audit::verify(conn)?,
    })
}

/// Encrypts the plain store at `path` for the supervisor `employee_id`,
/// whose PIN (or `new_pin`, when theirs is too short to seal a key under)
/// seals the first slot. Returns the open store and its recovery code.
pub(crate) fn encrypt(
    path: &Path,
    employee_id: &str,
    pin: &str,
    new_pin: Option<&str>,
    at: NaiveDateTime,
) -> Result<(Store, RecoveryCode)> {
    let employee_id = employee_id.trim();
    let mut plain = schema::open(path, None)?;
    let site = terminal::load_site(&plain)?.ok_or(Error::NotInitialized)?;
    let session = clerk::check_sign_in(&mut plain, employee_id, pin, at)?;
    if session.role() != Role::Supervisor {
        return Err(Error::SupervisorRequired);
    }
    let sealing_pin = new_pin.unwrap_or(pin);
    if !SUPERVISOR_PIN_DIGITS.contains(&sealing_pin.len())
        || !sealing_pin.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Error::WeakSupervisorPin);
    }
    if let Some(new_pin) = new_pin {
        clerk::set_pin(&mut plain, employee_id, new_pin, at)?;
    }
    let before = contents(&plain)?;
    plain.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;

    let key = DataKey::generate();
    let making = sibling(path, "encrypting");
    remove_database(&making)?;
    plain.execute(
        "ATTACH DATABASE ?1 AS encrypted KEY ?2",
        params![making.to_string_lossy(), key.pragma_value().as_str()],
    )?;
    plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    let version: i64 = plain.pragma_query_value(None, "user_version", |r| r.get(0))?;
    plain.pragma_update(Some("encrypted"), "user_version", version)?;
    plain.execute("DETACH DATABASE encrypted", [])?;
    drop(plain);

    let code = RecoveryCode::generate();
    let mut keys = KeyFile::new(site.demo);
    keys.seal(
        Holder::supervisor(employee_id),
        &key,
        sealing_pin.as_bytes(),
    )?;
    keys.seal(Holder::Recovery, &key, code.secret())?;
    let file = key_file_path(path);
    keys.write(&file)?;

    let backup = backup_path(path);
    move_into_place(path, &backup)?;
    // The checkpoint emptied the WAL; a stale one must not meet the new file.
    for stale in [wal(path), shm(path)] {
        std::fs::remove_file(stale).ok();
    }
    move_into_place(&making, path)?;

    let verified = Store::open_with(path, file.clone(), key.clone()).and_then(|store| {
        let after = contents(&store.conn)?;
        if after == before {
            Ok(store)
        } else {
            Err(Error::Corrupt(format!(
                "암호화한 저장소가 원본과 다릅니다 (원본 {before:?}, 암호화 {after:?}); 원본을 되돌렸습니다"
            )))
        }
    });
    let mut store = match verified {
        Ok(store) => store,
        Err(e) => {
            remove_database(path)?;
            std::fs::remove_file(&file).ok();
            move_into_place(&backup, path)?;
            return Err(e);
        }
    };
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    audit::append(
        &tx,
        at,
        Some(employee_id),
        Action::StoreEncrypted,
        "terminal",
        "{}",
    )?;
    tx.commit()?;
    remove_database(&backup)?;
    Ok((store, code))
}
