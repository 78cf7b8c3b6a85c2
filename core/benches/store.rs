//! The device store's speed and size with 10,000 records of mixed kinds, against the floor of a
//! durable write (one JSON row inserted with plain rusqlite on the same SQLCipher build, WAL,
//! `synchronous = FULL`, same key, same disk), measured in the same run.
//!
//! `cargo bench -p sotay-core --bench store` (release). Prints text, then one JSON line per
//! figure. Under `cargo test --benches` it runs a small smoke version instead.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use serde_json::json;
use sotay_core::record::input::Assignment;
use sotay_core::sample::{PLAN, Sampler};
use sotay_core::store::{NewProfile, RecordFilter, Role, Store, StoreKey};
use sotay_core::text::fold;
use sotay_core::time::SystemClock;

const KEY: StoreKey = StoreKey::Raw([42; 32]);

struct Figure {
    name: &'static str,
    samples: Vec<Duration>,
}

impl Figure {
    fn quantile(&self, q: f64) -> f64 {
        let mut s = self.samples.clone();
        s.sort();
        let i = ((s.len() - 1) as f64 * q).round() as usize;
        s[i].as_secs_f64() * 1000.0
    }
}

fn time<T>(n: usize, mut f: impl FnMut(usize) -> T) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let start = Instant::now();
            std::hint::black_box(f(i));
            start.elapsed()
        })
        .collect()
}

