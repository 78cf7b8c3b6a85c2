//! What a phone app can hand the FFI layer, at its worst: every call returns a value or a typed
//! error, never a panic (uniffi would turn one into an untyped exception, and an app built with
//! `panic = "abort"` would die). The calls here are the Rust side of the exported functions, so a
//! panic anywhere below them fails the test directly.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sotay_core::record::{RecordBody, RecordKind};
use sotay_core::sample::Sampler;
use sotay_core::store::{NewProfile, RecordFilter, Role};
use sotay_core::time::CivilDate;
use sotay_ffi::{FieldValue, SotayError, Store, StoreKey, StoreListener};

const COMMUNE: &str = "02266";

fn profile() -> NewProfile {
    NewProfile {
        user_id: "can.bo.a".into(),
        display_name: "Nguyễn Văn A".into(),
        role: Role::CommuneOfficial,
        unit: COMMUNE.into(),
    }
}

fn new_store(dir: &tempfile::TempDir, name: &str) -> Arc<Store> {
    let key = StoreKey::Raw { bytes: sotay_ffi::new_store_key().expect("a key") };
    Store::create(dir.path().join(name).to_string_lossy().into(), key, profile()).expect("a new store")
}

fn all() -> RecordFilter {
    RecordFilter { include_deleted: true, ..RecordFilter::default() }
}

#[test]
fn hostile_keys_and_paths_give_typed_errors() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("a.db").to_string_lossy().to_string();
    let key = sotay_ffi::new_store_key().expect("a key");
    Store::create(path.clone(), StoreKey::Raw { bytes: key.clone() }, profile()).expect("created");

    for len in [0, 1, 31, 33, 4096] {
        let r = Store::open(path.clone(), StoreKey::Raw { bytes: vec![7; len] });
        assert!(matches!(r, Err(SotayError::WrongKey { .. })), "a key of {len} bytes");
    }
    for passphrase in ["", "sai mật khẩu", "\u{0}"] {
        let r = Store::open(path.clone(), StoreKey::Passphrase { passphrase: passphrase.into() });
        assert!(matches!(r, Err(SotayError::WrongKey { .. })), "passphrase {passphrase:?}: {:?}", r.err());
    }
    let r = Store::create(path.clone(), StoreKey::Raw { bytes: key.clone() }, profile());
    assert!(matches!(r, Err(SotayError::StoreUnavailable { .. })), "a store is already there");
    for bad in [String::new(), dir.path().to_string_lossy().into(), "/không/có/thư/mục/a.db".into()] {
        let r = Store::open(bad.clone(), StoreKey::Raw { bytes: key.clone() });
        assert!(matches!(r, Err(SotayError::StoreUnavailable { .. } | SotayError::Storage { .. })), "path {bad:?}");
    }
    let mut bad_profile = profile();
    bad_profile.unit = "99999".into();
    let r = Store::create(
        dir.path().join("b.db").to_string_lossy().into(),
        StoreKey::Raw { bytes: key.clone() },
        bad_profile,
    );
    assert!(matches!(r, Err(SotayError::InvalidInput { .. })), "an unknown unit in the profile");
    // The good key still opens the store: nothing above changed it.
    Store::open(path, StoreKey::Raw { bytes: key }).expect("the store opens with its key");
}

/// Walks a body's JSON tree putting extreme values in: every number, every date.
fn extreme(value: &mut serde_json::Value, numbers: &[u64], dates: &[CivilDate], at: &mut usize) {
    use serde_json::Value;
    *at += 1;
    match value {
        Value::Number(_) => *value = numbers[*at % numbers.len()].into(),
        Value::String(s) if s.parse::<CivilDate>().is_ok() => *value = dates[*at % dates.len()].to_string().into(),
        Value::Array(items) => items.iter_mut().for_each(|v| extreme(v, numbers, dates, at)),
        Value::Object(fields) => fields.values_mut().for_each(|v| extreme(v, numbers, dates, at)),
        _ => {}
    }
}

#[test]
fn extreme_numbers_and_dates_in_every_kind() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = new_store(&dir, "a.db");
    let numbers = [0, 1, u64::from(u32::MAX), u64::from(u32::MAX) - 1, 3];
    let dates = [
        CivilDate::new(9999, 12, 31).expect("a date"),
        CivilDate::new(0, 1, 1).expect("a date"),
        CivilDate::new(9999, 12, 25).expect("a date"),
        CivilDate::new(2026, 2, 29 - 1).expect("a date"),
    ];
    let mut sampler = Sampler::new(41);
    let mut saved = 0;
    for round in 0..4 {
        for &kind in RecordKind::ALL {
            let mut value = sampler.body(kind).to_value();
            let mut at = round;
            extreme(&mut value, &numbers, &dates, &mut at);
            let Ok(body) = RecordBody::from_input(kind, value) else { continue };
            match store.create_record(COMMUNE.into(), body.clone()) {
                Ok(id) => {
                    saved += 1;
                    let view = store.record(id.clone()).expect("the record reads back");
                    assert_eq!(view.kind, kind);
                    store.history(id.clone()).expect("its history");
                    store.update_record(id.clone(), sampler.body(kind)).ok();
                    store.update_record(id, body).ok();
                }
                Err(SotayError::InvalidInput { fields, .. }) => assert!(!fields.is_empty(), "{kind:?}: names a field"),
                Err(other) => panic!("{kind:?}: {other:?}"),
            }
        }
    }
    assert!(saved > 0, "some extreme records are valid and saved");
    for overdue in [false, true] {
        let filter = RecordFilter { overdue, limit: u32::MAX, ..all() };
        store.list(filter.clone()).expect("a list");
        store.search("đất".into(), filter).expect("a search");
    }
    store.conflicts().expect("conflicts");
    store.sync_status().expect("the sync status");
}

