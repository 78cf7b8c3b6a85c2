//! `sotay-server`, built in the end-to-end test package so its tests can start it as a process.

fn main() -> std::process::ExitCode {
    sotay_server::cli::main()
}
