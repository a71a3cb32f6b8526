//! Stock reconciliation: what the drawer held at opening, what came and
//! went during the day, and whether what it holds at closing is what the
//! movements say. A difference is shown as one, never smoothed over.

use crate::model::Header;

/// One face value's day, as the card events record it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaceValueDay {
    pub face_value: u64,
    /// On hand when the day began.
    pub opening: u64,
    /// On hand when the day ended, from each card's state.
    pub closing: u64,
    pub received: Vec<String>,
    pub issued: Vec<String>,
    /// Handed back on a void: set apart for the card issuer, which blocks
    /// them, and never in stock again.
    pub returned: Vec<String>,
    /// Destroyed on a void, or returned cards written off: neither was in
    /// stock.
    pub destroyed: Vec<String>,
    /// Marked damaged while in stock.
    pub damaged: Vec<String>,
    pub lost: Vec<String>,
    /// Lost cards found again.
    pub found: Vec<String>,
}

impl FaceValueDay {
    /// What closing should be, by the day's movements.
    pub fn expected_closing(&self) -> i64 {
        let n = |v: &Vec<String>| v.len() as i64;
        self.opening as i64 + n(&self.received) - n(&self.issued) - n(&self.damaged) - n(&self.lost)
            + n(&self.found)
    }

    /// Closing minus expected: 0 when the drawer matches the books.
    pub fn difference(&self) -> i64 {
        self.closing as i64 - self.expected_closing()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockInput {
    pub header: Header,
    pub by_face_value: Vec<FaceValueDay>,
}

impl StockInput {
    pub fn balanced(&self) -> bool {
        self.by_face_value.iter().all(|f| f.difference() == 0)
    }
}

/// Serials as ranges: `GG-0001~GG-0010, GG-0015`. Consecutive numbers with
/// the same prefix and width make one range.
pub fn ranges(serials: &[String]) -> Vec<String> {
    fn split(serial: &str) -> (&str, Option<u64>, usize) {
        let digits = serial.bytes().rev().take_while(u8::is_ascii_digit).count();
        let (prefix, number) = serial.split_at(serial.len() - digits);
        (prefix, number.parse().ok(), digits)
    }
    let mut sorted: Vec<&String> = serials.iter().collect();
    sorted.sort_by(|a, b| {
        let (pa, na, wa) = split(a);
        let (pb, nb, wb) = split(b);
        (pa, wa, na, a.as_str()).cmp(&(pb, wb, nb, b.as_str()))
    });
    sorted.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(&String, &String)> = None;
    let close = |run: (&String, &String), out: &mut Vec<String>| {
        if run.0 == run.1 {
            out.push(run.0.clone());
        } else {
            out.push(format!("{}~{}", run.0, run.1));
        }
    };
    for serial in sorted {
        run = match run {
            Some((first, last)) => {
                let (pl, nl, wl) = split(last);
                let (ps, ns, ws) = split(serial);
                let follows = pl == ps && wl == ws && nl.zip(ns).is_some_and(|(l, s)| s == l + 1);
                if follows {
                    Some((first, serial))
                } else {
                    close((first, last), &mut out);
                    Some((serial, serial))
                }
            }
            None => Some((serial, serial)),
        };
    }
    if let Some(run) = run {
        close(run, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serials(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn serials_fold_into_ranges() {
        let list = serials(&[
            "GG-0003", "GG-0001", "GG-0002", "GG-0005", "NH-9", "NH-10", "GG-0006", "X",
        ]);
        assert_eq!(
            ranges(&list),
            ["GG-0001~GG-0003", "GG-0005~GG-0006", "NH-9", "NH-10", "X"]
        );
        assert!(ranges(&[]).is_empty());
    }

    #[test]
    fn a_missing_card_shows_as_a_difference() {
        let mut day = FaceValueDay {
            face_value: 3_000_000,
            opening: 10,
            closing: 6,
            received: serials(&["A1", "A2"]),
            issued: serials(&["B1", "B2", "B3", "B4"]),
            returned: serials(&["B1"]),
            destroyed: serials(&["B9"]),
            damaged: serials(&["C1"]),
            lost: vec![],
            found: vec![],
        };
        // A returned card is not back in stock.
        assert_eq!(day.expected_closing(), 10 + 2 - 4 - 1);
        assert_eq!(day.difference(), -1);
        day.closing = 7;
        assert_eq!(day.difference(), 0);
    }
}
