//! Two server processes on one PostgreSQL database (issue 12): devices enroll on one instance
//! with codes made on the other, then sync through both in turn, many at once, while one
//! instance is killed with SIGKILL in the middle of their syncs and started again. Every device
//! ends with every record, as every other device holds it, and the feed holds each change once,
//! in positions with no gap. The cluster is a throwaway one (tests/src/postgres.rs).

use std::collections::BTreeMap;
use std::time::Duration;

use sotay_core::sample::Sampler;
use sotay_core::sync::http::Transport;
use sotay_e2e::postgres::Cluster;
use sotay_e2e::{COMMUNE, Device, TestServer};

const OFFICIALS: [&str; 4] = ["can.bo.thanh", "can.bo.huong", "can.bo.dung", "can.bo.lan"];

/// Points the device at `server` for its next syncs (its token is the same on every instance).
fn through(device: &mut Device, server: &TestServer) {
    device.transport = Some(Transport::new(&server.url).expect("transport"));
}

/// Every device syncs once, all at once (their requests in flight together); returns how many
/// failed.
async fn all_sync(devices: &mut [Device]) -> usize {
    let syncs = devices.iter_mut().map(|d| async move {
        let r = d.sync().await;
        if let Err(e) = &r {
            eprintln!("{}: {e}", d.name);
        }
        r.is_ok()
    });
    futures_util::future::join_all(syncs).await.into_iter().filter(|ok| !ok).count()
}

/// Work on the database from a thread of its own: the blocking client runs a runtime of its own,
/// which cannot start on the test's.
fn on_database<T: Send>(url: &str, work: impl FnOnce(&mut postgres::Client) -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| work(&mut postgres::Client::connect(url, postgres::NoTls).expect("connect"))).join().expect("query")
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_alternating_between_two_instances_converge_through_a_sigkill() {
    let cluster = Cluster::start();
    let one = TestServer::on_postgres(&cluster.url(), &[]);
    let mut two = TestServer::on_postgres(&cluster.url(), &[]);
    for login in OFFICIALS {
        one.add_user(login, "commune-official", COMMUNE);
    }
    let mut devices = Vec::new();
    for (i, login) in OFFICIALS.iter().enumerate() {
        let mut d = Device::new(login);
        // Codes made through one instance are spent on the other: the secret they are hashed
        // under is the database's.
        let (made, spent) = if i % 2 == 0 { (&one, &two) } else { (&two, &one) };
        d.enroll(&spent.url, &made.code(login)).await;
        devices.push(d);
    }
    // A code is spent once, whichever instance is asked.
    let code = one.code(OFFICIALS[0]);
    let mut again = Device::new(OFFICIALS[0]);
    again.enroll(&two.url, &code).await;
    let refused = Transport::new(&one.url).expect("transport").enroll(&code, "máy thứ ba", None).await;
    assert!(refused.is_err(), "a spent code is refused by the other instance");

    let mut sampler = Sampler::new(71);
    let mut created = 0;
    for round in 0..6 {
        for (i, d) in devices.iter_mut().enumerate() {
            for _ in 0..3 {
                d.create(COMMUNE, sampler.any_body());
                created += 1;
            }
            through(d, if (round + i) % 2 == 0 { &one } else { &two });
        }
        if round == 3 {
            // Instance two dies while the devices sync through both, round after round.
            let syncs = async {
                let mut failed = 0;
                for _ in 0..4 {
                    failed += all_sync(&mut devices).await;
                }
                failed
            };
            let kill = async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                two.kill9();
            };
            let (failed, ()) = tokio::join!(syncs, kill);
            eprintln!("{failed} syncs failed with the instance killed");
            two.restart();
        } else {
            assert_eq!(all_sync(&mut devices).await, 0, "round {round}: every sync succeeds");
        }
    }
    // Until quiet: everyone syncs through the instance it did not use last, twice.
    for pass in 0..3 {
        for (i, d) in devices.iter_mut().enumerate() {
            through(d, if (pass + i) % 2 == 0 { &two } else { &one });
            d.sync_until_ok(5).await;
        }
    }

    // What the server holds: every record, and the denouncers' identities some petitions carry,
    // which only their handlers' devices receive (none of these officials handles them).
    let url = cluster.url();
    let (held, identities): (BTreeMap<String, String>, Vec<(String, String)>) = on_database(&url, |c| {
        let mut held = BTreeMap::new();
        let mut identities = Vec::new();
        for r in c.query("SELECT doc_id, kind, heads FROM documents", &[]).expect("documents") {
            let (id, kind, heads): (String, String, String) = (r.get(0), r.get(1), r.get(2));
            let mut hs: Vec<&str> = heads.split(',').filter(|h| !h.is_empty()).collect();
            hs.sort();
            if kind == "denouncer-identity" {
                let from: String = c
                    .query_one("SELECT device_id FROM changes WHERE doc_id = $1 ORDER BY position LIMIT 1", &[&id])
                    .expect("its first change")
                    .get(0);
                identities.push((id, from));
            } else {
                held.insert(id, hs.join(","));
            }
        }
        (held, identities)
    });
    assert_eq!(held.len(), created, "every record on the server");
    for d in &devices {
        let mut heads = d.doc_heads();
        let theirs = identities.iter().filter(|(id, from)| *from != d.device_id() && heads.contains_key(id)).count();
        assert_eq!(theirs, 0, "{} holds no other official's denouncer identity", d.name);
        heads.retain(|id, _| !identities.iter().any(|(i, _)| i == id));
        assert_eq!(heads, held, "{} holds every record as the server does", d.name);
    }
    for (id, from) in &identities {
        let author = devices.iter().find(|d| d.device_id() == *from).expect("sent by one of the devices");
        assert!(author.doc_heads().contains_key(id), "{} keeps the identity it recorded", author.name);
    }
    let (rows, distinct, last): (i64, i64, i64) = on_database(&url, |c| {
        let r = c
            .query_one("SELECT count(*), count(DISTINCT hash), coalesce(max(position), 0) FROM changes", &[])
            .expect("count");
        (r.get(0), r.get(1), r.get(2))
    });
    assert_eq!(rows, distinct, "each change kept once");
    assert_eq!(rows, last, "positions without a gap: no change numbered twice or lost");
    assert!(rows as usize >= created);
}

/// A device's rate is counted once however many instances it reaches: each instance alone
/// would let every one of these requests pass.
#[tokio::test]
async fn a_device_spread_over_two_instances_gets_its_rate_once() {
    let cluster = Cluster::start();
    let limit = ["--device-requests-per-minute", "5"];
    let one = TestServer::on_postgres(&cluster.url(), &limit);
    let two = TestServer::on_postgres(&cluster.url(), &limit);
    one.add_user(OFFICIALS[0], "commune-official", COMMUNE);
    let mut d = Device::new(OFFICIALS[0]);
    d.enroll(&one.url, &one.code(OFFICIALS[0])).await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        let body = d.store.prepare_sync(sotay_core::sync::protocol::DEFAULT_PAGE_BYTES).expect("prepare").body();
        let server = if i % 2 == 0 { &one } else { &two };
        statuses.push(sotay_e2e::post_sync(&server.url, &d.token(), body).await.0);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 3, "{statuses:?}");
    // Another device is not held back by it.
    one.add_user(OFFICIALS[1], "commune-official", COMMUNE);
    let mut other = Device::new(OFFICIALS[1]);
    other.enroll(&two.url, &one.code(OFFICIALS[1])).await;
    through(&mut other, &two);
    other.sync().await.expect("another device syncs");
}
