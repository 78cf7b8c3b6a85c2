//! A database written before encryption is encrypted once, in place: exported into a new
//! encrypted file beside it (SQLCipher's `sqlcipher_export`), which then takes its name. A stop
//! part-way leaves the plain file as it was, and the next start does it again.

use std::path::Path;

use rusqlite::Connection;
use sotay_core::store::StoreKey;

use super::DbError;

pub fn in_place(file: &Path, key: &StoreKey) -> Result<(), DbError> {
    let failed = |e: &dyn std::fmt::Display| DbError::Open(format!("{}: {e}", file.display()));
    let encrypted = file.with_extension("db.encrypting");
    let _ = std::fs::remove_file(&encrypted);
    crate::private::file(&encrypted, true).map_err(|e| failed(&e))?;
    let conn = Connection::open(file)?;
    conn.execute_batch("PRAGMA busy_timeout = 10000;")?;
    // What the log holds goes in first: the export reads the database as a whole.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let target = encrypted.to_str().ok_or_else(|| failed(&"the file name is not UTF-8"))?;
    conn.execute(&format!("ATTACH DATABASE ?1 AS encrypted KEY {}", key.sql_literal()), [target])?;
    conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    // The export copies schema and rows, not the schema version the migrations read.
    conn.execute_batch(&format!("PRAGMA encrypted.user_version = {version}; DETACH DATABASE encrypted;"))?;
    drop(conn);
    std::fs::File::open(&encrypted).and_then(|f| f.sync_all()).map_err(|e| failed(&e))?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    std::fs::rename(&encrypted, file).map_err(|e| failed(&e))?;
    crate::private::sync_name(file).map_err(|e| failed(&e))?;
    tracing::warn!(file = %file.display(), "the database was stored unencrypted; it is encrypted now");
    Ok(())
}
