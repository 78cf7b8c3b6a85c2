//! What the dashboard reads from the server's database: records within a user's reach, their
//! history, units and their names, issued reports. Everything here is a plain function of a
//! connection, run off the async runtime.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use sotay_core::document::{Document, HistoryEntry};
use sotay_core::record::{DocumentKind, RecordBody, RecordKind};
use sotay_core::report::{Convention, Counted, Figures, Period, ReportRecord, UnitRef, catalogue_children};
use sotay_core::store::documents;
use sotay_core::sync::scope::{DocScope, UserScope};
use sotay_core::units::{UnitLevel, catalogue};

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Core(#[from] sotay_core::CoreError),
}

/// A stored document with where it is filed.
pub struct Filed {
    pub scope: DocScope,
    pub doc: Document,
}

/// A document's filing from the columns `kind, unit, commune, district, province, handlers`
/// starting at `at`; with its kind's code as stored.
fn scope_from_row(r: &rusqlite::Row<'_>, id: String, at: usize) -> rusqlite::Result<(DocScope, String)> {
    let kind: String = r.get(at)?;
    let handlers: String = r.get(at + 5)?;
    Ok((
        DocScope {
            id,
            kind: DocumentKind::from_code(&kind).unwrap_or_default(),
            unit: r.get(at + 1)?,
            commune: r.get(at + 2)?,
            district: r.get(at + 3)?,
            province: r.get(at + 4)?,
            handlers: handlers.split(',').filter(|h| !h.is_empty()).map(str::to_string).collect(),
        },
        kind,
    ))
}

