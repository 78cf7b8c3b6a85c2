//! Store behaviour on real encrypted files: saving, reading, editing, search, filters,
//! conflicts, deletion, the derived index, migrations.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::record::input::Assignment;
use crate::record::mediation::MediationOutcome;
use crate::record::petition::{PetitionSubject, PetitionType};
use crate::record::{MediationCase, Petition, RecordBody, RecordKind, Village};
use crate::sample::Sampler;
use crate::time::{CivilDate, FixedClock};

const KEY: StoreKey = StoreKey::Raw([7; 32]);
/// 2026-10-01T03:00:00Z, 10:00 in Vietnam.
const NOW: i64 = 1_790_823_600_000;
const COMMUNE: &str = "02266"; // Xã Lâm Bình, Tỉnh Tuyên Quang

fn new_store(dir: &Path, name: &str, user: &str) -> (Store, FixedClock) {
    let clock = FixedClock::at(NOW);
    let store = Store::create(
        &dir.join(name),
        &KEY,
        NewProfile {
            user_id: user.into(),
            display_name: format!("Cán bộ {user}"),
            role: Role::CommuneOfficial,
            unit: COMMUNE.into(),
        },
        Arc::new(clock.clone()),
    )
    .unwrap();
    (store, clock)
}

fn set(s: &str) -> Assignment {
    s.parse().unwrap()
}

fn d(s: &str) -> CivilDate {
    s.parse().unwrap()
}

fn mediation(title: &str) -> RecordBody {
    RecordBody::Mediation(MediationCase {
        title: title.into(),
        received_on: Some(d("2026-09-20")),
        parties: vec![crate::record::mediation::Party { name: "Lò Văn Páo".into(), ..Default::default() }],
        ..Default::default()
    })
}

/// Copies every document of `from` into `to`.
fn sync_into(from: &Store, to: &mut Store) {
    for id in from.document_ids().unwrap() {
        let bytes = from.changes_after(&id, &[]).unwrap();
        to.apply_changes(&id, &bytes).unwrap();
    }
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn saves_reads_and_lists_a_record() {
    let dir = tmp();
    let (mut store, _) = new_store(dir.path(), "a.db", "nguyen.van.a");
    let id = store.create_record(COMMUNE, mediation("Tranh chấp ranh giới đất đai")).unwrap();
    let view = store.record(&id).unwrap();
    assert_eq!(view.kind, RecordKind::Mediation);
    assert_eq!(view.body.title(), "Tranh chấp ranh giới đất đai");
    assert_eq!(view.commune, COMMUNE);
    assert_eq!(view.created_by.user, "nguyen.van.a");
    assert_eq!(view.created_at, NOW);
    let listed = store.list(&RecordFilter::default()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    assert_eq!(listed[0].status, "in_progress");
    // Reopening finds it again.
    drop(store);
    let store = Store::open(&dir.path().join("a.db"), &KEY, Arc::new(FixedClock::at(NOW))).unwrap();
    assert_eq!(store.record(&id).unwrap().body.title(), "Tranh chấp ranh giới đất đai");
    assert!(store.integrity_check().unwrap());
}

#[test]
fn wrong_or_missing_key_is_a_clear_error_and_the_file_is_ciphertext() {
    let dir = tmp();
    let (mut store, _) = new_store(dir.path(), "a.db", "u1");
    store.create_record(COMMUNE, mediation("Tranh chấp lối đi chung giữa hai hộ")).unwrap();
    drop(store);
    let path = dir.path().join("a.db");
    let clock = Arc::new(FixedClock::at(NOW));
    let wrong = StoreKey::Raw([8; 32]);
    assert!(matches!(Store::open(&path, &wrong, clock.clone()), Err(CoreError::WrongKey)));
    let passphrase = StoreKey::Passphrase("mật khẩu sai".into());
    assert!(matches!(Store::open(&path, &passphrase, clock), Err(CoreError::WrongKey)));
    // A plain SQLite reader, with no key at all, cannot read it either.
    let plain = rusqlite::Connection::open(&path).unwrap();
    let err = plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).unwrap_err();
    assert!(err.to_string().contains("not a database"), "{err}");
    // Neither the record's text, nor the party's name, nor the table names are in the bytes.
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("a.db-wal")) {
        bytes.extend(wal);
    }
    for needle in ["lối đi chung", "Lò Văn Páo", "record_index", "SQLite format 3"] {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "found {needle:?} in the file");
    }
}

