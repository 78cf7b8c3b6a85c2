//! Files attached to records, end to end: a mediation case's signed agreement goes from the phone
//! that attached it to the server only when the sync may move files, and from there to the phones
//! that may read the case, and to no other; what is not a file of a record is refused.

use rand::{Rng, SeedableRng};
use sotay_core::record::RecordBody;
use sotay_core::record::mediation::{MediationCase, Party};
use sotay_core::sample::Sampler;
use sotay_core::store::attachments::sha256_hex;
use sotay_e2e::{Backend, COMMUNE, Device, OTHER_COMMUNE, PROVINCE, TestServer};

async fn device(server: &TestServer, login: &str, role: &str, unit: &str) -> Device {
    server.add_user(login, role, unit);
    let mut d = Device::new(login);
    d.enroll(&server.url, &server.code(login)).await;
    d
}

/// A scanned agreement as a PDF: varied Vietnamese text, not one template.
fn agreement(sampler: &mut Sampler) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n% Bien ban hoa giai thanh\n".to_vec();
    for _ in 0..40 {
        pdf.extend_from_slice(sampler.text(40, 120).as_bytes());
        pdf.push(b'\n');
    }
    pdf.extend_from_slice(b"%%EOF\n");
    pdf
}

/// A photo: incompressible bytes behind a JPEG header.
fn photo(len: usize, seed: u64) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rand::rngs::StdRng::seed_from_u64(seed).fill_bytes(&mut bytes);
    bytes[..3].copy_from_slice(&[0xff, 0xd8, 0xff]);
    bytes
}

fn case(sampler: &mut Sampler) -> RecordBody {
    RecordBody::Mediation(MediationCase {
        title: "Tranh chấp ranh giới đất vườn giữa hai hộ ở thôn Nà Mè".into(),
        team: "Tổ hòa giải thôn Nà Mè".into(),
        received_on: Some("2026-09-20".parse().expect("date")),
        parties: vec![
            Party { name: sampler.person(), ..Default::default() },
            Party { name: sampler.person(), ..Default::default() },
        ],
        ..Default::default()
    })
}

