//! Reports over this store's records: what a phone computes offline for its own unit.

use rusqlite::params;

use super::{Store, documents, villages};
use crate::error::{CoreError, FieldError, Problem, Result};
use crate::record::RecordKind;
use crate::report::{Convention, Period, Report, ReportRecord, UnitRef, catalogue_children};
use crate::units::{UnitLevel, catalogue};

impl Store {
    /// The live records of `unit` and of everything within it, as the report engine reads them.
    pub fn report_records(&self, unit: &str) -> Result<Vec<ReportRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT record_id, kind, unit, commune FROM record_index
             WHERE deleted = 0 AND (unit = ?1 OR commune = ?1 OR district = ?1 OR province = ?1)
             ORDER BY record_id",
        )?;
        let rows = stmt
            .query_map(params![unit], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<std::result::Result<Vec<(String, String, String, String)>, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, kind, unit, commune) in rows {
            let Some(kind) = RecordKind::from_code(&kind) else { continue };
            let Some(mut doc) = documents::load(&self.conn, &id)? else { continue };
            let body = Self::body_of(&doc, &id, kind)?;
            let heads = doc.heads().iter().map(|h| h.to_string()).collect();
            out.push(ReportRecord::of_body(id, unit, commune, false, heads, &body));
        }
        Ok(out)
    }

    /// A unit as reports name it, and the units its roll-up table lists: the districts of a
    /// province, the communes of a district, the villages of a commune.
    pub fn report_unit(&self, code: &str) -> Result<(UnitRef, Vec<UnitRef>)> {
        if let Some(u) = catalogue().get(code) {
            let children = if u.level == UnitLevel::Commune {
                self.villages(Some(code))?
                    .into_iter()
                    .filter(|v| !v.deleted)
                    .map(|v| UnitRef { code: v.id, name: v.name })
                    .collect()
            } else {
                catalogue_children(code)
            };
            return Ok((UnitRef { code: u.code.clone(), name: u.name.clone() }, children));
        }
        if villages::commune_of(&self.conn, code)?.is_some() {
            let name = self.villages(None)?.into_iter().find(|v| v.id == code).map(|v| v.name).unwrap_or_default();
            return Ok((UnitRef { code: code.to_string(), name }, Vec::new()));
        }
        Err(CoreError::field(FieldError::new("unit", Problem::UnknownUnit)))
    }

    /// The report of `unit` for `period`, from the records this store holds.
    pub fn report(&self, unit: &str, period: Period, convention: Convention) -> Result<Report> {
        let (unit, children) = self.report_unit(unit)?;
        let records = self.report_records(&unit.code)?;
        Ok(Report::build(&records, unit, children, period, convention))
    }
}