#[test]
fn edits_write_history_with_authors_and_values() {
    let dir = tmp();
    let (mut store, clock) = new_store(dir.path(), "a.db", "hoa.giai.vien");
    let id = store.create_record(COMMUNE, mediation("Tranh chấp đất vườn")).unwrap();
    clock.advance(3_600_000);
    store.edit_record(&id, &[set("outcome=success"), set("agreement_terms=Hai bên thống nhất mốc giới")]).unwrap();
    let history = store.history(&id).unwrap();
    assert_eq!(history.len(), 2);
    let last = &history[1];
    assert_eq!(last.author.user, "hoa.giai.vien");
    assert_eq!(last.device_time, NOW + 3_600_000);
    let outcome = last.fields.iter().find(|f| f.path == "outcome").unwrap();
    assert_eq!((outcome.from.clone(), outcome.to.clone()), (json!("in_progress"), json!("success")));
    assert!(last.fields.iter().any(|f| f.path == "agreement_terms"));
    assert_eq!(last.fields.len(), 2, "{:?}", last.fields);
    // The first entry is the creation, with the title among its fields.
    assert!(history[0].fields.iter().any(|f| f.path == "title" && f.to == json!("Tranh chấp đất vườn")));
}

#[test]
fn bad_input_names_the_field_and_changes_nothing() {
    let dir = tmp();
    let (mut store, _) = new_store(dir.path(), "a.db", "u1");
    let id = store.create_record(COMMUNE, mediation("Tranh chấp tiền công")).unwrap();
    let before = (store.index_rows().unwrap(), store.heads(&id).unwrap());
    let cases: &[(&str, &str)] = &[
        ("received_on=2026-02-30", "received_on"),
        ("outcome=maybe", "outcome"),
        ("nonsense=1", "nonsense"),
        ("parties.0.vulnerability.child=perhaps", "parties.0.vulnerability.child"),
        // Success needs the agreement's terms.
        ("outcome=success", "agreement_terms"),
        // Follow-up of an unsuccessful mediation.
        ("follow_up=performed", "follow_up"),
    ];
    for (assignment, field) in cases {
        match store.edit_record(&id, &[set(assignment)]) {
            Err(CoreError::InvalidInput(errors)) => {
                assert!(errors.0.iter().any(|e| e.path == *field), "{assignment}: {errors}");
                assert!(!errors.to_string().contains("Lò Văn"), "{errors}");
            }
            other => panic!("{assignment}: expected invalid input, got {other:?}"),
        }
    }
    assert!(matches!(store.create_record("99999", mediation("x")), Err(CoreError::InvalidInput(_))));
    assert!(matches!(store.record("not-an-id"), Err(CoreError::InvalidInput(_))));
    assert!(matches!(store.record(&uuid::Uuid::now_v7().to_string()), Err(CoreError::NotFound { .. })));
    assert_eq!((store.index_rows().unwrap(), store.heads(&id).unwrap()), before);
}

