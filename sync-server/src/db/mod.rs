//! The server's SQLite database in its data directory.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use sotay_core::store::StoreKey;
use sotay_core::store::migrations::migrate_with;

mod encrypt;
pub mod key;
pub mod serving;
pub mod upkeep;

pub use key::KeySource;

/// The server's numbered migrations.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_dashboard.sql"),
    include_str!("migrations/0003_attachments.sql"),
    include_str!("migrations/0004_hostile_devices.sql"),
    include_str!("migrations/0005_units_2025_07.sql"),
    include_str!("migrations/0006_report_facts.sql"),
    include_str!("migrations/0007_report_lookups.sql"),
    include_str!("migrations/0008_audit_log_and_code_cancelling.sql"),
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
    #[error("không khôi phục được từ {path} / cannot restore from {path}: {reason}")]
    Restore { path: String, reason: String },
    #[error(
        "máy chủ đang chạy trên {0}: dừng nó trước khi khôi phục / the server is running on {0}: stop it before restoring"
    )]
    Serving(String),
    #[error("khóa mã hóa không dùng được ({place}) / unusable encryption key ({place}): {reason}")]
    Key { place: String, reason: String },
    #[error(
        "không có khóa mã hóa {file} cho cơ sở dữ liệu {db}: đặt SOTAY_SERVER_KEY hoặc --key-file / no encryption key {file} for the database {db}: set SOTAY_SERVER_KEY or --key-file"
    )]
    KeyMissing { file: String, db: String },
    #[error("khóa mã hóa không mở được {0} / the encryption key does not open {0}")]
    WrongKey(String),
}

pub fn path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join(FILE_NAME)
}

/// The server's database: its data directory and the key that opens it. Every connection is
/// made here, keyed; nothing else opens the file.
#[derive(Clone)]
pub struct Database {
    dir: PathBuf,
    key: StoreKey,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Database {
    /// The database `serve` works on: the directory is made (0700) if need be.
    pub fn for_serving(data_dir: &Path, source: &KeySource) -> Result<Database, DbError> {
        // The directory holds the database and the code secret: the server's user only.
        crate::private::dir(data_dir).map_err(|e| DbError::Open(format!("{}: {e}", data_dir.display())))?;
        Ok(Database { dir: data_dir.to_path_buf(), key: key::resolve(data_dir, source, true)? })
    }

    /// The database a backup is restored into, on this machine or a new one: the directory is
    /// made if need be, but the key must be the backup's, so none is made.
    pub fn for_restoring(data_dir: &Path, source: &KeySource) -> Result<Database, DbError> {
        crate::private::dir(data_dir).map_err(|e| DbError::Open(format!("{}: {e}", data_dir.display())))?;
        Ok(Database { dir: data_dir.to_path_buf(), key: key::resolve(data_dir, source, false)? })
    }

    /// The database an administration command works on, in a data directory that must exist:
    /// a command run from another folder would otherwise make an empty `./sotay-data` and act
    /// on nobody. A directory made for it (empty) gets a new database, as `serve` would make.
    pub fn existing(data_dir: &Path, source: &KeySource) -> Result<Database, DbError> {
        if !data_dir.is_dir() {
            return Err(DbError::Missing(shown(data_dir)));
        }
        Database::for_serving(data_dir, source)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn file(&self) -> PathBuf {
        path(&self.dir)
    }

    /// Opens (creating if need be) the database, migrated to the latest schema. A database from
    /// before encryption is encrypted first.
    pub fn open(&self) -> Result<Connection, DbError> {
        let file = self.file();
        // The file holds denouncers' and parties' names: made the owner's only before SQLite
        // writes to it (SQLite gives its -wal and -shm files the database file's permissions).
        if !file.exists() {
            crate::private::file(&file, true).map_err(|e| DbError::Open(format!("{}: {e}", file.display())))?;
        }
        make_private(&file);
        if key::file_state(&file).map_err(|e| DbError::Open(e.to_string()))? == key::FileState::Plain {
            encrypt::in_place(&file, &self.key)?;
        }
        let mut conn = self.connect(OpenFlags::default())?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;",
        )?;
        migrate_with(&mut conn, MIGRATIONS)?;
        upkeep::run(&mut conn)?;
        Ok(conn)
    }

    /// A keyed connection to the database file, nothing more (no migration).
    pub fn connect(&self, flags: OpenFlags) -> Result<Connection, DbError> {
        connect_file(&self.file(), &self.key, flags)
    }

    /// Another file of this database's (a backup, a copy), read-only, with this key.
    pub fn open_copy(&self, file: &Path) -> Result<Connection, DbError> {
        connect_file(file, &self.key, OpenFlags::SQLITE_OPEN_READ_ONLY)
    }

    /// A reader for the untrusted pool and the dashboard's pages.
    pub fn reader(&self) -> Result<Connection, DbError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = self.connect(flags)?;
        conn.execute_batch("PRAGMA query_only = ON;")?;
        Ok(conn)
    }

