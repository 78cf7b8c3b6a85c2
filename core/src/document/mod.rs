//! One record (or village, or denouncer identity) as one automerge document.
//!
//! Layout of every document:
//! `{ id, kind, schema, unit, commune, created_by: {user, device}, created_at, deleted, body: {...} }`
//! where `body` is the kind's content as serde writes it. Each change carries its author
//! (`{"user","device"}` as the change message) and the device's clock as its time.

pub mod conflicts;
pub mod history;
pub mod tree;

use automerge::transaction::CommitOptions;
use automerge::{ActorId, AutoCommit, ChangeHash, ReadDoc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::record::{Author, DocumentKind, SCHEMA_VERSION, Tombstone};
use crate::time::Millis;

pub use conflicts::{Conflict, ConflictValue};
pub use history::{FieldChange, HistoryEntry};

/// Why a document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("the document has no valid envelope (missing or wrong {0})")]
    Envelope(&'static str),
    #[error("a change or sync message is not valid automerge")]
    BadChange,
    #[error("objects nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// How deep objects may nest in a document, the root's fields being at depth 1. The record
/// schemas need 5 (`body.agenda.0.rounds.0`); the margin is for fields a newer app version adds.
/// Reading a document (automerge's hydrate, serde) recurses once per level, so a crafted change
/// nesting maps hundreds deep would overflow a thread's stack: changes are checked before any
/// such read.
pub const MAX_DEPTH: usize = 12;

/// The part every document carries, whatever its kind.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Envelope {
    pub id: String,
    /// The kind's code; a kind this version does not know stays as written.
    pub kind: String,
    pub schema: u64,
    pub unit: String,
    #[serde(default)]
    pub commune: String,
    #[serde(default)]
    pub created_by: Author,
    #[serde(default)]
    pub created_at: Millis,
    #[serde(default)]
    pub deleted: Option<Tombstone>,
    /// The edition of the unit list `unit` and `commune` are codes of; absent in documents
    /// written before editions were recorded, which name units of 2025-03.
    #[serde(default)]
    pub unit_edition: Option<String>,
}

impl Envelope {
    pub fn document_kind(&self) -> Option<DocumentKind> {
        DocumentKind::from_code(&self.kind)
    }

    /// The edition its units are read in; None for one a newer version wrote.
    pub fn edition(&self) -> Option<crate::units::Edition> {
        crate::units::Edition::of_stored(self.unit_edition.as_deref())
    }

    /// Where the document is filed among the units in force (see `Catalogue::file`).
    pub fn filing(&self) -> Option<crate::units::Filing> {
        crate::units::catalogue().file(self.edition()?, &self.unit, &self.commune)
    }
}

/// What a new document starts with.
pub struct NewDocument<'a> {
    pub id: &'a str,
    pub kind: DocumentKind,
    pub unit: &'a str,
    pub commune: &'a str,
    pub body: Value,
}

/// Who writes, from which session, and when by the device's clock.
#[derive(Debug, Clone)]
pub struct Writer {
    pub author: Author,
    /// A fresh actor per session: a device restored from a backup must never reuse an
    /// (actor, sequence number) pair it had already sent.
    pub actor: ActorId,
    pub now: Millis,
}

impl Writer {
    fn commit_options(&self) -> CommitOptions {
        let message = json!({"user": self.author.user, "device": self.author.device}).to_string();
        CommitOptions::default().with_message(message).with_time(self.now)
    }
}

/// Reads the author a change message names; unknown for messages this app did not write.
pub fn author_of(message: Option<&str>) -> Author {
    message.and_then(|m| serde_json::from_str(m).ok()).unwrap_or_default()
}

pub struct Document {
    doc: AutoCommit,
}

impl Document {
    pub fn create(new: NewDocument<'_>, writer: &Writer) -> Result<Document, DocumentError> {
        Document::create_in(new, writer, Some(crate::units::Edition::CURRENT))
    }

