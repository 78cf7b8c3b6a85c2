//! The server over TLS (rustls) when given a certificate: a device enrolls and syncs over HTTPS,
//! trusting the deployment's own certificate authority; a client that does not trust it fails.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use sotay_core::sample::Sampler;
use sotay_core::sync::http::Transport;
use sotay_e2e::{COMMUNE, Device, TestServer};

#[tokio::test]
async fn enrolls_and_syncs_over_tls() {
    let dir = tempfile::tempdir().expect("dir");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("ca key")).expect("ca");
    let key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .expect("params")
        .signed_by(&key, &ca)
        .expect("leaf");
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, leaf.pem()).expect("write cert");
    std::fs::write(&key_path, key.serialize_pem()).expect("write key");

    let server = TestServer::start_tls(cert_path, key_path);
    assert!(server.url.starts_with("https://"), "{}", server.url);
    server.add_user("can.bo.a", "commune-official", COMMUNE);

    // Without the deployment's authority, the certificate is refused.
    let untrusting = Transport::new(&server.url).expect("transport");
    assert!(untrusting.enroll(&server.code("can.bo.a"), "x", None).await.is_err());

    // Under TLS every answer tells browsers to keep to HTTPS.
    let _ = sotay_e2e::http_client();
    let browser = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.pem().as_bytes()).expect("ca"))
        .build()
        .expect("client");
    let live = browser.get(format!("{}/livez", server.url)).send().await.expect("livez");
    assert!(live.headers().get("strict-transport-security").is_some(), "{:?}", live.headers());

    let transport = Transport::with_root_certificate(&server.url, ca.pem().as_bytes()).expect("transport");
    let enrollment = transport.enroll(&server.code("can.bo.a"), "điện thoại", None).await.expect("enroll over TLS");
    let mut device = Device::new("can.bo.a");
    device.store.set_enrollment(&enrollment).expect("save");
    device.transport = Some(transport);
    let id = device.create(COMMUNE, Sampler::new(3).any_body());
    let report = device.sync_until_ok(1).await;
    assert_eq!(report.pushed_changes, 1);
    assert!(server.doc_heads().contains_key(&id));
}
