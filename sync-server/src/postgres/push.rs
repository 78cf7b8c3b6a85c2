//! A checked push ([`crate::ingest::Staged`]) written to PostgreSQL in one transaction, by any of
//! several instances at once.
//!
//! The documents' rows are locked (in id order, so that two pushes sharing documents wait for
//! each other rather than deadlock) and must still be as the staging read them, or the push is
//! [`IngestError::Concurrent`] and staged again; a new document whose row another instance
//! inserted meanwhile is the same. Changes become rows by hash ([`super::feed`]); a document
//! that moved, or whose handlers changed, has all its changes numbered again at the feed's end,
//! so that every device now in its scope receives them whole. Feed positions are taken last.

use std::collections::HashSet;

use postgres::error::SqlState;
use postgres::{Client, Transaction};

use super::PgError;
use super::feed::{self, StoredChange};
use crate::accounts::DeviceAuth;
use crate::ingest::{IngestError, Staged, Write};
use crate::limits::Limits;
use sotay_core::record::attachment::is_sha256;
use sotay_core::report::FACTS_VERSION;

/// Writes `staged` as `device`'s push and commits; the feed positions it took.
pub fn commit(
    client: &mut Client,
    device: &DeviceAuth,
    limits: &Limits,
    staged: &[Staged],
    now: i64,
) -> Result<Vec<i64>, IngestError> {
    let result = (|| {
        let mut tx = client.transaction()?;
        let positions = write(&mut tx, device, limits, staged, now)?;
        tx.commit()?;
        Ok(positions)
    })();
    result.map_err(|e: Failure| e.into_ingest(staged))
}

/// What stopped a write: a refusal, or the database (whose deadlocks and serialisation failures
/// mean that another instance wrote the same documents: staged again, like any concurrent write).
enum Failure {
    Refused(IngestError),
    Database(postgres::Error),
}

impl From<IngestError> for Failure {
    fn from(e: IngestError) -> Self {
        Failure::Refused(e)
    }
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Failure::Database(e)
    }
}

impl From<PgError> for Failure {
    fn from(e: PgError) -> Self {
        match e {
            PgError::Database(e) => Failure::Database(e),
            other => Failure::Refused(IngestError::Storage(other.to_string())),
        }
    }
}

impl Failure {
    fn into_ingest(self, staged: &[Staged]) -> IngestError {
        match self {
            Failure::Refused(e) => e,
            Failure::Database(e)
                if matches!(e.code(), Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::UNIQUE_VIOLATION) =>
            {
                IngestError::Concurrent { doc: staged.first().map(|s| s.id.clone()).unwrap_or_default() }
            }
            Failure::Database(e) => IngestError::Storage(e.to_string()),
        }
    }
}

fn write(
    tx: &mut Transaction<'_>,
    device: &DeviceAuth,
    limits: &Limits,
    staged: &[Staged],
    now: i64,
) -> Result<Vec<i64>, Failure> {
    let mut ids: Vec<&str> = staged.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    let locked = tx.query(
        "SELECT doc_id, heads, chunk_count FROM documents WHERE doc_id = ANY($1) ORDER BY doc_id FOR UPDATE",
        &[&ids],
    )?;
    let current: std::collections::HashMap<String, (String, i64)> =
        locked.iter().map(|r| (r.get(0), (r.get(1), r.get(2)))).collect();
    let mut to_number: Vec<[u8; 32]> = Vec::new();
    let mut added: i64 = 0;
    for s in staged {
        let as_read = match current.get(&s.id) {
            None => s.is_new,
            Some((heads, chunks)) => !s.is_new && *heads == s.base_heads && *chunks == s.base_chunks,
        };
        if !as_read {
            return Err(IngestError::Concurrent { doc: s.id.clone() }.into());
        }
        write_document(tx, s)?;
        let changes: Vec<StoredChange> = s.new_changes.iter().map(|(h, b)| StoredChange::new(*h, b.clone())).collect();
        let new = feed::insert_changes(tx, &s.id, &device.device_id, now, &changes)?;
        if new.len() < changes.len() {
            // A change held already must be of this document: one change in two documents
            // would reach the second document's devices never.
            let hashes: Vec<&[u8]> = changes.iter().map(|c| c.hash.as_slice()).collect();
            let elsewhere =
                tx.query_opt("SELECT 1 FROM changes WHERE hash = ANY($1) AND doc_id <> $2 LIMIT 1", &[&hashes, &s.id])?;
            if elsewhere.is_some() {
                return Err(IngestError::Invalid {
                    doc: s.id.clone(),
                    detail: "a change of another document / thay đổi của tài liệu khác".into(),
                }
                .into());
            }
        }
        added += s.new_changes.iter().map(|(_, b)| b.len() as i64).sum::<i64>();
        to_number.extend(new);
        if s.resend.is_some() {
            to_number.extend(all_changes(tx, &s.id)?);
        }
        if let Some(u) = &s.identity_update {
            let changed = tx.execute(
                "UPDATE documents SET handlers = $2 WHERE doc_id = $1 AND heads = $3",
                &[&u.id, &u.handlers.join(","), &u.heads],
            )?;
            if changed == 0 {
                return Err(IngestError::Concurrent { doc: u.id.clone() }.into());
            }
            to_number.extend(all_changes(tx, &u.id)?);
        }
    }
    // What the device adds counts against its quota, in the same transaction.
    let within = tx.execute(
        "UPDATE devices SET stored_bytes = stored_bytes + $2 WHERE device_id = $1 AND stored_bytes + $2 <= $3",
        &[&device.device_id, &added, &(limits.device_quota_bytes as i64)],
    )?;
    if within == 0 && added > 0 {
        return Err(IngestError::QuotaExceeded { limit: limits.device_quota_bytes }.into());
    }
    // A change both new and sent again is numbered once.
    let mut seen = HashSet::with_capacity(to_number.len());
    to_number.retain(|h| seen.insert(*h));
    Ok(feed::take_positions(tx, &to_number)?)
}

