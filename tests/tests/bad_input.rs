//! Bad input to the server: malformed, truncated, oversized, wrong-version and garbage-automerge
//! bodies, forged authors, invalid documents, ids outside scope, wrong and revoked tokens. Each
//! gets a 4xx with a clear error, nothing stored changes, and the server keeps serving others.

use automerge::transaction::Transactable;
use serde_bytes::ByteBuf;
use sotay_core::record::RecordKind;
use sotay_core::sample::Sampler;
use sotay_core::sync::protocol::{self, DocChanges, SyncRequest};
use sotay_e2e::{Backend, COMMUNE, OTHER_COMMUNE, TestServer, two_commune_officials};

use sotay_e2e::post_sync as post;

fn request(pushes: Vec<DocChanges>) -> Vec<u8> {
    protocol::encode(&SyncRequest {
        cursor: Default::default(),
        pushes,
        max_response_bytes: protocol::DEFAULT_PAGE_BYTES,
    })
}

/// One automerge change of a document written by `user`, made outside the store.
fn raw_change(doc_id: &str, user: &str, device: &str, root: serde_json::Value) -> Vec<u8> {
    let mut doc = automerge::AutoCommit::new();
    if let serde_json::Value::Object(m) = root {
        for (k, v) in m {
            match v {
                serde_json::Value::String(s) => doc.put(automerge::ROOT, k, s).expect("put"),
                serde_json::Value::Number(n) => doc.put(automerge::ROOT, k, n.as_u64().unwrap_or(0)).expect("put"),
                _ => {}
            }
        }
    }
    doc.put(automerge::ROOT, "id", doc_id).expect("put");
    let message = serde_json::json!({"user": user, "device": device}).to_string();
    doc.commit_with(automerge::transaction::CommitOptions::default().with_message(message).with_time(0));
    let mut changes = doc.get_changes(&[]);
    changes[0].bytes().into_owned()
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_and_changes_nothing() {
    bad_input(Backend::Sqlite).await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_and_changes_nothing_on_postgres() {
    bad_input(Backend::Postgres).await;
}

async fn bad_input(backend: Backend) {
    let server = TestServer::start_on(backend);
    let (mut a, mut b) = two_commune_officials(&server).await;
    let mut sampler = Sampler::new(5);
    let existing = a.create(COMMUNE, sampler.body(RecordKind::Mediation));
    a.sync_until_ok(2).await;
    let (_, device_a, token) = a.store.enrollment().expect("enrollment").expect("enrolled");
    let device_a = device_a.as_str();
    let before = server.fingerprint();

    // A valid push of a new record, to mutilate.
    let fresh = a.create(COMMUNE, sampler.body(RecordKind::Petition));
    let prepared = a.store.prepare_sync(protocol::DEFAULT_PAGE_BYTES).expect("prepare");
    let good = prepared.body();
    let doc = protocol::doc_id(&fresh).expect("id");
    let valid_changes: Vec<u8> =
        prepared.request.pushes.iter().find(|p| p.doc == doc).expect("the new record is pushed").changes[0].to_vec();

    let mut wrong_version = good.clone();
    wrong_version[3] = 9;
    let oversized = vec![b'S'; sotay_core::sync::protocol::MAX_BODY_BYTES + 1024];
    let garbage = request(vec![DocChanges { doc, changes: vec![ByteBuf::from(b"not automerge at all".to_vec())] }]);
    let truncated_change = request(vec![DocChanges {
        doc,
        changes: vec![ByteBuf::from(valid_changes[..valid_changes.len() / 2].to_vec())],
    }]);
    // A document outside the device's commune, written in its own name.
    let elsewhere_id = uuid::Uuid::now_v7().to_string();
    let elsewhere = raw_change(
        &elsewhere_id,
        "can.bo.a",
        device_a,
        serde_json::json!({"kind": "mediation", "schema": 1, "unit": OTHER_COMMUNE, "commune": OTHER_COMMUNE}),
    );
    // A document in scope, but claiming another author.
    let forged_id = uuid::Uuid::now_v7().to_string();
    let forged = raw_change(
        &forged_id,
        "can.bo.b",
        device_a,
        serde_json::json!({"kind": "mediation", "schema": 1, "unit": COMMUNE, "commune": COMMUNE}),
    );
    // The right user, but a device id that is none of the user's devices.
    let stray_id = uuid::Uuid::now_v7().to_string();
    let stray = raw_change(
        &stray_id,
        "can.bo.a",
        "another-device",
        serde_json::json!({"kind": "mediation", "schema": 1, "unit": COMMUNE, "commune": COMMUNE}),
    );
    // A document with an unknown unit, and one of an unknown kind.
    let nowhere_id = uuid::Uuid::now_v7().to_string();
    let nowhere = raw_change(
        &nowhere_id,
        "can.bo.a",
        device_a,
        serde_json::json!({"kind": "mediation", "schema": 1, "unit": "99999", "commune": "99999"}),
    );
    let alien_id = uuid::Uuid::now_v7().to_string();
    let alien = raw_change(
        &alien_id,
        "can.bo.a",
        device_a,
        serde_json::json!({"kind": "spaceship", "schema": 1, "unit": COMMUNE, "commune": COMMUNE}),
    );
    // A change that depends on one the server never saw.
    let orphan = {
        let mut d = automerge::AutoCommit::new();
        d.put(automerge::ROOT, "x", 1u64).expect("put");
        d.commit();
        d.put(automerge::ROOT, "x", 2u64).expect("put");
        d.commit_with(
            automerge::transaction::CommitOptions::default().with_message(r#"{"user":"can.bo.a","device":"d"}"#),
        );
        d.get_changes(&[])[1].bytes().into_owned()
    };
    let id_of = |s: &str| protocol::doc_id(s).expect("id");
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("not a sync body", b"hello, server".to_vec(), 400, "malformed"),
        ("empty", Vec::new(), 400, "malformed"),
        ("truncated body", good[..good.len() / 2].to_vec(), 400, "malformed"),
        ("wrong version", wrong_version, 400, "unsupported_version"),
        ("oversized", oversized, 413, ""),
        ("garbage automerge", garbage, 400, "malformed"),
        ("truncated change", truncated_change, 400, "malformed"),
        (
            "outside scope",
            request(vec![DocChanges { doc: id_of(&elsewhere_id), changes: vec![ByteBuf::from(elsewhere)] }]),
            403,
            "forbidden",
        ),
        (
            "forged author",
            request(vec![DocChanges { doc: id_of(&forged_id), changes: vec![ByteBuf::from(forged)] }]),
            403,
            "forbidden",
        ),
        (
            "a device that is not the user's",
            request(vec![DocChanges { doc: id_of(&stray_id), changes: vec![ByteBuf::from(stray)] }]),
            403,
            "forbidden",
        ),
        (
            "unknown unit",
            request(vec![DocChanges { doc: id_of(&nowhere_id), changes: vec![ByteBuf::from(nowhere)] }]),
            422,
            "invalid_document",
        ),
        (
            "unknown kind",
            request(vec![DocChanges { doc: id_of(&alien_id), changes: vec![ByteBuf::from(alien)] }]),
            422,
            "invalid_document",
        ),
        (
            "missing dependencies",
            request(vec![DocChanges {
                doc: id_of(&uuid::Uuid::now_v7().to_string()),
                changes: vec![ByteBuf::from(orphan)],
            }]),
            409,
            "missing_dependencies",
        ),
        (
            "sent under another id",
            request(vec![DocChanges {
                doc: id_of(&uuid::Uuid::now_v7().to_string()),
                changes: vec![ByteBuf::from(valid_changes.clone())],
            }]),
            422,
            "invalid_document",
        ),
    ];
    for (what, body, status, code) in cases {
        let (got, json) = post(&server.url, &token, body).await;
        assert_eq!(got, status, "{what}: {json}");
        if !code.is_empty() {
            assert_eq!(json["error"]["code"], serde_json::json!(code), "{what}: {json}");
            let message = json["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(" / "), "{what}: a bilingual message: {message}");
        }
        assert_eq!(server.fingerprint(), before, "{what} changed what the server stores");
    }
    // A good push in the same batch as a bad one stores neither.
    let mixed = request(vec![
        DocChanges { doc, changes: vec![ByteBuf::from(valid_changes.clone())] },
        DocChanges {
            doc: id_of(&forged_id),
            changes: vec![ByteBuf::from(raw_change(
                &forged_id,
                "can.bo.b",
                device_a,
                serde_json::json!({"kind": "mediation", "schema": 1, "unit": COMMUNE, "commune": COMMUNE}),
            ))],
        },
    ]);
    assert_eq!(post(&server.url, &token, mixed).await.0, 403);
    assert_eq!(server.fingerprint(), before);

    // Wrong, forged and revoked tokens.
    assert_eq!(post(&server.url, "not-a-token", good.clone()).await.0, 401);
    let no_auth =
        sotay_e2e::http_client().post(format!("{}/v1/sync", server.url)).body(good.clone()).send().await.expect("send");
    assert_eq!(no_auth.status().as_u16(), 401);
    let (_, device_b, token_b) = b.store.enrollment().expect("e").expect("enrolled");
    server.admin(&["device", "revoke", &device_b]);
    let (status, json) = post(&server.url, &token_b, good.clone()).await;
    assert_eq!(status, 401, "{json}");
    assert!(matches!(b.sync().await, Err(sotay_core::sync::http::SyncError::Unauthorized)));
    assert_eq!(server.fingerprint(), before);

    // The server keeps serving: the honest device's push goes through.
    let report = a.sync_until_ok(2).await;
    assert_eq!(report.pushed_changes, 1);
    assert!(server.doc_heads().contains_key(&fresh));
    let health = sotay_e2e::http_client().get(format!("{}/healthz", server.url)).send().await.expect("healthz");
    assert_eq!(health.status().as_u16(), 200);
    // And its records stay after the revoked device is gone.
    assert!(server.doc_heads().contains_key(&existing));
}

#[tokio::test]
async fn enrollment_refuses_bad_codes_and_limits_attempts() {
    enrollment_refusals(Backend::Sqlite).await;
}

#[tokio::test]
async fn enrollment_refuses_bad_codes_and_limits_attempts_on_postgres() {
    enrollment_refusals(Backend::Postgres).await;
}

async fn enrollment_refusals(backend: Backend) {
    let server = TestServer::start_on(backend);
    server.add_user("can.bo.a", "mediator", COMMUNE);
    let client = sotay_e2e::http_client();
    let attempt = |code: &str| {
        client
            .post(format!("{}/v1/enroll", server.url))
            .json(&serde_json::json!({"code": code, "device_name": "x"}))
            .send()
    };
    assert_eq!(attempt("AAAAA-BBBBB").await.expect("send").status().as_u16(), 401);
    let malformed = client.post(format!("{}/v1/enroll", server.url)).body("{").send().await.expect("send");
    assert_eq!(malformed.status().as_u16(), 400);
    let mut limited = false;
    for _ in 0..12 {
        if attempt("AAAAA-BBBBB").await.expect("send").status().as_u16() == 429 {
            limited = true;
        }
    }
    assert!(limited, "repeated attempts are rate limited");
    let metrics =
        client.get(format!("{}/metrics", server.url)).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("sotay_http_requests_total{route=\"enroll\",status=\"429\"}"), "{metrics}");
}
