//! Sync: the wire protocol, the scope rules, and the device's side of the engine — sans-IO: it
//! builds requests from the store and applies responses to it; `http` (feature `http`) only
//! carries the bytes.

pub mod engine;
#[cfg(feature = "http")]
pub mod http;
pub mod protocol;
pub mod scope;

pub use engine::{Enrollment, PreparedSync, RejectedDocument, SyncProgress, SyncStatus};
