//! Writes a synthetic resident roll as CSV, for demos and benchmarks:
//! `synthetic-roll [PEOPLE] [SIGUNGU...] > roll.csv` (default: 1,200,000
//! people of 수원시, 41110). Every number in it is synthetic.

use std::io::BufWriter;

use relief_testkit::roll::{RollSpec, write_csv};

fn main() {
    let mut args = std::env::args().skip(1);
    let people = match args.next().map(|a| a.replace(['_', ','], "").parse()) {
        None => 1_200_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("사용법: synthetic-roll [인원] [시군코드...]");
            std::process::exit(2);
        }
    };
    let mut spec = RollSpec::one_sigungu(people);
    let sigungu: Vec<String> = args.collect();
    if !sigungu.is_empty() {
        spec.sigungu = sigungu;
    }
    let stdout = std::io::stdout();
    match write_csv(&spec, BufWriter::new(stdout.lock())) {
        Ok(n) => eprintln!("{n}명을 썼습니다"),
        Err(e) => {
            eprintln!("쓸 수 없습니다: {e}");
            std::process::exit(1);
        }
    }
}
