//! The device's side of sync, sans-IO: `prepare_sync` builds a request from the store,
//! `complete_sync` applies the server's response to it in one transaction. Whatever carries the
//! bytes (HTTP, a test harness) sits outside.
//!
//! The device remembers, per document, the heads the server is known to have and whether local
//! changes wait (`sync_docs`), and how far into the server's change feed it has applied (the
//! cursor). The cursor moves only in the transaction that applies the response; a response lost
//! on the way is simply asked for again, and applying it twice changes nothing.

use std::collections::{BTreeMap, HashMap};

use automerge::ChangeHash;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_bytes::ByteBuf;

use super::protocol::{
    self, Cursor, DocChanges, DocMessage, FeedEntry, MAX_PUSH_DOCS, PUSH_BATCH_BYTES, RepairRequest, RepairResponse,
    SyncRequest, SyncResponse,
};
use crate::document::Document;
use crate::error::{CoreError, Result};
use crate::record::DocumentKind;
use crate::store::{Role, Store, documents, index};
use crate::time::Millis;

/// What enrolling with a server gave this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Enrollment {
    pub server_url: String,
    pub device_id: String,
    pub token: String,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub unit: String,
}

/// Where sync stands, for a status line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub enrolled: bool,
    pub server_url: Option<String>,
    pub device_id: Option<String>,
    /// Documents with changes the server has not acknowledged.
    pub pending: u64,
    pub cursor: u64,
    pub last_sync_at: Option<Millis>,
    pub last_error: Option<String>,
    pub repair_needed: bool,
    /// Documents the server refused, with its reason (they are not sent again).
    pub rejected: Vec<RejectedDocument>,
    /// Files attached here that the server does not have yet.
    pub attachments_pending: u64,
}

/// A document the server refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedDocument {
    pub id: String,
    pub reason: String,
}

struct Pushed {
    id: String,
    heads: Vec<ChangeHash>,
    hashes: Vec<ChangeHash>,
}

/// A request built from the store, and what the store needs to remember about it.
pub struct PreparedSync {
    pub request: SyncRequest,
    pushed: Vec<Pushed>,
    /// Local changes remain that did not fit in this request.
    pub more_to_push: bool,
}

impl PreparedSync {
    pub fn body(&self) -> Vec<u8> {
        protocol::encode(&self.request)
    }

    /// Ids of the documents this request pushes.
    pub fn pushed_ids(&self) -> impl Iterator<Item = &str> {
        self.pushed.iter().map(|p| p.id.as_str())
    }
}

/// What one round trip did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    pub pushed_docs: usize,
    pub pushed_changes: usize,
    pub received_docs: usize,
    pub received_changes: usize,
    /// Another round trip is needed (more to pull or to push).
    pub more: bool,
    /// The server asked for a repair.
    pub repair: bool,
}

fn heads_text(heads: &[ChangeHash]) -> String {
    heads.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(",")
}

fn parse_heads(text: &str) -> Vec<ChangeHash> {
    text.split(',').filter_map(|h| h.parse().ok()).collect()
}

/// Villages go up before the records in them, petitions before their denouncers' identities.
fn push_order(kind: &str) -> u8 {
    match DocumentKind::from_code(kind) {
        Some(DocumentKind::Village) => 0,
        Some(DocumentKind::DenouncerIdentity) => 2,
        _ => 1,
    }
}

fn not_enrolled() -> CoreError {
    CoreError::NotEnrolled
}

