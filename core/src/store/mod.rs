//! The device store: documents and their derived index in one SQLite (SQLCipher) file.
//!
//! Every user-visible save is one transaction, committed with `synchronous = FULL` in WAL mode:
//! when a call returns, the save survives a crash or a power cut.

pub mod attachments;
pub mod documents;
pub(crate) mod index;
mod key;
pub mod migrations;
mod observers;
pub(crate) mod profile;
mod query;
pub(crate) mod records;
mod replication;
mod reports;
pub mod upkeep;
mod villages;

use std::path::Path;
use std::sync::Arc;

use automerge::ActorId;
use rusqlite::{Connection, OpenFlags};

use crate::document::Writer;
use crate::error::{CoreError, FieldError, Problem, Result};
use crate::record::Author;
use crate::time::Clock;
use crate::units::{UnitLevel, catalogue};

pub use index::IndexRow;
pub use key::StoreKey;
pub use migrations::LATEST as SCHEMA_VERSION;
pub use observers::{ChangeObserver, Observers};
pub use profile::{Profile, Role};
pub use query::{RecordFilter, RecordSummary};
pub use records::{DeadlineView, RecordView};
pub use villages::VillageRow;

/// What `Store::create` needs to know about the user.
#[derive(Debug, Clone)]
pub struct NewProfile {
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    pub unit: String,
}

pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) profile: Profile,
    /// This session's automerge actor (see `Writer::actor`).
    pub(crate) actor: ActorId,
    pub(crate) observers: Arc<Observers>,
}

fn open_connection(path: &Path, key: &StoreKey, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    // A wrong key is reported as `CoreError::WrongKey`; SQLCipher's own log line about it on
    // stderr would only alarm a user.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key.pragma())?;
    // The first read tells whether the key is right: SQLCipher cannot decrypt page 1 otherwise.
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            return Err(CoreError::WrongKey);
        }
        Err(e) => return Err(e.into()),
    }
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;",
    )?;
    Ok(conn)
}

impl Store {
    /// Creates a new store at `path` for the given user, on this device.
    pub fn create(path: &Path, key: &StoreKey, new: NewProfile, clock: Arc<dyn Clock>) -> Result<Store> {
        if path.exists() {
            return Err(CoreError::StoreExists { path: path.display().to_string() });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let mut conn = open_connection(path, key, flags)?;
        migrations::migrate(&mut conn)?;
        upkeep::forget(&conn)?;
        let profile = Profile {
            user_id: crate::text::nfc(new.user_id.trim()),
            display_name: crate::text::nfc(new.display_name.trim()),
            role: new.role,
            unit: new.unit.trim().to_string(),
            device_id: uuid::Uuid::now_v7().to_string(),
            created_at: clock.now(),
        };
        let mut errors = Vec::new();
        if profile.user_id.is_empty() {
            errors.push(FieldError::required("user"));
        }
        // A village's id is a UUID; its document arrives with the first sync.
        if catalogue().get(&profile.unit).is_none() && uuid::Uuid::try_parse(&profile.unit).is_err() {
            errors.push(FieldError::new("unit", Problem::UnknownUnit));
        }
        if !errors.is_empty() {
            drop(conn);
            // Nothing of a refused store is left behind.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            return Err(CoreError::invalid(errors));
        }
        profile::save(&conn, &profile)?;
        Ok(Store { conn, clock, profile, actor: ActorId::random(), observers: Arc::default() })
    }

    /// Opens an existing store.
    pub fn open(path: &Path, key: &StoreKey, clock: Arc<dyn Clock>) -> Result<Store> {
        if !path.exists() {
            return Err(CoreError::StoreMissing { path: path.display().to_string() });
        }
        let mut conn = open_connection(path, key, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        migrations::migrate(&mut conn)?;
        let profile = profile::load(&conn)?.ok_or(CoreError::StoreMissing { path: path.display().to_string() })?;
        let mut store = Store { conn, clock, profile, actor: ActorId::random(), observers: Arc::default() };
        store.upkeep()?;
        Ok(store)
    }

    /// Where to subscribe to changes of this store's documents.
    pub fn observers(&self) -> Arc<Observers> {
        self.observers.clone()
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Who writes now.
    pub(crate) fn writer(&self) -> Writer {
        Writer {
            author: Author { user: self.profile.user_id.clone(), device: self.profile.device_id.clone() },
            actor: self.actor.clone(),
            now: self.clock.now(),
        }
    }

    /// Resolves the unit a record belongs to: a catalogue unit or a village of this store.
    /// Returns the commune it lies in (empty above the commune level).
    pub fn unit_commune(&self, unit: &str) -> Result<String> {
        if let Some(u) = catalogue().get(unit) {
            return Ok(if u.level == UnitLevel::Commune { u.code.clone() } else { String::new() });
        }
        match villages::commune_of(&self.conn, unit)? {
            Some(commune) => Ok(commune),
            None => Err(CoreError::field(FieldError::new("unit", Problem::UnknownUnit))),
        }
    }

    /// Checks the database file page by page (`PRAGMA integrity_check`).
    pub fn integrity_check(&self) -> Result<bool> {
        let result: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(result == "ok")
    }

    /// Drops the derived index and builds it again from the documents alone.
    pub fn rebuild_index(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        index::clear(&tx)?;
        for (id, _) in documents::all_ids(&tx)? {
            if let Some(mut doc) = documents::load(&tx, &id)? {
                index::reindex(&tx, &mut doc)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The record index, row by row, ordered by id.
    pub fn index_rows(&self) -> Result<Vec<IndexRow>> {
        index::rows(&self.conn)
    }

    /// The schema version of the open store.
    pub fn schema_version(&self) -> Result<u32> {
        migrations::version(&self.conn)
    }
}

#[cfg(test)]
mod tests;
