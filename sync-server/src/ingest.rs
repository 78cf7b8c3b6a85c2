//! Changes a device sends, checked and stored. A push is all or nothing: every document is
//! checked in memory first (well-formed automerge, authored by the device's user, a valid
//! envelope and body, a known unit, within the device's scope before and after), and only then
//! are they all written, with their feed entries, in one transaction.

use automerge::ChangeHash;
use rusqlite::{Connection, OptionalExtension, params};
use serde_bytes::ByteBuf;
use sotay_core::document::{Document, Envelope};
use sotay_core::record::{DenouncerIdentity, DocumentKind, RecordBody, SCHEMA_VERSION, Village, attachment};
use sotay_core::store::documents;
use sotay_core::sync::protocol::{self, DocChanges, MAX_CHANGE_BYTES};
use sotay_core::sync::scope::{DocScope, UserScope};
use sotay_core::units::{UnitLevel, catalogue};

use crate::accounts::DeviceAuth;
use crate::db::DocCache;

/// Why a push was refused. Nothing of it was stored.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("mã tài liệu không hợp lệ / invalid document id")]
    BadId,
    #[error("tài liệu {doc}: thay đổi không phải automerge hợp lệ / document {doc}: a change is not valid automerge")]
    BadChange { doc: String },
    #[error("tài liệu {doc}: một thay đổi quá lớn / document {doc}: a change is too large")]
    ChangeTooLarge { doc: String },
    #[error(
        "tài liệu {doc}: thiếu các thay đổi mà thay đổi gửi lên phụ thuộc / document {doc}: changes arrived without the changes they depend on"
    )]
    MissingDependencies { doc: String },
    #[error("tài liệu {doc} không hợp lệ: {detail} / document {doc} is invalid: {detail}")]
    Invalid { doc: String, detail: String },
    #[error("tài liệu {doc} nằm ngoài phạm vi của thiết bị này / document {doc} is outside this device's scope")]
    OutOfScope { doc: String },
    #[error("tài liệu {doc}: thay đổi ghi tên người khác / document {doc}: changes claim another author")]
    ForgedAuthor { doc: String },
    #[error("lỗi lưu trữ / storage error: {0}")]
    Storage(String),
}

impl From<rusqlite::Error> for IngestError {
    fn from(e: rusqlite::Error) -> Self {
        IngestError::Storage(e.to_string())
    }
}

impl From<sotay_core::CoreError> for IngestError {
    fn from(e: sotay_core::CoreError) -> Self {
        IngestError::Storage(e.to_string())
    }
}

impl IngestError {
    /// The document at fault, for the device to set it aside.
    pub fn doc(&self) -> Option<&str> {
        match self {
            IngestError::BadChange { doc }
            | IngestError::ChangeTooLarge { doc }
            | IngestError::MissingDependencies { doc }
            | IngestError::Invalid { doc, .. }
            | IngestError::OutOfScope { doc }
            | IngestError::ForgedAuthor { doc } => Some(doc),
            IngestError::BadId | IngestError::Storage(_) => None,
        }
    }
}

/// A document checked and ready to be written.
pub struct Staged {
    pub id: String,
    pub doc: Document,
    pub is_new: bool,
    pub new_changes: Vec<(ChangeHash, Vec<u8>)>,
    pub scope: DocScope,
    /// Where it stood before (to notice a scope change).
    pub before: Option<DocScope>,
    /// A petition's denouncer identity, or an identity's petition.
    pub linked: Option<String>,
    /// The files the document refers to (SHA-256).
    pub attachments: Vec<String>,
}

fn invalid(doc: &str, detail: impl Into<String>) -> IngestError {
    IngestError::Invalid { doc: doc.to_string(), detail: detail.into() }
}

/// The server's copy of a document (from the cache, or the database) and where it is filed.
pub fn load(conn: &Connection, cache: &mut DocCache, id: &str) -> Result<Option<(Document, DocScope)>, IngestError> {
    let doc = match cache.take(id) {
        Some(doc) => doc,
        None => match documents::load(conn, id)? {
            Some(doc) => doc,
            None => return Ok(None),
        },
    };
    let scope = scope_of(conn, id)?.ok_or_else(|| IngestError::Storage("document without its row".into()))?;
    Ok(Some((doc, scope)))
}

