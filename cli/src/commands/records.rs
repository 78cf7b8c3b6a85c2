//! Records: `new`, `edit`, `show`, `list`, `search`, `history`, `conflicts`, `resolve`, `delete`.

use serde_json::{Value, json};
use sotay_core::Lang;
use sotay_core::record::form::{describe, suggest};
use sotay_core::record::input::{apply_assignments, parse_body};
use sotay_core::record::{RecordBody, RecordKind};
use sotay_core::store::{RecordFilter, Store};
use sotay_core::time::CivilDate;
use sotay_core::{CoreError, FieldError};

use crate::args::{Cli, ContentArgs, EditArgs, FilterArgs, NewArgs, ResolveArgs};
use crate::error::CliError;
use crate::render;

fn kind(code: &str) -> Result<RecordKind, CliError> {
    RecordKind::from_code(code).ok_or_else(|| {
        let all: Vec<&str> = RecordKind::ALL.iter().map(|k| k.code()).collect();
        CliError::usage(
            format!("loại hồ sơ phải là một trong: {}", all.join(", ")),
            format!("kind must be one of: {}", all.join(", ")),
        )
    })
}

/// The body a command describes: a JSON file (or `base`), then `--set` assignments on top.
fn content(kind: RecordKind, base: RecordBody, c: &ContentArgs) -> Result<RecordBody, CliError> {
    let from_file = match &c.from {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|source| CliError::File { path: path.display().to_string(), source })?;
            parse_body(kind, &text).map_err(CoreError::invalid)?
        }
        None => base,
    };
    apply_assignments(&from_file, &c.set).map_err(|errors| match unknown_field(kind, &errors) {
        Some(e) => e,
        None => CoreError::invalid(errors).into(),
    })
}

/// A path the kind does not have, said with the fields that may have been meant (a name typed
/// without diacritics, "tieu_de", finds "Tiêu đề") and where to look them all up.
fn unknown_field(kind: RecordKind, errors: &[FieldError]) -> Option<CliError> {
    let e = errors.iter().find(|e| e.problem == sotay_core::Problem::UnknownField)?;
    let suggestions = suggest(kind, &e.path).into_iter().map(|f| (f.path, f.label)).collect();
    Some(CliError::UnknownField { kind: kind.code(), path: e.path.clone(), suggestions })
}

pub fn fields(cli: &Cli, code: &str) -> Result<(), CliError> {
    let kind = kind(code)?;
    let fields = describe(kind);
    if cli.json {
        render::json(&fields);
    } else {
        render::fields(kind, &fields, cli.lang);
    }
    Ok(())
}

fn saved(cli: &Cli, store: &Store, id: &str) -> Result<(), CliError> {
    if cli.json {
        render::json(&store.record(id)?);
    } else {
        say!("{}: {id}", if cli.lang == Lang::Vi { "Đã lưu hồ sơ" } else { "Saved record" });
    }
    Ok(())
}

pub fn new(cli: &Cli, a: &NewArgs) -> Result<(), CliError> {
    let kind = kind(&a.kind)?;
    let body = content(kind, RecordBody::empty(kind), &a.content)?;
    let mut store = super::open(cli)?;
    let unit = match &a.unit {
        Some(typed) => super::unit_of(&store, typed)?,
        None => store.profile().unit.clone(),
    };
    let id = store.create_record(&unit, body)?;
    saved(cli, &store, &id)
}

pub fn edit(cli: &Cli, a: &EditArgs) -> Result<(), CliError> {
    if a.content.set.is_empty() && a.content.from.is_none() {
        return Err(CliError::usage("cần --set hoặc --from", "give --set or --from"));
    }
    let mut store = super::open(cli)?;
    let id = super::record_id(&store, &a.id)?;
    let current = store.record(&id)?;
    let body = content(current.kind, current.body, &a.content)?;
    store.update_record(&id, body)?;
    saved(cli, &store, &id)
}

pub fn show(cli: &Cli, id: &str) -> Result<(), CliError> {
    let store = super::open(cli)?;
    let view = store.record(&super::record_id(&store, id)?)?;
    if cli.json {
        render::json(&view)
    } else {
        render::record(&view, &render::Places::of(&store)?, cli.lang)
    }
    Ok(())
}

