//! The feed on PostgreSQL, where several instances write at once.
//!
//! An `AUTOINCREMENT` or a sequence numbers rows when they are inserted, not when they commit:
//! with two writers, the one numbered 2 may commit first, a device pulls up to 2, and 1 commits
//! after it, behind that device's cursor, never to be seen (the sequence-gap problem; the test
//! `a_sequence_taken_at_insert_skips_a_change` reproduces it). Here a write inserts its changes
//! first and takes its positions as its last step, by locking the one counter row of
//! `feed_head`, which it holds until it commits: positions are handed out in commit order, and a
//! reader that sees a position sees every one before it.

use postgres::{Client, GenericClient, Transaction};
use serde_bytes::ByteBuf;
use sotay_core::sync::protocol::{Cursor, FeedEntry, MAX_ENTRY_BYTES};
use sotay_core::sync::scope::DocScope;

use super::PgError;
use crate::accounts::DeviceAuth;
use crate::feed::Page;
use crate::holdings::{parse_handlers, stored_kind};
use crate::ingest::user_scope;

/// A change as the server keeps it: its automerge hash and its bytes, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    pub hash: [u8; 32],
    pub bytes: Vec<u8>,
}

impl StoredChange {
    pub fn new(hash: automerge::ChangeHash, bytes: Vec<u8>) -> StoredChange {
        StoredChange { hash: hash.0, bytes }
    }
}

/// One change of the feed, as a device receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedChange {
    pub position: i64,
    pub doc_id: String,
    pub device_id: String,
    pub change: StoredChange,
}

/// Where the feed ends, and which feed it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedHead {
    pub last: i64,
    pub epoch: i64,
}

/// The first step of a write: keeps the changes the server does not hold yet, and returns those,
/// in the order given (a device sends a document's changes in causal order). A change held
/// already, sent again or relayed by another device, is left as it is. Rows are inserted in hash
/// order, so that two writers sharing changes wait for each other rather than deadlock.
pub fn insert_changes(
    tx: &mut Transaction<'_>,
    doc_id: &str,
    device_id: &str,
    received_at: i64,
    changes: &[StoredChange],
) -> Result<Vec<[u8; 32]>, PgError> {
    let mut sorted: Vec<&StoredChange> = changes.iter().collect();
    sorted.sort_by_key(|c| c.hash);
    sorted.dedup_by_key(|c| c.hash);
    let hashes: Vec<&[u8]> = sorted.iter().map(|c| c.hash.as_slice()).collect();
    let bytes: Vec<&[u8]> = sorted.iter().map(|c| c.bytes.as_slice()).collect();
    let digests: Vec<Vec<u8>> = sorted.iter().map(|c| crate::feed::digest(&c.bytes)).collect();
    let rows = tx.query(
        "INSERT INTO changes (hash, doc_id, device_id, received_at, bytes, digest)
             SELECT h, $3, $4, $5, b, d FROM unnest($1::bytea[], $2::bytea[], $6::bytea[]) AS t(h, b, d)
             ON CONFLICT (hash) DO NOTHING
             RETURNING hash",
        &[&hashes, &bytes, &doc_id, &device_id, &received_at, &digests],
    )?;
    let mut inserted: std::collections::HashSet<Vec<u8>> = rows.iter().map(|r| r.get::<_, Vec<u8>>(0)).collect();
    // Taken out as met: a change listed twice is numbered once.
    Ok(changes.iter().filter(|c| inserted.remove(c.hash.as_slice())).map(|c| c.hash).collect())
}

/// The last step of a write before its commit: positions for the changes it inserted, taken
/// under the counter row's lock (held until the transaction ends, so keep what follows short).
pub fn take_positions(tx: &mut Transaction<'_>, new: &[[u8; 32]]) -> Result<Vec<i64>, PgError> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let n = new.len() as i64;
    let last: i64 = tx
        .query_opt("UPDATE feed_head SET last = last + $1 WHERE singleton RETURNING last", &[&n])?
        .ok_or(PgError::CounterMissing)?
        .get(0);
    let positions: Vec<i64> = (last - n + 1..=last).collect();
    let hashes: Vec<&[u8]> = new.iter().map(|h| h.as_slice()).collect();
    tx.execute(
        "UPDATE changes SET position = t.p FROM unnest($1::bytea[], $2::bigint[]) AS t(h, p) WHERE changes.hash = t.h",
        &[&hashes, &positions],
    )?;
    Ok(positions)
}

/// Writes a document's changes sent by one device in one transaction; the positions of those
/// that were new.
pub fn append(
    client: &mut Client,
    doc_id: &str,
    device_id: &str,
    received_at: i64,
    changes: &[StoredChange],
) -> Result<Vec<i64>, PgError> {
    let mut tx = client.transaction()?;
    let new = insert_changes(&mut tx, doc_id, device_id, received_at, changes)?;
    let positions = take_positions(&mut tx, &new)?;
    tx.commit()?;
    Ok(positions)
}

