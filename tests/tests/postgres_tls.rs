//! TLS to PostgreSQL: with `sslmode=require` the server connects over TLS and verifies the
//! database's certificate against `PGSSLROOTCERT` (or the system's CAs); a database whose
//! certificate it does not trust is refused, and nothing is sent in the clear.
//!
//! One test in this binary: it sets `PGSSLROOTCERT` for the server processes it starts.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use sotay_core::sample::Sampler;
use sotay_e2e::postgres::Cluster;
use sotay_e2e::{COMMUNE, Device, TestServer};
use sotay_server::postgres::{PgError, connect_with};

fn authority() -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    CertifiedIssuer::self_signed(params, KeyPair::generate().expect("ca key")).expect("ca")
}

fn on_tls(client: &mut postgres::Client) -> bool {
    client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).expect("pg_stat_ssl").get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_reaches_postgresql_over_verified_tls_when_asked() {
    let dir = tempfile::tempdir().expect("dir");
    let (ca, stranger) = (authority(), authority());
    let key = KeyPair::generate().expect("key");
    let leaf =
        CertificateParams::new(vec!["localhost".to_string()]).expect("params").signed_by(&key, &ca).expect("leaf");
    let cluster = Cluster::start_tls(&leaf.pem(), &key.serialize_pem());
    let (ca_file, stranger_file, junk) =
        (dir.path().join("ca.pem"), dir.path().join("other.pem"), dir.path().join("junk.pem"));
    std::fs::write(&ca_file, ca.pem()).expect("ca file");
    std::fs::write(&stranger_file, stranger.pem()).expect("other ca file");
    std::fs::write(&junk, "không phải chứng chỉ / not a certificate").expect("junk");

    // The blocking client runs a runtime of its own: off this test's.
    let (trusted, untrusted, plain, unreadable) = std::thread::scope(|s| {
        s.spawn(|| {
            let trusted = connect_with(&cluster.tcp_url("require"), Some(&ca_file)).map(|mut c| on_tls(&mut c));
            let untrusted = connect_with(&cluster.tcp_url("require"), Some(&stranger_file)).map(|_| ());
            let plain = connect_with(&cluster.tcp_url("disable"), None).map(|mut c| on_tls(&mut c));
            let unreadable = connect_with(&cluster.tcp_url("require"), Some(&junk)).map(|_| ());
            (trusted, untrusted, plain, unreadable)
        })
        .join()
        .expect("connect")
    });
    assert_eq!(trusted.ok(), Some(true), "over TLS, trusting the database's authority");
    assert!(untrusted.is_err(), "a certificate of an authority it does not trust is refused");
    assert_eq!(plain.ok(), Some(false), "without sslmode=require, no TLS (the test's cluster allows it)");
    match unreadable {
        Err(e @ PgError::RootCerts(_)) => assert!(e.to_string().contains(" / "), "said in both languages: {e}"),
        other => panic!("a root file with no certificate: {other:?}"),
    }

    // The server and its admin commands, as an operator runs them: the CA named the libpq way.
    // SAFETY: the only test of this binary, and no thread reads the environment meanwhile.
    unsafe { std::env::set_var("PGSSLROOTCERT", &ca_file) };
    let server = TestServer::on_postgres(&cluster.tcp_url("require"), &[]);
    server.add_user("can.bo.a", "commune-official", COMMUNE);
    let mut phone = Device::new("Điện thoại công chức xã");
    phone.enroll(&server.url, &server.code("can.bo.a")).await;
    let id = phone.create(COMMUNE, Sampler::new(29).any_body());
    assert_eq!(phone.sync_until_ok(2).await.pushed_changes, 1);
    let (held, in_clear): (i64, i64) = std::thread::scope(|s| {
        s.spawn(|| {
            let mut c = connect_with(&cluster.tcp_url("require"), Some(&ca_file)).expect("connect");
            let held = c.query_one("SELECT count(*) FROM documents WHERE doc_id = $1", &[&id]).expect("held").get(0);
            // Every client connection over TCP, the server's among them, is on TLS.
            let in_clear = c
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
                     WHERE a.client_addr IS NOT NULL AND NOT s.ssl",
                    &[],
                )
                .expect("activity")
                .get(0);
            (held, in_clear)
        })
        .join()
        .expect("query")
    });
    assert_eq!((held, in_clear), (1, 0));

    // Pointed at an authority that did not sign the database's certificate, it does not connect.
    unsafe { std::env::set_var("PGSSLROOTCERT", &stranger_file) };
    let out = server.admin_output(&["user", "list"]);
    assert!(!out.status.success(), "an untrusted database accepted");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("certificate") && said.contains(" / "), "says why, in both languages: {said}");
}
