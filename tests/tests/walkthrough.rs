//! The README's walk-through, with the real binaries: start the server, create a user and an
//! enrollment code, enroll the CLI, record offline, sync; a second device receives the record.

use std::path::{Path, PathBuf};
use std::process::Command;

use sotay_e2e::{COMMUNE, TestServer};

fn sotay() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    exe.parent().and_then(Path::parent).expect("target/<profile>").join("e2e-sotay")
}

fn run(dir: &Path, store: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new(sotay())
        .current_dir(dir)
        .arg("--store")
        .arg(store)
        .arg("--json")
        .args(args)
        .env_remove("SOTAY_KEY")
        .output()
        .expect("run sotay");
    assert!(out.status.success(), "sotay {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

#[test]
fn a_newcomer_enrolls_records_offline_and_syncs() {
    let server = TestServer::start();
    server.add_user("nguyen.van.a", "commune-official", COMMUNE);
    server.add_user("lo.thi.b", "commune-official", COMMUNE);
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    // Enrolling creates the store (and its key file) from what the server says about the user.
    let enrolled = run(d, "a.db", &["enroll", "--server", &server.url, "--code", &server.code("nguyen.van.a")]);
    assert_eq!(enrolled["login"], "nguyen.van.a");
    assert!(d.join("a.db.key").exists());
    let record = run(
        d,
        "a.db",
        &["new", "mediation", "--set", "title=Tranh chấp lối đi giữa hai hộ", "--set", "received_on=02/10/2026"],
    );
    let id = record["id"].as_str().expect("id").to_string();
    let status = run(d, "a.db", &["status"]);
    assert_eq!(status["pending"], 1);
    let report = run(d, "a.db", &["sync"]);
    assert_eq!(report["pushed_changes"], 1);
    assert_eq!(run(d, "a.db", &["status"])["pending"], 0);
    // A colleague's phone receives it.
    run(d, "b.db", &["enroll", "--server", &server.url, "--code", &server.code("lo.thi.b")]);
    // Not on a terminal: a plain line per round trip on standard error, the JSON result alone
    // on standard output.
    let synced = Command::new(sotay())
        .current_dir(d)
        .args(["--store", "b.db", "--json", "sync"])
        .env_remove("SOTAY_KEY")
        .output()
        .expect("run sotay");
    assert!(synced.status.success());
    let result: serde_json::Value = serde_json::from_slice(&synced.stdout).expect("JSON alone on stdout");
    assert_eq!(result["received_docs"], 1, "{result}");
    let progress = String::from_utf8_lossy(&synced.stderr);
    assert!(
        progress.lines().any(|l| l.starts_with("lượt 1: ") && l.contains("nhận 1 thay đổi của 1 hồ sơ")),
        "{progress}"
    );
    let found = run(d, "b.db", &["search", "loi di"]);
    assert_eq!(found[0]["id"], serde_json::json!(id));
    // History shows the server's receipt time beside the device's clock.
    let history = run(d, "b.db", &["history", &id]);
    assert!(history[0]["server_time"].is_i64(), "{history}");
    // A used code cannot enroll again.
    let code = server.code("lo.thi.b");
    run(d, "c.db", &["enroll", "--server", &server.url, "--code", &code]);
    let again = Command::new(sotay())
        .current_dir(d)
        .args(["--store", "d.db", "enroll", "--server", &server.url, "--code", &code])
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(6), "{}", String::from_utf8_lossy(&again.stderr));
}
