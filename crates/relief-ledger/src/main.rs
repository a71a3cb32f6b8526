fn main() -> std::process::ExitCode {
    relief_ledger::run::main()
}
