//! The command line, as a contract: other tools call these exact flags.

use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use relief_core::{Sigungu, SiteType};
use relief_protocol::CardDisposition;
use relief_store::{Adjustment, Role};

/// A closed set as a flag's value: its codes are the possible values, as
/// `--help` lists them.
fn closed_set<T>() -> impl TypedValueParser<Value = T>
where
    T: strum::VariantNames + std::str::FromStr + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(T::VARIANTS).map(|code| {
        code.parse::<T>()
            .unwrap_or_else(|_| unreachable!("{code} is one of its own set's codes"))
    })
}

#[derive(Parser)]
#[command(
    name = "relief",
    version,
    about = "재난지원금 선불카드 창구 단말기 (명령줄)"
)]
pub struct Cli {
    /// Where the terminal keeps its store; the platform's data directory by default.
    #[arg(long, global = true, env = "RELIEF_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Answer with one JSON value on standard output (errors as JSON on standard error).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// 방문자가 지금 이 창구에서 받을 수 있는지, 아니면 언제 올 수 있는지 확인합니다.
    Check(CheckArgs),
    /// 단말기를 설정합니다 (사이트, 캠페인 정책, 캠페인 비밀키, 첫 감독자). 복구 코드를 한 번 보여 줍니다.
    Init(InitArgs),
    /// 감독자가 PIN을 잊었을 때: 복구 코드로 보관함을 열고 새 PIN을 정합니다. 새 복구 코드를 보여 줍니다.
    Recover(RecoverArgs),
    /// 직원 관리.
    #[command(subcommand)]
    Clerk(ClerkCommand),
    /// 카드 재고.
    #[command(subcommand)]
    Stock(StockCommand),
    /// 카드를 발급합니다. 신청 내용(JSON)은 표준 입력으로 받습니다.
    Issue(IssueArgs),
    /// 오프라인 발급 승인: 감독자가 이 창구의 오프라인 발급을 한 번에 승인합니다 (시간과 건수 한도).
    #[command(subcommand)]
    Offline(OfflineCommand),
    /// 발급을 취소합니다 (감독자).
    Void(VoidArgs),
    /// 발급 내역을 봅니다.
    List(ListArgs),
    /// 감사 기록.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 원장 서버에 단말기를 등록합니다 (감독자).
    Enroll(EnrollArgs),
    /// 원장 서버와 동기화합니다: 보낼 이벤트를 보내고 바뀐 내용을 받습니다.
    Sync(SyncArgs),
    /// 동기화 상태: 연결, 마지막 동기화, 보낼 이벤트, 재고.
    Status(ActorOnly),
    /// 원장 서버가 알려 온 이중 지급 충돌.
    #[command(subcommand)]
    Conflict(ConflictCommand),
    /// 보고서: 일일 발급 보고서, 재고 대사표, 수령 확인증.
    #[command(subcommand)]
    Report(ReportCommand),
    /// 주민 명부: 받은 버전, 세대 조회.
    #[command(subcommand)]
    Roll(RollCommand),
    /// 하루를 마감합니다 (감독자): 서랍 카드 대조, 원장 전송 확인, 일일 보고서.
    Close(CloseArgs),
    /// 마감한 날을 다시 엽니다 (감독자, 사유 필요).
    Reopen(ReopenArgs),
    /// 하루의 마감 기록; 마감이 고정한 보고서를 파일로 씁니다.
    Closes(ClosesArgs),
    /// 보존 기간이 지난 개인정보를 파기합니다 (감독자): 이름, 마스킹 번호, 키, 명부, 캠페인 비밀키. 건수와 금액은 남습니다.
    Purge(ActorOnly),
}