fn file_size(path: &Path) -> u64 {
    ["", "-wal"].iter().filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok()).map(|m| m.len()).sum()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let records: usize = std::env::var("SOTAY_BENCH_RECORDS").ok().and_then(|s| s.parse().ok()).unwrap_or(if full {
        10_000
    } else {
        200
    });
    let samples = if full { 200 } else { 20 };
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("bench.db");
    let clock = Arc::new(SystemClock);
    let mut store = Store::create(
        &path,
        &KEY,
        NewProfile {
            user_id: "bench".into(),
            display_name: "Bench".into(),
            role: Role::CommuneOfficial,
            unit: "02266".into(),
        },
        clock.clone(),
    )
    .expect("create store");
    let mut sampler = Sampler::new(2026);
    let villages: Vec<String> = (0..20)
        .map(|_| {
            let commune = sampler.commune().code.clone();
            store.add_village(&commune, sampler.village()).expect("village")
        })
        .collect();

    let start = Instant::now();
    let mut ids = Vec::with_capacity(records);
    for i in 0..records {
        let unit = if i % 4 == 0 { villages[i % villages.len()].clone() } else { sampler.commune().code.clone() };
        ids.push(store.create_record(&unit, sampler.any_body()).expect("create"));
    }
    let populate = start.elapsed();
    eprintln!("populated {records} records in {:.1} s", populate.as_secs_f64());

    // A JSON export of the same records: envelope and body, one object per line.
    let mut export = 0usize;
    for id in &ids {
        let v = store.record(id).expect("record");
        let line = json!({"id": v.id, "kind": v.kind, "unit": v.unit, "commune": v.commune, "created_by": v.created_by,
                          "created_at": v.created_at, "deleted": v.deleted, "body": v.body.to_value()});
        export += line.to_string().len() + 1;
    }

    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut figures = Vec::new();

    // Create one record, durable when the call returns.
    let bodies: Vec<_> = (0..samples).map(|_| sampler.any_body()).collect();
    let mut bodies_iter = bodies.clone().into_iter();
    figures.push(Figure {
        name: "create",
        samples: time(samples, |_| store.create_record("02266", bodies_iter.next().expect("body")).expect("create")),
    });

    // The floor: the same records as JSON rows, plain rusqlite, same configuration.
    let floor_path = dir.path().join("floor.db");
    let floor = rusqlite::Connection::open(&floor_path).expect("floor db");
    floor
        .execute_batch(&format!(
            "PRAGMA key = \"x'{}'\"; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE records (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
            KEY.to_hex().unwrap_or_default()
        ))
        .expect("floor schema");
    let jsons: Vec<String> = bodies.iter().map(|b| b.to_value().to_string()).collect();
    figures.push(Figure {
        name: "floor_insert_json_row",
        samples: time(samples, |i| {
            floor
                .execute(
                    "INSERT INTO records (id, body) VALUES (?1, ?2)",
                    (uuid::Uuid::now_v7().to_string(), &jsons[i]),
                )
                .expect("insert")
        }),
    });

    // Edit one field of a random record.
    let edits: Vec<(String, Assignment)> = (0..samples)
        .map(|i| {
            let id = ids.choose(&mut rng).expect("id").clone();
            (id, format!("title=Sửa lần {i}: {}", sampler.title()).parse().expect("assignment"))
        })
        .collect();
    figures.push(Figure {
        name: "edit",
        samples: time(samples, |i| store.edit_record(&edits[i].0, std::slice::from_ref(&edits[i].1)).expect("edit")),
    });

    // The 50 most recent.
    figures.push(Figure {
        name: "list_50",
        samples: time(samples, |_| store.list(&RecordFilter::default()).expect("list")),
    });

    // Diacritic-insensitive search for words of the plan, typed without diacritics.
    let words: Vec<String> = fold(PLAN).split(' ').filter(|w| w.len() >= 3).map(str::to_string).collect();
    let queries: Vec<String> = (0..samples)
        .map(|_| {
            let n = rng.random_range(1..=2);
            (0..n).map(|_| words.choose(&mut rng).expect("word").clone()).collect::<Vec<_>>().join(" ")
        })
        .collect();
    figures.push(Figure {
        name: "search",
        samples: time(samples, |i| store.search(&queries[i], &RecordFilter::default()).expect("search")),
    });

    drop(store);
    // Open the store with its 10,000 records.
    figures.push(Figure {
        name: "open",
        samples: time(samples.min(50), |_| Store::open(&path, &KEY, clock.clone()).expect("open")),
    });

    // Size on disk, after a checkpoint folds the WAL into the file.
    {
        let conn = rusqlite::Connection::open(&path).expect("reopen");
        conn.execute_batch(&format!(
            "PRAGMA key = \"x'{}'\"; PRAGMA wal_checkpoint(TRUNCATE);",
            KEY.to_hex().unwrap_or_default()
        ))
        .expect("checkpoint");
    }
    let size = file_size(&path);
    // Where the bytes go, table by table.
    let breakdown: Vec<(String, i64)> = {
        let conn = rusqlite::Connection::open(&path).expect("reopen");
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", KEY.to_hex().unwrap_or_default())).expect("key");
        let mut stmt =
            conn.prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8").expect("dbstat");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("dbstat").collect::<Result<_, _>>().expect("dbstat")
    };

    let goal = |name: &str| match name {
        "open" => Some(100.0),
        "create" | "edit" => Some(3.0),
        "list_50" => Some(10.0),
        "search" => Some(20.0),
        _ => None,
    };
    println!("Sổ Tay store benchmark: {records} records of mixed kinds, {samples} samples each (release: {full})");
    for f in &figures {
        let (p50, p90) = (f.quantile(0.5), f.quantile(0.9));
        let goal_text = goal(f.name).map(|g| format!("goal ≤ {g} ms")).unwrap_or_default();
        println!("  {:24} median {p50:8.3} ms   p90 {p90:8.3} ms   {goal_text}", f.name);
    }
    let median = |n: &str| figures.iter().find(|f| f.name == n).map(|f| f.quantile(0.5)).unwrap_or(f64::NAN);
    let ratio = median("create") / median("floor_insert_json_row");
    let size_ratio = size as f64 / export as f64;
    println!("  create / floor           {ratio:.2}×   goal ≤ 3×");
    println!(
        "  size on disk             {:.1} MB for a {:.1} MB JSON export: {size_ratio:.2}×   goal ≤ 3×",
        size as f64 / 1e6,
        export as f64 / 1e6
    );
    for (table, bytes) in &breakdown {
        println!("    {table:30} {:.1} MB", *bytes as f64 / 1e6);
    }
    for f in &figures {
        println!(
            "{}",
            json!({"bench": f.name, "records": records, "samples": f.samples.len(), "median_ms": f.quantile(0.5),
                   "p90_ms": f.quantile(0.9), "goal_ms": goal(f.name)})
        );
    }
    println!("{}", json!({"bench": "create_over_floor", "records": records, "ratio": ratio, "goal": 3.0}));
    println!(
        "{}",
        json!({"bench": "size_over_json_export", "records": records, "bytes": size, "json_bytes": export, "ratio": size_ratio, "goal": 3.0})
    );
    println!("{}", json!({"bench": "populate", "records": records, "seconds": populate.as_secs_f64()}));
}