#[test]
fn search_ignores_case_diacritics_and_unicode_form() {
    use unicode_normalization::UnicodeNormalization;
    let dir = tmp();
    let (mut store, _) = new_store(dir.path(), "a.db", "u1");
    let land = store.create_record(COMMUNE, mediation("Tranh chấp Đất đai ở thôn Nà Mè")).unwrap();
    store.create_record(COMMUNE, mediation("Mâu thuẫn giữa hai gia đình về lối đi")).unwrap();
    let eth = store.create_record(COMMUNE, mediation("\u{D0}ường vào nghĩa địa")).unwrap();
    let f = RecordFilter::default();
    let ids = |q: &str| store.search(q, &f).unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids("dat dai"), vec![land.clone()]);
    assert_eq!(ids("ĐẤT ĐAI"), vec![land.clone()]);
    assert_eq!(ids(&"đất đai".nfd().collect::<String>()), vec![land.clone()]);
    assert_eq!(ids("na me"), vec![land.clone()]);
    // A title typed with the eth (U+00D0) for Đ is found by either spelling, and finds them.
    assert_eq!(ids("duong vao"), vec![eth.clone()]);
    assert_eq!(ids("đường vào"), vec![eth.clone()]);
    assert_eq!(ids("\u{D0}ường"), vec![eth]);
    assert_eq!(ids("tranh ch"), vec![land.clone()], "prefixes match");
    // Party names are searchable on the device that holds them.
    assert_eq!(ids("lo van pao").len(), 3);
    assert!(ids("dat dai lối").is_empty(), "every word must match");
    assert!(ids("   ").is_empty());
    assert_eq!(ids("dat* (dai):"), [land], "query syntax is not interpreted");
}

#[test]
fn filters_by_kind_unit_status_dates_and_overdue() {
    let dir = tmp();
    let (mut store, clock) = new_store(dir.path(), "a.db", "u1");
    let village = store.add_village(COMMUNE, Village { name: "Thôn Khuổi Ún".into(), ..Default::default() }).unwrap();
    let complaint =
        Petition {
            title: "Khiếu nại về bồi thường".into(), received_on: Some(d("2026-09-01")), ..Default::default()
        };
    // Received 1 Sept, not accepted: the 10-day acceptance limit passed on 11 Sept.
    let late = store.create_record(COMMUNE, RecordBody::Petition(complaint.clone())).unwrap();
    let fresh = store
        .create_record(COMMUNE, RecordBody::Petition(Petition { received_on: Some(d("2026-09-28")), ..complaint }))
        .unwrap();
    let in_village = store.create_record(&village, mediation("Tranh chấp trong thôn")).unwrap();
    let other_commune = store.create_record("02269", mediation("Tranh chấp ở xã khác")).unwrap();
    fn ids_of(store: &Store, f: RecordFilter) -> Vec<String> {
        let mut v: Vec<String> = store.list(&f).unwrap().into_iter().map(|r| r.id).collect();
        v.sort();
        v
    }
    let ids = |f: RecordFilter| ids_of(&store, f);
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        ids(RecordFilter { kinds: vec![RecordKind::Petition], ..Default::default() }),
        sorted(vec![late.clone(), fresh.clone()])
    );
    assert_eq!(
        ids(RecordFilter { unit: Some(COMMUNE.into()), ..Default::default() }),
        sorted(vec![late.clone(), fresh.clone(), in_village.clone()])
    );
    assert_eq!(ids(RecordFilter { unit: Some(village.clone()), ..Default::default() }), vec![in_village.clone()]);
    // The province (Tuyên Quang, 08) holds both communes.
    assert_eq!(ids(RecordFilter { unit: Some("08".into()), ..Default::default() }).len(), 4);
    assert_eq!(ids(RecordFilter { status: Some("received".into()), ..Default::default() }).len(), 2);
    assert_eq!(
        ids(RecordFilter { from: Some(d("2026-09-21")), to: Some(d("2026-09-30")), ..Default::default() }),
        sorted(vec![fresh.clone()])
    );
    assert_eq!(ids(RecordFilter { overdue: true, ..Default::default() }), vec![late.clone()]);
    // Time passes: the fresh one is overdue too after 8 October.
    clock.set(NOW + 8 * 86_400_000);
    assert_eq!(ids(RecordFilter { overdue: true, ..Default::default() }), sorted(vec![late.clone(), fresh]));
    // Accepting the late one stops its acceptance clock; its settlement clock runs from then.
    store.edit_record(&late, &[set("status=accepted"), set("accepted_on=2026-10-05")]).unwrap();
    assert!(!ids_of(&store, RecordFilter { overdue: true, ..Default::default() }).contains(&late));
    let _ = other_commune;
}

