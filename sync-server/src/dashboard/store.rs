//! What the dashboard reads and writes beyond what a push's checks read ([`Holdings`]):
//! sessions and password hashes, change receipts, last syncs, villages, report facts and issued
//! reports. One trait over both backends, so that [`super::data`] and [`super::auth`] hold the
//! dashboard's rules once; the SQL is each backend's (this file for SQLite,
//! [`crate::postgres::dashboard`] for PostgreSQL).

use rusqlite::{Connection, OptionalExtension, params};
use sotay_core::report::ReportRecord;

use super::auth::Session;
use super::data::DataError;
use crate::accounts::{self, CodesToCancel, Device, OutstandingCode, User, UserChange};
use crate::holdings::Holdings;

/// A report as issued, as stored: its figures and counted records as JSON.
pub struct IssuedRow {
    pub unit: String,
    pub period: String,
    pub convention: String,
    pub issued_by: String,
    pub issued_at: i64,
    pub figures: String,
    pub counted: String,
}

/// A new session's row; the token itself is never stored, only its SHA-256.
pub struct NewSession<'a> {
    pub token_hash: &'a [u8],
    pub login: &'a str,
    pub csrf: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

pub trait DashboardStore: Holdings {
    /// The live session whose token hashes to `token_hash`, with its user, if that user is
    /// enabled.
    fn session(&self, token_hash: &[u8], now: i64) -> Result<Option<Session>, DataError>;
    /// Drops sessions expired by `now` and stores `new`.
    fn start_session(&self, new: &NewSession<'_>, now: i64) -> Result<(), DataError>;
    fn end_session(&self, token_hash: &[u8]) -> Result<(), DataError>;
    /// A login's password hash (none if it has none) and whether the user is disabled; none for
    /// an unknown login.
    fn password_of(&self, login: &str) -> Result<Option<(Option<String>, bool)>, DataError>;
    /// Sets a login's password hash and ends its sessions; false for an unknown login.
    fn set_password_hash(&self, login: &str, hash: &str) -> Result<bool, DataError>;
    /// When the server first received the change with hash `change` (hex).
    fn received_at(&self, change: &str) -> Result<Option<i64>, DataError>;
    /// The latest sync of a live device of a user of `unit` or of one of its villages.
    fn last_sync_within(&self, unit: &str) -> Result<Option<i64>, DataError>;
    /// Village documents (of `commune`, or all), as (id, commune), by id.
    fn village_ids(&self, commune: Option<&str>) -> Result<Vec<(String, String)>, DataError>;
    /// The records under `unit` as the report engine reads them: their facts, kept beside them.
    fn report_records(&self, unit: &str) -> Result<Vec<ReportRecord>, DataError>;
    /// The latest issued report of a unit, period and convention.
    fn latest_issued(&self, unit: &str, period: &str, convention: &str) -> Result<Option<IssuedRow>, DataError>;
    fn add_issued(&self, row: &IssuedRow) -> Result<(), DataError>;
    /// Appends to the audit log.
    fn record_audit(&self, entry: &crate::audit::Entry) -> Result<(), DataError>;
    /// The audit log's latest entries, newest first.
    fn audit_entries(&self, limit: usize) -> Result<Vec<crate::audit::Entry>, DataError>;

    // Administration, with the checks of `crate::accounts` on both backends.
    fn users(&self) -> Result<Vec<User>, DataError>;
    fn add_user(&self, login: &str, name: &str, role: &str, unit: &str, now: i64) -> Result<User, DataError>;
    fn edit_user(&self, login: &str, change: &UserChange<'_>) -> Result<User, DataError>;
    fn set_disabled(&self, login: &str, disabled: bool) -> Result<User, DataError>;
    fn devices(&self) -> Result<Vec<Device>, DataError>;
    fn revoke_device(&self, device_id: &str, now: i64) -> Result<(), DataError>;
    /// A new one-time code for `login`, valid for `ttl_ms`.
    fn create_code(&self, login: &str, ttl_ms: i64, now: i64) -> Result<String, DataError>;
    fn outstanding_codes(&self, now: i64) -> Result<Vec<OutstandingCode>, DataError>;
    fn cancel_codes(&self, which: CodesToCancel<'_>, now: i64) -> Result<Vec<String>, DataError>;
    /// The device a user writes from on the dashboard, made on first use.
    fn dashboard_device(&self, login: &str, now: i64) -> Result<crate::accounts::DeviceAuth, DataError>;
}

impl DashboardStore for Connection {
    fn session(&self, token_hash: &[u8], now: i64) -> Result<Option<Session>, DataError> {
        Ok(self
            .prepare_cached(
                "SELECT s.csrf, u.login, u.display_name, u.role, u.unit, u.disabled
                 FROM sessions s JOIN users u ON u.login = s.login
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0",
            )?
            .query_row(params![token_hash, now], |r| {
                Ok(Session { csrf: r.get(0)?, user: crate::accounts::user_from_row(r, 1)? })
            })
            .optional()?)
    }

    fn start_session(&self, new: &NewSession<'_>, now: i64) -> Result<(), DataError> {
        self.execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now])?;
        self.execute(
            "INSERT INTO sessions (token_hash, login, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![new.token_hash, new.login, new.csrf, new.created_at, new.expires_at],
        )?;
        Ok(())
    }

    fn end_session(&self, token_hash: &[u8]) -> Result<(), DataError> {
        self.execute("DELETE FROM sessions WHERE token_hash = ?1", params![token_hash])?;
        Ok(())
    }

    fn password_of(&self, login: &str) -> Result<Option<(Option<String>, bool)>, DataError> {
        Ok(self
            .query_row("SELECT password_hash, disabled FROM users WHERE login = ?1", params![login], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    fn set_password_hash(&self, login: &str, hash: &str) -> Result<bool, DataError> {
        let tx = self.unchecked_transaction()?;
        let changed = tx.execute("UPDATE users SET password_hash = ?2 WHERE login = ?1", params![login, hash])?;
        tx.execute("DELETE FROM sessions WHERE login = ?1", params![login])?;
        tx.commit()?;
        Ok(changed > 0)
    }

    fn received_at(&self, change: &str) -> Result<Option<i64>, DataError> {
        Ok(self
            .prepare_cached("SELECT received_at FROM change_receipts WHERE change_hash = ?1")?
            .query_row(params![change], |r| r.get(0))
            .optional()?)
    }

    fn last_sync_within(&self, unit: &str) -> Result<Option<i64>, DataError> {
        Ok(self
            .prepare_cached(
                "SELECT max(d.last_seen_at) FROM devices d JOIN users u ON u.login = d.login
                 WHERE d.revoked_at IS NULL AND (u.unit = ?1
                    OR u.unit IN (SELECT doc_id FROM documents WHERE kind = 'village' AND commune = ?1))",
            )?
            .query_row(params![unit], |r| r.get(0))?)
    }

    fn village_ids(&self, commune: Option<&str>) -> Result<Vec<(String, String)>, DataError> {
        let mut stmt = self.prepare_cached(
            "SELECT doc_id, commune FROM documents WHERE kind = 'village' AND (?1 IS NULL OR commune = ?1)
             ORDER BY doc_id",
        )?;
        Ok(stmt.query_map(params![commune], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?)
    }

    fn report_records(&self, unit: &str) -> Result<Vec<ReportRecord>, DataError> {
        Ok(crate::report_facts::under(self, unit)?)
    }

    fn latest_issued(&self, unit: &str, period: &str, convention: &str) -> Result<Option<IssuedRow>, DataError> {
        Ok(self
            .query_row(
                "SELECT issued_by, issued_at, figures, counted FROM issued_reports
                 WHERE unit = ?1 AND period = ?2 AND convention = ?3 ORDER BY issued_at DESC, id DESC LIMIT 1",
                params![unit, period, convention],
                |r| {
                    Ok(IssuedRow {
                        unit: unit.to_string(),
                        period: period.to_string(),
                        convention: convention.to_string(),
                        issued_by: r.get(0)?,
                        issued_at: r.get(1)?,
                        figures: r.get(2)?,
                        counted: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    fn add_issued(&self, row: &IssuedRow) -> Result<(), DataError> {
        self.execute(
            "INSERT INTO issued_reports (unit, period, convention, issued_by, issued_at, figures, counted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![row.unit, row.period, row.convention, row.issued_by, row.issued_at, row.figures, row.counted],
        )?;
        Ok(())
    }

    fn record_audit(&self, entry: &crate::audit::Entry) -> Result<(), DataError> {
        Ok(crate::audit::record(self, entry)?)
    }

    fn audit_entries(&self, limit: usize) -> Result<Vec<crate::audit::Entry>, DataError> {
        Ok(crate::audit::latest(self, limit)?)
    }

    fn users(&self) -> Result<Vec<User>, DataError> {
        Ok(accounts::users(self)?)
    }

    fn add_user(&self, login: &str, name: &str, role: &str, unit: &str, now: i64) -> Result<User, DataError> {
        Ok(accounts::add_user(self, login, name, role, unit, now)?)
    }

    fn edit_user(&self, login: &str, change: &UserChange<'_>) -> Result<User, DataError> {
        Ok(accounts::edit_user(self, login, change)?)
    }

    fn set_disabled(&self, login: &str, disabled: bool) -> Result<User, DataError> {
        Ok(accounts::set_disabled(self, login, disabled)?)
    }

    fn devices(&self) -> Result<Vec<Device>, DataError> {
        Ok(accounts::devices(self)?)
    }

    fn revoke_device(&self, device_id: &str, now: i64) -> Result<(), DataError> {
        Ok(accounts::revoke_device(self, device_id, now)?)
    }

    fn create_code(&self, login: &str, ttl_ms: i64, now: i64) -> Result<String, DataError> {
        // The key is a file beside the database, as the serving side reads it.
        let dir = self
            .path()
            .and_then(|p| std::path::Path::new(p).parent().map(std::path::Path::to_path_buf))
            .ok_or_else(|| DataError::Accounts(accounts::AccountError::Storage("no data directory".into())))?;
        let key = accounts::CodeKey::load_or_create(&dir)
            .map_err(|e| DataError::Accounts(accounts::AccountError::Storage(e.to_string())))?;
        Ok(accounts::create_code(self, &key, login, ttl_ms, now)?)
    }

    fn outstanding_codes(&self, now: i64) -> Result<Vec<OutstandingCode>, DataError> {
        Ok(accounts::outstanding_codes(self, now)?)
    }

    fn cancel_codes(&self, which: CodesToCancel<'_>, now: i64) -> Result<Vec<String>, DataError> {
        Ok(accounts::cancel_codes(self, which, now)?)
    }

    fn dashboard_device(&self, login: &str, now: i64) -> Result<crate::accounts::DeviceAuth, DataError> {
        Ok(accounts::dashboard_device(self, login, now)?)
    }
}
