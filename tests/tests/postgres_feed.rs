//! The feed on PostgreSQL with several writers at once (issue 12): a change is never skipped by
//! a device's cursor, however the writers' transactions interleave, and never served twice.
//! Each test starts a throwaway cluster (tests/src/postgres.rs).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postgres::{Client, NoTls};
use sotay_core::document::{Document, NewDocument, Writer};
use sotay_core::record::{Author, DocumentKind};
use sotay_core::sample::Sampler;
use sotay_e2e::postgres::Cluster;
use sotay_server::postgres::feed::{self, StoredChange};

/// A document's changes as one writer sent them.
type Sent = (String, Vec<StoredChange>);

fn connect(cluster: &Cluster) -> Client {
    Client::connect(&cluster.url(), NoTls).expect("connect")
}

fn migrated(cluster: &Cluster) -> Client {
    let mut client = connect(cluster);
    sotay_server::postgres::migrate(&mut client).expect("migrate");
    client
}

/// A new record of the sampler's, as the changes its device sends.
fn record(sampler: &mut Sampler, writer: &Writer) -> (String, Vec<StoredChange>) {
    let body = sampler.any_body();
    let id = uuid::Uuid::now_v7().to_string();
    let new = NewDocument {
        id: &id,
        kind: DocumentKind::from(body.kind()),
        unit: sotay_e2e::COMMUNE,
        commune: sotay_e2e::COMMUNE,
        body: body.to_value(),
    };
    let mut doc = Document::create(new, writer).expect("document");
    let mut changes: Vec<StoredChange> =
        doc.changes_since(&[]).into_iter().map(|(h, b)| StoredChange::new(h, b)).collect();
    // And an edit, so that a document has several changes in causal order.
    let heads = doc.heads();
    doc.update_body(sampler.any_body().to_value(), writer).ok();
    changes.extend(doc.changes_since(&heads).into_iter().map(|(h, b)| StoredChange::new(h, b)));
    (id, changes)
}

fn writer(device: &str) -> Writer {
    Writer {
        author: Author { user: format!("can.bo.{device}"), device: device.into() },
        actor: automerge::ActorId::random(),
        now: 0,
    }
}

/// The problem itself, on a plain table numbered at insert: the transaction numbered first
/// commits last, and a reader that followed the numbers has gone past it.
#[test]
fn a_sequence_taken_at_insert_skips_a_change() {
    let cluster = Cluster::start();
    let mut first = connect(&cluster);
    let mut second = connect(&cluster);
    let mut reader = connect(&cluster);
    reader.batch_execute("CREATE TABLE naive (seq BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)").unwrap();

    let mut tx = first.transaction().unwrap();
    tx.execute("INSERT INTO naive (v) VALUES ('biên bản họp thôn')", &[]).unwrap();
    second.execute("INSERT INTO naive (v) VALUES ('vụ hòa giải')", &[]).unwrap();
    let cursor: i64 = reader.query_one("SELECT max(seq) FROM naive", &[]).unwrap().get(0);
    assert_eq!(cursor, 2, "the later-numbered write is seen first");
    tx.commit().unwrap();

    let after: i64 = reader.query_one("SELECT count(*) FROM naive WHERE seq > $1", &[&cursor]).unwrap().get(0);
    let all: i64 = reader.query_one("SELECT count(*) FROM naive", &[]).unwrap().get(0);
    assert_eq!((after, all), (0, 2), "the first write is behind the cursor: a device following it never gets it");
}

/// The same interleaving through the feed: the transaction held open takes its position only
/// when it is about to commit, after the one that committed first.
#[test]
fn a_write_held_open_while_a_later_one_commits_is_not_skipped() {
    let cluster = Cluster::start();
    let mut first = migrated(&cluster);
    let mut second = connect(&cluster);
    let mut reader = connect(&cluster);
    let mut sampler = Sampler::new(12);
    let (doc_a, changes_a) = record(&mut sampler, &writer("a"));
    let (doc_b, changes_b) = record(&mut sampler, &writer("b"));

    let mut tx = first.transaction().unwrap();
    let new_a = feed::insert_changes(&mut tx, &doc_a, "a", 1, &changes_a).unwrap();
    assert_eq!(new_a.len(), changes_a.len());
    let positions_b = feed::append(&mut second, &doc_b, "b", 2, &changes_b).unwrap();
    assert_eq!(positions_b, (1..=changes_b.len() as i64).collect::<Vec<_>>());

    let seen = feed::pull(&mut reader, 0, 100).unwrap();
    assert!(seen.iter().all(|c| c.doc_id == doc_b), "the uncommitted write is not visible");
    let cursor = seen.last().map(|c| c.position).unwrap();

    let positions_a = feed::take_positions(&mut tx, &new_a).unwrap();
    tx.commit().unwrap();
    assert!(positions_a.iter().all(|p| *p > cursor), "numbered after what the reader has seen");
    let later = feed::pull(&mut reader, cursor, 100).unwrap();
    assert_eq!(later.iter().map(|c| c.change.clone()).collect::<Vec<_>>(), changes_a, "in the order sent");
}

