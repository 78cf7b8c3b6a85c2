//! A province's report at a province's scale: 100,000 records of 100 communes of Tuyên Quang
//! (realistic Vietnamese records from the sampler, written through the server's own checks),
//! the report page of the province for the year (figures, roll-up of 100 communes, trend of four
//! years) asked of the server process over HTTP, signed in as the province's reviewer. Beside
//! it, in the same run and process: the engine's work from the kept per-record facts, against
//! the same figures counted by decoding every document, as reports were counted before; and the
//! engine from the same records' facts kept on PostgreSQL (a throwaway cluster), which must
//! count the same report.
//!
//! `cargo bench -p sotay-e2e --bench report` (release; `SOTAY_BENCH_RECORDS` to change the
//! count). Figures and method in docs/benchmarks.md. Under `cargo test --benches` a small smoke
//! version runs, which checks that both ways count the same.

use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use serde_json::json;
use sotay_core::record::{DocumentKind, RecordBody};
use sotay_core::report::{Convention, Period, Report, ReportRecord, UnitRef, catalogue_children};
use sotay_core::sample::Sampler;
use sotay_core::sync::protocol::{self, DocChanges};
use sotay_e2e::TestServer;
use sotay_e2e::dashboard::{PASSWORD, Session};
use sotay_e2e::postgres::Cluster;
use sotay_server::accounts::{DeviceAuth, User};
use sotay_server::db::DocCache;
use sotay_server::ingest::{self, Pusher};
use sotay_server::limits::Limits;
use sotay_server::postgres::holdings::PgHoldings;

const PROVINCE: &str = "08"; // Tỉnh Tuyên Quang
const REVIEWER: &str = "so.noi.vu.tuyen.quang";

fn median_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

fn p90_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[(samples.len() * 9 / 10).min(samples.len() - 1)].as_secs_f64() * 1000.0
}

/// A commune's official and device, writing that commune's records.
struct Official {
    device: DeviceAuth,
    commune: UnitRef,
    writer: sotay_core::document::Writer,
}

fn officials(communes: &[UnitRef]) -> Vec<Official> {
    communes
        .iter()
        .enumerate()
        .map(|(i, commune)| {
            let login = format!("can.bo.{i}");
            let device_id = uuid::Uuid::now_v7().to_string();
            let writer = sotay_core::document::Writer {
                author: sotay_core::record::Author { user: login.clone(), device: device_id.clone() },
                actor: automerge::ActorId::random(),
                now: 0,
            };
            let user = User {
                login,
                display_name: format!("Cán bộ {}", commune.name),
                role: sotay_core::store::Role::CommuneOfficial,
                unit: commune.code.clone(),
                disabled: false,
            };
            let device = DeviceAuth { device_id, user, confirmed_cursor: 0, issued_cursor: 0 };
            Official { device, commune: commune.clone(), writer }
        })
        .collect()
}

/// A backend the records are written to through the checks a push goes through.
trait Sink {
    fn enroll(&mut self, official: &Official);
    fn push(&mut self, device: &DeviceAuth, batch: &[DocChanges]);
}

fn limits() -> Limits {
    Limits { device_quota_bytes: u64::MAX / 4, ..Limits::default() }
}

struct SqliteSink<'a> {
    conn: &'a mut Connection,
    cache: DocCache,
}

impl Sink for SqliteSink<'_> {
    fn enroll(&mut self, o: &Official) {
        self.conn
            .execute(
                "INSERT INTO users (login, display_name, role, unit, created_at) VALUES (?1, ?2, 'commune-official', ?3, 0)",
                params![o.device.user.login, o.device.user.display_name, o.commune.code],
            )
            .expect("user");
        self.conn
            .execute(
                "INSERT INTO devices (device_id, login, name, token_hash, enrolled_at) VALUES (?1, ?2, 'bench', ?3, 0)",
                params![o.device.device_id, o.device.user.login, uuid::Uuid::new_v4().as_bytes().to_vec()],
            )
            .expect("device");
    }

    fn push(&mut self, device: &DeviceAuth, batch: &[DocChanges]) {
        let tx = self.conn.transaction().expect("transaction");
        let pusher = Pusher::new(&*tx, device).expect("pusher");
        let staged = ingest::stage_push(&*tx, &self.cache, &pusher, &limits(), batch).expect("a valid push");
        ingest::commit(&tx, device, &limits(), &staged, 0).expect("commit");
        tx.commit().expect("commit");
    }
}

struct PgSink<'a> {
    client: &'a mut postgres::Client,
    cache: DocCache,
}

