//! The server's SQLite database in its data directory.

use std::path::Path;

use rusqlite::Connection;
use sotay_core::store::migrations::migrate_with;

pub mod upkeep;

/// The server's numbered migrations.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_dashboard.sql"),
    include_str!("migrations/0003_attachments.sql"),
    include_str!("migrations/0004_hostile_devices.sql"),
    include_str!("migrations/0005_units_2025_07.sql"),
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
    #[error(
        "không có thư mục dữ liệu {0}: chạy `sotay-server serve` trước, hoặc chỉ thư mục dữ liệu bằng --data hay SOTAY_DATA / no data directory {0}: run `sotay-server serve` first, or name the data directory with --data or SOTAY_DATA"
    )]
    Missing(String),
    #[error("không tạo được bản sao lưu {path} / cannot write the backup {path}: {reason}")]
    Backup { path: String, reason: String },
}

pub fn path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join(FILE_NAME)
}

/// Opens (creating if need be) the database in `data_dir`, migrated to the latest schema.
pub fn open(data_dir: &Path) -> Result<Connection, DbError> {
    // The directory holds the database and the code secret: the server's user only.
    crate::private::dir(data_dir).map_err(|e| DbError::Open(format!("{}: {e}", data_dir.display())))?;
    let file = data_dir.join(FILE_NAME);
    // The file holds denouncers' and parties' names: made the owner's only before SQLite writes
    // to it (SQLite gives its -wal and -shm files the database file's permissions).
    if !file.exists() {
        crate::private::file(&file, true).map_err(|e| DbError::Open(format!("{}: {e}", file.display())))?;
    }
    make_private(&file);
    let mut conn = Connection::open(&file)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;",
    )?;
    migrate_with(&mut conn, MIGRATIONS)?;
    upkeep::run(&mut conn)?;
    Ok(conn)
}

/// Opens the database an administration command works on, in a data directory that must exist:
/// a command run from another folder would otherwise make an empty `./sotay-data` and act on
/// nobody. A directory made for it (empty) gets a new database, as `serve` would make.
pub fn open_existing(data_dir: &Path) -> Result<Connection, DbError> {
    if !data_dir.is_dir() {
        let shown = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
        return Err(DbError::Missing(shown.display().to_string()));
    }
    open(data_dir)
}

/// The database file and its journal files, the owner's only (for files made by earlier
/// versions, 0644).
fn make_private(file: &Path) {
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let f = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
        if f.exists()
            && let Err(e) = std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600))
        {
            tracing::warn!(file = %f.display(), error = %e, "cannot make the file private");
        }
    }
}

/// After a clean stop: the write-ahead log moved into the database file and emptied, so that the
/// file alone holds everything (copying it after SIGTERM had lost what the log still held).
pub fn checkpoint_on_stop(data_dir: &Path) -> Result<(), DbError> {
    let conn = Connection::open(path(data_dir))?;
    conn.execute_batch("PRAGMA busy_timeout = 10000;")?;
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    if busy != 0 {
        tracing::warn!("the last checkpoint could not finish: a reader was still open");
    }
    Ok(())
}

/// A consistent copy of the database, taken while the server runs (`VACUUM INTO` reads one
/// snapshot), to a new file readable by its owner only.
pub fn backup(data_dir: &Path, to: &Path) -> Result<u64, DbError> {
    let failed = |reason: String| DbError::Backup { path: to.display().to_string(), reason };
    if !path(data_dir).is_file() {
        let shown = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
        return Err(DbError::Missing(shown.display().to_string()));
    }
    // Created empty and private first: VACUUM INTO writes into an empty file and keeps its mode.
    crate::private::file(to, true).map_err(|e| failed(e.to_string()))?;
    let conn = open_existing(data_dir)?;
    let target = to.to_str().ok_or_else(|| failed("tên tệp không phải UTF-8 / the file name is not UTF-8".into()))?;
    if let Err(e) = conn.execute("VACUUM INTO ?1", [target]) {
        let _ = std::fs::remove_file(to);
        return Err(failed(e.to_string()));
    }
    std::fs::metadata(to).map(|m| m.len()).map_err(|e| failed(e.to_string()))
}

