//! `sotay`: see the library's documentation.

fn main() -> std::process::ExitCode {
    sotay::main()
}
