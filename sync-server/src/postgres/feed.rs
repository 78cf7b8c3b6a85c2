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

use super::PgError;

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
    let rows = tx.query(
        "INSERT INTO changes (hash, doc_id, device_id, received_at, bytes)
             SELECT h, $3, $4, $5, b FROM unnest($1::bytea[], $2::bytea[]) AS t(h, b)
             ON CONFLICT (hash) DO NOTHING
             RETURNING hash",
        &[&hashes, &bytes, &doc_id, &device_id, &received_at],
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
