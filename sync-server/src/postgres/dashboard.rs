//! The dashboard's reads and writes ([`DashboardStore`]) on PostgreSQL, through the same
//! connection as [`PgHoldings`]'s reads.

use sotay_core::report::ReportRecord;

use super::accounts::{self as pg, user_of};
use super::holdings::PgHoldings;
use crate::accounts::{CodesToCancel, Device, OutstandingCode, User, UserChange};
use crate::dashboard::auth::Session;
use crate::dashboard::data::DataError;
use crate::dashboard::store::{DashboardStore, IssuedRow, NewSession};

impl DashboardStore for PgHoldings<'_> {
    fn session(&self, token_hash: &[u8], now: i64) -> Result<Option<Session>, DataError> {
        let row = self.client().query_opt(
            "SELECT s.csrf, u.login, u.display_name, u.role, u.unit, u.disabled
             FROM sessions s JOIN users u ON u.login = s.login
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
            &[&token_hash, &now],
        )?;
        Ok(row.map(|r| Session { csrf: r.get(0), user: user_of(&r, 1) }))
    }

    fn start_session(&self, new: &NewSession<'_>, now: i64) -> Result<(), DataError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        tx.execute("DELETE FROM sessions WHERE expires_at <= $1", &[&now])?;
        tx.execute(
            "INSERT INTO sessions (token_hash, login, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[&new.token_hash, &new.login, &new.csrf, &new.created_at, &new.expires_at],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn end_session(&self, token_hash: &[u8]) -> Result<(), DataError> {
        self.client().execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])?;
        Ok(())
    }

    fn password_of(&self, login: &str) -> Result<Option<(Option<String>, bool)>, DataError> {
        let row = self.client().query_opt("SELECT password_hash, disabled FROM users WHERE login = $1", &[&login])?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn set_password_hash(&self, login: &str, hash: &str) -> Result<bool, DataError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let changed = tx.execute("UPDATE users SET password_hash = $2 WHERE login = $1", &[&login, &hash])?;
        tx.execute("DELETE FROM sessions WHERE login = $1", &[&login])?;
        tx.commit()?;
        Ok(changed > 0)
    }

    fn received_at(&self, change: &str) -> Result<Option<i64>, DataError> {
        // Changes are keyed by their hash's bytes; a hash that is not hex names no change.
        let Ok(hash) = hex::decode(change) else { return Ok(None) };
        let row = self.client().query_opt("SELECT received_at FROM changes WHERE hash = $1", &[&hash])?;
        Ok(row.map(|r| r.get(0)))
    }

    fn last_sync_within(&self, unit: &str) -> Result<Option<i64>, DataError> {
        let row = self.client().query_one(
            "SELECT max(d.last_seen_at) FROM devices d JOIN users u ON u.login = d.login
             WHERE d.revoked_at IS NULL AND (u.unit = $1
                OR u.unit IN (SELECT doc_id FROM documents WHERE kind = 'village' AND commune = $1))",
            &[&unit],
        )?;
        Ok(row.get(0))
    }

    fn village_ids(&self, commune: Option<&str>) -> Result<Vec<(String, String)>, DataError> {
        let rows = self.client().query(
            "SELECT doc_id, commune FROM documents WHERE kind = 'village' AND ($1::TEXT IS NULL OR commune = $1)
             ORDER BY doc_id",
            &[&commune],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn report_records(&self, unit: &str) -> Result<Vec<ReportRecord>, DataError> {
        Ok(super::report_facts::under(&mut self.client(), unit)?)
    }

    fn latest_issued(&self, unit: &str, period: &str, convention: &str) -> Result<Option<IssuedRow>, DataError> {
        let row = self.client().query_opt(
            "SELECT issued_by, issued_at, figures, counted FROM issued_reports
             WHERE unit = $1 AND period = $2 AND convention = $3 ORDER BY issued_at DESC, id DESC LIMIT 1",
            &[&unit, &period, &convention],
        )?;
        Ok(row.map(|r| IssuedRow {
            unit: unit.to_string(),
            period: period.to_string(),
            convention: convention.to_string(),
            issued_by: r.get(0),
            issued_at: r.get(1),
            figures: r.get(2),
            counted: r.get(3),
        }))
    }

    fn add_issued(&self, row: &IssuedRow) -> Result<(), DataError> {
        self.client().execute(
            "INSERT INTO issued_reports (unit, period, convention, issued_by, issued_at, figures, counted)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&row.unit, &row.period, &row.convention, &row.issued_by, &row.issued_at, &row.figures, &row.counted],
        )?;
        Ok(())
    }

    fn record_audit(&self, entry: &crate::audit::Entry) -> Result<(), DataError> {
        Ok(super::audit::record(&mut **self.client(), entry)?)
    }

    fn audit_entries(&self, limit: usize) -> Result<Vec<crate::audit::Entry>, DataError> {
        Ok(super::audit::latest(&mut **self.client(), limit)?)
    }

    fn users(&self) -> Result<Vec<User>, DataError> {
        Ok(pg::users(&mut self.client())?)
    }

    fn add_user(&self, login: &str, name: &str, role: &str, unit: &str, now: i64) -> Result<User, DataError> {
        Ok(pg::add_user(&mut self.client(), login, name, role, unit, now)?)
    }

    fn edit_user(&self, login: &str, change: &UserChange<'_>) -> Result<User, DataError> {
        Ok(pg::edit_user(&mut self.client(), login, change)?)
    }

    fn set_disabled(&self, login: &str, disabled: bool) -> Result<User, DataError> {
        Ok(pg::set_disabled(&mut self.client(), login, disabled)?)
    }

    fn devices(&self) -> Result<Vec<Device>, DataError> {
        Ok(pg::devices(&mut self.client())?)
    }

    fn revoke_device(&self, device_id: &str, now: i64) -> Result<(), DataError> {
        Ok(pg::revoke_device(&mut self.client(), device_id, now)?)
    }

    fn create_code(&self, login: &str, ttl_ms: i64, now: i64) -> Result<String, DataError> {
        let mut client = self.client();
        let key = pg::code_key(&mut client)?;
        Ok(pg::create_code(&mut client, &key, login, ttl_ms, now)?)
    }

    fn outstanding_codes(&self, now: i64) -> Result<Vec<OutstandingCode>, DataError> {
        Ok(pg::outstanding_codes(&mut **self.client(), now)?)
    }

    fn cancel_codes(&self, which: CodesToCancel<'_>, now: i64) -> Result<Vec<String>, DataError> {
        Ok(pg::cancel_codes(&mut self.client(), which, now)?)
    }

    fn dashboard_device(&self, login: &str, now: i64) -> Result<crate::accounts::DeviceAuth, DataError> {
        Ok(pg::dashboard_device(&mut self.client(), login, now)?)
    }
}
