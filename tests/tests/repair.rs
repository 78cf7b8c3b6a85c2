//! When a cursor cannot be trusted — the server restored from a backup, or a phone restored from
//! one — device and server reconcile document by document with automerge sync messages.

use sotay_core::record::input::Assignment;
use sotay_core::sample::Sampler;
use sotay_e2e::{Backend, COMMUNE, Device, TestServer, two_commune_officials};

fn set(s: &str) -> Vec<Assignment> {
    vec![s.parse().expect("assignment")]
}

#[tokio::test]
async fn a_server_restored_from_backup_gets_back_what_it_lost() {
    let mut server = TestServer::start();
    let (mut a, mut b) = two_commune_officials(&server).await;
    let mut sampler = Sampler::new(12);
    let first: Vec<String> = (0..5).map(|_| a.create(COMMUNE, sampler.any_body())).collect();
    a.sync_until_ok(1).await;
    b.sync_until_ok(1).await;
    // Last night's backup.
    server.stop();
    let backup = tempfile::tempdir().expect("backup");
    server.copy_data_to(backup.path());
    server.restart();
    // Work after the backup.
    let later: Vec<String> = (0..5).map(|_| a.create(COMMUNE, sampler.any_body())).collect();
    a.sync_until_ok(1).await;
    b.sync_until_ok(1).await;
    b.store.edit_record(&first[0], &set("title=Sửa sau bản sao lưu")).expect("edit");
    b.sync_until_ok(1).await;
    // The disk fails; the server comes back from the backup.
    server.restore_data_from(backup.path());
    server.restart();
    assert!(!server.doc_heads().contains_key(&later[0]), "the backup predates the later records");
    let ra = a.sync_until_ok(2).await;
    let rb = b.sync_until_ok(2).await;
    assert!(ra.repaired && rb.repaired, "both devices noticed and repaired");
    a.sync_until_ok(1).await;
    assert_eq!(a.state(), b.state());
    assert_eq!(server.doc_heads(), a.doc_heads(), "the server has everything back");
    assert_eq!(a.store.record(&first[0]).expect("record").body.title(), "Sửa sau bản sao lưu");
}

/// How an operator backs up and restores a PostgreSQL database.
#[derive(Clone, Copy)]
enum Procedure {
    /// By hand, as docs/deployment.md says: `pg_dump` while serving, and after the disk is lost
    /// `pg_restore`, then `sotay-server restored` before the instances start.
    ByHand,
    /// The server's own `backup --to` and `restore --from`, which run the same tools.
    ServerCommands,
}

#[tokio::test]
async fn a_server_restored_from_backup_gets_back_what_it_lost_on_postgres() {
    server_restored_on_postgres(Procedure::ByHand).await;
}

#[tokio::test]
async fn a_server_restored_by_its_own_commands_gets_back_what_it_lost_on_postgres() {
    server_restored_on_postgres(Procedure::ServerCommands).await;
}

