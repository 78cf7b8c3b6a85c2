//! What an operator does with the server's files: stop it and copy the database, back it up
//! while it serves and restore it, run an admin command from the wrong folder, look inside the
//! file. Each was measured to go wrong (issue 12): a copy after a clean SIGTERM lost what the
//! write-ahead log held, the file was world-readable and in plain text, and an admin command
//! silently made an empty `./sotay-data`.

use sotay_core::sample::Sampler;
use sotay_e2e::{Backend, COMMUNE, Device, OTHER_COMMUNE, TestServer, two_commune_officials};

fn documents_in(server: &TestServer, db: &std::path::Path) -> i64 {
    let c = server.database().open_copy(db).expect("the copy opens with the server's key");
    c.query_row("SELECT count(*) FROM documents", [], |r| r.get(0)).expect("documents")
}

/// A user's display name, as the server stores it in its users table.
const NAME: &str = "Cán bộ can.bo.a";

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn run_admin(server: &TestServer, args: &[&str]) -> std::process::Output {
    std::process::Command::new(sotay_e2e::server_binary())
        .arg("--data")
        .arg(&server.data)
        .args(args)
        .output()
        .expect("run")
}

async fn with_records(server: &TestServer, n: usize) -> usize {
    server.add_user("can.bo.a", "commune-official", COMMUNE);
    let mut a = Device::new("can.bo.a");
    a.enroll(&server.url, &server.code("can.bo.a")).await;
    let mut sampler = Sampler::new(12);
    for _ in 0..n {
        a.create(COMMUNE, sampler.any_body());
    }
    a.sync_until_ok(3).await;
    n
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_clean_stop_the_database_file_alone_holds_everything() {
    let mut server = TestServer::start();
    let made = with_records(&server, 40).await;
    let held = server.doc_heads().len();
    assert!(held >= made, "{held} documents for {made} records");
    server.stop();
    // Only the main file, as an operator copies it: everything is in it.
    let copy = tempfile::tempdir().expect("a folder");
    let copied = copy.path().join("copy.db");
    std::fs::copy(server.db_path(), &copied).expect("copy");
    assert_eq!(documents_in(&server, &copied) as usize, held, "what the copy holds");
    // The log was moved in and emptied.
    let wal = server.data.join(format!("{}-wal", sotay_server::db::FILE_NAME));
    assert!(!wal.exists() || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) == 0, "the log is empty");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_database_and_its_backup_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let server = TestServer::start();
    let made = with_records(&server, 10).await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("a file").permissions().mode() & 0o777;
    assert_eq!(mode(&server.db_path()), 0o600, "names of denouncers and parties inside");
    let wal = server.data.join(format!("{}-wal", sotay_server::db::FILE_NAME));
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600);
    }
    // A backup while serving: consistent, private, and never over an existing file.
    let dir = tempfile::tempdir().expect("a folder");
    let to = dir.path().join("sotay-backup.db");
    let out = server.admin(&["backup", "--to", to.to_str().expect("a path")]);
    assert!(out["bytes"].as_u64().unwrap_or(0) > 0, "{out}");
    assert_eq!(mode(&to), 0o600);
    assert!(documents_in(&server, &to) as usize >= made);
    let again = std::process::Command::new(sotay_e2e::server_binary())
        .arg("--data")
        .arg(&server.data)
        .args(["backup", "--to", to.to_str().expect("a path")])
        .output()
        .expect("run");
    assert!(!again.status.success(), "an existing file is not overwritten");
}

