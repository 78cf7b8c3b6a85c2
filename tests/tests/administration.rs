//! Administration from the server's command line (issue 14), on both backends: disabling and
//! enabling a user, listing and cancelling enrollment codes, and the audit log of it all and of
//! the dashboard's sign-ins, append-only, shown and exported to administrators only.

use sotay_core::sync::http::{SyncError, Transport};
use sotay_e2e::dashboard::{Session, hidden_csrf};
use sotay_e2e::{Backend, COMMUNE, Device, TestServer};

const ADMIN: &str = "quan.tri";
const OFFICIAL: &str = "can.bo.a";
const PASSWORD: &str = "mật-khẩu-quản-trị-2026";

#[tokio::test(flavor = "multi_thread")]
async fn users_codes_and_the_audit_log() {
    administration(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn users_codes_and_the_audit_log_on_postgres() {
    administration(Backend::Postgres).await;
}

async fn administration(backend: Backend) {
    let server = TestServer::start_on(backend);
    server.add_user(ADMIN, "administrator", "08");
    server.add_user(OFFICIAL, "commune-official", COMMUNE);
    server.set_password(ADMIN, PASSWORD);
    server.set_password(OFFICIAL, PASSWORD);

    // Codes: two issued, listed (never the codes themselves), one cancelled by its id and refused
    // when a phone tries it, the other cancelled with every code of the user.
    let first = server.code(OFFICIAL);
    let second = server.code(OFFICIAL);
    let listed = server.admin(&["code", "list"]);
    let ids: Vec<String> =
        listed.as_array().expect("a list").iter().map(|c| c["id"].as_str().unwrap().into()).collect();
    assert_eq!(ids.len(), 2, "{listed}");
    assert!(listed.to_string().find(&first).is_none() && listed.to_string().find(&second).is_none(), "{listed}");
    assert!(ids.iter().all(|id| id.len() == 12), "{ids:?}");
    let cancelled = server.admin(&["code", "cancel", &ids[0]]);
    assert_eq!(cancelled["cancelled"], serde_json::json!([ids[0]]));
    let still = server.admin(&["code", "list"]);
    assert_eq!(still.as_array().map(Vec::len), Some(1), "{still}");
    let refused = Transport::new(&server.url).expect("transport").enroll(&first, "điện thoại", None).await;
    let refused_second = Transport::new(&server.url).expect("transport").enroll(&second, "điện thoại", None).await;
    // Which of the two codes the first id is depends on their hashes: exactly one is refused.
    assert_eq!(
        [refused.is_err(), refused_second.is_err()].iter().filter(|r| **r).count(),
        1,
        "one cancelled code refused, the other enrolled"
    );
    assert!(matches!(refused.as_ref().err().or(refused_second.as_ref().err()), Some(SyncError::BadCode)));
    server.code(OFFICIAL);
    let by_user = server.admin(&["code", "cancel", "--user", OFFICIAL]);
    assert_eq!(by_user["cancelled"].as_array().map(Vec::len), Some(1), "{by_user}");
    assert_eq!(server.admin(&["code", "list"]).as_array().map(Vec::len), Some(0));
    assert!(!server.admin_output(&["code", "cancel", "--user", OFFICIAL]).status.success(), "nothing left to cancel");

    // Disabling: the user's phone is refused and their dashboard session ends; enabled again,
    // the same phone syncs (it was not revoked).
    let mut phone = Device::new(OFFICIAL);
    phone.enroll(&server.url, &server.code(OFFICIAL)).await;
    phone.sync().await.expect("a first sync");
    let mut official = Session::new(&server.url);
    assert_eq!(official.sign_in(OFFICIAL, PASSWORD).await.status, 303);
    assert_eq!(official.get("/dashboard/records").await.status, 200);
    let disabled = server.admin(&["user", "disable", OFFICIAL]);
    assert_eq!(disabled["disabled"], serde_json::json!(true), "{disabled}");
    assert!(matches!(phone.sync().await, Err(SyncError::Unauthorized)), "a disabled user's phone is refused");
    assert_eq!(official.get("/dashboard/records").await.status, 303, "their session ended");
    assert_eq!(Session::new(&server.url).sign_in(OFFICIAL, PASSWORD).await.status, 401);
    server.admin(&["user", "enable", OFFICIAL]);
    phone.sync().await.expect("enabled again: the same phone syncs");
    assert!(!server.admin_output(&["user", "disable", "khong.co.ai"]).status.success());

    // The dashboard's sign-ins: one refused for a known login, one for a login that names no one.
    let mut guesser = Session::new(&server.url);
    assert_eq!(guesser.sign_in(ADMIN, "doan-sai-mat-khau").await.status, 401);
    assert_eq!(guesser.sign_in("mat-khau-go-nham-o-day", PASSWORD).await.status, 401);

    // The log: every action above, newest first, by whom and from where; nothing of any record.
    let log = server.admin(&["audit"]);
    let entries = log.as_array().expect("entries");
    let actions: Vec<&str> = entries.iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    for expected in [
        "user_added",
        "password_set",
        "code_created",
        "code_cancelled",
        "user_disabled",
        "user_enabled",
        "signed_in",
        "sign_in_refused",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let by_cli = entries.iter().find(|e| e["action"] == "user_disabled").expect("the disabling");
    assert_eq!((by_cli["target"].as_str(), by_cli["origin"].as_str()), (Some(OFFICIAL), Some("cli")));
    assert!(by_cli["actor"].as_str().unwrap_or_default().starts_with("cli:"), "{by_cli}");
    let signed_in = entries.iter().find(|e| e["action"] == "signed_in").expect("a sign-in");
    assert_eq!((signed_in["actor"].as_str(), signed_in["origin"].as_str()), (Some(OFFICIAL), Some("127.0.0.1")));
    let refusals: Vec<&str> =
        entries.iter().filter(|e| e["action"] == "sign_in_refused").map(|e| e["target"].as_str().unwrap()).collect();
    assert!(refusals.contains(&ADMIN), "a refusal names the known login: {refusals:?}");
    assert!(refusals.contains(&""), "and keeps nothing of what names no one: {refusals:?}");
    assert!(!log.to_string().contains("mat-khau-go-nham-o-day"), "what was typed as a login is not kept");
    assert!(!log.to_string().contains(PASSWORD), "no password");

    // Append-only: the database refuses to change or delete a line.
    let tampered = match backend {
        Backend::Sqlite => {
            server.db().execute("UPDATE audit_log SET actor = 'ai-do'", []).is_err()
                && server.db().execute("DELETE FROM audit_log", []).is_err()
        }
        Backend::Postgres => server.on_postgres_db(|c| {
            c.execute("UPDATE audit_log SET actor = 'ai-do'", &[]).is_err()
                && c.execute("DELETE FROM audit_log", &[]).is_err()
                && c.execute("TRUNCATE audit_log", &[]).is_err()
        }),
    };
    assert!(tampered, "every change refused");
    assert_eq!(server.admin(&["audit"]).as_array().map(Vec::len), Some(entries.len()));

    // On the dashboard: for administrators only, with its CSV.
    let mut admin = Session::new(&server.url);
    assert_eq!(admin.sign_in(ADMIN, PASSWORD).await.status, 303);
    let page = admin.get("/dashboard/audit").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Khóa người dùng") && page.body.contains("Đăng nhập bị từ chối"), "{}", page.body);
    assert!(page.body.contains("href=\"/dashboard/audit\""), "in the administrator's menu");
    let csv = admin.get("/dashboard/audit.csv").await;
    assert!(csv.bytes.starts_with(&[0xEF, 0xBB, 0xBF]) && !csv.body.contains("user_disabled"), "labels, not codes");
    assert!(csv.body.contains("Khóa người dùng,User disabled"), "{}", csv.body);
    let mut official = Session::new(&server.url);
    official.sign_in(OFFICIAL, PASSWORD).await;
    let records = official.get("/dashboard/records").await;
    assert!(!records.body.contains("href=\"/dashboard/audit\""), "not in an official's menu");
    assert_eq!(official.get("/dashboard/audit").await.status, 403);
    assert_eq!(official.get("/dashboard/audit.csv").await.status, 403);
    // Signing out is logged too.
    assert_eq!(official.post("/dashboard/sign-out", &[("csrf", &hidden_csrf(&records.body))]).await.status, 303);
    let last = server.admin(&["audit", "--limit", "1"]);
    assert_eq!(last[0]["action"], "signed_out", "{last}");
}
