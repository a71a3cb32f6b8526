//! What the test suites share. A test that needs a part this machine may
//! lack (a PostgreSQL server, pdftotext, a display) calls [`skip`] when the
//! part is missing: on a developer's machine that says so and the test
//! passes; where the test command sets [`REQUIRE_ALL`] it fails, so CI can
//! never pass on a machine that silently lacked a part.

pub mod postgres;
pub mod roll;

/// Set by `scripts/test-all`: a missing part fails the test instead of
/// skipping it.
pub const REQUIRE_ALL: &str = "RELIEF_REQUIRE_ALL";

/// Skips the calling test, saying why, or fails it where every part is
/// required.
#[track_caller]
pub fn skip(why: impl std::fmt::Display) {
    if std::env::var_os(REQUIRE_ALL).is_some() {
        panic!("{why}; {REQUIRE_ALL} is set, so a missing part fails the test");
    }
    eprintln!("SKIPPED: {why}");
}

/// Whether `program` runs here; skips (or fails) the test when it does not.
#[track_caller]
pub fn tool(program: &str, package: &str) -> bool {
    let found = std::process::Command::new(program)
        .arg("-v")
        .output()
        .is_ok();
    if !found {
        skip(format!(
            "{program} is not installed ({package}); the test command installs it"
        ));
    }
    found
}
