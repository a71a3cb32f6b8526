//! The campaign policy as the rules engine reads it: validated, typed, and
//! free of anything the TOML file needed only for people.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::money::Krw;
use crate::proxy::{IdDocument, Relation};
use crate::region::Sigungu;
use crate::site::{PerSite, SiteType};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub campaign: Campaign,
    /// The 시군 the campaign covers, with their names.
    pub regions: BTreeMap<Sigungu, String>,
    pub sites: PerSite<SiteRule>,
    pub schedule: Schedule,
    pub amounts: Vec<AmountSource>,
    /// Sorted by date, non-overlapping.
    pub card_limits: Vec<CardLimit>,
    pub proxy: ProxyRules,
    pub foreign: ForeignRules,
    /// How the resident roll is used; `None`: the campaign has no roll,
    /// and the visitor's word (and papers) is what the clerk checks.
    pub roll: Option<RollRules>,
}

/// How the check uses the terminal's copy of the resident roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollRules {
    /// Without a copy the terminal serves no one. When not required, a
    /// terminal without one checks the visitor's word, as before rolls.
    pub required: bool,
    /// The standings on the roll that are paid; foreign ones also by the
    /// foreign residents' own period and sites.
    pub entitled: Vec<crate::roll::RollStatus>,
    /// A 읍면동 center serves only the residents of its own 읍면동.
    pub center_own_eupmyeondong: bool,
    /// The documented exceptions for which a supervisor may serve someone
    /// the roll refuses.
    pub overrides: Vec<crate::roll::RollOverride>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    pub version: String,
    /// Days on which counters issue, inclusive.
    pub period: DateRange,
    pub card_usable_until: NaiveDate,
    /// Registered in the region from the end of this day to the application.
    pub base_date: NaiveDate,
    pub basis: Basis,
    pub birth_year_of: BirthYearOf,
    pub offline_mode: OfflineMode,
    pub idle_lock_minutes: u32,
    /// Days personal data is kept after the cards stop working
    /// (`card_usable_until`); then it is purged.
    pub personal_data_kept_days: u32,
    /// How far one supervisor's approval of offline issuance at a counter
    /// may reach (under `offline_mode = "supervisor"`).
    pub offline_approval: OfflineApprovalBounds,
}

/// The most one approval of offline issuance may cover: it ends when
/// either runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OfflineApprovalBounds {
    pub max_minutes: u32,
    pub max_issuances: u32,
}

