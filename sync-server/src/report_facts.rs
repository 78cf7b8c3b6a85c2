//! What each record adds to reports (`sotay_core::report::ReportFacts`), kept in its own table
//! beside the record and written in the transaction that writes the record, so that a report of
//! a province reads small rows, not every document of the province (decision 0022).

use rusqlite::{Connection, OptionalExtension, params};
use sotay_core::document::{Document, Envelope};
use sotay_core::record::{DocumentKind, RecordBody};
use sotay_core::report::{FACTS_VERSION, ReportFacts, ReportRecord};
use sotay_core::store::documents;
use sotay_core::sync::scope::DocScope;
use sotay_core::units::UnitLevel;

/// A record's facts as staged for writing, derived off the database thread.
#[derive(Debug, Clone)]
pub struct Entry {
    pub facts: Vec<u8>,
    pub deleted: bool,
}

impl Entry {
    pub fn of(envelope: &Envelope, body: &RecordBody) -> Entry {
        Entry { facts: ReportFacts::of(body).encode(), deleted: envelope.deleted.is_some() }
    }
}

/// Writes a record's facts as of `heads`, filed where the record is.
pub fn store(tx: &Connection, scope: &DocScope, heads: &str, entry: &Entry) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO report_facts (doc_id, unit, commune, province, deleted, heads, version, facts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (doc_id) DO UPDATE SET unit = ?2, commune = ?3, province = ?4, deleted = ?5, heads = ?6,
             version = ?7, facts = ?8",
    )?
    .execute(params![
        scope.id,
        scope.unit,
        scope.commune,
        scope.province,
        entry.deleted,
        heads,
        FACTS_VERSION,
        entry.facts
    ])?;
    Ok(())
}

/// A record's facts derived from its stored document; none when it cannot be read (a document
/// this version cannot read is left out of figures, as it always was).
fn derive(conn: &Connection, id: &str, kind: DocumentKind) -> rusqlite::Result<Option<(Entry, Vec<String>)>> {
    if kind.record_kind().is_none() {
        return Ok(None);
    }
    let Ok(doc) = documents::load(conn, id) else { return Ok(None) };
    Ok(doc.and_then(|doc| derive_from(doc, kind)))
}

/// A record's facts derived from its document, with the heads they are of; none when the
/// document cannot be read as a record.
pub fn derive_from(mut doc: Document, kind: DocumentKind) -> Option<(Entry, Vec<String>)> {
    let record_kind = kind.record_kind()?;
    let (envelope, body) = doc.contents().ok()?;
    let body = RecordBody::from_stored(record_kind, body).ok()?;
    let heads = doc.heads().iter().map(|h| h.to_string()).collect();
    Some((Entry::of(&envelope, &body), heads))
}

/// A row of kept facts as either backend reads it.
pub struct KeptRow<'a> {
    pub unit: String,
    pub commune: String,
    pub deleted: bool,
    pub heads: &'a str,
    pub version: i64,
    pub facts: &'a [u8],
}

impl KeptRow<'_> {
    /// The record as the report engine reads it; stale when the row was written by another
    /// version of the figures (during a rolling upgrade), whose record is read from its document.
    pub fn record(self, id: String) -> Result<ReportRecord, Stale> {
        let facts = match ReportFacts::decode(self.facts) {
            Ok(facts) if self.version == i64::from(FACTS_VERSION) => facts,
            _ => return Err(Stale { id, unit: self.unit, commune: self.commune }),
        };
        let heads = self.heads.split(',').filter(|h| !h.is_empty()).map(str::to_string).collect();
        Ok(ReportRecord { id, unit: self.unit, commune: self.commune, deleted: self.deleted, facts, heads })
    }
}

/// A record whose kept facts this version cannot use.
pub struct Stale {
    pub id: String,
    unit: String,
    commune: String,
}

impl Stale {
    /// The record from its facts derived again from its document.
    pub fn rederived(self, derived: (Entry, Vec<String>)) -> Option<ReportRecord> {
        let (entry, heads) = derived;
        let facts = ReportFacts::decode(&entry.facts).ok()?;
        Some(ReportRecord { id: self.id, unit: self.unit, commune: self.commune, deleted: entry.deleted, facts, heads })
    }
}

