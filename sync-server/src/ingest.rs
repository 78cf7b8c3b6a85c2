//! Changes a device sends, checked and stored, in two steps that run in two places.
//!
//! [`stage_push`] runs on the untrusted pool ([`crate::untrusted`]) over a read-only connection:
//! it applies the changes to the server's copy of each document in memory and checks everything
//! (well-formed automerge, nesting depth, size, authored by the device's user from one of its
//! devices, a valid envelope and body, a known unit, the device's scope before and after, the
//! binding of a denouncer's identity to its petition), and prepares the bytes to write. Nothing
//! of that touches the database thread, so no crafted change can stop it.
//!
//! [`commit`] runs on the database thread: short SQL only. It checks that every document is
//! still as the staging read it (another request may have written it meanwhile: the caller
//! stages again), then writes the documents, their feed entries and receipts in the caller's
//! transaction. A push is all or nothing.

use std::collections::HashSet;

use automerge::ChangeHash;
use rusqlite::{Connection, OptionalExtension, params};
use serde_bytes::ByteBuf;
use sotay_core::document::{Document, DocumentError, Envelope};
use sotay_core::record::{DenouncerIdentity, DocumentKind, RecordBody, SCHEMA_VERSION, Village, attachment};
use sotay_core::store::documents::COMPACT_AFTER;
use sotay_core::sync::protocol::{self, DocChanges, MAX_CHANGE_BYTES, MAX_ENTRY_BYTES};
use sotay_core::sync::scope::{DocScope, UserScope};
use sotay_core::units::{Filing, UnitLevel, catalogue};

use crate::accounts::DeviceAuth;
use crate::db::DocCache;
use crate::holdings::Holdings;
use crate::limits::Limits;

/// Why a push was refused. Nothing of it was stored.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("mã tài liệu không hợp lệ / invalid document id")]
    BadId,
    #[error("tài liệu {doc}: thay đổi không phải automerge hợp lệ / document {doc}: a change is not valid automerge")]
    BadChange { doc: String },
    #[error(
        "tài liệu {doc}: máy chủ không xử lý được các thay đổi này / document {doc}: the server could not process these changes"
    )]
    Unprocessable { doc: String },
    #[error("tài liệu {doc}: một thay đổi quá lớn / document {doc}: a change is too large")]
    ChangeTooLarge { doc: String },
    #[error(
        "tài liệu {doc}: các đối tượng lồng nhau quá {depth} cấp / document {doc}: objects nest deeper than {depth} levels"
    )]
    TooDeep { doc: String, depth: usize },
    #[error("tài liệu {doc} vượt quá {limit} byte / document {doc} would exceed {limit} bytes on the server")]
    DocumentTooLarge { doc: String, limit: usize },
    #[error(
        "lần gửi có {found} tài liệu hoặc thay đổi, nhiều hơn giới hạn {limit} / the push names {found} documents or changes, more than the limit of {limit}"
    )]
    TooMany { found: usize, limit: usize },
    #[error("tài liệu {doc} được gửi hai lần trong một lần gửi / document {doc} is listed twice in one push")]
    Duplicate { doc: String },
    #[error(
        "thiết bị đã dùng hết {limit} byte lưu trữ trên máy chủ / this device has used its {limit} bytes of storage on the server"
    )]
    QuotaExceeded { limit: u64 },
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
    #[error(
        "tài liệu {doc}: liên kết giữa đơn tố cáo và danh tính người tố cáo không hợp lệ / document {doc}: the link between a denunciation and its denouncer's identity is not valid"
    )]
    IdentityBinding { doc: String },
    #[error(
        "tài liệu {doc} trên máy chủ bị hỏng và đã được cách ly / document {doc} is damaged on the server and quarantined"
    )]
    Damaged { doc: String },
    /// Another request wrote one of the documents after this one read it: stage again.
    #[error("tài liệu {doc} vừa được thay đổi, hãy thử lại / document {doc} was just changed, try again")]
    Concurrent { doc: String },
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
        match e {
            sotay_core::CoreError::DamagedDocument { id, .. } => IngestError::Damaged { doc: id },
            e => IngestError::Storage(e.to_string()),
        }
    }
}

