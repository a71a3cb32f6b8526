//! Every way a command can fail, turned into one Korean line at the edge.

use std::path::PathBuf;
use std::process::ExitCode;

use relief_core::Sigungu;
use relief_core::household::InvalidHouseholdSize;
use relief_core::identity::{IdNumberError, SecretError};
use relief_core::policy::PolicyError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("정책 파일을 읽을 수 없습니다 ({path}): {source}")]
    PolicyUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("정책 파일 오류: {0}")]
    Policy(#[from] PolicyError),
    #[error("정책 {campaign}에 없는 시군 코드입니다: {code}")]
    UnknownSigungu { campaign: String, code: Sigungu },
    #[error(transparent)]
    HouseholdSize(#[from] InvalidHouseholdSize),
    #[error("출생연도 {year}은(는) 있을 수 없습니다 (방문일 {at_year}년 기준)")]
    BirthYear { year: i32, at_year: i32 },
    #[error("주민등록번호: {0}")]
    IdNumber(#[from] IdNumberError),
    #[error("캠페인 비밀키: {0}")]
    Secret(#[from] SecretError),
    #[error("{0}")]
    Input(String),
    /// A code not of its set (a report format, a paper).
    #[error(transparent)]
    UnknownCode(#[from] relief_core::UnknownCode),
    #[error("표준 입력을 읽을 수 없습니다: {0}")]
    Stdin(std::io::Error),
    #[error("데이터 폴더를 만들 수 없습니다 ({path}): {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("데이터 폴더를 정할 수 없습니다: --data-dir를 지정하세요")]
    NoDataDir,
    #[error(
        "보관함은 감독자의 PIN으로 열립니다: RELIEF_OPENER(감독자 직원 번호)와 RELIEF_OPENER_PIN을 주세요"
    )]
    NoOpener,
    #[error("{0}")]
    Store(#[from] relief_store::Error),
    #[error("감사 기록 검증 실패: {0}")]
    AuditBroken(relief_store::AuditFinding),
    #[error("결과를 출력할 수 없습니다: {0}")]
    Output(#[from] serde_json::Error),
    #[error("{0}")]
    Sync(#[from] relief_sync::SyncError),
    #[error("보고서: {0}")]
    Report(#[from] relief_report::ReportError),
    #[error("파일을 쓸 수 없습니다 ({path}): {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl CliError {
    /// 0 success; 1 a fault of the terminal; 2 input to correct; 3 refused
    /// by the campaign's rules, the store's invariants or the ledger; 4 a
    /// broken audit chain; 5 the ledger could not be reached.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Stdin(_)
            | CliError::Output(_)
            | CliError::DataDir { .. }
            | CliError::Write { .. } => ExitCode::FAILURE,
            CliError::Store(e) | CliError::Sync(relief_sync::SyncError::Store(e))
                if !e.is_refusal() =>
            {
                ExitCode::FAILURE
            }
            CliError::Store(_) | CliError::Sync(relief_sync::SyncError::Store(_)) => {
                ExitCode::from(3)
            }
            CliError::Sync(relief_sync::SyncError::Refused { .. }) => ExitCode::from(3),
            CliError::Sync(
                relief_sync::SyncError::Unreachable(_) | relief_sync::SyncError::NotConnected(_),
            ) => ExitCode::from(5),
            CliError::Sync(relief_sync::SyncError::Protocol(_)) => ExitCode::FAILURE,
            CliError::AuditBroken(_) => ExitCode::from(4),
            _ => ExitCode::from(2),
        }
    }

    /// Why the rules refused a visitor (`not_on_roll`, `wrong_week`, ...),
    /// beside the error's code.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            CliError::Store(relief_store::Error::NotEligible { reason, .. })
            | CliError::Sync(relief_sync::SyncError::Store(relief_store::Error::NotEligible {
                reason,
                ..
            })) => Some(reason),
            _ => None,
        }
    }

    /// Stable code for `--json` error output.
    pub fn code(&self) -> &'static str {
        match self {
            CliError::Store(e) => e.code().code(),
            CliError::AuditBroken(_) => "audit_broken",
            CliError::PolicyUnreadable { .. } | CliError::Policy(_) => "policy",
            CliError::UnknownSigungu { .. } => "unknown_sigungu",
            CliError::HouseholdSize(_) => "household_size",
            CliError::BirthYear { .. } => "birth_year",
            CliError::IdNumber(_) => "identity_number",
            CliError::Secret(_) => "campaign_secret",
            CliError::Input(_) | CliError::UnknownCode(_) => "input",
            CliError::Stdin(_) => "stdin",
            CliError::DataDir { .. } | CliError::NoDataDir => "data_dir",
            CliError::NoOpener => "no_opener",
            CliError::Output(_) => "output",
            CliError::Report(_) => "report",
            CliError::Write { .. } => "write",
            CliError::Sync(e) => e.code(),
        }
    }
}
