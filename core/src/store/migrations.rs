//! Numbered schema migrations, each applied in its own transaction, the version kept in
//! `PRAGMA user_version` (after mozilla/application-services `open_database.rs`).

use rusqlite::Connection;

use crate::error::{CoreError, Result};

/// Migration `n` (1-based) takes the schema from version `n - 1` to `n`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_sync.sql"),
    include_str!("migrations/0003_attachments.sql"),
    include_str!("migrations/0004_units_2025_07.sql"),
    include_str!("migrations/0005_awaiting_authors.sql"),
];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

pub fn version(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema up to date; refuses a store written by a newer version rather than
/// guessing at it.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_with(conn, MIGRATIONS)
}

/// Brings any database up to date with its own numbered migrations (the server's schema too).
pub fn migrate_with(conn: &mut Connection, migrations: &[&str]) -> Result<()> {
    let found = version(conn)?;
    let latest = migrations.len() as u32;
    if found > latest {
        return Err(CoreError::NewerSchema { found, supported: latest });
    }
    apply_with(conn, migrations, found, latest)
}

/// Applies this store's migrations `from + 1 ..= to`.
#[cfg(test)]
pub(crate) fn apply(conn: &mut Connection, from: u32, to: u32) -> Result<()> {
    apply_with(conn, MIGRATIONS, from, to)
}

/// Applies migrations `from + 1 ..= to`, each in its own transaction.
fn apply_with(conn: &mut Connection, migrations: &[&str], from: u32, to: u32) -> Result<()> {
    for (i, sql) in migrations.iter().enumerate().take(to as usize).skip(from as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(())
}