impl IngestError {
    /// The document at fault, for the device to set it aside.
    pub fn doc(&self) -> Option<&str> {
        match self {
            IngestError::BadChange { doc }
            | IngestError::Unprocessable { doc }
            | IngestError::ChangeTooLarge { doc }
            | IngestError::TooDeep { doc, .. }
            | IngestError::DocumentTooLarge { doc, .. }
            | IngestError::Duplicate { doc }
            | IngestError::MissingDependencies { doc }
            | IngestError::Invalid { doc, .. }
            | IngestError::OutOfScope { doc }
            | IngestError::ForgedAuthor { doc }
            | IngestError::IdentityBinding { doc }
            | IngestError::Damaged { doc }
            | IngestError::Concurrent { doc } => Some(doc),
            IngestError::BadId | IngestError::TooMany { .. } | IngestError::QuotaExceeded { .. } => None,
            IngestError::Storage(_) => None,
        }
    }
}

/// A document as the server holds it, read for an update.
pub struct Stored {
    pub doc: Document,
    pub scope: DocScope,
    /// The petition of an identity, or the identity of a petition, as bound on the server.
    pub linked: Option<String>,
    /// What the database holds now: the staging is written only if these are unchanged.
    pub heads: String,
    pub chunk_count: i64,
    pub size: i64,
    /// Who recorded it (the envelope's author): read for denouncer identities only, since
    /// reading the envelope reads the whole tree.
    pub created_by: Option<String>,
}

impl Stored {
    /// The document to apply changes to, and the rest of what was stored (for the checks); an
    /// empty document for one the server does not have yet.
    pub fn split(stored: Option<Stored>) -> (Document, Option<Stored>) {
        match stored {
            Some(mut s) => (std::mem::replace(&mut s.doc, Document::empty()), Some(s)),
            None => (Document::empty(), None),
        }
    }
}

/// The bytes that bring the stored document to its new state.
pub enum Write {
    /// A new document, or one compacted: its whole snapshot (the chunks are dropped).
    Snapshot(Vec<u8>),
    /// The changes since the stored state, as the next chunk.
    Chunk(Vec<u8>),
}

/// A document checked and ready to be written.
pub struct Staged {
    pub id: String,
    pub doc: Document,
    pub is_new: bool,
    /// What the staging read: heads and chunk count of the stored row (empty and 0 when new).
    pub base_heads: String,
    pub base_chunks: i64,
    pub write: Write,
    pub heads: String,
    /// The stored size after the write.
    pub size: i64,
    pub new_changes: Vec<(ChangeHash, Vec<u8>)>,
    pub scope: DocScope,
    /// Where it stood before (to notice a scope change).
    pub before: Option<DocScope>,
    /// A petition's denouncer identity, or an identity's petition.
    pub linked: Option<String>,
    /// The files the document refers to (SHA-256).
    pub attachments: Vec<String>,
    /// What a record adds to reports, as of this write.
    pub report: Option<crate::report_facts::Entry>,
    /// Every change of the document, when it must be sent whole again (it moved, or its
    /// handlers changed), so that devices newly in its scope receive all of it.
    pub resend: Option<Vec<Vec<u8>>>,
    /// The denouncer identity whose handlers follow this petition's: its id, its heads as read,
    /// and all its changes to send to the new handlers.
    pub identity_update: Option<IdentityUpdate>,
}

pub struct IdentityUpdate {
    pub id: String,
    pub heads: String,
    pub handlers: Vec<String>,
    pub changes: Vec<Vec<u8>>,
}

fn invalid(doc: &str, detail: impl Into<String>) -> IngestError {
    IngestError::Invalid { doc: doc.to_string(), detail: detail.into() }
}

fn document_error(doc: &str, e: DocumentError) -> IngestError {
    match e {
        DocumentError::TooDeep => IngestError::TooDeep { doc: doc.to_string(), depth: sotay_core::document::MAX_DEPTH },
        _ => IngestError::BadChange { doc: doc.to_string() },
    }
}

/// Runs work on one document, turning a panic (automerge's, on crafted bytes) into a refusal
/// that names the document.
pub fn guarded<T>(doc: &str, work: impl FnOnce() -> Result<T, IngestError>) -> Result<T, IngestError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| {
        PANICS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Err(IngestError::Unprocessable { doc: doc.to_string() })
    })
}