/// Derives the facts every record lacks, or holds of another version of the figures: the
/// records a database held before this table, and after an upgrade that changed the figures.
/// Returns how many were derived.
pub fn derive_missing(conn: &Connection) -> rusqlite::Result<usize> {
    let missing: Vec<(String, String, String, String, Option<String>)> = {
        let mut stmt = conn.prepare(
            "SELECT d.doc_id, d.kind, d.unit, d.commune, d.province FROM documents d
             WHERE NOT EXISTS (SELECT 1 FROM report_facts f WHERE f.doc_id = d.doc_id AND f.version = ?1)",
        )?;
        let rows = stmt.query_map([FACTS_VERSION], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let records: Vec<_> = missing
        .into_iter()
        .filter_map(|(id, kind, unit, commune, province)| {
            let kind = DocumentKind::from_code(&kind).filter(|k| k.record_kind().is_some())?;
            Some((id, kind, unit, commune, province))
        })
        .collect();
    if !records.is_empty() {
        tracing::info!(
            records = records.len(),
            "tính số liệu báo cáo của các hồ sơ đang có / deriving the report figures of the records held"
        );
    }
    let mut derived = 0;
    for (id, kind, unit, commune, province) in records {
        let Some((entry, heads)) = derive(conn, &id, kind)? else { continue };
        let scope = DocScope { id, kind, unit, commune, district: None, province, handlers: Vec::new() };
        store(conn, &scope, &heads.join(","), &entry)?;
        derived += 1;
    }
    Ok(derived)
}

/// The records filed under `unit` (itself, its commune or its province) as the report engine
/// reads them, deleted ones marked so that amendments tell a removal from an edit.
pub fn under(conn: &Connection, unit: &str) -> rusqlite::Result<Vec<ReportRecord>> {
    let province = sotay_core::units::catalogue().get(unit).is_some_and(|u| u.level == UnitLevel::Province);
    // A province's server holds that province's records: its report reads the table straight
    // through, in key order, rather than looking up every row through an index (SQLite, with no
    // statistics, would take the index, and did: a third slower). Below a province, the indexes.
    let mut stmt = conn.prepare_cached(if province {
        "SELECT doc_id, unit, commune, deleted, heads, version, facts FROM report_facts NOT INDEXED
         WHERE province = ?1 OR unit = ?1"
    } else {
        "SELECT doc_id, unit, commune, deleted, heads, version, facts FROM report_facts
         WHERE unit = ?1 OR commune = ?1 OR doc_id = ?1 ORDER BY doc_id"
    })?;
    let mut rows = stmt.query(params![unit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let row = KeptRow {
            unit: r.get(1)?,
            commune: r.get(2)?,
            deleted: r.get(3)?,
            heads: r.get_ref(4)?.as_str().unwrap_or_default(),
            version: r.get(5)?,
            facts: r.get_ref(6)?.as_blob().unwrap_or_default(),
        };
        match row.record(id) {
            Ok(record) => out.push(record),
            Err(stale) => out.extend(redo(conn, &stale.id)?.and_then(|derived| stale.rederived(derived))),
        }
    }
    Ok(out)
}

fn redo(conn: &Connection, id: &str) -> rusqlite::Result<Option<(Entry, Vec<String>)>> {
    let kind: Option<String> =
        conn.query_row("SELECT kind FROM documents WHERE doc_id = ?1", [id], |r| r.get(0)).optional()?;
    match kind.as_deref().and_then(DocumentKind::from_code) {
        Some(kind) => derive(conn, id, kind),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::{FUZZ_COMMUNE, Harness};
    use sotay_core::record::RecordKind;
    use sotay_core::sample::Sampler;

    type Seen = (String, String, bool, ReportFacts, Vec<String>);

    fn seen(conn: &Connection) -> Vec<Seen> {
        under(conn, FUZZ_COMMUNE).unwrap().into_iter().map(|r| (r.id, r.unit, r.deleted, r.facts, r.heads)).collect()
    }

    fn stored_heads(conn: &Connection, id: &str) -> Vec<String> {
        let heads: String =
            conn.query_row("SELECT heads FROM documents WHERE doc_id = ?1", [id], |r| r.get(0)).unwrap();
        heads.split(',').map(str::to_string).collect()
    }

    #[test]
    fn a_record_is_counted_as_it_stands_after_each_write() {
        let h = Harness::new().unwrap();
        let mut s = Sampler::new(5);
        let body = s.body(RecordKind::Mediation);
        let (id, mut doc) = h.push_record(&body).unwrap();
        let found = seen(h.conn());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].3, ReportFacts::of(&body));
        assert_eq!(found[0].4, stored_heads(h.conn(), &id));
        assert!(!found[0].2);

        // Edited into another kind of outcome: the facts follow the edit.
        let before = doc.heads();
        let mut edited = body.clone();
        let sotay_core::record::RecordBody::Mediation(m) = &mut edited else { unreachable!() };
        m.outcome = match m.outcome {
            sotay_core::record::mediation::MediationOutcome::Success => {
                sotay_core::record::mediation::MediationOutcome::Failure
            }
            _ => sotay_core::record::mediation::MediationOutcome::Success,
        };
        doc.update_body(edited.to_value(), &h.writer()).unwrap();
        h.push_document(&id, &mut doc, &before).unwrap();
        let found = seen(h.conn());
        assert_eq!(found[0].3, ReportFacts::of(&edited));
        assert_ne!(found[0].3, ReportFacts::of(&body));
        assert_eq!(found[0].4, stored_heads(h.conn(), &id));

        // Deleted: kept, marked, so that an issued report tells a removal from an edit.
        let before = doc.heads();
        doc.delete("nhập nhầm", &h.writer()).unwrap();
        h.push_document(&id, &mut doc, &before).unwrap();
        assert!(seen(h.conn())[0].2);
    }

    #[test]
    fn facts_missing_or_of_another_version_are_derived_from_the_documents() {
        let h = Harness::new().unwrap();
        let mut s = Sampler::new(11);
        let kinds = [RecordKind::Dialogue, RecordKind::Mediation, RecordKind::VillageMeeting, RecordKind::Model];
        for i in 0..24 {
            let body = s.body(kinds[i % kinds.len()]);
            h.push_record(&body).unwrap();
        }
        let written = seen(h.conn());
        assert_eq!(written.len(), 24);

        // A database from before the table: the records' facts are derived when it opens.
        h.conn().execute("DELETE FROM report_facts", []).unwrap();
        assert!(seen(h.conn()).is_empty());
        assert_eq!(derive_missing(h.conn()).unwrap(), 24);
        assert_eq!(seen(h.conn()), written);
        assert_eq!(derive_missing(h.conn()).unwrap(), 0, "once");

        // Facts another version wrote are not read as this one's: the documents are.
        h.conn().execute("UPDATE report_facts SET version = version + 1, facts = x'00'", []).unwrap();
        assert_eq!(seen(h.conn()), written);
        assert_eq!(derive_missing(h.conn()).unwrap(), 24, "and written again as this version's when it opens");
        assert_eq!(seen(h.conn()), written);
    }
}