async fn server_restored_on_postgres(procedure: Procedure) {
    let mut server = TestServer::start_on(Backend::Postgres);
    let backups = tempfile::tempdir().expect("a folder for backups");
    let file = backups.path().join("nightly.dump");
    let file = file.to_str().expect("a UTF-8 path");
    let (mut a, mut b) = two_commune_officials(&server).await;
    let mut sampler = Sampler::new(12);
    let first: Vec<String> = (0..5).map(|_| a.create(COMMUNE, sampler.any_body())).collect();
    a.sync_until_ok(1).await;
    b.sync_until_ok(1).await;
    // Last night's backup, taken while serving.
    match procedure {
        Procedure::ByHand => server.cluster().expect("cluster").dump("nightly"),
        Procedure::ServerCommands => {
            let taken = server.admin(&["backup", "--to", file]);
            assert!(taken["bytes"].as_u64().is_some_and(|b| b > 0), "{taken}");
            assert_eq!(file_mode(file), 0o600, "a backup holds every record: the owner's only");
            let again = server.admin_output(&["backup", "--to", file]);
            assert!(!again.status.success(), "an existing backup is not written over");
        }
    }
    let later: Vec<String> = (0..5).map(|_| a.create(COMMUNE, sampler.any_body())).collect();
    a.sync_until_ok(1).await;
    b.sync_until_ok(1).await;
    b.store.edit_record(&first[0], &set("title=Sửa sau bản sao lưu")).expect("edit");
    b.sync_until_ok(1).await;
    // The disk fails; the database comes back from the backup.
    server.kill9();
    match procedure {
        Procedure::ByHand => {
            server.cluster().expect("cluster").restore_dump("nightly");
            server.admin(&["restored"]);
        }
        Procedure::ServerCommands => {
            server.cluster().expect("cluster").lose_database();
            let missing = server.admin_output(&["restore", "--from", "/nonexistent/nightly.dump"]);
            assert!(!missing.status.success());
            server.admin(&["restore", "--from", file]);
        }
    }
    server.restart();
    assert!(!server.doc_heads().contains_key(&later[0]), "the backup predates the later records");
    // Work on the restored server before the phones come back: it takes positions the lost
    // changes had, which only a new epoch tells apart.
    let mut c = Device::new("can.bo.c");
    server.add_user("can.bo.c", "commune-official", COMMUNE);
    c.enroll(&server.url, &server.code("can.bo.c")).await;
    for _ in 0..8 {
        c.create(COMMUNE, sampler.any_body());
    }
    c.sync_until_ok(1).await;
    let ra = a.sync_until_ok(2).await;
    let rb = b.sync_until_ok(2).await;
    assert!(ra.repaired && rb.repaired, "both devices noticed and repaired");
    a.sync_until_ok(1).await;
    c.sync_until_ok(1).await;
    assert_eq!(a.state(), b.state());
    for id in first.iter().chain(&later) {
        assert!(c.store.record(id).is_ok(), "{id} reached the new phone too");
    }
    // Every record the new phone made after the restore reached the others (its denouncers'
    // identities, if any, stay with it and their handlers).
    let all = sotay_core::store::RecordFilter { limit: 10_000, ..Default::default() };
    let made_after: Vec<String> = c.store.list(&all).expect("list").into_iter().map(|r| r.id).collect();
    assert!(made_after.len() >= first.len() + later.len() + 8);
    for id in &made_after {
        assert!(a.store.record(id).is_ok(), "{id} reached the first phone");
    }
    // The server has everything back: what the phones hold, as they hold it, and nothing else.
    let (held, on_a, on_c) = (server.doc_heads(), a.doc_heads(), c.doc_heads());
    for (id, h) in on_a.iter().chain(&on_c) {
        assert_eq!(held.get(id), Some(h), "{id} on the server as on the phones");
    }
    assert!(held.keys().all(|id| on_a.contains_key(id) || on_c.contains_key(id)));
    assert_eq!(a.store.record(&first[0]).expect("record").body.title(), "Sửa sau bản sao lưu");
}

fn file_mode(path: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("the backup").permissions().mode() & 0o777
}

