//! Everything the store can refuse or fail at, each with a stable code for
//! machines and a Korean message for the counter.

use chrono::{NaiveDate, NaiveDateTime};
use relief_core::proxy::{IdDocument, ProxyRefusal};
use relief_core::{Krw, Sigungu};

relief_core::closed_set! {
    /// What went wrong, as a stable code for programs (the window, the
    /// command line's JSON) to classify by; the message is for people.
    pub enum StoreCode {
        Database,
        Invariant,
        Migration,
        NewerSchema,
        NotInitialized,
        AlreadyInitialized,
        StoredPolicy,
        Corrupt,
        BadCredentials,
        LockedOut,
        SupervisorRequired,
        ClerkExists,
        WeakPin,
        WeakSupervisorPin,
        FirstClerkMustBeSupervisor,
        UnknownClerk,
        CannotRemoveSelf,
        LastKeyHolder,
        PurgeTooEarly,
        AlreadyPurged,
        PurgeAuditBroken,
        KeyFile,
        NoKeySlot,
        BadRecoveryCode,
        NotEncrypted,
        Missing,
        BadSerialRange,
        BadSerial,
        BatchTooLarge,
        SerialExists,
        UnknownCard,
        CardNotInStock,
        CardFaceValueTooLow,
        BadAdjustment,
        NoBeneficiaries,
        SameBeneficiaryTwice,
        SameCardTwice,
        SelfMismatch,
        IdDocumentNotAccepted,
        UnknownSigungu,
        NotEligible,
        ProxyRefused,
        AlreadyPaidHere,
        PaidElsewhere,
        BeingServed,
        VisitEnded,
        AmountTooLarge,
        UnknownVisit,
        CardCountMismatch,
        OfflineRefused,
        OfflineNeedsSupervisor,
        OfflineApprovalBounds,
        NoOfflineApproval,
        CardSplit,
        UnknownIssuance,
        AlreadyVoided,
        ClockNotSettable,
        AlreadyEnrolled,
        NotEnrolled,
        PolicySignature,
        LedgerKeyMismatch,
        SiteMismatch,
        CampaignChangeAfterIssuance,
        UnknownConflict,
        ConflictClosed,
        RollSignature,
        RollOutOfOrder,
        RollExceptionNotNeeded,
        RollExceptionNotAllowed,
        NotInHousehold,
        DayClosed,
        DayNotClosed,
        CloseInFuture,
        CloseOutdated,
        UnsentEvents,
        CountMissing,
        CountNeedsSerials,
        CountDisagrees,
        NotInDrawer,
    }
}

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
    #[error("감독자 PIN은 보관함 열쇠를 잠그므로 숫자 {min}~{max}자리입니다", min = crate::clerk::SUPERVISOR_PIN_DIGITS.start(), max = crate::clerk::SUPERVISOR_PIN_DIGITS.end())]
    WeakSupervisorPin,
    #[error("첫 직원은 감독자여야 합니다")]
    FirstClerkMustBeSupervisor,
    #[error("등록된 직원이 아닙니다: {0}")]
    UnknownClerk(String),
    #[error("자기 자신은 지울 수 없습니다")]
    CannotRemoveSelf,
    #[error("개인정보는 {until}까지 보관합니다: 그 다음 날부터 파기할 수 있습니다")]
    PurgeTooEarly { until: NaiveDate },
    #[error("개인정보는 이미 {0}에 파기했습니다")]
    AlreadyPurged(NaiveDateTime),
    #[error(
        "감사 기록이 온전하지 않아 파기하지 않았습니다: 먼저 감사 기록을 검증하고 원인을 확인하세요"
    )]
    PurgeAuditBroken,
    #[error("보관함 열쇠를 가진 마지막 감독자는 지울 수 없습니다: 다른 감독자를 먼저 등록하세요")]
    LastKeyHolder,

    // --- the encrypted store's keys
    #[error("열쇠 파일 {path}을(를) 읽거나 쓸 수 없습니다: {reason}")]
    KeyFile {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("{0}에게는 보관함 열쇠가 없습니다: 열쇠가 있는 감독자가 로그인해야 보관함이 열립니다")]
    NoKeySlot(String),
    #[error("복구 코드가 맞지 않습니다")]
    BadRecoveryCode,
    #[error("암호화되지 않은 보관함입니다: 감독자가 로그인하면 암호화됩니다")]
    NotEncrypted,
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
        channel.label()
    )]
    PaidElsewhere {
        masked: String,
        channel: relief_core::Channel,
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
    #[error("오프라인 발급 승인은 {max_minutes}분, {max_issuances}건까지입니다 (1 이상)")]
    OfflineApprovalBounds {
        max_minutes: u32,
        max_issuances: u32,
    },
    #[error("이 창구에 열린 오프라인 발급 승인이 없습니다")]
    NoOfflineApproval,
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

    // --- the resident roll
    #[error("주민 명부의 서명이 원장 서버의 키와 맞지 않습니다: 받지 않습니다 ({0})")]
    RollSignature(relief_protocol::SignatureError),
    #[error("주민 명부의 받은 부분이 이어지지 않습니다: {0}")]
    RollOutOfOrder(String),
    #[error("{0}은(는) 주민 명부로 확인되어 명부 예외가 필요 없습니다")]
    RollExceptionNotNeeded(String),
    #[error("캠페인 정책에 없는 명부 예외입니다: {0}")]
    RollExceptionNotAllowed(relief_core::roll::RollOverride),
    #[error("주민 명부에서 신청인과 같은 세대가 아닌 사람은 세대원으로 고를 수 없습니다")]
    NotInHousehold,

    // --- the day close
    #[error("{0}은(는) 마감된 날입니다: 감독자가 마감을 취소해야 발급할 수 있습니다")]
    DayClosed(NaiveDate),
    #[error("{0}은(는) 마감되지 않은 날입니다")]
    DayNotClosed(NaiveDate),
    #[error("{0}은(는) 아직 오지 않은 날이라 마감할 수 없습니다")]
    CloseInFuture(NaiveDate),
    #[error("마감을 준비하는 사이에 장부가 바뀌었습니다: 서랍을 다시 세고 마감하세요")]
    CloseOutdated,
    #[error(
        "원장 서버에 보내지 못한 이벤트가 {0}건 있습니다: 동기화하거나, 보내지 못한 사유를 적고 마감하세요"
    )]
    UnsentEvents(u64),
    #[error("액면 {0} 카드를 세지 않았습니다")]
    CountMissing(Krw),
    #[error(
        "액면 {face_value} 카드: 장부 {expected}장, 센 수 {counted}장입니다 (불일치). 어느 카드인지 알 수 있도록 일련번호를 스캔하세요"
    )]
    CountNeedsSerials {
        face_value: Krw,
        expected: u64,
        counted: u64,
    },
    #[error("액면 {face_value} 카드: 입력한 수 {typed}장과 스캔한 카드 {scanned}장이 다릅니다")]
    CountDisagrees {
        face_value: Krw,
        typed: u64,
        scanned: u64,
    },
    #[error("카드 {serial}은(는) {state} 상태라 서랍에 있을 수 없습니다: 확인하세요")]
    NotInDrawer { serial: String, state: &'static str },
}

