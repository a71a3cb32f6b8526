//! What can be wrong with a policy file, said so that whoever edits it can
//! find the line: the file, the field and the problem.

use chrono::NaiveDate;

use super::model::Basis;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {field}: {problem}")]
pub struct PolicyError {
    /// The file (or embedded policy) the text came from.
    pub file: String,
    /// Dotted path to the field, e.g. `window[2].until`; `.` for the whole file.
    pub field: String,
    pub problem: PolicyProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyProblem {
    #[error("TOML 형식 오류 ({line}번째 줄 {column}번째 칸): {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("값의 형식이 맞지 않습니다 ({line}번째 줄): {message}")]
    Shape { line: usize, message: String },
    #[error("지원하지 않는 정책 형식 schema = {found} (이 프로그램은 schema = {supported})")]
    UnsupportedSchema { found: u32, supported: u32 },
    #[error("비어 있으면 안 됩니다")]
    Empty,
    #[error("시군 코드 형식이 아닙니다 ({0:?}): 숫자 다섯 자리여야 합니다")]
    InvalidSigunguCode(String),
    #[error("regions에 없는 시군 코드입니다: {0}")]
    UnknownSigungu(String),
    #[error("날짜만 씁니다 (예: 2020-04-20), 받은 값: {0}")]
    NotADate(String),
    #[error("시간대 없는 날짜와 시각을 씁니다 (예: 2020-04-25T09:00:00), 받은 값: {0}")]
    NotADateTime(String),
    #[error("시작({from})이 끝({until})보다 늦습니다")]
    DatesOutOfOrder { from: String, until: String },
    #[error("캠페인 기간({first} ~ {last}) 밖입니다")]
    OutsidePeriod { first: NaiveDate, last: NaiveDate },
    #[error("{other}와(과) 기간이 겹칩니다")]
    Overlaps { other: String },
    #[error("같은 값이 두 번 있습니다: {0}")]
    Duplicate(String),
    #[error("출생연도 끝자리 {0}이(가) 어느 요일에도 없습니다")]
    DigitMissing(u8),
    #[error("출생연도 끝자리 {0}이(가) 두 번 있습니다")]
    DigitTwice(u8),
    #[error("0부터 9까지의 숫자가 아닙니다: {0}")]
    NotADigit(i64),
    #[error("odd_even 방식에는 요일 목록을 쓰지 않습니다")]
    WeekdaysWithOddEven,
    #[error("운영 시간은 \"09:00-18:00\" 꼴이고 시작이 끝보다 빨라야 합니다 (받은 값: {0:?})")]
    BadHours(String),
    #[error("금액은 0보다 커야 합니다 (받은 값: {0})")]
    NotPositive(i64),
    #[error("세대원 수는 1부터 {max}까지입니다 (받은 값: {found})")]
    HouseholdSize { found: i64, max: u8 },
    #[error("최소({min})가 최대({max})보다 큽니다")]
    MinAboveMax { min: i64, max: i64 },
    #[error("per_person, per_person_by_region, per_household 중 정확히 하나를 씁니다")]
    AmountRuleCount,
    #[error("basis = \"{basis}\" 캠페인에는 쓸 수 없는 금액 규칙입니다")]
    BasisMismatch { basis: Basis },
    #[error("세대원 수별 금액이 1인부터 빠짐없이 있어야 합니다: {0}인이 없습니다")]
    HouseholdSizeGap(u8),
    #[error("{0}에 적용되는 카드 한도가 없습니다")]
    NoCardLimit(NaiveDate),
    #[error("amount에 없는 지급 재원입니다: {0}")]
    UnknownSource(String),
    #[error("{0}을(를) 반드시 포함해야 합니다")]
    MustInclude(&'static str),
    #[error("허용 범위({min}~{max}) 밖입니다: {found}")]
    OutOfRange { found: i64, min: i64, max: i64 },
    #[error("명부에서 말소된 사람(removed)은 지급 대상이 될 수 없습니다")]
    RemovedEntitled,
    #[error("외국인 구분({0})을 지급 대상으로 하려면 foreign_residents.eligible = true여야 합니다")]
    ForeignStatusNotEligible(String),
    #[error(
        "단말기의 주민 명부는 그 시군의 것뿐이라 region = \"any_covered\"인 창구와 함께 쓸 수 없습니다"
    )]
    RollNeedsOwnSigungu,
}