/// Panics caught while working on one document, since the process started (`/metrics`).
pub static PANICS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The server's copy of a document, from the cache if it holds the database's state, or from
/// the database. A document that cannot be loaded is reported damaged.
pub fn load(store: &dyn Holdings, cache: &DocCache, id: &str) -> Result<Option<Stored>, IngestError> {
    let Some(row) = store.document_row(id)? else { return Ok(None) };
    let doc = match cache.take(id, &row.heads) {
        Some(doc) => doc,
        None => guarded(id, || store.document(id))?
            .ok_or_else(|| IngestError::Storage("document row without its bytes".into()))?,
    };
    let created_by = match row.scope.kind {
        DocumentKind::DenouncerIdentity => Some(guarded(id, || Ok(doc.envelope().map(|e| e.created_by.user)))?),
        _ => None,
    }
    .and_then(Result::ok);
    Ok(Some(Stored {
        doc,
        scope: row.scope,
        linked: row.linked,
        heads: row.heads,
        chunk_count: row.chunk_count,
        size: row.size,
        created_by,
    }))
}

pub fn scope_of(store: &dyn Holdings, id: &str) -> Result<Option<DocScope>, IngestError> {
    Ok(store.document_row(id)?.map(|r| r.scope))
}

pub fn user_scope(device: &DeviceAuth) -> UserScope {
    UserScope { login: device.user.login.clone(), role: device.user.role, unit: device.user.unit.clone() }
}

/// The commune a village lies in, from the server's documents or from this same push.
fn village_commune(store: &dyn Holdings, village: &str, batch: &[Staged]) -> Result<Option<String>, IngestError> {
    if let Some(s) = batch.iter().find(|s| s.id == village && s.scope.kind == DocumentKind::Village) {
        return Ok(Some(s.scope.commune.clone()));
    }
    store.village_commune(village)
}

/// Files a document by its envelope among the units in force: checks that its unit exists in
/// the edition it names and that its commune agrees (a village's, where the village lies today).
fn placement(store: &dyn Holdings, env: &Envelope, batch: &[Staged]) -> Result<Filing, IngestError> {
    let edition = env
        .edition()
        .ok_or_else(|| invalid(&env.id, "unknown edition of the unit list / danh mục đơn vị không xác định"))?;
    let mismatch = || invalid(&env.id, "commune does not match the unit / xã không khớp với đơn vị");
    match catalogue().get_in(edition, &env.unit) {
        Some(u) => {
            let expected = if u.level == UnitLevel::Commune { u.code.as_str() } else { "" };
            if env.commune != expected {
                return Err(mismatch());
            }
        }
        None => {
            let village = village_commune(store, &env.unit, batch)?
                .ok_or_else(|| invalid(&env.id, "unknown unit / đơn vị không tồn tại"))?;
            let today = catalogue().place(edition, &env.commune).ok_or_else(mismatch)?;
            if today.commune.unwrap_or_default() != village {
                return Err(mismatch());
            }
        }
    }
    catalogue()
        .file(edition, &env.unit, &env.commune)
        .ok_or_else(|| invalid(&env.id, "unknown unit / đơn vị không tồn tại"))
}

/// A petition as this push leaves it (staged) or as the server holds it.
struct PetitionView {
    scope: DocScope,
    identity: Option<String>,
}

fn petition_view(store: &dyn Holdings, id: &str, batch: &[Staged]) -> Result<Option<PetitionView>, IngestError> {
    if let Some(s) = batch.iter().find(|s| s.id == id) {
        return Ok(Some(PetitionView { scope: s.scope.clone(), identity: s.linked.clone() }));
    }
    Ok(store.document_row(id)?.map(|r| PetitionView { scope: r.scope, identity: r.linked }))
}

/// What one staging needs to know about the pushing device.
pub struct Pusher<'a> {
    pub device: &'a DeviceAuth,
    pub devices: HashSet<String>,
}

