//! What a device receives: feed entries past its cursor, within its scope, not its own, in the
//! order the server received them, paged by size. Read on the untrusted pool: every entry is
//! checked against the digest written with it (older entries: their changes are parsed) before
//! it is served, and a damaged entry is left out and reported for quarantine, so that one
//! damaged row never stops a device's sync.

use rusqlite::{Connection, OptionalExtension, params};
use serde_bytes::ByteBuf;
use sha2::{Digest, Sha256};
use sotay_core::record::DocumentKind;
use sotay_core::sync::protocol::{Cursor, FeedEntry};
use sotay_core::sync::scope::DocScope;

use crate::accounts::DeviceAuth;
use crate::ingest::{IngestError, user_scope};

/// The digest an entry's blob is written with.
pub fn digest(blob: &[u8]) -> Vec<u8> {
    Sha256::digest(blob).to_vec()
}

/// Whether a stored entry is as it was written, and its changes if so.
pub fn verified_changes(blob: &[u8], digest_stored: Option<&[u8]>) -> Option<Vec<ByteBuf>> {
    if digest_stored.is_some_and(|d| digest(blob) != d) {
        return None;
    }
    let changes: Vec<ByteBuf> = postcard::from_bytes(blob).ok()?;
    if digest_stored.is_none() {
        // Written before digests: each change must at least parse (automerge may panic on damaged
        // bytes; the pool catches that, and it counts as damaged).
        let parses =
            std::panic::catch_unwind(|| changes.iter().all(|c| automerge::Change::try_from(c.as_slice()).is_ok()));
        if !matches!(parses, Ok(true)) {
            return None;
        }
    }
    Some(changes)
}

/// The last position of the feed.
pub fn head(conn: &Connection) -> Result<Cursor, IngestError> {
    Ok(conn
        .query_row("SELECT seq, tag FROM feed ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok(Cursor { seq: r.get::<_, i64>(0)? as u64, tag: r.get::<_, i64>(1)? as u64 })
        })
        .optional()?
        .unwrap_or_default())
}

/// Whether a cursor names an entry of this feed (and not one of a feed this server lost).
pub fn knows(conn: &Connection, cursor: Cursor) -> Result<bool, IngestError> {
    if cursor == Cursor::default() {
        return Ok(true);
    }
    let tag: Option<i64> = conn
        .prepare_cached("SELECT tag FROM feed WHERE seq = ?1")?
        .query_row([cursor.seq as i64], |r| r.get(0))
        .optional()?;
    Ok(tag == Some(cursor.tag as i64))
}

/// A page of the feed for one device.
pub struct Page {
    pub entries: Vec<FeedEntry>,
    pub cursor: Cursor,
    pub more: bool,
    /// Entries found damaged on the way (their sequence numbers), for quarantine.
    pub damaged: Vec<i64>,
}

/// Entries past `cursor` for this device, up to about `max_bytes` (always at least one entry
/// when one waits, so that a page makes progress). The device's own changes are left out
/// unless `echo_own`.
pub fn pull(
    conn: &Connection,
    device: &DeviceAuth,
    cursor: Cursor,
    max_bytes: u32,
    echo_own: bool,
) -> Result<Page, IngestError> {
    let user = user_scope(device);
    let end = head(conn)?;
    let mut page = Page { entries: Vec::new(), cursor: end, more: false, damaged: Vec::new() };
    let mut size = 0u64;
    let mut last = cursor;
    let mut stmt = conn.prepare_cached(
        "SELECT f.seq, f.doc_id, f.device_id, f.received_at, f.changes, f.size,
                d.kind, d.unit, d.commune, d.district, d.province, d.handlers, f.tag, f.digest
         FROM feed f JOIN documents d ON d.doc_id = f.doc_id
         WHERE f.seq > ?1 AND f.seq <= ?2
           AND (d.unit = ?3 OR d.commune = ?3 OR d.district = ?3 OR d.province = ?3 OR d.doc_id = ?3)
           AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.what = 'feed' AND q.ref = CAST(f.seq AS TEXT))
         ORDER BY f.seq LIMIT 256",
    )?;
    loop {
        let rows = stmt
            .query_map(params![last.seq as i64, end.seq as i64, user.unit], |r| {
                let kind: String = r.get(6)?;
                let handlers: String = r.get(11)?;
                Ok((
                    Cursor { seq: r.get::<_, i64>(0)? as u64, tag: r.get::<_, i64>(12)? as u64 },
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Vec<u8>>(4)?,
                    r.get::<_, i64>(5)? as u64,
                    DocScope {
                        id: r.get(1)?,
                        kind: DocumentKind::from_code(&kind).unwrap_or(DocumentKind::DenouncerIdentity),
                        unit: r.get(7)?,
                        commune: r.get(8)?,
                        district: r.get(9)?,
                        province: r.get(10)?,
                        handlers: handlers.split(',').filter(|h| !h.is_empty()).map(str::to_string).collect(),
                    },
                    r.get::<_, Option<Vec<u8>>>(13)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if rows.is_empty() {
            return Ok(page);
        }
        for (at, from_device, received_at, blob, row_size, scope, digest) in rows {
            if (echo_own || from_device != device.device_id) && user.may_pull(&scope) {
                if !page.entries.is_empty() && size + row_size > u64::from(max_bytes) {
                    page.cursor = last;
                    page.more = true;
                    return Ok(page);
                }
                let Some(changes) = verified_changes(&blob, digest.as_deref()) else {
                    tracing::error!(feed_seq = at.seq, "damaged feed entry left out");
                    page.damaged.push(at.seq as i64);
                    last = at;
                    continue;
                };
                let doc = uuid::Uuid::try_parse(&scope.id).map_err(|_| IngestError::BadId)?.into_bytes();
                page.entries.push(FeedEntry { doc, received_at, changes });
                size += row_size;
            }
            last = at;
        }
    }
}

/// Sets damaged rows aside: they are no longer served.
pub fn quarantine(tx: &Connection, what: &str, refs: &[String], now: i64) -> Result<(), rusqlite::Error> {
    for r in refs {
        tx.prepare_cached("INSERT INTO quarantine (what, ref, found_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")?
            .execute(params![what, r, now])?;
    }
    Ok(())
}

/// What is in quarantine, by kind of row.
pub fn quarantined(conn: &Connection) -> Result<Vec<(String, String, i64)>, rusqlite::Error> {
    let mut stmt = conn.prepare("SELECT what, ref, found_at FROM quarantine ORDER BY found_at")?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect()
}
