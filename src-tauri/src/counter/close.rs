//! The close screen: the drawer counted against the books, the day closed
//! with its report saved where the supervisor chooses, a closed day
//! reopened with a reason.

use chrono::NaiveDate;
use relief_core::Krw;
use relief_report::daily::DailyReport;
use relief_report::{from_store, pdf};
use relief_store::{ClosePlan, DrawerCount};

use super::error::{AppCode, AppError};
use super::views::*;
use super::{Counter, Result, write};

/// `YYYY-MM-DD` from a date field.
pub(super) fn date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| AppError::new(AppCode::Input, format!("날짜가 올바르지 않습니다: {text}")))
}

fn drawer(input: &CloseInput) -> DrawerCount {
    DrawerCount {
        typed: input
            .counts
            .iter()
            .map(|c| (Krw(c.face_value), c.count))
            .collect(),
        scanned: input.scanned.clone(),
    }
}

fn preview(plan: &ClosePlan) -> ClosePreview {
    ClosePreview {
        faces: plan
            .faces
            .iter()
            .map(|f| CloseFaceRow {
                face_value: f.face_value.won(),
                expected: f.expected,
                counted: f.counted,
                missing: f.missing.clone(),
                found: f.found.clone(),
            })
            .collect(),
        unsent: plan.unsent.len() as u64,
        balanced: plan.balanced(),
        difference: plan.difference(),
    }
}

impl Counter {
    /// What closing the day would record, as the books stand now.
    pub fn close_preview(&self, input: &CloseInput) -> Result<ClosePreview> {
        self.supervisor()?;
        let plan = self
            .store()?
            .plan_close(date(&input.date)?, &drawer(input), self.now())?;
        Ok(preview(&plan))
    }

    /// Closes the day: what can still reach the ledger goes first, then
    /// the close and its report, saved at `path`.
    pub async fn close_day(&self, input: &CloseDayInput) -> Result<CloseDone> {
        let supervisor = self.supervisor()?;
        let day = date(&input.drawer.date)?;
        // Offline is no fault here: the close names what stayed unsent.
        let _ = self.sync_once(relief_sync::Retry::ONCE).await;
        let now = self.now();
        let (closed, report) = {
            let mut store = self.store()?;
            let plan = store.plan_close(day, &drawer(&input.drawer), now)?;
            let data = from_store::close(
                &store,
                &plan,
                &supervisor,
                now,
                &input.reason,
                &input.unsent_reason,
            )?;
            let report = pdf::daily(&DailyReport::build(&data))?;
            let closed = store.close_day(
                &supervisor,
                &plan,
                &input.reason,
                &input.unsent_reason,
                &report,
                now,
            )?;
            (closed, report)
        };
        self.sync_now.notify_one();
        // The close stands whether or not the file can be written; the
        // store keeps the report.
        write(&input.path, &report)?;
        Ok(CloseDone {
            report_sha256: closed.report_sha256,
            lost: closed.lost,
            found: closed.found,
        })
    }

    pub fn reopen_day(&self, input: &ReopenInput) -> Result<()> {
        let supervisor = self.supervisor()?;
        let now = self.now();
        self.store()?
            .reopen_day(&supervisor, date(&input.date)?, &input.reason, now)?;
        self.sync_now.notify_one();
        Ok(())
    }
}
