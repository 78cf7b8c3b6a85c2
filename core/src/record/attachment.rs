//! What a file attached to a record may be: the kinds of file a phone's camera or a scanner
//! makes, and a size a 2G link can carry.

use crate::error::{FieldError, Problem};

/// At most 10 MiB: a page scanned or photographed at a readable resolution.
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;

/// Photos and scans.
pub const MEDIA_TYPES: &[&str] = &["image/jpeg", "image/png", "application/pdf"];

/// Whether the bytes begin as a file of that type does (JPEG, PNG, PDF): a file named a photo
/// that is something else is refused on the phone and on the server.
pub fn content_matches(media_type: &str, data: &[u8]) -> bool {
    match media_type {
        "image/jpeg" => data.starts_with(&[0xff, 0xd8, 0xff]),
        "image/png" => data.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]),
        "application/pdf" => data.starts_with(b"%PDF-"),
        _ => false,
    }
}

pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Problems with a file's description, at `path` (`attachments.0`).
pub fn check(path: &str, name: &str, media_type: &str, sha256: &str, size: u64, errors: &mut Vec<FieldError>) {
    if name.trim().is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            format!("{path}.name"),
            Problem::InvalidValue { expected: "a file name of 1 to 200 characters".into() },
        ));
    }
    if !MEDIA_TYPES.contains(&media_type) {
        errors.push(FieldError::new(
            format!("{path}.media_type"),
            Problem::InvalidValue { expected: "one of image/jpeg, image/png, application/pdf".into() },
        ));
    }
    if !is_sha256(sha256) {
        errors.push(FieldError::new(
            format!("{path}.sha256"),
            Problem::InvalidValue { expected: "64 lowercase hexadecimal digits".into() },
        ));
    }
    if size == 0 || size > MAX_ATTACHMENT_BYTES {
        errors.push(FieldError::new(
            format!("{path}.size"),
            Problem::InvalidValue { expected: "a size from 1 byte to 10 MiB".into() },
        ));
    }
}