    /// A new document naming units of `edition`; None writes what versions before editions wrote
    /// (no edition: units of 2025-03), as a device not yet updated still does.
    pub fn create_in(
        new: NewDocument<'_>,
        writer: &Writer,
        edition: Option<crate::units::Edition>,
    ) -> Result<Document, DocumentError> {
        let mut doc = AutoCommit::new().with_actor(writer.actor.clone());
        let mut root = json!({
            "id": new.id,
            "kind": new.kind.code(),
            "schema": SCHEMA_VERSION,
            "unit": new.unit,
            "commune": new.commune,
            "created_by": writer.author,
            "created_at": writer.now,
            "deleted": null,
            "body": new.body,
        });
        if let (Some(e), Value::Object(map)) = (edition, &mut root) {
            map.insert("unit_edition".into(), e.code().into());
        }
        if let Value::Object(root) = &root {
            tree::write_map(&mut doc, &automerge::ROOT, &Map::new(), root)?;
        }
        doc.commit_with(writer.commit_options());
        Ok(Document { doc })
    }

    /// A document with no changes yet, to receive another replica's.
    pub fn empty() -> Document {
        Document { doc: AutoCommit::new() }
    }

    /// Hashes of changes that received changes depend on but that have not arrived.
    pub fn missing_dependencies(&mut self) -> Vec<ChangeHash> {
        self.doc.get_missing_deps(&[])
    }

