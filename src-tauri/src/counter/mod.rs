//! The counter as the window uses it: every operation of the app, in
//! plain Rust, so it is tested without a desktop. The Tauri commands only
//! translate to and from these.

mod clerks;
pub mod clock;
mod close;
mod conflicts;
pub mod demo;
mod enrollment;
pub mod error;
mod offline;
mod reports;
mod status;
mod stock;
pub mod views;
mod visitor;
mod voids;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use chrono::{NaiveDate, NaiveDateTime};
use relief_store::{RecoveryCode, Role, Session, Store, Unlock};
use tokio::sync::Notify;
use zeroize::Zeroizing;

use self::clock::Clock;
use self::error::{AppCode, AppError, Result};
use self::views::*;

/// The first moment of a demo terminal's clock: Monday of week 1, 10:00.
pub fn default_demo_start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2020, 4, 20)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("a real date")
}

pub struct Counter {
    /// The store, once the first supervisor's sign-in has opened it. It
    /// stays open while the app runs (the idle lock only hides the screen).
    store: OnceLock<Mutex<Store>>,
    path: PathBuf,
    session: Mutex<Option<Session>>,
    clock: Clock,
    /// A recovery code made at this start (a new demo terminal, or a store
    /// encrypted now), shown once to the next supervisor who signs in.
    fresh_recovery: Mutex<Option<RecoveryCode>>,
    /// Wakes the background sync at once (after an online issuance).
    pub sync_now: Notify,
}

fn session_view(s: &Session) -> SessionView {
    SessionView {
        employee_id: s.employee_id().to_owned(),
        name: s.name().to_owned(),
        role: s.role(),
        role_label: s.role().label().to_owned(),
        recovery_code: None,
    }
}

impl Counter {
    /// Opens the terminal in `data_dir`, setting up the demo terminal if
    /// there is none. `demo_clock` starts a demo terminal's clock; a
    /// production terminal refuses it.
    pub fn open(data_dir: &Path, demo_clock: Option<NaiveDateTime>) -> Result<Counter> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            AppError::new(
                AppCode::DataDir,
                format!("데이터 폴더를 만들 수 없습니다: {e}"),
            )
        })?;
        let path = data_dir.join("terminal.sqlite3");
        let start = demo_clock.unwrap_or_else(default_demo_start);
        let (opened, demo) = match Store::is_demo(&path) {
            Ok(demo) => (None, demo),
            Err(relief_store::Error::NotInitialized) => {
                let (store, code) = demo::set_up(&path, start)?;
                (Some((store, Some(code))), true)
            }
            Err(e) => return Err(e.into()),
        };
        let clock = match (demo, demo_clock) {
            (true, _) => Clock::demo(start),
            (false, None) => Clock::System,
            (false, Some(_)) => return Err(relief_store::Error::ClockNotSettable.into()),
        };
        let counter = Counter {
            store: OnceLock::new(),
            path,
            session: Mutex::new(None),
            clock,
            fresh_recovery: Mutex::new(None),
            sync_now: Notify::new(),
        };
        if let Some((store, code)) = opened {
            counter.opened(store, code)?;
        }
        Ok(counter)
    }

    /// Takes the store a supervisor's PIN (or the demo's set-up) opened.
    fn opened(&self, mut store: Store, code: Option<RecoveryCode>) -> Result<()> {
        if store.site().demo != self.clock.is_demo() {
            return Err(relief_store::Error::Corrupt(
                "열쇠 파일의 데모 표시가 보관함과 다릅니다".into(),
            )
            .into());
        }
        // The store has just been opened: a visit still open is one the
        // last run stopped in the middle of, and handed over no card.
        store.end_open_visits(None, "창구 프로그램이 방문 중에 종료되었습니다", self.now())?;
        if let Some(code) = code.or_else(|| store.fresh_recovery_code()) {
            *self
                .fresh_recovery
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(code);
        }
        // Two sign-ins racing to open: the first store stays, the other
        // is dropped (it is the same file under the same key).
        let _ = self.store.set(Mutex::new(store));
        Ok(())
    }

    /// Whether a supervisor has opened the store since the app started.
    pub fn is_open(&self) -> bool {
        self.store.get().is_some()
    }

    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// The open store, or the refusal a locked one gets.
    fn opened_store(&self) -> Result<&Mutex<Store>> {
        self.store.get().ok_or_else(AppError::store_locked)
    }

    fn store(&self) -> Result<MutexGuard<'_, Store>> {
        Ok(self
            .opened_store()?
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    fn session(&self) -> Result<Session> {
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(AppError::not_signed_in)
    }

    fn supervisor(&self) -> Result<Session> {
        let session = self.session()?;
        if session.role() != Role::Supervisor {
            return Err(relief_store::Error::SupervisorRequired.into());
        }
        Ok(session)
    }

    /// Signs a clerk in. The first supervisor to sign in after the app
    /// starts opens the store with their PIN; until then no one else can.
    pub fn sign_in(&self, employee_id: &str, pin: &str) -> Result<SessionView> {
        let pin = Zeroizing::new(pin.to_owned());
        if !self.is_open() {
            let unlock = Unlock::Supervisor {
                employee_id,
                pin: &pin,
            };
            let store = Store::open(&self.path, unlock, self.now())?;
            self.opened(store, None)?;
        }
        let session = self.store()?.sign_in(employee_id, &pin, self.now())?;
        let mut view = session_view(&session);
        if session.role() == Role::Supervisor {
            view.recovery_code = self
                .fresh_recovery
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take()
                .map(|code| code.to_printed().to_string());
        }
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = Some(session);
        Ok(view)
    }

    /// Signs a supervisor in under a new PIN they set as they do: the way
    /// in for one whose PIN is too short to seal the store's key under (a
    /// store from before encryption, encrypted now under the new PIN), and
    /// any supervisor's change of their own.
    pub fn sign_in_with_new_pin(
        &self,
        employee_id: &str,
        pin: &str,
        new_pin: &str,
    ) -> Result<SessionView> {
        let (pin, new_pin) = (
            Zeroizing::new(pin.to_owned()),
            Zeroizing::new(new_pin.to_owned()),
        );
        if self.is_open() {
            self.store()?
                .change_supervisor_pin(employee_id, &pin, &new_pin, self.now())?;
        } else {
            let store =
                Store::open_with_new_pin(&self.path, employee_id, &pin, &new_pin, self.now())?;
            self.opened(store, None)?;
        }
        self.sign_in(employee_id, &new_pin)
    }

    pub fn sign_out(&self) {
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// One round of sync, if enrolled.
    pub async fn sync_once(&self, retry: relief_sync::Retry) -> Result<()> {
        let Some(store) = self.store.get() else {
            // Locked until a supervisor signs in: nothing to send yet.
            return Ok(());
        };
        if store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .enrollment()?
            .is_none()
        {
            return Ok(());
        }
        relief_sync::sync_once(store, retry).await?;
        Ok(())
    }
}

fn write(path: &str, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| {
        AppError::new(
            AppCode::Write,
            format!("파일을 저장할 수 없습니다 ({path}): {e}"),
        )
    })
}

#[cfg(test)]
mod tests;