pub fn scope_of(conn: &Connection, id: &str) -> Result<Option<DocScope>, IngestError> {
    Ok(conn
        .prepare_cached("SELECT kind, unit, commune, district, province, handlers FROM documents WHERE doc_id = ?1")?
        .query_row([id], |r| {
            let kind: String = r.get(0)?;
            let handlers: String = r.get(5)?;
            Ok(DocScope {
                id: id.to_string(),
                kind: DocumentKind::from_code(&kind).unwrap_or(DocumentKind::DenouncerIdentity),
                unit: r.get(1)?,
                commune: r.get(2)?,
                district: r.get(3)?,
                province: r.get(4)?,
                handlers: handlers.split(',').filter(|h| !h.is_empty()).map(str::to_string).collect(),
            })
        })
        .optional()?)
}

pub fn user_scope(device: &DeviceAuth) -> UserScope {
    UserScope { login: device.user.login.clone(), role: device.user.role, unit: device.user.unit.clone() }
}

/// The commune a village lies in, from the server's documents or from this same push.
fn village_commune(conn: &Connection, village: &str, batch: &[Staged]) -> Result<Option<String>, IngestError> {
    if let Some(s) = batch.iter().find(|s| s.id == village && s.scope.kind == DocumentKind::Village) {
        return Ok(Some(s.scope.commune.clone()));
    }
    Ok(conn
        .prepare_cached("SELECT commune FROM documents WHERE doc_id = ?1 AND kind = 'village'")?
        .query_row([village], |r| r.get(0))
        .optional()?)
}

/// Files a document by its envelope: checks that its unit exists and its commune agrees.
fn placement(
    conn: &Connection,
    env: &Envelope,
    batch: &[Staged],
) -> Result<(String, Option<String>, Option<String>), IngestError> {
    let commune = match catalogue().get(&env.unit) {
        Some(u) if u.level == UnitLevel::Commune => u.code.clone(),
        Some(_) => String::new(),
        None => village_commune(conn, &env.unit, batch)?
            .ok_or_else(|| invalid(&env.id, "unknown unit / đơn vị không tồn tại"))?,
    };
    if env.commune != commune {
        return Err(invalid(&env.id, "commune does not match the unit / xã không khớp với đơn vị"));
    }
    let (mut district, mut province) = (None, None);
    let start = if commune.is_empty() { env.unit.as_str() } else { commune.as_str() };
    for u in catalogue().lineage(start) {
        match u.level {
            UnitLevel::District => district = Some(u.code.clone()),
            UnitLevel::Province => province = Some(u.code.clone()),
            UnitLevel::Commune => {}
        }
    }
    Ok((commune, district, province))
}

fn handlers_of(conn: &Connection, petition: &str, batch: &[Staged]) -> Result<Vec<String>, IngestError> {
    if let Some(s) = batch.iter().find(|s| s.id == petition) {
        return Ok(s.scope.handlers.clone());
    }
    Ok(scope_of(conn, petition)?.map(|s| s.handlers).unwrap_or_default())
}