    /// Loads a document from its saved snapshot and any incremental chunks saved after it.
    pub fn load<'a>(snapshot: &[u8], chunks: impl IntoIterator<Item = &'a [u8]>) -> Result<Document, DocumentError> {
        let mut doc = AutoCommit::load(snapshot)?;
        for chunk in chunks {
            doc.load_incremental(chunk)?;
        }
        // Loading is not a change; what was loaded is what was saved.
        doc.update_diff_cursor();
        let _ = doc.save_incremental();
        Ok(Document { doc })
    }

    /// Prepares to write as `actor`.
    pub fn set_actor(&mut self, actor: &ActorId) {
        if self.doc.get_actor() != actor {
            self.doc.set_actor(actor.clone());
        }
    }

    /// The envelope and the body, read in one pass.
    pub fn contents(&self) -> Result<(Envelope, Value), DocumentError> {
        let mut root = tree::read(&self.doc, &automerge::ROOT, None);
        let body = match &mut root {
            Value::Object(m) => m.remove("body").unwrap_or_else(|| Value::Object(Map::new())),
            _ => Value::Object(Map::new()),
        };
        let envelope = serde_json::from_value(root).map_err(|_| DocumentError::Envelope("id, kind, schema or unit"))?;
        Ok((envelope, body))
    }

    pub fn envelope(&self) -> Result<Envelope, DocumentError> {
        self.contents().map(|(e, _)| e)
    }

    pub fn body(&self) -> Value {
        match self.doc.get(automerge::ROOT, "body") {
            Ok(Some((automerge::Value::Object(_), id))) => tree::read(&self.doc, &id, None),
            _ => Value::Object(Map::new()),
        }
    }

    /// Replaces fields of the root (body, unit, deleted, ...) with `patch`'s, writing only
    /// what differs. Returns the new change, or `None` when nothing differed.
    pub fn update(&mut self, patch: &Map<String, Value>, writer: &Writer) -> Result<Option<ChangeHash>, DocumentError> {
        self.set_actor(&writer.actor);
        let old = tree::read(&self.doc, &automerge::ROOT, None);
        let old = old.as_object().cloned().unwrap_or_default();
        tree::write_map(&mut self.doc, &automerge::ROOT, &old, patch)?;
        Ok(self.doc.commit_with(writer.commit_options()))
    }

    pub fn update_body(&mut self, body: Value, writer: &Writer) -> Result<Option<ChangeHash>, DocumentError> {
        let mut patch = Map::new();
        patch.insert("body".into(), body);
        self.update(&patch, writer)
    }

    pub fn delete(&mut self, reason: &str, writer: &Writer) -> Result<Option<ChangeHash>, DocumentError> {
        let tomb = Tombstone { reason: reason.to_string(), by: writer.author.clone(), at: writer.now };
        let mut patch = Map::new();
        patch.insert("deleted".into(), serde_json::to_value(tomb).unwrap_or_default());
        self.update(&patch, writer)
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The changes made or received since the last save or load.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        self.doc.save_incremental()
    }

    /// The changes after `heads`, in automerge's binary format.
    pub fn changes_after(&mut self, heads: &[ChangeHash]) -> Vec<u8> {
        self.doc.save_after(heads)
    }

    /// Applies changes from another replica (any mix of saved documents and changes).
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<usize, DocumentError> {
        Ok(self.doc.load_incremental(bytes)?)
    }

    /// The changes after `heads`, each as automerge encodes a single change, with its hash.
    pub fn changes_since(&mut self, heads: &[ChangeHash]) -> Vec<(ChangeHash, Vec<u8>)> {
        self.doc.get_changes(heads).into_iter().map(|mut c| (c.hash(), c.bytes().into_owned())).collect()
    }

    /// Applies changes received one by one; returns their hashes. Changes already held are
    /// ignored by automerge, so applying the same ones twice changes nothing.
    pub fn apply_encoded_changes<'a>(
        &mut self,
        changes: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Vec<ChangeHash>, DocumentError> {
        let changes = changes
            .into_iter()
            .map(|b| automerge::Change::try_from(b).map_err(|_| DocumentError::BadChange))
            .collect::<Result<Vec<_>, _>>()?;
        let hashes = changes.iter().map(|c| c.hash()).collect();
        self.doc.apply_changes(changes)?;
        Ok(hashes)
    }

    /// The heads the document would have with only `base` and `extra` applied: what a peer
    /// that had `base` has after receiving `extra`.
    pub fn heads_with(&mut self, base: &[ChangeHash], extra: &[ChangeHash]) -> Option<Vec<ChangeHash>> {
        let mut fork = self.doc.fork_at(base).ok()?;
        let changes: Vec<_> = extra.iter().filter_map(|h| self.doc.get_change_by_hash(h)).collect();
        fork.apply_changes(changes).ok()?;
        fork.get_missing_deps(&[]).is_empty().then(|| fork.get_heads())
    }

    /// Checks that no object the changes with these hashes create lies deeper than
    /// [`MAX_DEPTH`], walking each new object's ancestors (iteratively, at most `MAX_DEPTH + 1`
    /// steps). Covers objects that later changes hid, which reading the document at an older
    /// point of its history would still reach.
    pub fn check_depth(&mut self, hashes: &[ChangeHash]) -> Result<(), DocumentError> {
        for hash in hashes {
            let Some(change) = self.doc.get_change_by_hash(hash) else { continue };
            let expanded = change.decode();
            for (i, op) in expanded.operations.iter().enumerate() {
                if !matches!(op.action, automerge::legacy::OpType::Make(_)) {
                    continue;
                }
                let id = format!("{}@{}", expanded.start_op.get().saturating_add(i as u64), expanded.actor_id);
                let obj = self.doc.import_obj(&id).map_err(|_| DocumentError::BadChange)?;
                let depth = self.doc.parents(&obj)?.take(MAX_DEPTH + 1).count();
                if depth > MAX_DEPTH {
                    return Err(DocumentError::TooDeep);
                }
            }
        }
        Ok(())
    }

    /// The author written in the change with this hash.
    pub fn change_author(&mut self, hash: &ChangeHash) -> Option<Author> {
        self.doc.get_change_by_hash(hash).map(|c| author_of(c.message()))
    }

    /// The next automerge sync message for a peer whose state is `state`, if any is needed.
    pub fn sync_message(&mut self, state: &mut automerge::sync::State) -> Option<Vec<u8>> {
        use automerge::sync::SyncDoc;
        self.doc.sync().generate_sync_message(state).map(|m| m.encode())
    }

    /// Receives a peer's automerge sync message (which may carry changes).
    pub fn receive_sync_message(
        &mut self,
        state: &mut automerge::sync::State,
        message: &[u8],
    ) -> Result<(), DocumentError> {
        use automerge::sync::SyncDoc;
        let message = automerge::sync::Message::decode(message).map_err(|_| DocumentError::BadChange)?;
        self.doc.sync().receive_sync_message(state, message)?;
        Ok(())
    }

    pub(crate) fn automerge(&self) -> &AutoCommit {
        &self.doc
    }

    pub(crate) fn automerge_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }
}

