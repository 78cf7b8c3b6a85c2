//! Files attached to records, on the server: kept when a device that may write a record
//! referring to the file sends exactly the file its hash names; given to devices that may read a
//! record it was sent through. A reference alone grants nothing: anyone may write any hash into
//! a record of their own, so reading goes by the records the file's bytes were sent through
//! (`attachment_grants`), not by the records that name it. Which documents refer to which files is
//! noted as documents arrive (`ingest`).

use rusqlite::{Connection, OptionalExtension, params};
use sotay_core::record::attachment::{MAX_ATTACHMENT_BYTES, MEDIA_TYPES, content_matches, is_sha256};
use sotay_core::store::attachments::sha256_hex;
use sotay_core::sync::scope::DocScope;

use crate::accounts::DeviceAuth;
use crate::ingest::{self, IngestError};

#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("mã băm không hợp lệ / not a SHA-256 in hexadecimal")]
    BadHash,
    #[error("loại tệp không được nhận (JPEG, PNG, PDF) / file type not accepted (JPEG, PNG, PDF)")]
    MediaType,
    #[error("tệp rỗng hoặc quá 10 MiB / empty file, or over 10 MiB")]
    Size,
    #[error("nội dung không khớp mã băm / the content does not match its hash")]
    HashMismatch,
    /// No record this device may write refers to the file (or, reading, may read).
    #[error("không có hồ sơ nào của bạn tham chiếu tệp này / no record of yours refers to this file")]
    NotYours,
    #[error(
        "thiết bị đã dùng hết {limit} byte lưu trữ trên máy chủ / this device has used its {limit} bytes of storage on the server"
    )]
    Quota { limit: u64 },
    #[error(transparent)]
    Storage(#[from] IngestError),
}

impl From<rusqlite::Error> for AttachmentError {
    fn from(e: rusqlite::Error) -> Self {
        AttachmentError::Storage(e.into())
    }
}

/// Notes the files a document refers to.
pub fn note_refs(tx: &Connection, doc_id: &str, sha256s: &[String]) -> Result<(), rusqlite::Error> {
    for sha in sha256s.iter().filter(|s| is_sha256(s)) {
        tx.prepare_cached("INSERT INTO attachment_refs (sha256, doc_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
            .execute(params![sha, doc_id])?;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Table {
    Refs,
    Grants,
}

/// The scopes of the documents that refer to a file (`Refs`) or that it was sent through (`Grants`).
fn scopes_of(conn: &Connection, table: Table, sha256: &str) -> Result<Vec<DocScope>, AttachmentError> {
    let sql = match table {
        Table::Refs => "SELECT doc_id FROM attachment_refs WHERE sha256 = ?1",
        Table::Grants => "SELECT doc_id FROM attachment_grants WHERE sha256 = ?1",
    };
    let ids: Vec<String> = conn.prepare_cached(sql)?.query_map([sha256], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let mut scopes = Vec::new();
    for id in ids {
        scopes.extend(ingest::scope_of(conn, &id)?);
    }
    Ok(scopes)
}

/// The checks of the headers of an upload that need nothing stored: a hash, a type accepted.
pub fn check_headers(sha256: &str, media_type: &str) -> Result<(), AttachmentError> {
    if !is_sha256(sha256) {
        return Err(AttachmentError::BadHash);
    }
    if !MEDIA_TYPES.contains(&media_type) {
        return Err(AttachmentError::MediaType);
    }
    Ok(())
}

/// The records, among those referring to a file, that the device may write: those a file it
/// sends is kept through (on either backend).
pub fn sent_through(device: &DeviceAuth, referring: Vec<DocScope>) -> Result<Vec<DocScope>, AttachmentError> {
    let user = ingest::user_scope(device);
    let through: Vec<DocScope> = referring.into_iter().filter(|s| user.may_push(s)).collect();
    if through.is_empty() {
        return Err(AttachmentError::NotYours);
    }
    Ok(through)
}

/// Whether the device may read a file sent through these records.
pub fn may_fetch(device: &DeviceAuth, granted: &[DocScope]) -> bool {
    let user = ingest::user_scope(device);
    granted.iter().any(|s| user.may_pull(s))
}

/// Whether the device may send this file at all, decided on the headers before the body is
/// read: a refused phone on a slow link is not made to send 10 MiB to hear no.
pub fn may_send(conn: &Connection, device: &DeviceAuth, sha256: &str, media_type: &str) -> Result<(), AttachmentError> {
    check_headers(sha256, media_type)?;
    sent_through(device, scopes_of(conn, Table::Refs, sha256)?).map(|_| ())
}

/// Checks the body: its size, that it begins as its type does, and that it is the file the hash
/// names (hashing 10 MiB is kept off the database thread by the caller).
pub fn check_upload(sha256: &str, media_type: &str, data: &[u8]) -> Result<(), AttachmentError> {
    if data.is_empty() || data.len() as u64 > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::Size);
    }
    if !content_matches(media_type, data) {
        return Err(AttachmentError::MediaType);
    }
    if sha256_hex(data) != sha256 {
        return Err(AttachmentError::HashMismatch);
    }
    Ok(())
}

/// Keeps a checked file if a record the device may write refers to it, and lets the readers of
/// those records fetch it; true when the file is new to the server.
pub fn store(
    conn: &Connection,
    device: &DeviceAuth,
    sha256: &str,
    media_type: &str,
    data: &[u8],
    quota: u64,
    now: i64,
) -> Result<bool, AttachmentError> {
    let through = sent_through(device, scopes_of(conn, Table::Refs, sha256)?)?;
    // Their readers may fetch the file: the sender had its bytes and may write these records.
    for doc in &through {
        conn.prepare_cached("INSERT INTO attachment_grants (sha256, doc_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
            .execute(params![sha256, doc.id])?;
    }
    let added = conn
        .prepare_cached(
            "INSERT INTO attachments (sha256, media_type, size, data, received_at, device_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        )?
        .execute(params![sha256, media_type, data.len() as i64, data, now, device.device_id])?;
    if added > 0 {
        // A new file counts against the sender's quota, in the same transaction.
        let within = conn
            .prepare_cached(
                "UPDATE devices SET stored_bytes = stored_bytes + ?2 WHERE device_id = ?1 AND stored_bytes + ?2 <= ?3",
            )?
            .execute(params![device.device_id, data.len() as i64, quota as i64])?;
        if within == 0 {
            return Err(AttachmentError::Quota { limit: quota });
        }
    }
    Ok(added > 0)
}

/// A file and its type, for a device that may read a record referring to it; `None` both when
/// the server does not have it and when the device may not have it (the two look the same).
pub fn load(
    conn: &Connection,
    device: &DeviceAuth,
    sha256: &str,
) -> Result<Option<(String, Vec<u8>)>, AttachmentError> {
    if !is_sha256(sha256) {
        return Err(AttachmentError::BadHash);
    }
    if !may_fetch(device, &scopes_of(conn, Table::Grants, sha256)?) {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached("SELECT media_type, data FROM attachments WHERE sha256 = ?1")?
        .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}
