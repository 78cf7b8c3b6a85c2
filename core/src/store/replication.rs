//! Exchanging changes between replicas of the same documents: what the sync engine builds on,
//! and what the merge tests drive directly.

use automerge::ChangeHash;

use super::{Store, documents, index, records::check_id};
use crate::document::Document;
use crate::error::{CoreError, Result};
use crate::record::DocumentKind;

impl Store {
    /// Ids of every document this store holds (records, villages, identities), sorted.
    pub fn document_ids(&self) -> Result<Vec<String>> {
        Ok(documents::all_ids(&self.conn)?.into_iter().map(|(id, _)| id).collect())
    }

    /// The current heads of a document, or none if the store does not hold it.
    pub fn heads(&self, id: &str) -> Result<Vec<ChangeHash>> {
        check_id(id)?;
        Ok(match documents::load(&self.conn, id)? {
            Some(mut doc) => doc.heads(),
            None => Vec::new(),
        })
    }

    /// The changes of a document after `heads` (all of them when `heads` is empty).
    pub fn changes_after(&self, id: &str, heads: &[ChangeHash]) -> Result<Vec<u8>> {
        check_id(id)?;
        let mut doc = documents::load(&self.conn, id)?.ok_or_else(|| CoreError::NotFound { id: id.to_string() })?;
        Ok(doc.changes_after(heads))
    }

    /// Applies changes of document `id` received from another replica, and re-derives its index.
    /// Changes already held are ignored, so applying the same bytes twice changes nothing.
    /// Bytes that do not make a valid document with this id are refused and nothing is stored.
    pub fn apply_changes(&mut self, id: &str, bytes: &[u8]) -> Result<()> {
        check_id(id)?;
        let damaged = |detail: String| CoreError::DamagedDocument { id: id.to_string(), detail };
        let existing = documents::load(&self.conn, id)?;
        let is_new = existing.is_none();
        let mut doc = match existing {
            Some(doc) => doc,
            None => Document::empty(),
        };
        let before = doc.heads();
        doc.merge_bytes(bytes).map_err(|e| damaged(e.to_string()))?;
        if !doc.missing_dependencies().is_empty() {
            return Err(damaged("changes arrived without the changes they depend on".into()));
        }
        if doc.heads() == before {
            return Ok(());
        }
        let env = doc.envelope().map_err(|e| damaged(e.to_string()))?;
        if env.id != id {
            return Err(damaged("the document's id differs from the id it was sent under".into()));
        }
        let kind = env.document_kind().map(DocumentKind::code).unwrap_or(env.kind.as_str()).to_string();
        let tx = self.conn.transaction()?;
        if is_new {
            documents::insert(&tx, id, &kind, &mut doc)?;
        } else {
            documents::save_changes(&tx, id, &mut doc)?;
        }
        index::reindex(&tx, &mut doc)?;
        tx.commit()?;
        self.observers.notify(&[id.to_string()]);
        Ok(())
    }
}
