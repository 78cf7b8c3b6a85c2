//! The Sổ Tay sync server: enrollment of devices with one-time codes, roles and unit scopes
//! enforced on every push and pull, and the one-round-trip sync of `docs/protocol.md` over a
//! SQLite store in a data directory.
//!
//! - [`db`]: the server's SQLite schema and connection;
//! - [`accounts`]: users, devices, tokens, enrollment codes (the admin commands' logic);
//! - [`ingest`]: checking and storing changes a device sends;
//! - [`attachments`]: files attached to records, kept and served within the records' scope;
//! - [`feed`]: what a device receives past its cursor, within its scope;
//! - [`repair`]: document-by-document reconciliation with automerge sync messages;
//! - [`report_facts`]: what each record adds to reports, kept beside it;
//! - [`worker`]: the database thread, committing requests in groups (short SQL only);
//! - [`untrusted`]: the pool where everything that works on what devices send runs, each job
//!   under `catch_unwind`; [`limits`]: the bounds on what one device may make the server do;
//! - [`api`]: the HTTP routes (axum), errors, metrics; [`serve`]: running it;
//! - [`dashboard`]: the signed-in web pages: records, reports, exports;
//! - [`postgres`]: the storage on PostgreSQL for several instances (the feed so far).

pub mod accounts;
pub mod api;
pub mod attachments;
pub mod audit;
pub mod check;
pub mod cli;
pub mod dashboard;
pub mod db;
pub mod feed;
pub mod fuzzing;
pub mod holdings;
pub mod ingest;
pub mod limits;
pub mod metrics;
pub mod postgres;
pub mod private;
pub mod qr;
pub mod repair;
pub mod report_facts;
pub mod serve;
pub mod untrusted;
pub mod worker;

/// Milliseconds since the Unix epoch by the server's clock: the trustworthy one.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