#[derive(Args)]
pub struct CloseArgs {
    #[command(flatten)]
    pub actor: Actor,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: NaiveDate,
    /// The drawer's cards of one face value, counted: `3000000=499`.
    #[arg(long = "count", value_name = "FACE=N", value_parser = parse_count)]
    pub counts: Vec<(u64, u64)>,
    /// The serials in the drawer, scanned, one per line.
    #[arg(long, value_name = "FILE")]
    pub scanned: Option<PathBuf>,
    /// Why the drawer differs from the books (needed when it does).
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Why the day closes with events the ledger has not acknowledged.
    #[arg(long, default_value = "")]
    pub unsent_reason: String,
    /// Close without trying the ledger first.
    #[arg(long)]
    pub no_sync: bool,
    /// Where to write the report the close fixes (PDF).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn parse_count(text: &str) -> Result<(u64, u64), String> {
    let (face, count) = text
        .split_once('=')
        .ok_or_else(|| format!("액면=장수 꼴로 쓰세요 (예: 3000000=499): {text:?}"))?;
    let number = |part: &str| {
        part.trim()
            .replace(',', "")
            .parse::<u64>()
            .map_err(|_| format!("숫자가 아닙니다: {part:?}"))
    };
    Ok((number(face)?, number(count)?))
}

#[derive(Args)]
pub struct ReopenArgs {
    #[command(flatten)]
    pub actor: Actor,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: NaiveDate,
    #[arg(long)]
    pub reason: String,
}

#[derive(Args)]
pub struct ClosesArgs {
    #[command(flatten)]
    pub actor: Actor,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: NaiveDate,
    /// Writes the report the day's last close fixed, byte for byte.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum RollCommand {
    /// The copy of the resident roll this terminal holds.
    Status(ActorOnly),
    /// The household of the identity number on standard input (after the
    /// PIN line), as the roll lists it.
    Household(ActorOnly),
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// The daily issuance report (supervisor).
    Daily(ReportDayArgs),
    /// The stock reconciliation of a day (supervisor).
    Stock(ReportDayArgs),
    /// The 수령 확인증 of one issuance, as PDF.
    Receipt(ReceiptArgs),
}

#[derive(Args)]
pub struct ReportDayArgs {
    #[command(flatten)]
    pub actor: Actor,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: NaiveDate,
    /// pdf, xlsx or csv (UTF-8 with BOM, CRLF).
    // Parsed by the command, so that a wrong one is a JSON error like any
    // other (`--json`), not clap's usage text.
    #[arg(long, default_value = "pdf")]
    pub format: String,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct ReceiptArgs {
    #[command(flatten)]
    pub actor: Actor,
    #[arg(long, value_name = "ID")]
    pub issuance: String,
    /// a5 or roll80 (an 80 mm receipt roll).
    #[arg(long, default_value = "a5")]
    pub paper: String,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct EnrollArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// The ledger's address, e.g. https://ledger.example:8700
    #[arg(long, value_name = "URL")]
    pub ledger: String,
    /// The one-time enrollment code.
    #[arg(long)]
    pub code: String,
    /// The ledger key's fingerprint as the operator read it out; the
    /// enrollment is refused if the ledger's key does not match.
    #[arg(long, value_name = "FP")]
    pub ledger_key_fingerprint: Option<String>,
}

#[derive(Args)]
pub struct SyncArgs {
    /// Keep syncing in the background until interrupted.
    #[arg(long)]
    pub watch: bool,
    /// Seconds between rounds with --watch.
    #[arg(long, default_value_t = 10)]
    pub interval: u64,
    /// How many times a failed request is tried again before giving up.
    #[arg(long, default_value_t = 10)]
    pub retries: usize,
    /// The counter's local time (demo terminals only): visits left open
    /// longer than 10 minutes before it are ended.
    #[arg(long, value_name = "YYYY-MM-DDTHH:MM", value_parser = parse_local_time)]
    pub at: Option<NaiveDateTime>,
}

#[derive(Subcommand)]
pub enum ConflictCommand {
    /// Lists conflicts this terminal is part of.
    List(ActorOnly),
    /// Accepts both payments of a conflict, with a note (supervisor). To
    /// recover the card instead, void our issuance.
    Accept(ConflictAcceptArgs),
}

#[derive(Args)]
pub struct ConflictAcceptArgs {
    #[command(flatten)]
    pub actor: Actor,
    #[arg(long, value_name = "ID")]
    pub conflict: String,
    #[arg(long)]
    pub note: String,
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("who").required(true).args(["birth_year", "rrn_stdin"]))]
pub struct CheckArgs {
    /// Check at this terminal (`--data-dir`): its site and policy, and its
    /// copy of the resident roll, which says the household size and
    /// whether the visitor is registered here.
    #[arg(long, requires = "rrn_stdin", conflicts_with_all = ["policy", "site_type", "site_sigungu"])]
    pub terminal: bool,
    /// Campaign policy (TOML). Without it, the embedded 경기도 2020 policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// center (행정복지센터) or nh (NH농협).
    #[arg(long, value_name = "center|nh", required_unless_present = "terminal")]
    pub site_type: Option<SiteType>,
    /// The site's 시군 code, e.g. 41110.
    #[arg(long, value_name = "CODE", required_unless_present = "terminal")]
    pub site_sigungu: Option<Sigungu>,
    /// The resident's 시군 code; the site's by default.
    #[arg(long, value_name = "CODE")]
    pub resident_sigungu: Option<Sigungu>,
    /// Local date and time at the counter.
    #[arg(long, value_name = "YYYY-MM-DDTHH:MM", value_parser = parse_local_time)]
    pub at: NaiveDateTime,
    /// 세대원 수 on the resident register (with --terminal, only where
    /// its roll does not list the visitor).
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        required_unless_present = "terminal"
    )]
    pub household_size: Option<i64>,
    /// The birth year the campaign's rotation uses.
    #[arg(long, value_name = "YYYY", allow_negative_numbers = true)]
    pub birth_year: Option<i32>,
    /// The visitor is a foreign resident.
    #[arg(long, requires = "birth_year")]
    pub foreign: bool,
    /// Read one 주민등록번호/외국인등록번호 from standard input (never the
    /// command line, where shell history and process lists would keep it).
    #[arg(long)]
    pub rrn_stdin: bool,
}

