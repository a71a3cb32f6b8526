//! The store at rest: encrypted, its key sealed per supervisor, opened
//! only by a supervisor's PIN or the recovery code, and an older plain
//! store encrypted in place without losing a row.

mod common;

use chrono::Duration;
use common::*;
use relief_store::*;
use zeroize::Zeroizing;

const SECOND: &str = "S002";
const SECOND_PIN: &str = "73915024";

fn unlock<'a>(employee_id: &'a str, pin: &'a str) -> Unlock<'a> {
    Unlock::Supervisor { employee_id, pin }
}

fn t0() -> chrono::NaiveDateTime {
    at(4, 1, 9)
}

/// Every byte the store has on disk: the database, its WAL, its shared
/// memory and the key file.
fn disk_bytes(t: &Terminal) -> Vec<(String, Vec<u8>)> {
    let path = t.path();
    ["", "-wal", "-shm", ".keys"]
        .iter()
        .filter_map(|suffix| {
            let file = format!("{}{suffix}", path.display());
            std::fs::read(&file).ok().map(|bytes| (file, bytes))
        })
        .collect()
}

/// What must not be readable from the disk: names, masked numbers,
/// beneficiary keys, the campaign secret, the data key.
fn secrets(t: &Terminal) -> Vec<(String, Vec<u8>)> {
    let mut secrets = vec![
        ("campaign secret".to_owned(), vec![42u8; 32]),
        (
            "data key".to_owned(),
            t.store.data_key().pragma_value()[2..66].as_bytes().to_vec(),
        ),
        ("site name".to_owned(), "매탄1동".as_bytes().to_vec()),
    ];
    for record in t.store.issuances_on(free_day().date()).unwrap() {
        for b in record.beneficiaries {
            secrets.push((format!("name of {}", b.masked), b.name.into_bytes()));
            secrets.push((
                format!("masked {}", b.masked),
                b.masked.clone().into_bytes(),
            ));
            secrets.push((format!("key of {}", b.masked), b.key.clone().into_bytes()));
            secrets.push((
                format!("raw key of {}", b.masked),
                hex::decode(&b.key).unwrap(),
            ));
        }
    }
    secrets
}

fn issue_some(t: &mut Terminal) {
    let clerk = t.clerk.clone();
    for n in 0..20u32 {
        let mut request = solo(&person(100 + n), &[&format!("GG-{:04}", n + 1)]);
        request.applicant.name = format!("김민{}", char::from_u32('가' as u32 + n).unwrap());
        request.beneficiaries[0].name = request.applicant.name.clone();
        t.store.issue(&clerk, request, free_day()).unwrap();
    }
}

fn assert_nothing_readable(t: &Terminal) {
    let disk = disk_bytes(t);
    assert!(disk.len() >= 2, "the database and its key file: {disk:?}");
    for (what, secret) in secrets(t) {
        for (file, bytes) in &disk {
            assert!(!contains(bytes, &secret), "{what} is readable in {file}");
        }
    }
}

#[test]
fn neither_the_database_nor_its_wal_nor_the_key_file_shows_personal_data_or_keys() {
    let mut t = setup();
    issue_some(&mut t);
    assert!(secrets(&t).len() > 60);
    // Open, with the WAL holding the latest pages...
    assert!(
        std::fs::metadata(format!("{}-wal", t.path().display()))
            .unwrap()
            .len()
            > 0
    );
    assert_nothing_readable(&t);
    // ...and closed, everything checkpointed into the file.
    let path = t.path();
    let reopened = reopen(&path);
    let Terminal {
        dir,
        store,
        supervisor,
        clerk,
    } = t;
    drop(store);
    let t = Terminal {
        dir,
        store: reopened,
        supervisor,
        clerk,
    };
    assert_nothing_readable(&t);
    // The scan itself finds what is there: the same bytes, plain.
    let bytes = plain_bytes(&t);
    let found = secrets(&t)
        .iter()
        .filter(|(_, s)| contains(&bytes, s))
        .count();
    assert!(
        found >= 40,
        "a plain copy shows names and numbers ({found})"
    );
}