#[test]
fn an_admin_command_from_the_wrong_folder_creates_nothing() {
    let dir = tempfile::tempdir().expect("a folder");
    let data = dir.path().join("sotay-data");
    for args in [&["user", "list"][..], &["device", "list"], &["check"]] {
        let out = std::process::Command::new(sotay_e2e::server_binary())
            .arg("--data")
            .arg(&data)
            .args(args)
            .output()
            .expect("run");
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--data") && err.contains(" / ") && err.contains("sotay-data"), "{err}");
        assert!(!data.exists(), "{args:?} made {}", data.display());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_is_encrypted_at_rest_and_useless_without_its_key() {
    let mut server = TestServer::start();
    with_records(&server, 5).await;
    server.stop();
    let bytes = std::fs::read(server.db_path()).expect("the database file");
    assert!(!bytes.starts_with(b"SQLite format 3\0"), "not a plain SQLite file");
    assert!(!contains(&bytes, NAME), "a user's name readable in the file");
    // Plain SQLite cannot read it.
    let plain = rusqlite::Connection::open(server.db_path()).expect("opens lazily");
    assert!(plain.query_row("SELECT count(*) FROM users", [], |r| r.get::<_, i64>(0)).is_err());
    drop(plain);
    // The key file sits outside the data directory, the owner's only.
    let key_file = sotay_server::db::key::default_file(&server.data);
    assert!(key_file.is_file() && !key_file.starts_with(&server.data), "{}", key_file.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).expect("key file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Without it, an admin command says what is missing and makes no new key.
    let away = key_file.with_extension("away");
    std::fs::rename(&key_file, &away).expect("move the key");
    let out = run_admin(&server, &["user", "list"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "listed users without the key");
    assert!(err.contains("SOTAY_SERVER_KEY") && err.contains(" / "), "{err}");
    assert!(!key_file.exists(), "a new key was made for an encrypted database");
    // A wrong key is told apart from a missing one.
    std::fs::write(&key_file, "ab".repeat(32)).expect("a wrong key");
    let out = run_admin(&server, &["user", "list"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not open"), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::rename(&away, &key_file).expect("the key back");
    let users = server.admin(&["user", "list"]);
    assert_eq!(users[0]["display_name"], NAME, "{users}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_from_before_encryption_is_encrypted_on_start_with_nothing_lost() {
    let mut server = TestServer::start();
    with_records(&server, 12).await;
    let before = server.fingerprint();
    server.stop();
    // The database as an earlier version left it: plain SQLite, no key file.
    let plain = server.data.join("plain.db");
    {
        let c = server.db();
        c.execute("ATTACH DATABASE ?1 AS plain KEY ''", [plain.to_str().expect("a path")]).expect("attach");
        c.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(())).expect("export");
        let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
        c.execute_batch(&format!("PRAGMA plain.user_version = {version}; DETACH DATABASE plain;")).expect("detach");
    }
    let bytes = std::fs::read(&plain).expect("plain file");
    assert!(bytes.starts_with(b"SQLite format 3\0") && contains(&bytes, NAME), "the check can see plain text");
    // A nightly backup of that version is plain too.
    let old_backups = tempfile::tempdir().expect("a folder");
    let old_backup = old_backups.path().join("sotay-backup-before-upgrade.db");
    std::fs::copy(&plain, &old_backup).expect("an old backup");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", server.db_path().display()));
    }
    std::fs::rename(&plain, server.db_path()).expect("put the plain file in place");
    std::fs::remove_file(sotay_server::db::key::default_file(&server.data)).expect("no key yet");
    server.restart();
    assert_eq!(server.fingerprint(), before, "everything is still there");
    server.stop();
    let bytes = std::fs::read(server.db_path()).expect("the database file");
    assert!(!bytes.starts_with(b"SQLite format 3\0") && !contains(&bytes, NAME), "encrypted now");
    // The old plain backup can still be restored, and is encrypted as it goes in.
    server.admin(&["restore", "--from", old_backup.to_str().expect("a path")]);
    let bytes = std::fs::read(server.db_path()).expect("the database file");
    assert!(!bytes.starts_with(b"SQLite format 3\0") && !contains(&bytes, NAME), "restored encrypted");
    server.restart();
    assert_eq!(server.fingerprint(), before, "the old backup's records are all there");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_restored_brings_every_phone_back_with_nothing_lost() {
    let mut server = TestServer::start();
    let (mut a, mut b) = two_commune_officials(&server).await;
    let mut sampler = Sampler::new(21);
    let first: Vec<String> = (0..6).map(|_| a.create(COMMUNE, sampler.any_body())).collect();
    a.sync_until_ok(1).await;
    b.sync_until_ok(1).await;
    // Last night's backup, taken while serving.
    let dir = tempfile::tempdir().expect("a folder");
    let backup = dir.path().join("sotay-backup.db");
    server.admin(&["backup", "--to", backup.to_str().expect("a path")]);
    let copy = std::fs::read(&backup).expect("the backup");
    assert!(!copy.starts_with(b"SQLite format 3\0") && !contains(&copy, NAME), "the backup is encrypted too");
    // A day's work after it, from both phones.
    let later: Vec<String> = (0..6).map(|_| b.create(COMMUNE, sampler.any_body())).collect();
    b.sync_until_ok(1).await;
    let edit = vec!["title=Biên bản sửa sau bản sao lưu".parse().expect("assignment")];
    a.store.edit_record(&first[0], &edit).expect("edit");
    a.sync_until_ok(1).await;
    b.sync_until_ok(1).await;
    // Restoring under a running server is refused, and changes nothing.
    let out = run_admin(&server, &["restore", "--from", backup.to_str().expect("a path")]);
    assert!(!out.status.success(), "restored under a running server");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stop it"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(server.doc_heads().contains_key(&later[0]));
    // The disk fails; the server comes back from the backup.
    server.stop();
    let out = server.admin(&["restore", "--from", backup.to_str().expect("a path")]);
    let aside = std::path::PathBuf::from(out["set_aside"].as_str().expect("set aside"));
    assert!(aside.is_file(), "the replaced database is kept");
    server.restart();
    assert!(!server.doc_heads().contains_key(&later[0]), "the backup predates the day's work");
    let ra = a.sync_until_ok(2).await;
    let rb = b.sync_until_ok(2).await;
    assert!(ra.repaired && rb.repaired, "both phones noticed the rewound server and repaired");
    a.sync_until_ok(1).await;
    assert_eq!(a.state(), b.state());
    assert_eq!(server.doc_heads(), a.doc_heads(), "the server has everything back");
    for id in &later {
        assert!(server.doc_heads().contains_key(id), "{id} lost");
    }
    assert_eq!(b.store.record(&first[0]).expect("record").body.title(), "Biên bản sửa sau bản sao lưu");
}

#[test]
fn a_file_that_is_not_a_backup_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("a folder");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data dir");
    let bogus = dir.path().join("not-a-backup.db");
    std::fs::write(&bogus, "Biên bản họp thôn, không phải bản sao lưu").expect("write");
    let restore = |key: Option<&str>| {
        let mut cmd = std::process::Command::new(sotay_e2e::server_binary());
        cmd.arg("--data").arg(&data).args(["restore", "--from", bogus.to_str().expect("a path")]);
        cmd.env_remove("SOTAY_SERVER_KEY");
        if let Some(k) = key {
            cmd.env("SOTAY_SERVER_KEY", k);
        }
        cmd.output().expect("run")
    };
    // Without the backup's key nothing can be checked, and no key is made up.
    let out = restore(None);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("SOTAY_SERVER_KEY"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!sotay_server::db::key::default_file(&data).exists());
    let out = restore(Some(&"cd".repeat(32)));
    assert!(!out.status.success());
    assert!(!data.join(sotay_server::db::FILE_NAME).exists(), "nothing put in place");
    let kept: Vec<_> =
        std::fs::read_dir(&data).expect("data dir").filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert!(kept.iter().all(|n| n.to_string_lossy() == sotay_server::db::serving::LOCK_FILE), "{kept:?}");
}

/// The administration commands do the same on both backends: users listed and edited (a role,
/// a unit), devices listed with when they were last seen and revoked; an edit to a unit that
/// does not exist is refused and changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn users_and_devices_are_administered_alike_on_both_backends() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let server = TestServer::start_on(backend);
        server.add_user("can.bo.a", "commune-official", COMMUNE);
        server.add_user("hoa.giai.vien.b", "mediator", COMMUNE);
        let edited = server.admin(&["user", "edit", "can.bo.a", "--role", "commune-leader", "--unit", OTHER_COMMUNE]);
        assert_eq!((edited["role"].as_str(), edited["unit"].as_str()), (Some("commune-leader"), Some(OTHER_COMMUNE)));
        let refused = server.admin_output(&["user", "edit", "hoa.giai.vien.b", "--unit", "99999"]);
        assert!(!refused.status.success(), "{backend:?}: an unknown unit accepted");
        assert!(String::from_utf8_lossy(&refused.stderr).contains(" / "), "said in both languages");
        let users = server.admin(&["user", "list"]);
        let listed: Vec<(String, String, String)> = users
            .as_array()
            .expect("a list")
            .iter()
            .map(|u| {
                (
                    u["login"].as_str().unwrap().into(),
                    u["role"].as_str().unwrap().into(),
                    u["unit"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                ("can.bo.a".to_string(), "commune-leader".to_string(), OTHER_COMMUNE.to_string()),
                ("hoa.giai.vien.b".into(), "mediator".into(), COMMUNE.into())
            ],
            "{backend:?}"
        );

        let mut phone = Device::new("Điện thoại hòa giải viên");
        phone.enroll(&server.url, &server.code("hoa.giai.vien.b")).await;
        phone.sync().await.expect("sync");
        let devices = server.admin(&["device", "list"]);
        let device = &devices[0];
        assert_eq!(
            (device["device_id"].as_str(), device["login"].as_str()),
            (Some(phone.device_id().as_str()), Some("hoa.giai.vien.b"))
        );
        assert!(device["last_seen_at"].as_i64().is_some(), "{backend:?}: last seen after a sync: {device}");
        assert!(device["revoked_at"].is_null());
        server.admin(&["device", "revoke", &phone.device_id()]);
        assert!(server.admin(&["device", "list"])[0]["revoked_at"].as_i64().is_some(), "{backend:?}");
        assert!(phone.sync().await.is_err(), "{backend:?}: a revoked device is refused");
    }
}

/// A role the server does not know, found in its database (written by a newer version, or by
/// hand), fails closed on both backends: the user is listed as disabled and their device is
/// refused, where it once read as an administrator's.
#[tokio::test(flavor = "multi_thread")]
async fn a_user_of_an_unknown_stored_role_is_refused_not_promoted() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let mut server = TestServer::start_on(backend);
        server.add_user("can.bo.a", "commune-official", COMMUNE);
        let mut phone = Device::new("Điện thoại công chức xã");
        phone.enroll(&server.url, &server.code("can.bo.a")).await;
        phone.sync().await.expect("syncs while the role is known");
        match backend {
            Backend::Sqlite => {
                server.stop();
                server.db().execute("UPDATE users SET role = 'auditor' WHERE login = 'can.bo.a'", []).expect("role");
                server.restart();
            }
            Backend::Postgres => {
                server.on_postgres_db(|c| {
                    c.execute("UPDATE users SET role = 'auditor' WHERE login = 'can.bo.a'", &[]).expect("role")
                });
            }
        }
        assert!(phone.sync().await.is_err(), "{backend:?}: a device of an unknown role syncs");
        let users = server.admin(&["user", "list"]);
        assert_eq!(users[0]["disabled"], serde_json::json!(true), "{backend:?}: {users}");
        assert_ne!(users[0]["role"], serde_json::json!("administrator"), "{backend:?}: {users}");
    }
}

/// A user moved to another commune: their phone, at its next sync, reconciles and receives the
/// records the new commune already had (they lie behind its cursor in the feed), on both
/// backends. Without the reconcile it only ever received what the new commune recorded after.
#[tokio::test(flavor = "multi_thread")]
async fn a_user_moved_to_another_commune_receives_its_records_already_there() {
    use sotay_core::record::RecordKind;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let server = TestServer::start_on(backend);
        server.add_user("can.bo.a", "commune-official", COMMUNE);
        server.add_user("can.bo.b", "commune-official", OTHER_COMMUNE);
        let mut moved = Device::new("Điện thoại cán bộ chuyển công tác");
        moved.enroll(&server.url, &server.code("can.bo.a")).await;
        let mut there = Device::new("Điện thoại cán bộ xã bên");
        there.enroll(&server.url, &server.code("can.bo.b")).await;
        let mut sampler = Sampler::new(23);
        let before = there.create(OTHER_COMMUNE, sampler.body(RecordKind::Dialogue));
        there.sync_until_ok(2).await;
        moved.create(COMMUNE, sampler.body(RecordKind::VillageMeeting));
        moved.sync_until_ok(2).await;
        assert!(!moved.store.document_ids().expect("ids").contains(&before), "{backend:?}: another commune's");

        server.admin(&["user", "edit", "can.bo.a", "--unit", OTHER_COMMUNE]);
        let after = there.create(OTHER_COMMUNE, sampler.body(RecordKind::Consultation));
        there.sync_until_ok(2).await;
        assert!(moved.sync_until_ok(3).await.repaired, "{backend:?}: reconciled after the move");
        let ids = moved.store.document_ids().expect("ids");
        assert!(ids.contains(&after), "{backend:?}: what the commune records from now on");
        assert!(ids.contains(&before), "{backend:?}: and what it held before the move");
        // Reconciled once: the next syncs are ordinary ones.
        assert!(!moved.sync_until_ok(1).await.repaired, "{backend:?}: reconciled again");
        assert_eq!(moved.store.document_ids().expect("ids"), ids, "{backend:?}");
    }
}
