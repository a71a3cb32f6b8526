//! The key file, `terminal.sqlite3.keys`: the store's slots and the failed
//! attempts to open it. It holds nothing secret in the clear (each slot is
//! sealed), so it sits beside the database; it is written whole or not at
//! all, and readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::DataKey;
use super::slot::{self, Sealed};
use crate::clerk::{LOCKOUT_AFTER, LOCKOUT_MINUTES};
use crate::error::{Error, Result};

const FORMAT: u32 = 1;
/// Failed attempts kept, oldest dropped first: typing made-up ids must not
/// grow the file without end.
const FAILURES_KEPT: usize = 200;

/// Whose secret opens a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Holder {
    Supervisor { employee_id: String },
    Recovery,
}

impl Holder {
    pub(crate) fn supervisor(employee_id: &str) -> Holder {
        Holder::Supervisor {
            employee_id: employee_id.to_owned(),
        }
    }

    /// The name failed attempts are counted under.
    fn attempt_name(&self) -> &str {
        match self {
            Holder::Supervisor { employee_id } => employee_id,
            Holder::Recovery => "(복구 코드)",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Slot {
    holder: Holder,
    #[serde(flatten)]
    sealed: Sealed,
}

/// An attempt to open the store that failed: counted toward the lockout
/// before the store (and its sign-in record) can be read, and copied into
/// that record once it is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FailedOpen {
    pub(crate) name: String,
    pub(crate) at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyFile {
    format: u32,
    /// Binds every slot to this store: a slot from another terminal's key
    /// file does not open here.
    store_id: String,
    /// Whether the store is a demo terminal's: the window's clock before
    /// the store is open. Checked against the store once it is.
    pub(crate) demo: bool,
    slots: Vec<Slot>,
    failed_opens: Vec<FailedOpen>,
}

/// `terminal.sqlite3` → `terminal.sqlite3.keys`.
pub(crate) fn path_for(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".keys");
    PathBuf::from(name)
}

impl KeyFile {
    pub(crate) fn new(demo: bool) -> KeyFile {
        KeyFile {
            format: FORMAT,
            store_id: uuid::Uuid::now_v7().to_string(),
            demo,
            slots: Vec::new(),
            failed_opens: Vec::new(),
        }
    }

    pub(crate) fn read(path: &Path) -> Result<KeyFile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::KeyFile {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let file: KeyFile = serde_json::from_str(&text).map_err(|e| Error::KeyFile {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        if file.format != FORMAT {
            return Err(Error::KeyFile {
                path: path.to_owned(),
                reason: format!("모르는 형식 {}", file.format),
            });
        }
        Ok(file)
    }

    /// Replaces the file whole: a temporary file beside it, synced, then
    /// renamed over it, so a power cut leaves the old file or the new one.
    pub(crate) fn write(&self, path: &Path) -> Result<()> {
        let fail = |e: std::io::Error| Error::KeyFile {
            path: path.to_owned(),
            reason: e.to_string(),
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
        serde_json::to_writer_pretty(&mut temp, self).map_err(|e| fail(e.into()))?;
        temp.write_all(b"\n").map_err(fail)?;
        temp.as_file().sync_all().map_err(fail)?;
        // NamedTempFile is created 0600 already; the rename keeps it so.
        temp.persist(path).map_err(|e| fail(e.error))?;
        sync_dir(dir).map_err(fail)
    }

    fn binding(&self, holder: &Holder) -> String {
        let who = match holder {
            Holder::Supervisor { employee_id } => format!("supervisor:{employee_id}"),
            Holder::Recovery => "recovery".to_owned(),
        };
        format!("relief-counter key slot 1|{}|{who}", self.store_id)
    }

    pub(crate) fn holds(&self, holder: &Holder) -> bool {
        self.slots.iter().any(|s| &s.holder == holder)
    }

    /// Seals `key` for `holder`, replacing a slot they had.
    pub(crate) fn seal(&mut self, holder: Holder, key: &DataKey, secret: &[u8]) -> Result<()> {
        let sealed = slot::seal(key, secret, &self.binding(&holder))?;
        self.remove(&holder);
        self.slots.push(Slot { holder, sealed });
        Ok(())
    }

    pub(crate) fn remove(&mut self, holder: &Holder) {
        self.slots.retain(|s| &s.holder != holder);
    }

    /// The data key from `holder`'s slot. A wrong secret is recorded as a
    /// failed attempt (the caller writes the file back); `None` then.
    pub(crate) fn open(
        &mut self,
        holder: &Holder,
        secret: &[u8],
        at: NaiveDateTime,
    ) -> Result<Option<DataKey>> {
        let slot = self
            .slots
            .iter()
            .find(|s| &s.holder == holder)
            .ok_or_else(|| Error::NoKeySlot(holder.attempt_name().to_owned()))?;
        let opened = slot::open(&slot.sealed, secret, &self.binding(holder))?;
        if opened.is_none() {
            self.failed_opens.push(FailedOpen {
                name: holder.attempt_name().to_owned(),
                at,
            });
            let excess = self.failed_opens.len().saturating_sub(FAILURES_KEPT);
            self.failed_opens.drain(..excess);
        }
        Ok(opened)
    }

    /// When `holder`'s lockout ends, if too many attempts to open the
    /// store under their name failed in a row.
    pub(crate) fn locked_until(&self, holder: &Holder, at: NaiveDateTime) -> Option<NaiveDateTime> {
        let name = holder.attempt_name();
        let theirs: Vec<&FailedOpen> = self
            .failed_opens
            .iter()
            .filter(|f| f.name == name)
            .collect();
        if theirs.len() < LOCKOUT_AFTER as usize {
            return None;
        }
        let until = theirs.last()?.at + Duration::minutes(LOCKOUT_MINUTES);
        (at < until).then_some(until)
    }

    /// The failed attempts not yet in the store's sign-in record, taken
    /// out of the file (the caller writes it back once they are recorded).
    pub(crate) fn take_failed_opens(&mut self) -> Vec<FailedOpen> {
        std::mem::take(&mut self.failed_opens)
    }

    pub(crate) fn supervisors_with_slots(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().filter_map(|s| match &s.holder {
            Holder::Supervisor { employee_id } => Some(employee_id.as_str()),
            Holder::Recovery => None,
        })
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_: &Path) -> std::io::Result<()> {
    Ok(())
}