#[test]
fn only_a_supervisor_with_a_slot_opens_the_store_and_wrong_pins_lock_them_out() {
    let t = setup();
    let path = t.path();
    drop(t.store);
    assert!(matches!(
        Store::open(&path, unlock(CLERK, PIN), t0()),
        Err(Error::NoKeySlot(who)) if who == CLERK
    ));
    let mut now = t0();
    for _ in 0..LOCKOUT_AFTER {
        now += Duration::minutes(1);
        assert!(matches!(
            Store::open(&path, unlock(SUPERVISOR, "11112222"), now),
            Err(Error::BadCredentials)
        ));
    }
    // Locked now, even with the right PIN...
    assert!(matches!(
        Store::open(&path, unlock(SUPERVISOR, PIN), now + Duration::minutes(1)),
        Err(Error::LockedOut { until, .. }) if until == now + Duration::minutes(LOCKOUT_MINUTES)
    ));
    // ...until the lockout ends; then the failures are in the store's own
    // record of sign-ins, audited.
    let later = now + Duration::minutes(LOCKOUT_MINUTES);
    let store = Store::open(&path, unlock(SUPERVISOR, PIN), later).unwrap();
    let conn = raw_at(&path, store.data_key());
    let failed: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed' AND subject = ?1",
            [SUPERVISOR],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failed, LOCKOUT_AFTER as i64);
    assert!(store.verify_audit().unwrap().is_intact());
    drop(store);
    // Counted once: opening again does not copy them twice.
    let store = Store::open(&path, unlock(SUPERVISOR, PIN), later).unwrap();
    let again: i64 = raw_at(&path, store.data_key())
        .query_row(
            "SELECT count(*) FROM sign_in_attempt WHERE success = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(again, LOCKOUT_AFTER as i64);
}

#[test]
fn a_wrong_key_file_or_a_moved_slot_opens_nothing() {
    let t = setup();
    let path = t.path();
    drop(t.store);
    let keys = format!("{}.keys", path.display());
    let text = std::fs::read_to_string(&keys).unwrap();
    // The supervisor's slot renamed to another supervisor's name.
    std::fs::write(
        &keys,
        text.replace(&format!("\"{SUPERVISOR}\""), "\"S009\""),
    )
    .unwrap();
    assert!(matches!(
        Store::open(&path, unlock("S009", PIN), t0()),
        Err(Error::BadCredentials)
    ));
    std::fs::remove_file(&keys).unwrap();
    assert!(matches!(
        Store::open(&path, unlock(SUPERVISOR, PIN), t0()),
        Err(Error::KeyFile { .. })
    ));
}

#[test]
fn a_second_supervisor_gets_a_slot_and_loses_it_when_removed() {
    let mut t = setup();
    let supervisor = t.supervisor.clone();
    let new = |pin: &str| NewClerk {
        employee_id: SECOND.into(),
        name: "박감독".into(),
        role: Role::Supervisor,
        pin: Zeroizing::new(pin.into()),
    };
    assert!(matches!(
        t.store.add_clerk(Some(&supervisor), new("123456"), t0()),
        Err(Error::WeakSupervisorPin)
    ));
    t.store
        .add_clerk(Some(&supervisor), new(SECOND_PIN), t0())
        .unwrap();
    let path = t.path();
    drop(t.store);
    let mut store = Store::open(&path, unlock(SECOND, SECOND_PIN), t0()).unwrap();
    let second = store.sign_in(SECOND, SECOND_PIN, t0()).unwrap();
    assert!(matches!(
        store.remove_clerk(&second, SECOND, t0()),
        Err(Error::CannotRemoveSelf)
    ));
    let first = store.sign_in(SUPERVISOR, PIN, t0()).unwrap();
    store.remove_clerk(&first, SECOND, t0()).unwrap();
    assert!(matches!(
        store.sign_in(SECOND, SECOND_PIN, t0()),
        Err(Error::BadCredentials)
    ));
    assert!(
        !store
            .clerks()
            .unwrap()
            .iter()
            .any(|c| c.employee_id == SECOND)
    );
    assert!(matches!(
        store.remove_clerk(&first, SUPERVISOR, t0()),
        Err(Error::CannotRemoveSelf)
    ));
    assert!(store.verify_audit().unwrap().is_intact());
    drop(store);
    assert!(matches!(
        Store::open(&path, unlock(SECOND, SECOND_PIN), t0()),
        Err(Error::NoKeySlot(_))
    ));
    Store::open(&path, unlock(SUPERVISOR, PIN), t0()).unwrap();
}

