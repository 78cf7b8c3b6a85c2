//! Files attached to records on PostgreSQL, by hash in the database, so that every instance
//! serves every file. Who may send and fetch one is [`crate::attachments`]'s rule; the SQL is
//! this backend's.

use postgres::Client;
use sotay_core::record::attachment::is_sha256;
use sotay_core::sync::scope::DocScope;

use super::holdings::PgHoldings;
use crate::accounts::DeviceAuth;
use crate::attachments::{self, AttachmentError};
use crate::holdings::Holdings;
use crate::ingest::IngestError;

impl From<postgres::Error> for AttachmentError {
    fn from(e: postgres::Error) -> Self {
        AttachmentError::Storage(IngestError::from(e))
    }
}

/// The scopes of the documents that refer to a file (`grants` false) or that it was sent
/// through (`grants` true).
fn scopes_of(client: &mut Client, grants: bool, sha256: &str) -> Result<Vec<DocScope>, AttachmentError> {
    let sql = if grants {
        "SELECT doc_id FROM attachment_grants WHERE sha256 = $1"
    } else {
        "SELECT doc_id FROM attachment_refs WHERE sha256 = $1"
    };
    let ids: Vec<String> = client.query(sql, &[&sha256])?.iter().map(|r| r.get(0)).collect();
    let holdings = PgHoldings::new(client);
    let mut scopes = Vec::new();
    for id in ids {
        scopes.extend(holdings.document_row(&id)?.map(|r| r.scope));
    }
    Ok(scopes)
}

/// As [`attachments::may_send`]: decided on the headers, before the body is read.
pub fn may_send(
    client: &mut Client,
    device: &DeviceAuth,
    sha256: &str,
    media_type: &str,
) -> Result<(), AttachmentError> {
    attachments::check_headers(sha256, media_type)?;
    attachments::sent_through(device, scopes_of(client, false, sha256)?).map(|_| ())
}

/// As [`attachments::store`], in one transaction: the grants, the file, and its size against the
/// sender's quota. True when the file is new.
pub fn store(
    client: &mut Client,
    device: &DeviceAuth,
    sha256: &str,
    media_type: &str,
    data: &[u8],
    quota: u64,
    now: i64,
) -> Result<bool, AttachmentError> {
    let through = attachments::sent_through(device, scopes_of(client, false, sha256)?)?;
    let mut tx = client.transaction()?;
    let ids: Vec<&str> = through.iter().map(|s| s.id.as_str()).collect();
    tx.execute(
        "INSERT INTO attachment_grants (sha256, doc_id) SELECT $1, d FROM unnest($2::text[]) AS t(d)
         ON CONFLICT DO NOTHING",
        &[&sha256, &ids],
    )?;
    let added = tx.execute(
        "INSERT INTO attachments (sha256, media_type, size, data, received_at, device_id)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        &[&sha256, &media_type, &(data.len() as i64), &data, &now, &device.device_id],
    )?;
    if added > 0 {
        let within = tx.execute(
            "UPDATE devices SET stored_bytes = stored_bytes + $2 WHERE device_id = $1 AND stored_bytes + $2 <= $3",
            &[&device.device_id, &(data.len() as i64), &(quota as i64)],
        )?;
        if within == 0 {
            return Err(AttachmentError::Quota { limit: quota });
        }
    }
    tx.commit()?;
    Ok(added > 0)
}

/// As [`attachments::load`]: `None` both when the server does not have the file and when the
/// device may not have it.
pub fn load(
    client: &mut Client,
    device: &DeviceAuth,
    sha256: &str,
) -> Result<Option<(String, Vec<u8>)>, AttachmentError> {
    if !is_sha256(sha256) {
        return Err(AttachmentError::BadHash);
    }
    if !attachments::may_fetch(device, &scopes_of(client, true, sha256)?) {
        return Ok(None);
    }
    let row = client.query_opt("SELECT media_type, data FROM attachments WHERE sha256 = $1", &[&sha256])?;
    Ok(row.map(|r| (r.get(0), r.get(1))))
}