fn date_arg(value: &Option<String>, option: &str) -> Result<Option<CivilDate>, CliError> {
    value
        .as_deref()
        .map(|s| {
            s.parse().map_err(|_| {
                CliError::usage(
                    format!("{option}: cần ngày dạng YYYY-MM-DD hoặc DD/MM/YYYY"),
                    format!("{option}: expected a date as YYYY-MM-DD or DD/MM/YYYY"),
                )
            })
        })
        .transpose()
}

fn filter(f: &FilterArgs) -> Result<RecordFilter, CliError> {
    Ok(RecordFilter {
        kinds: f.kinds.iter().map(|k| kind(k)).collect::<Result<_, _>>()?,
        unit: f.unit.clone(),
        status: f.status.clone(),
        from: date_arg(&f.from, "--from-date")?,
        to: date_arg(&f.to, "--to-date")?,
        overdue: f.overdue,
        include_deleted: f.deleted,
        limit: f.limit,
    })
}

pub fn list(cli: &Cli, text: Option<&String>, f: &FilterArgs) -> Result<(), CliError> {
    let filter = filter(f)?;
    let store = super::open(cli)?;
    let rows = match text {
        Some(t) => store.search(t, &filter)?,
        None => store.list(&filter)?,
    };
    if cli.json {
        render::json(&rows)
    } else {
        render::summaries(&rows, cli.lang)
    }
    Ok(())
}

pub fn history(cli: &Cli, id: &str) -> Result<(), CliError> {
    let store = super::open(cli)?;
    let entries = store.history(&super::record_id(&store, id)?)?;
    if cli.json {
        render::json(&entries)
    } else {
        render::history(&entries, &render::Places::of(&store)?, cli.lang)
    }
    Ok(())
}

pub fn conflicts(cli: &Cli) -> Result<(), CliError> {
    let store = super::open(cli)?;
    let all = store.conflicts()?;
    if cli.json {
        let out: Vec<Value> = all.iter().map(|(id, kind, c)| json!({"id": id, "kind": kind, "conflicts": c})).collect();
        render::json(&out);
    } else if all.is_empty() {
        say!("{}", if cli.lang == Lang::Vi { "Không có xung đột." } else { "No conflicts." });
    } else {
        for (id, _, c) in &all {
            render::conflicts_of(id, c, cli.lang);
        }
    }
    Ok(())
}

pub fn resolve(cli: &Cli, a: &ResolveArgs) -> Result<(), CliError> {
    let mut store = super::open(cli)?;
    let id = super::record_id(&store, &a.id)?;
    let value = match (a.pick, &a.value) {
        (Some(n), _) => {
            let view = store.record(&id)?;
            let conflict = view
                .conflicts
                .iter()
                .find(|c| c.path == a.field)
                .ok_or_else(|| CoreError::NoSuchConflict { id: id.clone(), path: a.field.clone() })?;
            n.checked_sub(1).and_then(|i| conflict.values.get(i)).map(|v| v.value.clone()).ok_or_else(|| {
                CoreError::invalid(vec![FieldError::new(
                    "pick",
                    sotay_core::Problem::InvalidValue {
                        expected: format!("a number from 1 to {}", conflict.values.len()),
                    },
                )])
            })?
        }
        (None, Some(v)) => Value::String(v.clone()),
        (None, None) => {
            return Err(CliError::usage("cần --pick hoặc --value", "give --pick or --value"));
        }
    };
    store.resolve_conflict(&id, &a.field, value)?;
    saved(cli, &store, &id)
}

pub fn delete(cli: &Cli, id: &str, reason: &str) -> Result<(), CliError> {
    let mut store = super::open(cli)?;
    let id = &super::record_id(&store, id)?;
    store.delete_record(id, reason)?;
    if cli.json {
        render::json(&store.record(id)?);
    } else {
        say!("{}: {id}", if cli.lang == Lang::Vi { "Đã xóa hồ sơ" } else { "Deleted record" });
    }
    Ok(())
}
