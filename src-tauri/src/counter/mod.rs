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
mod reports;
mod status;
mod stock;
pub mod views;
mod visitor;
mod voids;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{NaiveDate, NaiveDateTime};
use relief_store::{Role, Session, Store};
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
    pub store: Mutex<Store>,
    session: Mutex<Option<Session>>,
    clock: Clock,
    /// Wakes the background sync at once (after an online issuance).
    pub sync_now: Notify,
}

fn session_view(s: &Session) -> SessionView {
    SessionView {
        employee_id: s.employee_id().to_owned(),
        name: s.name().to_owned(),
        role: s.role(),
        role_label: s.role().label().to_owned(),
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
        let store = match Store::open(&path) {
            Ok(store) => store,
            Err(relief_store::Error::NotInitialized) => demo::set_up(&path, start)?,
            Err(e) => return Err(e.into()),
        };
        let clock = match (store.site().demo, demo_clock) {
            (true, _) => Clock::demo(start),
            (false, None) => Clock::System,
            (false, Some(_)) => return Err(relief_store::Error::ClockNotSettable.into()),
        };
        let mut store = store;
        // The app has just started: a visit still open is one the last
        // run stopped in the middle of, and handed over no card.
        store.end_open_visits(
            None,
            "창구 프로그램이 방문 중에 종료되었습니다",
            clock.now(),
        )?;
        Ok(Counter {
            store: Mutex::new(store),
            session: Mutex::new(None),
            clock,
            sync_now: Notify::new(),
        })
    }

    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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

    pub fn sign_in(&self, employee_id: &str, pin: &str) -> Result<SessionView> {
        let pin = Zeroizing::new(pin.to_owned());
        let session = self.store().sign_in(employee_id, &pin, self.now())?;
        let view = session_view(&session);
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = Some(session);
        Ok(view)
    }

    pub fn sign_out(&self) {
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// One round of sync, if enrolled.
    pub async fn sync_once(&self, retry: relief_sync::Retry) -> Result<()> {
        if self.store().enrollment()?.is_none() {
            return Ok(());
        }
        relief_sync::sync_once(&self.store, retry).await?;
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
