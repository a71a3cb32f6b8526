//! Local times as the terminal and the ledger store them and send them:
//! `YYYY-MM-DDTHH:MM:SS`, which sorts as it reads. Written and read by
//! position rather than through a format string, which is several times
//! slower: a first download formats and reads a million of them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

pub fn format(at: NaiveDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// What [`format`] wrote, or `None` for anything else: each side turns
/// that into its own "corrupt row" (shown as 1970, a bad time would pass
/// for a payment made long ago).
pub fn parse(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?.and_hms_opt(
        number(11..13)?,
        number(14..16)?,
        number(17..19)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_round_trips_and_nothing_else_parses() {
        let at = NaiveDate::from_ymd_opt(2020, 5, 18)
            .unwrap()
            .and_hms_opt(9, 5, 7)
            .unwrap();
        assert_eq!(format(at), "2020-05-18T09:05:07");
        assert_eq!(parse(&format(at)), Some(at));
        for bad in [
            "",
            "2020-05-18",
            "2020-13-18T09:05:07",
            "2020-02-30T09:05:07",
            "2020-05-18T24:00:00",
            "2020-05-18 09:05:07",
            "20x0-05-18T09:05:07",
            "2020-05-18T09:05:07Z",
            "+020-05-18T09:05:07",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