impl Error {
    /// Stable snake_case code, so a front end can classify an error without
    /// reading its message.
    pub fn code(&self) -> StoreCode {
        match self {
            Error::Database(_) => StoreCode::Database,
            Error::Invariant(_) => StoreCode::Invariant,
            Error::Migration(_) => StoreCode::Migration,
            Error::NewerSchema { .. } => StoreCode::NewerSchema,
            Error::NotInitialized => StoreCode::NotInitialized,
            Error::AlreadyInitialized => StoreCode::AlreadyInitialized,
            Error::StoredPolicy(_) => StoreCode::StoredPolicy,
            Error::Corrupt(_) => StoreCode::Corrupt,
            Error::BadCredentials => StoreCode::BadCredentials,
            Error::LockedOut { .. } => StoreCode::LockedOut,
            Error::SupervisorRequired => StoreCode::SupervisorRequired,
            Error::ClerkExists(_) => StoreCode::ClerkExists,
            Error::WeakPin => StoreCode::WeakPin,
            Error::WeakSupervisorPin => StoreCode::WeakSupervisorPin,
            Error::UnknownClerk(_) => StoreCode::UnknownClerk,
            Error::CannotRemoveSelf => StoreCode::CannotRemoveSelf,
            Error::LastKeyHolder => StoreCode::LastKeyHolder,
            Error::PurgeTooEarly { .. } => StoreCode::PurgeTooEarly,
            Error::AlreadyPurged(_) => StoreCode::AlreadyPurged,
            Error::PurgeAuditBroken => StoreCode::PurgeAuditBroken,
            Error::KeyFile { .. } => StoreCode::KeyFile,
            Error::NoKeySlot(_) => StoreCode::NoKeySlot,
            Error::BadRecoveryCode => StoreCode::BadRecoveryCode,
            Error::NotEncrypted => StoreCode::NotEncrypted,
            Error::FirstClerkMustBeSupervisor => StoreCode::FirstClerkMustBeSupervisor,
            Error::Missing { .. } => StoreCode::Missing,
            Error::BadSerialRange(_) => StoreCode::BadSerialRange,
            Error::BadSerial(_) => StoreCode::BadSerial,
            Error::BatchTooLarge { .. } => StoreCode::BatchTooLarge,
            Error::SerialExists(_) => StoreCode::SerialExists,
            Error::UnknownCard(_) => StoreCode::UnknownCard,
            Error::CardNotInStock { .. } => StoreCode::CardNotInStock,
            Error::CardFaceValueTooLow { .. } => StoreCode::CardFaceValueTooLow,
            Error::BadAdjustment { .. } => StoreCode::BadAdjustment,
            Error::NoBeneficiaries => StoreCode::NoBeneficiaries,
            Error::SameBeneficiaryTwice => StoreCode::SameBeneficiaryTwice,
            Error::SameCardTwice(_) => StoreCode::SameCardTwice,
            Error::SelfMismatch => StoreCode::SelfMismatch,
            Error::IdDocumentNotAccepted(_) => StoreCode::IdDocumentNotAccepted,
            Error::UnknownSigungu(_) => StoreCode::UnknownSigungu,
            Error::NotEligible { .. } => StoreCode::NotEligible,
            Error::Proxy { .. } => StoreCode::ProxyRefused,
            Error::AlreadyPaidHere { .. } => StoreCode::AlreadyPaidHere,
            Error::PaidElsewhere { .. } => StoreCode::PaidElsewhere,
            Error::BeingServed { .. } => StoreCode::BeingServed,
            Error::VisitEnded(_) => StoreCode::VisitEnded,
            Error::AmountTooLarge => StoreCode::AmountTooLarge,
            Error::UnknownVisit(_) => StoreCode::UnknownVisit,
            Error::CardCountMismatch { .. } => StoreCode::CardCountMismatch,
            Error::OfflineRefused => StoreCode::OfflineRefused,
            Error::OfflineNeedsSupervisor => StoreCode::OfflineNeedsSupervisor,
            Error::OfflineApprovalBounds { .. } => StoreCode::OfflineApprovalBounds,
            Error::NoOfflineApproval => StoreCode::NoOfflineApproval,
            Error::CardSplit(_) => StoreCode::CardSplit,
            Error::UnknownIssuance(_) => StoreCode::UnknownIssuance,
            Error::AlreadyVoided(_) => StoreCode::AlreadyVoided,
            Error::ClockNotSettable => StoreCode::ClockNotSettable,
            Error::AlreadyEnrolled => StoreCode::AlreadyEnrolled,
            Error::NotEnrolled => StoreCode::NotEnrolled,
            Error::PolicySignature(_) => StoreCode::PolicySignature,
            Error::LedgerKeyMismatch { .. } => StoreCode::LedgerKeyMismatch,
            Error::SiteMismatch { .. } => StoreCode::SiteMismatch,
            Error::CampaignChangeAfterIssuance => StoreCode::CampaignChangeAfterIssuance,
            Error::UnknownConflict(_) => StoreCode::UnknownConflict,
            Error::ConflictClosed(_) => StoreCode::ConflictClosed,
            Error::RollSignature(_) => StoreCode::RollSignature,
            Error::RollOutOfOrder(_) => StoreCode::RollOutOfOrder,
            Error::RollExceptionNotNeeded(_) => StoreCode::RollExceptionNotNeeded,
            Error::RollExceptionNotAllowed(_) => StoreCode::RollExceptionNotAllowed,
            Error::NotInHousehold => StoreCode::NotInHousehold,
            Error::DayClosed(_) => StoreCode::DayClosed,
            Error::DayNotClosed(_) => StoreCode::DayNotClosed,
            Error::CloseInFuture(_) => StoreCode::CloseInFuture,
            Error::CloseOutdated => StoreCode::CloseOutdated,
            Error::UnsentEvents(_) => StoreCode::UnsentEvents,
            Error::CountMissing(_) => StoreCode::CountMissing,
            Error::CountNeedsSerials { .. } => StoreCode::CountNeedsSerials,
            Error::CountDisagrees { .. } => StoreCode::CountDisagrees,
            Error::NotInDrawer { .. } => StoreCode::NotInDrawer,
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

/// A stored code that is not of its set: the row is damaged.
impl From<relief_core::UnknownCode> for Error {
    fn from(e: relief_core::UnknownCode) -> Error {
        Error::Corrupt(e.to_string())
    }
}

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
