//! The bounds on what one device, or one connection, may make the server do. Each is a `serve`
//! option (`sotay-server serve --help`), documented in docs/protocol.md, refused with a bilingual
//! 4xx and counted in `/metrics` (`sotay_refusals_total{reason}`).

use std::time::Duration;

use sotay_core::sync::protocol;

#[derive(Debug, Clone)]
pub struct Limits {
    /// Documents one push may name, and changes it may carry.
    pub max_push_docs: usize,
    pub max_push_changes: usize,
    /// The stored size a document may reach.
    pub max_document_bytes: usize,
    /// Bytes of changes one device may add, all told.
    pub device_quota_bytes: u64,
    /// Sync, repair and file requests one device may make per minute (a burst of that many).
    pub device_requests_per_minute: u32,
    /// Documents one repair round may name, and the bytes of whole documents one repair round
    /// sends (the rest follow in the next rounds).
    pub max_repair_docs: usize,
    pub repair_page_bytes: usize,
    /// Threads of the untrusted pool and jobs that may wait for one.
    pub pool_threads: usize,
    pub pool_queue: usize,
    /// Threads of the untrusted pool on PostgreSQL, each with a session: they wait on the
    /// database (each commit's round trip and disk sync) where SQLite's only read, so more of
    /// them keep the cores busy.
    pub postgres_sessions: usize,
    /// Stored bytes of documents kept loaded in memory.
    pub cache_bytes: usize,
    /// Open connections at once; more are closed as they arrive.
    pub max_connections: usize,
    /// Time to send a request's headers, and to wait on a keep-alive connection for the next.
    pub header_timeout: Duration,
    /// The longest a body may pause between two pieces, and the longest it may take in all.
    pub body_idle_timeout: Duration,
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_push_docs: protocol::MAX_PUSH_DOCS,
            max_push_changes: protocol::MAX_PUSH_CHANGES,
            max_document_bytes: protocol::MAX_DOCUMENT_BYTES,
            device_quota_bytes: 256 * 1024 * 1024,
            device_requests_per_minute: 120,
            max_repair_docs: 100_000,
            repair_page_bytes: protocol::MAX_PAGE_BYTES as usize,
            pool_threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2),
            pool_queue: 64,
            postgres_sessions: 4 * std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2),
            cache_bytes: 32 * 1024 * 1024,
            max_connections: 1024,
            header_timeout: Duration::from_secs(20),
            body_idle_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(300),
        }
    }
}