async fn put(server: &TestServer, token: Option<&str>, sha: &str, media_type: &str, body: Vec<u8>) -> u16 {
    let mut request = reqwest::Client::new()
        .put(format!("{}/v1/attachments/{sha}", server.url))
        .header("content-type", media_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request").status().as_u16()
}

/// Announces a body of `len` bytes and reads the answer without sending it: what the server can
/// refuse on the headers alone (no token, too large) it must refuse before the body, so a phone
/// on a slow link is not made to send it.
async fn announce(server: &TestServer, token: Option<&str>, len: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = server.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("connect");
    let authorization = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let head = format!(
        "PUT /v1/attachments/{} HTTP/1.1\r\nHost: {address}\r\n{authorization}\
         Content-Type: image/jpeg\r\nContent-Length: {len}\r\n\r\n",
        "a".repeat(64),
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("an answer")
        .expect("read");
    let line = String::from_utf8_lossy(&answer[..n]).to_string();
    line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line")
}

async fn get(server: &TestServer, token: &str, sha: &str) -> (u16, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(format!("{}/v1/attachments/{sha}", server.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn a_file_follows_its_record_when_files_may_move_and_only_to_those_who_may_read_it() {
    file_follows_its_record(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_file_follows_its_record_when_files_may_move_and_only_to_those_who_may_read_it_on_postgres() {
    file_follows_its_record(Backend::Postgres).await;
}

async fn file_follows_its_record(backend: Backend) {
    let server = TestServer::start_on(backend);
    let mut sampler = Sampler::new(2026);
    let mut a = device(&server, "hoa.giai.a", "commune-official", COMMUNE).await;
    let mut b = device(&server, "can.bo.b", "commune-official", COMMUNE).await;
    let elsewhere = device(&server, "can.bo.xa.khac", "commune-official", OTHER_COMMUNE).await;
    let reviewer = device(&server, "chuyen.vien.tinh", "reviewer", PROVINCE).await;

    let id = a.create(COMMUNE, case(&mut sampler));
    let scan = agreement(&mut sampler);
    let reference = a.store.attach(&id, "Biên bản hòa giải thành.pdf", "application/pdf", &scan).expect("attach");
    let sha = reference.sha256.clone();
    assert_eq!(sha, sha256_hex(&scan));

    // On mobile data: the case goes, the file waits.
    let held = a.sync_holding_attachments().await.expect("sync");
    assert_eq!((held.pushed_changes > 0, held.attachments_sent), (true, 0));
    assert_eq!(a.store.sync_status().expect("status").attachments_pending, 1);
    let first = b.sync_until_ok(2).await;
    assert!(first.received_docs >= 1);
    assert_eq!(first.attachments_received, 0, "the server does not have the file yet");
    assert_eq!(b.store.attachment(&sha).expect("read"), None);
    assert_eq!(b.store.attachments_to_fetch().expect("missing").len(), 1);

    // On Wi-Fi: the file goes, and the other official's phone fetches it.
    let sent = a.sync_until_ok(2).await;
    assert_eq!(sent.attachments_sent, 1);
    assert!(sent.bytes_sent >= scan.len() as u64);
    assert_eq!(a.store.sync_status().expect("status").attachments_pending, 0);
    let received = b.sync_until_ok(2).await;
    assert_eq!(received.attachments_received, 1);
    assert_eq!(b.store.attachment(&sha).expect("read"), Some(scan.clone()));
    assert!(b.store.attachments_to_fetch().expect("missing").is_empty());
    let again = b.sync_until_ok(2).await;
    assert_eq!((again.attachments_sent, again.attachments_received), (0, 0), "nothing moves twice");

    // Outside the case's scope the file does not exist; a reviewer gets no mediation files.
    assert_eq!(get(&server, &b.token(), &sha).await, (200, scan.clone()));
    assert_eq!(get(&server, &elsewhere.token(), &sha).await.0, 404);
    assert_eq!(get(&server, &reviewer.token(), &sha).await.0, 404);
    assert_eq!(get(&server, "not-a-token", &sha).await.0, 401);
    // Knowing the hash is not enough: a record of its own that names the file grants nothing to a
    // phone that never had the file's bytes.
    let mut forger = elsewhere;
    let theirs = forger.create(OTHER_COMMUNE, case(&mut sampler));
    let RecordBody::Mediation(mut forged) = forger.store.record(&theirs).expect("their case").body else { panic!() };
    forged.attachments.push(reference.clone());
    forger.store.update_record(&theirs, RecordBody::Mediation(forged)).expect("a well-formed reference");
    let report = forger.sync_until_ok(2).await;
    assert_eq!(report.attachments_received, 0);
    assert_eq!(forger.store.attachment(&sha).expect("read"), None);
    assert_eq!(get(&server, &forger.token(), &sha).await.0, 404);
    let elsewhere = forger;
    // Nor may they send a file in the case's name.
    let other = photo(200_000, 1);
    assert_eq!(put(&server, Some(&elsewhere.token()), &sha256_hex(&other), "image/jpeg", other).await, 403);
}

#[tokio::test]
async fn what_is_not_a_file_of_a_record_is_refused_and_the_server_keeps_serving() {
    not_a_file_of_a_record(Backend::Sqlite).await;
}

#[tokio::test]
async fn what_is_not_a_file_of_a_record_is_refused_and_the_server_keeps_serving_on_postgres() {
    not_a_file_of_a_record(Backend::Postgres).await;
}

async fn not_a_file_of_a_record(backend: Backend) {
    let server = TestServer::start_on(backend);
    let mut sampler = Sampler::new(11);
    let mut a = device(&server, "hoa.giai.a", "commune-official", COMMUNE).await;
    let id = a.create(COMMUNE, case(&mut sampler));
    let big = photo(6 * 1024 * 1024, 2);
    let reference = a.store.attach(&id, "Ảnh hiện trường.jpg", "image/jpeg", &big).expect("attach");
    a.sync_holding_attachments().await.expect("sync the case");
    let token = a.token();
    let sha = reference.sha256.clone();

    // A file no record refers to, the wrong content for a hash, a type that is not a photo or a
    // scan, content that is not of its type, a hash that is not one, no token, more than 10 MiB.
    let stray = photo(1000, 3);
    assert_eq!(put(&server, Some(&token), &sha256_hex(&stray), "image/jpeg", stray).await, 403);
    assert_eq!(put(&server, Some(&token), &sha, "image/jpeg", photo(1000, 4)).await, 422);
    assert_eq!(put(&server, Some(&token), &sha, "text/html", photo(100, 7)).await, 415);
    let mut not_a_photo = b"%PDF-1.4\n".to_vec();
    not_a_photo.extend_from_slice(&big[9..]);
    assert_eq!(put(&server, Some(&token), &sha, "image/jpeg", not_a_photo).await, 415, "named a photo, not one");
    assert_eq!(put(&server, Some(&token), "../../etc/passwd", "image/jpeg", photo(100, 6)).await, 404);
    assert_eq!(put(&server, Some(&token), "ABCDEF", "image/jpeg", photo(100, 6)).await, 400);
    assert_eq!(announce(&server, None, big.len()).await, 401, "no token: refused before the body");
    assert_eq!(
        announce(&server, Some(&token), 10 * 1024 * 1024 + 1).await,
        413,
        "over 10 MiB: refused before the body"
    );
    assert_eq!(get(&server, &token, &sha).await.0, 404, "nothing was kept");

    // The real file, larger than a sync body's page, goes through.
    assert_eq!(put(&server, Some(&token), &sha, "image/jpeg", big.clone()).await, 204);
    assert_eq!(put(&server, Some(&token), &sha, "image/jpeg", big.clone()).await, 204, "sending it twice is harmless");
    let (status, body) = get(&server, &token, &sha).await;
    assert_eq!((status, body.len()), (200, big.len()));
    let health = reqwest::get(format!("{}/healthz", server.url)).await.expect("healthz");
    assert_eq!(health.status().as_u16(), 200);
    // The phone's own sync then has nothing to send: the server already has the file.
    let report = a.sync_until_ok(2).await;
    assert_eq!(report.attachments_sent, 1, "it sends once, learns the server has it, and stops");
    assert_eq!(a.store.sync_status().expect("status").attachments_pending, 0);
}
