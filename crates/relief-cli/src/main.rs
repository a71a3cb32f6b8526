fn main() -> std::process::ExitCode {
    relief_cli::main()
}