/// Readiness: a small write the caller commits. Fails when the database cannot be written.
pub fn heartbeat(conn: &Connection, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO heartbeat (id, at) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET at = ?1")?
        .execute([now])?;
    Ok(())
}

/// A migrated database in memory, for tests and the fuzz harness.
pub fn open_memory() -> Result<Connection, DbError> {
    let mut conn = Connection::open_in_memory()?;
    migrate_with(&mut conn, MIGRATIONS)?;
    upkeep::run(&mut conn)?;
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
/// and loading it again for every sync would apply them all again. Shared by the pool's threads.
/// A document is put here only once the transaction that wrote it has committed, with the heads
/// it was written at; it is taken out for a request only if those are still the heads the
/// database holds, so the cache never serves what the database does not have. Bounded by the
/// stored size of what it holds (a loaded document takes several times its stored size).
pub struct DocCache {
    inner: std::sync::Mutex<CacheInner>,
    budget: usize,
}

struct CacheInner {
    docs: lru::LruCache<String, Cached>,
    bytes: usize,
}

struct Cached {
    heads: String,
    doc: sotay_core::document::Document,
    cost: usize,
}

impl DocCache {
    /// A cache of documents whose stored sizes add up to at most `budget` bytes.
    pub fn new(budget: usize) -> DocCache {
        DocCache { inner: std::sync::Mutex::new(CacheInner { docs: lru::LruCache::unbounded(), bytes: 0 }), budget }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        // A thread that panicked while holding it left it consistent or merely stale (every entry
        // is checked against the database's heads), so a poisoned lock is taken as it is.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the document out if the cache has it at `heads` (the database's).
    pub fn take(&self, id: &str, heads: &str) -> Option<sotay_core::document::Document> {
        let mut inner = self.lock();
        let cached = inner.docs.pop(id)?;
        inner.bytes -= cached.cost;
        (cached.heads == heads).then_some(cached.doc)
    }

    /// Keeps a document as committed at `heads`, if it fits.
    pub fn put(&self, id: String, heads: String, doc: sotay_core::document::Document, cost: usize) {
        if cost > self.budget / 8 {
            return;
        }
        let mut inner = self.lock();
        if let Some(old) = inner.docs.put(id, Cached { heads, doc, cost }) {
            inner.bytes -= old.cost;
        }
        inner.bytes += cost;
        while inner.bytes > self.budget {
            match inner.docs.pop_lru() {
                Some((_, evicted)) => inner.bytes -= evicted.cost,
                None => break,
            }
        }
    }

    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.docs.clear();
        inner.bytes = 0;
    }

    /// Stored bytes of what is held now.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_holds_at_most_its_budget_and_drops_the_least_recently_used() {
        let cache = DocCache::new(8_000);
        for i in 0..10 {
            cache.put(format!("d{i}"), "h".into(), sotay_core::document::Document::empty(), 900);
        }
        assert!(cache.bytes() <= 8_000, "{}", cache.bytes());
        assert!(cache.take("d0", "h").is_none(), "the oldest went first");
        assert!(cache.take("d9", "h").is_some());
        // A document too large for an eighth of the budget is not kept at all.
        cache.put("big".into(), "h".into(), sotay_core::document::Document::empty(), 1_001);
        assert!(cache.take("big", "h").is_none());
    }

    #[test]
    fn readiness_fails_when_the_database_cannot_be_written() {
        let dir = tempfile::tempdir().unwrap();
        drop(open(dir.path()).unwrap());
        let writable = Connection::open(path(dir.path())).unwrap();
        assert!(heartbeat(&writable, 1).is_ok());
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
        let read_only = Connection::open_with_flags(path(dir.path()), flags).unwrap();
        assert!(heartbeat(&read_only, 2).is_err());
        // Through the worker, as /healthz asks: the job's answer is the failure.
        let worker = crate::worker::DbWorker::start(read_only).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        worker
            .submit(Box::new(move |conn| {
                let result = heartbeat(conn, 3);
                let keep = result.is_ok();
                (keep, Box::new(move |committed| tx.send(result.is_ok() && committed.is_ok()).unwrap()))
            }))
            .unwrap();
        assert!(!rx.recv().unwrap(), "not ready");
    }
}
