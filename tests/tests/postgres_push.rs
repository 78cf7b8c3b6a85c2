//! A push checked and written on each backend (issue 12): the same checks ([`ingest::stage_push`]
//! over [`Holdings`]) and each backend's commit, run side by side on the same changes. Both must
//! end with the same documents, refuse the same pushes and write nothing of a refused one; on
//! PostgreSQL, a staging another instance overtook is staged again. Each test starts a throwaway
//! cluster (tests/src/postgres.rs).

use automerge::ChangeHash;
use postgres::{Client, NoTls};
use rusqlite::Connection;
use serde_bytes::ByteBuf;
use sotay_core::document::{Document, NewDocument, Writer};
use sotay_core::record::{Author, DocumentKind};
use sotay_core::sample::Sampler;
use sotay_core::store::Role;
use sotay_core::store::documents::COMPACT_AFTER;
use sotay_core::sync::protocol::{self, Cursor, DocChanges};
use sotay_e2e::postgres::Cluster;
use sotay_server::accounts::{DeviceAuth, User};
use sotay_server::db::DocCache;
use sotay_server::feed::Page;
use sotay_server::holdings::{DocumentRow, Holdings};
use sotay_server::ingest::{self, IngestError, Pusher, Staged};
use sotay_server::limits::Limits;
use sotay_server::postgres::feed;
use sotay_server::postgres::holdings::PgHoldings;

const USER: &str = "can.bo.tan.trao";
const DEVICE: &str = "may-tan-trao-1";
const OTHER_USER: &str = "hoa.giai.vien.minh.quang";
const OTHER_DEVICE: &str = "may-minh-quang-1";

fn device(login: &str, device_id: &str) -> DeviceAuth {
    DeviceAuth {
        device_id: device_id.into(),
        user: User {
            login: login.into(),
            display_name: "Cán bộ".into(),
            role: Role::CommuneOfficial,
            unit: sotay_e2e::COMMUNE.into(),
            disabled: false,
        },
        confirmed_cursor: 0,
        issued_cursor: 0,
    }
}

/// One backend: what its instance stages a push against, and how it commits it.
trait Backend {
    fn stage(&mut self, device: &DeviceAuth, pushes: &[DocChanges]) -> Result<Vec<Staged>, IngestError>;
    fn commit(&mut self, device: &DeviceAuth, staged: Vec<Staged>) -> Result<(), IngestError>;
    fn row(&mut self, id: &str) -> Option<DocumentRow>;
    fn document_heads(&mut self, id: &str) -> Option<Vec<ChangeHash>>;
    fn facts_heads(&mut self, id: &str) -> Option<String>;
    fn stored_bytes(&mut self, device_id: &str) -> i64;
}

/// Stages and commits the same push on both backends, as two servers given it would.
fn store_on_both(sqlite: &mut Sqlite, pg: &mut Postgres, device: &DeviceAuth, pushes: &[DocChanges]) {
    for backend in [sqlite as &mut dyn Backend, pg] {
        let staged = backend.stage(device, pushes).expect("staged");
        backend.commit(device, staged).expect("committed");
    }
}

struct Sqlite {
    conn: Connection,
    cache: DocCache,
    limits: Limits,
}

impl Sqlite {
    fn new(limits: Limits) -> Sqlite {
        let conn = sotay_server::db::open_memory().expect("database");
        for (login, device_id) in [(USER, DEVICE), (OTHER_USER, OTHER_DEVICE)] {
            conn.execute(
                "INSERT INTO users (login, display_name, role, unit, created_at) VALUES (?1, 'Cán bộ', 'commune-official', ?2, 0)",
                [login, sotay_e2e::COMMUNE],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO devices (device_id, login, name, token_hash, enrolled_at) VALUES (?1, ?2, 'máy', ?1, 0)",
                [device_id, login],
            )
            .unwrap();
        }
        Sqlite { conn, cache: DocCache::new(1 << 24), limits }
    }
}

impl Backend for Sqlite {
    fn stage(&mut self, device: &DeviceAuth, pushes: &[DocChanges]) -> Result<Vec<Staged>, IngestError> {
        let pusher = Pusher::new(&self.conn, device)?;
        ingest::stage_push(&self.conn, &self.cache, &pusher, &self.limits, pushes)
    }

