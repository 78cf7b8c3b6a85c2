//! The one error of the API, with the variants an app acts on. Messages are bilingual and never
//! carry what a person typed (the core's errors name fields, not values).

use sotay_core::CoreError;
use sotay_core::sync::http::SyncError;

/// A field at fault, for the form to point at.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldProblem {
    /// The field's path, e.g. `agenda.0.votes_for`.
    pub path: String,
    /// `unknown_field`, `required`, `invalid_value`, `unknown_unit` or `inconsistent`.
    pub problem: String,
    /// Bilingual, naming the field by its label.
    pub message: String,
    /// The same in Vietnamese only, and in English only: what a form shows under the field.
    pub vi: String,
    pub en: String,
}

#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SotayError {
    /// Bad input: nothing was changed; `fields` says where.
    #[error("{reason}")]
    InvalidInput { fields: Vec<FieldProblem>, reason: String },
    #[error("{reason}")]
    NotFound { id: String, reason: String },
    /// The record was deleted; it can be read, not edited.
    #[error("{reason}")]
    Deleted { id: String, reason: String },
    /// No conflict to resolve at that field (it was resolved meanwhile, perhaps on another device).
    #[error("{reason}")]
    Conflict { id: String, path: String, reason: String },
    /// The store's key is wrong or missing.
    #[error("{reason}")]
    WrongKey { reason: String },
    /// No store at the path, a store already there, or one written by a newer version.
    #[error("{reason}")]
    StoreUnavailable { reason: String },
    #[error("{reason}")]
    NotEnrolled { reason: String },
    /// The server refused the device (revoked, unknown token) or the enrollment code.
    #[error("{reason}")]
    Unauthorized { reason: String },
    /// The server could not be reached, or failed; try again later.
    #[error("{reason}")]
    Network { reason: String },
    /// The server refused a document (set aside; see `SyncStatus.rejected`) or the request.
    #[error("{reason}")]
    Refused { document: Option<String>, reason: String },
    #[error("{reason}")]
    Cancelled { reason: String },
    /// The store could not be read or written.
    #[error("{reason}")]
    Storage { reason: String },
}

impl SotayError {
    /// A date argument that is not a date (the argument is refused before any call is made).
    pub(crate) fn not_a_date() -> SotayError {
        SotayError::invalid_value("", "ngày phải có dạng YYYY-MM-DD", "a date must be written YYYY-MM-DD")
    }

    /// One argument or field at `path` with a value of the wrong form.
    pub(crate) fn invalid_value(path: &str, vi: &str, en: &str) -> SotayError {
        let message = format!("{vi} / {en}");
        SotayError::InvalidInput {
            fields: vec![FieldProblem {
                path: path.into(),
                problem: "invalid_value".into(),
                message: message.clone(),
                vi: vi.into(),
                en: en.into(),
            }],
            reason: message,
        }
    }
}

impl From<CoreError> for SotayError {
    fn from(e: CoreError) -> Self {
        let reason = e.to_string();
        match e {
            CoreError::InvalidInput(errors) => SotayError::InvalidInput {
                fields: errors
                    .0
                    .iter()
                    .map(|f| FieldProblem {
                        path: f.path.clone(),
                        problem: f.problem.code().into(),
                        message: f.to_string(),
                        vi: f.message(sotay_core::Lang::Vi),
                        en: f.message(sotay_core::Lang::En),
                    })
                    .collect(),
                reason,
            },
            CoreError::NotFound { id } => SotayError::NotFound { id, reason },
            CoreError::Deleted { id } => SotayError::Deleted { id, reason },
            CoreError::NoSuchConflict { id, path } => SotayError::Conflict { id, path, reason },
            CoreError::WrongKey | CoreError::InvalidKey { .. } => SotayError::WrongKey { reason },
            CoreError::StoreMissing { .. } | CoreError::StoreExists { .. } | CoreError::NewerSchema { .. } => {
                SotayError::StoreUnavailable { reason }
            }
            CoreError::NotEnrolled => SotayError::NotEnrolled { reason },
            CoreError::DamagedDocument { .. } | CoreError::Storage(_) | CoreError::Io(_) => {
                SotayError::Storage { reason }
            }
        }
    }
}

impl From<SyncError> for SotayError {
    fn from(e: SyncError) -> Self {
        let reason = e.to_string();
        match e {
            SyncError::Store(core) => core.into(),
            SyncError::Unauthorized | SyncError::BadCode => SotayError::Unauthorized { reason },
            SyncError::Network(_) | SyncError::Server(_) | SyncError::Protocol(_) => SotayError::Network { reason },
            SyncError::Refused { doc, .. } => SotayError::Refused { document: doc, reason },
            SyncError::Cancelled => SotayError::Cancelled { reason },
        }
    }
}