#[test]
fn the_last_key_holder_is_not_removed() {
    let mut t = setup();
    let supervisor = t.supervisor.clone();
    let new = NewClerk {
        employee_id: SECOND.into(),
        name: "박감독".into(),
        role: Role::Supervisor,
        pin: Zeroizing::new(SECOND_PIN.into()),
    };
    t.store.add_clerk(Some(&supervisor), new, t0()).unwrap();
    let second = t.store.sign_in(SECOND, SECOND_PIN, t0()).unwrap();
    t.store.remove_clerk(&second, SUPERVISOR, t0()).unwrap();
    // S001 is gone; S002 holds the only slot, and cannot go.
    let clerk = t.clerk.clone();
    assert!(matches!(
        t.store.remove_clerk(&clerk, SECOND, t0()),
        Err(Error::SupervisorRequired)
    ));
    t.store.remove_clerk(&second, CLERK, t0()).unwrap();
    assert!(matches!(
        t.store.sign_in(CLERK, PIN, t0()),
        Err(Error::BadCredentials)
    ));
}

#[test]
fn the_recovery_code_opens_the_store_once_and_sets_a_new_pin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terminal.sqlite3");
    let (mut store, code) = Store::init(&path, demo_setup(), t0()).unwrap();
    store
        .add_clerk(
            None,
            NewClerk {
                employee_id: SUPERVISOR.into(),
                name: "김감독".into(),
                role: Role::Supervisor,
                pin: Zeroizing::new(PIN.into()),
            },
            t0(),
        )
        .unwrap();
    drop(store);
    let printed = code.to_printed();
    assert!(matches!(
        Store::recover(
            &path,
            "0000-0000-0000-0000-0000-0000-0000-0000",
            SUPERVISOR,
            "55556666",
            t0()
        ),
        Err(Error::BadRecoveryCode)
    ));
    assert!(matches!(
        Store::recover(&path, &printed, SUPERVISOR, "5555", t0()),
        Err(Error::WeakSupervisorPin)
    ));
    // That refusal came after the code opened the store: it is still the
    // code, and still works (nothing was changed).
    let (mut store, fresh) =
        Store::recover(&path, &printed.to_lowercase(), SUPERVISOR, "55556666", t0()).unwrap();
    store.sign_in(SUPERVISOR, "55556666", t0()).unwrap();
    assert!(store.verify_audit().unwrap().is_intact());
    drop(store);
    assert_ne!(fresh.to_printed(), printed);
    assert!(matches!(
        Store::recover(&path, &printed, SUPERVISOR, "77778888", t0()),
        Err(Error::BadRecoveryCode)
    ));
    assert!(matches!(
        Store::open(&path, unlock(SUPERVISOR, PIN), t0()),
        Err(Error::BadCredentials)
    ));
    Store::open(&path, unlock(SUPERVISOR, "55556666"), t0()).unwrap();
    let (_, _) = Store::recover(&path, &fresh.to_printed(), SUPERVISOR, "77778888", t0()).unwrap();
    Store::open(&path, unlock(SUPERVISOR, "77778888"), t0()).unwrap();
}

fn demo_setup() -> TerminalSetup {
    TerminalSetup {
        eupmyeondong: None,
        site_code: "41110-515".into(),
        site_name: "수원시 매탄1동 행정복지센터".into(),
        site_type: relief_core::SiteType::Center,
        sigungu: "41110".parse().unwrap(),
        demo: true,
        policy_file: "gyeonggi-2020.toml".into(),
        policy_text: relief_core::policy::builtin::GYEONGGI_2020.into(),
        secret: relief_core::identity::CampaignSecret::from_bytes(vec![42; 32]).unwrap(),
    }
}