/// Once a writer holds the counter, a later writer waits for its commit before numbering.
#[test]
fn a_writer_numbering_waits_for_the_one_before_to_commit() {
    let cluster = Cluster::start();
    let mut first = migrated(&cluster);
    let mut sampler = Sampler::new(13);
    let (doc_a, changes_a) = record(&mut sampler, &writer("a"));
    let (doc_b, changes_b) = record(&mut sampler, &writer("b"));

    let mut tx = first.transaction().unwrap();
    let new_a = feed::insert_changes(&mut tx, &doc_a, "a", 1, &changes_a).unwrap();
    let positions_a = feed::take_positions(&mut tx, &new_a).unwrap();

    let mut second = connect(&cluster);
    let later = std::thread::spawn(move || feed::append(&mut second, &doc_b, "b", 2, &changes_b));
    std::thread::sleep(Duration::from_millis(300));
    assert!(!later.is_finished(), "the second writer waits on the counter row");
    tx.commit().unwrap();
    let positions_b = later.join().unwrap().unwrap();
    assert!(positions_b.iter().all(|b| positions_a.iter().all(|a| b > a)));
}

#[test]
fn a_change_sent_again_or_relayed_is_kept_once() {
    let cluster = Cluster::start();
    let mut client = migrated(&cluster);
    let mut sampler = Sampler::new(14);
    let (doc, changes) = record(&mut sampler, &writer("a"));
    let first = feed::append(&mut client, &doc, "a", 1, &changes).unwrap();
    assert_eq!(first.len(), changes.len());
    assert!(feed::append(&mut client, &doc, "a", 2, &changes).unwrap().is_empty(), "sent again");
    assert!(feed::append(&mut client, &doc, "b", 3, &changes[..1]).unwrap().is_empty(), "relayed");
    let all = feed::pull(&mut client, 0, 100).unwrap();
    assert_eq!(all.len(), changes.len());
    assert!(all.iter().all(|c| c.device_id == "a"), "kept as first received");
    assert_eq!(feed::head(&mut client).unwrap().last, changes.len() as i64);
    // The schema migrates once, however many instances start.
    let version = sotay_server::postgres::migrate(&mut client).unwrap();
    let steps: i64 = client.query_one("SELECT count(*) FROM schema_version", &[]).unwrap().get(0);
    assert_eq!(steps as usize, version, "each step applied once");
}

/// Eight writers at once, some relaying each other's changes, and a reader following the feed
/// with a cursor the whole time: the reader ends with every change exactly once, in positions
/// without a gap.
#[test]
fn many_writers_at_once_a_reader_misses_nothing_and_sees_nothing_twice() {
    const WRITERS: usize = 8;
    const RECORDS: usize = 30;
    let cluster = Cluster::start();
    let _ = migrated(&cluster);
    let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));

    let mut reader = connect(&cluster);
    let reading = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut cursor = 0;
            let mut seen = Vec::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let page = feed::pull(&mut reader, cursor, 17).unwrap();
                for c in &page {
                    assert_eq!(c.position, cursor + 1, "positions follow each other with no gap");
                    cursor = c.position;
                }
                let empty = page.is_empty();
                seen.extend(page);
                if finished && empty {
                    return seen;
                }
                if empty {
                    std::thread::yield_now();
                }
            }
        })
    };

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let mut client = connect(&cluster);
        let sent = sent.clone();
        writers.push(std::thread::spawn(move || {
            let mut sampler = Sampler::new(100 + w as u64);
            let device = format!("device-{w}");
            let writer = writer(&device);
            for i in 0..RECORDS {
                let (doc, changes) = record(&mut sampler, &writer);
                feed::append(&mut client, &doc, &device, i as i64, &changes).unwrap();
                // Every third round, relay a record another writer sent.
                let relayed = if i % 3 == 0 {
                    let sent = sent.lock().unwrap();
                    sent.get((w * 7 + i) % sent.len().max(1)).cloned()
                } else {
                    None
                };
                if let Some((doc, changes)) = relayed {
                    feed::append(&mut client, &doc, &device, i as i64, &changes).unwrap();
                }
                sent.lock().unwrap().push((doc, changes));
            }
        }));
    }
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reading.join().unwrap();

    let expected: HashSet<[u8; 32]> =
        sent.lock().unwrap().iter().flat_map(|(_, cs)| cs.iter().map(|c| c.hash)).collect();
    let got: Vec<[u8; 32]> = seen.iter().map(|c| c.change.hash).collect();
    let distinct: HashSet<[u8; 32]> = got.iter().copied().collect();
    assert_eq!(distinct.len(), got.len(), "no change served twice");
    assert_eq!(distinct, expected, "every change served");
    assert!(expected.len() >= WRITERS * RECORDS * 2);
}
