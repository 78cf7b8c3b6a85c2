//! Sổ Tay's core for the Android and iOS apps, through uniffi (proc macros, library mode).
//!
//! A thin layer: `Store` wraps the core's `Store`; records, filters, profiles and sync status are
//! the core's own types, declared to uniffi in `types`; `views` holds the few types that convert
//! from a core type of the same name; `error` maps the core's errors onto one error with variants
//! an app acts on. Generate the bindings with the workspace's `uniffi-bindgen`
//! (`scripts/bindings`).

uniffi::setup_scaffolding!();

mod error;
mod form;
mod labels;
mod listener;
mod phone;
mod report;
mod store;
mod subscription;
mod sync;
mod types;
mod units;
mod views;

pub use error::{FieldProblem, SotayError};
pub use form::RecordForm;
pub use labels::{field_label, field_value_text, kind_label};
pub use phone::{
    attachment_media_types, date_text, days_between, due_in_text, instant_text, number_text, parse_enrollment_code,
    size_text, sync_backoff_ms, sync_decision, today_in_vietnam,
};
pub use report::{ChildReport, ReportRow, ReportSection, ReportValue, UnitReport};
pub use store::Store;
pub use subscription::{StoreListener, Subscription};
pub use sync::{SyncCancel, SyncListener, enroll_new_store};
pub use units::{ethnic_groups, new_store_key, search_units, unit_lineage};
pub use views::{
    Conflict, ConflictValue, EthnicGroup, FieldChange, FieldValue, HistoryEntry, Outcome, RecordConflicts, RecordView,
    StoreKey,
};
