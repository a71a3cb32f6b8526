//! The verdict in plain Korean, for the clerk to read out to the visitor.

use super::{Refusal, Verdict};
use crate::ko;
use crate::policy::{Policy, Window};
use crate::region::Sigungu;
use crate::site::SiteType;
use strum::VariantArray;

impl Verdict<'_> {
    pub fn message(&self, policy: &Policy) -> String {
        match self {
            Verdict::Allowed { window, hours } => format!(
                "지금 발급 가능합니다 ({}, {}까지 발급).",
                window.name,
                ko::time(hours.close)
            ),
            Verdict::Refused(refusal) => refusal.message(policy),
        }
    }
}

impl Refusal<'_> {
    pub fn message(&self, policy: &Policy) -> String {
        match self {
            Refusal::ForeignNotEligible => "외국인 주민은 이번 지원 대상이 아닙니다.".to_owned(),
            Refusal::ForeignWrongSite { site } => {
                let allowed: Vec<&str> = SiteType::VARIANTS
                    .iter()
                    .filter(|s| *policy.foreign.sites.get(**s))
                    .map(|s| s.label())
                    .collect();
                format!(
                    "외국인 주민은 {}에서 신청할 수 없습니다. {}에서 신청하세요.",
                    site.label(),
                    allowed.join("·")
                )
            }
            Refusal::WrongRegion { site, resident } => format!(
                "이 창구는 {} 주민을 받습니다. {} 주민은 주소지 시군의 창구에서 신청하세요.",
                region(policy, *site),
                region(policy, *resident)
            ),
            Refusal::BeforePeriod { opens, foreign } => format!(
                "아직 {}신청 기간이 아닙니다. {}부터 신청할 수 있습니다.",
                if *foreign { "외국인 주민 " } else { "" },
                ko::date_with_year(*opens)
            ),
            Refusal::AfterPeriod { closed, foreign } => format!(
                "{}신청 기간이 끝났습니다 ({}까지).",
                if *foreign { "외국인 주민 " } else { "" },
                ko::date_with_year(*closed)
            ),
            Refusal::NoServiceDay => "오늘은 발급하는 날이 아닙니다.".to_owned(),
            Refusal::WeekendClosed { site } => {
                format!("{}은(는) 주말에 발급하지 않습니다.", site.label())
            }
            Refusal::HolidayClosed { holiday, site } => {
                format!(
                    "{}에는 {}에서 발급하지 않습니다.",
                    holiday.name,
                    site.label()
                )
            }
            Refusal::WrongWeek {
                window,
                size,
                theirs,
            } => {
                let mut text = format!(
                    "{}는 {} 세대 차례입니다.",
                    window_span(window),
                    window.household_sizes.label()
                );
                match theirs {
                    Some(w) if w.dates.first > window.dates.last => text.push_str(&format!(
                        " {size} 세대는 {}({} ~ {})에 신청하세요.",
                        w.name,
                        ko::date(w.dates.first),
                        ko::date(w.dates.last)
                    )),
                    Some(w) => text.push_str(&format!(
                        " {size} 세대의 신청 기간({})은 지났습니다.",
                        w.name
                    )),
                    None => text.push_str(&format!(" {size} 세대의 신청 기간이 없습니다.")),
                }
                text
            }
            Refusal::WrongWeekday {
                digit,
                theirs,
                today,
            } => format!(
                "출생연도 끝자리가 {digit}이면 {}요일에 신청합니다 (오늘은 {}요일).",
                ko::weekday(*theirs),
                ko::weekday(*today)
            ),
            Refusal::WrongDateParity { odd_year } => format!(
                "{} 해에 태어난 분은 {} 날짜에 신청합니다.",
                if *odd_year { "홀수" } else { "짝수" },
                if *odd_year { "홀수" } else { "짝수" }
            ),
            Refusal::Closed { closure } => format!(
                "발급 중단: {} ({} {}까지).",
                closure.reason,
                ko::date(closure.until.date()),
                ko::time(closure.until.time())
            ),
            Refusal::OutsideHours { hours } => format!(
                "발급 시간이 아닙니다 (발급 시간 {}~{}).",
                ko::time(hours.open),
                ko::time(hours.close)
            ),
            Refusal::NoRoll => {
                "이 단말기에 주민 명부가 아직 없습니다. 원장 서버와 동기화한 뒤 발급하세요."
                    .to_owned()
            }
            Refusal::NotOnRoll => {
                "이 시군의 주민 명부에 없는 사람입니다. 주소지 시군의 창구에서 신청하거나, 등본으로 확인되면 감독자 예외 처리를 받으세요."
                    .to_owned()
            }
            Refusal::RemovedFromRoll => {
                "주민 명부에서 말소된 사람입니다 (전출 또는 사망).".to_owned()
            }
            Refusal::MovedAway => {
                "기준일 뒤 다른 시군으로 전입한 사람입니다. 지금 주소지 시군의 창구에서 신청하세요."
                    .to_owned()
            }
            Refusal::OtherEupmyeondong { theirs } => format!(
                "읍면동 행정복지센터는 주소지 읍면동 주민만 받습니다. {theirs} 행정복지센터나 시군 안 농협 지점에서 신청하세요."
            ),
            Refusal::StatusNotEntitled { status } => {
                format!("{}은(는) 이번 지원 대상이 아닙니다.", status.label())
            }
        }
    }
}

fn region(policy: &Policy, code: Sigungu) -> String {
    policy
        .region_name(code)
        .map_or_else(|| format!("시군 {code}"), str::to_owned)
}

fn window_span(window: &Window) -> String {
    format!(
        "{}({} ~ {})",
        window.name,
        ko::date(window.dates.first),
        ko::date(window.dates.last)
    )
}