impl Campaign {
    /// The last day personal data may be kept: a purge is allowed from the
    /// day after.
    pub fn personal_data_kept_until(&self) -> NaiveDate {
        self.card_usable_until + chrono::Days::new(u64::from(self.personal_data_kept_days))
    }
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateRange {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl DateRange {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }

    pub fn overlaps(&self, other: &DateRange) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

crate::closed_set! {
    /// Who is paid: each person, or the household as one (through its
    /// 세대주).
    pub enum Basis as "지급 기준" {
        Person => "개인별 지급",
        Household => "가구별 지급",
    }
}

/// Whose birth year the rotation looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BirthYearOf {
    /// The visiting applicant (Gyeonggi 2020, the 2021 rounds).
    Applicant,
    /// The 세대주 (the national aid 2020).
    Householder,
}

crate::closed_set! {
    /// What the counter does when the ledger cannot be reached.
    pub enum OfflineMode as "오프라인 발급" {
        Allow => "오프라인 발급 허용",
        Supervisor => "감독자 승인 후 오프라인 발급",
        Refuse => "오프라인 발급 안 함",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionRule {
    /// Only residents of the site's own 시군.
    SameSigungu,
    /// Any resident of a 시군 the campaign covers.
    AnyCovered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteRule {
    pub region: RegionRule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Sorted by date, non-overlapping. A day in no window is not a service day.
    pub windows: Vec<Window>,
    pub rotation: Rotation,
    /// Sorted by date, one per date.
    pub holidays: Vec<Holiday>,
    pub closures: Vec<Closure>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub name: String,
    pub dates: DateRange,
    pub household_sizes: HouseholdSizes,
    /// Whether the rotation (e.g. 5부제) applies on this window's weekdays.
    pub rotation: bool,
    pub hours: PerSite<OpeningHours>,
}

/// An inclusive range of household sizes; `max: None` means "or more".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HouseholdSizes {
    pub min: u8,
    pub max: Option<u8>,
}

impl HouseholdSizes {
    pub fn contains(&self, size: u8) -> bool {
        size >= self.min && self.max.is_none_or(|max| size <= max)
    }

    /// `4인 이상`, `3인`, `1~2인`.
    pub fn label(&self) -> String {
        match self.max {
            None if self.min <= 1 => "모든".to_owned(),
            None => format!("{}인 이상", self.min),
            Some(max) if max == self.min => format!("{max}인"),
            Some(max) => format!("{}~{}인", self.min, max),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpeningHours {
    pub weekday: Option<Hours>,
    pub weekend: Option<Hours>,
}

/// Half-open: serves from `open` up to, not including, `close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub open: NaiveTime,
    pub close: NaiveTime,
}

impl Hours {
    pub fn contains(&self, time: NaiveTime) -> bool {
        self.open <= time && time < self.close
    }
}

/// The rotation that spreads a crowd over the days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// 5부제: the last digit of the birth year picks a weekday.
    Weekday([Weekday; 10]),
    /// 홀짝제: odd birth years on odd dates of the month, even on even.
    OddEven,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    pub treatment: PerSite<DayTreatment>,
}

/// How a site treats a public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayTreatment {
    /// An ordinary weekday: weekday hours and the rotation.
    #[default]
    Weekday,
    /// Like a weekend: weekend hours (if any), no rotation.
    Weekend,
    Closed,
}

/// A declared stop, half-open like hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub from: NaiveDateTime,
    pub until: NaiveDateTime,
    pub reason: String,
    pub sites: PerSite<bool>,
}

impl Closure {
    pub fn covers(&self, site: SiteType, at: NaiveDateTime) -> bool {
        *self.sites.get(site) && self.from <= at && at < self.until
    }
}

/// One source of money (the province, the 시군 top-up, the state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountSource {
    /// Stable code, e.g. `province`, `sigungu`.
    pub source: String,
    pub label: String,
    pub base_date: Option<NaiveDate>,
    pub rule: AmountRule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountRule {
    PerPerson(Krw),
    /// Residents of other 시군 get nothing from this source.
    PerPersonByRegion(BTreeMap<Sigungu, Krw>),
    /// By household size; the largest size listed covers all larger ones.
    PerHousehold(BTreeMap<u8, Krw>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardLimit {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub max: Krw,
}

impl CardLimit {
    pub fn applies_on(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= day) && self.until.is_none_or(|until| day <= until)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyRules {
    pub relations: Vec<Relation>,
    pub id_documents: Vec<IdDocument>,
    pub power_of_attorney_required: bool,
    pub principal_id_required: bool,
    pub adult_age: u32,
    pub minors_only_household_may_apply: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignRules {
    pub eligible: bool,
    /// Residence statuses that qualify, for the clerk to check on the card.
    pub statuses: Vec<String>,
    pub base_date: Option<NaiveDate>,
    /// Their own application period, inside the campaign's.
    pub period: Option<DateRange>,
    pub sites: PerSite<bool>,
    /// Per-person amounts by source replacing the campaign's, if given.
    pub per_person: Option<BTreeMap<String, Krw>>,
}

impl Policy {
    pub fn region_name(&self, code: Sigungu) -> Option<&str> {
        self.regions.get(&code).map(String::as_str)
    }

    pub fn covers(&self, code: Sigungu) -> bool {
        self.regions.contains_key(&code)
    }

    pub fn card_limit_on(&self, day: NaiveDate) -> Option<Krw> {
        self.card_limits
            .iter()
            .find(|limit| limit.applies_on(day))
            .map(|limit| limit.max)
    }
}
