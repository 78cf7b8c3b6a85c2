//! Sổ Tay core: the grassroots records of công tác dân vận as automerge documents in an
//! encrypted SQLite store.
//!
//! Layout, one concern per module:
//! - [`text`], [`time`], [`labels`]: Vietnamese text, Vietnam dates, bilingual labels;
//! - [`units`]: administrative units (GSO codes) and ethnic groups, shipped as data;
//! - [`record`]: the eight kinds of record, their validation, legal deadlines and flags;
//! - [`document`]: one record as one automerge document (the only module that touches automerge);
//! - [`store`]: the device store (SQLite/SQLCipher): documents, derived index, search, history;
//! - [`sync`]: the sync protocol, scope rules and the device's sans-IO sync engine;
//! - [`report`]: the reports that go up the hierarchy, computed from records;
//! - [`phone`]: what the Android and iOS apps share beyond the store (enrollment codes, sync policy, display).

pub mod calendar;
pub mod document;
pub mod error;
pub mod labels;
pub mod phone;
pub mod record;
pub mod report;
#[cfg(feature = "sample")]
pub mod sample;
pub mod store;
pub mod sync;
pub mod text;
pub mod time;
pub mod units;

pub use error::{CoreError, FieldError, Problem};
pub use labels::{Label, Lang};
