//! Entry points for the fuzz targets (`fuzz/`, cargo-fuzz) and for the test that replays their
//! corpus on stable Rust (`tests/fuzz_corpus.rs`): the protocol decoder, the server's handling
//! of a push (bytes → documents → validation → scope) against a throwaway database, the
//! document tree read, and the attachment headers. Each returns a value or a typed error for any
//! input; a panic or an abort here is a bug the fuzzer reports.
//!
//! Also the crafting of hostile changes the end-to-end tests send: mutants of a valid change
//! with their checksum recomputed (so that automerge parses them), and deep nesting.

use rusqlite::Connection;
use sha2::{Digest, Sha256};
use sotay_core::document::Document;
use sotay_core::sync::protocol::{self, DocChanges, SyncRequest};

use crate::accounts::{DeviceAuth, User};
use crate::db::DocCache;
use crate::ingest::{self, IngestError, Pusher};
use crate::limits::Limits;

/// The user and device the fuzz harness pushes as; corpus changes are written in their name.
pub const FUZZ_USER: &str = "can.bo.fuzz";
pub const FUZZ_DEVICE: &str = "0195f3a2-7c1d-7000-8000-00000000f022";
/// Xã Lâm Bình, the harness user's commune.
pub const FUZZ_COMMUNE: &str = "02266";

/// A migrated server database in memory with the harness's user and device.
pub struct Harness {
    conn: Connection,
    cache: DocCache,
    device: DeviceAuth,
    limits: Limits,
}

