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
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error::report(&e, cli.json);
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: &Cli) -> Result<(), CliError> {
    match &cli.command {
        Command::Init(a) => commands::setup::init(cli, a),
        Command::Profile => commands::setup::profile(cli),
        Command::New(a) => commands::records::new(cli, a),
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