/// Checks a document after new changes were applied to it in memory. `None` when nothing is new.
pub fn check(
    conn: &Connection,
    device: &DeviceAuth,
    id: &str,
    before: Option<DocScope>,
    mut doc: Document,
    before_heads: &[ChangeHash],
    batch: &[Staged],
) -> Result<Option<Staged>, IngestError> {
    if !doc.missing_dependencies().is_empty() {
        return Err(IngestError::MissingDependencies { doc: id.to_string() });
    }
    let new_changes = doc.changes_since(before_heads);
    if new_changes.is_empty() {
        return Ok(None);
    }
    for (hash, bytes) in &new_changes {
        if bytes.len() > MAX_CHANGE_BYTES {
            return Err(IngestError::ChangeTooLarge { doc: id.to_string() });
        }
        // A device writes in its own user's name only.
        if doc.change_author(hash).map(|a| a.user) != Some(device.user.login.clone()) {
            return Err(IngestError::ForgedAuthor { doc: id.to_string() });
        }
    }
    let (env, body) = doc.contents().map_err(|e| invalid(id, e.to_string()))?;
    if env.id != id {
        return Err(invalid(id, "id differs from the id it was sent under / mã không khớp"));
    }
    let kind = DocumentKind::from_code(&env.kind).ok_or_else(|| invalid(id, "unknown kind / loại không xác định"))?;
    if env.schema > SCHEMA_VERSION {
        return Err(invalid(id, "written by a newer version / do phiên bản mới hơn ghi"));
    }
    if before.as_ref().is_some_and(|b| b.kind != kind) {
        return Err(invalid(id, "a document's kind cannot change / không thể đổi loại"));
    }
    let (handlers, linked, attachments) = match kind {
        DocumentKind::Village => {
            serde_json::from_value::<Village>(body).map_err(|_| invalid(id, "not a village / không phải thôn"))?;
            (Vec::new(), None, Vec::new())
        }
        DocumentKind::DenouncerIdentity => {
            let identity: DenouncerIdentity =
                serde_json::from_value(body).map_err(|_| invalid(id, "not a denouncer identity"))?;
            (handlers_of(conn, &identity.petition_id, batch)?, Some(identity.petition_id), Vec::new())
        }
        other => {
            let record_kind = other.record_kind().ok_or_else(|| invalid(id, "unknown kind"))?;
            let body = RecordBody::from_stored(record_kind, body)
                .map_err(|e| invalid(id, sotay_core::error::FieldErrors(e).to_string()))?;
            match body {
                RecordBody::Petition(p) => {
                    (p.handlers, (!p.identity_ref.is_empty()).then_some(p.identity_ref), Vec::new())
                }
                RecordBody::Mediation(m) => {
                    // A reference that is not one would stop every phone from editing the case.
                    let mut errors = Vec::new();
                    for (i, a) in m.attachments.iter().enumerate() {
                        attachment::check(
                            &format!("attachments.{i}"),
                            &a.name,
                            &a.media_type,
                            &a.sha256,
                            a.size,
                            &mut errors,
                        );
                    }
                    if !errors.is_empty() {
                        return Err(invalid(id, sotay_core::error::FieldErrors(errors).to_string()));
                    }
                    (Vec::new(), None, m.attachments.into_iter().map(|a| a.sha256).collect())
                }
                _ => (Vec::new(), None, Vec::new()),
            }
        }
    };
    let (commune, district, province) = placement(conn, &env, batch)?;
    let scope = DocScope { id: id.to_string(), kind, unit: env.unit.clone(), commune, district, province, handlers };
    let user = user_scope(device);
    if before.as_ref().is_some_and(|b| !user.may_push(b)) || !user.may_push(&scope) {
        return Err(IngestError::OutOfScope { doc: id.to_string() });
    }
    Ok(Some(Staged {
        id: id.to_string(),
        doc,
        is_new: before.is_none(),
        new_changes,
        scope,
        before,
        linked,
        attachments,
    }))
}

/// Checks a whole push; nothing is written unless every document passes.
pub fn stage_push(
    conn: &Connection,
    cache: &mut DocCache,
    device: &DeviceAuth,
    pushes: &[DocChanges],
) -> Result<Vec<Staged>, IngestError> {
    let mut staged: Vec<Staged> = Vec::new();
    for p in pushes {
        let id = protocol::doc_id_string(&p.doc);
        let doc_err = || IngestError::BadChange { doc: id.clone() };
        if p.changes.iter().any(|c| c.len() > MAX_CHANGE_BYTES) {
            return Err(IngestError::ChangeTooLarge { doc: id });
        }
        // A document pushed twice in one request is taken from the first staging.
        let (mut doc, before) = match staged.iter().position(|s| s.id == id) {
            Some(i) => {
                let s = staged.remove(i);
                (s.doc, s.before)
            }
            None => match load(conn, cache, &id)? {
                Some((doc, scope)) => (doc, Some(scope)),
                None => (Document::empty(), None),
            },
        };
        let before_heads = match &before {
            Some(_) => doc.heads(),
            None => Vec::new(),
        };
        doc.apply_encoded_changes(p.changes.iter().map(|c| c.as_slice())).map_err(|_| doc_err())?;
        if let Some(s) = check(conn, device, &id, before, doc, &before_heads, &staged)? {
            staged.push(s);
        }
    }
    Ok(staged)
}