#[cfg(all(test, feature = "sample"))]
mod tests {
    use super::*;
    use crate::record::RecordKind;
    use crate::sample::Sampler;

    /// How deep objects nest in a JSON tree, the root's fields at depth 1 (as `MAX_DEPTH` counts).
    fn depth(v: &Value) -> usize {
        match v {
            Value::Object(m) => m.values().map(|c| 1 + depth(c)).max().unwrap_or(0),
            Value::Array(l) => l.iter().map(|c| 1 + depth(c)).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// The records as the app writes them nest 5 deep at most (`body.agenda.0.rounds.0`, say),
    /// well within `MAX_DEPTH`, and pass the depth check the server applies.
    #[test]
    fn records_nest_well_within_the_depth_limit() {
        let mut sampler = Sampler::new(3);
        let writer =
            Writer { author: Author { user: "u".into(), device: "d".into() }, actor: ActorId::random(), now: 0 };
        let mut deepest = 0;
        for &kind in RecordKind::ALL {
            for _ in 0..40 {
                let body = sampler.body(kind).to_value();
                let new = NewDocument { id: "x", kind: kind.into(), unit: "02266", commune: "02266", body };
                let mut doc = Document::create(new, &writer).unwrap();
                let hashes: Vec<_> = doc.changes_since(&[]).into_iter().map(|(h, _)| h).collect();
                doc.check_depth(&hashes).unwrap();
                deepest = deepest.max(depth(&tree::read(doc.automerge(), &automerge::ROOT, None)) - 1);
            }
        }
        assert_eq!(deepest, 5, "the deepest record field");
        assert!(deepest * 2 <= MAX_DEPTH);
    }

    /// An edit after a report names the fields it changed, not their values; heads the document
    /// does not hold give nothing rather than a wrong answer.
    #[test]
    fn the_fields_changed_since_a_version() {
        let writer =
            Writer { author: Author { user: "u".into(), device: "d".into() }, actor: ActorId::random(), now: 0 };
        let body = serde_json::json!({"title": "Tranh chấp lối đi chung", "outcome": "in_progress", "sessions": [{"id": "s1", "held_on": "2026-08-01"}]});
        let new = NewDocument { id: "x", kind: RecordKind::Mediation.into(), unit: "02266", commune: "02266", body };
        let mut doc = Document::create(new, &writer).unwrap();
        let issued = doc.heads();
        assert_eq!(doc.fields_changed_since(&issued), Some(Vec::new()));
        let patch = serde_json::json!({"body": {"title": "Tranh chấp lối đi chung", "outcome": "success", "sessions": [{"id": "s1", "held_on": "2026-08-02"}]}});
        doc.update(patch.as_object().unwrap(), &writer).unwrap();
        doc.delete("nhập trùng", &writer).unwrap();
        assert_eq!(
            doc.fields_changed_since(&issued),
            Some(vec!["deleted".to_string(), "outcome".into(), "sessions.0.held_on".into()])
        );
        let unknown: ChangeHash = "00".repeat(32).parse().unwrap();
        assert_eq!(doc.fields_changed_since(&[unknown]), None);
    }
}
