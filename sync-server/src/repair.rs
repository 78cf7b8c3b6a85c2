//! Repair: when a cursor cannot be trusted (the server restored from a backup, or the device),
//! the device and the server reconcile document by document with automerge's sync messages.
//! The server keeps no state between rounds: each round starts a fresh automerge sync state on
//! its side, which the protocol tolerates (at worst a change is offered twice).

use std::collections::HashSet;

use rusqlite::Connection;
use serde_bytes::ByteBuf;
use sotay_core::document::Document;
use sotay_core::sync::protocol::{self, DocMessage, FeedEntry, RepairRequest, RepairResponse};
use sotay_core::sync::scope::DocScope;

use crate::accounts::DeviceAuth;
use crate::db::DocCache;
use crate::ingest::{self, IngestError, Staged, user_scope};

pub fn repair(
    conn: &Connection,
    cache: &mut DocCache,
    device: &DeviceAuth,
    req: &RepairRequest,
    now: i64,
) -> Result<RepairResponse, IngestError> {
    let user = user_scope(device);
    let cursor = crate::feed::head(conn)?;
    let mut staged: Vec<Staged> = Vec::new();
    let mut replies = Vec::new();
    let mut listed = HashSet::new();
    for m in &req.docs {
        let id = protocol::doc_id_string(&m.doc);
        listed.insert(id.clone());
        let (mut doc, before) = match ingest::load(conn, cache, &id)? {
            Some((doc, scope)) => (doc, Some(scope)),
            None => (Document::empty(), None),
        };
        let readable = before.as_ref().is_some_and(|b| user.may_pull(b));
        if before.as_ref().is_some_and(|b| !readable && !user.may_push(b)) {
            continue;
        }
        let before_heads = doc.heads();
        let mut state = automerge::sync::State::new();
        doc.receive_sync_message(&mut state, &m.message).map_err(|_| IngestError::BadChange { doc: id.clone() })?;
        let reply = if readable || before.is_none() { doc.sync_message(&mut state) } else { None };
        if let Some(s) = ingest::check(conn, device, &id, before, doc, &before_heads, &staged)? {
            staged.push(s);
        }
        if let Some(message) = reply {
            replies.push(DocMessage { doc: m.doc, message: ByteBuf::from(message) });
        }
    }
    ingest::write(conn, cache, &device.device_id, staged, now)?;
    let mut missing = Vec::new();
    if req.first_round {
        for scope in documents_in_scope(conn, device)? {
            if listed.contains(&scope.id) || !user.may_pull(&scope) {
                continue;
            }
            let Some(mut doc) = sotay_core::store::documents::load(conn, &scope.id)? else { continue };
            let doc_id = uuid::Uuid::try_parse(&scope.id).map_err(|_| IngestError::BadId)?.into_bytes();
            let changes = doc.changes_since(&[]).into_iter().map(|(_, b)| ByteBuf::from(b)).collect();
            missing.push(FeedEntry { doc: doc_id, received_at: now, changes });
        }
        crate::accounts::reset_cursor(conn, &device.device_id, cursor.seq)
            .map_err(|e| IngestError::Storage(e.to_string()))?;
    }
    Ok(RepairResponse { server_time: now, docs: replies, missing, cursor })
}

fn documents_in_scope(conn: &Connection, device: &DeviceAuth) -> Result<Vec<DocScope>, IngestError> {
    let unit = &device.user.unit;
    let ids: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT doc_id FROM documents WHERE unit = ?1 OR commune = ?1 OR district = ?1 OR province = ?1 OR doc_id = ?1",
        )?;
        stmt.query_map([unit], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?
    };
    let mut out = Vec::new();
    for id in ids {
        if let Some(s) = ingest::scope_of(conn, &id)? {
            out.push(s);
        }
    }
    Ok(out)
}
