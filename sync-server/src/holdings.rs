//! What the server holds, as the checks of a push read it: its copy of each document with the
//! scope it is filed under, the villages' communes, and each user's devices. The checks
//! ([`crate::ingest`], [`crate::repair`]) read through this trait only, so that they run the same
//! over the embedded SQLite database and over PostgreSQL ([`crate::postgres::holdings`]); what
//! they read is checked again when the staging is committed, so a read may be slightly old.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension};
use sotay_core::document::Document;
use sotay_core::record::DocumentKind;
use sotay_core::sync::scope::DocScope;

use crate::ingest::IngestError;

/// A document's row: where it is filed and what the database holds of it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub scope: DocScope,
    pub heads: String,
    pub chunk_count: i64,
    pub size: i64,
    /// The petition of a denouncer identity, or the identity of a petition.
    pub linked: Option<String>,
}

pub trait Holdings {
    /// The row of document `id`, if the server holds it.
    fn document_row(&self, id: &str) -> Result<Option<DocumentRow>, IngestError>;
    /// The document itself, loaded from its snapshot and chunks; one that does not load is
    /// [`IngestError::Damaged`]. Automerge may panic on damaged bytes: call it guarded.
    fn document(&self, id: &str) -> Result<Option<Document>, IngestError>;
    /// The commune of the village document `village`, if the server holds it.
    fn village_commune(&self, village: &str) -> Result<Option<String>, IngestError>;
    /// The ids a change of this user may carry: the user's devices, and the ids they wrote under
    /// before they enrolled.
    fn user_devices(&self, login: &str) -> Result<HashSet<String>, IngestError>;
    /// Ids after `after`, in order, of the documents filed under `unit` (its own, its
    /// commune's, its district's or province's): those the scope function is then asked about.
    /// Documents set aside as damaged are left out.
    fn filed_under(&self, unit: &str, after: &str) -> Result<Vec<String>, IngestError>;
}

/// Handlers are kept as one comma-separated text on both backends.
pub fn parse_handlers(text: &str) -> Vec<String> {
    text.split(',').filter(|h| !h.is_empty()).map(str::to_string).collect()
}

/// A kind code read back from the database. The column is only ever written from a
/// [`DocumentKind`]; an unknown code is read as the most restricted kind rather than trusted.
pub fn stored_kind(code: &str) -> DocumentKind {
    DocumentKind::from_code(code).unwrap_or(DocumentKind::DenouncerIdentity)
}

const ROW_SQL: &str = "SELECT kind, unit, commune, district, province, handlers, heads, chunk_count, size, linked_doc
                       FROM documents WHERE doc_id = ?1";

impl Holdings for Connection {
    fn document_row(&self, id: &str) -> Result<Option<DocumentRow>, IngestError> {
        Ok(self
            .prepare_cached(ROW_SQL)?
            .query_row([id], |r| {
                let kind: String = r.get(0)?;
                let handlers: String = r.get(5)?;
                Ok(DocumentRow {
                    scope: DocScope {
                        id: id.to_string(),
                        kind: stored_kind(&kind),
                        unit: r.get(1)?,
                        commune: r.get(2)?,
                        district: r.get(3)?,
                        province: r.get(4)?,
                        handlers: parse_handlers(&handlers),
                    },
                    heads: r.get(6)?,
                    chunk_count: r.get(7)?,
                    size: r.get(8)?,
                    linked: r.get(9)?,
                })
            })
            .optional()?)
    }

    fn document(&self, id: &str) -> Result<Option<Document>, IngestError> {
        Ok(sotay_core::store::documents::load(self, id)?)
    }

    fn village_commune(&self, village: &str) -> Result<Option<String>, IngestError> {
        Ok(self
            .prepare_cached("SELECT commune FROM documents WHERE doc_id = ?1 AND kind = 'village'")?
            .query_row([village], |r| r.get(0))
            .optional()?)
    }

    fn user_devices(&self, login: &str) -> Result<HashSet<String>, IngestError> {
        let mut stmt = self.prepare_cached("SELECT device_id, former_id FROM devices WHERE login = ?1")?;
        let rows = stmt.query_map([login], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?;
        let mut out = HashSet::new();
        for row in rows {
            let (id, former) = row?;
            out.insert(id);
            out.extend(former);
        }
        Ok(out)
    }

    fn filed_under(&self, unit: &str, after: &str) -> Result<Vec<String>, IngestError> {
        let mut stmt = self.prepare_cached(
            "SELECT doc_id FROM documents
             WHERE (unit = ?1 OR commune = ?1 OR district = ?1 OR province = ?1 OR doc_id = ?1)
               AND doc_id > ?2
               AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.what = 'document' AND q.ref = doc_id)
             ORDER BY doc_id",
        )?;
        Ok(stmt.query_map(rusqlite::params![unit, after], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?)
    }
}