#[test]
fn concurrent_edits_of_a_significant_field_become_a_conflict_until_resolved() {
    let dir = tmp();
    let (mut a, _) = new_store(dir.path(), "a.db", "hoa.giai.vien.a");
    let (mut b, _) = new_store(dir.path(), "b.db", "hoa.giai.vien.b");
    let id = a.create_record(COMMUNE, mediation("Tranh chấp ranh giới")).unwrap();
    sync_into(&a, &mut b);
    // Offline, each sets a different outcome; a also edits the team, b the category.
    a.edit_record(&id, &[set("outcome=failure"), set("team=Tổ hòa giải số 1")]).unwrap();
    b.edit_record(&id, &[set("outcome=withdrawn"), set("category=neighbours")]).unwrap();
    sync_into(&a, &mut b);
    sync_into(&b, &mut a);
    for store in [&a, &b] {
        let view = store.record(&id).unwrap();
        let RecordBody::Mediation(m) = &view.body else { panic!() };
        assert_eq!(m.team, "Tổ hòa giải số 1", "different fields merge");
        assert_eq!(m.category.code(), "neighbours");
        assert_eq!(view.conflicts.len(), 1);
        let c = &view.conflicts[0];
        assert_eq!(c.path, "outcome");
        let mut got: Vec<(String, String)> =
            c.values.iter().map(|v| (v.value.as_str().unwrap().to_string(), v.author.user.clone())).collect();
        got.sort();
        assert_eq!(got, [("failure".into(), "hoa.giai.vien.a".into()), ("withdrawn".into(), "hoa.giai.vien.b".into())]);
        assert_eq!(store.list(&RecordFilter::default()).unwrap()[0].conflicts, 1);
    }
    assert_eq!(a.conflicts().unwrap(), b.conflicts().unwrap());
    // Editing another field leaves the conflict standing: nothing is settled silently.
    a.edit_record(&id, &[set("team=Tổ hòa giải số 2")]).unwrap();
    assert_eq!(a.record(&id).unwrap().conflicts.len(), 1);
    // A wrong path or value is refused.
    assert!(matches!(a.resolve_conflict(&id, "category", json!("land")), Err(CoreError::NoSuchConflict { .. })));
    assert!(matches!(a.resolve_conflict(&id, "outcome", json!("nonsense")), Err(CoreError::InvalidInput(_))));
    a.resolve_conflict(&id, "outcome", json!("withdrawn")).unwrap();
    sync_into(&a, &mut b);
    for store in [&a, &b] {
        let view = store.record(&id).unwrap();
        assert!(view.conflicts.is_empty());
        let RecordBody::Mediation(m) = &view.body else { panic!() };
        assert_eq!(m.outcome, MediationOutcome::Withdrawn);
    }
    assert_eq!(a.index_rows().unwrap(), b.index_rows().unwrap());
}

#[test]
fn deletion_is_a_tombstone_with_a_reason() {
    let dir = tmp();
    let (mut store, _) = new_store(dir.path(), "a.db", "u1");
    let id = store.create_record(COMMUNE, mediation("Ghi nhầm")).unwrap();
    assert!(matches!(store.delete_record(&id, "  "), Err(CoreError::InvalidInput(_))));
    store.delete_record(&id, "Nhập trùng hồ sơ").unwrap();
    assert!(store.list(&RecordFilter::default()).unwrap().is_empty());
    let all = store.list(&RecordFilter { include_deleted: true, ..Default::default() }).unwrap();
    assert!(all[0].deleted);
    let view = store.record(&id).unwrap();
    assert_eq!(view.deleted.as_ref().unwrap().reason, "Nhập trùng hồ sơ");
    assert_eq!(view.body.title(), "Ghi nhầm", "the content stays");
    assert!(matches!(store.edit_record(&id, &[set("title=x")]), Err(CoreError::Deleted { .. })));
    assert!(store.history(&id).unwrap().last().unwrap().fields.iter().any(|f| f.path == "deleted.reason"));
}