fn heads_text(heads: &[ChangeHash]) -> String {
    heads.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(",")
}

fn append_feed(tx: &Connection, id: &str, device: &str, now: i64, changes: &[Vec<u8>]) -> Result<(), IngestError> {
    let list: Vec<ByteBuf> = changes.iter().cloned().map(ByteBuf::from).collect();
    let blob = postcard::to_stdvec(&list).map_err(|e| IngestError::Storage(e.to_string()))?;
    let tag = getrandom::u64().map_err(|e| IngestError::Storage(e.to_string()))? as i64;
    tx.prepare_cached(
        "INSERT INTO feed (doc_id, device_id, received_at, changes, size, tag) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, device, now, blob, blob.len() as i64 + 24, tag])?;
    Ok(())
}

/// The device id feed entries carry when the server re-sends a whole document (to devices that
/// came into its scope): no device is excluded from them.
pub const SERVER_DEVICE: &str = "server";

/// Writes checked documents, their feed entries and receipts, in one transaction.
/// Writes checked documents within the caller's transaction, and keeps them in the cache.
pub fn write(
    tx: &Connection,
    cache: &mut DocCache,
    device_id: &str,
    staged: Vec<Staged>,
    now: i64,
) -> Result<(), IngestError> {
    for mut s in staged {
        if s.is_new {
            documents::insert_snapshot(tx, &s.id, s.scope.kind.code(), &mut s.doc)?;
        } else {
            documents::write_changes(tx, &s.id, &mut s.doc)?;
        }
        let heads = s.doc.heads();
        tx.prepare_cached(
            "UPDATE documents SET unit = ?2, commune = ?3, district = ?4, province = ?5, handlers = ?6,
             linked_doc = ?7, heads = ?8 WHERE doc_id = ?1",
        )?
        .execute(params![
            s.id,
            s.scope.unit,
            s.scope.commune,
            s.scope.district,
            s.scope.province,
            s.scope.handlers.join(","),
            s.linked,
            heads_text(&heads)
        ])?;
        crate::attachments::note_refs(tx, &s.id, &s.attachments)?;
        let bytes: Vec<Vec<u8>> = s.new_changes.iter().map(|(_, b)| b.clone()).collect();
        append_feed(tx, &s.id, device_id, now, &bytes)?;
        for (h, _) in &s.new_changes {
            tx.prepare_cached(
                "INSERT INTO change_receipts (change_hash, received_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?
            .execute(params![h.to_string(), now])?;
        }
        // A document that moved, or whose handlers changed, is sent whole again, so that devices
        // newly in its scope receive all of it.
        let moved = s.before.as_ref().is_some_and(|b| {
            (&b.unit, &b.commune, &b.handlers) != (&s.scope.unit, &s.scope.commune, &s.scope.handlers)
        });
        if moved {
            let all: Vec<Vec<u8>> = s.doc.changes_since(&[]).into_iter().map(|(_, b)| b).collect();
            append_feed(tx, &s.id, SERVER_DEVICE, now, &all)?;
        }
        if let (DocumentKind::Petition, Some(identity)) = (s.scope.kind, &s.linked) {
            let changed = tx
                .prepare_cached("UPDATE documents SET handlers = ?2 WHERE doc_id = ?1 AND handlers != ?2")?
                .execute(params![identity, s.scope.handlers.join(",")])?;
            if let (true, Some(mut idoc)) = (changed > 0, documents::load(tx, identity)?) {
                let all: Vec<Vec<u8>> = idoc.changes_since(&[]).into_iter().map(|(_, b)| b).collect();
                append_feed(tx, identity, SERVER_DEVICE, now, &all)?;
            }
        }
        cache.put(s.id, s.doc);
    }
    Ok(())
}
