//! The derived index: one row per record for lists and filters, folded text for search, and
//! the villages table. Everything here is a function of the documents alone, so it can be
//! dropped and rebuilt, and replicas holding the same documents hold the same index.

use automerge::ReadDoc;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::document::{Document, Envelope};
use crate::error::Result;
use crate::record::{DocumentKind, RecordBody, RecordKind, Village};
use crate::text::fold;
use crate::time::Millis;
use crate::units::Filing;

/// One row of `record_index`, as tests compare replicas by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexRow {
    pub record_id: String,
    pub kind: String,
    pub unit: String,
    pub commune: String,
    pub district: Option<String>,
    pub province: Option<String>,
    pub status: String,
    pub title: String,
    pub event_date: Option<String>,
    pub next_due: Option<String>,
    pub deleted: bool,
    pub conflicts: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub heads: String,
}

/// Where a document is filed among the units in force; a document naming an edition this version
/// does not know is filed as written.
fn filing(env: &Envelope) -> Filing {
    env.filing().unwrap_or_else(|| Filing { unit: env.unit.clone(), commune: env.commune.clone(), province: None })
}

/// Re-derives everything the index holds about one document.
pub(crate) fn reindex(conn: &Connection, doc: &mut Document) -> Result<()> {
    let Ok((env, body)) = doc.contents() else {
        return Ok(());
    };
    match env.document_kind() {
        Some(DocumentKind::Village) => index_village(conn, &env, body),
        Some(k) => match k.record_kind() {
            Some(kind) => index_record(conn, &env, kind, body, doc),
            None => Ok(()),
        },
        // A kind from a newer version: kept, not indexed.
        None => Ok(()),
    }
}

fn index_record(
    conn: &Connection,
    env: &Envelope,
    kind: RecordKind,
    body: serde_json::Value,
    doc: &mut Document,
) -> Result<()> {
    // A body this version cannot read is indexed with what the envelope says.
    let body = RecordBody::from_stored(kind, body).unwrap_or_else(|_| RecordBody::empty(kind));
    let heads = doc.heads();
    let updated_at = heads
        .iter()
        .filter_map(|h| doc.automerge().get_change_by_hash(h).map(|c| c.timestamp()))
        .max()
        .unwrap_or(env.created_at);
    let conflicts = doc.conflicts(RecordBody::significant_fields(kind)).len() as i64;
    let filed = filing(env);
    let row = IndexRow {
        record_id: env.id.clone(),
        kind: kind.code().to_string(),
        unit: filed.unit,
        commune: filed.commune,
        district: None,
        province: filed.province,
        status: body.status_code().to_string(),
        title: body.title().to_string(),
        event_date: body.event_date().map(|d| d.to_string()),
        next_due: body.next_due().map(|d| d.to_string()),
        deleted: env.deleted.is_some(),
        conflicts,
        created_at: env.created_at,
        updated_at,
        heads: heads.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(","),
    };
    let old_row: Option<i64> = conn
        .prepare_cached("SELECT row_id FROM record_index WHERE record_id = ?1")?
        .query_row([&row.record_id], |r| r.get(0))
        .optional()?;
    let row_id = match old_row {
        Some(row_id) => {
            conn.prepare_cached(
                "UPDATE record_index SET kind = ?2, unit = ?3, commune = ?4, district = ?5, province = ?6, status = ?7,
                 title = ?8, event_date = ?9, next_due = ?10, deleted = ?11, conflicts = ?12, created_at = ?13,
                 updated_at = ?14, heads = ?15 WHERE row_id = ?1",
            )?
            .execute(params![
                row_id,
                row.kind,
                row.unit,
                row.commune,
                row.district,
                row.province,
                row.status,
                row.title,
                row.event_date,
                row.next_due,
                row.deleted,
                row.conflicts,
                row.created_at,
                row.updated_at,
                row.heads
            ])?;
            conn.prepare_cached("DELETE FROM record_search WHERE rowid = ?1")?.execute([row_id])?;
            row_id
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO record_index (record_id, kind, unit, commune, district, province, status, title, event_date,
                 next_due, deleted, conflicts, created_at, updated_at, heads)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                row.record_id, row.kind, row.unit, row.commune, row.district, row.province, row.status, row.title,
                row.event_date, row.next_due, row.deleted, row.conflicts, row.created_at, row.updated_at, row.heads
            ])?;
            conn.last_insert_rowid()
        }
    };
    let text = fold(&body.search_text());
    conn.prepare_cached("INSERT INTO record_search (rowid, text) VALUES (?1, ?2)")?.execute(params![row_id, text])?;
    Ok(())
}

fn index_village(conn: &Connection, env: &Envelope, body: serde_json::Value) -> Result<()> {
    let village: Village = serde_json::from_value(body).unwrap_or_default();
    conn.prepare_cached(
        "INSERT INTO villages (village_id, commune, name, folded_name, village_type, households, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (village_id) DO UPDATE SET commune = ?2, name = ?3, folded_name = ?4, village_type = ?5,
         households = ?6, deleted = ?7",
    )?
    .execute(params![
        env.id,
        filing(env).commune,
        village.name,
        fold(&village.name),
        village.village_type.code(),
        village.households,
        env.deleted.is_some()
    ])?;
    Ok(())
}

pub(crate) fn clear(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM record_index;
         INSERT INTO record_search (record_search) VALUES ('delete-all');
         DELETE FROM villages;",
    )?;
    Ok(())
}

pub(crate) fn rows(conn: &Connection) -> Result<Vec<IndexRow>> {
    let mut stmt = conn.prepare(
        "SELECT record_id, kind, unit, commune, district, province, status, title, event_date, next_due, deleted,
         conflicts, created_at, updated_at, heads FROM record_index ORDER BY record_id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(IndexRow {
                record_id: r.get(0)?,
                kind: r.get(1)?,
                unit: r.get(2)?,
                commune: r.get(3)?,
                district: r.get(4)?,
                province: r.get(5)?,
                status: r.get(6)?,
                title: r.get(7)?,
                event_date: r.get(8)?,
                next_due: r.get(9)?,
                deleted: r.get(10)?,
                conflicts: r.get(11)?,
                created_at: r.get(12)?,
                updated_at: r.get(13)?,
                heads: r.get(14)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