#[test]
fn a_denouncers_identity_is_kept_in_its_own_document() {
    let dir = tmp();
    let (mut store, _) = new_store(dir.path(), "a.db", "u1");
    let denouncer = PetitionSubject { name: "Sùng A Chờ".into(), phone: "0912345678".into(), ..Default::default() };
    let id = store
        .create_record(
            COMMUNE,
            RecordBody::Petition(Petition {
                title: "Tố cáo sai phạm trong hỗ trợ giống".into(),
                petition_type: PetitionType::Denunciation,
                received_on: Some(d("2026-09-10")),
                petitioner: denouncer.clone(),
                ..Default::default()
            }),
        )
        .unwrap();
    let view = store.record(&id).unwrap();
    assert_eq!(view.denouncer.as_ref(), Some(&denouncer));
    let RecordBody::Petition(p) = &view.body else { panic!() };
    assert!(p.petitioner.is_empty());
    // The petition's own document carries no trace of the name; the identity document does.
    let petition_bytes = store.changes_after(&id, &[]).unwrap();
    assert!(!petition_bytes.windows(4).any(|w| w == "Sùng".as_bytes()));
    let identity_bytes = store.changes_after(&p.identity_ref, &[]).unwrap();
    let doc = crate::document::Document::load(&identity_bytes, []).unwrap();
    assert_eq!(doc.body()["denouncer"]["name"], json!("Sùng A Chờ"));
    // A device without the identity document still reads the petition, without the denouncer.
    let (mut other, _) = new_store(dir.path(), "b.db", "u2");
    other.apply_changes(&id, &petition_bytes).unwrap();
    assert_eq!(other.record(&id).unwrap().denouncer, None);
    // Search does not find it by the denouncer's name.
    assert!(store.search("sung a cho", &RecordFilter::default()).unwrap().is_empty());
    // Changing a denunciation into a complaint is refused.
    assert!(store.edit_record(&id, &[set("petition_type=complaint")]).is_err());
}

#[test]
fn fields_from_a_newer_version_survive_edits() {
    let dir = tmp();
    let (mut store, _) = new_store(dir.path(), "a.db", "u1");
    let id = store.create_record(COMMUNE, mediation("Tranh chấp nước tưới")).unwrap();
    // A newer app adds a field the body struct does not know, at two depths.
    let bytes = store.changes_after(&id, &[]).unwrap();
    let mut doc = crate::document::Document::load(&bytes, []).unwrap();
    let writer = crate::document::Writer {
        author: crate::record::Author { user: "new.app".into(), device: "d2".into() },
        actor: automerge::ActorId::random(),
        now: NOW,
    };
    let mut body = doc.body();
    body["future_field"] = json!({"nested": [1, 2]});
    body["parties"][0]["future_flag"] = json!(true);
    doc.update_body(body, &writer).unwrap();
    let heads = store.heads(&id).unwrap();
    store.apply_changes(&id, &doc.changes_after(&heads)).unwrap();
    // This version edits the record.
    store.edit_record(&id, &[set("title=Tranh chấp nguồn nước tưới"), set("parties.0.name=Lò Thị Mai")]).unwrap();
    let bytes = store.changes_after(&id, &[]).unwrap();
    let after = crate::document::Document::load(&bytes, []).unwrap().body();
    assert_eq!(after["future_field"], json!({"nested": [1, 2]}));
    assert_eq!(after["parties"][0]["future_flag"], json!(true));
    assert_eq!(after["parties"][0]["name"], json!("Lò Thị Mai"));
}

#[test]
fn the_rebuilt_index_equals_the_live_one() {
    let dir = tmp();
    let (mut store, clock) = new_store(dir.path(), "a.db", "u1");
    let mut sampler = Sampler::new(11);
    let village = store.add_village(COMMUNE, sampler.village()).unwrap();
    let mut ids = Vec::new();
    for i in 0..60 {
        let unit = if i % 3 == 0 { village.as_str() } else { COMMUNE };
        ids.push(store.create_record(unit, sampler.any_body()).unwrap());
        clock.advance(60_000);
    }
    for id in ids.iter().step_by(4) {
        store.edit_record(id, &[set(&format!("title={}", sampler.title()))]).unwrap();
    }
    store.delete_record(&ids[1], "Trùng").unwrap();
    let f = RecordFilter { limit: 1000, include_deleted: true, ..Default::default() };
    let live = (store.index_rows().unwrap(), store.villages(None).unwrap(), store.search("dan van", &f).unwrap());
    store.rebuild_index().unwrap();
    let rebuilt = (store.index_rows().unwrap(), store.villages(None).unwrap(), store.search("dan van", &f).unwrap());
    assert_eq!(live.0.len(), 60);
    assert!(!live.2.is_empty());
    assert_eq!(live, rebuilt);
}

