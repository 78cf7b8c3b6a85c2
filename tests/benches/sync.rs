//! Sync benchmarks (figures and method in docs/benchmarks.md):
//! - `wire`: bytes on the wire (request + response bodies) and round trips for a sync with nothing
//!   new, one new record, one edited field, and the first sync of a device receiving 5,000
//!   records, against the floor of the compressed changes themselves;
//! - `anchor`: 1,000 small records from device A to device B through the server, ours against
//!   automerge-repo (websocket adapter + sync server), over the same emulated 2G link;
//! - `load`: 200 devices syncing small changes for 60 s against the server process.
//!
//! `cargo bench -p sotay-e2e --bench sync [-- wire|anchor|load]`. Under `cargo test --benches`
//! a small smoke version of `wire` and `load` runs (no Node.js needed).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use sotay_core::record::input::Assignment;
use sotay_core::record::{Dialogue, RecordBody, RecordKind};
use sotay_core::sample::Sampler;
use sotay_core::sync::http::Transport;
use sotay_e2e::{COMMUNE, Device, TestServer, Throttle};

fn emit(v: serde_json::Value) {
    println!("{v}");
}

fn deflated_len(bytes: &[u8]) -> usize {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = z.write_all(bytes);
    z.finish().map(|v| v.len()).unwrap_or(0)
}

async fn enrolled(server: &TestServer, url: &str, login: &str, unit: &str) -> Device {
    server.add_user(login, "commune-official", unit);
    let mut d = Device::new(login);
    d.enroll(url, &server.code(login)).await;
    d
}

async fn wire(records: usize) {
    let server = TestServer::start();
    let mut a = enrolled(&server, &server.url, "can.bo.a", COMMUNE).await;
    let mut sampler = Sampler::new(2026);
    a.create(COMMUNE, sampler.any_body());
    a.sync_until_ok(1).await;
    let mut rows = Vec::new();
    let mut measure = |name: &'static str, r: sotay_core::sync::http::SyncReport, goal: Option<u64>| {
        let total = r.bytes_sent + r.bytes_received;
        println!(
            "  {name:34} {total:>9} bytes ({} up, {} down), {} round trip(s){}",
            r.bytes_sent,
            r.bytes_received,
            r.round_trips,
            goal.map(|g| format!("   goal ≤ {g} bytes")).unwrap_or_default()
        );
        rows.push(json!({"bench": "wire", "case": name, "bytes": total, "bytes_up": r.bytes_sent,
                         "bytes_down": r.bytes_received, "round_trips": r.round_trips, "goal_bytes": goal}));
    };
    println!("Bytes on the wire (request + response bodies):");
    measure("nothing new", a.sync_until_ok(1).await, Some(300));
    let old = a.create(COMMUNE, sampler.body(RecordKind::Mediation));
    a.sync_until_ok(1).await;
    a.create(COMMUNE, sampler.any_body());
    measure("one new record", a.sync_until_ok(1).await, Some(2048));
    let edit: Assignment = "title=Tranh chấp ranh giới đất rẫy giữa hai hộ".parse().expect("assignment");
    a.store.edit_record(&old, &[edit]).expect("edit");
    measure("one field of an old record edited", a.sync_until_ok(1).await, None);
    for _ in 0..records {
        a.create(COMMUNE, sampler.any_body());
    }
    a.sync_until_ok(1).await;
    let mut fresh = enrolled(&server, &server.url, "can.bo.moi", COMMUNE).await;
    let first = fresh.sync_until_ok(1).await;
    // The floor: every change the server holds, concatenated and compressed with the same DEFLATE.
    let mut all = Vec::new();
    let db = server.db();
    let mut stmt = db.prepare("SELECT changes FROM feed ORDER BY seq").expect("feed");
    for blob in stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).expect("rows") {
        for c in postcard::from_bytes::<Vec<serde_bytes::ByteBuf>>(&blob.expect("blob")).expect("entry") {
            all.extend_from_slice(&c);
        }
    }
    let floor = deflated_len(&all);
    let total = first.bytes_sent + first.bytes_received;
    let ratio = total as f64 / floor as f64;
    measure("first sync, receiving every record", first.clone(), None);
    println!(
        "  first sync of {} records: {total} bytes in {} round trips; floor (changes, DEFLATE) {floor} bytes: {ratio:.3}×   goal ≤ 1.2×",
        records + 3,
        first.round_trips
    );
    for r in rows {
        emit(r);
    }
    emit(json!({"bench": "first_sync_over_floor", "records": records + 3, "bytes": total, "floor_bytes": floor,
                "ratio": ratio, "round_trips": first.round_trips, "goal": 1.2}));
}

