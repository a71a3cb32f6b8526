//! Errors as the window sees them: a stable code to classify by and a
//! Korean message to show. Never a raw Rust string or a trace.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AppError {
    pub code: String,
    pub message: String,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> AppError {
        AppError {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn not_signed_in() -> AppError {
        AppError::new("not_signed_in", "먼저 로그인하세요")
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl From<relief_store::Error> for AppError {
    fn from(e: relief_store::Error) -> AppError {
        if !e.is_refusal() {
            tracing::error!(error = %e, "store fault");
        }
        AppError::new(e.code(), e.to_string())
    }
}

impl From<relief_sync::SyncError> for AppError {
    fn from(e: relief_sync::SyncError) -> AppError {
        match e {
            relief_sync::SyncError::Store(e) => e.into(),
            relief_sync::SyncError::Unreachable(_) | relief_sync::SyncError::NotConnected(_) => {
                AppError::new("ledger_unreachable", e.to_string())
            }
            relief_sync::SyncError::Refused { .. } => {
                AppError::new("ledger_refused", e.to_string())
            }
            relief_sync::SyncError::Protocol(_) => AppError::new("ledger_protocol", e.to_string()),
        }
    }
}

impl From<relief_core::identity::IdNumberError> for AppError {
    fn from(e: relief_core::identity::IdNumberError) -> AppError {
        AppError::new("identity_number", e.to_string())
    }
}

impl From<relief_core::household::InvalidHouseholdSize> for AppError {
    fn from(e: relief_core::household::InvalidHouseholdSize) -> AppError {
        AppError::new("household_size", e.to_string())
    }
}

impl From<relief_report::ReportError> for AppError {
    fn from(e: relief_report::ReportError) -> AppError {
        AppError::new("report", e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, AppError>;