#[test]
fn villages_are_added_renamed_and_checked() {
    let dir = tmp();
    let (mut store, _) = new_store(dir.path(), "a.db", "u1");
    let id = store
        .add_village(COMMUNE, Village { name: "Thôn Nà Mè".into(), households: Some(120), ..Default::default() })
        .unwrap();
    assert!(
        store.add_village(COMMUNE, Village { name: "thôn nà mè".into(), ..Default::default() }).is_err(),
        "duplicate name"
    );
    assert!(
        store.add_village("08", Village { name: "Thôn X".into(), ..Default::default() }).is_err(),
        "a province is not a commune"
    );
    assert!(store.add_village(COMMUNE, Village::default()).is_err(), "a name is required");
    store
        .update_village(&id, Village { name: "Thôn Nà Mè Trên".into(), households: Some(125), ..Default::default() })
        .unwrap();
    let rows = store.villages(Some(COMMUNE)).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].name.as_str(), rows[0].households), ("Thôn Nà Mè Trên", Some(125)));
    assert_eq!(store.unit_commune(&id).unwrap(), COMMUNE);
}

#[test]
fn replication_refuses_garbage_and_misnamed_documents() {
    let dir = tmp();
    let (mut a, _) = new_store(dir.path(), "a.db", "u1");
    let (mut b, _) = new_store(dir.path(), "b.db", "u2");
    let id = a.create_record(COMMUNE, mediation("Tranh chấp")).unwrap();
    let bytes = a.changes_after(&id, &[]).unwrap();
    let other_id = uuid::Uuid::now_v7().to_string();
    assert!(b.apply_changes(&other_id, &bytes).is_err(), "sent under another id");
    assert!(b.apply_changes(&id, b"garbage").is_err());
    assert!(b.apply_changes(&id, &bytes[..bytes.len() / 2]).is_err(), "truncated");
    assert!(b.document_ids().unwrap().is_empty());
    b.apply_changes(&id, &bytes).unwrap();
    b.apply_changes(&id, &bytes).unwrap();
    assert_eq!(a.index_rows().unwrap(), b.index_rows().unwrap());
}

#[test]
fn migrations_run_from_every_older_schema_and_refuse_newer_ones() {
    let dir = tmp();
    for from in 0..SCHEMA_VERSION {
        let path: PathBuf = dir.path().join(format!("v{from}.db"));
        let mut conn =
            open_connection(&path, &KEY, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE).unwrap();
        migrations::apply(&mut conn, 0, from).unwrap();
        assert_eq!(migrations::version(&conn).unwrap(), from);
        migrations::migrate(&mut conn).unwrap();
        assert_eq!(migrations::version(&conn).unwrap(), SCHEMA_VERSION);
    }
    let (store, _) = new_store(dir.path(), "new.db", "u1");
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    drop(store);
    let reopened = Store::open(&dir.path().join("new.db"), &KEY, Arc::new(FixedClock::at(NOW)));
    assert!(matches!(reopened, Err(CoreError::NewerSchema { .. })));
}

#[test]
fn creating_over_an_existing_store_or_opening_a_missing_one_fails() {
    let dir = tmp();
    let (store, _) = new_store(dir.path(), "a.db", "u1");
    drop(store);
    let clock: Arc<dyn crate::time::Clock> = Arc::new(FixedClock::at(NOW));
    let profile =
        NewProfile { user_id: "u".into(), display_name: "U".into(), role: Role::Mediator, unit: COMMUNE.into() };
    assert!(matches!(
        Store::create(&dir.path().join("a.db"), &KEY, profile.clone(), clock.clone()),
        Err(CoreError::StoreExists { .. })
    ));
    assert!(matches!(
        Store::open(&dir.path().join("none.db"), &KEY, clock.clone()),
        Err(CoreError::StoreMissing { .. })
    ));
    let bad_unit = NewProfile { unit: "123456".into(), ..profile };
    assert!(matches!(Store::create(&dir.path().join("c.db"), &KEY, bad_unit, clock), Err(CoreError::InvalidInput(_))));
    assert!(!dir.path().join("c.db").exists());
}