impl Sink for PgSink<'_> {
    fn enroll(&mut self, o: &Official) {
        self.client
            .execute(
                "INSERT INTO users (login, display_name, role, unit, created_at) VALUES ($1, $2, 'commune-official', $3, 0)",
                &[&o.device.user.login, &o.device.user.display_name, &o.commune.code],
            )
            .expect("user");
        self.client
            .execute(
                "INSERT INTO devices (device_id, login, name, token_hash, enrolled_at) VALUES ($1, $2, 'bench', $3, 0)",
                &[&o.device.device_id, &o.device.user.login, &uuid::Uuid::new_v4().as_bytes().to_vec()],
            )
            .expect("device");
    }

    fn push(&mut self, device: &DeviceAuth, batch: &[DocChanges]) {
        let staged = {
            let holdings = PgHoldings::new(self.client);
            let pusher = Pusher::new(&holdings, device).expect("pusher");
            ingest::stage_push(&holdings, &self.cache, &pusher, &limits(), batch).expect("a valid push")
        };
        sotay_server::postgres::push::commit(self.client, device, &limits(), &staged, 0).expect("commit");
    }
}

/// One commune official and device per commune, each writing its commune's records through the
/// checks a push goes through, the same records to every backend, 50 to a push.
fn write_records(sinks: &mut [&mut dyn Sink], communes: &[UnitRef], per_commune: usize) {
    let mut sampler = Sampler::new(2026);
    for official in officials(communes) {
        for sink in sinks.iter_mut() {
            sink.enroll(&official);
        }
        let mut batch = Vec::new();
        for n in 0..per_commune {
            let body = sampler.any_body();
            let id = uuid::Uuid::now_v7().to_string();
            let new = sotay_core::document::NewDocument {
                id: &id,
                kind: DocumentKind::from(body.kind()),
                unit: &official.commune.code,
                commune: &official.commune.code,
                body: body.to_value(),
            };
            let mut doc = sotay_core::document::Document::create(new, &official.writer).expect("document");
            let changes = doc.changes_since(&[]).into_iter().map(|(_, b)| serde_bytes::ByteBuf::from(b)).collect();
            batch.push(DocChanges { doc: protocol::doc_id(&id).expect("id"), changes });
            if batch.len() == 50 || n + 1 == per_commune {
                for sink in sinks.iter_mut() {
                    sink.push(&official.device, &batch);
                }
                batch.clear();
            }
        }
    }
}

