//! `sotay-server check`: reads back every stored feed entry and document, as serving would, and
//! quarantines what is damaged (a flipped byte that SQLite's own integrity check cannot see).

use rusqlite::Connection;
use serde::Serialize;

use crate::feed;

#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// Found damaged by this run.
    pub damaged_feed_entries: usize,
    pub damaged_documents: usize,
    /// Everything in quarantine now: (what, which, found at).
    pub quarantined: Vec<(String, String, i64)>,
}

pub fn run(conn: &Connection, now: i64) -> Result<CheckReport, rusqlite::Error> {
    let mut bad_entries = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT seq, changes, digest FROM feed ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (seq, blob, digest): (i64, Vec<u8>, Option<Vec<u8>>) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if feed::verified_changes(&blob, digest.as_deref()).is_none() {
                bad_entries.push(seq.to_string());
            }
        }
    }
    let ids: Vec<String> =
        conn.prepare("SELECT doc_id FROM documents")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let mut bad_docs = Vec::new();
    for id in ids {
        let loads = crate::ingest::guarded(&id, || {
            sotay_core::store::documents::load(conn, &id).map_err(crate::ingest::IngestError::from)
        });
        if !matches!(loads, Ok(Some(_))) {
            bad_docs.push(id);
        }
    }
    feed::quarantine(conn, "feed", &bad_entries, now)?;
    feed::quarantine(conn, "document", &bad_docs, now)?;
    Ok(CheckReport {
        damaged_feed_entries: bad_entries.len(),
        damaged_documents: bad_docs.len(),
        quarantined: feed::quarantined(conn)?,
    })
}
