//! `sotay`: the Sổ Tay field client on the command line, on the same core as the phone apps.
//! Works offline against an encrypted store file.

#[macro_use]
mod render;
mod args;
mod commands;
mod error;
mod key;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use error::CliError;

/// Runs the command line with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error::report(&e, cli.json);
            ExitCode::from(e.exit_code())
        }
    }
}

/// What clap could not parse, or the help it was asked for: `sotay new KIND --help` lists that
/// kind's fields after the options, as `sotay fields KIND` does.
fn clap_error(e: clap::Error) -> ExitCode {
    let _ = e.print();
    if e.kind() == clap::error::ErrorKind::DisplayHelp {
        let args: Vec<String> = std::env::args().collect();
        let lang = match args.windows(2).find(|w| w[0] == "--lang").map(|w| w[1].as_str()) {
            Some("en") => sotay_core::Lang::En,
            _ => sotay_core::Lang::Vi,
        };
        let kind = args
            .iter()
            .position(|a| a == "new")
            .and_then(|at| args[at + 1..].iter().find_map(|a| sotay_core::record::RecordKind::from_code(a)));
        if let Some(kind) = kind {
            say!("");
            render::fields(kind, &sotay_core::record::form::describe(kind), lang);
        }
    }
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}

fn run(cli: &Cli) -> Result<(), CliError> {
    match &cli.command {
        Command::Init(a) => commands::setup::init(cli, a),
        Command::Profile => commands::setup::profile(cli),
        Command::New(a) => commands::records::new(cli, a),
        Command::Fields { kind } => commands::records::fields(cli, kind),
        Command::Edit(a) => commands::records::edit(cli, a),
        Command::Show { id } => commands::records::show(cli, id),
        Command::List(f) => commands::records::list(cli, None, f),
        Command::Search { text, filter } => commands::records::list(cli, Some(text), filter),
        Command::History { id } => commands::records::history(cli, id),
        Command::Conflicts => commands::records::conflicts(cli),
        Command::Resolve(a) => commands::records::resolve(cli, a),
        Command::Delete { id, reason } => commands::records::delete(cli, id, reason),
        Command::Village(c) => commands::places::village(cli, c),
        Command::Unit(c) => commands::places::unit(cli, c),
        Command::Enroll { server, code, device_name } => commands::sync::enroll(cli, server, code, device_name),
        Command::Attach { id, file, name } => commands::attachments::attach(cli, id, file, name.as_deref()),
        Command::Attachment { sha256, out } => commands::attachments::save(cli, sha256, out),
        Command::Sync { hold_attachments } => commands::sync::sync(cli, !hold_attachments),
        Command::Status => commands::sync::status(cli),
        Command::Report(a) => commands::report::report(cli, a),
    }
}
