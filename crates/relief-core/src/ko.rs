//! Korean wording of dates and times, as a clerk reads them out.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

pub fn weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "월",
        Weekday::Tue => "화",
        Weekday::Wed => "수",
        Weekday::Thu => "목",
        Weekday::Fri => "금",
        Weekday::Sat => "토",
        Weekday::Sun => "일",
    }
}

/// `4월 27일(월)`
pub fn date(day: NaiveDate) -> String {
    format!(
        "{}월 {}일({})",
        day.month(),
        day.day(),
        weekday(day.weekday())
    )
}

/// `2020년 4월 20일(월)`, where the year is not obvious.
pub fn date_with_year(day: NaiveDate) -> String {
    format!("{}년 {}", day.year(), date(day))
}

/// `09:00`
pub fn time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_a_korean_calendar() {
        let d = NaiveDate::from_ymd_opt(2020, 4, 27).unwrap();
        assert_eq!(date(d), "4월 27일(월)");
        assert_eq!(date_with_year(d), "2020년 4월 27일(월)");
        assert_eq!(time(NaiveTime::from_hms_opt(9, 0, 0).unwrap()), "09:00");
    }
}
