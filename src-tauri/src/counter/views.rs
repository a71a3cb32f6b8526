//! What crosses between the window and the shell. The TypeScript types in
//! `ui/src/bindings` are generated from these (`cargo test -p relief-app`),
//! so the two cannot drift.

use relief_core::policy::{Basis, OfflineMode};
use relief_core::proxy::{IdDocument, Relation};
use relief_core::{Labelled, SiteType};
use relief_protocol::{CardDisposition, ConflictStatus};
use relief_report::receipt::Paper;
use relief_report::{Format, ReportKind};
use relief_store::Role;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

relief_core::closed_set! {
    /// Where a person was paid already.
    pub enum PaidPlace {
        Here => "이 창구",
        Elsewhere => "다른 곳",
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SessionView {
    pub employee_id: String,
    pub name: String,
    pub role: Role,
    /// `담당자` or `감독자`
    pub role_label: String,
    /// The store's recovery code, made at this start (a new terminal, or a
    /// store encrypted now): shown once, to the first supervisor in.
    pub recovery_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Region {
    pub code: String,
    pub name: String,
}

/// One of a closed set, with its words, for a list to choose from.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Choice<T> {
    pub code: T,
    pub label: String,
}

impl<T: Labelled> Choice<T> {
    pub fn of(code: T) -> Choice<T> {
        Choice {
            code,
            label: code.label().to_owned(),
        }
    }

    /// Every code of the set, in the order it declares them.
    pub fn every() -> Vec<Choice<T>> {
        T::VARIANTS.iter().copied().map(Choice::of).collect()
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncView {
    pub enrolled: bool,
    /// The ledger answered within the last minute.
    pub online: bool,
    pub last_contact: Option<String>,
    pub pending: u64,
    pub rejected: u64,
    pub open_conflicts: u64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppStatus {
    pub site_code: String,
    pub site_name: String,
    pub site_type: SiteType,
    pub sigungu: String,
    pub campaign: String,
    pub policy_version: String,
    pub demo: bool,
    /// The counter's time, `YYYY-MM-DDTHH:MM:SS`.
    pub now: String,
    pub idle_lock_minutes: u32,
    pub offline_mode: OfflineMode,
    /// The approval of offline issuance in force here, if any.
    pub offline_approval: Option<OfflineApprovalView>,
    pub offline_approval_bounds: OfflineApprovalBoundsView,
    pub session: Option<SessionView>,
    /// The signed-in clerk's shift today (none before their first issuance).
    pub my_shift: Option<ShiftView>,
    /// Every clerk's shift today: for a supervisor only (empty otherwise).
    pub shifts: Vec<ShiftView>,
    pub sync: SyncView,
    pub roll: RollView,
    pub cards_on_hand: u64,
    /// Today is closed (마감): the counter takes no issuance.
    pub day_closed: bool,
    pub regions: Vec<Region>,
    pub relations: Vec<Choice<Relation>>,
    pub id_documents: Vec<Choice<IdDocument>>,
    pub roles: Vec<Choice<Role>>,
    pub card_dispositions: Vec<Choice<CardDisposition>>,
    pub report_kinds: Vec<Choice<ReportKind>>,
    pub report_formats: Vec<Choice<Format>>,
}

/// The terminal's copy of the resident roll, for the status bar.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RollView {
    /// 0: no roll yet.
    pub version: u64,
    /// A download under way: how many people have come, of how many.
    pub received: Option<u64>,
    pub expected: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CheckInput {
    pub rrn: String,
    /// As the visitor states it; not asked where the roll lists them.
    pub household_size: Option<u32>,
    pub resident_sigungu: String,
}

/// One member of the applicant's household on the roll.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MemberView {
    /// Their beneficiary key (hex): how the window names them back.
    pub key: String,
    pub masked: String,
    pub age: u32,
    pub eupmyeondong: String,
    /// 주민, 결혼이민자, 말소(전출·사망), ...
    pub status: String,
    pub applicant: bool,
    /// On the register and of this 시군: counted in the household, and
    /// may be collected for.
    pub registered: bool,
    pub minor: bool,
    pub paid: Option<PaidView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Share {
    pub label: String,
    pub amount: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PaidView {
    #[serde(rename = "where")]
    #[ts(rename = "where")]
    pub place: PaidPlace,
    /// In words: where, when.
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CheckView {
    pub allowed: bool,
    pub reason: String,
    pub message: String,
    /// Up to three dates, in words: `4월 21일(화)`.
    pub next: Vec<String>,
    pub masked: String,
    pub foreign: bool,
    pub age: u32,
    /// The last digit disagrees with the checksum: look at the ID again.
    pub check_digit_mismatch: bool,
    /// For a minor: who may collect for them (the proxy rules).
    pub minor_notice: Option<String>,
    pub per_person: u64,
    pub household_total: u64,
    pub shares: Vec<Share>,
    pub basis: Basis,
    pub paid: Option<PaidView>,
    /// The household as the roll lists it (none without a roll); its
    /// size is then the roll's.
    pub household: Option<Vec<MemberView>>,
    pub household_size: Option<u8>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct BeneficiaryInput {
    /// Empty for the applicant themself.
    pub rrn: String,
    /// A member ticked on the roll's household: their key (hex), instead
    /// of a number.
    pub member: Option<String>,
    pub name: String,
    pub relation: Relation,
    /// Not asked where the roll lists them.
    pub household_size: Option<u32>,
    pub resident_sigungu: String,
}

/// What one clerk handed over today, as a till counts it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ShiftView {
    pub clerk_id: String,
    pub clerk_name: String,
    /// Issuances that stand; voided ones are counted apart.
    pub issuances: u64,
    pub people: u64,
    pub cards: u64,
    pub total: u64,
    pub voided: u64,
}

impl ShiftView {
    pub fn of(s: &relief_store::Shift) -> ShiftView {
        ShiftView {
            clerk_id: s.clerk_id.clone(),
            clerk_name: s.clerk_name.clone(),
            issuances: s.issuances,
            people: s.people,
            cards: s.cards,
            total: s.total.won(),
            voided: s.voided,
        }
    }
}

/// A supervisor opens offline issuance at this counter.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct OfflineApprovalInput {
    pub employee_id: String,
    pub pin: String,
    pub minutes: u32,
    pub issuances: u32,
}

/// The approval of offline issuance in force at this counter.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OfflineApprovalView {
    pub opened_by: String,
    pub opened_by_name: String,
    /// `HH:MM`: it ends then at the latest.
    pub until: String,
    pub remaining: u32,
    pub max_issuances: u32,
}

/// What one approval may cover at most (the policy's bounds).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OfflineApprovalBoundsView {
    pub max_minutes: u32,
    pub max_issuances: u32,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct Approver {
    pub employee_id: String,
    pub pin: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct IssueInput {
    pub applicant_rrn: String,
    pub applicant_name: String,
    pub id_document: IdDocument,
    pub beneficiaries: Vec<BeneficiaryInput>,
    pub cards: Vec<String>,
    pub household_of_minors: bool,
    /// A supervisor approving an offline issuance, if one was asked for.
    pub approver: Option<Approver>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct QuoteLine {
    pub masked: String,
    pub name: String,
    pub amount: u64,
    pub paid: Option<PaidView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct QuoteView {
    pub lines: Vec<QuoteLine>,
    pub total: u64,
    /// The amount to load on each card, fewest cards under the day's limit.
    pub cards: Vec<u64>,
}

/// The cards scanned so far for a visit, and the amounts its split loads.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CardsInput {
    pub serials: Vec<String>,
    pub amounts: Vec<u64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReceiptView {
    pub campaign: String,
    pub site_name: String,
    pub issuance_id: String,
    pub issued_at: String,
    pub applicant: String,
    pub id_document: String,
    pub beneficiaries: Vec<QuoteLine>,
    pub cards: Vec<CardLine>,
    pub total: u64,
    pub clerk: String,
    pub terms: Vec<String>,
    pub offline: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CardLine {
    pub serial: String,
    pub amount: u64,
    /// When it can be spent (`확인 후 사용 가능`, `사용 가능`, `보류`...):
    /// what the ledger last said of it.
    pub activation: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IssuanceRow {
    pub id: String,
    pub issued_at: String,
    pub clerk: String,
    pub people: String,
    pub cards: String,
    pub total: u64,
    pub offline: bool,
    pub voided: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct VoidInput {
    pub issuance_id: String,
    pub reason: String,
    pub disposition: CardDisposition,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConflictRow {
    pub id: String,
    /// Still waiting for a supervisor's decision.
    pub open: bool,
    pub status: ConflictStatus,
    /// The status in words.
    pub status_label: String,
    pub standing: String,
    pub other: String,
    pub our_issuance: Option<String>,
    /// Our issuance's cards and what the ledger last said of each
    /// (`GG-0003 · 보류 (이중 지급 확인 중)`): the one held is named.
    pub our_cards: Vec<String>,
    pub detected_at: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct StockInput {
    pub first: String,
    pub last: String,
    pub face_value: u64,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StockRow {
    pub face_value: u64,
    pub on_hand: u64,
    pub issued: u64,
    pub damaged: u64,
    pub lost: u64,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ClerkInput {
    pub employee_id: String,
    pub name: String,
    pub role: Role,
    pub pin: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ClerkRow {
    pub employee_id: String,
    pub name: String,
    pub role_label: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct EnrollInput {
    pub ledger_url: String,
    pub code: String,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ReportInput {
    pub kind: ReportKind,
    /// `YYYY-MM-DD`
    pub date: String,
    pub format: Format,
    pub path: String,
}

/// A receipt to save as a PDF.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ReceiptPdfInput {
    pub issuance_id: String,
    pub paper: Paper,
    pub path: String,
}

/// The drawer as the supervisor counted it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CloseInput {
    /// `YYYY-MM-DD`
    pub date: String,
    pub counts: Vec<DrawerTyped>,
    /// Serials scanned, of any face value.
    pub scanned: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DrawerTyped {
    pub face_value: u64,
    pub count: u64,
}

/// What closing the day would record.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ClosePreview {
    pub faces: Vec<CloseFaceRow>,
    /// Events the ledger has not acknowledged.
    pub unsent: u64,
    pub balanced: bool,
    /// Counted less expected: cards short below 0.
    pub difference: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CloseFaceRow {
    pub face_value: u64,
    pub expected: u64,
    pub counted: u64,
    /// Written off as lost by the close, and found back in stock.
    pub missing: Vec<String>,
    pub found: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CloseDayInput {
    pub drawer: CloseInput,
    /// Why the drawer differs (needed when it does).
    pub reason: String,
    /// Why the day closes with events unsent (needed when it does).
    pub unsent_reason: String,
    /// Where the report is saved.
    pub path: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CloseDone {
    pub report_sha256: String,
    pub lost: Vec<String>,
    pub found: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ReopenInput {
    /// `YYYY-MM-DD`
    pub date: String,
    pub reason: String,
}
