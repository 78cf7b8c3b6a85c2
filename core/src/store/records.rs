//! Records: create, edit, read, delete, history, conflicts.

use serde::Serialize;
use serde_json::Value;

use super::{Store, documents, index};
use crate::document::{Conflict, Document, Envelope, HistoryEntry, NewDocument};
use crate::error::{CoreError, FieldError, Problem, Result};
use crate::record::input::{Assignment, apply_assignments, nfc_value};
use crate::record::petition::{DenouncerIdentity, PetitionSubject, PetitionType};
use crate::record::{Author, Deadline, DocumentKind, Flag, Outcome, RecordBody, RecordKind, Tombstone};
use crate::time::{CivilDate, Millis};

/// A deadline as of today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineView {
    #[serde(flatten)]
    pub deadline: Deadline,
    pub overdue: bool,
}

/// A record as a person sees it: content, and what the law and the merge say about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordView {
    pub id: String,
    pub kind: RecordKind,
    pub unit: String,
    pub commune: String,
    pub created_by: Author,
    pub created_at: Millis,
    pub deleted: Option<Tombstone>,
    #[serde(serialize_with = "serialize_body")]
    pub body: RecordBody,
    /// A denunciation's denouncer, when this device holds the identity document.
    pub denouncer: Option<PetitionSubject>,
    pub deadlines: Vec<DeadlineView>,
    pub flags: Vec<Flag>,
    /// What its parts come to, in words (a village meeting's items).
    pub outcomes: Vec<Outcome>,
    pub conflicts: Vec<Conflict>,
    pub heads: Vec<String>,
}

fn serialize_body<S: serde::Serializer>(body: &RecordBody, s: S) -> Result<S::Ok, S::Error> {
    body.to_value().serialize(s)
}

fn not_found(id: &str) -> CoreError {
    CoreError::NotFound { id: id.to_string() }
}

/// A record id must be a UUID: anything else is refused before it reaches SQL or a log.
pub(crate) fn check_id(id: &str) -> Result<()> {
    match uuid::Uuid::try_parse(id) {
        Ok(_) => Ok(()),
        Err(_) => Err(CoreError::field(FieldError::new(
            "id",
            Problem::InvalidValue { expected: "a record id (UUID)".into() },
        ))),
    }
}

/// Turns a document's failure into the error of the record it belongs to.
pub(crate) fn damaged(id: &str) -> impl Fn(crate::document::DocumentError) -> CoreError + '_ {
    move |e| CoreError::DamagedDocument { id: id.to_string(), detail: e.to_string() }
}

/// Writes a denouncer's identity into its own document, creating the document if need be.
fn put_identity(
    tx: &rusqlite::Connection,
    writer: &crate::document::Writer,
    identity_id: &str,
    identity: &DenouncerIdentity,
    unit: &str,
    commune: &str,
) -> Result<()> {
    let body = serde_json::to_value(identity).unwrap_or_default();
    match documents::load(tx, identity_id)? {
        Some(mut doc) => {
            doc.update_body(body, writer).map_err(damaged(identity_id))?;
            documents::save_changes(tx, identity_id, &mut doc)
        }
        None => {
            let new = NewDocument { id: identity_id, kind: DocumentKind::DenouncerIdentity, unit, commune, body };
            let mut doc = Document::create(new, writer).map_err(damaged(identity_id))?;
            documents::insert(tx, identity_id, DocumentKind::DenouncerIdentity.code(), &mut doc)
        }
    }
}

/// Puts a body into canonical form: ids for list items, NFC text.
fn canonical(mut body: RecordBody) -> RecordBody {
    body.normalise();
    let kind = body.kind();
    let value = nfc_value(body.to_value());
    RecordBody::from_stored(kind, value).unwrap_or_else(|_| RecordBody::empty(kind))
}

impl Store {
    fn load_document(&self, id: &str) -> Result<(Document, Envelope)> {
        check_id(id)?;
        let doc = documents::load(&self.conn, id)?.ok_or_else(|| not_found(id))?;
        let env = doc.envelope().map_err(damaged(id))?;
        Ok((doc, env))
    }

