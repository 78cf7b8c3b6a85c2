//! What the dashboard reads from the server's database: records within a user's reach, their
//! history, units and their names, issued reports. Everything here is a plain function of the
//! backend's [`DashboardStore`], run off the async runtime.

use std::collections::HashMap;

use sotay_core::document::{Document, HistoryEntry};
use sotay_core::record::{RecordBody, RecordKind};
use sotay_core::report::{Convention, Counted, Figures, Period, ReportRecord, UnitRef, catalogue_children};
use sotay_core::sync::scope::{DocScope, UserScope};
use sotay_core::units::{UnitLevel, catalogue};

use super::store::{DashboardStore, IssuedRow};
use crate::ingest::IngestError;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Postgres(#[from] crate::postgres::PgError),
    #[error(transparent)]
    Holdings(#[from] IngestError),
    #[error(transparent)]
    Core(#[from] sotay_core::CoreError),
    #[error(transparent)]
    Accounts(#[from] crate::accounts::AccountError),
}

impl From<postgres::Error> for DataError {
    fn from(e: postgres::Error) -> Self {
        DataError::Postgres(e.into())
    }
}

/// The documents filed under `unit` (itself, or its commune, district or province), with
/// where each is filed.
fn filed_under(db: &dyn DashboardStore, unit: &str) -> Result<Vec<DocScope>, DataError> {
    let mut out = Vec::new();
    for id in db.filed_under(unit, "")? {
        if let Some(row) = db.document_row(&id)? {
            out.push(row.scope);
        }
    }
    Ok(out)
}

/// A document as stored; none when it is not held or does not load (a damaged one is left out
/// of pages rather than failing them; `check` names it).
fn document(db: &dyn DashboardStore, id: &str) -> Result<Option<Document>, DataError> {
    match db.document(id) {
        Ok(doc) => Ok(doc),
        Err(IngestError::Damaged { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The records under `unit` as the report engine reads them: their facts, kept beside them.
pub fn report_records(db: &dyn DashboardStore, unit: &str) -> Result<Vec<ReportRecord>, DataError> {
    db.report_records(unit)
}

/// A record's title, for naming it in a report's amendments; none when it cannot be read.
pub fn record_title(db: &dyn DashboardStore, id: &str) -> Result<Option<String>, DataError> {
    let Some(kind) = db.document_row(id)?.and_then(|row| row.scope.kind.record_kind()) else {
        return Ok(None);
    };
    Ok(load_record(db, id, kind)?.map(|r| r.body.title().to_string()))
}

pub struct LoadedRecord {
    pub body: RecordBody,
    pub deleted: bool,
    /// The login that created it.
    pub created_by: String,
    pub heads: Vec<String>,
    pub doc: Document,
}

fn load_record(db: &dyn DashboardStore, id: &str, kind: RecordKind) -> Result<Option<LoadedRecord>, DataError> {
    let Some(mut doc) = document(db, id)? else { return Ok(None) };
    // A document this version cannot read is left out of figures rather than failing the page.
    let Ok((envelope, body)) = doc.contents() else { return Ok(None) };
    let Ok(body) = RecordBody::from_stored(kind, body) else { return Ok(None) };
    let heads = doc.heads().iter().map(|h| h.to_string()).collect();
    Ok(Some(LoadedRecord {
        body,
        deleted: envelope.deleted.is_some(),
        created_by: envelope.created_by.user,
        heads,
        doc,
    }))
}

/// The records a user may open (the rules of sync: `UserScope::may_pull`), under `unit`.
pub fn records_for(
    db: &dyn DashboardStore,
    user: &UserScope,
    unit: &str,
) -> Result<Vec<(DocScope, LoadedRecord)>, DataError> {
    let mut out = Vec::new();
    for scope in filed_under(db, unit)? {
        let Some(kind) = scope.kind.record_kind() else { continue };
        if !user.may_pull(&scope) {
            continue;
        }
        if let Some(record) = load_record(db, &scope.id, kind)? {
            out.push((scope, record));
        }
    }
    Ok(out)
}

/// One record, if the user may open it; `None` for "no such record" and "not yours" alike, so
/// that ids outside a user's reach cannot be probed.
pub fn record_for(
    db: &dyn DashboardStore,
    user: &UserScope,
    id: &str,
) -> Result<Option<(DocScope, LoadedRecord)>, DataError> {
    let Some(scope) = db.document_row(id)?.map(|row| row.scope) else { return Ok(None) };
    let Some(kind) = scope.kind.record_kind() else { return Ok(None) };
    if !user.may_pull(&scope) {
        return Ok(None);
    }
    Ok(load_record(db, id, kind)?.map(|r| (scope, r)))
}

/// A record's history, with the time the server received each change.
pub fn history(db: &dyn DashboardStore, doc: &mut Document) -> Result<Vec<HistoryEntry>, DataError> {
    doc.history_with(|change| db.received_at(change))
}

/// When a device of the unit last synced: a device of a user of the unit itself or of one of its
/// villages, not revoked. None when none ever did.
pub fn last_sync_within(db: &dyn DashboardStore, unit: &str) -> Result<Option<i64>, DataError> {
    db.last_sync_within(unit)
}

/// Villages the server holds, by id: (name, commune).
pub fn villages(db: &dyn DashboardStore, commune: Option<&str>) -> Result<Vec<(String, String, String)>, DataError> {
    let mut out = Vec::new();
    for (id, commune) in db.village_ids(commune)? {
        if let Some(name) = village_name(db, &id)? {
            out.push((id, name, commune));
        }
    }
    out.sort_by_key(|v| sotay_core::text::fold(&v.1));
    Ok(out)
}

/// A live village's name, from its document.
fn village_name(db: &dyn DashboardStore, id: &str) -> Result<Option<String>, DataError> {
    let Some(doc) = document(db, id)? else { return Ok(None) };
    let Ok((envelope, body)) = doc.contents() else { return Ok(None) };
    if envelope.deleted.is_some() {
        return Ok(None);
    }
    Ok(Some(body.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string()))
}

/// One village the server holds, by id: (name, commune). Reads that village's document only.
fn village(db: &dyn DashboardStore, id: &str) -> Result<Option<(String, String)>, DataError> {
    let Some(commune) = db.village_commune(id)? else { return Ok(None) };
    Ok(village_name(db, id)?.map(|name| (name, commune)))
}

/// A unit's name and its children for the roll-up table; `None` when the code is neither a
/// catalogue unit nor a village the server holds.
pub fn unit_with_children(db: &dyn DashboardStore, code: &str) -> Result<Option<(UnitRef, Vec<UnitRef>)>, DataError> {
    if let Some(u) = catalogue().get(code) {
        let children = if u.level == UnitLevel::Commune {
            villages(db, Some(code))?.into_iter().map(|(code, name, _)| UnitRef { code, name }).collect()
        } else {
            catalogue_children(code)
        };
        return Ok(Some((UnitRef { code: u.code.clone(), name: u.name.clone() }, children)));
    }
    Ok(village(db, code)?.map(|(name, _)| (UnitRef { code: code.to_string(), name }, Vec::new())))
}

/// How many units a search by name lists at most.
pub const UNIT_MATCHES: usize = 30;

/// Units within the user's reach whose names hold every word of `query`, diacritics and case
/// aside ("lam binh" finds Xã Lâm Bình): communes and provinces in force, then villages.
pub fn units_named(db: &dyn DashboardStore, user: &UserScope, query: &str) -> Result<Vec<UnitRef>, DataError> {
    let mut out = Vec::new();
    for u in catalogue().search(query, UNIT_MATCHES * 4) {
        if out.len() < UNIT_MATCHES && within_reach(db, user, &u.code)? {
            out.push(UnitRef { code: u.code.clone(), name: u.name.clone() });
        }
    }
    // Villages are read from their documents: only when no commune or province matched, and
    // only the villages of the user's commune for a user of a commune.
    if !out.is_empty() {
        return Ok(out);
    }
    let commune = catalogue().get(&user.unit).filter(|u| u.level == UnitLevel::Commune).map(|u| u.code.clone());
    for (id, name, _) in villages(db, commune.as_deref())? {
        if out.len() >= UNIT_MATCHES {
            break;
        }
        if sotay_core::text::name_matches(query, &name) && within_reach(db, user, &id)? {
            out.push(UnitRef { code: id, name });
        }
    }
    Ok(out)
}

/// Names of units for display: the catalogue's, or a village's.
pub fn unit_names(db: &dyn DashboardStore) -> Result<HashMap<String, String>, DataError> {
    Ok(villages(db, None)?.into_iter().map(|(id, name, _)| (id, name)).collect())
}

/// Whether `unit` lies within the user's reach: their unit itself, or below it.
pub fn within_reach(db: &dyn DashboardStore, user: &UserScope, unit: &str) -> Result<bool, DataError> {
    if user.role == sotay_core::store::Role::Administrator {
        return Ok(true);
    }
    unit_under(db, &user.unit, unit)
}

/// Whether `unit` is `ancestor` or lies below it (a commune of a province, a village of a
/// commune): what an administrator of `ancestor` may administer.
pub fn unit_under(db: &dyn DashboardStore, ancestor: &str, unit: &str) -> Result<bool, DataError> {
    if unit == ancestor {
        return Ok(true);
    }
    let commune = match catalogue().get(unit) {
        Some(_) => unit.to_string(),
        None => match village(db, unit)? {
            Some((_, commune)) => commune,
            None => return Ok(false),
        },
    };
    Ok(catalogue().lineage(&commune).iter().any(|u| u.code == ancestor))
}

/// The latest issued report of a unit and period.
pub struct Issued {
    pub issued_by: String,
    pub issued_at: i64,
    pub figures: Figures,
    pub counted: Vec<Counted>,
}

/// The fields of record `id` that an edit changed since the version an issued report counted;
/// none when that version is not held here.
pub fn fields_changed_since(
    db: &dyn DashboardStore,
    id: &str,
    counted: &[Counted],
) -> Result<Option<Vec<String>>, DataError> {
    let Some(c) = counted.iter().find(|c| c.id == id) else { return Ok(None) };
    let Ok(heads) = c.heads.iter().map(|h| h.parse::<automerge::ChangeHash>()).collect::<Result<Vec<_>, _>>() else {
        return Ok(None);
    };
    let Some(mut doc) = document(db, id)? else { return Ok(None) };
    Ok(doc.fields_changed_since(&heads))
}

pub fn latest_issued(
    db: &dyn DashboardStore,
    unit: &str,
    period: Period,
    convention: Convention,
) -> Result<Option<Issued>, DataError> {
    let row = db.latest_issued(unit, &period.to_string(), convention.code())?;
    Ok(row.and_then(|row| {
        Some(Issued {
            issued_by: row.issued_by,
            issued_at: row.issued_at,
            figures: serde_json::from_str(&row.figures).ok()?,
            counted: serde_json::from_str(&row.counted).ok()?,
        })
    }))
}

pub fn issue(
    db: &dyn DashboardStore,
    report: &sotay_core::report::Report,
    login: &str,
    now: i64,
) -> Result<(), DataError> {
    db.add_issued(&IssuedRow {
        unit: report.unit.code.clone(),
        period: report.period.to_string(),
        convention: report.convention.code().to_string(),
        issued_by: login.to_string(),
        issued_at: now,
        figures: serde_json::to_string(&report.figures).unwrap_or_default(),
        counted: serde_json::to_string(&report.counted).unwrap_or_default(),
    })
}
