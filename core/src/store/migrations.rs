//! Numbered schema migrations, each applied in its own transaction, the version kept in
//! `PRAGMA user_version` (after mozilla/application-services `open_database.rs`).

use rusqlite::Connection;

use crate::error::{CoreError, Result};

/// Migration `n` (1-based) takes the schema from version `n - 1` to `n`.
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_initial.sql")];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

pub fn version(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema up to date; refuses a store written by a newer version rather than
/// guessing at it.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(CoreError::NewerSchema {
            found,
            supported: LATEST,
        });
    }
    apply(conn, found, LATEST)
}

/// Applies migrations `from + 1 ..= to`, each in its own transaction.
pub(crate) fn apply(conn: &mut Connection, from: u32, to: u32) -> Result<()> {
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(to as usize)
        .skip(from as usize)
    {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(())
}