impl<'a> Pusher<'a> {
    pub fn new(store: &dyn Holdings, device: &'a DeviceAuth) -> Result<Pusher<'a>, IngestError> {
        Ok(Pusher { device, devices: store.user_devices(&device.user.login)? })
    }
}

/// Checks a document after new changes were applied to it in memory, and prepares its write.
/// `None` when nothing is new.
pub fn check(
    store: &dyn Holdings,
    pusher: &Pusher<'_>,
    limits: &Limits,
    id: &str,
    stored: Option<Stored>,
    mut doc: Document,
    batch: &[Staged],
) -> Result<Option<Staged>, IngestError> {
    let device = pusher.device;
    if !doc.missing_dependencies().is_empty() {
        return Err(IngestError::MissingDependencies { doc: id.to_string() });
    }
    let base_heads: Vec<ChangeHash> = match &stored {
        Some(s) => parse_heads(&s.heads),
        None => Vec::new(),
    };
    let new_changes = doc.changes_since(&base_heads);
    if new_changes.is_empty() {
        return Ok(None);
    }
    for (hash, bytes) in &new_changes {
        if bytes.len() > MAX_CHANGE_BYTES {
            return Err(IngestError::ChangeTooLarge { doc: id.to_string() });
        }
        // A device writes in its own user's name, from one of that user's devices.
        match doc.change_author(hash) {
            Some(a) if a.user == device.user.login && pusher.devices.contains(&a.device) => {}
            _ => return Err(IngestError::ForgedAuthor { doc: id.to_string() }),
        }
    }
    let hashes: Vec<ChangeHash> = new_changes.iter().map(|(h, _)| *h).collect();
    // Before any read of the tree: a crafted nesting would exhaust the stack.
    doc.check_depth(&hashes).map_err(|e| document_error(id, e))?;
    let (env, body) = doc.contents().map_err(|e| invalid(id, e.to_string()))?;
    if env.id != id {
        return Err(invalid(id, "id differs from the id it was sent under / mã không khớp"));
    }
    let kind = DocumentKind::from_code(&env.kind).ok_or_else(|| invalid(id, "unknown kind / loại không xác định"))?;
    if env.schema > SCHEMA_VERSION {
        return Err(invalid(id, "written by a newer version / do phiên bản mới hơn ghi"));
    }
    let before = stored.as_ref().map(|s| s.scope.clone());
    if before.as_ref().is_some_and(|b| b.kind != kind) {
        return Err(invalid(id, "a document's kind cannot change / không thể đổi loại"));
    }
    let filed = placement(store, &env, batch)?;
    let mut identity_update = None;
    let mut report = None;
    let (handlers, linked, attachments) = match kind {
        DocumentKind::Village => {
            serde_json::from_value::<Village>(body).map_err(|_| invalid(id, "not a village / không phải thôn"))?;
            (Vec::new(), None, Vec::new())
        }
        DocumentKind::DenouncerIdentity => {
            let identity: DenouncerIdentity =
                serde_json::from_value(body).map_err(|_| invalid(id, "not a denouncer identity"))?;
            let handlers = identity_handlers(store, device, id, &identity, &filed.commune, stored.as_ref(), batch)?;
            (handlers, Some(identity.petition_id), Vec::new())
        }
        other => {
            let record_kind = other.record_kind().ok_or_else(|| invalid(id, "unknown kind"))?;
            let body = RecordBody::from_stored(record_kind, body)
                .map_err(|e| invalid(id, sotay_core::error::FieldErrors(e).to_string()))?;
            report = Some(crate::report_facts::Entry::of(&env, &body));
            match body {
                RecordBody::Petition(p) => {
                    let identity = (!p.identity_ref.is_empty()).then_some(p.identity_ref);
                    identity_update = petition_identity(
                        store,
                        id,
                        identity.as_deref(),
                        &filed.commune,
                        &p.handlers,
                        stored.as_ref(),
                    )?;
                    (p.handlers, identity, Vec::new())
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
    let scope = DocScope {
        id: id.to_string(),
        kind,
        unit: filed.unit,
        commune: filed.commune,
        district: None,
        province: filed.province,
        handlers,
    };
    let user = user_scope(device);
    if before.as_ref().is_some_and(|b| !user.may_push(b)) || !user.may_push(&scope) {
        return Err(IngestError::OutOfScope { doc: id.to_string() });
    }
    // The bytes to write, and the size the document will have on the server.
    let (base_chunks, base_size) = stored.as_ref().map(|s| (s.chunk_count, s.size)).unwrap_or((0, 0));
    let (write, size) = if stored.is_none() || base_chunks + 1 >= COMPACT_AFTER {
        let snapshot = doc.save();
        let size = snapshot.len() as i64;
        (Write::Snapshot(snapshot), size)
    } else {
        let chunk = doc.save_incremental();
        let size = base_size + chunk.len() as i64;
        (Write::Chunk(chunk), size)
    };
    if size as usize > limits.max_document_bytes {
        return Err(IngestError::DocumentTooLarge { doc: id.to_string(), limit: limits.max_document_bytes });
    }
    let moved = before
        .as_ref()
        .is_some_and(|b| (&b.unit, &b.commune, &b.handlers) != (&scope.unit, &scope.commune, &scope.handlers));
    let resend = moved.then(|| doc.changes_since(&[]).into_iter().map(|(_, b)| b).collect());
    let heads = heads_text(&doc.heads());
    Ok(Some(Staged {
        id: id.to_string(),
        doc,
        is_new: stored.is_none(),
        base_heads: stored.as_ref().map(|s| s.heads.clone()).unwrap_or_default(),
        base_chunks,
        write,
        heads,
        size,
        new_changes,
        scope,
        before,
        linked,
        attachments,
        report,
        resend,
        identity_update,
    }))
}

/// A denouncer's identity is bound to its petition when it is created, for good: the petition
/// must name it back and lie in the same commune. Its handlers are the petition's. Only its
/// handlers and whoever recorded it may change it.
fn identity_handlers(
    store: &dyn Holdings,
    device: &DeviceAuth,
    id: &str,
    identity: &DenouncerIdentity,
    commune: &str,
    stored: Option<&Stored>,
    batch: &[Staged],
) -> Result<Vec<String>, IngestError> {
    let refused = || IngestError::IdentityBinding { doc: id.to_string() };
    if let Some(s) = stored {
        if s.linked.as_deref() != Some(identity.petition_id.as_str()) {
            return Err(refused());
        }
        let login = &device.user.login;
        if !s.scope.handlers.iter().any(|h| h == login) && s.created_by.as_ref() != Some(login) {
            return Err(IngestError::OutOfScope { doc: id.to_string() });
        }
    }
    let petition = petition_view(store, &identity.petition_id, batch)?.ok_or_else(refused)?;
    if petition.scope.kind != DocumentKind::Petition
        || petition.identity.as_deref() != Some(id)
        || petition.scope.commune != commune
    {
        return Err(refused());
    }
    Ok(petition.scope.handlers)
}

/// A petition names at most one identity, for good once that identity exists; an identity that
/// names another petition is refused. When the petition's handlers change, its identity's follow.
fn petition_identity(
    store: &dyn Holdings,
    id: &str,
    identity: Option<&str>,
    commune: &str,
    handlers: &[String],
    stored: Option<&Stored>,
) -> Result<Option<IdentityUpdate>, IngestError> {
    let refused = || IngestError::IdentityBinding { doc: id.to_string() };
    // Once the identity it named exists and names it back, the petition keeps it.
    if let Some(was) = stored.and_then(|s| s.linked.as_deref()).filter(|w| Some(*w) != identity)
        && store.document_row(was)?.is_some_and(|r| r.linked.as_deref() == Some(id))
    {
        return Err(refused());
    }
    let Some(identity) = identity else { return Ok(None) };
    let Some(row) = store.document_row(identity)? else { return Ok(None) };
    if row.scope.kind != DocumentKind::DenouncerIdentity || row.linked.as_deref() != Some(id) {
        return Err(refused());
    }
    if row.scope.commune != commune {
        return Err(refused());
    }
    if row.scope.handlers == handlers {
        return Ok(None);
    }
    let mut doc = store.document(identity)?.ok_or_else(refused)?;
    Ok(Some(IdentityUpdate {
        id: identity.to_string(),
        heads: row.heads,
        handlers: handlers.to_vec(),
        changes: doc.changes_since(&[]).into_iter().map(|(_, b)| b).collect(),
    }))
}

/// Checks a whole push; nothing is written unless every document passes.
pub fn stage_push(
    store: &dyn Holdings,
    cache: &DocCache,
    pusher: &Pusher<'_>,
    limits: &Limits,
    pushes: &[DocChanges],
) -> Result<Vec<Staged>, IngestError> {
    if pushes.len() > limits.max_push_docs {
        return Err(IngestError::TooMany { found: pushes.len(), limit: limits.max_push_docs });
    }
    let changes: usize = pushes.iter().map(|p| p.changes.len()).sum();
    if changes > limits.max_push_changes {
        return Err(IngestError::TooMany { found: changes, limit: limits.max_push_changes });
    }
    let mut seen = HashSet::with_capacity(pushes.len());
    for p in pushes {
        if !seen.insert(p.doc) {
            return Err(IngestError::Duplicate { doc: protocol::doc_id_string(&p.doc) });
        }
    }
    let mut staged: Vec<Staged> = Vec::new();
    in_link_order(pushes, |p| {
        let id = protocol::doc_id_string(&p.doc);
        if p.changes.iter().any(|c| c.len() > MAX_CHANGE_BYTES) {
            return Err(IngestError::ChangeTooLarge { doc: id });
        }
        let stored = load(store, cache, &id)?;
        let next = guarded(&id, || {
            let (mut doc, stored) = Stored::split(stored);
            doc.apply_encoded_changes(p.changes.iter().map(|c| c.as_slice()))
                .map_err(|_| IngestError::BadChange { doc: id.clone() })?;
            check(store, pusher, limits, &id, stored, doc, &staged)
        })?;
        staged.extend(next);
        Ok(())
    })?;
    Ok(staged)
}

/// Stages the documents of one request in their order, except that one refused for its identity
/// link is tried once more after the rest: a denouncer's identity may come before its petition in
/// the same request (ids are ordered by time and chance), and is checked against the petition as
/// the request leaves it. Nothing is written until all pass, so a second try changes nothing else.
pub fn in_link_order<T>(items: &[T], stage_one: impl FnMut(&T) -> Result<(), IngestError>) -> Result<(), IngestError> {
    in_link_order_leaving(items, stage_one, || false)
}

/// As [`in_link_order`], but where `leave_unbound()` says so on the second try, a document
/// whose identity link still does not hold is left out instead of refusing the request (a
/// repair round, when the document it links to was itself left out).
pub fn in_link_order_leaving<T>(
    items: &[T],
    mut stage_one: impl FnMut(&T) -> Result<(), IngestError>,
    leave_unbound: impl Fn() -> bool,
) -> Result<(), IngestError> {
    let mut deferred = Vec::new();
    for item in items {
        match stage_one(item) {
            Err(IngestError::IdentityBinding { .. }) => deferred.push(item),
            other => other?,
        }
    }
    for item in deferred {
        match stage_one(item) {
            Err(IngestError::IdentityBinding { .. }) if leave_unbound() => continue,
            other => other?,
        }
    }
    Ok(())
}

pub fn heads_text(heads: &[ChangeHash]) -> String {
    heads.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(",")
}

pub fn parse_heads(text: &str) -> Vec<ChangeHash> {
    text.split(',').filter_map(|h| h.parse().ok()).collect()
}

/// Appends changes to the feed, split into entries of at most [`MAX_ENTRY_BYTES`] (or one change).
pub fn append_feed(tx: &Connection, id: &str, device: &str, now: i64, changes: &[Vec<u8>]) -> Result<(), IngestError> {
    let mut start = 0;
    while start < changes.len() {
        let mut end = start;
        let mut size = 0;
        while end < changes.len() && (end == start || size + changes[end].len() <= MAX_ENTRY_BYTES) {
            size += changes[end].len();
            end += 1;
        }
        let list: Vec<ByteBuf> = changes[start..end].iter().cloned().map(ByteBuf::from).collect();
        let blob = postcard::to_stdvec(&list).map_err(|e| IngestError::Storage(e.to_string()))?;
        let tag = getrandom::u64().map_err(|e| IngestError::Storage(e.to_string()))? as i64;
        // Read back, the entry is checked against this before it is served.
        let digest = crate::feed::digest(&blob);
        tx.prepare_cached(
            "INSERT INTO feed (doc_id, device_id, received_at, changes, size, tag, digest)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![id, device, now, blob, blob.len() as i64 + 24, tag, digest])?;
        start = end;
    }
    Ok(())
}

/// The device id feed entries carry when the server re-sends a whole document (to devices that
/// came into its scope): no device is excluded from them.
pub const SERVER_DEVICE: &str = "server";

/// Writes checked documents, their feed entries and receipts, within the caller's transaction,
/// after checking that each is still as its staging read it. Short SQL only: every byte was
/// prepared by the staging.
pub fn commit(
    tx: &Connection,
    device: &DeviceAuth,
    limits: &Limits,
    staged: &[Staged],
    now: i64,
) -> Result<(), IngestError> {
    let mut added: i64 = 0;
    for s in staged {
        let current: Option<(String, i64)> = tx
            .prepare_cached("SELECT heads, chunk_count FROM documents WHERE doc_id = ?1")?
            .query_row([&s.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let as_read = match &current {
            None => s.is_new,
            Some((heads, chunks)) => !s.is_new && heads == &s.base_heads && *chunks == s.base_chunks,
        };
        if !as_read {
            return Err(IngestError::Concurrent { doc: s.id.clone() });
        }
        match (&s.write, s.is_new) {
            (Write::Snapshot(snapshot), true) => {
                tx.prepare_cached(
                    "INSERT INTO documents (doc_id, kind, snapshot, chunk_count) VALUES (?1, ?2, ?3, 0)",
                )?
                .execute(params![s.id, s.scope.kind.code(), snapshot])?;
            }
            (Write::Snapshot(snapshot), false) => {
                tx.prepare_cached("UPDATE documents SET snapshot = ?2, chunk_count = 0 WHERE doc_id = ?1")?
                    .execute(params![s.id, snapshot])?;
                tx.prepare_cached("DELETE FROM document_chunks WHERE doc_id = ?1")?.execute([&s.id])?;
            }
            (Write::Chunk(chunk), _) => {
                if !chunk.is_empty() {
                    tx.prepare_cached("INSERT INTO document_chunks (doc_id, seq, bytes) VALUES (?1, ?2, ?3)")?
                        .execute(params![s.id, s.base_chunks + 1, chunk])?;
                    tx.prepare_cached("UPDATE documents SET chunk_count = ?2 WHERE doc_id = ?1")?
                        .execute(params![s.id, s.base_chunks + 1])?;
                }
            }
        }
        tx.prepare_cached(
            "UPDATE documents SET unit = ?2, commune = ?3, district = ?4, province = ?5, handlers = ?6,
             linked_doc = ?7, heads = ?8, size = ?9 WHERE doc_id = ?1",
        )?
        .execute(params![
            s.id,
            s.scope.unit,
            s.scope.commune,
            s.scope.district,
            s.scope.province,
            s.scope.handlers.join(","),
            s.linked,
            s.heads,
            s.size
        ])?;
        crate::attachments::note_refs(tx, &s.id, &s.attachments)?;
        if let Some(entry) = &s.report {
            crate::report_facts::store(tx, &s.scope, &s.heads, entry)?;
        }
        let bytes: Vec<Vec<u8>> = s.new_changes.iter().map(|(_, b)| b.clone()).collect();
        added += bytes.iter().map(|b| b.len() as i64).sum::<i64>();
        append_feed(tx, &s.id, &device.device_id, now, &bytes)?;
        for (h, _) in &s.new_changes {
            tx.prepare_cached(
                "INSERT INTO change_receipts (change_hash, received_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?
            .execute(params![h.to_string(), now])?;
        }
        if let Some(all) = &s.resend {
            append_feed(tx, &s.id, SERVER_DEVICE, now, all)?;
        }
        if let Some(u) = &s.identity_update {
            let changed = tx
                .prepare_cached("UPDATE documents SET handlers = ?2 WHERE doc_id = ?1 AND heads = ?3")?
                .execute(params![u.id, u.handlers.join(","), u.heads])?;
            if changed == 0 {
                return Err(IngestError::Concurrent { doc: u.id.clone() });
            }
            append_feed(tx, &u.id, SERVER_DEVICE, now, &u.changes)?;
        }
    }
    // What the device adds counts against its quota, checked in the same transaction.
    let quota = limits.device_quota_bytes as i64;
    let within = tx
        .prepare_cached(
            "UPDATE devices SET stored_bytes = stored_bytes + ?2 WHERE device_id = ?1 AND stored_bytes + ?2 <= ?3",
        )?
        .execute(params![device.device_id, added, quota])?;
    if within == 0 && added > 0 {
        return Err(IngestError::QuotaExceeded { limit: limits.device_quota_bytes });
    }
    Ok(())
}

/// After the commit: the documents as written go to the cache.
pub fn remember(cache: &DocCache, staged: Vec<Staged>) {
    for s in staged {
        cache.put(s.id, s.heads, s.doc, s.size as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::{self, FUZZ_DEVICE, FUZZ_USER, Harness};

    fn push_of(id: &str) -> Vec<DocChanges> {
        let changes = fuzzing::deep_nesting(id, FUZZ_USER, FUZZ_DEVICE, 2, false);
        vec![DocChanges {
            doc: protocol::doc_id(id).unwrap(),
            changes: changes.into_iter().map(ByteBuf::from).collect(),
        }]
    }

    /// Issue 11, item 10: a job whose documents were written but whose later step failed is
    /// rolled back; the cache never saw them, so the retry finds the changes new and stores them.
    #[test]
    fn only_committed_documents_reach_the_cache() {
        let h = Harness::new().unwrap();
        let (conn, cache, limits) = (h.conn(), h.cache(), h.limits());
        let id = uuid::Uuid::now_v7().to_string();
        let pusher = Pusher::new(conn, h.device()).unwrap();
        let staged = stage_push(conn, cache, &pusher, limits, &push_of(&id)).unwrap();
        conn.execute_batch("SAVEPOINT job").unwrap();
        commit(conn, h.device(), limits, &staged, 0).unwrap();
        // A later step of the same job fails: its savepoint rolls back, `remember` never runs.
        conn.execute_batch("ROLLBACK TO job; RELEASE job").unwrap();
        drop(staged);
        assert_eq!(cache.bytes(), 0);
        assert!(conn.document_row(&id).unwrap().is_none(), "nothing was kept");
        let again = stage_push(conn, cache, &pusher, limits, &push_of(&id)).unwrap();
        assert_eq!(again.len(), 1, "the retry finds the changes new");
        commit(conn, h.device(), limits, &again, 0).unwrap();
        let heads = again[0].heads.clone();
        remember(cache, again);
        assert!(cache.bytes() > 0);
        assert_eq!(conn.document_row(&id).unwrap().unwrap().heads, heads);
        // A cached copy whose heads are not the database's is never served.
        let mut stale = Document::empty();
        cache.put(id.clone(), "not-the-heads".into(), std::mem::replace(&mut stale, Document::empty()), 10);
        let mut loaded = load(conn, cache, &id).unwrap().unwrap();
        assert_eq!(heads_text(&loaded.doc.heads()), heads, "loaded from the database instead");
    }

    /// A document re-sent whole (it moved) or a large push makes several feed entries, none over
    /// `MAX_ENTRY_BYTES` unless a single change is, so that a page of the feed stays a page.
    #[test]
    fn feed_entries_are_split_to_a_page() {
        let h = Harness::new().unwrap();
        let changes: Vec<Vec<u8>> = (0..40).map(|i| vec![i as u8; 20_000]).chain([vec![9; 300_000]]).collect();
        append_feed(h.conn(), "d", "dev", 0, &changes).unwrap();
        let sizes: Vec<i64> = h
            .conn()
            .prepare("SELECT length(changes) FROM feed ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(sizes.len() >= 5, "{sizes:?}");
        let (last, rest) = sizes.split_last().unwrap();
        assert!(rest.iter().all(|s| *s as usize <= MAX_ENTRY_BYTES + 64), "{sizes:?}");
        assert!(*last as usize >= 300_000, "one change larger than an entry travels alone");
        // Every change is there once, in order.
        let mut all = Vec::new();
        for blob in h
            .conn()
            .prepare("SELECT changes FROM feed ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get::<_, Vec<u8>>(0))
            .unwrap()
        {
            let list: Vec<ByteBuf> = postcard::from_bytes(&blob.unwrap()).unwrap();
            all.extend(list.into_iter().map(|b| b.into_vec()));
        }
        assert_eq!(all, changes);
    }

    /// Two stagings of the same document: the second to commit finds it changed and is refused
    /// (the handler stages it again), so neither overwrites the other.
    #[test]
    fn a_staging_of_a_document_written_meanwhile_is_not_committed() {
        let h = Harness::new().unwrap();
        let (conn, cache, limits) = (h.conn(), h.cache(), h.limits());
        let id = uuid::Uuid::now_v7().to_string();
        let pusher = Pusher::new(conn, h.device()).unwrap();
        let first = stage_push(conn, cache, &pusher, limits, &push_of(&id)).unwrap();
        let second = stage_push(conn, cache, &pusher, limits, &push_of(&id)).unwrap();
        commit(conn, h.device(), limits, &first, 0).unwrap();
        assert!(matches!(commit(conn, h.device(), limits, &second, 0), Err(IngestError::Concurrent { .. })));
    }
}
