//! What a push's checks read ([`crate::holdings::Holdings`]), from PostgreSQL.

use std::cell::RefCell;
use std::collections::HashSet;

use postgres::Client;
use sotay_core::document::Document;
use sotay_core::sync::scope::DocScope;

use crate::holdings::{DocumentRow, Holdings, parse_handlers, stored_kind};
use crate::ingest::IngestError;

/// A connection read by the checks of one staging at a time. The checks read through `&self`
/// (SQLite's connection is used that way); the client needs `&mut`, which the cell gives, one
/// query at a time: no read is made while another is borrowed.
pub struct PgHoldings<'a> {
    client: RefCell<&'a mut Client>,
}

impl<'a> PgHoldings<'a> {
    pub fn new(client: &'a mut Client) -> PgHoldings<'a> {
        PgHoldings { client: RefCell::new(client) }
    }

    /// The client, for one query (see the cell above): for other reads of this backend made
    /// through the same connection ([`super::dashboard`]).
    pub(super) fn client(&self) -> std::cell::RefMut<'_, &'a mut Client> {
        self.client.borrow_mut()
    }
}

impl From<postgres::Error> for IngestError {
    fn from(e: postgres::Error) -> Self {
        IngestError::Storage(e.to_string())
    }
}

impl Holdings for PgHoldings<'_> {
    fn document_row(&self, id: &str) -> Result<Option<DocumentRow>, IngestError> {
        let row = self.client.borrow_mut().query_opt(
            "SELECT kind, unit, commune, district, province, handlers, heads, chunk_count, size, linked_doc
             FROM documents WHERE doc_id = $1",
            &[&id],
        )?;
        Ok(row.map(|r| DocumentRow {
            scope: DocScope {
                id: id.to_string(),
                kind: stored_kind(r.get(0)),
                unit: r.get(1),
                commune: r.get(2),
                district: r.get(3),
                province: r.get(4),
                handlers: parse_handlers(r.get(5)),
            },
            heads: r.get(6),
            chunk_count: r.get(7),
            size: r.get(8),
            linked: r.get(9),
        }))
    }

    fn document(&self, id: &str) -> Result<Option<Document>, IngestError> {
        match load_document(&mut self.client.borrow_mut(), id)? {
            Some(Ok(doc)) => Ok(Some(doc)),
            Some(Err(Damaged)) => Err(IngestError::Damaged { doc: id.to_string() }),
            None => Ok(None),
        }
    }

    fn village_commune(&self, village: &str) -> Result<Option<String>, IngestError> {
        let row = self
            .client
            .borrow_mut()
            .query_opt("SELECT commune FROM documents WHERE doc_id = $1 AND kind = 'village'", &[&village])?;
        Ok(row.map(|r| r.get(0)))
    }

    fn user_devices(&self, login: &str) -> Result<HashSet<String>, IngestError> {
        let rows =
            self.client.borrow_mut().query("SELECT device_id, former_id FROM devices WHERE login = $1", &[&login])?;
        let mut out = HashSet::new();
        for r in rows {
            out.insert(r.get::<_, String>(0));
            out.extend(r.get::<_, Option<String>>(1));
        }
        Ok(out)
    }

    fn filed_under(&self, unit: &str, after: &str) -> Result<Vec<String>, IngestError> {
        let rows = self.client.borrow_mut().query(
            "SELECT doc_id FROM documents
             WHERE (unit = $1 OR commune = $1 OR district = $1 OR province = $1 OR doc_id = $1) AND doc_id > $2
             ORDER BY doc_id",
            &[&unit, &after],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}

/// A stored document that does not load.
pub struct Damaged;

/// The document `id` as stored (its snapshot and the chunks after it); none when it is not held.
pub fn load_document(client: &mut Client, id: &str) -> Result<Option<Result<Document, Damaged>>, postgres::Error> {
    // One statement, so that the snapshot and its chunks are of one committed state.
    let rows = client.query(
        "SELECT d.snapshot, c.bytes FROM documents d
         LEFT JOIN document_chunks c ON c.doc_id = d.doc_id
         WHERE d.doc_id = $1 ORDER BY c.seq",
        &[&id],
    )?;
    let Some(first) = rows.first() else { return Ok(None) };
    let snapshot: &[u8] = first.get(0);
    let chunks: Vec<&[u8]> = rows.iter().filter_map(|r| r.get::<_, Option<&[u8]>>(1)).collect();
    Ok(Some(Document::load(snapshot, chunks).map_err(|_| Damaged)))
}
