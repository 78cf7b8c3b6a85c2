//! What an operator does with the server's files: stop it and copy the database, back it up
//! while it serves, run an admin command from the wrong folder. Each was measured to go wrong
//! (issue 12): a copy after a clean SIGTERM lost what the write-ahead log held, the file was
//! world-readable, and an admin command silently made an empty `./sotay-data`.

use sotay_core::sample::Sampler;
use sotay_e2e::{COMMUNE, Device, TestServer};

fn documents_in(db: &std::path::Path) -> i64 {
    let c = rusqlite::Connection::open(db).expect("the copy opens");
    c.query_row("SELECT count(*) FROM documents", [], |r| r.get(0)).expect("documents")
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
    assert_eq!(documents_in(&copied) as usize, held, "what the copy holds");
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
    assert!(documents_in(&to) as usize >= made);
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