    /// After a clean stop: the write-ahead log moved into the database file and emptied, so
    /// that the file alone holds everything (copying it after SIGTERM had lost what the log
    /// still held).
    pub fn checkpoint_on_stop(&self) -> Result<(), DbError> {
        let conn = self.connect(OpenFlags::default())?;
        let (busy, _, _): (i64, i64, i64) =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        if busy != 0 {
            tracing::warn!("the last checkpoint could not finish: a reader was still open");
        }
        Ok(())
    }

    /// A consistent copy of the database, taken while the server runs (`VACUUM INTO` reads one
    /// snapshot), to a new file readable by its owner only, encrypted with the same key.
    pub fn backup(&self, to: &Path) -> Result<u64, DbError> {
        let failed = |reason: String| DbError::Backup { path: to.display().to_string(), reason };
        if !self.file().is_file() {
            return Err(DbError::Missing(shown(&self.dir)));
        }
        let conn = self.open()?;
        // Created empty and private first: VACUUM INTO writes into an empty file and keeps its mode.
        crate::private::file(to, true).map_err(|e| failed(e.to_string()))?;
        let target =
            to.to_str().ok_or_else(|| failed("tên tệp không phải UTF-8 / the file name is not UTF-8".into()))?;
        if let Err(e) = conn.execute("VACUUM INTO ?1", [target]) {
            let _ = std::fs::remove_file(to);
            return Err(failed(e.to_string()));
        }
        std::fs::metadata(to).map(|m| m.len()).map_err(|e| failed(e.to_string()))
    }