#[test]
fn observers_hear_of_committed_changes_until_they_unsubscribe() {
    let dir = tmp();
    let (mut store, _) = new_store(dir.path(), "a.db", "u1");
    let heard = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let h = heard.clone();
    let id = store.observers().subscribe(Box::new(move |ids| h.lock().unwrap().extend(ids.iter().cloned())));
    let record = store.create_record(COMMUNE, mediation("Tranh chấp")).unwrap();
    store.edit_record(&record, &[set("team=Tổ 1")]).unwrap();
    // A refused edit changes nothing and tells no one.
    assert!(store.edit_record(&record, &[set("outcome=maybe")]).is_err());
    assert_eq!(*heard.lock().unwrap(), vec![record.clone(), record.clone()]);
    store.observers().unsubscribe(id);
    store.delete_record(&record, "Trùng").unwrap();
    assert_eq!(heard.lock().unwrap().len(), 2);
}

/// A record as a device not yet updated writes it: units of 2025-03, no edition named.
fn record_of_2025_03(unit: &str, commune: &str, title: &str) -> (String, Vec<u8>) {
    use crate::document::{Document, NewDocument, Writer};
    use crate::record::Author;
    let id = uuid::Uuid::now_v7().to_string();
    let writer = Writer {
        author: Author { user: "can.bo.cu".into(), device: uuid::Uuid::now_v7().to_string() },
        actor: automerge::ActorId::random(),
        now: NOW,
    };
    let body = mediation(title).to_value();
    let new = NewDocument { id: &id, kind: crate::record::DocumentKind::Mediation, unit, commune, body };
    let mut doc = Document::create_in(new, &writer, None).unwrap();
    let bytes = doc.changes_after(&[]);
    (id, bytes)
}

#[test]
fn a_record_of_a_former_commune_is_filed_under_its_successor() {
    let dir = tmp();
    let (mut store, _) = new_store(dir.path(), "a.db", "u1");
    // Xã Phúc Yên (02233, huyện Lâm Bình) became part of Xã Lâm Bình (02266) on 2025-07-01;
    // 02266 itself was Thị trấn Lăng Can before, one of the units Xã Lâm Bình was formed from.
    let (phuc_yen, bytes) = record_of_2025_03("02233", "02233", "Tranh chấp ranh giới nương");
    store.apply_changes(&phuc_yen, &bytes).unwrap();
    let (lang_can, bytes) = record_of_2025_03("02266", "02266", "Tranh chấp lối đi chung");
    store.apply_changes(&lang_can, &bytes).unwrap();
    let rows = store.index_rows().unwrap();
    for id in [&phuc_yen, &lang_can] {
        let row = rows.iter().find(|r| &r.record_id == id).expect("indexed");
        assert_eq!((row.unit.as_str(), row.commune.as_str(), row.province.as_deref()), ("02266", "02266", Some("08")));
    }
    let mine = store.list(&RecordFilter { unit: Some(COMMUNE.into()), ..Default::default() }).unwrap();
    assert_eq!(mine.len(), 2, "the commune in force lists both");
    // The document keeps what it was written with.
    fn envelope(store: &Store, id: &str) -> crate::document::Envelope {
        documents::load(&store.conn, id).unwrap().unwrap().envelope().unwrap()
    }
    let env = envelope(&store, &phuc_yen);
    assert_eq!((env.unit.as_str(), env.unit_edition.as_deref()), ("02233", None));
    // New records name today's units, in today's edition; a former code is not one of them.
    let new = store.create_record(COMMUNE, mediation("Mâu thuẫn về nước tưới")).unwrap();
    assert_eq!(envelope(&store, &new).unit_edition.as_deref(), Some("2025-07"));
    assert!(matches!(store.create_record("02233", mediation("x")), Err(CoreError::InvalidInput(_))));
}