/// The document's row, bytes, references and report facts as the staging left them.
fn write_document(tx: &mut Transaction<'_>, s: &Staged) -> Result<(), Failure> {
    let kind = s.scope.kind.code();
    match (&s.write, s.is_new) {
        (Write::Snapshot(snapshot), true) => {
            let inserted = tx.execute(
                "INSERT INTO documents (doc_id, kind, snapshot) VALUES ($1, $2, $3) ON CONFLICT (doc_id) DO NOTHING",
                &[&s.id, &kind, snapshot],
            )?;
            if inserted == 0 {
                // Another instance created it after this staging found it new.
                return Err(IngestError::Concurrent { doc: s.id.clone() }.into());
            }
        }
        (Write::Snapshot(snapshot), false) => {
            tx.execute("UPDATE documents SET snapshot = $2, chunk_count = 0 WHERE doc_id = $1", &[&s.id, snapshot])?;
            tx.execute("DELETE FROM document_chunks WHERE doc_id = $1", &[&s.id])?;
        }
        (Write::Chunk(chunk), _) => {
            if !chunk.is_empty() {
                let seq = s.base_chunks + 1;
                tx.execute(
                    "INSERT INTO document_chunks (doc_id, seq, bytes) VALUES ($1, $2, $3)",
                    &[&s.id, &seq, chunk],
                )?;
                tx.execute("UPDATE documents SET chunk_count = $2 WHERE doc_id = $1", &[&s.id, &seq])?;
            }
        }
    }
    tx.execute(
        "UPDATE documents SET unit = $2, commune = $3, district = $4, province = $5, handlers = $6,
         linked_doc = $7, heads = $8, size = $9 WHERE doc_id = $1",
        &[
            &s.id,
            &s.scope.unit,
            &s.scope.commune,
            &s.scope.district,
            &s.scope.province,
            &s.scope.handlers.join(","),
            &s.linked,
            &s.heads,
            &s.size,
        ],
    )?;
    let refs: Vec<&str> = s.attachments.iter().map(String::as_str).filter(|h| is_sha256(h)).collect();
    if !refs.is_empty() {
        tx.execute(
            "INSERT INTO attachment_refs (sha256, doc_id) SELECT h, $2 FROM unnest($1::text[]) AS t(h)
             ON CONFLICT DO NOTHING",
            &[&refs, &s.id],
        )?;
    }
    if let Some(entry) = &s.report {
        tx.execute(
            "INSERT INTO report_facts (doc_id, unit, commune, province, deleted, heads, version, facts)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (doc_id) DO UPDATE SET unit = $2, commune = $3, province = $4, deleted = $5,
                 heads = $6, version = $7, facts = $8",
            &[
                &s.id,
                &s.scope.unit,
                &s.scope.commune,
                &s.scope.province,
                &entry.deleted,
                &s.heads,
                &i64::from(FACTS_VERSION),
                &entry.facts,
            ],
        )?;
    }
    Ok(())
}

/// Every change the server holds of a document, in the order they were first numbered.
fn all_changes(tx: &mut Transaction<'_>, doc_id: &str) -> Result<Vec<[u8; 32]>, Failure> {
    let rows = tx.query("SELECT hash FROM changes WHERE doc_id = $1 ORDER BY position NULLS LAST", &[&doc_id])?;
    Ok(rows.iter().filter_map(|r| <[u8; 32]>::try_from(r.get::<_, &[u8]>(0)).ok()).collect())
}
