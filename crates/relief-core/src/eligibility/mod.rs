//! May this visitor be served here, now? If not, why, and when?
//!
//! The check runs in three layers, each only if the one before passed:
//! 1. the visitor's standing, whatever the date: foreign-resident rules and
//!    region (a refusal here has no "next date" at this kind of site);
//! 2. the day: campaign period, the schedule window, weekends and holidays
//!    for this kind of site, the household-size week, the rotation;
//! 3. the time: declared closures, then opening hours.

mod message;
mod registration;

pub use registration::{Listing, RollLookup, Standing, registration};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use serde::{Serialize, Serializer};

use crate::household::HouseholdSize;
use crate::identity::IdentityNumber;
use crate::policy::{
    Closure, DateRange, DayTreatment, Holiday, Hours, Policy, RegionRule, Rotation, Window,
};
use crate::region::Sigungu;
use crate::site::{Site, SiteType};

/// Who stands at the counter, as far as the schedule cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visitor {
    /// The birth year the policy's rotation looks at (the applicant's or the
    /// 세대주's, per `campaign.birth_year_of`).
    pub birth_year: i32,
    pub foreign: bool,
}

impl Visitor {
    /// The visitor as their identity number describes them.
    pub fn from_identity(id: &IdentityNumber) -> Visitor {
        Visitor {
            birth_year: id.birth_year(),
            foreign: id.is_foreign(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    /// Local time at the counter.
    pub at: NaiveDateTime,
    pub site: Site,
    pub resident_sigungu: Sigungu,
    pub household_size: HouseholdSize,
    pub visitor: Visitor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<'p> {
    pub verdict: Verdict<'p>,
    /// Up to three dates after the visit's date on which this visitor may be
    /// served at this kind of site.
    pub next: NextDates,
}

impl Decision<'_> {
    pub fn allowed(&self) -> bool {
        matches!(self.verdict, Verdict::Allowed { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<'p> {
    Allowed { window: &'p Window, hours: Hours },
    Refused(Refusal<'p>),
}

/// Why a visitor cannot be served now. Each has a stable code and a Korean
/// message (see [`Verdict::message`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal<'p> {
    /// This campaign does not pay foreign residents.
    ForeignNotEligible,
    /// Foreign residents must go to another kind of site.
    ForeignWrongSite {
        site: SiteType,
    },
    /// The resident belongs to another 시군's counters.
    WrongRegion {
        site: Sigungu,
        resident: Sigungu,
    },
    BeforePeriod {
        opens: NaiveDate,
        foreign: bool,
    },
    AfterPeriod {
        closed: NaiveDate,
        foreign: bool,
    },
    /// No schedule window (or no weekday hours) on this date.
    NoServiceDay,
    /// Weekends are not for this kind of site.
    WeekendClosed {
        site: SiteType,
    },
    HolidayClosed {
        holiday: &'p Holiday,
        site: SiteType,
    },
    /// The window is for other household sizes.
    WrongWeek {
        window: &'p Window,
        size: HouseholdSize,
        /// The nearest window for this size, if any remains.
        theirs: Option<&'p Window>,
    },
    /// 5부제: the birth-year digit belongs to another weekday.
    WrongWeekday {
        digit: u8,
        theirs: Weekday,
        today: Weekday,
    },
    /// 홀짝제: the birth year's parity does not match the date's.
    WrongDateParity {
        odd_year: bool,
    },
    /// A declared stop (e.g. the register outage of 2020-04-25).
    Closed {
        closure: &'p Closure,
    },
    OutsideHours {
        hours: Hours,
    },
    /// The policy checks the roll and this terminal has no copy yet.
    NoRoll,
    /// Nobody of this number on the roll of this 시군.
    NotOnRoll,
    /// Taken off the register since the base date (moved out of the
    /// province, died).
    RemovedFromRoll,
    /// Registered in another 시군 of the campaign since the base date.
    MovedAway,
    /// A center serves only its own 읍면동.
    OtherEupmyeondong {
        theirs: String,
    },
    /// A standing on the roll (e.g. other foreigners) this campaign does
    /// not pay.
    StatusNotEntitled {
        status: crate::roll::RollStatus,
    },
}

impl Refusal<'_> {
    /// Stable snake_case code for machines and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::ForeignNotEligible => "foreign_not_eligible",
            Refusal::ForeignWrongSite { .. } => "foreign_site_type",
            Refusal::WrongRegion { .. } => "wrong_region",
            Refusal::BeforePeriod { .. } => "before_period",
            Refusal::AfterPeriod { .. } => "after_period",
            Refusal::NoServiceDay => "no_service_day",
            Refusal::WeekendClosed { .. } => "weekend_closed",
            Refusal::HolidayClosed { .. } => "holiday_closed",
            Refusal::WrongWeek { .. } => "wrong_week",
            Refusal::WrongWeekday { .. } => "wrong_weekday",
            Refusal::WrongDateParity { .. } => "wrong_date_parity",
            Refusal::Closed { .. } => "closed",
            Refusal::OutsideHours { .. } => "outside_hours",
            Refusal::NoRoll => "no_roll",
            Refusal::NotOnRoll => "not_on_roll",
            Refusal::RemovedFromRoll => "removed_from_roll",
            Refusal::MovedAway => "moved_away",
            Refusal::OtherEupmyeondong { .. } => "other_eupmyeondong",
            Refusal::StatusNotEntitled { .. } => "status_not_entitled",
        }
    }
}

impl Verdict<'_> {
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Allowed { .. } => "allowed",
            Verdict::Refused(refusal) => refusal.code(),
        }
    }
}