#[test]
fn a_store_of_the_three_tier_units_moves_to_the_two_tiers_when_opened() {
    let dir = tmp();
    let path = dir.path().join("old.db");
    let (mut store, _) = new_store(dir.path(), "old.db", "u1");
    let (old, bytes) = record_of_2025_03("02233", "02233", "Tranh chấp ranh giới nương");
    store.apply_changes(&old, &bytes).unwrap();
    // As schema 3 left it: the profile on Xã Phúc Yên, the index on the former codes.
    store
        .conn
        .execute_batch(
            "UPDATE profile SET unit = '02233';
             UPDATE record_index SET unit = '02233', commune = '02233', district = '071', province = '08';
             DROP TABLE upkeep; DROP INDEX sync_docs_awaiting; ALTER TABLE sync_docs DROP COLUMN awaiting_authors;
             ALTER TABLE sync_account DROP COLUMN awaiting_check;
             PRAGMA user_version = 3;",
        )
        .unwrap();
    drop(store);
    let store = Store::open(&path, &KEY, Arc::new(FixedClock::at(NOW))).unwrap();
    assert_eq!(store.profile().unit, "02266", "the profile's commune moved to its successor");
    let row = store.index_rows().unwrap().into_iter().find(|r| r.record_id == old).expect("indexed");
    assert_eq!((row.unit.as_str(), row.commune.as_str(), row.district.as_deref()), ("02266", "02266", None));
    drop(store);
    // Done once: a second opening changes nothing.
    let again = Store::open(&path, &KEY, Arc::new(FixedClock::at(NOW))).unwrap();
    assert_eq!(again.profile().unit, "02266");
    assert_eq!(crate::store::upkeep::unit_in_force("071").as_deref(), Some("08"), "a district's province");
}

#[test]
fn history_is_in_one_order_on_every_device_by_server_receipt() {
    // Reproduces the report: a device listed concurrent changes in the order it applied them, so
    // its receipt times went backwards (…03:35:26, then 03:35:25).
    let dir = tmp();
    let (mut a, _) = new_store(dir.path(), "a.db", "hoa.giai.vien.a");
    let (mut b, _) = new_store(dir.path(), "b.db", "hoa.giai.vien.b");
    let id = a.create_record(COMMUNE, mediation("Tranh chấp ranh giới")).unwrap();
    sync_into(&a, &mut b);
    a.edit_record(&id, &[set("team=Tổ hòa giải số 1")]).unwrap();
    b.edit_record(&id, &[set("category=neighbours")]).unwrap();
    sync_into(&a, &mut b);
    sync_into(&b, &mut a);
    // The server received the creation, then b's edit, then a's (b reached a signal first).
    let entries = a.history(&id).unwrap();
    let created = entries[0].change.clone();
    let edit_by = |user: &str| entries[1..].iter().find(|e| e.author.user == user).unwrap().change.clone();
    let (a_edit, b_edit) = (edit_by("hoa.giai.vien.a"), edit_by("hoa.giai.vien.b"));
    for store in [&a, &b] {
        for (hash, at) in [(&created, NOW), (&b_edit, NOW + 1_000), (&a_edit, NOW + 2_000)] {
            store
                .conn
                .execute(
                    "INSERT INTO change_receipts (change_hash, server_time) VALUES (?1, ?2)",
                    rusqlite::params![hash, at],
                )
                .unwrap();
        }
    }
    let order = |s: &Store| s.history(&id).unwrap().into_iter().map(|e| e.change).collect::<Vec<_>>();
    assert_eq!(order(&a), [created.clone(), b_edit.clone(), a_edit.clone()]);
    assert_eq!(order(&a), order(&b), "the same order on both devices");
    let times: Vec<i64> = a.history(&id).unwrap().into_iter().filter_map(|e| e.server_time).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "receipt times never go backwards: {times:?}");
    // A change not yet received comes after every received one.
    a.edit_record(&id, &[set("team=Tổ hòa giải số 2")]).unwrap();
    let last = a.history(&id).unwrap().pop().unwrap();
    assert_eq!((last.server_time, last.author.user.as_str()), (None, "hoa.giai.vien.a"));
}
