//! Opening the database: its key, pragmas for durability, then the
//! numbered migrations from `migrations/terminal/`, embedded at build time.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::error::{Error, Result};
use crate::keys::DataKey;

const STEPS: &[M<'static>] = &[
    M::up(include_str!(
        "../../../migrations/terminal/0001_initial.sql"
    )),
    M::up(include_str!("../../../migrations/terminal/0002_sync.sql")),
    M::up(include_str!("../../../migrations/terminal/0003_visits.sql")).foreign_key_check(),
    M::up(include_str!("../../../migrations/terminal/0004_roll.sql")),
    M::up(include_str!(
        "../../../migrations/terminal/0005_card_activation.sql"
    )),
    M::up(include_str!(
        "../../../migrations/terminal/0006_day_close.sql"
    ))
    .foreign_key_check(),
    M::up(include_str!(
        "../../../migrations/terminal/0007_clerk_removal.sql"
    )),
    M::up(include_str!("../../../migrations/terminal/0008_purge.sql")),
    M::up(include_str!(
        "../../../migrations/terminal/0009_offline_approval.sql"
    )),
];
const MIGRATIONS: Migrations<'static> = Migrations::from_slice(STEPS);

/// The schema version this build writes (SQLite's `user_version`).
pub const SCHEMA_VERSION: i64 = STEPS.len() as i64;

/// The first bytes of every unencrypted SQLite file; an encrypted one
/// starts with random salt.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether the file at `path` is an unencrypted SQLite database (one
/// written before the store was encrypted).
pub(crate) fn is_plain(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut file| file.read(&mut header))
        .map_err(|e| Error::Corrupt(format!("{}: {e}", path.display())))?;
    Ok(read == header.len() && &header == PLAIN_HEADER)
}

/// Opens the database at `path`, encrypted under `key` (`None` only to
/// read a store written before encryption, to encrypt it).
pub(crate) fn open(path: &Path, key: Option<&DataKey>) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    restrict_to_owner(path)?;
    if let Some(key) = key {
        // SQLCipher: the key before any other statement.
        conn.pragma_update(None, "key", key.pragma_value().as_str())?;
        // A wrong key shows only at the first read.
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
            .map_err(|_| {
                Error::Corrupt(format!("{}를 이 열쇠로 열 수 없습니다", path.display()))
            })?;
    }
    // WAL keeps readers off the writer's back; FULL syncs the WAL on every
    // commit, so a committed issuance survives a power cut.
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Corrupt(format!(
            "journal_mode를 WAL로 바꿀 수 없습니다 ({mode})"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // The deny-list of a large 시군 is tens of megabytes of random keys.
    conn.pragma_update(None, "cache_size", -32768)?;
    conn.busy_timeout(Duration::from_secs(5))?;

    // Refuse before migrating: a newer program may have changed the meaning
    // of what is stored, and an older one must not write into it.
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    // Rebuilding a table (SQLite's way to change a constraint) needs the
    // foreign keys off; each step that does checks them itself.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    MIGRATIONS.to_latest(&mut conn)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Names, masked numbers and the campaign secret are no one else's business
/// on a shared counter PC.
#[cfg(unix)]
pub(crate) fn restrict_to_owner(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::Corrupt(format!("{}의 권한을 바꿀 수 없습니다: {e}", path.display())))
}

#[cfg(not(unix))]
pub(crate) fn restrict_to_owner(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
    }

    #[test]
    fn a_database_from_a_newer_program_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite3");
        let key = DataKey::generate();
        drop(open(&path, Some(&key)).unwrap());
        {
            let conn = open(&path, Some(&key)).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let error = open(&path, Some(&key)).unwrap_err();
        assert!(
            matches!(error, Error::NewerSchema { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION)
        );
        assert!(error.to_string().contains("업데이트"));
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn durability_pragmas_are_set() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("t.sqlite3"), Some(&DataKey::generate())).unwrap();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        let fk: i64 = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
    }

    #[test]
    fn an_encrypted_database_opens_with_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite3");
        let key = DataKey::generate();
        drop(open(&path, Some(&key)).unwrap());
        assert!(!is_plain(&path).unwrap());
        assert!(matches!(
            open(&path, Some(&DataKey::generate())),
            Err(Error::Corrupt(_))
        ));
        assert!(open(&path, None).is_err());
        let plain = dir.path().join("p.sqlite3");
        drop(open(&plain, None).unwrap());
        assert!(is_plain(&plain).unwrap());
    }
}