#[derive(Args)]
pub struct InitArgs {
    #[arg(long)]
    pub site_code: String,
    #[arg(long)]
    pub site_name: String,
    #[arg(long, value_name = "center|nh")]
    pub site_type: SiteType,
    #[arg(long, value_name = "CODE")]
    pub sigungu: Sigungu,
    /// A center's own 읍면동, as the resident roll names it: where the
    /// policy says so, a center serves only its residents.
    #[arg(long, value_name = "NAME")]
    pub eupmyeondong: Option<String>,
    /// Campaign policy (TOML). Without it, the embedded 경기도 2020 policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// A demo terminal: its clock may be set with --at, and without a
    /// campaign secret it makes one up. Never for a real counter.
    #[arg(long)]
    pub demo: bool,
    /// Employee id of the first supervisor, whose PIN (RELIEF_NEW_PIN or
    /// the next line of standard input, 8 to 12 digits) opens the store.
    #[arg(long, value_name = "ID")]
    pub supervisor: String,
    /// The first supervisor's name.
    #[arg(long, value_name = "NAME")]
    pub supervisor_name: String,
}

/// The signed-in clerk: PIN from RELIEF_PIN, or the first line of standard input.
#[derive(Args)]
pub struct Actor {
    /// Employee id of who is acting.
    #[arg(long, value_name = "ID")]
    pub clerk: String,
    /// The counter's local time (demo terminals only).
    #[arg(long, value_name = "YYYY-MM-DDTHH:MM", value_parser = parse_local_time)]
    pub at: Option<NaiveDateTime>,
}

#[derive(Subcommand)]
pub enum OfflineCommand {
    /// Opens offline issuance at this counter (supervisor), within the policy's bounds.
    Open(OfflineOpenArgs),
    /// Ends the approval in force (supervisor).
    Close(ActorOnly),
    /// The approval in force, if any: who, until when, how many left.
    Status(ActorOnly),
}

#[derive(Args)]
pub struct OfflineOpenArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// For how long (at most the policy's `offline_approval.max_minutes`).
    #[arg(long)]
    pub minutes: u32,
    /// For how many issuances (at most the policy's `offline_approval.max_issuances`).
    #[arg(long)]
    pub issuances: u32,
}

#[derive(Subcommand)]
pub enum ClerkCommand {
    /// Adds a clerk; the new PIN comes from RELIEF_NEW_PIN or standard input.
    /// The very first clerk is a supervisor and needs no --clerk.
    Add(ClerkAddArgs),
    /// Lists clerks.
    List(ActorOnly),
    /// Removes a clerk (supervisor): they can no longer sign in, and a
    /// supervisor's key slot goes with them.
    Remove(ClerkRemoveArgs),
    /// A supervisor changes their own PIN: the current one from RELIEF_PIN,
    /// the new one (8 to 12 digits) from RELIEF_NEW_PIN, or the first and
    /// second lines of standard input. A store from before encryption whose
    /// supervisor's PIN is too short is encrypted under the new one.
    Pin(ActorOnly),
}