    fn commit(&mut self, device: &DeviceAuth, staged: Vec<Staged>) -> Result<(), IngestError> {
        let tx = self.conn.transaction().unwrap();
        ingest::commit(&tx, device, &self.limits, &staged, 1)?;
        tx.commit().unwrap();
        ingest::remember(&self.cache, staged);
        Ok(())
    }

    fn row(&mut self, id: &str) -> Option<DocumentRow> {
        self.conn.document_row(id).unwrap()
    }

    fn document_heads(&mut self, id: &str) -> Option<Vec<ChangeHash>> {
        self.conn.document(id).unwrap().map(|mut d| d.heads())
    }

    fn facts_heads(&mut self, id: &str) -> Option<String> {
        self.conn.query_row("SELECT heads FROM report_facts WHERE doc_id = ?1", [id], |r| r.get(0)).ok()
    }

    fn stored_bytes(&mut self, device_id: &str) -> i64 {
        self.conn.query_row("SELECT stored_bytes FROM devices WHERE device_id = ?1", [device_id], |r| r.get(0)).unwrap()
    }
}

/// An instance on PostgreSQL: its own connection and its own cache, as each server process has.
struct Postgres {
    client: Client,
    cache: DocCache,
    limits: Limits,
}

impl Postgres {
    fn instance(cluster: &Cluster, limits: Limits) -> Postgres {
        let client = Client::connect(&cluster.url(), NoTls).expect("connect");
        Postgres { client, cache: DocCache::new(1 << 24), limits }
    }

    fn first(cluster: &Cluster, limits: Limits) -> Postgres {
        let mut pg = Postgres::instance(cluster, limits);
        sotay_server::postgres::migrate(&mut pg.client).expect("migrate");
        for (login, device_id) in [(USER, DEVICE), (OTHER_USER, OTHER_DEVICE)] {
            pg.client
                .execute(
                    "INSERT INTO users (login, display_name, role, unit, created_at) VALUES ($1, 'Cán bộ', 'commune-official', $2, 0)",
                    &[&login, &sotay_e2e::COMMUNE],
                )
                .unwrap();
            pg.client
                .execute(
                    "INSERT INTO devices (device_id, login, name, token_hash, enrolled_at) VALUES ($1, $2, 'máy', $3, 0)",
                    &[&device_id, &login, &device_id.as_bytes()],
                )
                .unwrap();
        }
        pg
    }

    /// Every change the feed serves, in feed order, as (document, hash).
    fn feed(&mut self) -> Vec<(String, [u8; 32])> {
        feed::pull(&mut self.client, 0, 10_000).unwrap().into_iter().map(|c| (c.doc_id, c.change.hash)).collect()
    }
}

impl Backend for Postgres {
    fn stage(&mut self, device: &DeviceAuth, pushes: &[DocChanges]) -> Result<Vec<Staged>, IngestError> {
        let holdings = PgHoldings::new(&mut self.client);
        let pusher = Pusher::new(&holdings, device)?;
        ingest::stage_push(&holdings, &self.cache, &pusher, &self.limits, pushes)
    }

    fn commit(&mut self, device: &DeviceAuth, staged: Vec<Staged>) -> Result<(), IngestError> {
        sotay_server::postgres::push::commit(&mut self.client, device, &self.limits, &staged, 1)?;
        ingest::remember(&self.cache, staged);
        Ok(())
    }

    fn row(&mut self, id: &str) -> Option<DocumentRow> {
        PgHoldings::new(&mut self.client).document_row(id).unwrap()
    }

    fn document_heads(&mut self, id: &str) -> Option<Vec<ChangeHash>> {
        PgHoldings::new(&mut self.client).document(id).unwrap().map(|mut d| d.heads())
    }

    fn facts_heads(&mut self, id: &str) -> Option<String> {
        self.client.query_opt("SELECT heads FROM report_facts WHERE doc_id = $1", &[&id]).unwrap().map(|r| r.get(0))
    }

    fn stored_bytes(&mut self, device_id: &str) -> i64 {
        self.client.query_one("SELECT stored_bytes FROM devices WHERE device_id = $1", &[&device_id]).unwrap().get(0)
    }
}

