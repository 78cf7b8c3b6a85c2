//! The sync protocol's messages and their encoding on the wire (spec: docs/protocol.md).
//!
//! A body is `"STY"`, one version byte, then the message in postcard (compact, varint-based)
//! compressed with raw DEFLATE. Document contents travel as automerge's own binary changes; there
//! is no JSON of document bodies anywhere.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

/// The protocol version this build speaks. Version 2 pages the documents a repair sends whole
/// (`RepairRequest::missing_from`, `RepairResponse::missing_after`); every other message is the
/// same in both. A server answers each request in the version it came in, so a device of
/// version 1 keeps syncing.
pub const VERSION: u8 = 2;
/// The oldest version still understood.
pub const OLDEST_VERSION: u8 = 1;
const MAGIC: &[u8; 3] = b"STY";
/// The media type of every sync body.
pub const CONTENT_TYPE: &str = "application/vnd.sotay.sync";
/// The largest body either side sends or accepts, compressed.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The largest a body may inflate to: a guard against compression bombs.
pub const MAX_DECODED_BYTES: usize = 64 * 1024 * 1024;
/// The largest single change accepted.
pub const MAX_CHANGE_BYTES: usize = 1024 * 1024;
/// How much a device asks for in one response, and the most a server gives, uncompressed.
pub const DEFAULT_PAGE_BYTES: u32 = 512 * 1024;
pub const MAX_PAGE_BYTES: u32 = 4 * 1024 * 1024;
/// How much a device pushes in one request, uncompressed.
pub const PUSH_BATCH_BYTES: usize = 512 * 1024;
/// The most documents one push may name, and the most changes it may carry: the server refuses
/// more (a push naming one document 100,000 times once held the server for 19 s).
pub const MAX_PUSH_DOCS: usize = 1000;
pub const MAX_PUSH_CHANGES: usize = 20_000;
/// The most a document may weigh on the server, its stored snapshot and chunks together.
/// A record with a year of mediation sessions weighs tens of kilobytes.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;
/// A feed entry carries at most this much (or one change, when a change is larger), so that a
/// page of the feed never grows past what a device can receive: large pushes and documents
/// re-sent whole are split over several entries.
pub const MAX_ENTRY_BYTES: usize = 256 * 1024;

/// A document id on the wire: the UUID's 16 bytes.
pub type DocId = [u8; 16];

/// A position in the server's change feed: the entry's sequence number and a random tag the
/// server gave that entry. A server restored from a backup reuses sequence numbers but not tags,
/// so a cursor from before the restore no longer matches and the device is asked to repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cursor {
    pub seq: u64,
    pub tag: u64,
}

/// The changes of one document that the other side lacks, one automerge change per entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocChanges {
    pub doc: DocId,
    pub changes: Vec<ByteBuf>,
}

/// Device → server, the steady state: what the server has not acknowledged, and how far into
/// the server's change feed the device has durably applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub cursor: Cursor,
    pub pushes: Vec<DocChanges>,
    /// The largest response the device wants, uncompressed; the server pages beyond it.
    pub max_response_bytes: u32,
}

/// Changes the server received in one push, as it hands them on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedEntry {
    pub doc: DocId,
    /// Server time when it received them (milliseconds): history's trustworthy clock.
    pub received_at: i64,
    pub changes: Vec<ByteBuf>,
}

/// Server → device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// When the server received this request's pushes.
    pub server_time: i64,
    /// Changes in the device's scope past its cursor, not the device's own, in feed order.
    pub entries: Vec<FeedEntry>,
    /// Where the device's cursor stands once it has applied `entries`.
    pub cursor: Cursor,
    /// More entries wait past `cursor`.
    pub more: bool,
    /// The server cannot trust the device's cursor (one side was restored from a backup):
    /// the device should reconcile document by document (`RepairRequest`).
    pub repair: bool,
}

/// One document's automerge sync message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocMessage {
    pub doc: DocId,
    pub message: ByteBuf,
}

