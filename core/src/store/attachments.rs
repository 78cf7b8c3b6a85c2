//! Files attached to records, kept content-addressed (SHA-256) in the encrypted store. A file
//! is attached to a record on the phone (the record gains a reference; the bytes wait here),
//! sent to the server after the record that references it, and fetched by the other phones that
//! may read that record. When files go is the sync policy's call (unmetered networks unless the
//! user allows mobile data); sync is told.

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::Store;
use crate::error::{CoreError, FieldError, Result};
use crate::record::RecordBody;
use crate::record::attachment::{self, MAX_ATTACHMENT_BYTES};
use crate::record::common::AttachmentRef;
use crate::text::nfc;

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

impl Store {
    /// Attaches a file to a record (a mediation case: the kind whose law asks for its papers);
    /// returns the reference added to the record. Nothing changes when the file is refused.
    pub fn attach(&mut self, record_id: &str, name: &str, media_type: &str, data: &[u8]) -> Result<AttachmentRef> {
        let name = nfc(name.trim());
        let sha256 = sha256_hex(data);
        let size = data.len() as u64;
        let mut errors = Vec::new();
        attachment::check("attachments", &name, media_type, &sha256, size, &mut errors);
        if errors.is_empty() && !attachment::content_matches(media_type, data) {
            errors.push(FieldError::new(
                "attachments.media_type",
                crate::error::Problem::InvalidValue {
                    expected: "a file whose content is of its type (JPEG, PNG or PDF)".into(),
                },
            ));
        }
        if !errors.is_empty() {
            return Err(CoreError::invalid(errors));
        }
        let RecordBody::Mediation(mut case) = self.record(record_id)?.body else {
            return Err(CoreError::field(FieldError::inconsistent(
                "attachments",
                "loại hồ sơ này không có tệp đính kèm",
                "this kind of record takes no attachments",
            )));
        };
        // The same file twice in a case is one file.
        if let Some(existing) = case.attachments.iter().find(|a| a.sha256 == sha256) {
            return Ok(existing.clone());
        }
        // The bytes first: a reference never points at a file this phone does not have. A file
        // this phone already had (fetched, or sent with another case) is sent again: the server
        // lets a case's readers have a file only once its bytes were sent through that case.
        self.conn.execute(
            "INSERT INTO attachments (sha256, media_type, size, data) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (sha256) DO UPDATE SET sent = 0",
            params![sha256, media_type, size as i64, data],
        )?;
        let reference = AttachmentRef { id: String::new(), name, media_type: media_type.to_string(), sha256, size };
        case.attachments.push(reference.clone());
        if let Err(e) = self.update_record(record_id, RecordBody::Mediation(case)) {
            self.forget_unreferenced(&reference.sha256)?;
            return Err(e);
        }
        let body = self.record(record_id)?.body;
        let RecordBody::Mediation(saved) = body else { unreachable!("the kind of a record cannot change") };
        Ok(saved.attachments.into_iter().rev().find(|a| a.sha256 == reference.sha256).unwrap_or(reference))
    }

    /// A file's bytes, when this phone has them (another phone's file arrives with a sync that
    /// is allowed to fetch files).
    pub fn attachment(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.conn.query_row("SELECT data FROM attachments WHERE sha256 = ?1", [sha256], |r| r.get(0)).optional()?)
    }

    /// Files attached here that the server does not have yet, with their media types.
    pub fn attachments_to_send(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT sha256, media_type FROM attachments WHERE sent = 0 ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn mark_attachment_sent(&mut self, sha256: &str) -> Result<()> {
        self.conn.execute("UPDATE attachments SET sent = 1 WHERE sha256 = ?1", [sha256])?;
        Ok(())
    }

    /// The server refused the file (its case was set aside, say): not sent again unless it is
    /// attached anew.
    pub fn mark_attachment_refused(&mut self, sha256: &str) -> Result<()> {
        self.conn.execute("UPDATE attachments SET sent = 2 WHERE sha256 = ?1 AND sent = 0", [sha256])?;
        Ok(())
    }

    /// Forgets unsent files no record refers to any more (their reference was edited away).
    pub fn forget_unreferenced_attachments(&mut self) -> Result<usize> {
        // Mostly nothing waits: then no record need be read.
        let unsent: i64 = self.conn.query_row("SELECT count(*) FROM attachments WHERE sent != 1", [], |r| r.get(0))?;
        if unsent == 0 {
            return Ok(0);
        }
        let referenced: std::collections::HashSet<String> =
            self.referenced_attachments(true)?.into_iter().map(|a| a.sha256).collect();
        let unsent: Vec<String> = {
            let mut stmt = self.conn.prepare("SELECT sha256 FROM attachments WHERE sent != 1")?;
            stmt.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?
        };
        let mut forgotten = 0;
        for sha in unsent.into_iter().filter(|s| !referenced.contains(s)) {
            forgotten += self.conn.execute("DELETE FROM attachments WHERE sha256 = ?1", [sha])?;
        }
        Ok(forgotten)
    }

    /// Files the records on this phone refer to and this phone does not have.
    pub fn attachments_to_fetch(&self) -> Result<Vec<AttachmentRef>> {
        let mut missing: Vec<AttachmentRef> = Vec::new();
        // Files of deleted cases are not fetched.
        for a in self.referenced_attachments(false)? {
            let have = self
                .conn
                .query_row("SELECT 1 FROM attachments WHERE sha256 = ?1", [&a.sha256], |_| Ok(()))
                .optional()?;
            if have.is_none() && attachment::is_sha256(&a.sha256) && !missing.iter().any(|m| m.sha256 == a.sha256) {
                missing.push(a);
            }
        }
        Ok(missing)
    }

    /// Keeps a file fetched from the server, if it is the file the reference names.
    pub fn store_fetched_attachment(&mut self, reference: &AttachmentRef, data: &[u8]) -> Result<bool> {
        if data.len() as u64 > MAX_ATTACHMENT_BYTES || sha256_hex(data) != reference.sha256 {
            return Ok(false);
        }
        self.conn.execute(
            "INSERT INTO attachments (sha256, media_type, size, data, sent) VALUES (?1, ?2, ?3, ?4, 1) ON CONFLICT DO NOTHING",
            params![reference.sha256, reference.media_type, data.len() as i64, data],
        )?;
        Ok(true)
    }

    /// How many files wait to be sent.
    pub fn attachments_pending(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM attachments WHERE sent = 0", [], |r| r.get::<_, i64>(0))? as u64)
    }

    fn forget_unreferenced(&mut self, sha256: &str) -> Result<()> {
        if !self.referenced_attachments(true)?.iter().any(|a| a.sha256 == sha256) {
            self.conn.execute("DELETE FROM attachments WHERE sha256 = ?1 AND sent = 0", [sha256])?;
        }
        Ok(())
    }

    /// Every file reference of the records on this phone (mediation cases are the kind with files).
    fn referenced_attachments(&self, include_deleted: bool) -> Result<Vec<AttachmentRef>> {
        let filter = super::RecordFilter {
            kinds: vec![crate::record::RecordKind::Mediation],
            include_deleted,
            limit: u32::MAX,
            ..Default::default()
        };
        let mut all = Vec::new();
        for summary in self.list(&filter)? {
            if let RecordBody::Mediation(case) = self.record(&summary.id)?.body {
                all.extend(case.attachments);
            }
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests;