impl Harness {
    pub fn new() -> Result<Harness, crate::db::DbError> {
        let conn = crate::db::open_memory()?;
        conn.execute(
            "INSERT INTO users (login, display_name, role, unit, created_at) VALUES (?1, 'Fuzz', 'commune-official', ?2, 0)",
            [FUZZ_USER, FUZZ_COMMUNE],
        )?;
        conn.execute(
            "INSERT INTO devices (device_id, login, name, token_hash, enrolled_at) VALUES (?1, ?2, 'fuzz', x'00', 0)",
            [FUZZ_DEVICE, FUZZ_USER],
        )?;
        let device = DeviceAuth {
            device_id: FUZZ_DEVICE.into(),
            user: User {
                login: FUZZ_USER.into(),
                display_name: "Fuzz".into(),
                role: sotay_core::store::Role::CommuneOfficial,
                unit: FUZZ_COMMUNE.into(),
                disabled: false,
            },
            confirmed_cursor: 0,
            issued_cursor: 0,
        };
        Ok(Harness { conn, cache: DocCache::new(1 << 20), device, limits: Limits::default() })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn device(&self) -> &DeviceAuth {
        &self.device
    }

    pub fn cache(&self) -> &DocCache {
        &self.cache
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A sync body as the server handles it: decoded, staged, and committed when it passes.
    pub fn sync_body(&self, body: &[u8]) -> Result<usize, BodyError> {
        let req: SyncRequest = protocol::decode(body)?;
        Ok(self.push(&req.pushes)?)
    }

    /// Changes of one new document, pushed under the id `doc`.
    pub fn push_change(&self, doc: [u8; 16], change: &[u8]) -> Result<usize, IngestError> {
        self.push(&[DocChanges { doc, changes: vec![serde_bytes::ByteBuf::from(change.to_vec())] }])
    }

    /// The writer of the harness's user and device, as that device writes.
    pub fn writer(&self) -> sotay_core::document::Writer {
        sotay_core::document::Writer {
            author: sotay_core::record::Author { user: FUZZ_USER.into(), device: FUZZ_DEVICE.into() },
            actor: automerge::ActorId::random(),
            now: 0,
        }
    }

    /// A new record of the harness's commune, written as its device writes one, pushed.
    pub fn push_record(&self, body: &sotay_core::record::RecordBody) -> Result<(String, Document), IngestError> {
        let id = uuid::Uuid::now_v7().to_string();
        let new = sotay_core::document::NewDocument {
            id: &id,
            kind: body.kind().into(),
            unit: FUZZ_COMMUNE,
            commune: FUZZ_COMMUNE,
            body: body.to_value(),
        };
        let mut doc = Document::create(new, &self.writer()).map_err(|_| IngestError::BadChange { doc: id.clone() })?;
        self.push_document(&id, &mut doc, &[])?;
        Ok((id, doc))
    }

    /// Pushes a document's changes since `heads` (what the server already holds).
    pub fn push_document(
        &self,
        id: &str,
        doc: &mut Document,
        heads: &[automerge::ChangeHash],
    ) -> Result<usize, IngestError> {
        let doc_id = protocol::doc_id(id).ok_or(IngestError::BadId)?;
        let changes = doc.changes_since(heads).into_iter().map(|(_, b)| serde_bytes::ByteBuf::from(b)).collect();
        self.push(&[DocChanges { doc: doc_id, changes }])
    }

    fn push(&self, pushes: &[DocChanges]) -> Result<usize, IngestError> {
        let pusher = Pusher::new(&self.conn, &self.device)?;
        let staged = ingest::stage_push(&self.conn, &self.cache, &pusher, &self.limits, pushes)?;
        let n = staged.len();
        ingest::commit(&self.conn, &self.device, &self.limits, &staged, 0)?;
        Ok(n)
    }
}

/// Why a sync body was refused, for the body target.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error(transparent)]
    Wire(#[from] protocol::WireError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
}

/// Why a document could not be read, for the tree target.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("not a document")]
    Load,
    #[error("too deep")]
    TooDeep,
    #[error("no envelope")]
    Envelope,
    #[error("panicked")]
    Panicked,
}

/// A saved document, loaded, checked for depth and read as a tree, as the server and devices
/// read documents.
pub fn read_tree(bytes: &[u8]) -> Result<usize, TreeError> {
    ingest::guarded("tree", || {
        let Ok(mut doc) = Document::load(bytes, std::iter::empty()) else { return Ok(Err(TreeError::Load)) };
        let hashes: Vec<_> = doc.changes_since(&[]).into_iter().map(|(h, _)| h).collect();
        if doc.check_depth(&hashes).is_err() {
            return Ok(Err(TreeError::TooDeep));
        }
        Ok(doc.contents().map(|(_, body)| body.to_string().len()).map_err(|_| TreeError::Envelope))
    })
    .unwrap_or(Err(TreeError::Panicked))
}

/// The headers of a file upload: the first line is the hash, the second the media type, the
/// rest the body, checked as `PUT /v1/attachments/{sha256}` checks them before storing.
pub fn attachment_headers(input: &[u8]) -> Result<(), crate::attachments::AttachmentError> {
    use crate::attachments::AttachmentError;
    let mut parts = input.splitn(3, |b| *b == b'\n');
    let sha = std::str::from_utf8(parts.next().unwrap_or_default()).map_err(|_| AttachmentError::BadHash)?;
    let media = std::str::from_utf8(parts.next().unwrap_or_default()).map_err(|_| AttachmentError::MediaType)?;
    let body = parts.next().unwrap_or_default();
    if !sotay_core::record::attachment::is_sha256(sha) {
        return Err(AttachmentError::BadHash);
    }
    if !sotay_core::record::attachment::MEDIA_TYPES.contains(&media) {
        return Err(AttachmentError::MediaType);
    }
    crate::attachments::check_upload(sha, media, body)
}

fn leb128(mut v: usize, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// A change as automerge encodes it uncompressed: magic, checksum, type 1, length, body.
fn change_body(change: &[u8]) -> Option<Vec<u8>> {
    let c = automerge::Change::try_from(change).ok()?;
    let raw = c.raw_bytes().to_vec();
    // Past the chunk type (byte 8) and the LEB128 length that follows it.
    let mut at = 9;
    while raw.get(at).is_some_and(|b| b & 0x80 != 0) {
        at += 1;
    }
    raw.get(at + 1..).map(<[u8]>::to_vec)
}

/// Re-frames a change body with a valid checksum, so that automerge parses it.
pub fn frame_change(body: &[u8]) -> Vec<u8> {
    let mut hashed = vec![1u8];
    leb128(body.len(), &mut hashed);
    hashed.extend_from_slice(body);
    let sum = Sha256::digest(&hashed);
    let mut out = vec![0x85, 0x6f, 0x4a, 0x83];
    out.extend_from_slice(&sum[..4]);
    out.extend_from_slice(&hashed);
    out
}

/// Mutants of `change` (bytes of its body replaced, checksum recomputed) that make automerge
/// panic somewhere on the server's path (applying, listing, decoding, reading the tree),
/// found by trying at most `tries` of them; `seed` makes the search repeatable.
pub fn panicking_mutants(change: &[u8], wanted: usize, tries: usize, seed: u64) -> Vec<Vec<u8>> {
    let Some(body) = change_body(change) else { return Vec::new() };
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut found = Vec::new();
    for _ in 0..tries {
        if found.len() >= wanted || body.is_empty() {
            break;
        }
        let mut b = body.clone();
        for _ in 0..1 + next() % 3 {
            let at = next() as usize % b.len();
            b[at] = next() as u8;
        }
        let framed = frame_change(&b);
        let panicked = std::panic::catch_unwind(|| {
            let Ok(c) = automerge::Change::try_from(framed.as_slice()) else { return };
            let mut doc = automerge::AutoCommit::new();
            if doc.apply_changes([c]).is_err() {
                return;
            }
            for c in doc.get_changes(&[]) {
                let _ = c.decode();
            }
            let _ = automerge::ReadDoc::hydrate(&doc, &automerge::ROOT, None);
            let _ = doc.save();
        })
        .is_err();
        if panicked {
            found.push(framed);
        }
    }
    found
}

/// One change that nests `depth` maps inside each other under the root's `body`, written as
/// `user` from `device`, for the document `id`; with `hide`, a second change deletes the nest
/// again (the current state is shallow, the history is not).
pub fn deep_nesting(id: &str, user: &str, device: &str, depth: usize, hide: bool) -> Vec<Vec<u8>> {
    use automerge::transaction::Transactable;
    let mut doc = automerge::AutoCommit::new();
    let message = serde_json::json!({"user": user, "device": device}).to_string();
    let options = || automerge::transaction::CommitOptions::default().with_message(message.clone()).with_time(0);
    let _ = doc.put(automerge::ROOT, "id", id);
    let _ = doc.put(automerge::ROOT, "kind", "dialogue");
    let _ = doc.put(automerge::ROOT, "schema", 1u64);
    let _ = doc.put(automerge::ROOT, "unit", FUZZ_COMMUNE);
    let _ = doc.put(automerge::ROOT, "commune", FUZZ_COMMUNE);
    let mut obj = automerge::ROOT;
    for level in 0..depth {
        let key = if level == 0 { "body" } else { "x" };
        match doc.put_object(&obj, key, automerge::ObjType::Map) {
            Ok(o) => obj = o,
            Err(_) => break,
        }
    }
    doc.commit_with(options());
    if hide {
        let _ = doc.delete(automerge::ROOT, "body");
        doc.commit_with(options());
    }
    doc.get_changes(&[]).into_iter().map(|mut c| c.bytes().into_owned()).collect()
}
