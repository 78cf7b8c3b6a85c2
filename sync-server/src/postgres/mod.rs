//! The server's storage on PostgreSQL, for a province that runs several stateless instances on
//! one database (issue 12, decision 0023): the schema's migrations; the feed ([`feed`]), which
//! keeps changes as rows by hash and numbers them in commit order; what a push's checks read
//! ([`holdings`]); the commit of a checked push ([`push`]), documents, quota and report facts
//! with it; reading those facts for reports ([`report_facts`]); devices, enrollment and the
//! shared rate count ([`accounts`]); attachments ([`attachments`]); `check`'s read-back
//! ([`check`]); the dashboard's sessions, passwords and issued reports ([`dashboard`]);
//! `backup` and `restore` by pg_dump and pg_restore ([`backup`]).
//!
//! The client is the blocking `postgres` (tokio-postgres's own wrapper): the checks read as they
//! go on the server's worker threads, as they do SQLite's.

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod check;
pub mod dashboard;
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
    include_str!("migrations/0004_dashboard.sql"),
    include_str!("migrations/0005_audit_log_and_code_cancelling.sql"),
];

/// A key for `pg_advisory_xact_lock`: instances starting at once migrate one after the other.
const MIGRATION_LOCK: i64 = 0x736f_7461_795f_6d67; // "sotay_mg"

#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("lỗi cơ sở dữ liệu PostgreSQL / PostgreSQL error: {}", why(.0))]
    Database(#[from] postgres::Error),
    #[error(
        "cơ sở dữ liệu thuộc phiên bản máy chủ mới hơn (lược đồ {found}, bản này biết đến {known}) / \
         the database belongs to a newer server (schema {found}, this version knows {known})"
    )]
    NewerSchema { found: i64, known: usize },
    #[error("bảng feed_head thiếu dòng đếm / the feed's counter row is missing")]
    CounterMissing,
    #[error(
        "không dùng được chứng chỉ gốc để kết nối TLS tới PostgreSQL (PGSSLROOTCERT) / \
         no usable root certificate for TLS to PostgreSQL (PGSSLROOTCERT): {0}"
    )]
    RootCerts(String),
}

/// What went wrong, with its causes (a TLS handshake's names the certificate's fault); not a
/// database error's, whose detail may quote the values of a row.
fn why(e: &postgres::Error) -> String {
    let mut out = e.to_string();
    if e.as_db_error().is_none() {
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            out.push_str(&format!(": {cause}"));
            source = cause.source();
        }
    }
    out
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
/// With `sslmode=require` it is made over TLS and the database's certificate is verified against
/// the CA file named by `PGSSLROOTCERT` (libpq's variable), or else the system's CAs.
pub fn connect(url: &str) -> Result<Client, PgError> {
    connect_with(url, std::env::var_os("PGSSLROOTCERT").map(std::path::PathBuf::from).as_deref())
}

/// As [`connect`], with the CA file given. `sslmode=prefer` (the default) is taken as `disable`:
/// a TLS session whose certificate is not checked would only look safe (decision 0023), and a
/// Unix socket or a private network needs none.
pub fn connect_with(url: &str, root_cert: Option<&std::path::Path>) -> Result<Client, PgError> {
    let config: postgres::Config = url.parse()?;
    if config.get_ssl_mode() != postgres::config::SslMode::Require {
        return Ok(config.connect(postgres::NoTls)?);
    }
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(root_cert)?);
    Ok(config.connect(tls)?)
}

fn tls_config(root_cert: Option<&std::path::Path>) -> Result<rustls::ClientConfig, PgError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        Some(path) => {
            let unreadable = |e: rustls::pki_types::pem::Error| PgError::RootCerts(format!("{}: {e}", path.display()));
            for cert in CertificateDer::pem_file_iter(path).map_err(unreadable)? {
                roots
                    .add(cert.map_err(unreadable)?)
                    .map_err(|e| PgError::RootCerts(format!("{}: {e}", path.display())))?;
            }
        }
        None => {
            // Unreadable entries of the system's store are skipped, as every TLS client does.
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
        }
    }
    if roots.is_empty() {
        return Err(PgError::RootCerts("không tìm thấy chứng chỉ nào / none found".into()));
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| PgError::RootCerts(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