    /// Puts a backup in the database's place, with the server stopped: the copy must open with
    /// this key (or be a plain backup from before encryption, encrypted once in place) and pass
    /// SQLite's integrity check; the database it replaces is kept beside it (linked, never
    /// deleted). Devices notice the rewound feed and repair onto it.
    pub fn restore(&self, from: &Path, now_ms: i64) -> Result<PathBuf, DbError> {
        let failed = |reason: String| DbError::Restore { path: from.display().to_string(), reason };
        let _serving = serving::exclusive(&self.dir).map_err(|e| match e {
            serving::LockError::Held => DbError::Serving(shown(&self.dir)),
            serving::LockError::Io(e) => failed(format!("serving.lock: {e}")),
        })?;
        let file = self.file();
        let aside = self.dir.join(format!("{FILE_NAME}.before-restore-{now_ms}"));
        let incoming = self.dir.join(format!("{FILE_NAME}.restoring"));
        let remove_incoming = || {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", incoming.display()));
            }
        };
        remove_incoming();
        {
            let mut out = crate::private::file(&incoming, true).map_err(|e| failed(e.to_string()))?;
            let mut src = std::fs::File::open(from).map_err(|e| failed(e.to_string()))?;
            std::io::copy(&mut src, &mut out).map_err(|e| failed(e.to_string()))?;
            out.sync_all().map_err(|e| failed(e.to_string()))?;
        }
        // What is checked is the copy that goes in, not the file it came from.
        let checked = check_backup(&incoming, &self.key).map_err(|e| match e {
            DbError::WrongKey(_) => DbError::WrongKey(from.display().to_string()),
            other => other,
        });
        if let Err(e) = checked {
            remove_incoming();
            return Err(match e {
                DbError::Restore { reason, .. } => failed(reason),
                other => other,
            });
        }
        let wal = PathBuf::from(format!("{}-wal", file.display()));
        if file.exists() {
            // The log belongs to the database being set aside: moved into it first where it
            // can be. A database too damaged to open (why one restores) is set aside as it is,
            // its log beside it.
            if let Ok(old) = self.connect_existing() {
                let busy: i64 = old.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).unwrap_or(0);
                if busy != 0 {
                    remove_incoming();
                    return Err(DbError::Serving(shown(&self.dir)));
                }
            }
            // A second name for the old file, then one rename over it: at every moment the
            // database's place holds a whole database, the old one or the restored one.
            std::fs::hard_link(&file, &aside).map_err(|e| failed(e.to_string()))?;
            if wal.exists() {
                std::fs::rename(&wal, format!("{}-wal", aside.display())).map_err(|e| failed(e.to_string()))?;
            }
        }
        let _ = std::fs::remove_file(format!("{}-shm", file.display()));
        std::fs::rename(&incoming, &file).map_err(|e| failed(e.to_string()))?;
        crate::private::sync_name(&file).map_err(|e| failed(e.to_string()))?;
        remove_incoming();
        // Migrated now, should the backup be of an older schema; encrypted, should it be plain.
        drop(self.open()?);
        Ok(aside)
    }

    /// The database as it is on disk, plain (from before encryption) or with this key.
    fn connect_existing(&self) -> Result<Connection, DbError> {
        let file = self.file();
        match key::file_state(&file).map_err(|e| DbError::Restore { path: shown(&file), reason: e.to_string() })? {
            key::FileState::Plain => Ok(Connection::open(&file)?),
            _ => self.connect(OpenFlags::default()),
        }
    }

    /// Moves the write-ahead log into the database file from a connection of its own, every
    /// second, instead of inside whichever request happens to cross SQLite's threshold: a
    /// checkpoint syncs the whole file, and a request waiting on it would wait for everyone's.
    /// Call after `open` with `PRAGMA wal_autocheckpoint = 0` on the serving connection.
    pub fn spawn_checkpointer(&self) -> Result<(), DbError> {
        let conn = self.connect(OpenFlags::default())?;
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
}

/// A keyed connection to any database file of the server's (the database, a backup).
pub fn connect_file(file: &Path, key: &StoreKey, flags: OpenFlags) -> Result<Connection, DbError> {
    let conn = Connection::open_with_flags(file, flags)?;
    // A wrong key is reported as such; SQLCipher's own log line about it would only alarm.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key.pragma())?;
    conn.execute_batch("PRAGMA busy_timeout = 10000;")?;
    // The first read tells whether the key is right: SQLCipher cannot decrypt page 1 otherwise.
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            return Err(DbError::WrongKey(file.display().to_string()));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(conn)
}

/// A backup that can be restored: it opens (with `key`, or plain from before encryption),
/// passes `integrity_check` and has a schema this build knows.
fn check_backup(file: &Path, key: &StoreKey) -> Result<(), DbError> {
    let failed = |reason: String| DbError::Restore { path: file.display().to_string(), reason };
    let backup = match key::file_state(file).map_err(|e| failed(e.to_string()))? {
        key::FileState::Plain => {
            let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            conn.execute_batch("PRAGMA busy_timeout = 10000;")?;
            conn
        }
        _ => connect_file(file, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
    };
    let check: String = backup.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(failed(check));
    }
    let version: i64 = backup.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < 1 || version as usize > MIGRATIONS.len() {
        return Err(failed(format!("schema {version}")));
    }
    Ok(())
}

fn shown(dir: &Path) -> String {
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()).display().to_string()
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
        let db = Database::for_serving(&dir.path().join("data"), &KeySource::default()).unwrap();
        drop(db.open().unwrap());
        let writable = db.connect(OpenFlags::default()).unwrap();
        assert!(heartbeat(&writable, 1).is_ok());
        let read_only = db.connect(OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
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