/// The store as the version before encryption left it: plain, schema 6.
fn as_plain_store_of_version_6(t: Terminal) -> (tempfile::TempDir, std::path::PathBuf) {
    let path = t.path();
    let conn = raw_of(&t);
    let plain = t.dir.path().join("plain.sqlite3");
    conn.execute_batch(&format!(
        "ATTACH DATABASE '{}' AS plain KEY '';
         SELECT sqlcipher_export('plain');
         DETACH DATABASE plain;",
        plain.display()
    ))
    .unwrap();
    rusqlite::Connection::open(&plain)
        .unwrap()
        .execute_batch(&format!(
            "{UNDO_OFFLINE_APPROVAL}
             DROP TABLE purge; DROP TABLE clerk_removal; PRAGMA user_version = 6;"
        ))
        .unwrap();
    drop(conn);
    let Terminal { dir, store, .. } = t;
    drop(store);
    for suffix in ["", "-wal", "-shm", ".keys"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    std::fs::rename(&plain, &path).unwrap();
    (dir, path)
}

/// Still plain, every row where it was: a refused open records the refused
/// sign-in (the lockout counts it) and may bring the schema up to date; it
/// neither encrypts nor loses anything.
fn assert_still_plain(path: &std::path::Path, before: &[(String, i64)]) {
    let data = |counts: &[(String, i64)]| -> Vec<(String, i64)> {
        counts
            .iter()
            .filter(|(t, _)| t != "sign_in_attempt" && t != "audit_log")
            .cloned()
            .collect()
    };
    assert!(
        std::fs::read(path)
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );
    assert_eq!(
        data(&row_counts(&rusqlite::Connection::open(path).unwrap())),
        data(before)
    );
    assert!(!std::path::Path::new(&format!("{}.keys", path.display())).exists());
}

fn row_counts(conn: &rusqlite::Connection) -> Vec<(String, i64)> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('clerk_removal', 'purge', 'offline_approval') ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    tables
        .into_iter()
        .map(|table| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
                    r.get(0)
                })
                .unwrap();
            (table, n)
        })
        .collect()
}

#[test]
fn a_plain_store_is_encrypted_in_place_with_every_row_and_its_audit_chain() {
    let mut t = setup();
    issue_some(&mut t);
    let entries = t.store.verify_audit().unwrap().entries;
    let (dir, path) = as_plain_store_of_version_6(t);
    let before = row_counts(&rusqlite::Connection::open(&path).unwrap());
    assert!(
        before
            .iter()
            .any(|(table, n)| table == "issuance" && *n == 20)
    );

    // A clerk cannot, a wrong PIN cannot, and neither changes the data.
    assert!(matches!(
        Store::open(&path, unlock(CLERK, PIN), t0()),
        Err(Error::SupervisorRequired)
    ));
    assert!(matches!(
        Store::open(&path, Unlock::Key(setup().store.data_key()), t0()),
        Err(Error::NotEncrypted)
    ));
    assert!(matches!(
        Store::open(&path, unlock(SUPERVISOR, "99990000"), t0()),
        Err(Error::BadCredentials)
    ));
    assert!(rusqlite::Connection::open(&path).is_ok());
    assert_still_plain(&path, &before);

    let mut store = Store::open(&path, unlock(SUPERVISOR, PIN), t0()).unwrap();
    let code = store
        .fresh_recovery_code()
        .expect("a new recovery code to print");
    assert!(store.fresh_recovery_code().is_none());
    let after = row_counts(&raw_at(&path, store.data_key()));
    // The attempts above and the encryption itself are new entries.
    let grown: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| b.0.as_str())
        .collect();
    assert_eq!(grown, ["audit_log", "sign_in_attempt"]);
    let report = store.verify_audit().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert!(report.entries > entries);
    assert_eq!(store.issuance_count().unwrap(), 20);
    let names: Vec<String> = store
        .issuances_on(free_day().date())
        .unwrap()
        .into_iter()
        .map(|i| i.beneficiaries[0].name.clone())
        .collect();
    assert_eq!(names.len(), 20);
    drop(store);
    // No plain copy is left behind, and the file is now unreadable.
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("backup") || name.contains("encrypting"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let bytes = std::fs::read(&path).unwrap();
    assert!(!contains(&bytes, names[0].as_bytes()));
    assert!(!contains(&bytes, b"SQLite format 3"));
    Store::open(&path, unlock(SUPERVISOR, PIN), t0()).unwrap();
    Store::recover(&path, &code.to_printed(), SUPERVISOR, "24681357", t0()).unwrap();
}

