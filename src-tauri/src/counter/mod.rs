//! The counter as the window uses it: every operation of the app, in
//! plain Rust, so it is tested without a desktop. The Tauri commands only
//! translate to and from these.

pub mod clock;
pub mod demo;
pub mod error;
pub mod views;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{NaiveDate, NaiveDateTime};
use relief_core::amount::entitlement;
use relief_core::card;
use relief_core::eligibility::{self, Visit, Visitor};
use relief_core::identity::{CheckDigit, IdentityNumber};
use relief_core::proxy;
use relief_core::{HouseholdSize, Sigungu, ko};
use relief_report::ReportKind;
use relief_store::{
    Applicant, BeneficiaryRequest, IssueRequest, NewClerk, Paid, Role, SerialSpec, Session, Store,
    Verification,
};
use relief_sync::visit::{self, VisitError};
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

fn sigungu(code: &str) -> Result<Sigungu> {
    code.parse()
        .map_err(|e: relief_core::region::InvalidSigunguCode| {
            AppError::new(AppCode::Input, e.to_string())
        })
}

fn household(n: u32) -> Result<HouseholdSize> {
    Ok(HouseholdSize::try_from(i64::from(n))?)
}

fn paid_view(paid: Paid) -> PaidView {
    match paid {
        Paid::Here { issued_at, .. } => PaidView {
            place: PaidPlace::Here,
            detail: format!(
                "이 창구에서 이미 지급 ({})",
                issued_at.format("%-m월 %-d일 %H:%M")
            ),
        },
        Paid::Elsewhere {
            channel,
            site,
            paid_at,
        } => PaidView {
            place: PaidPlace::Elsewhere,
            detail: format!(
                "다른 곳에서 이미 지급: {} {} ({})",
                channel.label(),
                site,
                paid_at.replace('T', " ")
            ),
        },
    }
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

    pub fn status(&self) -> Result<AppStatus> {
        let session = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(session_view);
        let store = self.store();
        let site = store.site();
        let policy = store.policy();
        let sync = store.sync_status()?;
        let online = sync.last_contact_at.is_some_and(|t| {
            chrono::Local::now().naive_local() - t < chrono::Duration::seconds(60)
        });
        Ok(AppStatus {
            site_code: site.code.clone(),
            site_name: site.name.clone(),
            site_type: site.site_type,
            sigungu: site.sigungu.to_string(),
            campaign: policy.campaign.name.clone(),
            policy_version: policy.campaign.version.clone(),
            demo: site.demo,
            now: self.now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            idle_lock_minutes: policy.campaign.idle_lock_minutes,
            offline_mode: policy.campaign.offline_mode,
            session,
            sync: SyncView {
                enrolled: sync.enrolled,
                online,
                last_contact: sync
                    .last_contact_at
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()),
                pending: sync.pending,
                rejected: sync.rejected,
                open_conflicts: sync.open_conflicts,
                last_error: sync.last_error,
            },
            cards_on_hand: store.stock()?.on_hand(),
            regions: policy
                .regions
                .iter()
                .map(|(code, name)| Region {
                    code: code.to_string(),
                    name: name.clone(),
                })
                .collect(),
            relations: policy
                .proxy
                .relations
                .iter()
                .map(|&r| Choice {
                    code: r,
                    label: r.label().into(),
                })
                .collect(),
            id_documents: policy
                .proxy
                .id_documents
                .iter()
                .map(|&d| Choice {
                    code: d,
                    label: d.label().into(),
                })
                .collect(),
        })
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

    /// The eligibility answer for the visitor being typed in.
    pub fn check(&self, input: &CheckInput) -> Result<CheckView> {
        self.session()?;
        let id = IdentityNumber::parse(&Zeroizing::new(input.rrn.clone()))?;
        let size = household(input.household_size)?;
        let resident = sigungu(&input.resident_sigungu)?;
        let now = self.now();
        let age = id.age_on(now.date());
        let store = self.store();
        let policy = store.policy();
        if !policy.covers(resident) {
            return Err(relief_store::Error::UnknownSigungu(resident).into());
        }
        let visit = Visit {
            at: now,
            site: store.site().as_site(),
            resident_sigungu: resident,
            household_size: size,
            visitor: Visitor::from_identity(&id),
        };
        let decision = eligibility::check(policy, &visit);
        let money = entitlement(policy, resident, size, id.is_foreign());
        let paid = store.paid(&store.beneficiary_key(&id))?.map(paid_view);
        let (allowed, reason, message) = match &paid {
            Some(p) => (false, "already_paid".to_owned(), p.detail.clone()),
            None => (
                decision.allowed(),
                decision.verdict.code().to_owned(),
                decision.verdict.message(policy),
            ),
        };
        Ok(CheckView {
            allowed,
            reason,
            message,
            next: decision
                .next
                .as_slice()
                .iter()
                .map(|d| ko::date(*d))
                .collect(),
            masked: id.masked().to_string(),
            foreign: id.is_foreign(),
            age,
            check_digit_mismatch: id.check_digit() == CheckDigit::Mismatch,
            minor_notice: proxy::minor_notice(&policy.proxy, age),
            per_person: money.total().won(),
            household_total: money.for_household(size).won(),
            shares: money
                .shares
                .iter()
                .map(|s| Share {
                    label: s.label.to_owned(),
                    amount: s.amount.won(),
                })
                .collect(),
            basis: money.basis,
            paid,
        })
    }

    /// Who would receive what, and on how many cards, before cards are scanned.
    pub fn quote(&self, input: &IssueInput) -> Result<QuoteView> {
        self.session()?;
        let (applicant, beneficiaries) = parse_people(input)?;
        drop(applicant);
        let store = self.store();
        let policy = store.policy();
        let mut lines = Vec::with_capacity(beneficiaries.len());
        for b in &beneficiaries {
            let money = entitlement(
                policy,
                b.resident_sigungu,
                b.household_size,
                b.id.is_foreign(),
            );
            lines.push(QuoteLine {
                masked: b.id.masked().to_string(),
                name: b.name.clone(),
                amount: money.total().won(),
                paid: store.paid(&store.beneficiary_key(&b.id))?.map(paid_view),
            });
        }
        let total: u64 = lines.iter().map(|l| l.amount).sum();
        let cards = card::split_on(policy, self.now().date(), relief_core::Krw(total))
            .map_err(|e| AppError::new(relief_store::StoreCode::CardSplit, e.to_string()))?;
        Ok(QuoteView {
            lines,
            total,
            cards: cards.iter().map(|c| c.won()).collect(),
        })
    }

    /// Issues: the ledger claims every beneficiary first; without an answer
    /// in time, the policy's offline mode decides (the visit itself is
    /// `relief_sync::visit`, shared with the command line).
    pub async fn issue(&self, input: IssueInput) -> Result<ReceiptView> {
        let clerk = self.session()?;
        let (applicant, beneficiaries) = parse_people(&input)?;
        let request = IssueRequest {
            applicant: Applicant {
                id: applicant,
                name: input.applicant_name.clone(),
                id_document: input.id_document,
            },
            beneficiaries,
            card_serials: input.cards.clone(),
            verification: Verification::Online,
            household_of_minors: input.household_of_minors,
            visit: None,
        };
        let approver = input.approver.as_ref().map(|a| visit::Approver {
            employee_id: a.employee_id.clone(),
            pin: Zeroizing::new(a.pin.clone()),
        });
        let options = visit::Options {
            // The counter never waits on a push: the background sync is
            // woken instead.
            push_now: false,
            ..visit::Options::default()
        };
        let visited = visit::issue(&self.store, &clerk, request, approver, options, self.now())
            .await
            .map_err(|e| match e {
                VisitError::Store(e) => AppError::from(e),
                VisitError::Ledger(e) => AppError::from(e),
            })?;
        self.sync_now.notify_one();
        // The card is handed over from here on, whatever happens to the
        // receipt: it can be printed again from the issuance.
        let receipt =
            relief_report::from_store::receipt(&self.store(), &visited.issued.issuance_id)
                .map_err(|e| {
                    AppError::new(
                        AppCode::Receipt,
                        format!(
                            "발급은 완료되었습니다 (발급번호 {}). 확인증을 만들 수 없습니다: {e}",
                            visited.issued.issuance_id
                        ),
                    )
                })?;
        Ok(receipt_view(&receipt))
    }

    pub fn receipt_pdf(&self, input: &ReceiptPdfInput) -> Result<()> {
        self.session()?;
        let receipt = relief_report::from_store::receipt(&self.store(), &input.issuance_id)?;
        let bytes = relief_report::pdf::receipt(&receipt, input.paper)?;
        write(&input.path, &bytes)
    }

    /// Today's issuances, newest first, for the void screen.
    pub fn issuances_today(&self) -> Result<Vec<IssuanceRow>> {
        self.session()?;
        let store = self.store();
        let mut rows: Vec<IssuanceRow> = store
            .issuances_on(self.now().date())?
            .into_iter()
            .map(|r| IssuanceRow {
                people: r
                    .beneficiaries
                    .iter()
                    .map(|b| format!("{} {}", b.name, b.masked))
                    .collect::<Vec<_>>()
                    .join(", "),
                cards: r
                    .cards
                    .iter()
                    .map(|c| c.serial.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                issued_at: r.issued_at.format("%H:%M").to_string(),
                clerk: r.clerk_id.clone(),
                total: r.total.won(),
                offline: r.verification == relief_protocol::Verification::Offline,
                voided: r.void.map(|v| v.reason),
                id: r.id,
            })
            .collect();
        rows.reverse();
        Ok(rows)
    }

    pub fn void(&self, input: &VoidInput) -> Result<()> {
        let supervisor = self.supervisor()?;
        let now = self.now();
        self.store().void(
            &supervisor,
            &input.issuance_id,
            &input.reason,
            input.disposition,
            now,
        )?;
        self.sync_now.notify_one();
        Ok(())
    }

    pub fn conflicts(&self) -> Result<Vec<ConflictRow>> {
        self.supervisor()?;
        let side = |p: &relief_protocol::PaymentRef| {
            format!(
                "{} {} ({})",
                p.paid.channel.label(),
                p.paid.site,
                p.paid.at.format("%m-%d %H:%M")
            )
        };
        Ok(self
            .store()
            .conflicts()?
            .into_iter()
            .map(|c| ConflictRow {
                open: c.status == relief_protocol::ConflictStatus::Open,
                status: c.status,
                status_label: c.status.label().into(),
                standing: side(&c.standing),
                other: side(&c.other),
                detected_at: c.detected_at.format("%m-%d %H:%M").to_string(),
                our_issuance: c.our_issuance_id,
                note: c.note,
                id: c.id,
            })
            .collect())
    }

    pub fn accept_conflict(&self, conflict_id: &str, note: &str) -> Result<()> {
        let supervisor = self.supervisor()?;
        let now = self.now();
        self.store()
            .accept_conflict(&supervisor, conflict_id, note, now)?;
        self.sync_now.notify_one();
        Ok(())
    }

    pub fn receive_stock(&self, input: &StockInput) -> Result<u64> {
        let supervisor = self.supervisor()?;
        let spec = SerialSpec::Range {
            first: input.first.clone(),
            last: input.last.clone(),
        };
        let now = self.now();
        let received = self.store().receive_stock(
            &supervisor,
            &spec,
            relief_core::Krw(input.face_value),
            &input.note,
            now,
        )?;
        Ok(received.count as u64)
    }

    pub fn stock(&self) -> Result<Vec<StockRow>> {
        self.session()?;
        Ok(self
            .store()
            .stock()?
            .by_face_value
            .iter()
            .map(|s| StockRow {
                face_value: s.face_value.won(),
                on_hand: s.on_hand(),
                issued: s.issued,
                damaged: s.damaged,
                lost: s.lost,
            })
            .collect())
    }

    pub fn clerks(&self) -> Result<Vec<ClerkRow>> {
        self.supervisor()?;
        Ok(self
            .store()
            .clerks()?
            .into_iter()
            .map(|c| ClerkRow {
                employee_id: c.employee_id,
                name: c.name,
                role_label: c.role.label().into(),
            })
            .collect())
    }

    pub fn add_clerk(&self, input: &ClerkInput) -> Result<()> {
        let supervisor = self.supervisor()?;
        let now = self.now();
        self.store().add_clerk(
            Some(&supervisor),
            NewClerk {
                employee_id: input.employee_id.clone(),
                name: input.name.clone(),
                role: input.role,
                pin: Zeroizing::new(input.pin.clone()),
            },
            now,
        )?;
        Ok(())
    }

    pub fn report(&self, input: &ReportInput) -> Result<()> {
        let supervisor = self.supervisor()?;
        let date = NaiveDate::parse_from_str(&input.date, "%Y-%m-%d").map_err(|_| {
            AppError::new(
                AppCode::Input,
                format!("날짜가 올바르지 않습니다: {}", input.date),
            )
        })?;
        let format = input.format;
        let now = self.now();
        let store = self.store();
        let bytes = match input.kind {
            ReportKind::Daily => {
                let data = relief_report::from_store::daily(&store, date, &supervisor, now)?;
                let report = relief_report::daily::DailyReport::build(&data);
                match format {
                    relief_report::Format::Pdf => relief_report::pdf::daily(&report)?,
                    relief_report::Format::Xlsx => relief_report::xlsx::daily(&report)?,
                    relief_report::Format::Csv => relief_report::csv::daily(&report)?,
                }
            }
            ReportKind::Stock => {
                let data = relief_report::from_store::stock(&store, date, &supervisor, now)?;
                match format {
                    relief_report::Format::Pdf => relief_report::pdf::stock(&data)?,
                    relief_report::Format::Xlsx => relief_report::xlsx::stock(&data)?,
                    relief_report::Format::Csv => relief_report::csv::stock(&data)?,
                }
            }
        };
        write(&input.path, &bytes)
    }

    pub async fn enroll(&self, input: &EnrollInput) -> Result<()> {
        let supervisor = self.supervisor()?;
        let fingerprint = Some(input.fingerprint.trim()).filter(|f| !f.is_empty());
        relief_sync::enroll(
            &self.store,
            &supervisor,
            input.ledger_url.trim(),
            input.code.trim(),
            fingerprint,
            self.now(),
        )
        .await?;
        self.sync_now.notify_one();
        Ok(())
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

/// The applicant and the beneficiaries of a visit, parsed.
fn parse_people(input: &IssueInput) -> Result<(IdentityNumber, Vec<BeneficiaryRequest>)> {
    let applicant = IdentityNumber::parse(&Zeroizing::new(input.applicant_rrn.clone()))?;
    let mut beneficiaries = Vec::with_capacity(input.beneficiaries.len());
    for b in &input.beneficiaries {
        let id = if b.rrn.trim().is_empty() {
            applicant.clone()
        } else {
            IdentityNumber::parse(&Zeroizing::new(b.rrn.clone()))?
        };
        beneficiaries.push(BeneficiaryRequest {
            id,
            name: if b.name.trim().is_empty() {
                input.applicant_name.clone()
            } else {
                b.name.clone()
            },
            relation: b.relation,
            household_size: household(b.household_size)?,
            resident_sigungu: sigungu(&b.resident_sigungu)?,
        });
    }
    if beneficiaries.is_empty() {
        return Err(relief_store::Error::NoBeneficiaries.into());
    }
    Ok((applicant, beneficiaries))
}

fn receipt_view(r: &relief_report::receipt::Receipt) -> ReceiptView {
    ReceiptView {
        campaign: r.campaign.clone(),
        site_name: r.site_name.clone(),
        issuance_id: r.issuance_id.clone(),
        issued_at: r.issued_at.format("%Y-%m-%d %H:%M").to_string(),
        applicant: format!("{} {}", r.applicant_name, r.applicant_masked),
        id_document: r.id_document.clone(),
        beneficiaries: r
            .beneficiaries
            .iter()
            .map(|b| QuoteLine {
                masked: b.masked.clone(),
                name: format!("{} ({})", b.name, b.relation),
                amount: b.amount,
                paid: None,
            })
            .collect(),
        cards: r
            .cards
            .iter()
            .map(|(serial, amount)| CardLine {
                serial: serial.clone(),
                amount: *amount,
            })
            .collect(),
        total: r.total(),
        clerk: r.clerk.clone(),
        terms: r.terms(),
        offline: r.offline,
    }
}

#[cfg(test)]
mod tests;