/// The records of the province as reports were read before facts were kept: every document
/// decoded.
fn decoded(conn: &Connection) -> Vec<ReportRecord> {
    let mut stmt = conn
        .prepare("SELECT doc_id, kind, unit, commune FROM documents WHERE province = ?1 ORDER BY doc_id")
        .expect("query");
    let rows: Vec<(String, String, String, String)> = stmt
        .query_map([PROVINCE], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    let mut out = Vec::new();
    for (id, kind, unit, commune) in rows {
        let Some(kind) = DocumentKind::from_code(&kind).and_then(DocumentKind::record_kind) else { continue };
        let Some(mut doc) = sotay_core::store::documents::load(conn, &id).expect("load") else { continue };
        let (envelope, body) = doc.contents().expect("contents");
        let body = RecordBody::from_stored(kind, body).expect("body");
        let heads = doc.heads().iter().map(|h| h.to_string()).collect();
        out.push(ReportRecord::of_body(id, unit, commune, envelope.deleted.is_some(), heads, &body));
    }
    out
}

fn province_report(records: &[ReportRecord], communes: &[UnitRef], period: Period) -> (Report, usize) {
    let unit = UnitRef { code: PROVINCE.into(), name: "Tỉnh Tuyên Quang".into() };
    let report = Report::build(records, unit, communes.to_vec(), period, Convention::Calendar);
    let trend = Report::trend(records, PROVINCE, period, Convention::Calendar, 4);
    (report, trend.len())
}

// Not `#[tokio::main]`: the blocking PostgreSQL client starts a runtime of its own, which it
// cannot do inside another; only the HTTP part runs on one.
fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let records: usize = std::env::var("SOTAY_BENCH_RECORDS").ok().and_then(|s| s.parse().ok()).unwrap_or(if full {
        100_000
    } else {
        600
    });
    let communes: Vec<UnitRef> = catalogue_children(PROVINCE).into_iter().take(if full { 100 } else { 3 }).collect();
    let per_commune = records.div_ceil(communes.len());
    let samples = if full { 21 } else { 3 };
    let period: Period = "2026".parse().expect("a period");

    let mut server = TestServer::start();
    server.add_user(REVIEWER, "reviewer", PROVINCE);
    server.set_password(REVIEWER, PASSWORD);
    server.stop();
    // The same records on PostgreSQL, beside: a throwaway cluster (fsync off: this measures
    // reading), analysed after the load as autovacuum would have it in service.
    let cluster = Cluster::start();
    let mut client = postgres::Client::connect(&cluster.url(), postgres::NoTls).expect("PostgreSQL");
    sotay_server::postgres::migrate(&mut client).expect("migrate");
    let started = Instant::now();
    {
        let mut conn = server.database().open().expect("the server's database");
        let mut sqlite = SqliteSink { conn: &mut conn, cache: DocCache::new(1 << 20) };
        let mut pg = PgSink { client: &mut client, cache: DocCache::new(1 << 20) };
        write_records(&mut [&mut sqlite, &mut pg], &communes, per_commune);
    }
    let written = started.elapsed();
    client.batch_execute("VACUUM ANALYZE").expect("analyse");
    let size = std::fs::metadata(server.db_path()).map(|m| m.len()).unwrap_or(0);
    let pg_size: i64 = client.query_one("SELECT pg_database_size('sotay')", &[]).expect("size").get(0);
    println!(
        "{} records of {} communes written through the server's checks to both backends in {:.0} s; SQLite {:.1} MB, PostgreSQL {:.1} MB",
        per_commune * communes.len(),
        communes.len(),
        written.as_secs_f64(),
        size as f64 / 1e6,
        pg_size as f64 / 1e6
    );

    // In process: the engine's work from the kept facts, against decoding every document.
    let conn = server.database().reader().expect("reader");
    let from_facts = || {
        let records = sotay_server::report_facts::under(&conn, PROVINCE).expect("facts");
        province_report(&records, &communes, period)
    };
    let (by_facts, _) = from_facts();
    let (by_documents, _) = province_report(&decoded(&conn), &communes, period);
    assert_eq!(by_facts, by_documents, "the kept facts count what the documents count");
    assert!(by_facts.figures.mediation.received > 0 && by_facts.children.iter().all(|c| c.figures.dialogue.held > 0));
    let facts_times: Vec<Duration> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(from_facts());
            t.elapsed()
        })
        .collect();
    // Where the engine's time goes: reading the rows, the report with its roll-up, the trend.
    let (mut scan, mut read, mut build, mut trend) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..samples {
        let t = Instant::now();
        let bytes: i64 = conn
            .query_row(
                "SELECT sum(length(doc_id) + length(unit) + length(heads) + length(facts)) FROM report_facts
                 NOT INDEXED WHERE province = ?1",
                [PROVINCE],
                |r| r.get(0),
            )
            .expect("scan");
        scan.push(t.elapsed());
        std::hint::black_box(bytes);
        let t = Instant::now();
        let records = sotay_server::report_facts::under(&conn, PROVINCE).expect("facts");
        read.push(t.elapsed());
        let unit = UnitRef { code: PROVINCE.into(), name: String::new() };
        let t = Instant::now();
        std::hint::black_box(Report::build(&records, unit, communes.to_vec(), period, Convention::Calendar));
        build.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(Report::trend(&records, PROVINCE, period, Convention::Calendar, 4));
        trend.push(t.elapsed());
    }
    let decode_samples = if full { 3 } else { 2 };
    let decode_times: Vec<Duration> = (0..decode_samples)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(province_report(&decoded(&conn), &communes, period));
            t.elapsed()
        })
        .collect();
    drop(conn);

    // On PostgreSQL, in the same process: the same report from its kept facts.
    let pg_report = |client: &mut postgres::Client| {
        let records = sotay_server::postgres::report_facts::under(client, PROVINCE).expect("facts on PostgreSQL");
        province_report(&records, &communes, period)
    };
    assert_eq!(pg_report(&mut client).0, by_facts, "PostgreSQL's kept facts count what SQLite's count");
    let pg_times: Vec<Duration> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(pg_report(&mut client));
            t.elapsed()
        })
        .collect();
    let (mut pg_scan, mut pg_read) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        let t = Instant::now();
        let bytes: i64 = client
            .query_one(
                "SELECT sum(length(doc_id) + length(unit) + length(heads) + length(facts))::BIGINT FROM report_facts
                 WHERE province = $1",
                &[&PROVINCE],
            )
            .expect("scan")
            .get(0);
        pg_scan.push(t.elapsed());
        std::hint::black_box(bytes);
        let t = Instant::now();
        std::hint::black_box(sotay_server::postgres::report_facts::under(&mut client, PROVINCE).expect("facts"));
        pg_read.push(t.elapsed());
    }
    let (pull_ms, verify_ms, pulled) = first_pull_on_postgres(&mut client, &communes[0], samples.min(5));
    drop(client);
    drop(cluster);

    // Over HTTP: the province's report page, as its reviewer opens it.
    server.restart();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let page_times = runtime.block_on(page_times(&server, &communes[0].name, period, samples));

    let (facts_ms, decode_ms, page_ms) =
        (median_ms(facts_times), median_ms(decode_times), median_ms(page_times.clone()));
    println!("Province report for {period}, {} records, {} communes (median of {samples}):", records, communes.len());
    println!("  report page over HTTP          {page_ms:>9.1} ms (p90 {:.1} ms)   goal ≤ 500 ms", p90_ms(page_times));
    println!("  engine from kept facts         {facts_ms:>9.1} ms");
    println!(
        "    of which: reading the rows {:.1} ms (SQLite's scan alone {:.1} ms), report and roll-up {:.1} ms, trend of 4 {:.1} ms",
        median_ms(read),
        median_ms(scan),
        median_ms(build),
        median_ms(trend)
    );
    let pg_ms = median_ms(pg_times);
    println!("  engine from kept facts, PostgreSQL {pg_ms:>5.1} ms   goal ≤ 500 ms");
    println!(
        "    of which: reading the rows {:.1} ms (PostgreSQL's scan alone {:.1} ms)",
        median_ms(pg_read),
        median_ms(pg_scan)
    );
    println!(
        "  a newcomer's first pull of one commune on PostgreSQL ({pulled} changes) {pull_ms:.1} ms, of which checking each change's digest {verify_ms:.1} ms ({:.0}%)",
        100.0 * verify_ms / pull_ms
    );
    println!(
        "  engine decoding every document {decode_ms:>9.1} ms (median of {decode_samples})   {:.0}× the facts",
        decode_ms / facts_ms
    );
    println!(
        "{}",
        json!({"bench": "report", "records": records, "communes": communes.len(), "page_median_ms": page_ms,
               "facts_median_ms": facts_ms, "postgres_facts_median_ms": pg_ms,
               "postgres_first_pull_ms": pull_ms, "postgres_pull_verify_ms": verify_ms, "decode_median_ms": decode_ms, "ratio": decode_ms / facts_ms})
    );
}

