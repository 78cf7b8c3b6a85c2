//! Errors of the command line, their exit codes, and how they are shown.

use serde_json::json;
use sotay_core::CoreError;
use sotay_core::sync::http::SyncError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] CoreError),

    #[error("{vi} / {en}")]
    Usage { vi: String, en: String },

    #[error(
        "thiếu khóa mã hóa: đặt biến SOTAY_KEY hoặc dùng --key-file (không thấy {path}) / missing encryption key: set SOTAY_KEY or pass --key-file (no {path})"
    )]
    MissingKey { path: String },

    #[error(transparent)]
    Sync(#[from] sotay_core::sync::http::SyncError),

    #[error("không đọc/ghi được tệp {path} / cannot read or write {path}: {source}")]
    File { path: String, source: std::io::Error },

    /// A `--set` path the kind does not have, with the fields it may have meant.
    #[error("{}", unknown_field(kind, path, suggestions))]
    UnknownField { kind: &'static str, path: String, suggestions: Vec<(String, sotay_core::labels::Label)> },

    /// An id start that names several records.
    #[error(
        "mã \"{typed}\" khớp với {count} hồ sơ, hãy gõ thêm: {} / \"{typed}\" matches {count} records, type more of it: {}",
        shown.join(", "), shown.join(", ")
    )]
    AmbiguousId { typed: String, count: usize, shown: Vec<String> },
}

fn unknown_field(kind: &str, path: &str, suggestions: &[(String, sotay_core::labels::Label)]) -> String {
    let listed: Vec<String> = suggestions.iter().map(|(p, l)| format!("{p} ({} / {})", l.vi, l.en)).collect();
    let (vi_hint, en_hint) = if listed.is_empty() {
        (String::new(), String::new())
    } else {
        (format!("; có phải: {}?", listed.join(", ")), format!("; did you mean: {}?", listed.join(", ")))
    };
    format!(
        "hồ sơ {kind} không có trường {path}{vi_hint} Xem các trường: sotay fields {kind} / \
         a {kind} record has no field {path}{en_hint} See its fields: sotay fields {kind}"
    )
}

impl CliError {
    pub fn usage(vi: impl Into<String>, en: impl Into<String>) -> Self {
        CliError::Usage { vi: vi.into(), en: en.into() }
    }

    /// 2: bad input; 3: not found; 4: the store cannot be opened; 5: not enrolled; 6: the server
    /// refused the device or code; 7: network or server trouble; 1: anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage { .. } | CliError::UnknownField { .. } | CliError::AmbiguousId { .. } => 2,
            CliError::Core(
                CoreError::InvalidInput(_) | CoreError::NoSuchConflict { .. } | CoreError::Deleted { .. },
            ) => 2,
            CliError::Core(CoreError::NotFound { .. }) => 3,
            CliError::Core(
                CoreError::WrongKey
                | CoreError::InvalidKey { .. }
                | CoreError::StoreMissing { .. }
                | CoreError::StoreExists { .. }
                | CoreError::NewerSchema { .. },
            )
            | CliError::MissingKey { .. } => 4,
            CliError::Core(CoreError::NotEnrolled) => 5,
            CliError::Sync(SyncError::Unauthorized | SyncError::BadCode) => 6,
            CliError::Sync(SyncError::Network(_) | SyncError::Server(_)) => 7,
            _ => 1,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            CliError::Usage { .. } => "usage",
            CliError::MissingKey { .. } => "missing_key",
            CliError::File { .. } => "file",
            // As the core's other invalid input; its field's problem says which.
            CliError::UnknownField { .. } => "invalid_input",
            CliError::AmbiguousId { .. } => "ambiguous_id",
            CliError::Sync(e) => match e {
                SyncError::Network(_) => "network",
                SyncError::Unauthorized => "unauthorized",
                SyncError::BadCode => "bad_code",
                SyncError::Refused { .. } => "refused",
                SyncError::Server(_) => "server_error",
                SyncError::Protocol(_) => "protocol",
                SyncError::Store(_) => "storage",
                SyncError::Cancelled => "cancelled",
            },
            CliError::Core(e) => match e {
                CoreError::InvalidInput(_) => "invalid_input",
                CoreError::NotFound { .. } => "not_found",
                CoreError::Deleted { .. } => "deleted",
                CoreError::NoSuchConflict { .. } => "no_such_conflict",
                CoreError::WrongKey => "wrong_key",
                CoreError::InvalidKey { .. } => "invalid_key",
                CoreError::StoreMissing { .. } => "store_missing",
                CoreError::StoreExists { .. } => "store_exists",
                CoreError::NewerSchema { .. } => "newer_schema",
                CoreError::DamagedDocument { .. } => "damaged_document",
                CoreError::Storage(_) => "storage",
                CoreError::Io(_) => "io",
                CoreError::NotEnrolled => "not_enrolled",
            },
        }
    }
}

/// Writes the error to stderr: bilingual text, or JSON with the fields at fault.
pub fn report(e: &CliError, json: bool) {
    if json {
        let fields: Vec<_> = match e {
            CliError::Core(CoreError::InvalidInput(errors)) => errors
                .0
                .iter()
                .map(|f| json!({"path": f.path, "problem": f.problem.code(), "message": f.to_string()}))
                .collect(),
            CliError::UnknownField { path, suggestions, .. } => vec![json!({
                "path": path,
                "problem": "unknown_field",
                "message": e.to_string(),
                "suggestions": suggestions.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            })],
            _ => Vec::new(),
        };
        eprintln!("{}", json!({"error": {"code": e.code(), "message": e.to_string(), "fields": fields}}));
    } else {
        eprintln!("Lỗi / Error: {e}");
    }
}