/// Device → server, during a repair: automerge sync messages, per document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairRequest {
    /// In the first round, every document the device holds is listed, so that the server can
    /// send the ones the device lacks.
    pub first_round: bool,
    pub docs: Vec<DocMessage>,
    /// Version 2: the next page of the documents the device lacks, after this id (the server's
    /// `missing_after`), with `held`, every document the device holds.
    pub missing_from: Option<DocId>,
    pub held: Vec<DocId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairResponse {
    pub server_time: i64,
    /// The server's answers to the device's messages (only where it has something to say).
    pub docs: Vec<DocMessage>,
    /// First round (and pages after it): whole documents in the device's scope that the device
    /// did not list, in id order, up to a page.
    pub missing: Vec<FeedEntry>,
    /// The feed position the repair covers: the device's cursor once the repair is done.
    pub cursor: Cursor,
    /// Version 2: more documents the device lacks wait after this id.
    pub missing_after: Option<DocId>,
}

/// The version-1 forms of the repair messages.
#[derive(Serialize, Deserialize)]
struct RepairRequestV1 {
    first_round: bool,
    docs: Vec<DocMessage>,
}

#[derive(Serialize)]
struct RepairResponseV1<'a> {
    server_time: i64,
    docs: &'a [DocMessage],
    missing: &'a [FeedEntry],
    cursor: Cursor,
}

/// A repair request of either version, and the version it came in.
pub fn decode_repair_request(body: &[u8]) -> Result<(RepairRequest, u8), WireError> {
    match version_of(body)? {
        1 => {
            let (v1, _) = decode_versioned::<RepairRequestV1>(body)?;
            Ok((RepairRequest { first_round: v1.first_round, docs: v1.docs, missing_from: None, held: Vec::new() }, 1))
        }
        _ => decode_versioned(body),
    }
}

/// A repair response in `version`: version 1 has no pages (the caller sends everything).
pub fn encode_repair_response(r: &RepairResponse, version: u8) -> Vec<u8> {
    if version == 1 {
        let v1 = RepairResponseV1 { server_time: r.server_time, docs: &r.docs, missing: &r.missing, cursor: r.cursor };
        return encode_as(&v1, 1);
    }
    encode_as(r, version)
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("thân thông điệp không phải thông điệp đồng bộ Sổ Tay / the body is not a Sổ Tay sync message")]
    NotSync,
    #[error(
        "phiên bản giao thức {found} không được hỗ trợ (hỗ trợ {VERSION}) / protocol version {found} is not supported (this side speaks {VERSION})"
    )]
    UnsupportedVersion { found: u8 },
    #[error("thông điệp quá lớn / the message is too large")]
    TooLarge,
    #[error("thông điệp bị hỏng hoặc bị cắt cụt / the message is damaged or truncated")]
    Malformed,
}

/// Encodes a message as a sync body of this version.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    encode_as(message, VERSION)
}

/// Encodes a message as a sync body of `version` (a server answers in the request's).
pub fn encode_as<T: Serialize>(message: &T, version: u8) -> Vec<u8> {
    let raw = postcard::to_stdvec(message).unwrap_or_default();
    let mut out = Vec::with_capacity(raw.len() / 2 + 8);
    out.extend_from_slice(MAGIC);
    out.push(version);
    let mut z = flate2::write::DeflateEncoder::new(out, flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(&raw);
    z.finish().unwrap_or_default()
}

/// The version a body is written in, if it is a sync body of a version this build reads.
pub fn version_of(body: &[u8]) -> Result<u8, WireError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(WireError::TooLarge);
    }
    if body.len() < 4 || &body[..3] != MAGIC {
        return Err(WireError::NotSync);
    }
    if !(OLDEST_VERSION..=VERSION).contains(&body[3]) {
        return Err(WireError::UnsupportedVersion { found: body[3] });
    }
    Ok(body[3])
}

/// Decodes a sync body of a message that is the same in every version this build reads.
pub fn decode<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, WireError> {
    decode_versioned(body).map(|(m, _)| m)
}

/// Decodes a sync body, refusing anything that is not exactly such a message; returns the
/// version it was written in.
pub fn decode_versioned<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<(T, u8), WireError> {
    let version = version_of(body)?;
    let mut raw = Vec::new();
    let mut inflater = flate2::read::DeflateDecoder::new(&body[4..]).take(MAX_DECODED_BYTES as u64 + 1);
    inflater.read_to_end(&mut raw).map_err(|_| WireError::Malformed)?;
    if raw.len() > MAX_DECODED_BYTES {
        return Err(WireError::TooLarge);
    }
    let (message, rest) = postcard::take_from_bytes::<T>(&raw).map_err(|_| WireError::Malformed)?;
    if !rest.is_empty() {
        return Err(WireError::Malformed);
    }
    Ok((message, version))
}

