//! The server's SQLite database in its data directory.

use std::path::Path;

use rusqlite::Connection;
use sotay_core::store::migrations::migrate_with;

/// The server's numbered migrations.
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_initial.sql")];

pub const FILE_NAME: &str = "sotay-server.db";

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("không mở được cơ sở dữ liệu máy chủ / cannot open the server database: {0}")]
    Open(String),
    #[error(transparent)]
    Core(#[from] sotay_core::CoreError),
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// Opens (creating if need be) the database in `data_dir`, migrated to the latest schema.
pub fn open(data_dir: &Path) -> Result<Connection, DbError> {
    std::fs::create_dir_all(data_dir).map_err(|e| DbError::Open(format!("{}: {e}", data_dir.display())))?;
    let mut conn = Connection::open(data_dir.join(FILE_NAME))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;",
    )?;
    migrate_with(&mut conn, MIGRATIONS)?;
    Ok(conn)
}
