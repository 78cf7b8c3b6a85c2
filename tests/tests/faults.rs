//! A fault-injecting proxy between three devices and the server: dropped connections, requests
//! and responses cut in the middle, long delays, requests delivered twice. Once the faults stop,
//! everything converges, nothing is lost and nothing is duplicated.

use std::collections::BTreeSet;
use std::time::Duration;

use sotay_core::record::input::Assignment;
use sotay_core::sample::Sampler;
use sotay_e2e::{Backend, COMMUNE, Device, FaultProxy, TestServer};

#[tokio::test]
async fn devices_converge_after_faults_with_nothing_lost_or_doubled() {
    converge_after_faults(Backend::Sqlite).await;
}

#[tokio::test]
async fn devices_converge_after_faults_with_nothing_lost_or_doubled_on_postgres() {
    converge_after_faults(Backend::Postgres).await;
}

async fn converge_after_faults(backend: Backend) {
    let server = TestServer::start_on(backend);
    let proxy = FaultProxy::start(server.addr).await;
    proxy.set_delay(Duration::from_millis(400));
    let mut devices = Vec::new();
    for login in ["can.bo.a", "can.bo.b", "can.bo.c"] {
        server.add_user(login, "commune-official", COMMUNE);
        let mut d = Device::new(login);
        d.enroll(&proxy.url(), &server.code(login)).await;
        devices.push(d);
    }
    let mut sampler = Sampler::new(2024);
    let mut created = BTreeSet::new();
    let shared = devices[0].create(COMMUNE, sampler.body(sotay_core::record::RecordKind::Mediation));
    created.insert(shared.clone());
    devices[0].sync_until_ok(1).await;
    for d in devices.iter_mut() {
        d.sync_until_ok(1).await;
    }

    proxy.set_faults(0.6, 99);
    let mut failures = 0;
    for round in 0..8 {
        for (i, d) in devices.iter_mut().enumerate() {
            for _ in 0..3 {
                created.insert(d.create(COMMUNE, sampler.any_body()));
            }
            let title: Assignment = format!("team=Tổ hòa giải {i} vòng {round}").parse().expect("assignment");
            d.store.edit_record(&shared, &[title]).expect("edit");
            if d.sync().await.is_err() {
                failures += 1;
            }
        }
    }
    assert!(proxy.faults_injected() >= 10, "only {} faults injected", proxy.faults_injected());
    assert!(failures >= 3, "the faults were felt: {failures} failed syncs");

    proxy.set_faults(0.0, 0);
    for _ in 0..2 {
        for d in devices.iter_mut() {
            d.sync_until_ok(2).await;
        }
    }
    let first = devices[0].state();
    for d in &devices[1..] {
        assert_eq!(first, d.state(), "{} differs", d.name);
    }
    assert_eq!(server.doc_heads(), devices[0].doc_heads());
    // Nothing lost, nothing doubled.
    let listed: Vec<String> = devices[2]
        .store
        .list(&sotay_core::store::RecordFilter { limit: 10_000, ..Default::default() })
        .expect("list")
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(listed.len(), created.len(), "no duplicate records");
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), created, "every record everywhere");
    // The server stored each change once.
    let receipts = server.stored_changes();
    match backend {
        // Receipts and device-pushed feed entries agree.
        Backend::Sqlite => {
            let db = server.db();
            let mut stmt = db.prepare("SELECT changes FROM feed WHERE device_id != 'server'").expect("feed");
            let pushed: usize = stmt
                .query_map([], |r| r.get::<_, Vec<u8>>(0))
                .expect("rows")
                .map(|b| postcard::from_bytes::<Vec<serde_bytes::ByteBuf>>(&b.expect("blob")).expect("entry").len())
                .sum();
            assert_eq!(pushed as i64, receipts, "a change delivered twice is stored once");
        }
        // Each change a row, numbered once, with no gap.
        Backend::Postgres => {
            let last: i64 = server.on_postgres_db(|c| {
                c.query_one("SELECT coalesce(max(position), 0) FROM changes", &[]).expect("max").get(0)
            });
            assert_eq!(last, receipts, "a change delivered twice is stored and numbered once");
        }
    }
    let history: usize = devices[0]
        .store
        .document_ids()
        .expect("ids")
        .iter()
        .filter_map(|id| devices[0].store.history(id).ok())
        .map(|h| h.len())
        .sum();
    assert!(history as i64 <= receipts);
}