/// The uncompressed size a message takes in postcard (for paging).
pub fn encoded_len<T: Serialize>(message: &T) -> usize {
    postcard::experimental::serialized_size(message).unwrap_or(usize::MAX)
}

pub fn doc_id(id: &str) -> Option<DocId> {
    uuid::Uuid::try_parse(id).ok().map(|u| *u.as_bytes())
}

pub fn doc_id_string(id: &DocId) -> String {
    uuid::Uuid::from_bytes(*id).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SyncRequest {
        SyncRequest {
            cursor: Cursor { seq: 1234, tag: 0x0123_4567_89ab_cdef },
            pushes: vec![DocChanges { doc: [7; 16], changes: vec![ByteBuf::from(vec![1, 2, 3, 200])] }],
            max_response_bytes: DEFAULT_PAGE_BYTES,
        }
    }

    #[test]
    fn round_trips_and_stays_small() {
        let body = encode(&request());
        assert_eq!(decode::<SyncRequest>(&body).unwrap(), request());
        let cursor = Cursor { seq: 1_000_000, tag: u64::MAX - 7 };
        let empty = SyncRequest { cursor, pushes: vec![], max_response_bytes: DEFAULT_PAGE_BYTES };
        assert!(encode(&empty).len() < 32, "{}", encode(&empty).len());
    }

    #[test]
    fn refuses_what_is_not_a_message_of_this_version() {
        let body = encode(&request());
        assert_eq!(decode::<SyncRequest>(b"hello"), Err(WireError::NotSync));
        assert_eq!(decode::<SyncRequest>(b""), Err(WireError::NotSync));
        let mut wrong = body.clone();
        wrong[3] = 9;
        assert_eq!(
            decode::<SyncRequest>(&{
                let mut zero = body.clone();
                zero[3] = 0;
                zero
            }),
            Err(WireError::UnsupportedVersion { found: 0 })
        );
        assert_eq!(decode::<SyncRequest>(&wrong), Err(WireError::UnsupportedVersion { found: 9 }));
        assert_eq!(decode::<SyncRequest>(&body[..body.len() / 2]), Err(WireError::Malformed));
        let mut garbage = body[..4].to_vec();
        garbage.extend_from_slice(&[0xff; 64]);
        assert_eq!(decode::<SyncRequest>(&garbage), Err(WireError::Malformed));
        // A response is not a request.
        // Another message's body (postcard is not self-describing: the route says which message a
        // body is, and a body of another shape is refused as long as it does not parse as this one;
        // an empty version-2 repair request happens to, byte for byte).
        let resp = encode(&RepairRequestV1 { first_round: true, docs: vec![] });
        assert!(decode::<SyncRequest>(&resp).is_err());
    }

    #[test]
    fn version_1_repairs_are_read_and_answered_in_version_1() {
        let v1 = encode_as(&RepairRequestV1 { first_round: true, docs: vec![] }, 1);
        let (req, version) = decode_repair_request(&v1).unwrap();
        assert_eq!((req.first_round, req.missing_from, version), (true, None, 1));
        let r = RepairResponse {
            server_time: 5,
            docs: vec![],
            missing: vec![],
            cursor: Cursor { seq: 3, tag: 4 },
            missing_after: Some([1; 16]),
        };
        let answer = encode_repair_response(&r, 1);
        assert_eq!(answer[3], 1);
        #[derive(Deserialize)]
        struct Old {
            server_time: i64,
            _docs: Vec<DocMessage>,
            _missing: Vec<FeedEntry>,
            cursor: Cursor,
        }
        let old: Old = decode(&answer).unwrap();
        assert_eq!((old.server_time, old.cursor), (5, Cursor { seq: 3, tag: 4 }));
        // A version-2 request is read whole.
        let v2 = encode(&RepairRequest {
            first_round: false,
            docs: vec![],
            missing_from: Some([2; 16]),
            held: vec![[3; 16]],
        });
        assert_eq!(decode_repair_request(&v2).unwrap().0.held, vec![[3; 16]]);
    }

    #[test]
    fn refuses_compression_bombs() {
        let mut z = flate2::write::DeflateEncoder::new(b"STY\x01".to_vec(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..(MAX_DECODED_BYTES / zeros.len() + 2) {
            z.write_all(&zeros).unwrap();
        }
        let bomb = z.finish().unwrap();
        assert!(bomb.len() < MAX_BODY_BYTES);
        assert_eq!(decode::<SyncRequest>(&bomb), Err(WireError::TooLarge));
    }
}