/// The province's report page over HTTP, as its reviewer opens it: each load's time.
async fn page_times(server: &TestServer, first_commune: &str, period: Period, samples: usize) -> Vec<Duration> {
    let mut session = Session::new(&server.url);
    assert_eq!(session.sign_in(REVIEWER, PASSWORD).await.status, 303);
    let path = format!("/dashboard/report?unit={PROVINCE}&period={period}");
    let first = session.get(&path).await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains(first_commune), "the roll-up lists the communes");
    let mut out = Vec::new();
    for _ in 0..samples {
        let t = Instant::now();
        let page = session.get(&path).await;
        out.push(t.elapsed());
        assert_eq!(page.status, 200);
    }
    out
}

/// A new device of `commune` pulling the whole feed on PostgreSQL, a page at a time, as its first
/// sync does (median ms); beside it, in the same run, the part of that which checks each change
/// served (its digest, decision 0024), over the same changes. Returns both and the count.
fn first_pull_on_postgres(client: &mut postgres::Client, commune: &UnitRef, samples: usize) -> (f64, f64, usize) {
    use sotay_core::sync::protocol::Cursor;
    let user = User {
        login: "can.bo.moi".into(),
        display_name: "Cán bộ mới".into(),
        role: sotay_core::store::Role::CommuneOfficial,
        unit: commune.code.clone(),
        disabled: false,
    };
    let device =
        DeviceAuth { device_id: uuid::Uuid::now_v7().to_string(), user, confirmed_cursor: 0, issued_cursor: 0 };
    let mut pulled = 0;
    let pulls: Vec<Duration> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            let (mut cursor, mut changes) = (Cursor::default(), 0);
            loop {
                let page = sotay_server::postgres::feed::page_for(
                    client,
                    &device,
                    cursor,
                    protocol::DEFAULT_PAGE_BYTES,
                    false,
                )
                .expect("a page");
                assert!(page.damaged.is_empty());
                changes += page.entries.iter().map(|e| e.changes.len()).sum::<usize>();
                cursor = page.cursor;
                if !page.more {
                    break;
                }
            }
            pulled = changes;
            t.elapsed()
        })
        .collect();
    let rows = client
        .query(
            "SELECT c.hash, c.bytes, c.digest FROM changes c JOIN documents d ON d.doc_id = c.doc_id WHERE d.commune = $1",
            &[&commune.code],
        )
        .expect("the commune's changes");
    assert_eq!(rows.len(), pulled, "the pull received every change of the commune");
    let verifies: Vec<Duration> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            for r in &rows {
                assert!(sotay_server::postgres::feed::served_intact(r.get(0), r.get(1), r.get(2)));
            }
            t.elapsed()
        })
        .collect();
    (median_ms(pulls), median_ms(verifies), pulled)
}
