//! `sotay-server check` on PostgreSQL: reads back every stored change and document as serving
//! would, and names what is damaged. Nothing is quarantined here: PostgreSQL's page checksums
//! (`initdb --data-checksums`) and its replicas are the first line, and the remedy for a damaged
//! row is the backup or the standby (deployment.md), which an operator chooses, not this command.

use postgres::Client;
use serde::Serialize;

use super::PgError;
use super::feed::served_intact;
use super::holdings::load_document;
use crate::ingest::guarded;

/// Rows read per query: the scan's memory stays bounded however large the database.
const PAGE: i64 = 256;

#[derive(Debug, Serialize)]
pub struct PgCheckReport {
    pub changes_read: usize,
    pub documents_read: usize,
    /// Changes whose bytes are no longer as written: not their digest and not the change their
    /// hash names (hex).
    pub damaged_changes: Vec<String>,
    /// Documents whose snapshot and chunks do not load.
    pub damaged_documents: Vec<String>,
}

pub fn run(client: &mut Client) -> Result<PgCheckReport, PgError> {
    let mut report = PgCheckReport {
        changes_read: 0,
        documents_read: 0,
        damaged_changes: Vec::new(),
        damaged_documents: Vec::new(),
    };
    let mut after: Vec<u8> = Vec::new();
    loop {
        let rows = client.query(
            "SELECT hash, bytes, digest FROM changes WHERE hash > $1 ORDER BY hash LIMIT $2",
            &[&after, &PAGE],
        )?;
        let Some(last) = rows.last() else { break };
        after = last.get(0);
        for r in &rows {
            let hash: &[u8] = r.get(0);
            report.changes_read += 1;
            // As serving checks it, so that what is named is what devices are not sent.
            if !served_intact(hash, r.get(1), r.get(2)) {
                report.damaged_changes.push(hex::encode(hash));
            }
        }
    }
    let mut after = String::new();
    loop {
        let ids: Vec<String> = client
            .query("SELECT doc_id FROM documents WHERE doc_id > $1 ORDER BY doc_id LIMIT $2", &[&after, &PAGE])?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let Some(last) = ids.last() else { break };
        after = last.clone();
        for id in ids {
            report.documents_read += 1;
            let loads = guarded(&id, || Ok(load_document(client, &id)));
            match loads {
                Ok(Ok(Some(Ok(_)))) => {}
                // Removed since the page was read: nothing to check.
                Ok(Ok(None)) => {}
                Ok(Err(e)) => return Err(e.into()),
                Ok(Ok(Some(Err(_)))) | Err(_) => report.damaged_documents.push(id),
            }
        }
    }
    Ok(report)
}