/// At most three dates, without allocating: the check runs on every
/// keystroke of the visitor form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct NextDates {
    dates: [NaiveDate; NextDates::MAX],
    len: usize,
}

impl NextDates {
    pub const MAX: usize = 3;

    fn none() -> Self {
        NextDates {
            dates: [NaiveDate::MIN; Self::MAX],
            len: 0,
        }
    }

    fn push(&mut self, day: NaiveDate) {
        self.dates[self.len] = day;
        self.len += 1;
    }

    fn is_full(&self) -> bool {
        self.len == Self::MAX
    }

    pub fn as_slice(&self) -> &[NaiveDate] {
        &self.dates[..self.len]
    }
}

impl std::fmt::Debug for NextDates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl Serialize for NextDates {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(serializer)
    }
}

/// Decides whether `visit` may be served, and when this visitor may come.
pub fn check<'p>(policy: &'p Policy, visit: &Visit) -> Decision<'p> {
    let period = match standing(policy, visit) {
        Ok(period) => period,
        Err(refusal) => {
            return Decision {
                verdict: Verdict::Refused(refusal),
                next: NextDates::none(),
            };
        }
    };
    let date = visit.at.date();
    let verdict = match serve_day(policy, visit, period, date) {
        Ok((window, hours)) => at_time(policy, visit, window, hours),
        Err(refusal) => Verdict::Refused(refusal),
    };
    Decision {
        verdict,
        next: next_dates(policy, visit, period, date),
    }
}

/// Layer 1: rules that hold whatever the date. On success, the period in
/// which this visitor may apply.
fn standing<'p>(policy: &'p Policy, visit: &Visit) -> Result<DateRange, Refusal<'p>> {
    let kind = visit.site.kind;
    if visit.visitor.foreign {
        if !policy.foreign.eligible {
            return Err(Refusal::ForeignNotEligible);
        }
        if !policy.foreign.sites.get(kind) {
            return Err(Refusal::ForeignWrongSite { site: kind });
        }
    }
    let region_ok = match policy.sites.get(kind).region {
        RegionRule::SameSigungu => visit.resident_sigungu == visit.site.sigungu,
        RegionRule::AnyCovered => policy.covers(visit.resident_sigungu),
    };
    if !region_ok {
        return Err(Refusal::WrongRegion {
            site: visit.site.sigungu,
            resident: visit.resident_sigungu,
        });
    }
    let foreign_period = policy.foreign.period.filter(|_| visit.visitor.foreign);
    Ok(foreign_period.unwrap_or(policy.campaign.period))
}

