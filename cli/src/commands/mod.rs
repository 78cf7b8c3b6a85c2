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

/// The unit a person typed: a code as it is (a unit in force or a village of the store), or a
/// name, diacritics aside, that names exactly one ("lam binh", "Nà Mè"); several are refused
/// with their codes, and what is neither is the store's to refuse.
pub fn unit_of(store: &Store, typed: &str) -> Result<String, CliError> {
    use sotay_core::units::catalogue;
    let typed = typed.trim();
    let villages = store.villages(None)?;
    if catalogue().get(typed).is_some() || villages.iter().any(|v| v.id == typed) {
        return Ok(typed.to_string());
    }
    let mut found: Vec<(String, String)> =
        catalogue().search(typed, 10).into_iter().map(|u| (u.code.clone(), u.name.clone())).collect();
    found.extend(
        villages
            .into_iter()
            .filter(|v| !v.deleted && sotay_core::text::name_matches(typed, &v.name))
            .map(|v| (v.id, v.name))
            .take(10),
    );
    if let Some((code, _)) = sotay_core::text::the_one_named(typed, &found, |(_, name)| name) {
        return Ok(code.clone());
    }
    match found.as_slice() {
        [(code, _)] => Ok(code.clone()),
        // Neither a code nor a name: left for the store to refuse as an unknown unit.
        [] => Ok(typed.to_string()),
        several => {
            let listed: Vec<String> = several.iter().map(|(code, name)| format!("{name} ({code})")).collect();
            Err(CliError::usage(
                format!("nhiều đơn vị trùng tên, hãy dùng mã: {}", listed.join("; ")),
                format!("several units match that name, use a code: {}", listed.join("; ")),
            ))
        }
    }
}

/// Whether `typed` has the form of a whole id (36 characters, hyphens at UUID places).
fn uuid_like(typed: &str) -> bool {
    typed.len() == 36 && typed.char_indices().all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'))
}

/// How many characters an id's start needs before it is looked up as a start: fewer would name
/// most of a store.
const ID_START_CHARS: usize = 4;

/// The record a person named by its id or by an unambiguous start or end of it (`sotay show
/// 01a24d46-6d`, `sotay show 37bc5b67`: ids made close in time share their start, which is their
/// time, and differ at their random end); one that names several records is refused with some of
/// them, one that names none is not found.
pub fn record_id(store: &Store, typed: &str) -> Result<String, CliError> {
    let typed = typed.trim().to_lowercase();
    // Too short to look up, or not a part of an id at all: the store's to refuse as invalid.
    if typed.chars().count() < ID_START_CHARS || !typed.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Ok(typed);
    }
    let ids = store.document_ids()?;
    if ids.contains(&typed) {
        return Ok(typed);
    }
    let matching: Vec<&String> = ids.iter().filter(|id| id.starts_with(&typed) || id.ends_with(&typed)).collect();
    match matching.as_slice() {
        // A whole id is the store's to refuse (as invalid, or not found); a part of one named none.
        [] if uuid_like(&typed) => Ok(typed),
        [] => Err(sotay_core::CoreError::NotFound { id: typed }.into()),
        [one] => Ok((*one).clone()),
        several => Err(CliError::AmbiguousId {
            count: several.len(),
            shown: several.iter().take(5).map(|id| id.to_string()).collect(),
            typed,
        }),
    }
}
