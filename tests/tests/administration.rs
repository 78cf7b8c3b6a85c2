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
    // A name changed (NFC-normalised, as every name on the way in), an empty one refused.
    let renamed = server.admin(&["user", "edit", OFFICIAL, "--name", "Nguye\u{302}\u{303}n Thị Hoa"]);
    assert_eq!(renamed["display_name"], "Nguyễn Thị Hoa", "{renamed}");
    assert!(!server.admin_output(&["user", "edit", OFFICIAL, "--name", "  "]).status.success());

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

#[tokio::test(flavor = "multi_thread")]
async fn administration_on_the_web() {
    on_the_web(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn administration_on_the_web_on_postgres() {
    on_the_web(Backend::Postgres).await;
}

/// The code printed on an enrollment card.
fn card_code(body: &str) -> String {
    let at = body.find("id=\"code\">").expect("a code on the card") + "id=\"code\">".len();
    body[at..].split('<').next().unwrap_or_default().trim().to_string()
}

/// The administration pages (issue 14), each operation and its refusals: not an administrator,
/// no CSRF token, a user of a unit outside the administrator's; a code issued on the web enrolls
/// a real device, whose last sync is then listed, and which is refused once revoked.
async fn on_the_web(backend: Backend) {
    let server = TestServer::start_on_with(backend, &["--public-url", "https://sotay.tuyenquang.example"]);
    server.add_user(ADMIN, "administrator", sotay_e2e::PROVINCE);
    server.add_user("quan.tri.xa", "administrator", COMMUNE);
    server.add_user(OFFICIAL, "commune-official", COMMUNE);
    server.add_user("can.bo.thuong.lam", "commune-official", sotay_e2e::OTHER_COMMUNE);
    for login in [ADMIN, "quan.tri.xa", OFFICIAL] {
        server.set_password(login, PASSWORD);
    }
    let mut admin = Session::new(&server.url);
    assert_eq!(admin.sign_in(ADMIN, PASSWORD).await.status, 303);
    let users = admin.get("/dashboard/admin/users").await;
    assert_eq!(users.status, 200);
    let csrf = hidden_csrf(&users.body);
    assert!(users.body.contains("data-login=\"can.bo.thuong.lam\""), "the province's administrator sees both communes");

    // Create: refused without the form's token, refused to one who does not administer.
    let new_user = [("login", "ly.thi.mai"), ("name", "Lý Thị Mai"), ("role", "village-head"), ("unit", COMMUNE)];
    let with = |csrf: &str| {
        let mut form: Vec<(&str, String)> = new_user.iter().map(|(k, v)| (*k, v.to_string())).collect();
        form.push(("csrf", csrf.to_string()));
        form
    };
    let forged: Vec<(&str, String)> = with("forged");
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(admin.post("/dashboard/admin/users", &forged).await.status, 403, "no CSRF token, no user");
    let mut official = Session::new(&server.url);
    official.sign_in(OFFICIAL, PASSWORD).await;
    let official_csrf = hidden_csrf(&official.get("/dashboard/records").await.body);
    let theirs: Vec<(&str, String)> = with(&official_csrf);
    let theirs: Vec<(&str, &str)> = theirs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(official.post("/dashboard/admin/users", &theirs).await.status, 403, "not an administrator");
    assert_eq!(official.get("/dashboard/admin/users").await.status, 403);
    let good: Vec<(&str, String)> = with(&csrf);
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(admin.post("/dashboard/admin/users", &good).await.status, 303);
    let again = admin.post("/dashboard/admin/users", &good).await;
    assert_eq!(again.status, 400, "the same login twice");
    assert!(again.body.contains("đã tồn tại"), "{}", again.body);
    assert!(admin.get("/dashboard/admin/users").await.body.contains("Lý Thị Mai"));

    // A commune's administrator: only that commune's users, and no unit outside it.
    let mut commune_admin = Session::new(&server.url);
    commune_admin.sign_in("quan.tri.xa", PASSWORD).await;
    let theirs = commune_admin.get("/dashboard/admin/users").await;
    assert!(theirs.body.contains("data-login=\"ly.thi.mai\""));
    assert!(!theirs.body.contains("can.bo.thuong.lam"), "another commune's user is not listed");
    let c = hidden_csrf(&theirs.body);
    let edit = commune_admin
        .post("/dashboard/admin/users/can.bo.thuong.lam/edit", &[("csrf", &c), ("role", "administrator")])
        .await;
    assert_eq!(edit.status, 404, "another commune's user is not theirs to edit");
    let outside = commune_admin
        .post(
            "/dashboard/admin/users",
            &[("csrf", &c), ("login", "nguoi.ngoai"), ("name", "Người Ngoài"), ("role", "mediator"), ("unit", "02269")],
        )
        .await;
    assert_eq!(outside.status, 400, "{}", outside.body);

    // Edit, password, disable and enable.
    let edited = admin
        .post("/dashboard/admin/users/ly.thi.mai/edit", &[("csrf", &csrf), ("role", "mediator"), ("unit", "")])
        .await;
    assert_eq!(edited.status, 303);
    let weak = admin.post("/dashboard/admin/users/ly.thi.mai/password", &[("csrf", &csrf), ("password", "ngan")]).await;
    assert_eq!(weak.status, 400);
    let set = admin
        .post("/dashboard/admin/users/ly.thi.mai/password", &[("csrf", &csrf), ("password", "mật-khẩu-của-mai-2026")])
        .await;
    assert_eq!(set.status, 303);
    let mut mai = Session::new(&server.url);
    assert_eq!(mai.sign_in("ly.thi.mai", "mật-khẩu-của-mai-2026").await.status, 303);
    assert_eq!(mai.get("/dashboard/records").await.status, 200);
    let off = admin.post("/dashboard/admin/users/ly.thi.mai/switch", &[("csrf", &csrf), ("to", "disable")]).await;
    assert_eq!(off.status, 303);
    assert_eq!(mai.get("/dashboard/records").await.status, 303, "a disabled user's session ends");
    let me = admin.post(&format!("/dashboard/admin/users/{ADMIN}/switch"), &[("csrf", &csrf), ("to", "disable")]).await;
    assert_eq!(me.status, 400, "an administrator cannot lock themself out");
    admin.post("/dashboard/admin/users/ly.thi.mai/switch", &[("csrf", &csrf), ("to", "enable")]).await;
    assert_eq!(Session::new(&server.url).sign_in("ly.thi.mai", "mật-khẩu-của-mai-2026").await.status, 303);

    // A code issued on the web, its card printed; a phone enrolls with it.
    let codes = admin.get("/dashboard/admin/codes").await;
    assert_eq!(codes.status, 200);
    let card = admin.post("/dashboard/admin/codes", &[("csrf", &csrf), ("login", OFFICIAL), ("hours", "48")]).await;
    assert_eq!(card.status, 200, "{}", card.body);
    let code = card_code(&card.body);
    assert_eq!(code.len(), 11, "XXXXX-XXXXX: {code}");
    assert!(card.body.contains("<svg") && !card.body.contains("<?xml"), "the QR code drawn inline");
    assert!(card.body.contains("Cán bộ can.bo.a") && card.body.contains("Xã Lâm Bình"), "the user and their unit");
    assert!(card.body.contains("https://sotay.tuyenquang.example") && card.body.contains("id=\"expires\""));
    let other = admin.post("/dashboard/admin/codes", &[("csrf", &csrf), ("login", OFFICIAL)]).await;
    let spare = card_code(&other.body);
    let listed = admin.get("/dashboard/admin/codes").await;
    assert_eq!(listed.body.matches("data-code=").count(), 2);
    assert!(!listed.body.contains(&code) && !listed.body.contains(&spare), "the codes themselves are not shown again");
    let mut phone = Device::new(OFFICIAL);
    phone.enroll(&server.url, &code).await;
    phone.sync().await.expect("the phone syncs");
    let devices = admin.get("/dashboard/admin/devices").await;
    let at = devices.body.find(&format!("data-device=\"{}\"", phone.device_id())).expect("the phone listed");
    let row = devices.body[at..].split("</tr>").next().unwrap_or_default().to_string();
    assert!(row.contains("(UTC+7)") && !row.contains("Chưa đồng bộ"), "with its last sync: {row}");
    let said = format!("{} {}", std::env::consts::OS, env!("CARGO_PKG_VERSION"));
    assert!(row.contains(&said), "with the system and version it gave: {row}");
    // Cancelling the spare code: gone from the list, refused to a phone.
    let listed = admin.get("/dashboard/admin/codes").await;
    let id_at = listed.body.find("data-code=\"").expect("an outstanding code") + "data-code=\"".len();
    let id = listed.body[id_at..id_at + 12].to_string();
    let cancelled = admin.post(&format!("/dashboard/admin/codes/{id}/cancel"), &[("csrf", &csrf)]).await;
    assert_eq!(cancelled.status, 303);
    assert_eq!(admin.get("/dashboard/admin/codes").await.body.matches("data-code=").count(), 0);
    assert!(Transport::new(&server.url).expect("transport").enroll(&spare, "máy khác", None).await.is_err());
    // Revoking: a reason needed; then the phone is refused.
    let revoke = format!("/dashboard/admin/devices/{}/revoke", phone.device_id());
    assert_eq!(admin.post(&revoke, &[("csrf", &csrf), ("reason", " ")]).await.status, 400);
    assert_eq!(
        commune_admin.post(&revoke, &[("csrf", &c), ("reason", "x")]).await.status,
        303,
        "their commune's device"
    );
    assert!(matches!(phone.sync().await, Err(SyncError::Unauthorized)), "a revoked device is refused");
    assert!(admin.get("/dashboard/admin/devices").await.body.contains("Đã thu hồi lúc"));

    // Each action is in the log with who did it and from where.
    let log = server.admin(&["audit"]);
    let entries = log.as_array().expect("entries");
    let by = |action: &str| entries.iter().find(|e| e["action"] == action).cloned().unwrap_or_default();
    assert_eq!(by("user_added")["actor"], ADMIN);
    assert_eq!(by("user_added")["origin"], "127.0.0.1");
    assert_eq!(by("device_revoked")["actor"], "quan.tri.xa");
    assert!(by("device_revoked")["target"].as_str().unwrap_or_default().ends_with("— x"));
    for action in ["user_edited", "user_disabled", "user_enabled", "password_set", "code_created", "code_cancelled"] {
        assert_eq!(by(action)["origin"], "127.0.0.1", "{action}: {log}");
    }
}

/// The administration pages are Vietnamese first, English a click away.
#[tokio::test(flavor = "multi_thread")]
async fn the_administration_pages_are_in_vietnamese_with_english_a_click_away() {
    let server = TestServer::start();
    server.add_user(ADMIN, "administrator", sotay_e2e::PROVINCE);
    server.set_password(ADMIN, PASSWORD);
    let mut admin = Session::new(&server.url);
    admin.sign_in(ADMIN, PASSWORD).await;
    for (path, vi, en) in [
        ("/dashboard/admin/users", "Tạo người dùng", "Create a user"),
        ("/dashboard/admin/devices", "Tên thiết bị", "Device name"),
        ("/dashboard/admin/codes", "Mã còn hiệu lực", "Outstanding codes"),
        ("/dashboard/audit", "Nhật ký quản trị", "Administrative and sign-in log"),
    ] {
        let page = admin.get(path).await;
        assert!(page.body.contains(vi) && page.body.contains("/dashboard/lang/en?back="), "{path}");
        let switched = admin.get(&format!("/dashboard/lang/en?back={path}")).await;
        assert_eq!(switched.location.as_deref(), Some(path));
        assert!(admin.get(path).await.body.contains(en), "{path} in English");
        admin.get(&format!("/dashboard/lang/vi?back={path}")).await;
    }
}
