//! The reports screen: a day's issuance or stock report, saved where the
//! supervisor chooses.

use relief_report::{Format, ReportKind};

use super::views::*;
use super::{Counter, Result, write};

impl Counter {
    pub fn report(&self, input: &ReportInput) -> Result<()> {
        let supervisor = self.supervisor()?;
        let date = super::close::date(&input.date)?;
        let format = input.format;
        let now = self.now();
        let store = self.store()?;
        let bytes = match input.kind {
            ReportKind::Daily => {
                let data = relief_report::from_store::daily(&store, date, &supervisor, now)?;
                let report = relief_report::daily::DailyReport::build(&data);
                match format {
                    Format::Pdf => relief_report::pdf::daily(&report)?,
                    Format::Xlsx => relief_report::xlsx::daily(&report)?,
                    Format::Csv => relief_report::csv::daily(&report)?,
                }
            }
            ReportKind::Stock => {
                let data = relief_report::from_store::stock(&store, date, &supervisor, now)?;
                match format {
                    Format::Pdf => relief_report::pdf::stock(&data)?,
                    Format::Xlsx => relief_report::xlsx::stock(&data)?,
                    Format::Csv => relief_report::csv::stock(&data)?,
                }
            }
        };
        write(&input.path, &bytes)
    }
}
