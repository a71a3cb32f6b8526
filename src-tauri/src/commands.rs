//! The Tauri commands: each translates a call from the window into one on
//! the [`Counter`] and its answer back. No rule lives here.

use std::sync::Arc;

use tauri::State;

use crate::counter::Counter;
use crate::counter::error::AppError;
use crate::counter::views::*;

type Shared<'a> = State<'a, Arc<Counter>>;
type Answer<T> = Result<T, AppError>;

#[tauri::command]
pub fn status(counter: Shared) -> Answer<AppStatus> {
    counter.status()
}

#[tauri::command]
pub fn sign_in(counter: Shared, employee_id: String, pin: String) -> Answer<SessionView> {
    counter.sign_in(&employee_id, &pin)
}

#[tauri::command]
pub fn sign_in_with_new_pin(
    counter: Shared,
    employee_id: String,
    pin: String,
    new_pin: String,
) -> Answer<SessionView> {
    counter.sign_in_with_new_pin(&employee_id, &pin, &new_pin)
}

#[tauri::command]
pub fn sign_out(counter: Shared) {
    counter.sign_out();
}

#[tauri::command]
pub fn open_offline_approval(
    counter: Shared,
    input: OfflineApprovalInput,
) -> Answer<OfflineApprovalView> {
    counter.open_offline_approval(&input)
}

#[tauri::command]
pub fn close_offline_approval(counter: Shared, input: Approver) -> Answer<()> {
    counter.close_offline_approval(&input)
}

#[tauri::command]
pub fn check(counter: Shared, input: CheckInput) -> Answer<CheckView> {
    counter.check(&input)
}

#[tauri::command]
pub fn check_cards(counter: Shared, input: CardsInput) -> Answer<()> {
    counter.check_cards(&input)
}

#[tauri::command]
pub fn quote(counter: Shared, input: IssueInput) -> Answer<QuoteView> {
    counter.quote(&input)
}

#[tauri::command]
pub async fn issue(counter: State<'_, Arc<Counter>>, input: IssueInput) -> Answer<ReceiptView> {
    counter.issue(input).await
}

#[tauri::command]
pub fn receipt_pdf(counter: Shared, input: ReceiptPdfInput) -> Answer<()> {
    counter.receipt_pdf(&input)
}

#[tauri::command]
pub fn issuances_today(counter: Shared) -> Answer<Vec<IssuanceRow>> {
    counter.issuances_today()
}

#[tauri::command]
pub fn void(counter: Shared, input: VoidInput) -> Answer<()> {
    counter.void(&input)
}

#[tauri::command]
pub fn conflicts(counter: Shared) -> Answer<Vec<ConflictRow>> {
    counter.conflicts()
}

#[tauri::command]
pub fn accept_conflict(counter: Shared, conflict_id: String, note: String) -> Answer<()> {
    counter.accept_conflict(&conflict_id, &note)
}

#[tauri::command]
pub fn receive_stock(counter: Shared, input: StockInput) -> Answer<u64> {
    counter.receive_stock(&input)
}

#[tauri::command]
pub fn stock(counter: Shared) -> Answer<Vec<StockRow>> {
    counter.stock()
}

#[tauri::command]
pub fn clerks(counter: Shared) -> Answer<Vec<ClerkRow>> {
    counter.clerks()
}

#[tauri::command]
pub fn add_clerk(counter: Shared, input: ClerkInput) -> Answer<()> {
    counter.add_clerk(&input)
}

#[tauri::command]
pub fn report(counter: Shared, input: ReportInput) -> Answer<()> {
    counter.report(&input)
}

#[tauri::command]
pub async fn enroll(counter: State<'_, Arc<Counter>>, input: EnrollInput) -> Answer<()> {
    counter.enroll(&input).await
}

#[tauri::command]
pub fn sync_now(counter: Shared) {
    counter.sync_now.notify_one();
}

#[tauri::command]
pub fn close_preview(counter: Shared, input: CloseInput) -> Answer<ClosePreview> {
    counter.close_preview(&input)
}

#[tauri::command]
pub async fn close_day(
    counter: State<'_, Arc<Counter>>,
    input: CloseDayInput,
) -> Answer<CloseDone> {
    counter.close_day(&input).await
}

#[tauri::command]
pub fn reopen_day(counter: Shared, input: ReopenInput) -> Answer<()> {
    counter.reopen_day(&input)
}
