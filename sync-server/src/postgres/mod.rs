//! The server's storage on PostgreSQL, for a province that runs several stateless instances on
//! one database (issue 12, decision 0023): the schema's migrations; the feed ([`feed`]), which
//! keeps changes as rows by hash and numbers them in commit order; what a push's checks read
//! ([`holdings`]); the commit of a checked push ([`push`]), documents, quota and report facts
//! with it; reading those facts for reports ([`report_facts`]); devices, enrollment and the
//! shared rate count ([`accounts`]); attachments ([`attachments`]); `check`'s read-back ([`check`]). The dashboard and its
//! sessions still run on SQLite only.
//!
//! The client is the blocking `postgres` (tokio-postgres's own wrapper): the checks read as they
//! go on the server's worker threads, as they do SQLite's.

pub mod accounts;
pub mod attachments;
pub mod check;
pub mod feed;
pub mod holdings;
pub mod push;
pub mod report_facts;

use postgres::Client;

/// The schema, one numbered file per step, applied in order and never edited once released.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_changes_and_feed.sql"),
    include_str!("migrations/0002_documents_and_accounts.sql"),
    include_str!("migrations/0003_change_digests.sql"),
];

/// A key for `pg_advisory_xact_lock`: instances starting at once migrate one after the other.
const MIGRATION_LOCK: i64 = 0x736f_7461_795f_6d67; // "sotay_mg"

#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("lỗi cơ sở dữ liệu PostgreSQL / PostgreSQL error: {0}")]
    Database(#[from] postgres::Error),
    #[error(
        "cơ sở dữ liệu thuộc phiên bản máy chủ mới hơn (lược đồ {found}, bản này biết đến {known}) / \
         the database belongs to a newer server (schema {found}, this version knows {known})"
    )]
    NewerSchema { found: i64, known: usize },
    #[error("bảng feed_head thiếu dòng đếm / the feed's counter row is missing")]
    CounterMissing,
}

/// Brings the schema up to date; returns the version it is at.
pub fn migrate(client: &mut Client) -> Result<usize, PgError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let found: Option<i64> = tx.query_opt("SELECT max(version) FROM schema_version", &[])?.and_then(|r| r.get(0));
    let found = found.unwrap_or(0);
    if found < 0 || found as usize > MIGRATIONS.len() {
        return Err(PgError::NewerSchema { found, known: MIGRATIONS.len() });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql)?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&(i as i64 + 1)])?;
    }
    tx.commit()?;
    Ok(MIGRATIONS.len())
}

/// A pool thread's connection to PostgreSQL, made again when it was lost (the database
/// restarted, or a standby took over): the request that found it lost fails, the next one
/// reconnects.
pub struct PgSession {
    url: String,
    client: Option<Client>,
}

impl PgSession {
    pub fn new(url: &str) -> PgSession {
        PgSession { url: url.to_string(), client: None }
    }

    pub fn client(&mut self) -> Result<&mut Client, PgError> {
        let client = match self.client.take().filter(|c| !c.is_closed()) {
            Some(c) => c,
            None => connect(&self.url)?,
        };
        Ok(self.client.insert(client))
    }
}

/// A connection to `url` (a `postgres://…` URL, or `host=/run/postgresql dbname=sotay`).
pub fn connect(url: &str) -> Result<Client, PgError> {
    Ok(Client::connect(url, postgres::NoTls)?)
}
