//! The server's SQLite database in its data directory.

use std::path::Path;

use rusqlite::Connection;
use sotay_core::store::migrations::migrate_with;

/// The server's numbered migrations.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_dashboard.sql"),
    include_str!("migrations/0003_attachments.sql"),
];

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

/// Moves the write-ahead log into the database file from a connection of its own, every second,
/// instead of inside whichever request happens to cross SQLite's threshold: a checkpoint syncs the
/// whole file, and a request waiting on it would wait for everyone's. Call after `open` with
/// `PRAGMA wal_autocheckpoint = 0` on the serving connection.
pub fn spawn_checkpointer(data_dir: &Path) -> Result<(), DbError> {
    let conn = Connection::open(data_dir.join(FILE_NAME))?;
    conn.execute_batch("PRAGMA busy_timeout = 10000;")?;
    std::thread::Builder::new()
        .name("wal-checkpoint".into())
        .spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
                // PASSIVE never blocks the writer; what it cannot copy now waits for the next round.
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "checkpoint failed");
                }
            }
        })
        .map_err(|e| DbError::Open(e.to_string()))?;
    Ok(())
}

/// Recently used documents, kept loaded: a document edited often has many incremental chunks,
/// and loading it again for every sync would apply them all again. A document is taken out while
/// a request works on it and put back once written, in the request's transaction; the worker
/// clears the cache if that transaction then fails to commit, so the cache never holds changes
/// the database does not.
pub struct DocCache(lru::LruCache<String, sotay_core::document::Document>);

impl DocCache {
    pub fn new(capacity: usize) -> DocCache {
        DocCache(lru::LruCache::new(std::num::NonZeroUsize::new(capacity).unwrap_or(std::num::NonZeroUsize::MIN)))
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn take(&mut self, id: &str) -> Option<sotay_core::document::Document> {
        self.0.pop(id)
    }

    pub fn put(&mut self, id: String, doc: sotay_core::document::Document) {
        self.0.put(id, doc);
    }
}
