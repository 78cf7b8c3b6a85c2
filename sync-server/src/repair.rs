//! Repair: when a cursor cannot be trusted (the server restored from a backup, or the device),
//! the device and the server reconcile document by document with automerge's sync messages.
//! The server keeps no state between rounds: each round starts a fresh automerge sync state on
//! its side, which the protocol tolerates (at worst a change is offered twice).
//!
//! Like a push, a round is staged on the untrusted pool ([`stage`]), committed on the database
//! thread ([`crate::ingest::commit`]), and in the first round followed by the documents the
//! device lacks, read on the pool again ([`missing`]).

use std::collections::HashSet;

use rusqlite::Connection;
use serde_bytes::ByteBuf;
use sotay_core::document::Document;
use sotay_core::sync::protocol::{self, DocMessage, FeedEntry, RepairRequest};

use crate::accounts::DeviceAuth;
use crate::db::DocCache;
use crate::ingest::{self, IngestError, Pusher, Staged, user_scope};
use crate::limits::Limits;

/// What a round changes and answers.
pub struct RepairStaging {
    pub staged: Vec<Staged>,
    pub replies: Vec<DocMessage>,
    pub listed: HashSet<String>,
}

pub fn stage(
    conn: &Connection,
    cache: &DocCache,
    pusher: &Pusher<'_>,
    limits: &Limits,
    req: &RepairRequest,
) -> Result<RepairStaging, IngestError> {
    if req.docs.len() > limits.max_repair_docs {
        return Err(IngestError::TooMany { found: req.docs.len(), limit: limits.max_repair_docs });
    }
    let user = user_scope(pusher.device);
    let mut out = RepairStaging { staged: Vec::new(), replies: Vec::new(), listed: HashSet::new() };
    for m in &req.docs {
        let id = protocol::doc_id_string(&m.doc);
        if !out.listed.insert(id.clone()) {
            return Err(IngestError::Duplicate { doc: id });
        }
        let stored = ingest::load(conn, cache, &id)?;
        let before = stored.as_ref().map(|s| s.scope.clone());
        let readable = before.as_ref().is_some_and(|b| user.may_pull(b));
        if before.as_ref().is_some_and(|b| !readable && !user.may_push(b)) {
            continue;
        }
        let staged = &out.staged;
        let (staging, reply) = ingest::guarded(&id, || {
            let (mut doc, stored) = match stored {
                Some(mut s) => (std::mem::replace(&mut s.doc, Document::empty()), Some(s)),
                None => (Document::empty(), None),
            };
            let mut state = automerge::sync::State::new();
            doc.receive_sync_message(&mut state, &m.message).map_err(|_| IngestError::BadChange { doc: id.clone() })?;
            let reply = if readable || before.is_none() { doc.sync_message(&mut state) } else { None };
            Ok((ingest::check(conn, pusher, limits, &id, stored, doc, staged)?, reply))
        })?;
        out.staged.extend(staging);
        if let Some(message) = reply {
            out.replies.push(DocMessage { doc: m.doc, message: ByteBuf::from(message) });
        }
    }
    Ok(out)
}

/// First round: the documents in the device's scope it did not list, whole. A document that
/// cannot be loaded is left out and returned for quarantine.
pub fn missing(
    conn: &Connection,
    device: &DeviceAuth,
    listed: &HashSet<String>,
    now: i64,
) -> Result<(Vec<FeedEntry>, Vec<String>), IngestError> {
    let user = user_scope(device);
    let unit = &device.user.unit;
    let ids: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT doc_id FROM documents
             WHERE (unit = ?1 OR commune = ?1 OR district = ?1 OR province = ?1 OR doc_id = ?1)
               AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.what = 'document' AND q.ref = doc_id)",
        )?;
        stmt.query_map([unit], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?
    };
    let (mut out, mut damaged) = (Vec::new(), Vec::new());
    for id in ids {
        if listed.contains(&id) {
            continue;
        }
        let Some(scope) = ingest::scope_of(conn, &id)? else { continue };
        if !user.may_pull(&scope) {
            continue;
        }
        let loaded = ingest::guarded(&id, || {
            let doc = sotay_core::store::documents::load(conn, &id).map_err(IngestError::from)?;
            Ok(doc.map(|mut d| d.changes_since(&[])))
        });
        let changes = match loaded {
            Ok(Some(changes)) => changes,
            Ok(None) => continue,
            Err(_) => {
                tracing::error!(doc = %id, "damaged document left out of a repair");
                damaged.push(id);
                continue;
            }
        };
        let doc_id = uuid::Uuid::try_parse(&id).map_err(|_| IngestError::BadId)?.into_bytes();
        let changes = changes.into_iter().map(|(_, b)| ByteBuf::from(b)).collect();
        out.push(FeedEntry { doc: doc_id, received_at: now, changes });
    }
    Ok((out, damaged))
}