/// A record being written on a phone, and the changes it has not sent yet.
struct Phone {
    writer: Writer,
    sampler: Sampler,
}

impl Phone {
    fn new(login: &str, device_id: &str, seed: u64) -> Phone {
        Phone {
            writer: Writer {
                author: Author { user: login.into(), device: device_id.into() },
                actor: automerge::ActorId::random(),
                now: 1_780_000_000_000,
            },
            sampler: Sampler::new(seed),
        }
    }

    fn create(&mut self) -> (String, Document) {
        let body = self.sampler.any_body();
        let id = uuid::Uuid::now_v7().to_string();
        let new = NewDocument {
            id: &id,
            kind: DocumentKind::from(body.kind()),
            unit: sotay_e2e::COMMUNE,
            commune: sotay_e2e::COMMUNE,
            body: body.to_value(),
        };
        (id.clone(), Document::create(new, &self.writer).expect("document"))
    }

    /// An edit of the record's body of the same kind.
    fn edit(&mut self, doc: &mut Document) {
        let kind = doc.contents().expect("contents").0.kind;
        let body = loop {
            let b = self.sampler.any_body();
            if DocumentKind::from(b.kind()).code() == kind {
                break b;
            }
        };
        doc.update_body(body.to_value(), &self.writer).expect("edit");
    }
}

fn push(id: &str, doc: &mut Document, since: &[ChangeHash]) -> Vec<DocChanges> {
    vec![DocChanges {
        doc: protocol::doc_id(id).unwrap(),
        changes: doc.changes_since(since).into_iter().map(|(_, b)| ByteBuf::from(b)).collect(),
    }]
}

/// New records, edits stored as chunks, and enough edits to compact: both backends hold the
/// same rows, documents, report facts and quota use.
#[test]
fn both_backends_store_the_same_pushes_the_same_way() {
    let cluster = Cluster::start();
    let mut sqlite = Sqlite::new(Limits::default());
    let mut pg = Postgres::first(&cluster, Limits::default());
    let me = device(USER, DEVICE);
    let mut phone = Phone::new(USER, DEVICE, 31);
    let mut ids = Vec::new();
    for round in 0..3 {
        let (id, mut doc) = phone.create();
        let first = push(&id, &mut doc, &[]);
        store_on_both(&mut sqlite, &mut pg, &me, &first);
        // Past the compaction threshold on the last record.
        let edits = if round == 2 { COMPACT_AFTER as usize + 3 } else { 2 };
        for _ in 0..edits {
            let heads = doc.heads();
            phone.edit(&mut doc);
            let edit = push(&id, &mut doc, &heads);
            store_on_both(&mut sqlite, &mut pg, &me, &edit);
        }
        ids.push((id, doc));
    }
    for (id, doc) in &mut ids {
        let (s, p) = (sqlite.row(id).expect("on SQLite"), pg.row(id).expect("on PostgreSQL"));
        assert_eq!(s, p, "the same row on both");
        assert_eq!(s.heads, ingest::heads_text(&doc.heads()));
        assert_eq!(pg.document_heads(id), Some(doc.heads()), "the document loads whole from PostgreSQL");
        assert_eq!(sqlite.document_heads(id), Some(doc.heads()));
        assert_eq!(pg.facts_heads(id), Some(s.heads.clone()), "report facts written with the record");
        assert_eq!(sqlite.facts_heads(id), Some(s.heads.clone()));
    }
    assert!(pg.row(&ids[2].0).unwrap().chunk_count < COMPACT_AFTER, "compacted into its snapshot");
    assert!(pg.stored_bytes(DEVICE) > 0);
    assert_eq!(sqlite.stored_bytes(DEVICE), pg.stored_bytes(DEVICE), "the same quota use");
    let fed = pg.feed();
    let expected: usize = ids.iter_mut().map(|(_, d)| d.changes_since(&[]).len()).sum();
    assert_eq!(fed.len(), expected, "every change in the feed once");
}