#[test]
fn arbitrary_ids_paths_units_and_text() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = new_store(&dir, "a.db");
    let mut sampler = Sampler::new(7);
    let id = store.create_record(COMMUNE.into(), sampler.body(RecordKind::Mediation)).expect("a record");
    let before = store.record(id.clone()).expect("the record");

    let mut runner = TestRunner::new(Config { cases: 200, failure_persistence: None, ..Config::default() });
    let text = prop_oneof![
        any::<String>(),
        "[a-z0-9./-]{0,40}",
        "[0-9]{0,6}",
        Just(id.clone()),
        Just(format!("{id}/../x")),
        Just("outcome".to_string()),
        Just("parties.0.name".to_string()),
        Just("a.b.99999999999999999999".to_string()),
    ];
    let values = prop_oneof![
        Just(FieldValue::Null),
        any::<String>().prop_map(|value| FieldValue::Text { value }),
        any::<i64>().prop_map(|value| FieldValue::Integer { value }),
        prop_oneof![Just(f64::NAN), Just(f64::INFINITY), any::<f64>()].prop_map(|value| FieldValue::Number { value }),
        any::<bool>().prop_map(|value| FieldValue::Boolean { value }),
    ];
    runner
        .run(&(text.clone(), text, values), |(a, b, value)| {
            // Results are ignored: the property is that each returns rather than panics.
            let _ = store.record(a.clone());
            let _ = store.history(a.clone());
            let _ = store.resolve_conflict(a.clone(), b.clone(), value.clone());
            let _ = store.resolve_conflict(id.clone(), b.clone(), value);
            let _ = store.search(a.clone(), RecordFilter { unit: Some(b.clone()), status: Some(a.clone()), ..all() });
            let _ = store.list(RecordFilter { unit: Some(a.clone()), ..all() });
            let _ = store.villages(Some(a.clone()));
            let _ = store.create_record(a.clone(), RecordBody::Dialogue(Default::default()));
            let _ = sotay_ffi::search_units(a.clone(), 5);
            let _ = sotay_ffi::unit_lineage(b.clone());
            let _ = store.report(Some(a.clone()), b.clone(), sotay_core::report::Convention::Statistical);
            let _ = store.report(None, a.clone(), sotay_core::report::Convention::Calendar);
            if a != id {
                let _ = store.delete_record(a, b);
            }
            Ok(())
        })
        .expect("no call panics");
    // Nothing above had the right to change the record: a resolve with no conflict is refused,
    // deletes named other ids.
    let after = store.record(id).expect("the record");
    assert_eq!(after.body, before.body);
    assert!(after.deleted.is_none());
}

/// A listener that fails once, as a Kotlin or Swift listener might, then records what it hears.
struct Flaky {
    failed: Mutex<bool>,
    heard: Mutex<Vec<String>>,
}

impl StoreListener for Flaky {
    fn on_change(&self, ids: Vec<String>) {
        let mut failed = self.failed.lock().expect("lock");
        if !*failed {
            *failed = true;
            drop(failed);
            panic!("the app's listener threw");
        }
        self.heard.lock().expect("lock").extend(ids);
    }
}

#[test]
fn a_failing_listener_does_not_end_the_subscription() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = new_store(&dir, "a.db");
    let mut sampler = Sampler::new(3);
    let listener = Arc::new(Flaky { failed: Mutex::new(false), heard: Mutex::new(Vec::new()) });
    let subscription = store.subscribe(listener.clone());
    store.create_record(COMMUNE.into(), sampler.body(RecordKind::Dialogue)).expect("first");
    let second = store.create_record(COMMUNE.into(), sampler.body(RecordKind::Petition)).expect("second");
    let mut waited = 0;
    while !listener.heard.lock().expect("lock").contains(&second) {
        assert!(waited < 100, "the second change reached the listener after the first one failed");
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    }
    assert!(*listener.failed.lock().expect("lock"));
    subscription.cancel();
}

#[tokio::test]
async fn bad_servers_give_typed_errors() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = new_store(&dir, "a.db");
    let r = store.sync(None, None, true).await;
    assert!(matches!(r, Err(SotayError::NotEnrolled { .. })), "{r:?}");
    // A closed port on loopback, URLs that are not URLs, and a scheme we do not speak.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("an address");
    for url in [
        format!("http://{closed}"),
        "không phải URL".into(),
        "http://[::1".into(),
        "ftp://example.invalid".into(),
        String::new(),
    ] {
        let r = store.enroll(url.clone(), "ABCD-EFGH".into(), "Điện thoại".into()).await;
        assert!(matches!(r, Err(SotayError::Network { .. } | SotayError::InvalidInput { .. })), "{url:?}: {r:?}");
    }
    let r = store.sync(None, None, true).await;
    assert!(
        matches!(r, Err(SotayError::NotEnrolled { .. })),
        "a failed enrollment leaves the device unenrolled: {r:?}"
    );
}