    /// The body of a record document, as this version reads it.
    pub(crate) fn body_of(doc: &Document, id: &str, kind: RecordKind) -> Result<RecordBody> {
        RecordBody::from_stored(kind, doc.body()).map_err(|errors| CoreError::DamagedDocument {
            id: id.to_string(),
            detail: crate::error::FieldErrors(errors).to_string(),
        })
    }

    fn load_record(&self, id: &str) -> Result<(Document, Envelope, RecordKind)> {
        let (doc, env) = self.load_document(id)?;
        let kind = env.document_kind().and_then(|k| k.record_kind()).ok_or_else(|| not_found(id))?;
        Ok((doc, env, kind))
    }

    /// Creates a record of `body`'s kind in `unit`; returns its id.
    pub fn create_record(&mut self, unit: &str, body: RecordBody) -> Result<String> {
        let commune = self.unit_commune(unit)?;
        let mut body = canonical(body);
        let id = uuid::Uuid::now_v7().to_string();
        let identity = self.split_denouncer(&id, &mut body, None);
        body.validate(None).map_err(CoreError::invalid)?;
        let writer = self.writer();
        let kind = body.kind();
        let mut doc = Document::create(
            NewDocument { id: &id, kind: kind.into(), unit, commune: &commune, body: body.to_value() },
            &writer,
        )
        .map_err(damaged(&id))?;
        let tx = self.conn.transaction()?;
        if let Some((identity_id, denouncer)) = identity {
            put_identity(&tx, &writer, &identity_id, &denouncer, unit, &commune)?;
        }
        documents::insert(&tx, &id, kind.code(), &mut doc)?;
        index::reindex(&tx, &mut doc)?;
        tx.commit()?;
        self.observers.notify(std::slice::from_ref(&id));
        Ok(id)
    }

    /// For a denunciation, moves the denouncer's identity out of the body into a document of its
    /// own: returns that document's id and content if a new one must be created.
    fn split_denouncer(
        &mut self,
        petition_id: &str,
        body: &mut RecordBody,
        existing: Option<&str>,
    ) -> Option<(String, DenouncerIdentity)> {
        let RecordBody::Petition(p) = body else {
            return None;
        };
        if p.petition_type != PetitionType::Denunciation || p.petitioner.is_empty() {
            return None;
        }
        let denouncer = std::mem::take(&mut p.petitioner);
        let identity_id = match existing.filter(|e| !e.is_empty()) {
            Some(e) => e.to_string(),
            None => uuid::Uuid::now_v7().to_string(),
        };
        p.identity_ref = identity_id.clone();
        Some((identity_id, DenouncerIdentity { petition_id: petition_id.to_string(), denouncer }))
    }

    /// Replaces a record's content with `body`, writing only the fields that differ.
    pub fn update_record(&mut self, id: &str, body: RecordBody) -> Result<()> {
        let (mut doc, env, kind) = self.load_record(id)?;
        if env.deleted.is_some() {
            return Err(CoreError::Deleted { id: id.to_string() });
        }
        let before = Self::body_of(&doc, id, kind)?;
        let mut body = canonical(body);
        if body.kind() != kind {
            return Err(CoreError::field(FieldError::inconsistent(
                "kind",
                "không thể đổi loại hồ sơ",
                "a record's kind cannot change",
            )));
        }
        // Validation sees the petitioner as typed, so a denunciation with one is accepted and split.
        let existing_ref = match &before {
            RecordBody::Petition(p) => Some(p.identity_ref.clone()),
            _ => None,
        };
        let identity = self.split_denouncer(id, &mut body, existing_ref.as_deref());
        body.validate(Some(&before)).map_err(CoreError::invalid)?;
        let writer = self.writer();
        let changed = doc.update_body(body.to_value(), &writer).map_err(damaged(id))?;
        let tx = self.conn.transaction()?;
        if let Some((identity_id, denouncer)) = identity {
            put_identity(&tx, &writer, &identity_id, &denouncer, &env.unit, &env.commune)?;
        }
        if changed.is_some() {
            documents::save_changes(&tx, id, &mut doc)?;
            index::reindex(&tx, &mut doc)?;
        }
        tx.commit()?;
        self.observers.notify(&[id.to_string()]);
        Ok(())
    }

    /// Applies `field=value` assignments to a record.
    pub fn edit_record(&mut self, id: &str, assignments: &[Assignment]) -> Result<()> {
        let (doc, _, kind) = self.load_record(id)?;
        let before = Self::body_of(&doc, id, kind)?;
        let after = apply_assignments(&before, assignments).map_err(CoreError::invalid)?;
        self.update_record(id, after)
    }

