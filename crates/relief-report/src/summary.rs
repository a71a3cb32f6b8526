//! The province's view of a day, from the ledger: per 시군 and per site,
//! issuances and amounts, the offline share, voids and conflicts.

use chrono::{NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLine {
    pub sigungu: String,
    pub sigungu_name: String,
    pub site_code: String,
    pub site_name: String,
    pub issuances: u64,
    pub offline: u64,
    pub beneficiaries: u64,
    pub amount: u64,
    pub voided: u64,
    pub conflicts: u64,
}

impl SiteLine {
    /// Offline issuances as a share of all, in percent.
    pub fn offline_share(&self) -> f64 {
        if self.issuances == 0 {
            0.0
        } else {
            self.offline as f64 * 100.0 / self.issuances as f64
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvinceSummary {
    pub campaign: String,
    pub date: NaiveDate,
    pub generated_at: NaiveDateTime,
    /// Per site, sorted by 시군 then site.
    pub sites: Vec<SiteLine>,
    /// The day's cards by activation, in words, every state named.
    pub cards: Vec<(String, u64)>,
    /// Each counter's closes of the day, by site then time.
    pub closes: Vec<SiteClose>,
}

/// A counter's close of the day, as its terminal reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteClose {
    pub site_code: String,
    pub site_name: String,
    pub closed_at: NaiveDateTime,
    pub closed_by: String,
    /// Cards counted less cards the books held: short below 0.
    pub difference: i64,
    pub reason: String,
    /// Events not yet at the ledger when the day closed.
    pub unsent: u64,
    /// Hex.
    pub report_sha256: String,
    pub reopened_at: Option<NaiveDateTime>,
}

impl ProvinceSummary {
    /// Sites of each 시군 added up.
    pub fn by_sigungu(&self) -> Vec<SiteLine> {
        let mut out: Vec<SiteLine> = Vec::new();
        for s in &self.sites {
            match out.last_mut() {
                Some(last) if last.sigungu == s.sigungu => {
                    last.issuances += s.issuances;
                    last.offline += s.offline;
                    last.beneficiaries += s.beneficiaries;
                    last.amount += s.amount;
                    last.voided += s.voided;
                    last.conflicts += s.conflicts;
                }
                _ => out.push(SiteLine {
                    site_code: String::new(),
                    site_name: String::new(),
                    ..s.clone()
                }),
            }
        }
        out
    }

    pub fn total(&self) -> SiteLine {
        let mut total = SiteLine {
            sigungu: String::new(),
            sigungu_name: "합계".into(),
            site_code: String::new(),
            site_name: String::new(),
            issuances: 0,
            offline: 0,
            beneficiaries: 0,
            amount: 0,
            voided: 0,
            conflicts: 0,
        };
        for s in &self.sites {
            total.issuances += s.issuances;
            total.offline += s.offline;
            total.beneficiaries += s.beneficiaries;
            total.amount += s.amount;
            total.voided += s.voided;
            total.conflicts += s.conflicts;
        }
        total
    }
}