#[derive(Args)]
pub struct ClerkRemoveArgs {
    #[command(flatten)]
    pub actor: Actor,
    #[arg(long)]
    pub employee_id: String,
}

/// The recovery code (RELIEF_RECOVERY_CODE or the first line of standard
/// input), then the new PIN (RELIEF_NEW_PIN or the next line).
#[derive(Args)]
pub struct RecoverArgs {
    /// The supervisor who forgot their PIN.
    #[arg(long, value_name = "ID")]
    pub supervisor: String,
}

#[derive(Args)]
pub struct ClerkAddArgs {
    #[arg(long)]
    pub employee_id: String,
    #[arg(long)]
    pub name: String,
    #[arg(long, value_parser = closed_set::<Role>())]
    pub role: Role,
    /// The supervisor adding them (not needed for the first).
    #[arg(long, value_name = "ID")]
    pub clerk: Option<String>,
    #[arg(long, value_name = "YYYY-MM-DDTHH:MM", value_parser = parse_local_time)]
    pub at: Option<NaiveDateTime>,
}

#[derive(Args)]
pub struct ActorOnly {
    #[command(flatten)]
    pub actor: Actor,
}

#[derive(Subcommand)]
pub enum StockCommand {
    /// Records a delivery of cards (supervisor).
    Receive(StockReceiveArgs),
    /// Cards on hand, by face value and state.
    Show(ActorOnly),
    /// Marks a card damaged or lost, or a lost card found (supervisor).
    Adjust(StockAdjustArgs),
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("serials").required(true).args(["first", "list"]))]
pub struct StockReceiveArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// The most each card can be loaded with, in won.
    #[arg(long, value_name = "KRW")]
    pub face_value: u64,
    /// First serial of a printed range...
    #[arg(long, requires = "last")]
    pub first: Option<String>,
    /// ...and its last.
    #[arg(long)]
    pub last: Option<String>,
    /// Or a comma-separated list of serials.
    #[arg(long, value_delimiter = ',')]
    pub list: Option<Vec<String>>,
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Args)]
pub struct StockAdjustArgs {
    #[command(flatten)]
    pub actor: Actor,
    #[arg(long)]
    pub serial: String,
    #[arg(long, value_parser = closed_set::<Adjustment>())]
    pub to: Adjustment,
    #[arg(long)]
    pub reason: String,
}

#[derive(Args)]
pub struct IssueArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// The ledger could not be reached: issue offline, as the policy allows.
    #[arg(long)]
    pub offline: bool,
    /// Supervisor approving an offline issuance (given or fallen back to
    /// when the ledger does not answer); PIN from RELIEF_APPROVER_PIN or the
    /// next line of standard input.
    #[arg(long, value_name = "ID")]
    pub approver: Option<String>,
}

#[derive(Args)]
pub struct VoidArgs {
    #[command(flatten)]
    pub actor: Actor,
    #[arg(long, value_name = "ID")]
    pub issuance: String,
    #[arg(long)]
    pub reason: String,
    /// What happens to the cards.
    #[arg(long, value_parser = closed_set::<CardDisposition>())]
    pub card: CardDisposition,
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["day", "beneficiary_key", "rrn_stdin"]))]
pub struct ListArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// Every issuance of a day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub day: Option<NaiveDate>,
    /// Every issuance for a beneficiary key (hex).
    #[arg(long, value_name = "HEX")]
    pub beneficiary_key: Option<String>,
    /// Every issuance for the identity number on standard input (after the PIN line).
    #[arg(long)]
    pub rrn_stdin: bool,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walks the audit chain and checks every history row against it.
    Verify(ActorOnly),
}

pub fn parse_local_time(text: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            format!("있을 수 없는 날짜·시각이거나 YYYY-MM-DDTHH:MM 꼴이 아닙니다: {text:?}")
        })
}
