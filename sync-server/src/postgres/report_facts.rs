//! What each record adds to reports, read from PostgreSQL (written with the record by
//! [`super::push`]): a report reads these small rows, not every document (decision 0022).

use postgres::Client;
use sotay_core::record::{DocumentKind, RecordKind};
use sotay_core::report::{FACTS_VERSION, ReportRecord};
use sotay_core::units::{UnitLevel, catalogue};

use super::PgError;
use super::holdings::load_document;
use crate::report_facts::{Entry, KeptRow, derive_from};

/// The records filed under `unit` (itself, its commune or its province) as the report engine
/// reads them, in id order; deleted ones marked, so that amendments tell a removal from an edit.
pub fn under(client: &mut Client, unit: &str) -> Result<Vec<ReportRecord>, PgError> {
    let province = catalogue().get(unit).is_some_and(|u| u.level == UnitLevel::Province);
    // A province's server holds that province's records: its report reads the whole table, and
    // a sequential scan is what the planner takes; below a province, the indexes.
    let rows = client.query(
        if province {
            "SELECT doc_id, unit, commune, deleted, heads, version, facts FROM report_facts
             WHERE province = $1 OR unit = $1 ORDER BY doc_id"
        } else {
            "SELECT doc_id, unit, commune, deleted, heads, version, facts FROM report_facts
             WHERE unit = $1 OR commune = $1 OR doc_id = $1 ORDER BY doc_id"
        },
        &[&unit],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    let mut stale = Vec::new();
    for r in &rows {
        let id: String = r.get(0);
        let row = KeptRow {
            unit: r.get(1),
            commune: r.get(2),
            deleted: r.get(3),
            heads: r.get(4),
            version: r.get(5),
            facts: r.get(6),
        };
        match row.record(id) {
            Ok(record) => out.push(record),
            Err(s) => stale.push(s),
        }
    }
    drop(rows);
    // Written by another version of the server (during a rolling upgrade): read from the
    // document itself, then put back in id order.
    if !stale.is_empty() {
        for s in stale {
            out.extend(derive(client, &s.id)?.and_then(|d| s.rederived(d)));
        }
        out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    }
    Ok(out)
}

/// A record's facts derived from its stored document, with the heads they were derived at (for
/// [`keep_if_current`]); none when it is not a record or cannot be read (left out of figures, as
/// on SQLite).
pub fn derive(client: &mut Client, id: &str) -> Result<Option<(Entry, Vec<String>)>, PgError> {
    let kind: Option<String> =
        client.query_opt("SELECT kind FROM documents WHERE doc_id = $1", &[&id])?.map(|r| r.get(0));
    let Some(kind) = kind.as_deref().and_then(DocumentKind::from_code).filter(|k| k.record_kind().is_some()) else {
        return Ok(None);
    };
    Ok(match load_document(client, id)? {
        Some(Ok(doc)) => derive_from(doc, kind),
        _ => None,
    })
}

/// A key for `pg_try_advisory_lock`: one instance at a time derives stale facts.
const DERIVING_LOCK: i64 = 0x736f_7461_795f_6466; // "sotay_df"

/// [`derive_stale`], unless another instance is at it already (several starting at once would
/// all decode the same documents; reports read stale rows from their documents meanwhile).
/// Returns how many were derived, or none when another instance holds the work.
pub fn derive_stale_once(client: &mut Client) -> Result<Option<usize>, PgError> {
    let locked: bool = client.query_one("SELECT pg_try_advisory_lock($1)", &[&DERIVING_LOCK])?.get(0);
    if !locked {
        return Ok(None);
    }
    let derived = derive_stale(client);
    client.execute("SELECT pg_advisory_unlock($1)", &[&DERIVING_LOCK])?;
    derived.map(Some)
}

/// Derives the facts of every record whose kept facts are of an older version of the figures
/// (after an upgrade that changed them), so that reports read rows again rather than documents.
/// Newer ones are left alone: an old instance started during a rolling upgrade must not undo them.
/// Each is written only if its document is still as derived, under the document's row lock: an
/// instance writing the record meanwhile keeps its own, newer facts. Returns how many were derived.
pub fn derive_stale(client: &mut Client) -> Result<usize, PgError> {
    let record_kinds: Vec<&str> = RecordKind::ALL.iter().map(|k| k.code()).collect();
    let stale: Vec<String> = client
        .query(
            "SELECT d.doc_id FROM documents d JOIN report_facts f ON f.doc_id = d.doc_id WHERE f.version < $1
             UNION
             SELECT d.doc_id FROM documents d
             WHERE d.kind = ANY($2) AND NOT EXISTS (SELECT 1 FROM report_facts f WHERE f.doc_id = d.doc_id)",
            &[&i64::from(FACTS_VERSION), &record_kinds],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if !stale.is_empty() {
        tracing::info!(
            records = stale.len(),
            "tính lại số liệu báo cáo của các hồ sơ / deriving the report figures of the records again"
        );
    }
    let mut derived = 0;
    for id in stale {
        let Some((entry, heads)) = derive(client, &id)? else { continue };
        if keep_if_current(client, &id, &entry, &heads)? {
            derived += 1;
        }
    }
    Ok(derived)
}

/// Keeps facts derived from the document `id` at `heads`, if the document is still at those
/// heads: under its row lock, so that a push committing meanwhile (which writes its own, newer
/// facts) is neither overwritten nor raced. Returns whether they were kept.
pub fn keep_if_current(client: &mut Client, id: &str, entry: &Entry, heads: &[String]) -> Result<bool, PgError> {
    let heads = heads.join(",");
    let mut tx = client.transaction()?;
    let row =
        tx.query_opt("SELECT unit, commune, province, heads FROM documents WHERE doc_id = $1 FOR UPDATE", &[&id])?;
    let Some(row) = row.filter(|r| r.get::<_, &str>(3) == heads) else { return Ok(false) };
    let (unit, commune, province): (String, String, Option<String>) = (row.get(0), row.get(1), row.get(2));
    tx.execute(
        "INSERT INTO report_facts (doc_id, unit, commune, province, deleted, heads, version, facts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (doc_id) DO UPDATE SET unit = $2, commune = $3, province = $4, deleted = $5,
             heads = $6, version = $7, facts = $8",
        &[&id, &unit, &commune, &province, &entry.deleted, &heads, &i64::from(FACTS_VERSION), &entry.facts],
    )?;
    tx.commit()?;
    Ok(true)
}
