//! The authorisation matrix: each role against each kind and unit, for push and pull; the
//! denouncer's identity reaches only the handler. Expectations are written out here by hand,
//! independently of the rules in the core.

use std::collections::BTreeSet;

use sotay_core::record::petition::{PetitionSubject, PetitionType};
use sotay_core::record::{RecordBody, RecordKind};
use sotay_core::sample::Sampler;
use sotay_e2e::{Backend, COMMUNE, Device, OTHER_COMMUNE, PROVINCE, TestServer};

const ALL: [RecordKind; 8] = [
    RecordKind::Dialogue,
    RecordKind::Mediation,
    RecordKind::VillageMeeting,
    RecordKind::Petition,
    RecordKind::Consultation,
    RecordKind::FrontSession,
    RecordKind::Supervision,
    RecordKind::Model,
];

/// Kinds without personal details, which a reviewer above the commune receives.
const REVIEWABLE: [RecordKind; 6] = [
    RecordKind::Dialogue,
    RecordKind::VillageMeeting,
    RecordKind::Consultation,
    RecordKind::FrontSession,
    RecordKind::Supervision,
    RecordKind::Model,
];

async fn device(server: &TestServer, login: &str, role: &str, unit: &str) -> Device {
    server.add_user(login, role, unit);
    let mut d = Device::new(login);
    d.enroll(&server.url, &server.code(login)).await;
    d
}

fn ids(d: &Device) -> BTreeSet<String> {
    d.store.document_ids().expect("ids").into_iter().collect()
}

#[tokio::test]
async fn each_role_pulls_and_pushes_exactly_its_kinds_and_units() {
    authorization_matrix(Backend::Sqlite).await;
}

#[tokio::test]
async fn each_role_pulls_and_pushes_exactly_its_kinds_and_units_on_postgres() {
    authorization_matrix(Backend::Postgres).await;
}

