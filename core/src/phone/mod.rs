//! What both phone apps need beyond the store, kept here so that Android and iOS share one tested
//! copy (decision 0015): reading an administrator's enrollment code, deciding when to sync, and
//! writing dates, numbers and deadlines for people. Pure functions of their arguments: the apps
//! pass in the clock and the network they see.

mod display;
mod enrollment_code;
mod sync_policy;

pub use display::{date_text, due_in_text, instant_text, number_text, size_text};
pub use enrollment_code::EnrollmentCode;
pub use sync_policy::{NetworkState, SyncDecision, SyncMoment, SyncSettings, backoff_ms, decide};
