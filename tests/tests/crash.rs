//! The server killed with SIGKILL in the middle of syncs and restarted: nothing lost, the
//! database intact, everyone converges.

use rand::{RngExt, SeedableRng};
use sotay_core::sample::Sampler;
use sotay_e2e::{Backend, COMMUNE, TestServer, two_commune_officials};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_mid_sync_loses_nothing() {
    killed_mid_sync(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_mid_sync_loses_nothing_on_postgres() {
    killed_mid_sync(Backend::Postgres).await;
}

async fn killed_mid_sync(backend: Backend) {
    let mut server = TestServer::start_on(backend);
    let (mut a, mut b) = two_commune_officials(&server).await;
    let mut sampler = Sampler::new(31);
    let mut rng = rand::rngs::StdRng::seed_from_u64(8);
    let mut total = 0;
    let mut interrupted = 0;
    for round in 0..4 {
        for _ in 0..150 {
            a.create(COMMUNE, sampler.any_body());
            total += 1;
        }
        // A pushes (and, on alternate rounds, B pulls) while the server is killed.
        let pusher = tokio::spawn(async move {
            let r = a.sync().await;
            (a, r)
        });
        let puller = tokio::spawn(async move {
            let r = b.sync().await;
            (b, r)
        });
        tokio::time::sleep(std::time::Duration::from_millis(rng.random_range(5..60))).await;
        server.kill9();
        let (a2, ra) = pusher.await.expect("pusher");
        let (b2, rb) = puller.await.expect("puller");
        (a, b) = (a2, b2);
        interrupted += usize::from(ra.is_err()) + usize::from(rb.is_err());
        server.restart();
        // SQLite's file is checked whole; PostgreSQL recovers from its own log.
        if backend == Backend::Sqlite {
            let ok: String = server.db().query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity");
            assert_eq!(ok, "ok", "round {round}");
        }
        a.sync_until_ok(3).await;
        b.sync_until_ok(3).await;
        assert_eq!(
            b.store.list(&sotay_core::store::RecordFilter { limit: 10_000, ..Default::default() }).expect("list").len(),
            total
        );
    }
    assert!(interrupted > 0, "the kills interrupted syncs");
    a.sync_until_ok(2).await;
    assert_eq!(a.state(), b.state());
    assert_eq!(server.doc_heads(), a.doc_heads());
}