    /// Marks a record deleted, with the reason; the document stays (a tombstone).
    pub fn delete_record(&mut self, id: &str, reason: &str) -> Result<()> {
        let reason = crate::text::nfc(reason.trim());
        if reason.is_empty() {
            return Err(CoreError::field(FieldError::required("reason")));
        }
        let (mut doc, env, _) = self.load_record(id)?;
        if env.deleted.is_some() {
            return Err(CoreError::Deleted { id: id.to_string() });
        }
        let writer = self.writer();
        doc.delete(&reason, &writer).map_err(damaged(id))?;
        let tx = self.conn.transaction()?;
        documents::save_changes(&tx, id, &mut doc)?;
        index::reindex(&tx, &mut doc)?;
        tx.commit()?;
        self.observers.notify(&[id.to_string()]);
        Ok(())
    }

    /// A record with its deadlines as of today, flags and conflicts.
    pub fn record(&self, id: &str) -> Result<RecordView> {
        let (mut doc, env, kind) = self.load_record(id)?;
        let body = Self::body_of(&doc, id, kind)?;
        let today = self.clock.today();
        let denouncer = match &body {
            RecordBody::Petition(p) if !p.identity_ref.is_empty() && check_id(&p.identity_ref).is_ok() => {
                documents::load(&self.conn, &p.identity_ref)?
                    .and_then(|d| serde_json::from_value::<DenouncerIdentity>(d.body()).ok())
                    .map(|i| i.denouncer)
            }
            _ => None,
        };
        Ok(RecordView {
            id: env.id,
            kind,
            unit: env.unit,
            commune: env.commune,
            created_by: env.created_by,
            created_at: env.created_at,
            deleted: env.deleted,
            deadlines: body
                .deadlines()
                .into_iter()
                .map(|deadline| DeadlineView { overdue: deadline.overdue(today), deadline })
                .collect(),
            flags: body.flags(),
            outcomes: body.outcomes(),
            conflicts: doc.conflicts(RecordBody::significant_fields(kind)),
            heads: doc.heads().iter().map(|h| h.to_string()).collect(),
            denouncer,
            body,
        })
    }

    /// Who changed which field, from what, to what, and when.
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        let (mut doc, _, _) = self.load_record(id)?;
        doc.history_with(|change| self.receipt(change))
    }

    /// Settles a conflict on a significant field with the chosen value.
    pub fn resolve_conflict(&mut self, id: &str, path: &str, value: Value) -> Result<()> {
        let (mut doc, env, kind) = self.load_record(id)?;
        if env.deleted.is_some() {
            return Err(CoreError::Deleted { id: id.to_string() });
        }
        if !doc.conflicts(RecordBody::significant_fields(kind)).iter().any(|c| c.path == path) {
            return Err(CoreError::NoSuchConflict { id: id.to_string(), path: path.to_string() });
        }
        let before = Self::body_of(&doc, id, kind)?;
        let typed = crate::record::input::typed_value(&before, path, value).map_err(CoreError::invalid)?;
        let writer = self.writer();
        doc.resolve(path, &typed, &writer).map_err(damaged(id))?;
        let tx = self.conn.transaction()?;
        documents::save_changes(&tx, id, &mut doc)?;
        index::reindex(&tx, &mut doc)?;
        tx.commit()?;
        self.observers.notify(&[id.to_string()]);
        Ok(())
    }

    /// Records that have conflicts, with them.
    pub fn conflicts(&self) -> Result<Vec<(String, RecordKind, Vec<Conflict>)>> {
        let ids: Vec<String> = {
            let mut stmt =
                self.conn.prepare("SELECT record_id FROM record_index WHERE conflicts > 0 ORDER BY record_id")?;
            stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?
        };
        let mut out = Vec::new();
        for id in ids {
            let (doc, _, kind) = self.load_record(&id)?;
            out.push((id, kind, doc.conflicts(RecordBody::significant_fields(kind))));
        }
        Ok(out)
    }

    /// Today in Vietnam, by this store's clock.
    pub fn today(&self) -> CivilDate {
        self.clock.today()
    }
}
