//! Work a migration leaves to the core, done once when a store opens: the SQL of a migration
//! cannot read the unit catalogue.

use rusqlite::Connection;

use super::{Store, profile};
use crate::error::Result;
use crate::units::{Edition, catalogue};

/// Tasks this version knows; a store may list only these.
const UNITS_2025_07: &str = "units-2025-07";

fn pending(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT task FROM upkeep ORDER BY task")?;
    let tasks = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(tasks)
}

/// A new store has nothing to carry forward.
pub(crate) fn forget(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM upkeep", [])?;
    Ok(())
}

/// The unit of 2025-03 a profile named, in force today: its commune's successor, or the province
/// a district or divided commune became part of. A village's id stays as it is.
pub fn unit_in_force(former: &str) -> Option<String> {
    let placed = catalogue().place(Edition::E2025_03, former)?;
    placed.commune.or(placed.province)
}

impl Store {
    /// Runs what migrations left pending, each task in its own transaction.
    pub(crate) fn upkeep(&mut self) -> Result<()> {
        for task in pending(&self.conn)? {
            if task == UNITS_2025_07 {
                if let Some(unit) = unit_in_force(&self.profile.unit) {
                    self.profile.unit = unit;
                    profile::save(&self.conn, &self.profile)?;
                }
                self.rebuild_index()?;
            }
            self.conn.execute("DELETE FROM upkeep WHERE task = ?1", [&task])?;
        }
        Ok(())
    }
}
