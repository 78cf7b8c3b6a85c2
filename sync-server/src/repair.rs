//! Repair: when a cursor cannot be trusted (the server restored from a backup, or the device),
//! the device and the server reconcile document by document with automerge's sync messages.
//! The server keeps no state between rounds: each round starts a fresh automerge sync state on
//! its side, which the protocol tolerates (at worst a change is offered twice).
//!
//! Like a push, a round is staged on the untrusted pool ([`stage`]), committed on the database
//! thread ([`crate::ingest::commit`]), and in the first round followed by the documents the
//! device lacks, read on the pool again ([`missing`]).

use std::collections::HashSet;

use serde_bytes::ByteBuf;
use sotay_core::sync::protocol::{self, DocMessage, FeedEntry, RepairRequest};

use crate::accounts::DeviceAuth;
use crate::db::DocCache;
use crate::holdings::Holdings;
use crate::ingest::{self, IngestError, Pusher, Staged, user_scope};
use crate::limits::Limits;

/// What a round changes and answers.
pub struct RepairStaging {
    pub staged: Vec<Staged>,
    pub replies: Vec<DocMessage>,
    pub listed: HashSet<String>,
    /// Documents left for their authors' own repair (changes by other devices, unprovable).
    pub left_for_authors: usize,
}

pub fn stage(
    store: &dyn Holdings,
    cache: &DocCache,
    pusher: &Pusher<'_>,
    limits: &Limits,
    req: &RepairRequest,
) -> Result<RepairStaging, IngestError> {
    if req.docs.len() > limits.max_repair_docs {
        return Err(IngestError::TooMany { found: req.docs.len(), limit: limits.max_repair_docs });
    }
    let user = user_scope(pusher.device);
    let mut out =
        RepairStaging { staged: Vec::new(), replies: Vec::new(), listed: HashSet::new(), left_for_authors: 0 };
    for m in &req.docs {
        let id = protocol::doc_id_string(&m.doc);
        if !out.listed.insert(id.clone()) {
            return Err(IngestError::Duplicate { doc: id });
        }
    }
    // Documents left for their authors: one linking to them cannot be checked either.
    let left = std::cell::Cell::new(0usize);
    ingest::in_link_order_leaving(
        &req.docs,
        |m| {
            let id = protocol::doc_id_string(&m.doc);
            let stored = ingest::load(store, cache, &id)?;
            let before = stored.as_ref().map(|s| s.scope.clone());
            let readable = before.as_ref().is_some_and(|b| user.may_pull(b));
            if before.as_ref().is_some_and(|b| !readable && !user.may_push(b)) {
                return Ok(());
            }
            let staged = &out.staged;
            let round = ingest::guarded(&id, || {
                let (mut doc, stored) = ingest::Stored::split(stored);
                let mut state = automerge::sync::State::new();
                doc.receive_sync_message(&mut state, &m.message)
                    .map_err(|_| IngestError::BadChange { doc: id.clone() })?;
                let reply = if readable || before.is_none() { doc.sync_message(&mut state) } else { None };
                // A change the phone left out (automerge sums up what the server holds in a
                // Bloom filter: about one change in a hundred looks held when it is not) is asked
                // for by the reply's `need` rather than the round refused; nothing is written
                // until the document is whole.
                let staging = match ingest::check(store, pusher, limits, &id, stored, doc, staged) {
                    Err(IngestError::MissingDependencies { .. }) if reply.is_some() => None,
                    other => other?,
                };
                Ok((staging, reply))
            });
            let (staging, reply) = match round {
                // After a restore, a phone holds changes it received from other users' phones,
                // which the server lost. It cannot pass them on (nothing proves who wrote them until
                // changes are signed), so the document waits for its authors' own repair; the rest
                // of the round goes on rather than the phone being refused at every sync. Without
                // an answer, the phone's automerge sync state stops offering them.
                Err(IngestError::ForgedAuthor { .. }) => {
                    tracing::info!(route = "repair", device = %pusher.device.device_id, doc = %id, "changes by other devices left for their authors");
                    left.set(left.get() + 1);
                    return Ok(());
                }
                other => other?,
            };
            out.staged.extend(staging);
            if let Some(message) = reply {
                out.replies.push(DocMessage { doc: m.doc, message: ByteBuf::from(message) });
            }
            Ok(())
        },
        || left.get() > 0,
    )?;
    out.left_for_authors = left.get();
    Ok(out)
}

/// The documents the device lacks.
pub struct Missing {
    pub entries: Vec<FeedEntry>,
    /// Documents that could not be loaded, left out, for quarantine.
    pub damaged: Vec<String>,
    /// More wait after this id (when paged).
    pub more_after: Option<String>,
}

/// The documents in the device's scope it did not list, whole, in id order after `from`, up to
/// about `page_bytes` (at least one document a page) or all of them when `page_bytes` is `None`
/// (devices of protocol version 1, which cannot ask for a next page).
pub fn missing(
    store: &dyn Holdings,
    device: &DeviceAuth,
    listed: &HashSet<String>,
    from: Option<&str>,
    page_bytes: Option<usize>,
    now: i64,
) -> Result<Missing, IngestError> {
    let user = user_scope(device);
    let unit = &device.user.unit;
    let ids = store.filed_under(unit, from.unwrap_or(""))?;
    let (mut out, mut damaged) = (Vec::new(), Vec::new());
    let mut size = 0usize;
    for id in ids {
        if listed.contains(&id) {
            continue;
        }
        if let Some(limit) = page_bytes
            && !out.is_empty()
            && size >= limit
        {
            let last = out.last().map(|e: &FeedEntry| protocol::doc_id_string(&e.doc));
            return Ok(Missing { entries: out, damaged, more_after: last });
        }
        let Some(scope) = ingest::scope_of(store, &id)? else { continue };
        if !user.may_pull(&scope) {
            continue;
        }
        let loaded = ingest::guarded(&id, || Ok(store.document(&id)?.map(|mut d| d.changes_since(&[]))));
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
        size += changes.iter().map(|(_, b)| b.len() + 4).sum::<usize>() + 24;
        let changes = changes.into_iter().map(|(_, b)| ByteBuf::from(b)).collect();
        out.push(FeedEntry { doc: doc_id, received_at: now, changes });
    }
    Ok(Missing { entries: out, damaged, more_after: None })
}