/// Small records for the side-by-side run: a title, a date, a place, a count.
fn small_records(n: usize) -> Vec<Dialogue> {
    let mut sampler = Sampler::new(1000);
    (0..n)
        .map(|_| {
            let full = sampler.dialogue();
            Dialogue {
                title: full.title,
                held_on: full.held_on,
                place: full.place,
                status: full.status,
                attendance: sotay_core::record::common::Attendance {
                    total: full.attendance.total,
                    ..Default::default()
                },
                ..Default::default()
            }
        })
        .collect()
}

/// One side's run of the side by side.
struct Run {
    bytes: u64,
    seconds: f64,
    /// Every record reached device B.
    completed: bool,
    /// Of which the server held this many when the run ended.
    stored: usize,
}

async fn ours(records: &[Dialogue], one_way: Duration, rate: u64) -> Run {
    let server = TestServer::start();
    let link = Throttle::start(server.addr, one_way, rate).await;
    let mut a = enrolled(&server, &link.url(), "can.bo.a", COMMUNE).await;
    let mut b = enrolled(&server, &link.url(), "can.bo.b", COMMUNE).await;
    for r in records {
        a.create(COMMUNE, RecordBody::Dialogue(r.clone()));
    }
    link.reset();
    let started = Instant::now();
    a.sync_until_ok(1).await;
    b.sync_until_ok(1).await;
    let seconds = started.elapsed().as_secs_f64();
    let (up, down) = link.bytes();
    let received =
        b.store.list(&sotay_core::store::RecordFilter { limit: 100_000, ..Default::default() }).expect("list");
    Run { bytes: up + down, seconds, completed: received.len() == records.len(), stored: server.doc_heads().len() }
}

