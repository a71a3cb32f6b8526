//! Issues cards in a loop until killed, reporting each issuance only after
//! its transaction has committed: `committed <issuance id>`.
//!
//! Usage: crash-child STORE_PATH

use std::io::Write;

use relief_system_tests::open_store;
use relief_system_tests::{CLERK, PIN, moment, solo_issue};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: crash-child STORE_PATH");
    let mut store = open_store(path.as_ref()).expect("the store opens");
    let first = store.issuance_count().expect("count");
    let clerk = store.sign_in(CLERK, PIN, moment(first)).expect("sign in");
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    for n in first.. {
        match store.issue(&clerk, solo_issue(n), moment(n)) {
            Ok(issued) => {
                writeln!(out, "committed {}", issued.issuance_id).unwrap();
                out.flush().unwrap();
            }
            Err(error) => {
                writeln!(out, "error {} {error}", error.code()).unwrap();
                std::process::exit(1);
            }
        }
    }
}
