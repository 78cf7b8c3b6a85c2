//! Villages of a commune, added by its people; each is a document and syncs like a record.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{
    Store, documents, index,
    records::{check_id, damaged},
};
use crate::document::{Document, NewDocument};
use crate::error::{CoreError, FieldError, Problem, Result};
use crate::record::{DocumentKind, Village, input::nfc_value};
use crate::text::fold;
use crate::units::{UnitLevel, catalogue};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageRow {
    pub id: String,
    pub commune: String,
    pub name: String,
    pub village_type: String,
    pub households: Option<u32>,
    pub deleted: bool,
}

pub(crate) fn commune_of(conn: &Connection, village_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT commune FROM villages WHERE village_id = ?1 AND deleted = 0")?
        .query_row([village_id], |r| r.get(0))
        .optional()?)
}

fn canonical(village: Village) -> Result<Village> {
    let v: Village =
        serde_json::from_value(nfc_value(serde_json::to_value(village).unwrap_or_default())).unwrap_or_default();
    v.validate().map_err(CoreError::invalid)?;
    Ok(v)
}

impl Store {
    /// Adds a village to a commune; returns its id.
    pub fn add_village(&mut self, commune: &str, village: Village) -> Result<String> {
        match catalogue().get(commune) {
            Some(u) if u.level == UnitLevel::Commune => {}
            _ => {
                return Err(CoreError::field(FieldError::new("commune", Problem::UnknownUnit)));
            }
        }
        let village = canonical(village)?;
        let folded = fold(&village.name);
        let duplicate: Option<String> = self
            .conn
            .query_row(
                "SELECT village_id FROM villages WHERE commune = ?1 AND folded_name = ?2 AND deleted = 0",
                params![commune, folded],
                |r| r.get(0),
            )
            .optional()?;
        if duplicate.is_some() {
            return Err(CoreError::field(FieldError::inconsistent(
                "name",
                "xã đã có thôn trùng tên",
                "the commune already has a village of that name",
            )));
        }
        let id = uuid::Uuid::now_v7().to_string();
        let writer = self.writer();
        let mut doc = Document::create(
            NewDocument {
                id: &id,
                kind: DocumentKind::Village,
                unit: commune,
                commune,
                body: serde_json::to_value(&village).unwrap_or_default(),
            },
            &writer,
        )
        .map_err(damaged(&id))?;
        let tx = self.conn.transaction()?;
        documents::insert(&tx, &id, DocumentKind::Village.code(), &mut doc)?;
        index::reindex(&tx, &mut doc)?;
        tx.commit()?;
        self.observers.notify(std::slice::from_ref(&id));
        Ok(id)
    }

    /// Renames a village or updates its type and household count.
    pub fn update_village(&mut self, id: &str, village: Village) -> Result<()> {
        check_id(id)?;
        let village = canonical(village)?;
        let mut doc = documents::load(&self.conn, id)?.ok_or_else(|| CoreError::NotFound { id: id.to_string() })?;
        if doc.envelope().ok().and_then(|e| e.document_kind()) != Some(DocumentKind::Village) {
            return Err(CoreError::NotFound { id: id.to_string() });
        }
        let writer = self.writer();
        let changed =
            doc.update_body(serde_json::to_value(&village).unwrap_or_default(), &writer).map_err(damaged(id))?;
        if changed.is_some() {
            let tx = self.conn.transaction()?;
            documents::save_changes(&tx, id, &mut doc)?;
            index::reindex(&tx, &mut doc)?;
            tx.commit()?;
            self.observers.notify(&[id.to_string()]);
        }
        Ok(())
    }

    /// Villages, of one commune or all, by name.
    pub fn villages(&self, commune: Option<&str>) -> Result<Vec<VillageRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT village_id, commune, name, village_type, households, deleted FROM villages
             WHERE (?1 IS NULL OR commune = ?1) ORDER BY commune, folded_name",
        )?;
        let rows = stmt
            .query_map([commune], |r| {
                Ok(VillageRow {
                    id: r.get(0)?,
                    commune: r.get(1)?,
                    name: r.get(2)?,
                    village_type: r.get(3)?,
                    households: r.get(4)?,
                    deleted: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
