//! What a device receives: feed entries past its cursor, within its scope, not its own, in the
//! order the server received them, paged by size.

use rusqlite::{Connection, OptionalExtension, params};
use serde_bytes::ByteBuf;
use sotay_core::record::DocumentKind;
use sotay_core::sync::protocol::{Cursor, FeedEntry};
use sotay_core::sync::scope::DocScope;

use crate::accounts::DeviceAuth;
use crate::ingest::{IngestError, user_scope};

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

/// Entries past `cursor` for this device, up to about `max_bytes`; returns them, the new cursor,
/// and whether more wait. The device's own changes are left out unless `echo_own`.
pub fn pull(
    conn: &Connection,
    device: &DeviceAuth,
    cursor: Cursor,
    max_bytes: u32,
    echo_own: bool,
) -> Result<(Vec<FeedEntry>, Cursor, bool), IngestError> {
    let user = user_scope(device);
    let end = head(conn)?;
    let mut entries = Vec::new();
    let mut size = 0u64;
    let mut last = cursor;
    let mut stmt = conn.prepare_cached(
        "SELECT f.seq, f.doc_id, f.device_id, f.received_at, f.changes, f.size,
                d.kind, d.unit, d.commune, d.district, d.province, d.handlers, f.tag
         FROM feed f JOIN documents d ON d.doc_id = f.doc_id
         WHERE f.seq > ?1 AND f.seq <= ?2
           AND (d.unit = ?3 OR d.commune = ?3 OR d.district = ?3 OR d.province = ?3 OR d.doc_id = ?3)
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
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if rows.is_empty() {
            return Ok((entries, end, false));
        }
        for (at, from_device, received_at, blob, row_size, scope) in rows {
            if (echo_own || from_device != device.device_id) && user.may_pull(&scope) {
                if !entries.is_empty() && size + row_size > u64::from(max_bytes) {
                    return Ok((entries, last, true));
                }
                let changes: Vec<ByteBuf> =
                    postcard::from_bytes(&blob).map_err(|e| IngestError::Storage(e.to_string()))?;
                let doc = uuid::Uuid::try_parse(&scope.id).map_err(|_| IngestError::BadId)?.into_bytes();
                entries.push(FeedEntry { doc, received_at, changes });
                size += row_size;
            }
            last = at;
        }
    }
}