async fn authorization_matrix(backend: Backend) {
    let server = TestServer::start_on(backend);
    let mut sampler = Sampler::new(77);
    let mut official = device(&server, "can.bo.xa", "commune-official", COMMUNE).await;
    let mut other_official = device(&server, "can.bo.xa.khac", "commune-official", OTHER_COMMUNE).await;
    let village = official.store.add_village(COMMUNE, sampler.village()).expect("village");
    official.sync_until_ok(2).await;

    // Seed: every kind in the village and at the commune, and in another commune.
    let mut in_village = Vec::new();
    let mut in_commune = Vec::new();
    let mut elsewhere = Vec::new();
    for kind in ALL {
        in_village.push((kind, official.create(&village, sampler.body(kind))));
        in_commune.push((kind, official.create(COMMUNE, sampler.body(kind))));
        elsewhere.push((kind, other_official.create(OTHER_COMMUNE, sampler.body(kind))));
    }
    // A denunciation handled by the commune leader: its denouncer's identity is a document apart.
    let denunciation = official.create(
        COMMUNE,
        RecordBody::Petition(sotay_core::record::Petition {
            title: "Tố cáo sai phạm trong hỗ trợ giống lúa".into(),
            petition_type: PetitionType::Denunciation,
            received_on: Some("2026-09-10".parse().expect("date")),
            petitioner: PetitionSubject {
                name: "Sùng A Chờ".into(), phone: "0912345678".into(), ..Default::default()
            },
            handlers: vec!["lanh.dao.xa".into()],
            ..Default::default()
        }),
    );
    let RecordBody::Petition(p) = official.store.record(&denunciation).expect("denunciation").body else { panic!() };
    let identity = p.identity_ref.clone();
    // Sample petitions name handlers too: none of them is the leader.
    official.sync_until_ok(3).await;
    other_official.sync_until_ok(3).await;
    assert!(official.store.sync_status().expect("status").rejected.is_empty());

    let kinds = |list: &[(RecordKind, String)], keep: &[RecordKind]| -> Vec<String> {
        list.iter().filter(|(k, _)| keep.contains(k)).map(|(_, id)| id.clone()).collect()
    };
    let set = |parts: Vec<Vec<String>>| -> BTreeSet<String> { parts.into_iter().flatten().collect() };

    // Pull.
    let mut mediator = device(&server, "hoa.giai.vien", "mediator", &village).await;
    let mut head = device(&server, "truong.thon", "village-head", &village).await;
    let mut leader = device(&server, "lanh.dao.xa", "commune-leader", COMMUNE).await;
    let mut colleague = device(&server, "can.bo.xa.2", "commune-official", COMMUNE).await;
    let mut reviewer = device(&server, "chuyen.vien.tinh", "reviewer", PROVINCE).await;
    let mut admin = device(&server, "quan.tri", "administrator", "08").await;
    for d in [&mut mediator, &mut head, &mut leader, &mut colleague, &mut reviewer, &mut admin] {
        d.sync_until_ok(2).await;
    }
    let village_doc = vec![village.clone()];
    let commune_all =
        set(vec![kinds(&in_village, &ALL), kinds(&in_commune, &ALL), village_doc.clone(), vec![denunciation.clone()]]);
    assert_eq!(ids(&mediator), set(vec![kinds(&in_village, &[RecordKind::Mediation]), village_doc.clone()]));
    assert_eq!(
        ids(&head),
        set(vec![kinds(&in_village, &[RecordKind::VillageMeeting, RecordKind::Dialogue]), village_doc.clone()])
    );
    let mut with_identity = commune_all.clone();
    with_identity.insert(identity.clone());
    assert_eq!(ids(&leader), with_identity, "the handler receives the denouncer's identity");
    assert_eq!(ids(&colleague), commune_all, "another official of the commune does not");
    assert_eq!(
        ids(&reviewer),
        set(vec![
            kinds(&in_village, &REVIEWABLE),
            kinds(&in_commune, &REVIEWABLE),
            kinds(&elsewhere, &REVIEWABLE),
            village_doc.clone()
        ]),
        "a reviewer above the commune receives no personal details"
    );
    assert!(ids(&admin).is_empty());
    assert_eq!(leader.store.record(&denunciation).expect("petition").denouncer.expect("identity").name, "Sùng A Chờ");
    assert!(colleague.store.record(&denunciation).expect("petition").denouncer.is_none());

    // Push: each role records every kind in its own unit and in the other commune.
    let cases: Vec<(&mut Device, &str, Vec<RecordKind>)> = vec![
        (&mut mediator, village.as_str(), vec![RecordKind::Mediation]),
        (&mut head, village.as_str(), vec![RecordKind::VillageMeeting, RecordKind::Dialogue]),
        (&mut leader, COMMUNE, ALL.to_vec()),
        (&mut reviewer, COMMUNE, vec![]),
        (&mut admin, COMMUNE, vec![]),
    ];
    for (d, unit, allowed) in cases {
        let mut expected_ok = BTreeSet::new();
        let mut expected_refused = BTreeSet::new();
        for kind in ALL {
            // A denunciation brings its denouncer's identity document along: same fate.
            let with_identity = |d: &Device, id: String| -> Vec<String> {
                match d.store.record(&id).expect("record").body {
                    RecordBody::Petition(p) if !p.identity_ref.is_empty() => vec![id, p.identity_ref],
                    _ => vec![id],
                }
            };
            let own = d.create(unit, sampler.body(kind));
            let own = with_identity(d, own);
            let other = d.create(OTHER_COMMUNE, sampler.body(kind));
            let other = with_identity(d, other);
            if allowed.contains(&kind) {
                expected_ok.extend(own);
            } else {
                expected_refused.extend(own);
            }
            expected_refused.extend(other);
        }
        let before = server.fingerprint();
        d.sync_until_ok(2).await;
        let refused: BTreeSet<String> =
            d.store.sync_status().expect("status").rejected.into_iter().map(|r| r.id).collect();
        let reasons = d.store.sync_status().expect("status").rejected;
        assert_eq!(refused, expected_refused, "{}: refused pushes: {reasons:#?}", d.name);
        let on_server = server.doc_heads();
        for id in &expected_ok {
            assert!(on_server.contains_key(id), "{}: {id} should have been accepted", d.name);
        }
        for id in &expected_refused {
            assert!(!on_server.contains_key(id), "{}: {id} should have been refused", d.name);
        }
        if expected_ok.is_empty() {
            assert_eq!(server.fingerprint(), before, "{}: nothing stored", d.name);
        }
    }
    // A refused document is reported, in both languages, without personal data.
    let reason = &admin.store.sync_status().expect("status").rejected[0].reason;
    assert!(reason.contains("outside this device's scope") && reason.contains("phạm vi"), "{reason}");
}