/// Up to `limit` changes after position `after`, in feed order.
pub fn pull(client: &mut impl GenericClient, after: i64, limit: i64) -> Result<Vec<FeedChange>, PgError> {
    let rows = client.query(
        "SELECT position, doc_id, device_id, hash, bytes FROM changes
             WHERE position > $1 ORDER BY position LIMIT $2",
        &[&after, &limit.max(0)],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let hash: Vec<u8> = r.get(3);
        // The column's CHECK keeps it 32 bytes; a row that is not is left out rather than
        // trusted.
        let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) else { continue };
        out.push(FeedChange {
            position: r.get(0),
            doc_id: r.get(1),
            device_id: r.get(2),
            change: StoredChange { hash, bytes: r.get(4) },
        });
    }
    Ok(out)
}

/// The feed's last position and epoch.
pub fn head(client: &mut impl GenericClient) -> Result<FeedHead, PgError> {
    let row =
        client.query_opt("SELECT last, epoch FROM feed_head WHERE singleton", &[])?.ok_or(PgError::CounterMissing)?;
    Ok(FeedHead { last: row.get(0), epoch: row.get(1) })
}

/// After the database was restored from a backup: a new epoch, so that every device's cursor
/// is of another feed and each device reconciles document by document (positions after the
/// backup are handed out again, to other changes). Returns the new epoch.
pub fn new_epoch(client: &mut impl GenericClient) -> Result<i64, PgError> {
    let row = client
        .query_opt(
            "UPDATE feed_head SET epoch = (random() * 9007199254740991)::BIGINT WHERE singleton RETURNING epoch",
            &[],
        )?
        .ok_or(PgError::CounterMissing)?;
    Ok(row.get(0))
}

/// The feed's end as a device's cursor: its position, tagged with the feed's epoch.
pub fn cursor_head(client: &mut impl GenericClient) -> Result<Cursor, PgError> {
    let h = head(client)?;
    Ok(Cursor { seq: h.last as u64, tag: h.epoch as u64 })
}

/// Whether a cursor is of this feed: the empty one, or one of this epoch no further than its end
/// (a cursor of a feed restored from a backup, or made up, is not).
pub fn knows(client: &mut impl GenericClient, cursor: Cursor) -> Result<bool, PgError> {
    if cursor == Cursor::default() {
        return Ok(true);
    }
    let h = head(client)?;
    Ok(cursor.tag == h.epoch as u64 && cursor.seq <= h.last as u64)
}

/// Rows read at a time while a page is filled.
const BATCH: i64 = 512;

/// What a device receives past `cursor`: changes of documents in its scope, not its own unless
/// `echo_own`, in feed order, a document's consecutive changes in one entry, up to about
/// `max_bytes` (at least one entry when one waits, so that a page makes progress). The page's
/// cursor is where the device resumes.
pub fn page_for(
    client: &mut impl GenericClient,
    device: &DeviceAuth,
    cursor: Cursor,
    max_bytes: u32,
    echo_own: bool,
) -> Result<Page, PgError> {
    let user = user_scope(device);
    let end = cursor_head(client)?;
    let mut page = Page { entries: Vec::new(), cursor: end, more: false, damaged: Vec::new() };
    let mut size = 0u64;
    let mut last = cursor.seq as i64;
    let limit = u64::from(max_bytes);
    loop {
        // Documents are filtered by the unit columns first (as on SQLite), then by the scope
        // function itself, which also decides a petition's handlers.
        let rows = client.query(
            "SELECT c.position, c.doc_id, c.device_id, c.received_at, c.bytes,
                    d.kind, d.unit, d.commune, d.district, d.province, d.handlers, c.hash, c.digest
             FROM changes c JOIN documents d ON d.doc_id = c.doc_id
             WHERE c.position > $1 AND c.position <= $2
               AND (d.unit = $3 OR d.commune = $3 OR d.district = $3 OR d.province = $3 OR d.doc_id = $3)
             ORDER BY c.position LIMIT $4",
            &[&last, &(end.seq as i64), &user.unit, &BATCH],
        )?;
        if rows.is_empty() {
            return Ok(page);
        }
        for r in rows {
            let position: i64 = r.get(0);
            let doc_id: &str = r.get(1);
            let from_device: &str = r.get(2);
            let scope = DocScope {
                id: doc_id.to_string(),
                kind: stored_kind(r.get(5)),
                unit: r.get(6),
                commune: r.get(7),
                district: r.get(8),
                province: r.get(9),
                handlers: parse_handlers(r.get(10)),
            };
            if (echo_own || from_device != device.device_id) && user.may_pull(&scope) {
                let bytes: Vec<u8> = r.get(4);
                if !served_intact(r.get(11), &bytes, r.get(12)) {
                    // A change damaged where it is stored: left out and reported, as SQLite's
                    // quarantine does, so that it never stops every device's sync (a phone
                    // refuses a page it cannot apply, and would ask for it again forever).
                    tracing::error!(feed_position = position, "damaged change row left out");
                    page.damaged.push(position);
                    last = position;
                    continue;
                }
                let received_at: i64 = r.get(3);
                let cost = bytes.len() as u64 + 8;
                if !page.entries.is_empty() && size + cost > limit {
                    page.cursor = Cursor { seq: last as u64, tag: end.tag };
                    page.more = true;
                    return Ok(page);
                }
                let Ok(doc) = uuid::Uuid::try_parse(doc_id).map(|u| u.into_bytes()) else {
                    // Written only from checked ids: a row that is not one is left out and
                    // reported, so that it never stops a device's sync.
                    tracing::error!(feed_position = position, "damaged change row left out");
                    page.damaged.push(position);
                    last = position;
                    continue;
                };
                match page.entries.last_mut() {
                    Some(e)
                        if e.doc == doc
                            && e.received_at == received_at
                            && e.changes.iter().map(|c| c.len()).sum::<usize>() + bytes.len() <= MAX_ENTRY_BYTES =>
                    {
                        e.changes.push(ByteBuf::from(bytes));
                    }
                    _ => page.entries.push(FeedEntry { doc, received_at, changes: vec![ByteBuf::from(bytes)] }),
                }
                size += cost;
            }
            last = position;
        }
    }
}

