//! Kills a writing `sotay` with SIGKILL at random points, reopens the store, and finds every
//! acknowledged save present and the database intact.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Field;
use rand::{RngExt, SeedableRng};
use sotay_core::record::RecordKind;
use sotay_core::sample::Sampler;
use sotay_core::store::{RecordFilter, Store, StoreKey};

#[test]
fn every_acknowledged_save_survives_sigkill() {
    let f = Field::new();
    f.init();
    let mut sampler = Sampler::new(99);
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let files: Vec<_> = (0..8)
        .map(|i| {
            let kind = RecordKind::ALL[i % RecordKind::ALL.len()];
            (kind, f.write(&format!("r{i}.json"), &sampler.body(kind).to_value().to_string()))
        })
        .collect();
    // How long one uninterrupted save takes here (the median of three), to spread the kills over it.
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let start = Instant::now();
            f.ok(&["new", "mediation", "--from", files[1].1.to_str().unwrap()]);
            start.elapsed()
        })
        .collect();
    times.sort();
    let typical = times[1];
    let mut acknowledged = Vec::new();
    let mut killed = 0;
    for round in 0..60 {
        let (kind, file) = &files[round % files.len()];
        let mut child = f
            .cmd()
            .args(["new", kind.code(), "--json", "--from", file.to_str().unwrap()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let delay = typical.mul_f64(rng.random_range(0.0..2.0));
        std::thread::sleep(delay.min(Duration::from_secs(2)));
        let was_running = child.try_wait().unwrap().is_none();
        if was_running {
            child.kill().unwrap();
        }
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            acknowledged.push(view["id"].as_str().unwrap().to_string());
        } else if was_running {
            killed += 1;
        }
    }
    eprintln!("{killed} writers killed, {} saves acknowledged", acknowledged.len());
    assert!(killed >= 3, "only {killed} writers were killed mid-way");
    assert!(acknowledged.len() >= 3, "only {} saves completed", acknowledged.len());
    let store =
        Store::open(f.path(), &StoreKey::parse(common::KEY).unwrap(), Arc::new(sotay_core::time::SystemClock)).unwrap();
    assert!(store.integrity_check().unwrap());
    for id in &acknowledged {
        store.record(id).unwrap_or_else(|e| panic!("acknowledged record {id} lost: {e}"));
    }
    // The index agrees with the documents.
    let listed = store.list(&RecordFilter { limit: 1000, ..Default::default() }).unwrap();
    assert!(listed.len() > acknowledged.len(), "the first record plus every acknowledged one");
    for id in &acknowledged {
        assert!(listed.iter().any(|r| &r.id == id));
    }
}
