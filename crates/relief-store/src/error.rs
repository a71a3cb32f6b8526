//! Everything the store can refuse or fail at, each with a stable code for
//! machines and a Korean message for the counter.

use chrono::NaiveDateTime;
use relief_core::proxy::{IdDocument, ProxyRefusal};
use relief_core::{Krw, Sigungu};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // --- the database itself
    #[error("데이터베이스 오류: {0}")]
    Database(rusqlite::Error),
    /// A constraint or trigger of the database refused a write: an
    /// invariant held by the database itself.
    #[error("저장소가 규칙에 어긋난 기록을 거부했습니다 ({0})")]
    Invariant(String),
    #[error("데이터베이스 구조를 올릴 수 없습니다: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error(
        "이 단말기 데이터는 더 새 버전의 프로그램이 만든 것입니다 (구조 버전 {found}, 이 프로그램은 {supported}까지 읽습니다). 프로그램을 업데이트하세요. 데이터는 건드리지 않았습니다."
    )]
    NewerSchema { found: i64, supported: i64 },
    #[error("단말기가 아직 설정되지 않았습니다 (relief init)")]
    NotInitialized,
    #[error("단말기가 이미 설정되어 있습니다")]
    AlreadyInitialized,
    #[error("저장된 캠페인 정책을 읽을 수 없습니다: {0}")]
    StoredPolicy(#[from] relief_core::policy::PolicyError),
    #[error("저장된 자료가 손상되었습니다: {0}")]
    Corrupt(String),

    // --- clerks and sign-in
    #[error("등록되지 않은 직원이거나 PIN이 틀립니다")]
    BadCredentials,
    #[error("PIN을 {failures}번 틀려 {until}까지 잠겼습니다")]
    LockedOut { failures: u32, until: NaiveDateTime },
    #[error("감독자만 할 수 있는 일입니다")]
    SupervisorRequired,
    #[error("이미 등록된 직원 번호입니다: {0}")]
    ClerkExists(String),
    #[error("PIN은 숫자 {min}~{max}자리입니다", min = crate::clerk::PIN_DIGITS.start(), max = crate::clerk::PIN_DIGITS.end())]
    WeakPin,
    #[error("첫 직원은 감독자여야 합니다")]
    FirstClerkMustBeSupervisor,
    #[error("{field}을(를) 입력하세요")]
    Missing { field: &'static str },

    // --- card stock
    #[error("카드 번호 범위가 올바르지 않습니다: {0}")]
    BadSerialRange(String),
    #[error("카드 번호가 올바르지 않습니다: {0:?} (영문·숫자·'-' 32자 이내)")]
    BadSerial(String),
    #[error("한 번에 받을 수 있는 카드는 {max}장까지입니다 ({found}장)")]
    BatchTooLarge { found: usize, max: usize },
    #[error("이미 입고된 카드 번호입니다: {0}")]
    SerialExists(String),
    #[error("재고에 없는 카드 번호입니다: {0}")]
    UnknownCard(String),
    #[error("지금 발급할 수 있는 카드가 아닙니다: {serial} (상태: {state})")]
    CardNotInStock { serial: String, state: &'static str },
    #[error("카드 {serial}에는 {face_value}까지만 담을 수 있습니다 ({amount} 필요)")]
    CardFaceValueTooLow {
        serial: String,
        face_value: Krw,
        amount: Krw,
    },
    #[error("카드 {serial}은(는) {from} 상태에서 {to}(으)로 바꿀 수 없습니다")]
    BadAdjustment {
        serial: String,
        from: &'static str,
        to: &'static str,
    },

    // --- issuance
    #[error("받는 사람을 한 명 이상 입력하세요")]
    NoBeneficiaries,
    #[error("같은 사람이 두 번 들어 있습니다")]
    SameBeneficiaryTwice,
    #[error("같은 카드가 두 번 들어 있습니다: {0}")]
    SameCardTwice(String),
    #[error("본인 수령이면 신청인과 받는 사람이 같아야 합니다")]
    SelfMismatch,
    #[error("{}은(는) 이번 지원금에서 받지 않는 신분증입니다", .0.label())]
    IdDocumentNotAccepted(IdDocument),
    #[error("정책에 없는 시군 코드입니다: {0}")]
    UnknownSigungu(Sigungu),
    #[error("{name}: 지금 발급할 수 없습니다. {message}")]
    NotEligible {
        name: String,
        reason: &'static str,
        message: String,
    },
    #[error("{name}: {refusal}")]
    Proxy { name: String, refusal: ProxyRefusal },
    #[error("{masked}: 이 단말기에서 이미 지급했습니다 ({issued_at}, 발급번호 {issuance_id})")]
    AlreadyPaidHere {
        masked: String,
        issuance_id: String,
        issued_at: NaiveDateTime,
    },
    #[error(
        "{masked}: 이미 다른 곳에서 지급받았습니다 ({}, {site}, {paid_at})",
        relief_core::site::channel_label(channel)
    )]
    PaidElsewhere {
        masked: String,
        channel: String,
        site: String,
        paid_at: String,
    },
    #[error(
        "{masked}: 지금 {site}에서 확인 중인 분입니다 ({since}부터). 그곳의 처리가 끝난 뒤 다시 확인하세요"
    )]
    BeingServed {
        masked: String,
        site: String,
        since: String,
    },
    #[error("이미 끝난 방문입니다 ({0}): 처음부터 다시 확인하세요")]
    VisitEnded(String),
    #[error("없는 방문입니다: {0}")]
    UnknownVisit(String),
    #[error("지급 총액이 너무 큽니다")]
    AmountTooLarge,
    #[error("카드 {needed}장이 필요합니다 ({scanned}장 입력됨)")]
    CardCountMismatch { needed: usize, scanned: usize },
    #[error(
        "원장 서버에 연결되지 않아 발급할 수 없습니다 (이 캠페인은 오프라인 발급을 허용하지 않습니다)"
    )]
    OfflineRefused,
    #[error("원장 서버에 연결되지 않았습니다. 오프라인 발급에는 감독자 승인이 필요합니다")]
    OfflineNeedsSupervisor,
    #[error("발급 총액을 카드에 나눌 수 없습니다: {0}")]
    CardSplit(#[from] relief_core::card::CardSplitError),

    // --- voids
    #[error("없는 발급번호입니다: {0}")]
    UnknownIssuance(String),
    #[error("이미 취소된 발급입니다: {0}")]
    AlreadyVoided(String),
    #[error("데모 단말기에서만 시각을 지정할 수 있습니다")]
    ClockNotSettable,

    // --- sync
    #[error("이미 원장 서버에 등록된 단말기입니다")]
    AlreadyEnrolled,
    #[error("원장 서버에 등록되지 않은 단말기입니다")]
    NotEnrolled,
    #[error("{0}")]
    PolicySignature(relief_protocol::SignatureError),
    #[error("원장 서버 키 지문이 다릅니다 (기대 {expected}, 받은 키 {found}): 등록하지 않습니다")]
    LedgerKeyMismatch { expected: String, found: String },
    #[error("등록 코드의 사이트({theirs})가 이 단말기({ours})와 다릅니다")]
    SiteMismatch { ours: String, theirs: String },
    #[error("이미 발급한 기록이 있어 캠페인이나 비밀키를 바꿀 수 없습니다")]
    CampaignChangeAfterIssuance,
    #[error("없는 충돌 번호입니다: {0}")]
    UnknownConflict(String),
    #[error("이미 처리된 충돌입니다: {0}")]
    ConflictClosed(String),
}