/// Whether a change about to be served is as it was written: by its digest, or, where the row has
/// none (written before digests) or the digest does not match (the digest itself may be what is
/// damaged), by its hash.
pub fn served_intact(hash: &[u8], bytes: &[u8], digest: Option<&[u8]>) -> bool {
    digest.is_some_and(|d| crate::feed::digest(bytes) == d) || intact(hash, bytes)
}

/// Whether stored bytes are still the change their hash keeps them by: they parse, and to that
/// hash (automerge may panic on damaged bytes: that counts as damaged).
pub fn intact(hash: &[u8], bytes: &[u8]) -> bool {
    std::panic::catch_unwind(|| automerge::Change::try_from(bytes).is_ok_and(|c| c.hash().0.as_slice() == hash))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::intact;
    use automerge::transaction::Transactable;

    /// A small change (stored as it is) and a large one (compressed, hashed uncompressed).
    fn changes() -> Vec<(automerge::ChangeHash, Vec<u8>)> {
        // A fixed actor and time: the same bytes on every run, so that the bytes flipped below
        // are the same ones each time.
        let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from([7u8; 16]));
        let at = |t| automerge::transaction::CommitOptions::default().with_time(t);
        doc.put(automerge::ROOT, "title", "Hòa giải tranh chấp ranh giới đất").unwrap();
        doc.commit_with(at(1_764_806_400));
        let long = "Biên bản hòa giải thành giữa hai hộ gia đình ở thôn Nà Khương về lối đi chung. ".repeat(12);
        doc.put(automerge::ROOT, "content", long.as_str()).unwrap();
        doc.commit_with(at(1_764_806_460));
        doc.get_changes(&[]).into_iter().map(|mut c| (c.hash(), c.bytes().into_owned())).collect()
    }

    #[test]
    fn a_change_is_intact_until_a_byte_of_what_it_hashes_changes() {
        let all = changes();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].1[8], 1, "the small change is stored uncompressed");
        assert_eq!(all[1].1[8], 2, "the large one compressed");
        for (hash, bytes) in &all {
            assert!(intact(&hash.0, bytes));
            // Not the checksum's bytes (4..8): automerge, on the phone too, reads a change by
            // what it hashes to, so a damaged checksum leaves the same change.
            for at in [0, 3, 8, 9, bytes.len() / 2, bytes.len() - 1] {
                let mut damaged = bytes.clone();
                damaged[at] ^= 0x5a;
                assert!(!intact(&hash.0, &damaged), "a byte flipped at {at} of {}", bytes.len());
            }
            assert!(!intact(&hash.0, &bytes[..bytes.len() - 1]), "truncated");
            assert!(!intact(&[0u8; 32], bytes), "another hash");
            assert!(!intact(&hash.0[..31], bytes), "a hash of the wrong length");
        }
        assert!(!intact(&all[0].0.0, &all[1].1), "another change's bytes");
    }

    #[test]
    fn a_served_change_is_checked_by_its_digest_then_by_its_hash() {
        use super::served_intact;
        use crate::feed::digest;
        for (hash, bytes) in changes() {
            let mut damaged = bytes.clone();
            let at = bytes.len() / 2;
            damaged[at] ^= 0x5a;
            assert!(served_intact(&hash.0, &bytes, Some(&digest(&bytes))));
            assert!(!served_intact(&hash.0, &damaged, Some(&digest(&bytes))), "damaged bytes");
            assert!(served_intact(&hash.0, &bytes, Some(&[0u8; 32])), "a damaged digest: the hash decides");
            assert!(served_intact(&hash.0, &bytes, None), "a row from before digests");
            assert!(!served_intact(&hash.0, &damaged, None));
        }
    }
}