#[test]
fn an_encryption_cut_short_is_begun_again_from_the_plain_backup() {
    let mut t = setup();
    issue_some(&mut t);
    let (_dir, path) = as_plain_store_of_version_6(t);
    // As a power cut after the plain file was moved aside left it: the
    // backup, and a half-written file where the store was.
    let backup = format!("{}.plain-backup", path.display());
    std::fs::rename(&path, &backup).unwrap();
    std::fs::write(&path, b"half an encrypted file").unwrap();
    let store = Store::open(&path, unlock(SUPERVISOR, PIN), t0()).unwrap();
    assert_eq!(store.issuance_count().unwrap(), 20);
    assert!(store.verify_audit().unwrap().is_intact());
    assert!(!std::path::Path::new(&backup).exists());
}

/// A PIN hash as the version before encryption wrote it, when six digits
/// were enough for a supervisor.
fn old_pin_hash(pin: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    argon2::Argon2::default()
        .hash_password(pin.as_bytes(), &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string()
}

#[test]
fn a_supervisor_whose_old_pin_is_short_encrypts_the_store_under_a_new_one() {
    const OLD: &str = "135790";
    const NEW: &str = "86420975";
    let mut t = setup();
    issue_some(&mut t);
    let (_dir, path) = as_plain_store_of_version_6(t);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE clerk SET pin_hash = ?2 WHERE employee_id = ?1",
            [SUPERVISOR, &old_pin_hash(OLD)],
        )
        .unwrap();
    let before = row_counts(&rusqlite::Connection::open(&path).unwrap());

    // The old PIN alone cannot seal a key; a new one too short, a clerk,
    // or a wrong old PIN get nowhere; the file is left as it was.
    assert!(matches!(
        Store::open(&path, unlock(SUPERVISOR, OLD), t0()),
        Err(Error::WeakSupervisorPin)
    ));
    assert!(matches!(
        Store::open_with_new_pin(&path, SUPERVISOR, OLD, "1234567", t0()),
        Err(Error::WeakSupervisorPin)
    ));
    assert!(matches!(
        Store::open_with_new_pin(&path, SUPERVISOR, "246801", NEW, t0()),
        Err(Error::BadCredentials)
    ));
    assert!(matches!(
        Store::open_with_new_pin(&path, CLERK, PIN, NEW, t0()),
        Err(Error::SupervisorRequired)
    ));
    assert!(!std::path::Path::new(&format!("{}.keys", path.display())).exists());
    assert!(rusqlite::Connection::open(&path).is_ok());
    assert_still_plain(&path, &before);

    let mut store = Store::open_with_new_pin(&path, SUPERVISOR, OLD, NEW, t0()).unwrap();
    assert!(store.fresh_recovery_code().is_some());
    assert_eq!(store.issuance_count().unwrap(), 20);
    assert!(store.verify_audit().unwrap().is_intact());
    assert!(matches!(
        store.sign_in(SUPERVISOR, OLD, t0()),
        Err(Error::BadCredentials)
    ));
    store.sign_in(SUPERVISOR, NEW, t0()).unwrap();
    drop(store);
    assert!(
        rusqlite::Connection::open(&path)
            .unwrap()
            .query_row("SELECT count(*) FROM clerk", [], |r| r.get::<_, i64>(0))
            .is_err()
    );
    assert!(matches!(
        Store::open(&path, unlock(SUPERVISOR, OLD), t0()),
        Err(Error::BadCredentials)
    ));
    Store::open(&path, unlock(SUPERVISOR, NEW), t0()).unwrap();
}

