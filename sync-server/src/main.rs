//! `sotay-server`: see `sotay_server::cli`.

fn main() -> std::process::ExitCode {
    sotay_server::cli::main()
}
