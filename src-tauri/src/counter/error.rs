//! Errors as the window sees them: a stable code to classify by and a
//! Korean message to show. Never a raw Rust string or a trace.

use serde::Serialize;
use ts_rs::TS;

relief_core::closed_set! {
    /// What goes wrong outside the store: in the window's input, the files
    /// it writes, the link to the ledger, the bridge itself.
    pub enum AppCode {
        Input,
        NotSignedIn,
        /// The store stays encrypted until a supervisor with a key slot signs in.
        StoreLocked,
        DataDir,
        IdentityNumber,
        HouseholdSize,
        Report,
        /// The issuance stands; only its receipt could not be made.
        Receipt,
        Write,
        LedgerUnreachable,
        LedgerRefused,
        LedgerProtocol,
        /// Not an AppError at all (a bug, a broken bridge): the UI's own.
        Unexpected,
    }
}

/// Every code the window can receive, as one TypeScript union: the
/// store's and the app's own. Each code is in one of the two only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
pub enum ErrorCode {
    Store(relief_store::StoreCode),
    App(AppCode),
}

impl ErrorCode {
    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::Store(c) => c.code(),
            ErrorCode::App(c) => c.code(),
        }
    }
}

impl From<relief_store::StoreCode> for ErrorCode {
    fn from(c: relief_store::StoreCode) -> ErrorCode {
        ErrorCode::Store(c)
    }
}

impl From<AppCode> for ErrorCode {
    fn from(c: AppCode) -> ErrorCode {
        ErrorCode::App(c)
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.code() == *other
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> AppError {
        AppError {
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn store_locked() -> AppError {
        AppError::new(
            AppCode::StoreLocked,
            "보관함이 잠겨 있습니다: 보관함 열쇠가 있는 감독자가 먼저 로그인하세요",
        )
    }

    pub fn not_signed_in() -> AppError {
        AppError::new(AppCode::NotSignedIn, "먼저 로그인하세요")
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code.code())
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
                AppError::new(AppCode::LedgerUnreachable, e.to_string())
            }
            relief_sync::SyncError::Refused { .. } => {
                AppError::new(AppCode::LedgerRefused, e.to_string())
            }
            relief_sync::SyncError::Protocol(_) => {
                AppError::new(AppCode::LedgerProtocol, e.to_string())
            }
        }
    }
}

impl From<relief_core::identity::IdNumberError> for AppError {
    fn from(e: relief_core::identity::IdNumberError) -> AppError {
        AppError::new(AppCode::IdentityNumber, e.to_string())
    }
}

impl From<relief_core::household::InvalidHouseholdSize> for AppError {
    fn from(e: relief_core::household::InvalidHouseholdSize) -> AppError {
        AppError::new(AppCode::HouseholdSize, e.to_string())
    }
}

impl From<relief_report::ReportError> for AppError {
    fn from(e: relief_report::ReportError) -> AppError {
        AppError::new(AppCode::Report, e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, AppError>;

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    #[test]
    fn no_code_is_both_the_stores_and_the_apps() {
        for app in AppCode::VARIANTS {
            assert!(
                app.code().parse::<relief_store::StoreCode>().is_err(),
                "{app} is a store code too"
            );
        }
    }

    #[test]
    fn the_window_receives_the_plain_code() {
        let e = AppError::new(relief_store::StoreCode::BadCredentials, "x");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":"bad_credentials","message":"x"}"#
        );
        let e = AppError::not_signed_in();
        assert_eq!(
            serde_json::to_value(&e).unwrap()["code"],
            serde_json::json!("not_signed_in")
        );
    }
}