#[test]
fn a_supervisor_changes_their_pin_and_their_slot_follows() {
    const NEW: &str = "86420975";
    let t = setup();
    let path = t.path();
    let Terminal {
        dir: _dir, store, ..
    } = t;
    drop(store);
    assert!(matches!(
        Store::open_with_new_pin(&path, SUPERVISOR, "99990000", NEW, t0()),
        Err(Error::BadCredentials)
    ));
    let mut store = Store::open_with_new_pin(&path, SUPERVISOR, PIN, NEW, t0()).unwrap();
    assert!(
        store.fresh_recovery_code().is_none(),
        "the code stays as it was"
    );
    drop(store);
    assert!(matches!(
        Store::open(&path, unlock(SUPERVISOR, PIN), t0()),
        Err(Error::BadCredentials)
    ));
    let mut store = Store::open(&path, unlock(SUPERVISOR, NEW), t0()).unwrap();
    store.sign_in(SUPERVISOR, NEW, t0()).unwrap();
    let report = store.verify_audit().unwrap();
    assert!(report.is_intact(), "{report:?}");
    // Once open, the same change needs the old PIN, and a long new one.
    assert!(matches!(
        store.change_supervisor_pin(SUPERVISOR, PIN, "13572468", t0()),
        Err(Error::BadCredentials)
    ));
    assert!(matches!(
        store.change_supervisor_pin(SUPERVISOR, NEW, "1357", t0()),
        Err(Error::WeakSupervisorPin)
    ));
    assert!(matches!(
        store.change_supervisor_pin(CLERK, PIN, "13572468", t0()),
        Err(Error::SupervisorRequired)
    ));
    store
        .change_supervisor_pin(SUPERVISOR, NEW, "13572468", t0())
        .unwrap();
    drop(store);
    Store::open(&path, unlock(SUPERVISOR, "13572468"), t0()).unwrap();
}

#[test]
fn whether_a_store_is_a_demo_is_read_before_it_opens() {
    let t = setup();
    assert!(Store::is_demo(&t.path()).unwrap());
    let (_plain_dir, plain) = as_plain_store_of_version_6(setup());
    assert!(Store::is_demo(&plain).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terminal.sqlite3");
    let mut production = demo_setup();
    production.demo = false;
    drop(Store::init(&path, production, t0()).unwrap());
    assert!(!Store::is_demo(&path).unwrap());
}

#[test]
fn a_supervisor_added_before_encryption_gets_a_slot_at_their_first_sign_in() {
    let mut t = setup();
    t.store
        .add_clerk(
            Some(&t.supervisor),
            NewClerk {
                employee_id: SECOND.into(),
                name: "박감독".into(),
                role: Role::Supervisor,
                pin: Zeroizing::new(SECOND_PIN.into()),
            },
            t0(),
        )
        .unwrap();
    let (_dir, path) = as_plain_store_of_version_6(t);
    // The first supervisor's open encrypts it: theirs is the only slot.
    drop(Store::open(&path, unlock(SUPERVISOR, PIN), t0()).unwrap());
    assert!(matches!(
        Store::open(&path, unlock(SECOND, SECOND_PIN), t0()),
        Err(Error::NoKeySlot(_))
    ));
    // Signing in under the open store seals theirs.
    let mut store = Store::open(&path, unlock(SUPERVISOR, PIN), t0()).unwrap();
    store.sign_in(SECOND, SECOND_PIN, t0()).unwrap();
    drop(store);
    let mut store = Store::open(&path, unlock(SECOND, SECOND_PIN), t0()).unwrap();
    assert!(store.verify_audit().unwrap().is_intact());
    store.sign_in(SECOND, SECOND_PIN, t0()).unwrap();
}

#[test]
fn a_store_without_its_campaign_secret_is_refused_unless_purged() {
    let t = setup();
    let path = t.path();
    let key = t.store.data_key().clone();
    let raw = raw_of(&t);
    let Terminal {
        dir: _dir, store, ..
    } = t;
    drop(store);
    raw.execute("DELETE FROM campaign_secret", []).unwrap();
    drop(raw);
    assert!(matches!(
        Store::open(&path, Unlock::Key(&key), t0()),
        Err(Error::Corrupt(_))
    ));
}