impl Store {
    /// Remembers the server and the device token, and takes the user's profile from the server.
    pub fn set_enrollment(&mut self, e: &Enrollment) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO sync_account (id, server_url, device_id, token, enrolled_at) VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET server_url = ?1, device_id = ?2, token = ?3, enrolled_at = ?4, cursor = 0, cursor_tag = 0,
             last_error = NULL, repair_needed = 0",
            params![e.server_url, e.device_id, e.token, self.clock.now()],
        )?;
        // Nothing is known to be on a new server: every document waits to be offered.
        tx.execute("UPDATE sync_docs SET dirty = 1, server_heads = '', rejected = NULL", [])?;
        let mut profile = self.profile.clone();
        profile.user_id = e.login.clone();
        profile.display_name = e.display_name.clone();
        profile.role = e.role;
        profile.unit = e.unit.clone();
        profile.device_id = e.device_id.clone();
        crate::store::profile::save(&tx, &profile)?;
        tx.commit()?;
        self.profile = profile;
        Ok(())
    }

    /// The server URL and device token, if this device has enrolled.
    pub fn enrollment(&self) -> Result<Option<(String, String, String)>> {
        Ok(self
            .conn
            .query_row("SELECT server_url, device_id, token FROM sync_account WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?)
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let account = self
            .conn
            .query_row(
                "SELECT server_url, device_id, cursor, last_sync_at, last_error, repair_needed FROM sync_account WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, bool>(5)?,
                    ))
                },
            )
            .optional()?;
        let pending: i64 =
            self.conn
                .query_row("SELECT count(*) FROM sync_docs WHERE dirty = 1 AND rejected IS NULL", [], |r| r.get(0))?;
        let rejected = {
            let mut stmt = self.conn.prepare("SELECT doc_id, rejected FROM sync_docs WHERE rejected IS NOT NULL")?;
            stmt.query_map([], |r| Ok(RejectedDocument { id: r.get(0)?, reason: r.get(1)? }))?
                .collect::<Result<Vec<_>, _>>()?
        };
        let attachments_pending = self.attachments_pending()?;
        Ok(match account {
            Some((url, device, cursor, last, error, repair)) => SyncStatus {
                enrolled: true,
                server_url: Some(url),
                device_id: Some(device),
                pending: pending as u64,
                cursor: cursor as u64,
                last_sync_at: last,
                last_error: error,
                repair_needed: repair,
                rejected,
                attachments_pending,
            },
            None => SyncStatus {
                enrolled: false,
                server_url: None,
                device_id: None,
                pending: pending as u64,
                cursor: 0,
                last_sync_at: None,
                last_error: None,
                repair_needed: false,
                rejected,
                attachments_pending,
            },
        })
    }

    fn cursor(&self) -> Result<Cursor> {
        let c: Option<(i64, i64)> = self
            .conn
            .query_row("SELECT cursor, cursor_tag FROM sync_account WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        c.map(|(seq, tag)| Cursor { seq: seq as u64, tag: tag as u64 }).ok_or_else(not_enrolled)
    }

    /// Builds the next request: the changes the server has not acknowledged (up to a batch), and
    /// the cursor.
    pub fn prepare_sync(&self, page_bytes: u32) -> Result<PreparedSync> {
        let cursor = self.cursor()?;
        let mut dirty: Vec<(String, String, String)> = {
            let mut stmt = self.conn.prepare(
                "SELECT s.doc_id, s.server_heads, d.kind FROM sync_docs s JOIN documents d ON d.doc_id = s.doc_id
                 WHERE s.dirty = 1 AND s.rejected IS NULL AND s.awaiting_authors = 0",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<Vec<_>, _>>()?
        };
        dirty.sort_by(|a, b| (push_order(&a.2), &a.0).cmp(&(push_order(&b.2), &b.0)));
        let mut pushes = Vec::new();
        let mut pushed = Vec::new();
        let mut size = 0usize;
        let mut more_to_push = false;
        for (id, server_heads, _) in dirty {
            if size >= PUSH_BATCH_BYTES || pushes.len() >= MAX_PUSH_DOCS {
                more_to_push = true;
                break;
            }
            let Some(wire_id) = protocol::doc_id(&id) else { continue };
            let Some(mut doc) = documents::load(&self.conn, &id)? else { continue };
            let changes = doc.changes_since(&parse_heads(&server_heads));
            size += changes.iter().map(|(_, c)| c.len() + 4).sum::<usize>() + 20;
            pushed.push(Pushed { id, heads: doc.heads(), hashes: changes.iter().map(|(h, _)| *h).collect() });
            if !changes.is_empty() {
                pushes.push(DocChanges {
                    doc: wire_id,
                    changes: changes.into_iter().map(|(_, c)| ByteBuf::from(c)).collect(),
                });
            }
        }
        Ok(PreparedSync {
            request: SyncRequest { cursor, pushes, max_response_bytes: page_bytes },
            pushed,
            more_to_push,
        })
    }

    /// Applies the server's answer to `prepared`: acknowledges what was pushed, applies what was
    /// pulled, and moves the cursor, all in one transaction.
    pub fn complete_sync(&mut self, prepared: &PreparedSync, response: &SyncResponse) -> Result<SyncProgress> {
        let tx = self.conn.transaction()?;
        let mut progress = SyncProgress {
            pushed_docs: prepared.request.pushes.len(),
            pushed_changes: prepared.request.pushes.iter().map(|p| p.changes.len()).sum(),
            ..Default::default()
        };
        // Acknowledged pushes.
        for p in &prepared.pushed {
            let current = documents::load(&tx, &p.id)?.map(|mut d| d.heads()).unwrap_or_default();
            tx.prepare_cached("UPDATE sync_docs SET server_heads = ?2, dirty = ?3 WHERE doc_id = ?1")?
                .execute(params![p.id, heads_text(&p.heads), current != p.heads])?;
            for h in &p.hashes {
                record_receipt(&tx, h, response.server_time)?;
            }
        }
        // Pulled changes, document by document, in feed order.
        let mut by_doc: BTreeMap<String, Vec<&FeedEntry>> = BTreeMap::new();
        for e in &response.entries {
            by_doc.entry(protocol::doc_id_string(&e.doc)).or_default().push(e);
        }
        let received: Vec<String> = by_doc.keys().cloned().collect();
        for (id, entries) in by_doc {
            progress.received_docs += 1;
            progress.received_changes += entries.iter().map(|e| e.changes.len()).sum::<usize>();
            apply_pulled(&tx, &id, &entries)?;
            // A document waiting for its authors moved on the server: its author's phone has
            // been, so it is worth reconciling again (and only then).
            tx.prepare_cached(
                "UPDATE sync_account SET awaiting_check = 1
                 WHERE id = 1 AND EXISTS (SELECT 1 FROM sync_docs WHERE doc_id = ?1 AND awaiting_authors = 1)",
            )?
            .execute([&id])?;
        }
        tx.execute(
            "UPDATE sync_account SET cursor = ?1, cursor_tag = ?4, last_sync_at = ?2, last_error = NULL, repair_needed = ?3
             WHERE id = 1",
            params![response.cursor.seq as i64, self.clock.now(), response.repair, response.cursor.tag as i64],
        )?;
        tx.commit()?;
        self.observers.notify(&received);
        progress.more = response.more || prepared.more_to_push;
        progress.repair = response.repair;
        Ok(progress)
    }

    /// Records why the last sync failed, for the status line.
    pub fn record_sync_error(&mut self, message: &str) -> Result<()> {
        self.conn.execute("UPDATE sync_account SET last_error = ?1 WHERE id = 1", [message])?;
        Ok(())
    }

    /// The server refused this document's changes: they are set aside rather than sent forever.
    pub fn reject_document(&mut self, id: &str, reason: &str) -> Result<()> {
        self.conn.execute("UPDATE sync_docs SET rejected = ?2 WHERE doc_id = ?1", params![id, reason])?;
        Ok(())
    }

    /// When the server first received a change, if this device knows.
    pub(crate) fn receipt(&self, change: &str) -> Result<Option<Millis>> {
        Ok(self
            .conn
            .prepare_cached("SELECT server_time FROM change_receipts WHERE change_hash = ?1")?
            .query_row([change], |r| r.get(0))
            .optional()?)
    }

    /// Starts a repair: an automerge sync message for every document this device holds.
    pub fn start_repair(&self) -> Result<(RepairSession, RepairRequest)> {
        let ids: Vec<String> = documents::all_ids(&self.conn)?.into_iter().map(|(id, _)| id).collect();
        let (session, docs) = self.repair_messages(ids, false)?;
        Ok((session, RepairRequest { first_round: true, docs, missing_from: None, held: Vec::new() }))
    }

    /// Reconciles again, by themselves, the documents an earlier repair left waiting for their
    /// authors (see migration 5), once the feed brought news of one of them; `None` otherwise. The cursor is left as it is: the feed
    /// was synced normally, and documents the server lacks are not asked for.
    pub fn start_awaiting_repair(&self) -> Result<Option<(RepairSession, RepairRequest)>> {
        let check: Option<bool> =
            self.conn.query_row("SELECT awaiting_check FROM sync_account WHERE id = 1", [], |r| r.get(0)).optional()?;
        if check != Some(true) {
            return Ok(None);
        }
        let ids: Vec<String> = self
            .conn
            .prepare_cached("SELECT doc_id FROM sync_docs WHERE awaiting_authors = 1 ORDER BY doc_id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if ids.is_empty() {
            return Ok(None);
        }
        let (session, docs) = self.repair_messages(ids, true)?;
        Ok(Some((session, RepairRequest { first_round: false, docs, missing_from: None, held: Vec::new() })))
    }

    fn repair_messages(&self, ids: Vec<String>, awaiting_only: bool) -> Result<(RepairSession, Vec<DocMessage>)> {
        let mut session = RepairSession { states: HashMap::new(), cursor: None, awaiting_only };
        let mut docs = Vec::new();
        for id in ids {
            let (Some(wire), Some(mut doc)) = (protocol::doc_id(&id), documents::load(&self.conn, &id)?) else {
                continue;
            };
            let mut state = automerge::sync::State::new();
            if let Some(message) = doc.sync_message(&mut state) {
                docs.push(DocMessage { doc: wire, message: ByteBuf::from(message) });
            }
            session.states.insert(id, state);
        }
        Ok((session, docs))
    }

    /// Applies the server's repair answers; returns the next request, or `None` once both sides
    /// agree, when the cursor is set to what the repair covered.
    pub fn continue_repair(
        &mut self,
        session: &mut RepairSession,
        response: &RepairResponse,
    ) -> Result<Option<RepairRequest>> {
        session.cursor.get_or_insert(response.cursor);
        let mut changed = Vec::new();
        let tx = self.conn.transaction()?;
        for m in &response.docs {
            let id = protocol::doc_id_string(&m.doc);
            let state = session.states.entry(id.clone()).or_default();
            let existing = documents::load(&tx, &id)?;
            let is_new = existing.is_none();
            let mut doc = existing.unwrap_or_else(Document::empty);
            let before = doc.heads();
            doc.receive_sync_message(state, &m.message).map_err(crate::store::records::damaged(&id))?;
            // The server keeps no sync state between rounds: what it has not taken yet must be
            // offered again, not remembered as sent (a change held back by a Bloom filter's
            // false positive would otherwise never go).
            state.sent_hashes.clear();
            if doc.heads() != before {
                changed.push(id.clone());
                store_received(&tx, &id, &mut doc, is_new)?;
                for h in doc.heads() {
                    record_receipt(&tx, &h, response.server_time)?;
                }
            }
        }
        for e in &response.missing {
            let id = protocol::doc_id_string(&e.doc);
            apply_pulled(&tx, &id, &[e])?;
            changed.push(id.clone());
            session.states.entry(id).or_default();
        }
        // The next messages: only documents with something left to say.
        let mut docs = Vec::new();
        let ids: Vec<String> = session.states.keys().cloned().collect();
        for id in ids {
            let (Some(wire), Some(mut doc)) = (protocol::doc_id(&id), documents::load(&tx, &id)?) else { continue };
            let Some(state) = session.states.get_mut(&id) else { continue };
            if let Some(message) = doc.sync_message(state) {
                docs.push(DocMessage { doc: wire, message: ByteBuf::from(message) });
            } else if state.their_heads.as_deref() == Some(doc.heads().as_slice()) {
                // Both sides hold the same: nothing waits for the server.
                tx.prepare_cached(
                    "INSERT INTO sync_docs (doc_id, server_heads, dirty) VALUES (?1, ?2, 0)
                     ON CONFLICT (doc_id) DO UPDATE SET server_heads = ?2, dirty = 0, awaiting_authors = 0, rejected = NULL",
                )?
                .execute(params![id, heads_text(&doc.heads())])?;
            } else if state.their_heads.is_some() {
                // The server answered but stopped short of what is here: it took no changes
                // of other phones from this one. Tried again after later syncs.
                tx.prepare_cached(
                    "INSERT INTO sync_docs (doc_id, dirty, awaiting_authors) VALUES (?1, 0, 1)
                     ON CONFLICT (doc_id) DO UPDATE SET awaiting_authors = 1",
                )?
                .execute([&id])?;
            }
        }
        // More documents this device lacks wait on the server: ask for the next page, saying
        // what is held here so that nothing comes twice.
        let (missing_from, held) = match response.missing_after {
            Some(after) => {
                let held = documents::all_ids(&tx)?.iter().filter_map(|(id, _)| protocol::doc_id(id)).collect();
                (Some(after), held)
            }
            None => (None, Vec::new()),
        };
        if docs.is_empty() && session.awaiting_only {
            tx.execute("UPDATE sync_account SET awaiting_check = 0 WHERE id = 1", [])?;
        }
        if docs.is_empty() && missing_from.is_none() && !session.awaiting_only {
            let cursor = session.cursor.unwrap_or(response.cursor);
            tx.execute(
                "UPDATE sync_account SET cursor = ?1, cursor_tag = ?3, repair_needed = 0, last_sync_at = ?2, last_error = NULL
                 WHERE id = 1",
                params![cursor.seq as i64, self.clock.now(), cursor.tag as i64],
            )?;
        }
        tx.commit()?;
        self.observers.notify(&changed);
        let more = !docs.is_empty() || missing_from.is_some();
        Ok(more.then_some(RepairRequest { first_round: false, docs, missing_from, held }))
    }
}

/// The automerge sync states of one repair, per document.
pub struct RepairSession {
    states: HashMap<String, automerge::sync::State>,
    cursor: Option<Cursor>,
    /// Only the documents left waiting for their authors: the feed cursor is not this
    /// repair's to set.
    awaiting_only: bool,
}

fn record_receipt(tx: &rusqlite::Connection, hash: &ChangeHash, at: Millis) -> Result<()> {
    tx.prepare_cached("INSERT INTO change_receipts (change_hash, server_time) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
        .execute(params![hash.to_string(), at])?;
    Ok(())
}

/// Stores a document after receiving changes, re-derives its index, and keeps `dirty` as it was.
fn store_received(tx: &rusqlite::Connection, id: &str, doc: &mut Document, is_new: bool) -> Result<()> {
    let env = doc.envelope().map_err(crate::store::records::damaged(id))?;
    if env.id != id {
        return Err(CoreError::DamagedDocument {
            id: id.to_string(),
            detail: "id differs from the id it was sent under".into(),
        });
    }
    let was: Option<(String, bool)> = tx
        .prepare_cached("SELECT server_heads, dirty FROM sync_docs WHERE doc_id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if is_new {
        documents::insert(tx, id, &env.kind, doc)?;
    } else {
        documents::save_changes(tx, id, doc)?;
    }
    index::reindex(tx, doc)?;
    // Saving marked it dirty; received changes are not local ones.
    let (server_heads, dirty) = was.unwrap_or_default();
    tx.prepare_cached("UPDATE sync_docs SET server_heads = ?2, dirty = ?3 WHERE doc_id = ?1")?.execute(params![
        id,
        server_heads,
        dirty && !is_new
    ])?;
    Ok(())
}

/// Applies feed entries of one document and notes what the server now has.
fn apply_pulled(tx: &rusqlite::Connection, id: &str, entries: &[&FeedEntry]) -> Result<()> {
    crate::store::records::check_id(id)?;
    let existing = documents::load(tx, id)?;
    let is_new = existing.is_none();
    let mut doc = existing.unwrap_or_else(Document::empty);
    let mut received = Vec::new();
    for e in entries {
        let hashes = doc
            .apply_encoded_changes(e.changes.iter().map(|c| c.as_slice()))
            .map_err(crate::store::records::damaged(id))?;
        for h in &hashes {
            record_receipt(tx, h, e.received_at)?;
        }
        received.extend(hashes);
    }
    if !doc.missing_dependencies().is_empty() {
        // Changes whose history this device never received (the document entered its scope
        // late): a repair fetches the whole document.
        tx.execute("UPDATE sync_account SET repair_needed = 1 WHERE id = 1", [])?;
        return Ok(());
    }
    let was: Option<(String, bool)> = tx
        .prepare_cached("SELECT server_heads, dirty FROM sync_docs WHERE doc_id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    store_received(tx, id, &mut doc, is_new)?;
    let (old_server_heads, was_dirty) = match was {
        Some((h, d)) if !is_new => (parse_heads(&h), d),
        _ => (Vec::new(), false),
    };
    // What the server has now: everything here if nothing local waits; otherwise what it had
    // plus what it sent.
    let server_heads = if was_dirty { doc.heads_with(&old_server_heads, &received) } else { Some(doc.heads()) };
    if let Some(heads) = server_heads {
        tx.prepare_cached("UPDATE sync_docs SET server_heads = ?2, dirty = ?3 WHERE doc_id = ?1")?.execute(params![
            id,
            heads_text(&heads),
            was_dirty
        ])?;
    }
    Ok(())
}
