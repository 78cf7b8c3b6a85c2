//! Errors of the core. Every message is bilingual (Vietnamese / English) and never carries a
//! value that a person typed: a field is named, its content is not, so names of parties and
//! denouncers cannot leak through an error into a log or a screen.

use std::fmt;

use crate::record::fields::path_label;

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The field does not exist in this kind of record.
    UnknownField,
    /// The field must be filled in.
    Required,
    /// The value is not of the expected form (`expected` says which, in English terms of art).
    InvalidValue { expected: String },
    /// The unit code is not a known administrative unit or village.
    UnknownUnit,
    /// The value contradicts another field or a rule of law.
    Inconsistent { vi: String, en: String },
}

impl Problem {
    /// A stable code for programs (the CLI's JSON, the apps' forms).
    pub fn code(&self) -> &'static str {
        match self {
            Problem::UnknownField => "unknown_field",
            Problem::Required => "required",
            Problem::InvalidValue { .. } => "invalid_value",
            Problem::UnknownUnit => "unknown_unit",
            Problem::Inconsistent { .. } => "inconsistent",
        }
    }
}

/// A problem with one field, named by its path (`agenda.0.votes_for`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(path: impl Into<String>, problem: Problem) -> Self {
        FieldError { path: path.into(), problem }
    }

    pub fn required(path: impl Into<String>) -> Self {
        Self::new(path, Problem::Required)
    }

    pub fn inconsistent(path: impl Into<String>, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(path, Problem::Inconsistent { vi: vi.into(), en: en.into() })
    }
}

fn is_unsigned(e: &str) -> bool {
    e.starts_with('u') && e.len() > 1 && e[1..].chars().all(|c| c.is_ascii_digit())
}

fn expected_en(expected: &str) -> String {
    let e = expected.trim();
    if is_unsigned(e) {
        "a whole number, 0 or more".into()
    } else if e.contains("boolean") {
        "true or false".into()
    } else if e == "a string" {
        "text".into()
    } else if e.contains("sequence") {
        "a list".into()
    } else {
        e.to_string()
    }
}

fn expected_vi(expected: &str) -> String {
    let e = expected.trim();
    if e.contains("YYYY-MM-DD") {
        "ngày dạng YYYY-MM-DD hoặc DD/MM/YYYY".into()
    } else if let Some(rest) = e.strip_prefix("one of ") {
        format!("một trong các giá trị {rest}")
    } else if is_unsigned(e) {
        "số nguyên không âm".into()
    } else if e.contains("boolean") {
        "đúng/sai (true/false)".into()
    } else if e.contains("string") {
        "văn bản".into()
    } else if e.contains("sequence") {
        "danh sách".into()
    } else {
        format!("giá trị dạng {e}")
    }
}

impl FieldError {
    /// The message in one language: a form shows the user's half.
    pub fn message(&self, lang: crate::labels::Lang) -> String {
        let (vi, en) = self.halves();
        match lang {
            crate::labels::Lang::Vi => vi,
            crate::labels::Lang::En => en,
        }
    }

    fn halves(&self) -> (String, String) {
        let (vi_name, en_name) = path_label(&self.path).map(|l| (l.vi, l.en)).unwrap_or((&self.path, &self.path));
        let p = &self.path;
        match &self.problem {
            Problem::UnknownField => {
                (format!("trường \"{p}\" không có trong loại hồ sơ này"), format!("unknown field \"{p}\""))
            }
            Problem::Required => {
                (format!("trường \"{vi_name}\" ({p}) là bắt buộc"), format!("field \"{en_name}\" ({p}) is required"))
            }
            Problem::InvalidValue { expected } => (
                format!("trường \"{vi_name}\" ({p}) không hợp lệ: cần {}", expected_vi(expected)),
                format!("field \"{en_name}\" ({p}) is invalid: expected {}", expected_en(expected)),
            ),
            Problem::UnknownUnit => (
                format!("trường \"{vi_name}\" ({p}): không có đơn vị hành chính hoặc thôn với mã này"),
                format!("field \"{en_name}\" ({p}): no administrative unit or village has this code"),
            ),
            Problem::Inconsistent { vi, en } => {
                (format!("trường \"{vi_name}\" ({p}): {vi}"), format!("field \"{en_name}\" ({p}): {en}"))
            }
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (vi, en) = self.halves();
        write!(f, "{vi} / {en}")
    }
}

/// The field errors of one rejected input, in the order they were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Errors of the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("dữ liệu không hợp lệ / invalid input:\n{0}")]
    InvalidInput(FieldErrors),

    #[error("không tìm thấy hồ sơ {id} / record {id} not found")]
    NotFound { id: String },

    #[error("hồ sơ {id} đã bị xóa / record {id} has been deleted")]
    Deleted { id: String },

    #[error("hồ sơ {id} không có xung đột ở trường \"{path}\" / record {id} has no conflict at field \"{path}\"")]
    NoSuchConflict { id: String, path: String },

    #[error(
        "không mở được kho: sai khóa mã hóa, thiếu khóa, hoặc tệp không phải kho Sổ Tay / cannot open the store: wrong or missing encryption key, or not a Sổ Tay store"
    )]
    WrongKey,

    #[error("khóa mã hóa không hợp lệ: {vi} / invalid encryption key: {en}")]
    InvalidKey { vi: &'static str, en: &'static str },

    #[error("chưa có kho ở {path}: hãy chạy `sotay init` / no store at {path}: run `sotay init` first")]
    StoreMissing { path: String },

    #[error("đã có kho ở {path} / a store already exists at {path}")]
    StoreExists { path: String },

    #[error(
        "kho được tạo bởi phiên bản mới hơn (lược đồ {found}, phiên bản này hỗ trợ đến {supported}) / the store was written by a newer version (schema {found}, this version supports up to {supported})"
    )]
    NewerSchema { found: u32, supported: u32 },

    #[error("tài liệu {id} bị hỏng hoặc không đọc được / document {id} is damaged or unreadable: {detail}")]
    DamagedDocument { id: String, detail: String },

    #[error(
        "thiết bị chưa đăng ký với máy chủ: hãy chạy `sotay enroll` / this device has not enrolled with a server: run `sotay enroll`"
    )]
    NotEnrolled,

    #[error("lỗi lưu trữ / storage error: {0}")]
    Storage(#[from] rusqlite::Error),

    #[error("lỗi tệp / file error: {0}")]
    Io(#[from] std::io::Error),
}

impl CoreError {
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        CoreError::InvalidInput(FieldErrors(errors))
    }

    pub fn field(error: FieldError) -> Self {
        Self::invalid(vec![error])
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
