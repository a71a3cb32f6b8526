//! `relief-ledger`, built inside the system-test package so tests can start it.
fn main() -> std::process::ExitCode {
    relief_ledger::run::main()
}
