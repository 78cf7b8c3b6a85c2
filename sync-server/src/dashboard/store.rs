//! What the dashboard reads and writes beyond what a push's checks read ([`Holdings`]):
//! sessions and password hashes, change receipts, last syncs, villages, report facts and issued
//! reports. One trait over both backends, so that [`super::data`] and [`super::auth`] hold the
//! dashboard's rules once; the SQL is each backend's (this file for SQLite,
//! [`crate::postgres::dashboard`] for PostgreSQL).

use rusqlite::{Connection, OptionalExtension, params};
use sotay_core::report::ReportRecord;

use super::auth::Session;
use super::data::DataError;
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
}
