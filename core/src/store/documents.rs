//! Document bytes in SQLite: a compacted snapshot per document plus the incremental chunks
//! saved since, folded into a new snapshot every `COMPACT_AFTER` chunks. The server keeps its
//! documents in tables of the same layout (`documents(doc_id, kind, snapshot, chunk_count)`,
//! `document_chunks(doc_id, seq, bytes)`) and uses `load`, `insert_snapshot` and
//! `write_changes`; the device's `insert` and `save_changes` also note what waits for sync.

use rusqlite::{Connection, OptionalExtension, params};

use super::records::damaged;
use crate::document::Document;
use crate::error::Result;

/// Chunks a document accumulates before it is compacted into its snapshot.
pub const COMPACT_AFTER: i64 = 32;

pub fn load(conn: &Connection, id: &str) -> Result<Option<Document>> {
    let Some((snapshot, chunk_count)) = conn
        .query_row("SELECT snapshot, chunk_count FROM documents WHERE doc_id = ?1", [id], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let mut chunks = Vec::new();
    if chunk_count > 0 {
        let mut stmt = conn.prepare_cached("SELECT bytes FROM document_chunks WHERE doc_id = ?1 ORDER BY seq")?;
        chunks = stmt.query_map([id], |r| r.get::<_, Vec<u8>>(0))?.collect::<Result<Vec<_>, _>>()?;
    }
    Document::load(&snapshot, chunks.iter().map(Vec::as_slice)).map(Some).map_err(damaged(id))
}

/// Notes that a document has changes the server may not have.
fn mark_dirty(conn: &Connection, id: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_docs (doc_id, dirty) VALUES (?1, 1) ON CONFLICT (doc_id) DO UPDATE SET dirty = 1",
    )?
    .execute([id])?;
    Ok(())
}

pub(crate) fn insert(conn: &Connection, id: &str, kind: &str, doc: &mut Document) -> Result<()> {
    insert_snapshot(conn, id, kind, doc)?;
    mark_dirty(conn, id)
}

/// Stores a new document as its first snapshot.
pub fn insert_snapshot(conn: &Connection, id: &str, kind: &str, doc: &mut Document) -> Result<()> {
    let snapshot = doc.save();
    conn.prepare_cached("INSERT INTO documents (doc_id, kind, snapshot, chunk_count) VALUES (?1, ?2, ?3, 0)")?
        .execute(params![id, kind, snapshot])?;
    Ok(())
}

/// Saves what changed in `doc` since it was loaded or last saved, and notes that the server
/// may not have it (sync clears that once the server acknowledges).
pub(crate) fn save_changes(conn: &Connection, id: &str, doc: &mut Document) -> Result<()> {
    write_changes(conn, id, doc)?;
    mark_dirty(conn, id)
}

/// Saves what changed in `doc` since it was loaded or last saved.
pub fn write_changes(conn: &Connection, id: &str, doc: &mut Document) -> Result<()> {
    let chunk_count: i64 =
        conn.prepare_cached("SELECT chunk_count FROM documents WHERE doc_id = ?1")?.query_row([id], |r| r.get(0))?;
    if chunk_count + 1 >= COMPACT_AFTER {
        let snapshot = doc.save();
        conn.prepare_cached("UPDATE documents SET snapshot = ?2, chunk_count = 0 WHERE doc_id = ?1")?
            .execute(params![id, snapshot])?;
        conn.prepare_cached("DELETE FROM document_chunks WHERE doc_id = ?1")?.execute([id])?;
        return Ok(());
    }
    let chunk = doc.save_incremental();
    if chunk.is_empty() {
        return Ok(());
    }
    conn.prepare_cached("INSERT INTO document_chunks (doc_id, seq, bytes) VALUES (?1, ?2, ?3)")?.execute(params![
        id,
        chunk_count + 1,
        chunk
    ])?;
    conn.prepare_cached("UPDATE documents SET chunk_count = ?2 WHERE doc_id = ?1")?
        .execute(params![id, chunk_count + 1])?;
    Ok(())
}

pub(crate) fn all_ids(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT doc_id, kind FROM documents ORDER BY doc_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
