//! Three devices edit overlapping records offline (the same fields, different fields, deletes),
//! sync in every order, and all end with identical records, indexes and conflict lists; the
//! server holds the same documents.

use sotay_core::record::RecordKind;
use sotay_core::record::input::Assignment;
use sotay_core::sample::Sampler;
use sotay_e2e::{Backend, COMMUNE, Device, TestServer};

const LOGINS: [&str; 3] = ["can.bo.a", "can.bo.b", "can.bo.c"];

fn set(s: &str) -> Vec<Assignment> {
    s.split(';').map(|a| a.parse().expect("assignment")).collect()
}

async fn scenario(order: [usize; 3], backend: Backend) {
    let server = TestServer::start_on(backend);
    let mut devices = Vec::new();
    for login in LOGINS {
        server.add_user(login, "commune-official", COMMUNE);
        let mut d = Device::new(login);
        d.enroll(&server.url, &server.code(login)).await;
        devices.push(d);
    }
    // A records three cases; everyone receives them.
    let mut sampler = Sampler::new(order.iter().map(|&i| i as u64).sum::<u64>() + 7);
    let mut meeting = sampler.body(RecordKind::VillageMeeting);
    if let sotay_core::record::RecordBody::VillageMeeting(m) = &mut meeting {
        m.total_households = Some(300);
        m.households_represented = Some(200);
        for a in &mut m.agenda {
            (a.votes_for, a.votes_against, a.votes_abstain) = (Some(50), Some(10), Some(10));
            a.ballot_rounds.clear();
        }
    }
    let mediation = devices[0].create(COMMUNE, sampler.body(RecordKind::Mediation));
    let meeting = devices[0].create(COMMUNE, meeting);
    let dialogue = devices[0].create(COMMUNE, sampler.body(RecordKind::Dialogue));
    for d in devices.iter_mut() {
        d.sync_until_ok(3).await;
    }
    for d in devices.iter_mut() {
        d.sync_until_ok(3).await;
    }
    assert_eq!(devices[1].doc_heads(), devices[0].doc_heads(), "everyone starts from the same records");

    // Offline: the same field, different fields, a delete, and new records.
    let edit = |d: &mut Device, id: &str, s: &str| d.store.edit_record(id, &set(s)).expect("edit");
    edit(&mut devices[0], &mediation, "outcome=failure;title=Tranh chấp ranh giới đất rẫy");
    edit(&mut devices[1], &mediation, "outcome=withdrawn;team=Tổ hòa giải thôn Nà Mè");
    edit(&mut devices[2], &mediation, "category=neighbours");
    edit(&mut devices[0], &meeting, "agenda.0.votes_for=61");
    edit(&mut devices[2], &meeting, "agenda.0.votes_for=58;place=Nhà văn hóa thôn Khuổi Ún");
    edit(&mut devices[1], &dialogue, "place=Hội trường UBND xã Lâm Bình");
    devices[2].store.delete_record(&dialogue, "Trùng với biên bản khác").expect("delete");
    for (i, d) in devices.iter_mut().enumerate() {
        let body = sampler.any_body();
        d.create(COMMUNE, body);
        assert!(d.store.sync_status().expect("status").pending >= 1, "device {i} has work to send");
    }

    for &i in &order {
        devices[i].sync_until_ok(3).await;
    }
    for _ in 0..2 {
        for d in devices.iter_mut() {
            d.sync_until_ok(3).await;
        }
    }

    let first = devices[0].state();
    for d in &devices[1..] {
        assert_eq!(first, d.state(), "order {order:?}: {} differs from {}", d.name, devices[0].name);
    }
    assert_eq!(server.doc_heads(), devices[0].doc_heads(), "order {order:?}: the server holds the same documents");
    assert_eq!(devices[0].store.list(&Default::default()).expect("list").len(), 5, "3 shared - 1 deleted + 3 new");

    // Both concurrent outcomes are kept, with their authors, for a person to resolve.
    let view = devices[2].store.record(&mediation).expect("mediation");
    let outcome = view.conflicts.iter().find(|c| c.path == "outcome").expect("conflict on the outcome");
    let mut authors: Vec<&str> = outcome.values.iter().map(|v| v.author.user.as_str()).collect();
    authors.sort();
    assert_eq!(authors, ["can.bo.a", "can.bo.b"]);
    let m = devices[0].store.record(&meeting).expect("meeting");
    assert!(m.conflicts.iter().any(|c| c.path == "agenda.0.votes_for"), "{:#?}", m.conflicts);
    // Everyone's history carries the server's receipt time for every change.
    let history = devices[1].store.history(&mediation).expect("history");
    assert!(history.iter().all(|h| h.server_time.is_some()), "{history:#?}");
}

const ORDERS: [[usize; 3]; 6] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

#[tokio::test]
async fn three_devices_converge_in_every_order() {
    for order in ORDERS {
        scenario(order, Backend::Sqlite).await;
    }
}

#[tokio::test]
async fn three_devices_converge_in_every_order_on_postgres() {
    for order in ORDERS {
        scenario(order, Backend::Postgres).await;
    }
}