/// automerge-repo: a sync server and two peers in Node.js, the same records, the same link.
async fn theirs(records: &[Dialogue], one_way: Duration, rate: u64, deadline: Duration) -> Option<Run> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("automerge-repo");
    if Command::new("node").arg("--version").output().is_err() {
        return None;
    }
    if !dir.join("node_modules").exists() {
        let ok =
            Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir).status().map(|s| s.success());
        assert_eq!(ok.ok(), Some(true), "npm ci in {}", dir.display());
    }
    let n = records.len();
    let work = tempfile::tempdir().expect("dir");
    let json_records: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            let mut v = RecordBody::Dialogue(r.clone()).to_value();
            v["kind"] = json!("dialogue");
            v["unit"] = json!(COMMUNE);
            v
        })
        .collect();
    let (records_file, ids_file) = (work.path().join("records.json"), work.path().join("ids.json"));
    std::fs::write(&records_file, serde_json::to_vec(&json_records).expect("json")).expect("write");
    let spawn = |args: &[&std::ffi::OsStr], env: &[(&str, &std::ffi::OsStr)]| {
        let mut c = Command::new("node");
        c.args(args).stdout(Stdio::piped()).stderr(Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().expect("node");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        (child, rx)
    };
    let server_js = dir.join("server.mjs");
    let peer_js = dir.join("peer.mjs");
    let data = work.path().join("amrg");
    let (mut server, server_out) =
        spawn(&[server_js.as_os_str()], &[("DATA_DIR", data.as_os_str()), ("PORT", std::ffi::OsStr::new("0"))]);
    let port: u16 = loop {
        let line = server_out.recv_timeout(Duration::from_secs(30)).expect("node server starts");
        if let Some(p) = line.strip_prefix("listening ") {
            break p.trim().parse().expect("port");
        }
    };
    let link = Throttle::start(format!("127.0.0.1:{port}").parse().expect("addr"), one_way, rate).await;
    let ws = format!("ws://{}", link.addr);
    let (mut peer_a, a_out) = spawn(
        &[peer_js.as_os_str(), "create".as_ref(), ws.as_ref(), records_file.as_os_str(), ids_file.as_os_str()],
        &[],
    );
    loop {
        let line = a_out.recv_timeout(Duration::from_secs(120)).expect("peer A creates its documents");
        if line.starts_with("created") {
            break;
        }
    }
    let started = Instant::now();
    let mut stored = 0;
    let mut completed = false;
    while started.elapsed() < deadline {
        if let Some(k) = server_out
            .recv_timeout(Duration::from_millis(500))
            .ok()
            .and_then(|l| l.strip_prefix("stored ").map(str::to_string))
        {
            stored = k.trim().parse().unwrap_or(stored);
        }
        if stored == n {
            let (mut peer_b, b_out) =
                spawn(&[peer_js.as_os_str(), "fetch".as_ref(), ws.as_ref(), ids_file.as_os_str()], &[]);
            let left = deadline.saturating_sub(started.elapsed());
            completed = b_out.recv_timeout(left).map(|l| l.starts_with(&format!("fetched {n}"))).unwrap_or(false);
            let _ = peer_b.kill();
            let _ = peer_b.wait();
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let (up, down) = link.bytes();
    for child in [&mut peer_a, &mut server] {
        let _ = child.kill();
        let _ = child.wait();
    }
    Some(Run { bytes: up + down, seconds, completed, stored })
}

async fn anchor(n: usize) {
    let records = small_records(n);
    let links = [
        ("a 2G link (300 ms RTT, 100 kbit/s)", Duration::from_millis(150), 100_000, Duration::from_secs(20 * 60)),
        ("loopback, no throttling", Duration::ZERO, 100_000_000_000, Duration::from_secs(10 * 60)),
    ];
    for (name, one_way, rate, deadline) in links {
        println!("{n} small records from device A to device B through the server, over {name}:");
        let o = ours(&records, one_way, rate).await;
        assert!(o.completed, "every record reached B");
        println!("  Sổ Tay          {:>10} bytes on the link, {:>8.1} s", o.bytes, o.seconds);
        let Some(t) = theirs(&records, one_way, rate, deadline).await else {
            println!("  automerge-repo  not run: Node.js is not installed");
            continue;
        };
        let outcome = if t.completed {
            "all records reached B".to_string()
        } else {
            format!("NOT DONE when stopped after {:.0} s: the server held {} of {n}", t.seconds, t.stored)
        };
        println!("  automerge-repo  {:>10} bytes on the link, {:>8.1} s   {outcome}", t.bytes, t.seconds);
        let (rb, rt) = (o.bytes as f64 / t.bytes as f64, o.seconds / t.seconds);
        println!(
            "  ours / automerge-repo: {rb:.3}× the bytes, {rt:.3}× the time{}   goal ≤ 0.5× each",
            if t.completed { "" } else { " (at least: theirs did not finish)" }
        );
        emit(json!({"bench": "anchor", "link": name, "records": n, "ours_bytes": o.bytes, "ours_seconds": o.seconds,
                    "automerge_repo_bytes": t.bytes, "automerge_repo_seconds": t.seconds,
                    "automerge_repo_completed": t.completed, "automerge_repo_stored": t.stored,
                    "bytes_ratio": rb, "time_ratio": rt, "goal": 0.5}));
    }
}

/// A simulated device for the load test: its record in memory as an automerge document, its
/// cursor, and the server's heads; no store, so that the load generator leaves the machine's two
/// cores to the server as far as it can.
struct Simulated {
    login: String,
    device_id: String,
    token: String,
    doc: sotay_core::document::Document,
    doc_id: String,
    cursor: sotay_core::sync::protocol::Cursor,
    server_heads: Vec<automerge::ChangeHash>,
}

impl Simulated {
    fn request(&mut self) -> Vec<u8> {
        use sotay_core::sync::protocol::{DEFAULT_PAGE_BYTES, DocChanges, SyncRequest, doc_id, encode};
        let changes = self.doc.changes_since(&self.server_heads);
        let pushes = vec![DocChanges {
            doc: doc_id(&self.doc_id).expect("id"),
            changes: changes.into_iter().map(|(_, c)| serde_bytes::ByteBuf::from(c)).collect(),
        }];
        encode(&SyncRequest { cursor: self.cursor, pushes, max_response_bytes: DEFAULT_PAGE_BYTES })
    }

    fn edit(&mut self, n: u64) {
        let mut body = self.doc.body();
        body["place"] = json!(format!("Nhà văn hóa thôn, buổi {n}"));
        let writer = sotay_core::document::Writer {
            author: sotay_core::record::Author { user: self.login.clone(), device: self.device_id.clone() },
            actor: automerge::ActorId::random(),
            now: 0,
        };
        self.doc.update_body(body, &writer).expect("edit");
    }
}

/// What a load run measured, in milliseconds.
struct LoadStats {
    syncs: usize,
    rate: f64,
    p50: f64,
    p99: f64,
    errors: u64,
    /// Requests the hostile device made, and how many were answered 4xx.
    hostile_requests: u64,
    hostile_refused: u64,
}

/// The heaviest push the limits let one device send: 999 valid new records (each decoded,
/// applied, validated and scoped) followed by one change that makes automerge panic, so that
/// all of it is staged and then refused, and nothing is stored: it can be sent again and again.
async fn hostile_body(server: &TestServer, transport: &Transport) -> (String, Vec<u8>) {
    use sotay_core::document::{Document, NewDocument, Writer};
    use sotay_core::sync::protocol::{DocChanges, SyncRequest, encode};
    let commune = sotay_e2e::COMMUNE;
    server.add_user("ke.tan.cong", "commune-official", commune);
    let e = transport.enroll(&server.code("ke.tan.cong"), "attacker", None).await.expect("enroll");
    let mut sampler = Sampler::new(66);
    let writer = Writer {
        author: sotay_core::record::Author { user: "ke.tan.cong".into(), device: e.device_id.clone() },
        actor: automerge::ActorId::random(),
        now: 0,
    };
    let mut pushes = Vec::new();
    let mut first = None;
    for _ in 0..sotay_core::sync::protocol::MAX_PUSH_DOCS - 1 {
        let id = uuid::Uuid::now_v7().to_string();
        let body = RecordBody::Dialogue(sampler.dialogue()).to_value();
        let kind = sotay_core::record::DocumentKind::Dialogue;
        let mut doc =
            Document::create(NewDocument { id: &id, kind, unit: commune, commune, body }, &writer).expect("doc");
        let changes: Vec<_> = doc.changes_since(&[]).into_iter().map(|(_, c)| serde_bytes::ByteBuf::from(c)).collect();
        first.get_or_insert_with(|| changes[0].to_vec());
        pushes.push(DocChanges { doc: sotay_core::sync::protocol::doc_id(&id).expect("id"), changes });
    }
    let mutant =
        sotay_server::fuzzing::panicking_mutants(&first.expect("a change"), 1, 200_000, 3).pop().expect("a mutant");
    pushes
        .push(DocChanges { doc: uuid::Uuid::now_v7().into_bytes(), changes: vec![serde_bytes::ByteBuf::from(mutant)] });
    let body = encode(&SyncRequest { cursor: Default::default(), pushes, max_response_bytes: 1 << 19 });
    (e.token, body)
}

/// Where the load runs: the embedded database, or `n` instances on one PostgreSQL database.
#[derive(Clone, Copy, PartialEq)]
enum Backend {
    Sqlite,
    Postgres(usize),
}

/// Runs the load and prints its figures; returns the syncs that failed (checked once every
/// requested run has been measured).
async fn load(devices: usize, seconds: u64, backend: Backend) -> u64 {
    let s = load_run(devices, seconds, false, backend).await;
    let name = match backend {
        Backend::Sqlite => "load".to_string(),
        Backend::Postgres(n) => format!("load-postgres-{n}"),
    };
    println!(
        "  {:.0} syncs/s, p50 {:.1} ms, p99 {:.1} ms, {} errors   goal ≥ 300 syncs/s, p99 ≤ 200 ms, 0 errors",
        s.rate, s.p50, s.p99, s.errors
    );
    emit(json!({"bench": name, "devices": devices, "seconds": seconds, "syncs": s.syncs, "syncs_per_second": s.rate,
                "p50_ms": s.p50, "p99_ms": s.p99, "errors": s.errors}));
    s.errors
}

/// Issue 11: honest devices' p99 with one hostile device sending, without pause, the heaviest
/// requests the limits allow, against the same load without it, measured in the same run.
async fn hostile(devices: usize, seconds: u64) {
    let calm = load_run(devices, seconds, false, Backend::Sqlite).await;
    let attacked = load_run(devices, seconds, true, Backend::Sqlite).await;
    let ratio = attacked.p99 / calm.p99;
    println!(
        "  without: p50 {:.1} ms, p99 {:.1} ms; with a hostile device ({} requests, {} refused): p50 {:.1} ms, p99 {:.1} ms; p99 ratio {ratio:.2}   goal ≤ 2",
        calm.p50, calm.p99, attacked.hostile_requests, attacked.hostile_refused, attacked.p50, attacked.p99
    );
    emit(json!({"bench": "hostile", "devices": devices, "seconds": seconds, "p99_ms_without": calm.p99,
                "p99_ms_with": attacked.p99, "p99_ratio": ratio, "hostile_requests": attacked.hostile_requests,
                "errors": calm.errors + attacked.errors}));
    assert_eq!(calm.errors + attacked.errors, 0, "honest syncs failed");
    assert!(attacked.hostile_requests > 0 && attacked.hostile_refused == attacked.hostile_requests);
}

async fn load_run(devices: usize, seconds: u64, with_attacker: bool, backend: Backend) -> LoadStats {
    use sotay_core::document::{Document, NewDocument, Writer};
    use sotay_core::sync::protocol::{SyncResponse, decode};
    let attacker = if with_attacker { ", and one hostile device" } else { "" };
    let on = match backend {
        Backend::Sqlite => "the embedded database".to_string(),
        Backend::Postgres(n) => format!("{n} instance(s) on one PostgreSQL database, devices spread over them"),
    };
    println!(
        "{devices} devices syncing a small change each, about twice a second each, for {seconds} s{attacker}, on {on}:"
    );
    let options = ["--enrollments-per-minute", "100000"];
    // Commits wait on the disk on both backends, as in production.
    let cluster = matches!(backend, Backend::Postgres(_)).then(sotay_e2e::postgres::Cluster::start_durable);
    let servers: Vec<TestServer> = match (&cluster, backend) {
        (Some(c), Backend::Postgres(n)) => (0..n.max(1)).map(|_| TestServer::on_postgres(&c.url(), &options)).collect(),
        _ => vec![TestServer::start_with(&options)],
    };
    let server = &servers[0];
    let transports: Vec<std::sync::Arc<Transport>> =
        servers.iter().map(|s| std::sync::Arc::new(Transport::new(&s.url).expect("transport"))).collect();
    // One commune per device, as across a province: each pulls only its own commune.
    let communes: Vec<String> = sotay_core::units::catalogue()
        .edition(sotay_core::units::Edition::CURRENT)
        .filter(|u| u.level == sotay_core::units::UnitLevel::Commune)
        .take(devices)
        .map(|u| u.code.clone())
        .collect();
    let transport = transports[0].clone();
    let mut fleet = Vec::new();
    let mut sampler = Sampler::new(9);
    for (i, commune) in communes.iter().enumerate() {
        let login = format!("can.bo.{i}");
        server.add_user(&login, "commune-official", commune);
        let e = transport.enroll(&server.code(&login), "sim", None).await.expect("enroll");
        let doc_id = uuid::Uuid::now_v7().to_string();
        let writer = Writer {
            author: sotay_core::record::Author { user: login.clone(), device: e.device_id.clone() },
            actor: automerge::ActorId::random(),
            now: 0,
        };
        let body = RecordBody::Dialogue(sampler.dialogue()).to_value();
        let new =
            NewDocument { id: &doc_id, kind: sotay_core::record::DocumentKind::Dialogue, unit: commune, commune, body };
        let doc = Document::create(new, &writer).expect("document");
        let mut sim = Simulated {
            login,
            device_id: e.device_id,
            token: e.token,
            doc,
            doc_id,
            cursor: Default::default(),
            server_heads: vec![],
        };
        let first = sim.request();
        let bytes = transport.post("/v1/sync", &sim.token, first).await.expect("first sync");
        sim.cursor = decode::<SyncResponse>(&bytes).expect("response").cursor;
        sim.server_heads = sim.doc.heads();
        fleet.push(sim);
    }
    let stop = Instant::now() + Duration::from_secs(seconds);
    let hostile = if with_attacker {
        let (token, body) = hostile_body(server, &transport).await;
        let client = sotay_e2e::http_client();
        let url = format!("{}/v1/sync", server.url);
        Some(tokio::spawn(async move {
            let (mut sent, mut refused) = (0u64, 0u64);
            while Instant::now() < stop {
                let r = client.post(&url).bearer_auth(&token).body(body.clone()).send().await;
                sent += 1;
                match r {
                    Ok(r) if r.status().is_client_error() => refused += 1,
                    _ => {}
                }
            }
            (sent, refused)
        }))
    } else {
        None
    };
    let mut tasks = Vec::new();
    for (i, mut sim) in fleet.into_iter().enumerate() {
        let transport = transports[i % transports.len()].clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut kinds: std::collections::BTreeMap<String, u64> = Default::default();
            let mut n = 0u64;
            // Spread the devices' rhythms over the half second.
            tokio::time::sleep(Duration::from_millis((i as u64 * 37) % 500)).await;
            while Instant::now() < stop {
                n += 1;
                sim.edit(n);
                let body = sim.request();
                let t = Instant::now();
                match transport.post("/v1/sync", &sim.token, body).await {
                    Ok(bytes) => {
                        latencies.push(t.elapsed());
                        match decode::<SyncResponse>(&bytes) {
                            Ok(r) => {
                                sim.cursor = r.cursor;
                                sim.server_heads = sim.doc.heads();
                            }
                            Err(_) => {
                                errors += 1;
                                *kinds.entry("undecodable response".into()).or_default() += 1;
                            }
                        }
                    }
                    Err(e) => {
                        errors += 1;
                        *kinds.entry(e.to_string()).or_default() += 1;
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            (latencies, errors, kinds)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    let mut kinds: std::collections::BTreeMap<String, u64> = Default::default();
    for t in tasks {
        let (l, e, k) = t.await.expect("device task");
        all.extend(l);
        errors += e;
        for (kind, n) in k {
            *kinds.entry(kind).or_default() += n;
        }
    }
    // What failed, so that a failing run says why.
    for (kind, n) in &kinds {
        println!("    failed {n}×: {kind}");
    }
    all.sort();
    let q = |p: f64| {
        all.get(((all.len().max(1) - 1) as f64 * p) as usize).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(f64::NAN)
    };
    let rate = all.len() as f64 / seconds as f64;
    let (hostile_requests, hostile_refused) = match hostile {
        Some(t) => t.await.expect("hostile task"),
        None => (0, 0),
    };
    // The servers' own view: time spent serving each sync, from their histograms.
    for (n, s) in servers.iter().enumerate() {
        if let Ok(r) = sotay_e2e::http_client().get(format!("{}/metrics", s.url)).send().await {
            let text = r.text().await.unwrap_or_default();
            for line in text.lines().filter(|l| l.starts_with("sotay_sync_duration_seconds_bucket")) {
                println!("    server {n} {line}");
            }
        }
    }
    LoadStats { syncs: all.len(), rate, p50: q(0.5), p99: q(0.99), errors, hostile_requests, hostile_refused }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let only: Vec<&str> = args.iter().skip(1).filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    let wants = |name: &str| only.is_empty() || only.contains(&name);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let _ = Transport::new("http://127.0.0.1:1");
    runtime.block_on(async {
        if wants("wire") {
            wire(if full { 5_000 } else { 100 }).await;
        }
        if full && wants("anchor") {
            anchor(1_000).await;
        }
        let (devices, seconds) = if full { (200, 60) } else { (10, 2) };
        let mut failed = 0;
        if wants("load") {
            failed += load(devices, seconds, Backend::Sqlite).await;
        }
        // The same load on PostgreSQL, one instance and two (issue 12).
        if wants("load-postgres") {
            failed += load(devices, seconds, Backend::Postgres(1)).await;
            failed += load(devices, seconds, Backend::Postgres(2)).await;
        }
        assert_eq!(failed, 0, "syncs failed under load");
        if wants("hostile") {
            if full { hostile(100, 30).await } else { hostile(5, 2).await }
        }
    });
}