/// Layer 2: whether `date` is one of this visitor's days here, and the
/// hours the site keeps on it.
fn serve_day<'p>(
    policy: &'p Policy,
    visit: &Visit,
    period: DateRange,
    date: NaiveDate,
) -> Result<(&'p Window, Hours), Refusal<'p>> {
    let foreign = visit.visitor.foreign;
    if date < period.first {
        return Err(Refusal::BeforePeriod {
            opens: period.first,
            foreign,
        });
    }
    if date > period.last {
        return Err(Refusal::AfterPeriod {
            closed: period.last,
            foreign,
        });
    }
    let windows = &policy.schedule.windows;
    let index = windows.partition_point(|w| w.dates.last < date);
    let window = windows
        .get(index)
        .filter(|w| w.dates.contains(date))
        .ok_or(Refusal::NoServiceDay)?;
    serve_in_window(policy, visit, window, date).map(|hours| (window, hours))
}

/// The part of layer 2 that depends on the window the date falls in.
fn serve_in_window<'p>(
    policy: &'p Policy,
    visit: &Visit,
    window: &'p Window,
    date: NaiveDate,
) -> Result<Hours, Refusal<'p>> {
    let site = visit.site.kind;
    let schedule = &policy.schedule;
    let holiday = schedule.holidays.iter().find(|h| h.date == date);
    let treatment = match holiday {
        Some(h) => *h.treatment.get(site),
        None if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) => DayTreatment::Weekend,
        None => DayTreatment::Weekday,
    };
    let hours = window.hours.get(site);
    let hours = match (treatment, holiday) {
        (DayTreatment::Weekday, _) => hours.weekday.ok_or(Refusal::NoServiceDay)?,
        (DayTreatment::Weekend, None) => hours.weekend.ok_or(Refusal::WeekendClosed { site })?,
        (DayTreatment::Weekend, Some(holiday)) => hours
            .weekend
            .ok_or(Refusal::HolidayClosed { holiday, site })?,
        (DayTreatment::Closed, Some(holiday)) => {
            return Err(Refusal::HolidayClosed { holiday, site });
        }
        (DayTreatment::Closed, None) => unreachable!("only holidays close a day outright"),
    };
    let size = visit.household_size;
    if !window.household_sizes.contains(size.get()) {
        return Err(Refusal::WrongWeek {
            window,
            size,
            theirs: window_for_size(policy, size, date),
        });
    }
    if window.rotation {
        let year = visit.visitor.birth_year;
        match schedule.rotation {
            Rotation::Weekday(map) if treatment == DayTreatment::Weekday => {
                let digit = year.rem_euclid(10) as u8;
                let theirs = map[usize::from(digit)];
                if date.weekday() != theirs {
                    return Err(Refusal::WrongWeekday {
                        digit,
                        theirs,
                        today: date.weekday(),
                    });
                }
            }
            Rotation::Weekday(_) => {}
            Rotation::OddEven => {
                let odd_year = year.rem_euclid(2) == 1;
                if odd_year != (date.day() % 2 == 1) {
                    return Err(Refusal::WrongDateParity { odd_year });
                }
            }
        }
    }
    Ok(hours)
}

/// Layer 3: closures, then hours.
fn at_time<'p>(policy: &'p Policy, visit: &Visit, window: &'p Window, hours: Hours) -> Verdict<'p> {
    let site = visit.site.kind;
    if let Some(closure) = policy
        .schedule
        .closures
        .iter()
        .find(|c| c.covers(site, visit.at))
    {
        return Verdict::Refused(Refusal::Closed { closure });
    }
    if !hours.contains(visit.at.time()) {
        return Verdict::Refused(Refusal::OutsideHours { hours });
    }
    Verdict::Allowed { window, hours }
}

/// Whether any minute of `hours` on `date` is left once closures are taken out.
fn open_for_some_time(policy: &Policy, site: SiteType, date: NaiveDate, hours: Hours) -> bool {
    let mut at = date.and_time(hours.open);
    let close = date.and_time(hours.close);
    // Each step jumps to the end of the closure covering `at`, so it ends.
    while at < close {
        match policy.schedule.closures.iter().find(|c| c.covers(site, at)) {
            Some(closure) => at = closure.until,
            None => return true,
        }
    }
    false
}

/// The window for this household size nearest after `date`, or failing that
/// the latest one before it.
fn window_for_size(policy: &Policy, size: HouseholdSize, date: NaiveDate) -> Option<&Window> {
    let fits = |w: &&Window| w.household_sizes.contains(size.get());
    let windows = &policy.schedule.windows;
    windows
        .iter()
        .filter(fits)
        .find(|w| w.dates.last >= date)
        .or_else(|| windows.iter().rev().find(fits))
}

fn next_dates(policy: &Policy, visit: &Visit, period: DateRange, after: NaiveDate) -> NextDates {
    let mut next = NextDates::none();
    let Some(start) = after.succ_opt() else {
        return next;
    };
    let start = start.max(period.first);
    let size = visit.household_size.get();
    // Walk the windows rather than the calendar: weeks for other household
    // sizes are skipped whole.
    let windows = &policy.schedule.windows;
    let first = windows.partition_point(|w| w.dates.last < start);
    for window in &windows[first..] {
        if window.dates.first > period.last {
            break;
        }
        if !window.household_sizes.contains(size) {
            continue;
        }
        let mut day = window.dates.first.max(start);
        let last = window.dates.last.min(period.last);
        while day <= last {
            if let Ok(hours) = serve_in_window(policy, visit, window, day)
                && open_for_some_time(policy, visit.site.kind, day, hours)
            {
                next.push(day);
                if next.is_full() {
                    return next;
                }
            }
            day = day
                .succ_opt()
                .expect("campaign dates are far from the end of time");
        }
    }
    next
}

#[cfg(test)]
mod tests;