/// What is refused is refused on both, and leaves nothing: a change in another user's name, and
/// a push past the device's quota.
#[test]
fn both_backends_refuse_the_same_pushes_and_keep_nothing_of_them() {
    let cluster = Cluster::start();
    let mut limits = Limits::default();
    let mut sqlite = Sqlite::new(limits.clone());
    let mut pg = Postgres::first(&cluster, limits.clone());
    let me = device(USER, DEVICE);

    // Written by the other official's phone, sent from mine.
    let (id, mut doc) = Phone::new(OTHER_USER, OTHER_DEVICE, 32).create();
    let forged = push(&id, &mut doc, &[]);
    for backend in [&mut sqlite as &mut dyn Backend, &mut pg] {
        assert!(matches!(backend.stage(&me, &forged), Err(IngestError::ForgedAuthor { .. })));
        assert!(backend.row(&id).is_none());
    }

    // A quota smaller than one record.
    limits.device_quota_bytes = 64;
    let mut sqlite = Sqlite::new(limits.clone());
    let mut pg = Postgres::instance(&cluster, limits);
    let (id, mut doc) = Phone::new(USER, DEVICE, 33).create();
    let big = push(&id, &mut doc, &[]);
    for backend in [&mut sqlite as &mut dyn Backend, &mut pg] {
        let staged = backend.stage(&me, &big).expect("staged: the quota is the commit's");
        assert!(matches!(backend.commit(&me, staged), Err(IngestError::QuotaExceeded { .. })));
        assert!(backend.row(&id).is_none(), "nothing of the refused push kept");
        assert_eq!(backend.stored_bytes(DEVICE), 0);
    }
    assert!(pg.feed().is_empty(), "no change of a refused push in the feed");
}