impl Error {
    /// Stable snake_case code, so a front end can classify an error without
    /// reading its message.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Database(_) => "database",
            Error::Invariant(_) => "invariant",
            Error::Migration(_) => "migration",
            Error::NewerSchema { .. } => "newer_schema",
            Error::NotInitialized => "not_initialized",
            Error::AlreadyInitialized => "already_initialized",
            Error::StoredPolicy(_) => "stored_policy",
            Error::Corrupt(_) => "corrupt",
            Error::BadCredentials => "bad_credentials",
            Error::LockedOut { .. } => "locked_out",
            Error::SupervisorRequired => "supervisor_required",
            Error::ClerkExists(_) => "clerk_exists",
            Error::WeakPin => "weak_pin",
            Error::FirstClerkMustBeSupervisor => "first_clerk_must_be_supervisor",
            Error::Missing { .. } => "missing",
            Error::BadSerialRange(_) => "bad_serial_range",
            Error::BadSerial(_) => "bad_serial",
            Error::BatchTooLarge { .. } => "batch_too_large",
            Error::SerialExists(_) => "serial_exists",
            Error::UnknownCard(_) => "unknown_card",
            Error::CardNotInStock { .. } => "card_not_in_stock",
            Error::CardFaceValueTooLow { .. } => "card_face_value_too_low",
            Error::BadAdjustment { .. } => "bad_adjustment",
            Error::NoBeneficiaries => "no_beneficiaries",
            Error::SameBeneficiaryTwice => "same_beneficiary_twice",
            Error::SameCardTwice(_) => "same_card_twice",
            Error::SelfMismatch => "self_mismatch",
            Error::IdDocumentNotAccepted(_) => "id_document_not_accepted",
            Error::UnknownSigungu(_) => "unknown_sigungu",
            Error::NotEligible { .. } => "not_eligible",
            Error::Proxy { .. } => "proxy_refused",
            Error::AlreadyPaidHere { .. } => "already_paid_here",
            Error::PaidElsewhere { .. } => "paid_elsewhere",
            Error::BeingServed { .. } => "being_served",
            Error::VisitEnded(_) => "visit_ended",
            Error::AmountTooLarge => "amount_too_large",
            Error::UnknownVisit(_) => "unknown_visit",
            Error::CardCountMismatch { .. } => "card_count_mismatch",
            Error::OfflineRefused => "offline_refused",
            Error::OfflineNeedsSupervisor => "offline_needs_supervisor",
            Error::CardSplit(_) => "card_split",
            Error::UnknownIssuance(_) => "unknown_issuance",
            Error::AlreadyVoided(_) => "already_voided",
            Error::ClockNotSettable => "clock_not_settable",
            Error::AlreadyEnrolled => "already_enrolled",
            Error::NotEnrolled => "not_enrolled",
            Error::PolicySignature(_) => "policy_signature",
            Error::LedgerKeyMismatch { .. } => "ledger_key_mismatch",
            Error::SiteMismatch { .. } => "site_mismatch",
            Error::CampaignChangeAfterIssuance => "campaign_change_after_issuance",
            Error::UnknownConflict(_) => "unknown_conflict",
            Error::ConflictClosed(_) => "conflict_closed",
        }
    }

    /// Refusals the clerk can act on, as opposed to faults of the terminal.
    pub fn is_refusal(&self) -> bool {
        !matches!(
            self,
            Error::Database(_) | Error::Migration(_) | Error::Corrupt(_) | Error::StoredPolicy(_)
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Error {
        match &error {
            rusqlite::Error::SqliteFailure(e, message)
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Error::Invariant(message.clone().unwrap_or_else(|| e.to_string()))
            }
            _ => Error::Database(error),
        }
    }
}