/// The documents filed under `unit` (itself, or its commune, district or province).
fn filed_under(conn: &Connection, unit: &str) -> Result<Vec<(DocScope, String)>, DataError> {
    let mut stmt = conn.prepare_cached(
        "SELECT doc_id, kind, unit, commune, district, province, handlers FROM documents
         WHERE unit = ?1 OR commune = ?1 OR district = ?1 OR province = ?1 OR doc_id = ?1
         ORDER BY doc_id",
    )?;
    let rows = stmt
        .query_map(params![unit], |r| {
            let id: String = r.get(0)?;
            scope_from_row(r, id, 1)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The records under `unit` as the report engine reads them: their facts, kept beside them.
pub fn report_records(conn: &Connection, unit: &str) -> Result<Vec<ReportRecord>, DataError> {
    Ok(crate::report_facts::under(conn, unit)?)
}

/// A record's title, for naming it in a report's amendments; none when it cannot be read.
pub fn record_title(conn: &Connection, id: &str) -> Result<Option<String>, DataError> {
    let kind: Option<String> =
        conn.query_row("SELECT kind FROM documents WHERE doc_id = ?1", [id], |r| r.get(0)).optional()?;
    let Some(kind) = kind.as_deref().and_then(DocumentKind::from_code).and_then(DocumentKind::record_kind) else {
        return Ok(None);
    };
    Ok(load_record(conn, id, kind)?.map(|r| r.body.title().to_string()))
}

pub struct LoadedRecord {
    pub body: RecordBody,
    pub deleted: bool,
    pub heads: Vec<String>,
    pub doc: Document,
}

fn load_record(conn: &Connection, id: &str, kind: RecordKind) -> Result<Option<LoadedRecord>, DataError> {
    let Some(mut doc) = documents::load(conn, id)? else { return Ok(None) };
    // A document this version cannot read is left out of figures rather than failing the page.
    let Ok((envelope, body)) = doc.contents() else { return Ok(None) };
    let Ok(body) = RecordBody::from_stored(kind, body) else { return Ok(None) };
    let heads = doc.heads().iter().map(|h| h.to_string()).collect();
    Ok(Some(LoadedRecord { body, deleted: envelope.deleted.is_some(), heads, doc }))
}

/// The records a user may open (the rules of sync: `UserScope::may_pull`), under `unit`.
pub fn records_for(
    conn: &Connection,
    user: &UserScope,
    unit: &str,
) -> Result<Vec<(DocScope, LoadedRecord)>, DataError> {
    let mut out = Vec::new();
    for (scope, kind) in filed_under(conn, unit)? {
        let Some(kind) = DocumentKind::from_code(&kind).and_then(DocumentKind::record_kind) else { continue };
        if !user.may_pull(&scope) {
            continue;
        }
        if let Some(record) = load_record(conn, &scope.id, kind)? {
            out.push((scope, record));
        }
    }
    Ok(out)
}

/// One record, if the user may open it; `None` for "no such record" and "not yours" alike, so
/// that ids outside a user's reach cannot be probed.
pub fn record_for(
    conn: &Connection,
    user: &UserScope,
    id: &str,
) -> Result<Option<(DocScope, LoadedRecord)>, DataError> {
    let row = conn
        .query_row(
            "SELECT kind, unit, commune, district, province, handlers FROM documents WHERE doc_id = ?1",
            params![id],
            |r| scope_from_row(r, id.to_string(), 0),
        )
        .optional()?;
    let Some((scope, kind)) = row else { return Ok(None) };
    let Some(kind) = DocumentKind::from_code(&kind).and_then(DocumentKind::record_kind) else { return Ok(None) };
    if !user.may_pull(&scope) {
        return Ok(None);
    }
    Ok(load_record(conn, id, kind)?.map(|r| (scope, r)))
}

/// A record's history, with the time the server received each change.
pub fn history(conn: &Connection, doc: &mut Document) -> Result<Vec<HistoryEntry>, DataError> {
    let mut stmt = conn.prepare_cached("SELECT received_at FROM change_receipts WHERE change_hash = ?1")?;
    Ok(doc.history_with(|change| stmt.query_row(params![change], |r| r.get(0)).optional())?)
}

/// When a device of the unit last synced: a device of a user of the unit itself or of one of its
/// villages, not revoked. None when none ever did.
pub fn last_sync_within(conn: &Connection, unit: &str) -> Result<Option<i64>, DataError> {
    Ok(conn
        .prepare_cached(
            "SELECT max(d.last_seen_at) FROM devices d JOIN users u ON u.login = d.login
             WHERE d.revoked_at IS NULL AND (u.unit = ?1
                OR u.unit IN (SELECT doc_id FROM documents WHERE kind = 'village' AND commune = ?1))",
        )?
        .query_row(params![unit], |r| r.get(0))?)
}

/// Villages the server holds, by id: (name, commune).
pub fn villages(conn: &Connection, commune: Option<&str>) -> Result<Vec<(String, String, String)>, DataError> {
    let mut stmt = conn.prepare_cached(
        "SELECT doc_id, commune FROM documents WHERE kind = 'village' AND (?1 IS NULL OR commune = ?1) ORDER BY doc_id",
    )?;
    let ids = stmt
        .query_map(params![commune], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for (id, commune) in ids {
        if let Some(name) = village_name(conn, &id)? {
            out.push((id, name, commune));
        }
    }
    out.sort_by_key(|v| sotay_core::text::fold(&v.1));
    Ok(out)
}

/// A live village's name, from its document.
fn village_name(conn: &Connection, id: &str) -> Result<Option<String>, DataError> {
    let Some(doc) = documents::load(conn, id)? else { return Ok(None) };
    let Ok((envelope, body)) = doc.contents() else { return Ok(None) };
    if envelope.deleted.is_some() {
        return Ok(None);
    }
    Ok(Some(body.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string()))
}

/// One village the server holds, by id: (name, commune). Reads that village's document only.
fn village(conn: &Connection, id: &str) -> Result<Option<(String, String)>, DataError> {
    let commune: Option<String> = conn
        .query_row("SELECT commune FROM documents WHERE doc_id = ?1 AND kind = 'village'", params![id], |r| r.get(0))
        .optional()?;
    let Some(commune) = commune else { return Ok(None) };
    Ok(village_name(conn, id)?.map(|name| (name, commune)))
}

/// A unit's name and its children for the roll-up table; `None` when the code is neither a
/// catalogue unit nor a village the server holds.
pub fn unit_with_children(conn: &Connection, code: &str) -> Result<Option<(UnitRef, Vec<UnitRef>)>, DataError> {
    if let Some(u) = catalogue().get(code) {
        let children = if u.level == UnitLevel::Commune {
            villages(conn, Some(code))?.into_iter().map(|(code, name, _)| UnitRef { code, name }).collect()
        } else {
            catalogue_children(code)
        };
        return Ok(Some((UnitRef { code: u.code.clone(), name: u.name.clone() }, children)));
    }
    Ok(village(conn, code)?.map(|(name, _)| (UnitRef { code: code.to_string(), name }, Vec::new())))
}

/// How many units a search by name lists at most.
pub const UNIT_MATCHES: usize = 30;

/// Units within the user's reach whose names hold every word of `query`, diacritics and case
/// aside ("lam binh" finds Xã Lâm Bình): communes and provinces in force, then villages.
pub fn units_named(conn: &Connection, user: &UserScope, query: &str) -> Result<Vec<UnitRef>, DataError> {
    let mut out = Vec::new();
    for u in catalogue().search(query, UNIT_MATCHES * 4) {
        if out.len() < UNIT_MATCHES && within_reach(conn, user, &u.code)? {
            out.push(UnitRef { code: u.code.clone(), name: u.name.clone() });
        }
    }
    // Villages are read from their documents: only when no commune or province matched, and
    // only the villages of the user's commune for a user of a commune.
    if !out.is_empty() {
        return Ok(out);
    }
    let commune = catalogue().get(&user.unit).filter(|u| u.level == UnitLevel::Commune).map(|u| u.code.clone());
    for (id, name, _) in villages(conn, commune.as_deref())? {
        if out.len() >= UNIT_MATCHES {
            break;
        }
        if sotay_core::text::name_matches(query, &name) && within_reach(conn, user, &id)? {
            out.push(UnitRef { code: id, name });
        }
    }
    Ok(out)
}

/// Names of units for display: the catalogue's, or a village's.
pub fn unit_names(conn: &Connection) -> Result<HashMap<String, String>, DataError> {
    Ok(villages(conn, None)?.into_iter().map(|(id, name, _)| (id, name)).collect())
}

/// Whether `unit` lies within the user's reach: their unit itself, or below it.
pub fn within_reach(conn: &Connection, user: &UserScope, unit: &str) -> Result<bool, DataError> {
    if user.role == sotay_core::store::Role::Administrator || unit == user.unit {
        return Ok(true);
    }
    let commune = match catalogue().get(unit) {
        Some(_) => unit.to_string(),
        None => match village(conn, unit)? {
            Some((_, commune)) => commune,
            None => return Ok(false),
        },
    };
    Ok(catalogue().lineage(&commune).iter().any(|u| u.code == user.unit))
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
    conn: &Connection,
    id: &str,
    counted: &[Counted],
) -> Result<Option<Vec<String>>, DataError> {
    let Some(c) = counted.iter().find(|c| c.id == id) else { return Ok(None) };
    let Ok(heads) = c.heads.iter().map(|h| h.parse::<automerge::ChangeHash>()).collect::<Result<Vec<_>, _>>() else {
        return Ok(None);
    };
    let Some(mut doc) = documents::load(conn, id)? else { return Ok(None) };
    Ok(doc.fields_changed_since(&heads))
}

pub fn latest_issued(
    conn: &Connection,
    unit: &str,
    period: Period,
    convention: Convention,
) -> Result<Option<Issued>, DataError> {
    let row: Option<(String, i64, String, String)> = conn
        .query_row(
            "SELECT issued_by, issued_at, figures, counted FROM issued_reports
             WHERE unit = ?1 AND period = ?2 AND convention = ?3 ORDER BY issued_at DESC, id DESC LIMIT 1",
            params![unit, period.to_string(), convention.code()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    Ok(row.and_then(|(issued_by, issued_at, figures, counted)| {
        Some(Issued {
            issued_by,
            issued_at,
            figures: serde_json::from_str(&figures).ok()?,
            counted: serde_json::from_str(&counted).ok()?,
        })
    }))
}

pub fn issue(conn: &Connection, report: &sotay_core::report::Report, login: &str, now: i64) -> Result<(), DataError> {
    conn.execute(
        "INSERT INTO issued_reports (unit, period, convention, issued_by, issued_at, figures, counted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            report.unit.code,
            report.period.to_string(),
            report.convention.code(),
            login,
            now,
            serde_json::to_string(&report.figures).unwrap_or_default(),
            serde_json::to_string(&report.counted).unwrap_or_default(),
        ],
    )?;
    Ok(())
}
