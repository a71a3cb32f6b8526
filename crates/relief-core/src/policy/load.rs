//! From TOML text to a validated [`Policy`]. The raw structs mirror the file;
//! `Checker` turns them into the typed model and names the field at fault.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::Deserialize;
use toml::value::Datetime;

use super::error::{PolicyError, PolicyProblem};
use super::model::*;
use crate::household::HouseholdSize;
use crate::money::Krw;
use crate::proxy::{IdDocument, Relation};
use crate::region::Sigungu;
use crate::site::{PerSite, SiteType};

/// The policy file format this build reads.
pub const SCHEMA: u32 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    schema: u32,
    campaign: RawCampaign,
    regions: BTreeMap<String, String>,
    sites: PerSiteRaw<RawSite>,
    hours: PerSiteRaw<RawHours>,
    rotation: RawRotation,
    #[serde(rename = "window")]
    windows: Vec<RawWindow>,
    #[serde(default, rename = "holiday")]
    holidays: Vec<RawHoliday>,
    #[serde(default, rename = "closure")]
    closures: Vec<RawClosure>,
    #[serde(rename = "amount")]
    amounts: Vec<RawAmount>,
    #[serde(rename = "card_limit")]
    card_limits: Vec<RawCardLimit>,
    proxy: RawProxy,
    foreign_residents: RawForeign,
    roll: Option<RawRoll>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoll {
    required: bool,
    entitled: Vec<crate::roll::RollStatus>,
    center_own_eupmyeondong: bool,
    #[serde(default)]
    overrides: Vec<crate::roll::RollOverride>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PerSiteRaw<T> {
    center: T,
    nh: T,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaign {
    id: String,
    name: String,
    version: String,
    period: RawRange,
    card_usable_until: Datetime,
    base_date: Datetime,
    basis: Basis,
    birth_year_of: BirthYearOf,
    offline_mode: OfflineMode,
    idle_lock_minutes: i64,
    #[serde(default = "default_kept_days")]
    personal_data_kept_days: i64,
    #[serde(default)]
    offline_approval: RawOfflineApproval,
}

/// What one supervisor's approval of offline issuance at a counter may
/// cover at most. Absent, an hour or 50 issuances, whichever ends first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOfflineApproval {
    max_minutes: i64,
    max_issuances: i64,
}

impl Default for RawOfflineApproval {
    fn default() -> Self {
        RawOfflineApproval {
            max_minutes: 60,
            max_issuances: 50,
        }
    }
}

/// 개인정보 보호법: destroyed when the purpose ends. A year after the cards
/// stop working leaves time for the audit and for complaints.
fn default_kept_days() -> i64 {
    365
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    from: Datetime,
    until: Datetime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    region: RegionRule,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawHours {
    weekday: Option<String>,
    weekend: Option<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RotationKind {
    Weekday,
    OddEven,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRotation {
    kind: RotationKind,
    monday: Option<Vec<i64>>,
    tuesday: Option<Vec<i64>>,
    wednesday: Option<Vec<i64>>,
    thursday: Option<Vec<i64>>,
    friday: Option<Vec<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    name: String,
    from: Datetime,
    until: Datetime,
    household_sizes: RawSizes,
    rotation: bool,
    #[serde(default)]
    hours: Option<RawWindowHours>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSizes {
    min: i64,
    max: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindowHours {
    center: Option<RawHours>,
    nh: Option<RawHours>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    date: Datetime,
    name: String,
    center: DayTreatment,
    nh: DayTreatment,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClosure {
    from: Datetime,
    until: Datetime,
    reason: String,
    sites: Option<Vec<SiteType>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmount {
    source: String,
    label: String,
    base_date: Option<Datetime>,
    per_person: Option<i64>,
    per_person_by_region: Option<BTreeMap<String, i64>>,
    per_household: Option<BTreeMap<String, i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCardLimit {
    from: Option<Datetime>,
    until: Option<Datetime>,
    max: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProxy {
    relations: Vec<Relation>,
    id_documents: Vec<IdDocument>,
    power_of_attorney_required: bool,
    principal_id_required: bool,
    adult_age: i64,
    minors_only_household_may_apply: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForeign {
    eligible: bool,
    #[serde(default)]
    statuses: Vec<String>,
    base_date: Option<Datetime>,
    period: Option<RawRange>,
    sites: Option<Vec<SiteType>>,
    per_person: Option<BTreeMap<String, i64>>,
}

impl Policy {
    /// Reads and validates a policy. `file` names the source in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Policy, PolicyError> {
        let fail = |field: String, problem| PolicyError {
            file: file.to_owned(),
            field,
            problem,
        };
        let deserializer = toml::Deserializer::parse(text).map_err(|e| {
            let (line, column) = line_and_column(text, e.span());
            fail(
                ".".to_owned(),
                PolicyProblem::Syntax {
                    line,
                    column,
                    message: e.message().to_owned(),
                },
            )
        })?;
        let raw: RawPolicy = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner();
            let (line, _) = line_and_column(text, inner.span());
            fail(
                field,
                PolicyProblem::Shape {
                    line,
                    message: inner.message().to_owned(),
                },
            )
        })?;
        Checker
            .policy(raw)
            .map_err(|(field, problem)| fail(field, problem))
    }
}

fn line_and_column(text: &str, span: Option<std::ops::Range<usize>>) -> (usize, usize) {
    let Some(at) = span.map(|s| s.start.min(text.len())) else {
        return (0, 0);
    };
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

type Fault = (String, PolicyProblem);
type Checked<T> = Result<T, Fault>;

fn at(field: impl Into<String>, problem: PolicyProblem) -> Fault {
    (field.into(), problem)
}

/// Validation, one method per section. Every error carries its field path.
struct Checker;

impl Checker {
    fn policy(&self, raw: RawPolicy) -> Checked<Policy> {
        if raw.schema != SCHEMA {
            return Err(at(
                "schema",
                PolicyProblem::UnsupportedSchema {
                    found: raw.schema,
                    supported: SCHEMA,
                },
            ));
        }
        let campaign = self.campaign(&raw.campaign)?;
        let regions = self.regions(&raw.regions)?;
        let sites = PerSite {
            center: SiteRule {
                region: raw.sites.center.region,
            },
            nh: SiteRule {
                region: raw.sites.nh.region,
            },
        };
        let default_hours = PerSite {
            center: self.opening_hours("hours.center", &raw.hours.center)?,
            nh: self.opening_hours("hours.nh", &raw.hours.nh)?,
        };
        let schedule = Schedule {
            windows: self.windows(&raw.windows, &campaign.period, &default_hours)?,
            rotation: self.rotation(&raw.rotation)?,
            holidays: self.holidays(&raw.holidays)?,
            closures: self.closures(&raw.closures)?,
        };
        let amounts = self.amounts(&raw.amounts, campaign.basis, &regions)?;
        let card_limits = self.card_limits(&raw.card_limits, &campaign.period)?;
        let proxy = self.proxy(&raw.proxy)?;
        let foreign = self.foreign(&raw.foreign_residents, &campaign.period, &amounts)?;
        let roll = raw
            .roll
            .as_ref()
            .map(|r| self.roll(r, &foreign))
            .transpose()?;
        // A terminal holds its own 시군's roll: it cannot vouch for anyone
        // else's residents.
        if roll.is_some()
            && [sites.center.region, sites.nh.region].contains(&RegionRule::AnyCovered)
        {
            return Err(at("roll", PolicyProblem::RollNeedsOwnSigungu));
        }
        Ok(Policy {
            campaign,
            regions,
            sites,
            schedule,
            amounts,
            card_limits,
            proxy,
            foreign,
            roll,
        })
    }

    fn roll(&self, raw: &RawRoll, foreign: &ForeignRules) -> Checked<RollRules> {
        if raw.entitled.is_empty() {
            return Err(at("roll.entitled", PolicyProblem::Empty));
        }
        for status in &raw.entitled {
            if *status == crate::roll::RollStatus::Removed {
                return Err(at("roll.entitled", PolicyProblem::RemovedEntitled));
            }
            if status.is_foreign() && !foreign.eligible {
                return Err(at(
                    "roll.entitled",
                    PolicyProblem::ForeignStatusNotEligible(status.code().to_owned()),
                ));
            }
        }
        Ok(RollRules {
            required: raw.required,
            entitled: raw.entitled.clone(),
            center_own_eupmyeondong: raw.center_own_eupmyeondong,
            overrides: raw.overrides.clone(),
        })
    }

    fn campaign(&self, raw: &RawCampaign) -> Checked<Campaign> {
        for (field, text) in [
            ("campaign.id", &raw.id),
            ("campaign.name", &raw.name),
            ("campaign.version", &raw.version),
        ] {
            non_empty(field, text)?;
        }
        let period = self.range("campaign.period", &raw.period)?;
        let card_usable_until = date("campaign.card_usable_until", &raw.card_usable_until)?;
        if card_usable_until < period.last {
            return Err(at(
                "campaign.card_usable_until",
                PolicyProblem::DatesOutOfOrder {
                    from: period.last.to_string(),
                    until: card_usable_until.to_string(),
                },
            ));
        }
        let base_date = date("campaign.base_date", &raw.base_date)?;
        if base_date >= period.first {
            return Err(at(
                "campaign.base_date",
                PolicyProblem::DatesOutOfOrder {
                    from: base_date.to_string(),
                    until: period.first.to_string(),
                },
            ));
        }
        Ok(Campaign {
            id: raw.id.clone(),
            name: raw.name.clone(),
            version: raw.version.clone(),
            period,
            card_usable_until,
            base_date,
            basis: raw.basis,
            birth_year_of: raw.birth_year_of,
            offline_mode: raw.offline_mode,
            idle_lock_minutes: in_range(
                "campaign.idle_lock_minutes",
                raw.idle_lock_minutes,
                1,
                120,
            )? as u32,
            personal_data_kept_days: in_range(
                "campaign.personal_data_kept_days",
                raw.personal_data_kept_days,
                0,
                3650,
            )? as u32,
            offline_approval: OfflineApprovalBounds {
                max_minutes: in_range(
                    "campaign.offline_approval.max_minutes",
                    raw.offline_approval.max_minutes,
                    1,
                    12 * 60,
                )? as u32,
                max_issuances: in_range(
                    "campaign.offline_approval.max_issuances",
                    raw.offline_approval.max_issuances,
                    1,
                    1000,
                )? as u32,
            },
        })
    }

    fn range(&self, field: &str, raw: &RawRange) -> Checked<DateRange> {
        let first = date(format!("{field}.from"), &raw.from)?;
        let last = date(format!("{field}.until"), &raw.until)?;
        if first > last {
            return Err(at(
                format!("{field}.until"),
                PolicyProblem::DatesOutOfOrder {
                    from: first.to_string(),
                    until: last.to_string(),
                },
            ));
        }
        Ok(DateRange { first, last })
    }

    fn regions(&self, raw: &BTreeMap<String, String>) -> Checked<BTreeMap<Sigungu, String>> {
        if raw.is_empty() {
            return Err(at("regions", PolicyProblem::Empty));
        }
        raw.iter()
            .map(|(code, name)| {
                let field = format!("regions.{code}");
                let sigungu = code
                    .parse::<Sigungu>()
                    .map_err(|_| at(&field, PolicyProblem::InvalidSigunguCode(code.clone())))?;
                non_empty(&field, name)?;
                Ok((sigungu, name.clone()))
            })
            .collect()
    }

    fn opening_hours(&self, field: &str, raw: &RawHours) -> Checked<OpeningHours> {
        let parse = |part: &str, text: &Option<String>| -> Checked<Option<Hours>> {
            text.as_deref()
                .map(|t| {
                    hours(t).ok_or_else(|| {
                        at(
                            format!("{field}.{part}"),
                            PolicyProblem::BadHours(t.to_owned()),
                        )
                    })
                })
                .transpose()
        };
        Ok(OpeningHours {
            weekday: parse("weekday", &raw.weekday)?,
            weekend: parse("weekend", &raw.weekend)?,
        })
    }

    fn rotation(&self, raw: &RawRotation) -> Checked<Rotation> {
        let days = [
            ("monday", Weekday::Mon, &raw.monday),
            ("tuesday", Weekday::Tue, &raw.tuesday),
            ("wednesday", Weekday::Wed, &raw.wednesday),
            ("thursday", Weekday::Thu, &raw.thursday),
            ("friday", Weekday::Fri, &raw.friday),
        ];
        if raw.kind == RotationKind::OddEven {
            if days.iter().any(|(_, _, digits)| digits.is_some()) {
                return Err(at("rotation", PolicyProblem::WeekdaysWithOddEven));
            }
            return Ok(Rotation::OddEven);
        }
        let mut map: [Option<Weekday>; 10] = [None; 10];
        for (name, weekday, digits) in days {
            for &digit in digits.iter().flatten() {
                let field = format!("rotation.{name}");
                let slot = usize::try_from(digit)
                    .ok()
                    .and_then(|d| map.get_mut(d))
                    .ok_or_else(|| at(&field, PolicyProblem::NotADigit(digit)))?;
                if slot.is_some() {
                    return Err(at(field, PolicyProblem::DigitTwice(digit as u8)));
                }
                *slot = Some(weekday);
            }
        }
        let mut weekdays = [Weekday::Mon; 10];
        for (digit, slot) in map.iter().enumerate() {
            weekdays[digit] =
                slot.ok_or_else(|| at("rotation", PolicyProblem::DigitMissing(digit as u8)))?;
        }
        Ok(Rotation::Weekday(weekdays))
    }

    fn windows(
        &self,
        raw: &[RawWindow],
        period: &DateRange,
        default_hours: &PerSite<OpeningHours>,
    ) -> Checked<Vec<Window>> {
        if raw.is_empty() {
            return Err(at("window", PolicyProblem::Empty));
        }
        let mut windows: Vec<(usize, Window)> = Vec::with_capacity(raw.len());
        for (i, w) in raw.iter().enumerate() {
            let field = format!("window[{i}]");
            non_empty(format!("{field}.name"), &w.name)?;
            let dates = self.range(
                &field,
                &RawRange {
                    from: w.from,
                    until: w.until,
                },
            )?;
            within(&format!("{field}.from"), &dates, period)?;
            let household_sizes =
                self.household_sizes(&format!("{field}.household_sizes"), &w.household_sizes)?;
            let mut hours = default_hours.clone();
            if let Some(over) = &w.hours {
                if let Some(center) = &over.center {
                    hours.center = self.opening_hours(&format!("{field}.hours.center"), center)?;
                }
                if let Some(nh) = &over.nh {
                    hours.nh = self.opening_hours(&format!("{field}.hours.nh"), nh)?;
                }
            }
            windows.push((
                i,
                Window {
                    name: w.name.clone(),
                    dates,
                    household_sizes,
                    rotation: w.rotation,
                    hours,
                },
            ));
        }
        windows.sort_by_key(|(_, w)| w.dates.first);
        for pair in windows.windows(2) {
            let ((_, earlier), (i, later)) = (&pair[0], &pair[1]);
            if earlier.dates.overlaps(&later.dates) {
                return Err(at(
                    format!("window[{i}]"),
                    PolicyProblem::Overlaps {
                        other: format!("window \"{}\"", earlier.name),
                    },
                ));
            }
        }
        Ok(windows.into_iter().map(|(_, w)| w).collect())
    }

    fn household_sizes(&self, field: &str, raw: &RawSizes) -> Checked<HouseholdSizes> {
        let size = |part: &str, n: i64| -> Checked<u8> {
            HouseholdSize::try_from(n)
                .map(HouseholdSize::get)
                .map_err(|_| {
                    at(
                        format!("{field}.{part}"),
                        PolicyProblem::HouseholdSize {
                            found: n,
                            max: HouseholdSize::MAX,
                        },
                    )
                })
        };
        let min = size("min", raw.min)?;
        let max = raw.max.map(|m| size("max", m)).transpose()?;
        if let Some(max) = max
            && max < min
        {
            return Err(at(
                format!("{field}.max"),
                PolicyProblem::MinAboveMax {
                    min: min.into(),
                    max: max.into(),
                },
            ));
        }
        Ok(HouseholdSizes { min, max })
    }

    fn holidays(&self, raw: &[RawHoliday]) -> Checked<Vec<Holiday>> {
        let mut holidays = Vec::with_capacity(raw.len());
        let mut seen = BTreeSet::new();
        for (i, h) in raw.iter().enumerate() {
            let field = format!("holiday[{i}]");
            let day = date(format!("{field}.date"), &h.date)?;
            non_empty(format!("{field}.name"), &h.name)?;
            if !seen.insert(day) {
                return Err(at(
                    format!("{field}.date"),
                    PolicyProblem::Duplicate(day.to_string()),
                ));
            }
            holidays.push(Holiday {
                date: day,
                name: h.name.clone(),
                treatment: PerSite {
                    center: h.center,
                    nh: h.nh,
                },
            });
        }
        holidays.sort_by_key(|h| h.date);
        Ok(holidays)
    }

    fn closures(&self, raw: &[RawClosure]) -> Checked<Vec<Closure>> {
        raw.iter()
            .enumerate()
            .map(|(i, c)| {
                let field = format!("closure[{i}]");
                let from = datetime(format!("{field}.from"), &c.from)?;
                let until = datetime(format!("{field}.until"), &c.until)?;
                if from >= until {
                    return Err(at(
                        format!("{field}.until"),
                        PolicyProblem::DatesOutOfOrder {
                            from: from.to_string(),
                            until: until.to_string(),
                        },
                    ));
                }
                non_empty(format!("{field}.reason"), &c.reason)?;
                Ok(Closure {
                    from,
                    until,
                    reason: c.reason.clone(),
                    sites: site_set(c.sites.as_deref()),
                })
            })
            .collect()
    }

    fn amounts(
        &self,
        raw: &[RawAmount],
        basis: Basis,
        regions: &BTreeMap<Sigungu, String>,
    ) -> Checked<Vec<AmountSource>> {
        if raw.is_empty() {
            return Err(at("amount", PolicyProblem::Empty));
        }
        let mut seen = BTreeSet::new();
        raw.iter()
            .enumerate()
            .map(|(i, a)| {
                let field = format!("amount[{i}]");
                non_empty(format!("{field}.source"), &a.source)?;
                non_empty(format!("{field}.label"), &a.label)?;
                if !seen.insert(a.source.as_str()) {
                    return Err(at(
                        format!("{field}.source"),
                        PolicyProblem::Duplicate(a.source.clone()),
                    ));
                }
                let base_date = a
                    .base_date
                    .as_ref()
                    .map(|d| date(format!("{field}.base_date"), d))
                    .transpose()?;
                let rule = match (&a.per_person, &a.per_person_by_region, &a.per_household) {
                    (Some(amount), None, None) => {
                        AmountRule::PerPerson(positive(format!("{field}.per_person"), *amount)?)
                    }
                    (None, Some(by_region), None) => {
                        let mut table = BTreeMap::new();
                        for (code, amount) in by_region {
                            let f = format!("{field}.per_person_by_region.{code}");
                            let sigungu = code.parse::<Sigungu>().map_err(|_| {
                                at(&f, PolicyProblem::InvalidSigunguCode(code.clone()))
                            })?;
                            if !regions.contains_key(&sigungu) {
                                return Err(at(f, PolicyProblem::UnknownSigungu(code.clone())));
                            }
                            table.insert(sigungu, positive(&f, *amount)?);
                        }
                        AmountRule::PerPersonByRegion(table)
                    }
                    (None, None, Some(by_size)) => AmountRule::PerHousehold(
                        self.per_household(&format!("{field}.per_household"), by_size)?,
                    ),
                    _ => return Err(at(field, PolicyProblem::AmountRuleCount)),
                };
                let fits = matches!(
                    (basis, &rule),
                    (Basis::Household, AmountRule::PerHousehold(_))
                        | (
                            Basis::Person,
                            AmountRule::PerPerson(_) | AmountRule::PerPersonByRegion(_)
                        )
                );
                if !fits {
                    return Err(at(field, PolicyProblem::BasisMismatch { basis }));
                }
                Ok(AmountSource {
                    source: a.source.clone(),
                    label: a.label.clone(),
                    base_date,
                    rule,
                })
            })
            .collect()
    }

    fn per_household(
        &self,
        field: &str,
        raw: &BTreeMap<String, i64>,
    ) -> Checked<BTreeMap<u8, Krw>> {
        let mut table = BTreeMap::new();
        for (size, amount) in raw {
            let f = format!("{field}.{size}");
            let n: i64 = size.parse().map_err(|_| {
                at(
                    &f,
                    PolicyProblem::HouseholdSize {
                        found: 0,
                        max: HouseholdSize::MAX,
                    },
                )
            })?;
            let size = HouseholdSize::try_from(n).map_err(|_| {
                at(
                    &f,
                    PolicyProblem::HouseholdSize {
                        found: n,
                        max: HouseholdSize::MAX,
                    },
                )
            })?;
            table.insert(size.get(), positive(&f, *amount)?);
        }
        let largest = table.keys().next_back().copied().unwrap_or(0);
        if let Some(gap) = (1..=largest.max(1)).find(|s| !table.contains_key(s)) {
            return Err(at(field, PolicyProblem::HouseholdSizeGap(gap)));
        }
        Ok(table)
    }

    fn card_limits(&self, raw: &[RawCardLimit], period: &DateRange) -> Checked<Vec<CardLimit>> {
        let mut limits = Vec::with_capacity(raw.len());
        for (i, l) in raw.iter().enumerate() {
            let field = format!("card_limit[{i}]");
            let from = l
                .from
                .as_ref()
                .map(|d| date(format!("{field}.from"), d))
                .transpose()?;
            let until = l
                .until
                .as_ref()
                .map(|d| date(format!("{field}.until"), d))
                .transpose()?;
            if let (Some(f), Some(u)) = (from, until)
                && f > u
            {
                return Err(at(
                    format!("{field}.until"),
                    PolicyProblem::DatesOutOfOrder {
                        from: f.to_string(),
                        until: u.to_string(),
                    },
                ));
            }
            limits.push((
                i,
                CardLimit {
                    from,
                    until,
                    max: positive(format!("{field}.max"), l.max)?,
                },
            ));
        }
        limits.sort_by_key(|(_, l)| l.from);
        for pair in limits.windows(2) {
            let ((j, earlier), (i, later)) = (&pair[0], &pair[1]);
            let apart = match (earlier.until, later.from) {
                (Some(until), Some(from)) => until < from,
                _ => false,
            };
            if !apart {
                return Err(at(
                    format!("card_limit[{i}]"),
                    PolicyProblem::Overlaps {
                        other: format!("card_limit[{j}]"),
                    },
                ));
            }
        }
        let limits: Vec<CardLimit> = limits.into_iter().map(|(_, l)| l).collect();
        let mut day = period.first;
        while day <= period.last {
            if !limits.iter().any(|l| l.applies_on(day)) {
                return Err(at("card_limit", PolicyProblem::NoCardLimit(day)));
            }
            day = day
                .succ_opt()
                .expect("campaign dates are far from the end of time");
        }
        Ok(limits)
    }

    fn proxy(&self, raw: &RawProxy) -> Checked<ProxyRules> {
        if !raw.relations.contains(&Relation::SelfApplicant) {
            return Err(at(
                "proxy.relations",
                PolicyProblem::MustInclude("\"self\""),
            ));
        }
        if raw.id_documents.is_empty() {
            return Err(at("proxy.id_documents", PolicyProblem::Empty));
        }
        Ok(ProxyRules {
            relations: raw.relations.clone(),
            id_documents: raw.id_documents.clone(),
            power_of_attorney_required: raw.power_of_attorney_required,
            principal_id_required: raw.principal_id_required,
            adult_age: in_range("proxy.adult_age", raw.adult_age, 14, 25)? as u32,
            minors_only_household_may_apply: raw.minors_only_household_may_apply,
        })
    }

    fn foreign(
        &self,
        raw: &RawForeign,
        period: &DateRange,
        amounts: &[AmountSource],
    ) -> Checked<ForeignRules> {
        let base_date = raw
            .base_date
            .as_ref()
            .map(|d| date("foreign_residents.base_date", d))
            .transpose()?;
        let own_period = raw
            .period
            .as_ref()
            .map(|p| self.range("foreign_residents.period", p))
            .transpose()?;
        if let Some(own) = &own_period {
            within("foreign_residents.period", own, period)?;
        }
        let per_person = raw
            .per_person
            .as_ref()
            .map(|table| {
                table
                    .iter()
                    .map(|(source, amount)| {
                        let f = format!("foreign_residents.per_person.{source}");
                        if !amounts.iter().any(|a| &a.source == source) {
                            return Err(at(f, PolicyProblem::UnknownSource(source.clone())));
                        }
                        Ok((source.clone(), positive(&f, *amount)?))
                    })
                    .collect::<Checked<BTreeMap<_, _>>>()
            })
            .transpose()?;
        Ok(ForeignRules {
            eligible: raw.eligible,
            statuses: raw.statuses.clone(),
            base_date,
            period: own_period,
            sites: site_set(raw.sites.as_deref()),
            per_person,
        })
    }
}

fn non_empty(field: impl Into<String>, text: &str) -> Checked<()> {
    if text.trim().is_empty() {
        return Err(at(field, PolicyProblem::Empty));
    }
    Ok(())
}

fn positive(field: impl Into<String>, amount: i64) -> Checked<Krw> {
    u64::try_from(amount)
        .ok()
        .filter(|&a| a > 0)
        .map(Krw)
        .ok_or_else(|| at(field, PolicyProblem::NotPositive(amount)))
}

fn in_range(field: &str, value: i64, min: i64, max: i64) -> Checked<i64> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(at(
            field,
            PolicyProblem::OutOfRange {
                found: value,
                min,
                max,
            },
        ))
    }
}

fn within(field: &str, inner: &DateRange, outer: &DateRange) -> Checked<()> {
    if inner.first < outer.first || inner.last > outer.last {
        return Err(at(
            field,
            PolicyProblem::OutsidePeriod {
                first: outer.first,
                last: outer.last,
            },
        ));
    }
    Ok(())
}

fn site_set(sites: Option<&[SiteType]>) -> PerSite<bool> {
    match sites {
        None => PerSite {
            center: true,
            nh: true,
        },
        Some(list) => PerSite {
            center: list.contains(&SiteType::Center),
            nh: list.contains(&SiteType::Nh),
        },
    }
}

fn date(field: impl Into<String>, value: &Datetime) -> Checked<NaiveDate> {
    let text = value.to_string();
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| at(field, PolicyProblem::NotADate(text)))
}

fn datetime(field: impl Into<String>, value: &Datetime) -> Checked<NaiveDateTime> {
    let text = value.to_string();
    NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| at(field, PolicyProblem::NotADateTime(text)))
}

/// `"09:00-18:00"`, opening strictly before closing.
fn hours(text: &str) -> Option<Hours> {
    let (open, close) = text.split_once('-')?;
    let open = NaiveTime::parse_from_str(open.trim(), "%H:%M").ok()?;
    let close = NaiveTime::parse_from_str(close.trim(), "%H:%M").ok()?;
    (open < close).then_some(Hours { open, close })
}