/// Two instances stage pushes on the same state of a record (and of a new one); the second to
/// commit is told to stage again, and staging again keeps both edits.
#[test]
fn an_instance_that_staged_before_another_wrote_stages_again() {
    let cluster = Cluster::start();
    let mut one = Postgres::first(&cluster, Limits::default());
    let mut two = Postgres::instance(&cluster, Limits::default());
    let me = device(USER, DEVICE);
    let mut phone = Phone::new(USER, DEVICE, 34);
    let mut tablet = Phone::new(USER, DEVICE, 35);

    let (id, mut doc) = phone.create();
    let first = push(&id, &mut doc, &[]);
    let (a, b) = (one.stage(&me, &first).unwrap(), two.stage(&me, &first).unwrap());
    one.commit(&me, a).expect("first to commit");
    assert!(matches!(two.commit(&me, b), Err(IngestError::Concurrent { .. })), "the row was made meanwhile");
    assert!(two.stage(&me, &first).unwrap().is_empty(), "staged again: nothing left to write");

    // Two edits of the same version, from two phones of the same user, through two instances.
    let base = doc.heads();
    let mut other = Document::load(&doc.save(), std::iter::empty()).unwrap();
    phone.edit(&mut doc);
    tablet.edit(&mut other);
    let (edit_a, edit_b) = (push(&id, &mut doc, &base), push(&id, &mut other, &base));
    let (a, b) = (one.stage(&me, &edit_a).unwrap(), two.stage(&me, &edit_b).unwrap());
    one.commit(&me, a).unwrap();
    assert!(matches!(two.commit(&me, b), Err(IngestError::Concurrent { .. })), "its staging read the old heads");
    let again = two.stage(&me, &edit_b).expect("staged again on what is stored now");
    two.commit(&me, again).expect("then committed");

    doc.merge_bytes(&other.save()).unwrap();
    let mut both = doc.heads();
    both.sort();
    let stored = one.document_heads(&id).unwrap();
    assert_eq!(stored.len(), 2, "both edits kept, side by side");
    assert_eq!(ingest::parse_heads(&one.row(&id).unwrap().heads).len(), 2);
    let mut stored = stored;
    stored.sort();
    assert_eq!(stored, both);
    let fed = one.feed();
    assert_eq!(fed.len(), doc.changes_since(&[]).len(), "each change in the feed once");

    // The same when both stagings compact the document: a snapshot written over another would
    // lose the other's edit, and only the check of what the staging read stands in the way.
    while one.row(&id).unwrap().chunk_count < COMPACT_AFTER - 1 {
        let heads = doc.heads();
        phone.edit(&mut doc);
        let staged = one.stage(&me, &push(&id, &mut doc, &heads)).unwrap();
        one.commit(&me, staged).unwrap();
    }
    let base = doc.heads();
    let mut other = Document::load(&doc.save(), std::iter::empty()).unwrap();
    phone.edit(&mut doc);
    tablet.edit(&mut other);
    let (edit_a, edit_b) = (push(&id, &mut doc, &base), push(&id, &mut other, &base));
    let (a, b) = (one.stage(&me, &edit_a).unwrap(), two.stage(&me, &edit_b).unwrap());
    assert!(a.iter().chain(&b).all(|s| matches!(s.write, ingest::Write::Snapshot(_))), "both compact");
    one.commit(&me, a).unwrap();
    assert!(matches!(two.commit(&me, b), Err(IngestError::Concurrent { .. })));
    let again = two.stage(&me, &edit_b).unwrap();
    two.commit(&me, again).unwrap();
    doc.merge_bytes(&other.save()).unwrap();
    assert_eq!(two.document_heads(&id).map(|h| h.len()), Some(2), "both edits kept");
    assert_eq!(one.document_heads(&id).map(sorted), Some(sorted(doc.heads())));
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

/// Every change of `device`'s pages from an empty cursor, as bytes, and the number of pages.
fn pull_all(backend: &mut dyn Puller, device: &DeviceAuth, max_bytes: u32, echo_own: bool) -> (Vec<Vec<u8>>, usize) {
    let (mut cursor, mut all, mut pages) = (Cursor::default(), Vec::new(), 0);
    loop {
        let page = backend.page(device, cursor, max_bytes, echo_own);
        pages += 1;
        assert!(pages < 1_000, "the pages end");
        all.extend(page.entries.into_iter().flat_map(|e| e.changes.into_iter().map(|c| c.into_vec())));
        cursor = page.cursor;
        if !page.more {
            return (all, pages);
        }
    }
}

trait Puller {
    fn page(&mut self, device: &DeviceAuth, cursor: Cursor, max_bytes: u32, echo_own: bool) -> Page;
}

impl Puller for Sqlite {
    fn page(&mut self, device: &DeviceAuth, cursor: Cursor, max_bytes: u32, echo_own: bool) -> Page {
        sotay_server::feed::pull(&self.conn, device, cursor, max_bytes, echo_own).unwrap()
    }
}

impl Puller for Postgres {
    fn page(&mut self, device: &DeviceAuth, cursor: Cursor, max_bytes: u32, echo_own: bool) -> Page {
        feed::page_for(&mut self.client, device, cursor, max_bytes, echo_own).unwrap()
    }
}

/// What devices receive: another official of the commune gets every change, a page at a time
/// and once each; the device that sent them gets them only when it asks for its own back; an
/// official of another commune gets none. The same on both backends.
#[test]
fn devices_receive_what_their_scope_allows_a_page_at_a_time_on_both_backends() {
    let cluster = Cluster::start();
    let mut sqlite = Sqlite::new(Limits::default());
    let mut pg = Postgres::first(&cluster, Limits::default());
    let me = device(USER, DEVICE);
    let colleague = device(OTHER_USER, OTHER_DEVICE);
    let mut outsider = device("can.bo.xa.khac", "may-xa-khac");
    outsider.user.unit = sotay_e2e::OTHER_COMMUNE.into();
    let mut phone = Phone::new(USER, DEVICE, 36);
    let mut sent: Vec<Vec<u8>> = Vec::new();
    for i in 0..12 {
        let (id, mut doc) = phone.create();
        for _ in 0..i % 3 {
            phone.edit(&mut doc);
        }
        let changes = push(&id, &mut doc, &[]);
        sent.extend(changes[0].changes.iter().map(|c| c.to_vec()));
        store_on_both(&mut sqlite, &mut pg, &me, &changes);
    }
    sent.sort();
    for backend in [&mut sqlite as &mut dyn Puller, &mut pg] {
        let (mut whole, one_page) = pull_all(backend, &colleague, 1 << 20, false);
        assert_eq!(one_page, 1);
        whole.sort();
        assert_eq!(whole, sent, "every change, once");
        let (mut paged, pages) = pull_all(backend, &colleague, 2_000, false);
        assert!(pages > 3, "small pages: {pages}");
        paged.sort();
        assert_eq!(paged, sent, "every change once across pages");
        assert!(pull_all(backend, &me, 1 << 20, false).0.is_empty(), "not its own");
        assert_eq!(pull_all(backend, &me, 1 << 20, true).0.len(), sent.len(), "its own when asked");
        assert!(pull_all(backend, &outsider, 1 << 20, false).0.is_empty(), "nothing of another commune");
    }

    // A cursor is of this feed, or not.
    let head = feed::cursor_head(&mut pg.client).unwrap();
    assert!(head.seq as usize >= sent.len());
    assert!(feed::knows(&mut pg.client, Cursor::default()).unwrap());
    assert!(feed::knows(&mut pg.client, head).unwrap());
    assert!(!feed::knows(&mut pg.client, Cursor { seq: head.seq + 1, ..head }).unwrap(), "past the end");
    assert!(!feed::knows(&mut pg.client, Cursor { tag: head.tag ^ 1, ..head }).unwrap(), "another feed's");
}

type Counted = (String, String, String, bool, sotay_core::report::ReportFacts, Vec<String>);

fn counted(records: Vec<sotay_core::report::ReportRecord>) -> Vec<Counted> {
    records.into_iter().map(|r| (r.id, r.unit, r.commune, r.deleted, r.facts, r.heads)).collect()
}

/// A report reads the same records on both backends, as they stand after edits and a deletion;
/// on PostgreSQL, facts of another version of the figures (an upgrade) or none at all are read
/// from the documents meanwhile, and older or missing ones derived again once, at start, under
/// the documents' locks.
#[test]
fn a_report_counts_the_same_records_on_both_backends() {
    let cluster = Cluster::start();
    let mut sqlite = Sqlite::new(Limits::default());
    let mut pg = Postgres::first(&cluster, Limits::default());
    let me = device(USER, DEVICE);
    let mut phone = Phone::new(USER, DEVICE, 37);
    let mut ids = Vec::new();
    for i in 0..16 {
        let (id, mut doc) = phone.create();
        let mut changes = push(&id, &mut doc, &[]);
        store_on_both(&mut sqlite, &mut pg, &me, &changes);
        if i % 4 == 1 {
            let heads = doc.heads();
            phone.edit(&mut doc);
            changes = push(&id, &mut doc, &heads);
        } else if i % 4 == 2 {
            let heads = doc.heads();
            doc.delete("nhập nhầm / entered by mistake", &phone.writer).unwrap();
            changes = push(&id, &mut doc, &heads);
        } else {
            changes.clear();
        }
        if !changes.is_empty() {
            store_on_both(&mut sqlite, &mut pg, &me, &changes);
        }
        ids.push(id);
    }
    let on_sqlite = counted(sotay_server::report_facts::under(&sqlite.conn, sotay_e2e::COMMUNE).unwrap());
    let read = |pg: &mut Postgres| {
        counted(sotay_server::postgres::report_facts::under(&mut pg.client, sotay_e2e::COMMUNE).unwrap())
    };
    assert_eq!(on_sqlite.len(), ids.len(), "every record counted");
    assert_eq!(on_sqlite.iter().filter(|r| r.3).count(), 4, "deleted ones marked");
    assert_eq!(read(&mut pg), on_sqlite, "the same records, facts and heads on both");
    let province = sotay_core::units::catalogue().get(sotay_e2e::COMMUNE).and_then(|u| u.parent.clone()).unwrap();
    assert_eq!(
        counted(sotay_server::postgres::report_facts::under(&mut pg.client, &province).unwrap()),
        on_sqlite,
        "the province's report reads them too"
    );
    assert!(read_other_commune(&mut pg).is_empty(), "another commune's report reads none of them");

    // Facts of an older version of the figures, and a record whose facts are missing.
    pg.client.execute("UPDATE report_facts SET version = 0, facts = '\\x00' WHERE doc_id = $1", &[&ids[1]]).unwrap();
    pg.client.execute("DELETE FROM report_facts WHERE doc_id = $1", &[&ids[2]]).unwrap();
    // And one of a newer version, as an upgraded instance writes it: an older instance reads
    // that record from its document and leaves the row alone.
    let newer = i64::from(sotay_core::report::FACTS_VERSION) + 1;
    pg.client.execute("UPDATE report_facts SET version = $2 WHERE doc_id = $1", &[&ids[3], &newer]).unwrap();
    let mut without_missing = on_sqlite.clone();
    without_missing.retain(|r| r.0 != ids[2]);
    assert_eq!(read(&mut pg), without_missing, "a stale row is read from its document, in its place");
    assert_eq!(sotay_server::postgres::report_facts::derive_stale(&mut pg.client).unwrap(), 2);
    let current: i64 = pg
        .client
        .query_one(
            "SELECT count(*) FROM report_facts WHERE version = $1",
            &[&i64::from(sotay_core::report::FACTS_VERSION)],
        )
        .unwrap()
        .get(0);
    assert_eq!(current as usize, ids.len() - 1, "derived again and kept, the newer one left alone");
    let kept: i64 =
        pg.client.query_one("SELECT version FROM report_facts WHERE doc_id = $1", &[&ids[3]]).unwrap().get(0);
    assert_eq!(kept, newer);
    assert_eq!(read(&mut pg), on_sqlite);
    assert_eq!(sotay_server::postgres::report_facts::derive_stale(&mut pg.client).unwrap(), 0, "once");

    // Instances starting at once: while one derives, another leaves the work to it.
    pg.client.execute("DELETE FROM report_facts WHERE doc_id = $1", &[&ids[4]]).unwrap();
    let mut other = postgres::Client::connect(&cluster.url(), postgres::NoTls).unwrap();
    let lock: bool = other.query_one("SELECT pg_try_advisory_lock(x'736f7461795f6466'::bigint)", &[]).unwrap().get(0);
    assert!(lock);
    assert_eq!(
        sotay_server::postgres::report_facts::derive_stale_once(&mut pg.client).unwrap(),
        None,
        "left to the other"
    );
    other.execute("SELECT pg_advisory_unlock(x'736f7461795f6466'::bigint)", &[]).unwrap();
    assert_eq!(sotay_server::postgres::report_facts::derive_stale_once(&mut pg.client).unwrap(), Some(1));
    let free: bool = other.query_one("SELECT pg_try_advisory_lock(x'736f7461795f6466'::bigint)", &[]).unwrap().get(0);
    assert!(free, "and the lock let go");
}

fn read_other_commune(pg: &mut Postgres) -> Vec<Counted> {
    counted(sotay_server::postgres::report_facts::under(&mut pg.client, sotay_e2e::OTHER_COMMUNE).unwrap())
}

/// Facts derived again at start are kept only if their document has not moved since: a push that
/// commits between the derivation and the write keeps its own, newer facts.
#[test]
fn facts_derived_before_a_push_are_not_kept_over_it() {
    use sotay_server::postgres::report_facts::{derive, keep_if_current};
    let cluster = Cluster::start();
    let mut pg = Postgres::first(&cluster, Limits::default());
    let me = device(USER, DEVICE);
    let mut phone = Phone::new(USER, DEVICE, 41);
    let (id, mut doc) = phone.create();
    let staged = pg.stage(&me, &push(&id, &mut doc, &[])).unwrap();
    pg.commit(&me, staged).unwrap();
    let (before, at) = derive(&mut pg.client, &id).unwrap().expect("a record's facts");

    // The record is deleted by a push that commits before the derived facts are written.
    let heads = doc.heads();
    doc.delete("trùng hồ sơ / a duplicate", &phone.writer).unwrap();
    let staged = pg.stage(&me, &push(&id, &mut doc, &heads)).unwrap();
    pg.commit(&me, staged).unwrap();
    let deleted = |pg: &mut Postgres| -> bool {
        pg.client.query_one("SELECT deleted FROM report_facts WHERE doc_id = $1", &[&id]).unwrap().get(0)
    };
    assert!(deleted(&mut pg), "the push kept its facts");
    assert!(!before.deleted);
    assert!(!keep_if_current(&mut pg.client, &id, &before, &at).unwrap(), "derived from an older state");
    assert!(deleted(&mut pg), "and the push's facts stand");

    // Derived from the current state, they are kept.
    let (now, at) = derive(&mut pg.client, &id).unwrap().expect("facts");
    assert!(now.deleted);
    assert!(keep_if_current(&mut pg.client, &id, &now, &at).unwrap());
    assert!(
        !keep_if_current(&mut pg.client, "0190a0a0-0000-7000-8000-000000000000", &now, &at).unwrap(),
        "no such document"
    );
}
