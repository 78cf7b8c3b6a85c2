//! One file per group of subcommands.

pub mod attachments;
pub mod places;
pub mod records;
pub mod report;
pub mod setup;
pub mod sync;

use std::sync::Arc;

use sotay_core::store::Store;
use sotay_core::time::SystemClock;

use crate::args::Cli;
use crate::error::CliError;

/// Opens the store the command line names, with its key.
pub fn open(cli: &Cli) -> Result<Store, CliError> {
    let key = crate::key::existing(cli)?;
    Ok(Store::open(&cli.store, &key, Arc::new(SystemClock))?)
}