#[tokio::test]
async fn a_phone_restored_from_backup_gets_back_its_own_lost_work() {
    phone_restored_from_backup(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_phone_restored_from_backup_gets_back_its_own_lost_work_on_postgres() {
    phone_restored_from_backup(Backend::Postgres).await;
}

async fn phone_restored_from_backup(backend: Backend) {
    let server = TestServer::start_on(backend);
    let (mut a, mut b) = two_commune_officials(&server).await;
    let mut sampler = Sampler::new(13);
    let early: Vec<String> = (0..3).map(|_| a.create(COMMUNE, sampler.any_body())).collect();
    a.sync_until_ok(1).await;
    let backup = tempfile::tempdir().expect("backup");
    a = a.backup(backup.path());
    // More work, synced twice (the second sync confirms the first), then the phone is restored
    // from the old backup.
    let late: Vec<String> = (0..3).map(|_| a.create(COMMUNE, sampler.any_body())).collect();
    a.store.edit_record(&early[0], &set("title=Sửa trước khi khôi phục")).expect("edit");
    a.sync_until_ok(1).await;
    a.sync_until_ok(1).await;
    b.sync_until_ok(1).await;
    a = a.restore(backup.path());
    assert!(a.store.record(&late[0]).is_err(), "the restored phone lost the late records");
    // Offline work on the restored phone, made by a fresh session (never reusing old sequence numbers).
    let after = a.create(COMMUNE, sampler.any_body());
    let report = a.sync_until_ok(2).await;
    assert!(report.repaired, "the server noticed the cursor went back");
    b.sync_until_ok(1).await;
    a.sync_until_ok(1).await;
    for id in late.iter().chain([&after]) {
        assert!(a.store.record(id).is_ok(), "{id} is back on the phone");
        assert!(b.store.record(id).is_ok(), "{id} reached the other phone");
    }
    assert_eq!(a.store.record(&early[0]).expect("record").body.title(), "Sửa trước khi khôi phục");
    assert_eq!(a.state(), b.state());
    assert_eq!(server.doc_heads(), a.doc_heads());
}

#[tokio::test]
async fn a_phone_restored_to_just_before_its_last_sync_gets_its_changes_echoed_back() {
    phone_restored_to_before_its_last_sync(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_phone_restored_to_just_before_its_last_sync_gets_its_changes_echoed_back_on_postgres() {
    phone_restored_to_before_its_last_sync(Backend::Postgres).await;
}

async fn phone_restored_to_before_its_last_sync(backend: Backend) {
    let server = TestServer::start_on(backend);
    server.add_user("can.bo.a", "commune-official", COMMUNE);
    let mut a = Device::new("can.bo.a");
    a.enroll(&server.url, &server.code("can.bo.a")).await;
    let mut sampler = Sampler::new(14);
    a.create(COMMUNE, sampler.any_body());
    a.sync_until_ok(1).await;
    let backup = tempfile::tempdir().expect("backup");
    a = a.backup(backup.path());
    let lost = a.create(COMMUNE, sampler.any_body());
    a.sync_until_ok(1).await;
    // Restored to the moment before that sync: to the server this looks like a lost response.
    a = a.restore(backup.path());
    assert!(a.store.record(&lost).is_err());
    let report = a.sync_until_ok(1).await;
    assert!(!report.repaired, "no full repair is needed");
    assert!(a.store.record(&lost).is_ok(), "its own change came back");
    assert_eq!(server.doc_heads(), a.doc_heads());
}

#[tokio::test]
async fn a_phone_holding_another_users_lost_work_is_not_stuck_and_its_own_edit_on_it_arrives() {
    let mut server = TestServer::start();
    let (mut a, mut b) = two_commune_officials(&server).await;
    let mut sampler = Sampler::new(15);
    a.create(COMMUNE, sampler.any_body());
    a.sync_until_ok(1).await;
    b.sync_until_ok(1).await;
    server.stop();
    let backup = tempfile::tempdir().expect("backup");
    server.copy_data_to(backup.path());
    server.restart();
    // After the backup: B's record reaches A, and A adds to it.
    let theirs = b.create(COMMUNE, sampler.any_body());
    b.sync_until_ok(1).await;
    a.sync_until_ok(1).await;
    a.store.edit_record(&theirs, &set("title=Cán bộ A bổ sung sau buổi hòa giải")).expect("edit");
    a.sync_until_ok(1).await;
    server.restore_data_from(backup.path());
    server.restart();
    // A reaches the server first. It cannot pass on B's changes (nothing proves B wrote them),
    // but it is not refused either, and syncing again does not fail.
    assert!(a.sync_until_ok(1).await.repaired);
    assert!(
        server.metric("sotay_refusals_total{reason=\"left_for_authors\"}").await >= 1.0,
        "an operator sees what was left for its authors"
    );
    a.sync_until_ok(1).await;
    assert!(!server.doc_heads().contains_key(&theirs), "the server took B's changes from A");
    // A edits it again meanwhile: the edit waits with the record rather than being sent alone
    // (refused for what it lacks, and then set aside for good).
    a.store.edit_record(&theirs, &set("title=Cán bộ A bổ sung lần hai")).expect("edit");
    let report = a.sync_until_ok(1).await;
    assert!(report.rejected.is_empty(), "set aside: {:?}", report.rejected);
    // B's own repair brings its record back; A's edit on it follows at A's next sync.
    assert!(b.sync_until_ok(1).await.repaired);
    assert!(server.doc_heads().contains_key(&theirs));
    a.sync_until_ok(1).await;
    b.sync_until_ok(1).await;
    assert_eq!(b.store.record(&theirs).expect("record").body.title(), "Cán bộ A bổ sung lần hai");
    assert_eq!(a.state(), b.state());
    assert_eq!(server.doc_heads(), a.doc_heads(), "the server has everything back");
    // Nothing waits any more: a further sync is an ordinary one.
    assert!(!a.sync_until_ok(1).await.repaired);
}
