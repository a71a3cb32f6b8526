//! What reports are made from: the day's records as the terminal (or the
//! ledger) holds them, in plain data.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use relief_core::SiteType;

/// Who and where a report is about, and who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub site_code: String,
    pub site_name: String,
    /// Decides the approval box.
    pub site_type: SiteType,
    /// `수원시 (41110)`
    pub sigungu: String,
    pub date: NaiveDate,
    pub campaign: String,
    pub policy_version: String,
    pub generated_at: NaiveDateTime,
    /// `이담당 (C001)`
    pub generated_by: String,
}

impl Header {
    /// The 결재란: who signs a report at this kind of site.
    pub fn approvers(&self) -> [&'static str; 3] {
        match self.site_type {
            SiteType::Nh => ["담당", "팀장", "지점장"],
            SiteType::Center => ["담당", "팀장", "동장"],
        }
    }
}

/// A source of money: code and label (`province`, `경기도`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuance {
    pub id: String,
    pub issued_at: NaiveDateTime,
    pub clerk: String,
    pub offline: bool,
    pub applicant_masked: String,
    pub applicant_name: String,
    pub beneficiaries: Vec<Beneficiary>,
    pub cards: Vec<Card>,
    pub void: Option<Void>,
}

impl Issuance {
    pub fn total(&self) -> u64 {
        self.beneficiaries.iter().map(Beneficiary::amount).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beneficiary {
    pub masked: String,
    pub name: String,
    /// In words: `본인`, `배우자`...
    pub relation: String,
    pub household_size: u8,
    pub sigungu: String,
    /// By source code.
    pub shares: BTreeMap<String, u64>,
    /// Served though the resident roll did not admit them: the documented
    /// exception, in words.
    pub roll_exception: Option<String>,
}

impl Beneficiary {
    pub fn amount(&self) -> u64 {
        self.shares.values().sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub serial: String,
    pub amount: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Void {
    pub at: NaiveDateTime,
    pub by: String,
    pub reason: String,
    /// In words: `재고로 회수`, `폐기`.
    pub disposition: String,
}

/// A conflict still open, as far as the report needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenConflict {
    pub id: String,
    /// Where the payment that stands was made.
    pub standing: String,
    pub our_issuance: Option<String>,
    pub detected_at: NaiveDateTime,
}

/// Everything a daily report is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyInput {
    pub header: Header,
    pub sources: Vec<Source>,
    /// Clerk ids to names, for the by-clerk table.
    pub clerks: BTreeMap<String, String>,
    pub issuances: Vec<Issuance>,
    pub open_conflicts: Vec<OpenConflict>,
    /// The day's cards by what the ledger last said of them, in words
    /// (`확인 후 사용 가능`, `사용 가능`...), every state named even at 0.
    pub card_activations: Vec<(String, u64)>,
    /// Issuances of earlier, closed days voided in this day's books.
    pub corrections: Vec<Issuance>,
    /// The day's close, when the report is the one a close fixes.
    pub close: Option<Close>,
}

/// The day's close as its report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Close {
    pub closed_at: NaiveDateTime,
    /// `김감독 (S001)`
    pub closed_by: String,
    pub drawer: Vec<DrawerRow>,
    /// Why the drawer differed (empty: it did not).
    pub reason: String,
    /// Events the ledger had not acknowledged, and why the day closed anyway.
    pub unsent: u64,
    pub unsent_reason: String,
}

/// One face value of the drawer at the close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawerRow {
    pub face_value: u64,
    pub expected: u64,
    pub counted: u64,
    /// Written off as lost, and found back in stock, by the close.
    pub missing: Vec<String>,
    pub found: Vec<String>,
}

impl Close {
    /// The drawer agrees with the books.
    pub fn balanced(&self) -> bool {
        self.drawer
            .iter()
            .all(|r| r.expected == r.counted && r.missing.is_empty() && r.found.is_empty())
    }
}
