//! The dashboard over HTTP against a real server: sign-in, CSRF, who sees what, the report's
//! figures against those worked out by hand, roll-up, exports, issuing and late amendments, bad
//! input; each on the embedded database and on PostgreSQL.

use sotay_core::record::RecordBody;
use sotay_core::record::mediation::MediationOutcome;
use sotay_e2e::dashboard::{
    NEIGHBOUR, OFFICIAL, PARTY_NAME, PASSWORD, PETITIONER_PHONE, Q3_FIGURES, REVIEWER, Session, figures, hidden_csrf,
    quarter_on,
};
use sotay_e2e::{Backend, COMMUNE, PROVINCE};

const Q3: &str = "/dashboard/report?unit=02266&period=2026-Q3&convention=calendar";

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_sessions_and_csrf() {
    sign_in_sessions_and_csrf_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_sessions_and_csrf_on_postgres() {
    sign_in_sessions_and_csrf_on(Backend::Postgres).await;
}

async fn sign_in_sessions_and_csrf_on(backend: Backend) {
    let q = quarter_on(backend).await;
    let mut s = Session::new(&q.server.url);
    // Signed out: every page sends to the sign-in page.
    for path in ["/dashboard", "/dashboard/records", Q3, "/dashboard/report.xlsx?period=2026-Q3"] {
        let page = s.get(path).await;
        assert_eq!((page.status, page.location.as_deref()), (303, Some("/dashboard/sign-in")), "{path}");
    }
    // The sign-in page is Vietnamese by default, English on request.
    let form = s.get("/dashboard/sign-in").await;
    assert!(form.body.contains("Đăng nhập") && form.body.contains("Mật khẩu"));
    // A wrong password, an unknown login: the same refusal, nothing learnt.
    let csrf = hidden_csrf(&form.body);
    let wrong =
        s.post("/dashboard/sign-in", &[("login", OFFICIAL), ("password", "sai-mat-khau-roi"), ("csrf", &csrf)]).await;
    let unknown =
        s.post("/dashboard/sign-in", &[("login", "khong.co.ai"), ("password", PASSWORD), ("csrf", &csrf)]).await;
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert!(wrong.body.contains("Sai tên đăng nhập hoặc mật khẩu"));
    assert!(!s.cookies.contains_key("sotay_session"));
    // Without the form's token (a forged cross-site post): refused before the password is checked.
    let forged = s.post("/dashboard/sign-in", &[("login", OFFICIAL), ("password", PASSWORD), ("csrf", "x")]).await;
    assert_eq!(forged.status, 403);
    // Signed in: a session cookie, HttpOnly, Secure, SameSite=Strict.
    let mut s2 = Session::new(&q.server.url);
    let form = s2.get("/dashboard/sign-in").await;
    let csrf = hidden_csrf(&form.body);
    let ok = s2.post("/dashboard/sign-in", &[("login", OFFICIAL), ("password", PASSWORD), ("csrf", &csrf)]).await;
    assert_eq!((ok.status, ok.location.as_deref()), (303, Some("/dashboard")));
    let stored = q.server.read_text("SELECT password_hash FROM users WHERE login = $1", &[OFFICIAL]).expect("hash");
    assert!(stored.starts_with("$argon2id$"), "a memory-hard hash: {stored}");
    assert!(!stored.contains(PASSWORD));
    let token = s2.cookies.get("sotay_session").cloned().expect("a session cookie");
    let sessions =
        |token_hash: &[u8]| q.server.count_bytes("SELECT count(*) FROM sessions WHERE token_hash = $1", token_hash);
    assert_eq!(sessions(token.as_bytes()), 0, "only the token's hash is stored");
    assert_eq!(sessions(&sotay_server::accounts::hash_secret(&token)), 1, "its hash is");
    let records = s2.get("/dashboard/records").await;
    assert_eq!(records.status, 200);
    // Signing out needs the session's token; then the cookie is worthless.
    assert_eq!(s2.post("/dashboard/sign-out", &[("csrf", "nope")]).await.status, 403);
    let csrf = hidden_csrf(&records.body);
    assert_eq!(s2.post("/dashboard/sign-out", &[("csrf", &csrf)]).await.status, 303);
    let mut stale = Session::new(&q.server.url);
    stale.cookies.insert("sotay_session".into(), token);
    assert_eq!(stale.get("/dashboard/records").await.status, 303);
}

#[tokio::test(flavor = "multi_thread")]
async fn report_figures_roll_up_and_exports() {
    report_figures_roll_up_and_exports_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn report_figures_roll_up_and_exports_on_postgres() {
    report_figures_roll_up_and_exports_on(Backend::Postgres).await;
}

async fn report_figures_roll_up_and_exports_on(backend: Backend) {
    let q = quarter_on(backend).await;
    let mut s = Session::new(&q.server.url);
    assert_eq!(s.sign_in(OFFICIAL, PASSWORD).await.status, 303);
    let page = s.get(Q3).await;
    assert_eq!(page.status, 200);
    let shown = figures(&page.body);
    for (code, expected) in Q3_FIGURES {
        assert_eq!(shown.get(*code).map(String::as_str), Some(*expected), "{code}");
    }
    assert!(page.body.contains("Quý III năm 2026") && page.body.contains("01/07/2026 – 30/09/2026"));
    assert!(page.body.contains("<svg"), "charts drawn on the server");
    assert!(page.body.contains("Thôn Nà Mè"), "the roll-up lists the village");
    assert!(
        !page.body.contains(PARTY_NAME) && !page.body.contains(PETITIONER_PHONE),
        "no personal details in a report"
    );
    // The statistical convention: m4 (20/6) in, m3 (30/9) out.
    let stat = figures(&s.get("/dashboard/report?unit=02266&period=2026-Q3&convention=statistical").await.body);
    assert_eq!(stat.get("mediation.received").map(String::as_str), Some("3"));
    assert_eq!(stat.get("mediation.successful").map(String::as_str), Some("2"));
    // Second half of the year: no working session with the Front, flagged.
    let h2 = s.get("/dashboard/report?unit=02266&period=2026-H2").await;
    assert!(h2.body.contains("Không có buổi làm việc nào với Mặt trận Tổ quốc trong"), "the six-month flag");

    // Exports: XLSX with the same figures, CSV with a byte-order mark.
    let xlsx = s.get("/dashboard/report.xlsx?unit=02266&period=2026-Q3").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.content_type.contains("spreadsheetml"));
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).expect("an XLSX file");
    let sheet = book.worksheet_range("Bao cao").expect("the report sheet");
    let cell = |code: &str| {
        sheet.rows().find(|row| row.first() == Some(&Data::String(code.into()))).and_then(|row| row.get(3).cloned())
    };
    assert_eq!(cell("mediation.received"), Some(Data::Float(3.0)));
    // A rate is a fraction that Excel shows as a percentage (75.0%).
    assert_eq!(cell("village_meeting.average_represented"), Some(Data::Float(0.75)));
    assert_eq!(cell("petitions.complaint.overdue"), Some(Data::Float(1.0)));
    // The period's first and last days are date cells: 2026-07-01 and 2026-09-30 are Excel's
    // days 46204 and 46295.
    let day = |col: u32| match sheet.get_value((1, col)) {
        Some(Data::DateTime(d)) => Some(d.as_f64()),
        _ => None,
    };
    assert_eq!((day(1), day(2)), (Some(46204.0), Some(46295.0)));
    // By unit: headed in words with the codes below, the villages, their sum, the whole commune.
    let by_unit = book.worksheet_range("Theo don vi").expect("the roll-up sheet");
    let header: Vec<String> = by_unit.rows().next().expect("a header").iter().map(|d| d.to_string()).collect();
    let codes: Vec<String> = by_unit.rows().nth(1).expect("codes").iter().map(|d| d.to_string()).collect();
    let col = codes.iter().position(|c| c == "mediation.received").expect("a column");
    assert_eq!(header[col], "Số vụ việc hòa giải tiếp nhận");
    let named =
        |name: &str| by_unit.rows().find(|row| row[0].to_string().starts_with(name)).map(|row| row[col].clone());
    // By hand: m1 is filed in Thôn Nà Mè; m2 and m3 at the commune itself (m4 is June).
    assert_eq!(named("Cộng các đơn vị trên"), Some(Data::Float(1.0)), "the case filed in the village");
    assert_eq!(named("Xã Lâm Bình (toàn đơn vị)"), Some(Data::Float(3.0)), "and the two filed at the commune");
    let csv = s.get("/dashboard/report.csv?unit=02266&period=2026-Q3").await;
    assert!(csv.bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    assert!(
        csv.body.contains("mediation.received,Số vụ việc hòa giải tiếp nhận,Mediation cases received,3,02266,2026-Q3")
    );

    // Roll-up: the province's report counts the commune's records; its table lists its communes,
    // and one from which nothing was ever received says so rather than showing zeros.
    let mut reviewer = Session::new(&q.server.url);
    assert_eq!(reviewer.sign_in(REVIEWER, PASSWORD).await.status, 303);
    let province = reviewer.get(&format!("/dashboard/report?unit={PROVINCE}&period=2026-Q3")).await;
    assert_eq!(province.status, 200);
    assert_eq!(figures(&province.body).get("mediation.received").map(String::as_str), Some("3"));
    assert_eq!(figures(&province.body).get("village_meeting.held").map(String::as_str), Some("1"));
    let row = |code: &str| {
        let at = province.body.find(&format!("data-unit=\"{code}\"")).expect("a roll-up row");
        province.body[at..].split("</tr>").next().unwrap_or_default().to_string()
    };
    let lam_binh = row("02266");
    assert!(!lam_binh.contains("data-no-data") && lam_binh.contains("(UTC+7)"), "synced, with its time: {lam_binh}");
    let thuong_lam = row("02269");
    assert!(thuong_lam.contains("data-no-data") && thuong_lam.contains("Chưa nhận được số liệu"), "{thuong_lam}");
    // The same in the XLSX: the last sync beside each unit, "no data received" instead of zeros.
    let xlsx = reviewer.get(&format!("/dashboard/report.xlsx?unit={PROVINCE}&period=2026-Q3")).await;
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).expect("an XLSX file");
    let by_unit = book.worksheet_range("Theo don vi").expect("the roll-up sheet");
    let unit_row = |name: &str| -> Vec<String> {
        by_unit.rows().find(|row| row[0] == name).expect("a unit row").iter().map(|d| d.to_string()).collect()
    };
    let (lam_binh, thuong_lam) = (unit_row("Xã Lâm Bình"), unit_row("Xã Thượng Lâm"));
    assert!(lam_binh[2] != "Chưa nhận được số liệu", "{lam_binh:?}");
    assert_eq!((thuong_lam[1].as_str(), thuong_lam[2].as_str()), ("", "Chưa nhận được số liệu"));
    // The last sync is a date cell in Vietnam time: today's, give or take the day's turn.
    let synced = by_unit.rows().find(|row| row[0] == "Xã Lâm Bình").map(|row| row[1].clone());
    let Some(Data::DateTime(at)) = synced else { panic!("a date cell: {synced:?}") };
    use sotay_core::time::Clock;
    let now_days = (sotay_core::time::SystemClock.now() as f64 / 1000.0 + 7.0 * 3600.0) / 86_400.0 + 25_569.0;
    assert!((at.as_f64() - now_days).abs() < 1.0, "{} vs {now_days}", at.as_f64());
}

#[tokio::test(flavor = "multi_thread")]
async fn who_sees_what() {
    who_sees_what_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn who_sees_what_on_postgres() {
    who_sees_what_on(Backend::Postgres).await;
}

async fn who_sees_what_on(backend: Backend) {
    let q = quarter_on(backend).await;
    let (mediation, dialogue) = (q.ids["m1"].clone(), q.ids["dialogue"].clone());

    // The commune official opens a mediation case, with its parties, and its history.
    let mut official = Session::new(&q.server.url);
    official.sign_in(OFFICIAL, PASSWORD).await;
    let page = official.get(&format!("/dashboard/records/{mediation}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(PARTY_NAME));
    assert_eq!(page.cache_control.as_deref(), Some("no-store"), "names do not stay in a shared computer's cache");
    assert!(page.body.contains("Lịch sử thay đổi") && page.body.contains(OFFICIAL));
    let list = official.get("/dashboard/records").await;
    assert!(list.body.contains("QUÁ HẠN"), "overdue records stand out");
    let overdue = official.get("/dashboard/records?overdue=1&kind=petition").await;
    assert!(overdue.body.contains("Khiếu nại về mức bồi thường đất"));
    assert!(!overdue.body.contains("Tranh chấp ranh giới"));
    // A village meeting's items say what their votes decide: 70 of 120 households binds the
    // village; 40 at the meeting and 25 by ballot make 65 of 120, which passes too.
    let meeting = official.get(&format!("/dashboard/records/{}", q.ids["meeting"])).await;
    assert!(meeting.body.contains("Kết quả biểu quyết"), "{}", meeting.body);
    assert!(meeting.body.contains("Thông qua, có giá trị với cả thôn (70/120 hộ của thôn tán thành; 70/90 hộ dự họp)"));
    assert!(meeting.body.contains("(65/120 hộ của thôn tán thành; 40/90 hộ dự họp)"));

    // A reviewer above the commune: aggregates, records without people, never a party.
    let mut reviewer = Session::new(&q.server.url);
    reviewer.sign_in(REVIEWER, PASSWORD).await;
    assert_eq!(reviewer.get(&format!("/dashboard/records/{mediation}")).await.status, 404);
    assert_eq!(reviewer.get(&format!("/dashboard/records/{}", q.ids["petition"])).await.status, 404);
    assert_eq!(reviewer.get(&format!("/dashboard/records/{dialogue}")).await.status, 200);
    let listed = reviewer.get(&format!("/dashboard/records?unit={COMMUNE}")).await;
    assert!(!listed.body.contains("Tranh chấp") && !listed.body.contains(PARTY_NAME));
    assert_eq!(reviewer.get(Q3).await.status, 200);

    // Another commune's official sees nothing of this commune, not even its report.
    let mut neighbour = Session::new(&q.server.url);
    neighbour.sign_in(NEIGHBOUR, PASSWORD).await;
    assert_eq!(neighbour.get(Q3).await.status, 404);
    assert_eq!(neighbour.get(&format!("/dashboard/records/{dialogue}")).await.status, 404);
    assert_eq!(neighbour.get(&format!("/dashboard/records?unit={COMMUNE}")).await.status, 404);
    assert_eq!(neighbour.get(&format!("/dashboard/report?unit={PROVINCE}&period=2026-Q3")).await.status, 404);
    let own = neighbour.get("/dashboard/records").await;
    assert!(own.body.contains("Không có hồ sơ nào"));
    // Nor may a reviewer issue a report.
    let csrf = hidden_csrf(&reviewer.get(Q3).await.body);
    assert_eq!(
        reviewer
            .post(&format!("/dashboard/report/issue?unit={COMMUNE}&period=2026-Q3"), &[("csrf", &csrf)])
            .await
            .status,
        403
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn issuing_a_report_and_late_amendments() {
    issuing_a_report_and_late_amendments_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn issuing_a_report_and_late_amendments_on_postgres() {
    issuing_a_report_and_late_amendments_on(Backend::Postgres).await;
}

async fn issuing_a_report_and_late_amendments_on(backend: Backend) {
    let mut q = quarter_on(backend).await;
    let mut s = Session::new(&q.server.url);
    s.sign_in(OFFICIAL, PASSWORD).await;
    let page = s.get(Q3).await;
    let issue = "/dashboard/report/issue?unit=02266&period=2026-Q3&convention=calendar";
    assert_eq!(s.post(issue, &[("csrf", "forged")]).await.status, 403, "CSRF");
    let issued = s.post(issue, &[("csrf", &hidden_csrf(&page.body))]).await;
    assert_eq!(issued.status, 303);
    let after = s.get(Q3).await;
    assert!(after.body.contains("Đã chốt lúc"));
    assert!(!after.body.contains("Hồ sơ thay đổi sau khi chốt"), "nothing changed yet");
    let counted = q.server.read_text("SELECT counted FROM issued_reports", &[]).expect("issued");
    assert!(counted.contains(&q.ids["m1"]) && counted.contains("heads"), "provenance: {counted}");

    // The phone corrects a case after the report: it shows as an amendment, figures move.
    let id = q.ids["m2"].clone();
    let mut body = match q.device.store.record(&id).expect("m2").body {
        RecordBody::Mediation(m) => m,
        _ => unreachable!("m2 is a mediation case"),
    };
    body.outcome = MediationOutcome::Success;
    body.agreement_terms = "Hai hộ thống nhất".into();
    q.device.store.update_record(&id, RecordBody::Mediation(body)).expect("edit");
    q.device.sync().await.expect("sync");
    let amended = s.get(Q3).await;
    assert!(amended.body.contains("Hồ sơ thay đổi sau khi chốt"));
    // Named by its title, not its id.
    assert!(amended.body.contains("Mâu thuẫn giữa hai hộ liền kề: sửa sau khi chốt"), "by title");
    assert!(!amended.body.contains(&format!("{id}: sửa")), "not by a bare id");
    assert_eq!(figures(&amended.body).get("mediation.successful").map(String::as_str), Some("2"));
    // What changed, by field name (never the agreed terms themselves), and which figures moved.
    let listed =
        amended.body.split("id=\"amendments\"").nth(1).and_then(|b| b.split("</ul>").next()).unwrap_or_default();
    assert!(
        listed.contains("thay đổi: ") && listed.contains("Kết quả") && listed.contains("Nội dung thỏa thuận"),
        "{listed}"
    );
    assert!(!listed.contains("Hai hộ thống nhất"), "no values: {listed}");
    let moved =
        amended.body.split("id=\"figures-moved\"").nth(1).and_then(|b| b.split("</ul>").next()).unwrap_or_default();
    // By hand: m2 went from unsuccessful to successful; 3 cases, so 1/3 → 2/3.
    assert!(moved.contains("<li>Hòa giải thành: 1 → 2</li>"), "{moved}");
    assert!(moved.contains("<li>Hòa giải không thành: 1 → 0</li>"), "{moved}");
    assert!(moved.contains("<li>Tỷ lệ hòa giải thành: 33,3% → 66,7%</li>"), "{moved}");
    assert!(!moved.contains("Số vụ việc hòa giải tiếp nhận"), "the count of cases did not move: {moved}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_a_clear_page_and_changes_nothing() {
    bad_input_gets_a_clear_page_and_changes_nothing_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_a_clear_page_and_changes_nothing_on_postgres() {
    bad_input_gets_a_clear_page_and_changes_nothing_on(Backend::Postgres).await;
}

async fn bad_input_gets_a_clear_page_and_changes_nothing_on(backend: Backend) {
    let q = quarter_on(backend).await;
    let mut s = Session::new(&q.server.url);
    s.sign_in(OFFICIAL, PASSWORD).await;
    for (path, status) in [
        ("/dashboard/report?period=2026-Q9", 400),
        ("/dashboard/report?period=%3Cscript%3E", 400),
        ("/dashboard/report?period=2026-Q3&convention=lunar", 400),
        ("/dashboard/report?period=2026-Q3&unit=99999", 404),
        ("/dashboard/records/..%2F..%2Fetc%2Fpasswd", 404),
        ("/dashboard/records/01a214d6-5932-7503-9ea8-0b820a30fdd5", 404),
        ("/dashboard/records?kind=bogus", 400),
    ] {
        let page = s.get(path).await;
        assert_eq!(page.status, status, "{path}");
        assert!(page.body.contains(" / "), "bilingual: {path}");
        assert!(!page.body.contains("<script>"), "nothing echoed: {path}");
    }
    // A form or query that cannot be read: the bilingual page, nothing changed.
    let missing = s.post("/dashboard/sign-out", &[("not_csrf", "x")]).await;
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("biểu mẫu không đọc được / the form cannot be read"), "{}", missing.body);
    let repeated = s.get("/dashboard/report?period=2026-Q3&period=2026-Q4").await;
    assert!(repeated.status == 400 || repeated.status == 200, "one of them, never a crash: {}", repeated.status);
    // The language link never sends a browser to another site.
    let page = s.get("/dashboard/lang/en?back=https://example.com/").await;
    assert_eq!(page.location.as_deref(), Some("/dashboard"));
    let page = s.get("/dashboard/lang/en?back=//example.com/").await;
    assert_eq!(page.location.as_deref(), Some("/dashboard"));
    let page = s.get("/dashboard/lang/en?back=/dashboard%0D%0ASet-Cookie:x=1").await;
    assert_eq!((page.status, page.location.as_deref()), (303, Some("/dashboard")), "no header injection");
    // English after the switch.
    let en = s.get(Q3).await;
    assert!(en.body.contains("Quarter 3 of 2026") && en.body.contains("33.3%"));
    // The server still serves sync.
    assert_eq!(
        sotay_e2e::http_client().get(format!("{}/healthz", q.server.url)).send().await.expect("healthz").status(),
        200
    );
}

/// Guessing one official's password from many addresses is limited too: per login, not only per
/// address (issue 11, item 11).
#[tokio::test]
async fn sign_in_attempts_are_limited_per_login_whatever_the_address() {
    sign_in_attempts_are_limited_per_login_whatever_the_address_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_login_whatever_the_address_on_postgres() {
    sign_in_attempts_are_limited_per_login_whatever_the_address_on(Backend::Postgres).await;
}

async fn sign_in_attempts_are_limited_per_login_whatever_the_address_on(backend: Backend) {
    let server = sotay_e2e::TestServer::start_on_with(backend, &["--trust-forwarded-for"]);
    server.add_user("can.bo.a", "commune-official", sotay_e2e::COMMUNE);
    server.add_user("can.bo.b", "commune-official", sotay_e2e::COMMUNE);
    server.set_password("can.bo.a", "mat-khau-that-dai-1");
    server.set_password("can.bo.b", "mat-khau-that-dai-2");
    let mut s = sotay_e2e::dashboard::Session::new(&server.url);
    let form = s.get("/dashboard/sign-in").await;
    let csrf = sotay_e2e::dashboard::hidden_csrf(&form.body);
    let mut statuses = Vec::new();
    for i in 0..12 {
        let wrong = [("login", "can.bo.a"), ("password", "doan-sai-mat-khau"), ("csrf", csrf.as_str())];
        statuses.push(s.post_from(&format!("203.0.113.{i}"), "/dashboard/sign-in", &wrong).await.status);
    }
    assert_eq!(statuses[..10], [401; 10], "{statuses:?}");
    assert_eq!(statuses[10..], [429; 2], "the login is held back: {statuses:?}");
    // Another official, from yet another address, is not.
    let other = [("login", "can.bo.b"), ("password", "mat-khau-that-dai-2"), ("csrf", csrf.as_str())];
    assert_eq!(s.post_from("198.51.100.1", "/dashboard/sign-in", &other).await.status, 303);
}

/// The DOCX's parts, read back from the archive.
fn docx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a ZIP archive");
    let mut part = archive.by_name(name).expect("the part");
    let mut xml = String::new();
    part.read_to_string(&mut xml).expect("UTF-8 XML");
    xml
}

/// The text of a WordprocessingML part, runs joined per paragraph.
fn paragraphs(xml: &str) -> Vec<String> {
    xml.split("</w:p>")
        .map(|p| {
            // `<w:t>` or `<w:t xml:space=…>`, not `<w:tbl>`, `<w:tc>`…
            p.split("<w:t")
                .skip(1)
                .filter(|t| t.starts_with('>') || t.starts_with(' '))
                .filter_map(|t| t.split_once('>').map(|(_, rest)| rest.split("</w:t>").next().unwrap_or_default()))
                .collect::<String>()
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
        })
        .filter(|p| !p.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_form_as_docx_and_printable_page() {
    the_official_form_as_docx_and_printable_page_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_form_as_docx_and_printable_page_on_postgres() {
    the_official_form_as_docx_and_printable_page_on(Backend::Postgres).await;
}

async fn the_official_form_as_docx_and_printable_page_on(backend: Backend) {
    // Decree 30/2020/NĐ-CP, Appendix I: the parts of an administrative document and the page.
    let q = quarter_on(backend).await;
    let mut s = Session::new(&q.server.url);
    assert_eq!(s.sign_in(OFFICIAL, PASSWORD).await.status, 303);
    let asked = "unit=02266&period=2026-Q3&number=12&date=05/10/2026&signer=Ho%C3%A0ng%20V%C4%83n%20S%C6%A1n";
    let docx = s.get(&format!("/dashboard/report.docx?{asked}")).await;
    assert_eq!(docx.status, 200);
    assert!(docx.content_type.contains("wordprocessingml"), "{}", docx.content_type);
    let xml = docx_part(&docx.bytes, "word/document.xml");
    let text = paragraphs(&xml);
    let has = |line: &str| text.iter().any(|p| p == line);
    for line in [
        "ỦY BAN NHÂN DÂN",
        "XÃ LÂM BÌNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 12/BC-UBND",
        "Lâm Bình, ngày 05 tháng 10 năm 2026",
        "BÁO CÁO",
        "Kết quả thực hiện công tác dân vận chính quyền quý III năm 2026",
        "Nơi nhận:",
        "- Ủy ban nhân dân tỉnh Tuyên Quang (qua Sở Nội vụ);",
        "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Hoàng Văn Sơn",
        "II. HÒA GIẢI Ở CƠ SỞ",
        "Số vụ việc hòa giải tiếp nhận",
    ] {
        assert!(has(line), "the DOCX has the line {line:?}: {text:?}");
    }
    // The figure beside its label, as counted by hand (Q3_FIGURES).
    let received = text.iter().position(|p| p == "Số vụ việc hòa giải tiếp nhận").expect("the row");
    assert_eq!(text[received + 1], "3");
    // A4 (210 × 297 mm) with margins 20/20/30/15 mm, in twentieths of a point.
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "A4");
    for margin in [r#"w:top="1134""#, r#"w:bottom="1134""#, r#"w:left="1701""#, r#"w:right="850""#] {
        assert!(xml.contains(margin), "margin {margin}");
    }
    // Page numbers in the header from the second page: a distinct, empty first-page header.
    assert!(xml.contains("<w:titlePg"), "a different first page");
    let headers: Vec<String> = (1..=3)
        .filter_map(|i| {
            let name = format!("word/header{i}.xml");
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&docx.bytes[..])).ok()?;
            archive.by_name(&name).ok()?;
            Some(docx_part(&docx.bytes, &name))
        })
        .collect();
    assert!(headers.iter().any(|h| h.contains("PAGE")), "a PAGE field in a header");
    // Times New Roman, 14 pt body (28 half-points).
    let styles = docx_part(&docx.bytes, "word/styles.xml");
    assert!(styles.contains(r#"w:ascii="Times New Roman""#) && styles.contains(r#"<w:sz w:val="28""#), "{styles}");
    assert!(!xml.contains(PARTY_NAME) && !xml.contains(PETITIONER_PHONE), "no personal details");

    // The printable page: the same parts, the decree's page box, no number on the first page.
    let page = s.get(&format!("/dashboard/report/official?{asked}")).await;
    assert_eq!(page.status, 200);
    for part in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 12/BC-UBND", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN"]
    {
        assert!(page.body.contains(part), "{part}");
    }
    assert!(page.body.contains("margin: 20mm 15mm 20mm 30mm") && page.body.contains("@page :first"));
    assert!(page.body.contains("font-size: 14pt"));
    // Left blank, the number is the clerk's to write; a bad date is refused with what to write.
    let blank = s.get("/dashboard/report/official?unit=02266&period=2026-Q3").await;
    assert!(blank.body.contains("Số:        /BC-UBND"));
    let bad = s.get("/dashboard/report.docx?unit=02266&period=2026-Q3&date=31/02/2026").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("DD/MM/YYYY"));
    let bad = s.get("/dashboard/report.docx?unit=02266&period=2026-Q3&number=-4").await;
    assert_eq!(bad.status, 400);
    // A village issues no official report.
    let refused = s.get(&format!("/dashboard/report/official?unit={}&period=2026-Q3", q.village)).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_xlsx_in_english_on_request() {
    the_xlsx_in_english_on_request_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_xlsx_in_english_on_request_on_postgres() {
    the_xlsx_in_english_on_request_on(Backend::Postgres).await;
}

async fn the_xlsx_in_english_on_request_on(backend: Backend) {
    let q = quarter_on(backend).await;
    let mut s = Session::new(&q.server.url);
    assert_eq!(s.sign_in(OFFICIAL, PASSWORD).await.status, 303);
    s.get("/dashboard/lang/en").await;
    let xlsx = s.get("/dashboard/report.xlsx?unit=02266&period=2026-Q3").await;
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).expect("an XLSX file");
    let names = book.sheet_names();
    let by_unit = book.worksheet_range(&names[1]).expect("the roll-up sheet");
    let header: Vec<String> = by_unit.rows().next().expect("a header").iter().map(|d| d.to_string()).collect();
    let codes: Vec<String> = by_unit.rows().nth(1).expect("codes").iter().map(|d| d.to_string()).collect();
    let col = codes.iter().position(|c| c == "mediation.received").expect("a column");
    assert_eq!(header[col], "Mediation cases received");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_unit_is_chosen_by_name_without_diacritics() {
    a_report_unit_is_chosen_by_name_without_diacritics_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_unit_is_chosen_by_name_without_diacritics_on_postgres() {
    a_report_unit_is_chosen_by_name_without_diacritics_on(Backend::Postgres).await;
}

async fn a_report_unit_is_chosen_by_name_without_diacritics_on(backend: Backend) {
    let q = quarter_on(backend).await;
    let mut official = Session::new(&q.server.url);
    official.sign_in(OFFICIAL, PASSWORD).await;
    // One unit within reach matches: its report, as by its code.
    let by_name = official.get("/dashboard/report?unit=lam+binh&period=2026-Q3").await;
    assert_eq!(by_name.status, 200);
    assert_eq!(figures(&by_name.body), figures(&official.get(Q3).await.body), "the same report as 02266's");
    // A village by its name, typed without diacritics.
    let village = official.get("/dashboard/report?unit=na+me&period=2026-Q3").await;
    assert_eq!(village.status, 200);
    assert!(village.body.contains("Thôn Nà Mè"), "the village's report");
    // A name that matches nothing within reach: not found, as an unknown code.
    assert_eq!(official.get("/dashboard/report?unit=thuong+lam&period=2026-Q3").await.status, 404);
    // A province reviewer's "lâm" matches several communes: a page to choose from.
    let mut reviewer = Session::new(&q.server.url);
    reviewer.sign_in(REVIEWER, PASSWORD).await;
    let choose = reviewer.get("/dashboard/report?unit=LAM&period=2026-Q3").await;
    assert_eq!(choose.status, 200);
    assert!(choose.body.contains("id=\"unit-choices\""), "{}", choose.body);
    for name in ["Xã Lâm Bình (02266)", "Xã Thượng Lâm (02269)"] {
        assert!(choose.body.contains(name), "{name}");
    }
    assert!(
        choose.body.contains("/dashboard/report?unit=02266&#38;period=2026-Q3&#38;convention=calendar"),
        "links keep the period: {}",
        choose.body
    );
    // A download cannot choose: it says so.
    assert_eq!(reviewer.get("/dashboard/report.xlsx?unit=lam&period=2026-Q3").await.status, 400);
}

/// Several instances on one PostgreSQL database: a browser signed in through one is served by
/// any other (sessions live in the database, not in an instance), and signing out through one
/// ends the session everywhere.
#[tokio::test(flavor = "multi_thread")]
async fn a_session_started_on_one_instance_is_served_by_another_on_postgres() {
    let q = quarter_on(Backend::Postgres).await;
    let url = q.server.database.clone().expect("a server on PostgreSQL");
    let other = sotay_e2e::TestServer::on_postgres(&url, &[]);
    let mut on_a = Session::new(&q.server.url);
    assert_eq!(on_a.sign_in(OFFICIAL, PASSWORD).await.status, 303);
    let mut on_b = Session::new(&other.url);
    on_b.cookies = on_a.cookies.clone();
    let records = on_b.get("/dashboard/records").await;
    assert_eq!(records.status, 200, "the other instance knows the session");
    assert!(records.body.contains("Tranh chấp ranh giới đất vườn"), "and shows the records");
    let report = figures(&on_b.get(Q3).await.body);
    assert_eq!(report.get("mediation.received").map(String::as_str), Some("3"));
    // Issued through B, seen as issued through A.
    let page = on_b.get(Q3).await;
    let issue = "/dashboard/report/issue?unit=02266&period=2026-Q3&convention=calendar";
    assert_eq!(on_b.post(issue, &[("csrf", &hidden_csrf(&page.body))]).await.status, 303);
    assert!(on_a.get(Q3).await.body.contains("Đã chốt lúc"));
    // Signed out through B: A refuses the cookie too.
    assert_eq!(on_b.post("/dashboard/sign-out", &[("csrf", &hidden_csrf(&records.body))]).await.status, 303);
    assert_eq!(on_a.get("/dashboard/records").await.status, 303);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_records_workspace_searches_filters_sorts_and_pages() {
    the_records_workspace_searches_filters_sorts_and_pages_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_records_workspace_searches_filters_sorts_and_pages_on_postgres() {
    the_records_workspace_searches_filters_sorts_and_pages_on(Backend::Postgres).await;
}

/// The records listed on a page, by their links.
fn listed(body: &str) -> usize {
    body.matches("<a href=\"/dashboard/records/").count()
}

/// The records workspace (issue 14): a search without diacritics over titles and contents,
/// filters by kind, unit or village by name, dates, author and conflicts, sorting, and pages
/// with the total said (no silent cap).
async fn the_records_workspace_searches_filters_sorts_and_pages_on(backend: Backend) {
    let mut q = quarter_on(backend).await;
    let mut s = Session::new(&q.server.url);
    assert_eq!(s.sign_in(OFFICIAL, PASSWORD).await.status, 303);
    let all = s.get("/dashboard/records").await;
    assert_eq!(listed(&all.body), 8);
    assert!(all.body.contains("1–8 / 8"), "the count is said");
    assert!(all.body.contains("class=\"scroll\""), "the table scrolls at phone width");
    // By hand: three titles start "Tranh chấp"; "bồi thường" is in the complaint's title and in
    // one of the dialogue's issues.
    assert_eq!(listed(&s.get("/dashboard/records?q=tranh+chap").await.body), 3);
    assert_eq!(listed(&s.get("/dashboard/records?q=BOI+THUONG").await.body), 2);
    assert_eq!(listed(&s.get("/dashboard/records?kind=mediation").await.body), 4);
    // A village by its name, without diacritics: m1 and the meeting are filed there.
    let village = s.get("/dashboard/records?unit=na+me").await;
    assert_eq!(listed(&village.body), 2, "{}", village.body);
    // Events in August and September: m2 (15/8), m3 (30/9) and the meeting (10/8).
    assert_eq!(listed(&s.get("/dashboard/records?from=01/08/2026&to=2026-09-30").await.body), 3);
    assert_eq!(listed(&s.get(&format!("/dashboard/records?author={OFFICIAL}")).await.body), 8);
    assert_eq!(listed(&s.get("/dashboard/records?author=ai.khac").await.body), 0);
    assert_eq!(listed(&s.get("/dashboard/records?conflicts=1").await.body), 0);
    let by_title = s.get("/dashboard/records?sort=title").await;
    let first = by_title.body.find("Đối thoại về giải phóng mặt bằng").expect("the dialogue");
    let second = by_title.body.find("Hội nghị thôn bàn làm đường").expect("the meeting");
    assert!(first < second, "Đ sorts as D, before H");
    // By unit: the village's records under its heading, the commune's under its own.
    let grouped = s.get("/dashboard/records?sort=unit").await;
    assert_eq!(grouped.body.matches("<tr class=\"group\">").count(), 2, "two groups");
    let village_at = grouped.body.find("<th colspan=\"6\">Thôn Nà Mè</th>").expect("the village's heading");
    let commune_at = grouped.body.find("<th colspan=\"6\">Xã Lâm Bình</th>").expect("the commune's heading");
    let m1_at = grouped.body.find(&q.ids["m1"]).expect("m1");
    // Groups by name: "Thôn Nà Mè" before "Xã Lâm Bình".
    assert!(village_at < m1_at && m1_at < commune_at, "m1 under its village");
    assert_eq!(s.get("/dashboard/records?from=31/02/2026").await.status, 400);
    // Exports: every matching record (not a page), codes beside labels, nothing personal.
    let csv = s.get("/dashboard/export/records.csv?q=tranh+chap").await;
    assert_eq!(csv.status, 200);
    assert!(csv.bytes.starts_with(&[0xEF, 0xBB, 0xBF]) && csv.content_type.starts_with("text/csv"));
    assert_eq!(csv.body.lines().count(), 1 + 3, "a header and the three cases: {}", csv.body);
    assert!(csv.body.contains(&q.ids["m1"]) && csv.body.contains(",mediation,") && csv.body.contains(",2026-07-03,"));
    let xlsx = s.get("/dashboard/export/records.xlsx?kind=mediation&sort=oldest").await;
    assert!(xlsx.content_type.contains("spreadsheetml"));
    {
        use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).expect("an XLSX file");
        let sheet = book.worksheet_range("Ho so").expect("the records sheet");
        assert_eq!(sheet.rows().count(), 1 + 4, "a header and the four cases");
        // Oldest first: m4 (20/6/2026, Excel's day 46193).
        assert_eq!(sheet.get_value((1, 0)), Some(&Data::String(q.ids["m4"].clone())));
        assert!(matches!(sheet.get_value((1, 3)), Some(Data::DateTime(d)) if d.as_f64() == 46193.0));
    }
    let mut reviewer = Session::new(&q.server.url);
    reviewer.sign_in(REVIEWER, PASSWORD).await;
    let theirs = reviewer.get(&format!("/dashboard/export/records.csv?unit={COMMUNE}")).await;
    assert_eq!(theirs.status, 200);
    assert!(
        !theirs.body.contains(",mediation,") && !theirs.body.contains(",petition,"),
        "no personal kinds: {}",
        theirs.body
    );
    for export in [&csv, &theirs] {
        assert!(!export.body.contains(PARTY_NAME) && !export.body.contains(PETITIONER_PHONE));
    }
    assert_eq!(s.get("/dashboard/export/records.pdf").await.status, 404);
    assert_eq!(s.get("/dashboard/records?sort=random").await.status, 400);
    // More records than a page: every one reachable, none silently dropped.
    let mut sampler = sotay_core::sample::Sampler::new(21);
    for _ in 0..55 {
        q.device.create(COMMUNE, sampler.body(sotay_core::record::RecordKind::Dialogue));
    }
    q.device.sync().await.expect("sync");
    let first_page = s.get("/dashboard/records").await;
    assert_eq!(listed(&first_page.body), 50);
    assert!(first_page.body.contains("1–50 / 63"), "the total said");
    let second_page = s.get("/dashboard/records?unit=02266&sort=attention&page=2").await;
    assert_eq!(listed(&second_page.body), 13);
    assert!(second_page.body.contains("51–63 / 63"));
    assert!(first_page.body.contains("page=2"), "a link to the next page");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conflict_is_resolved_on_the_web() {
    a_conflict_is_resolved_on_the_web_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conflict_is_resolved_on_the_web_on_postgres() {
    a_conflict_is_resolved_on_the_web_on(Backend::Postgres).await;
}

/// Two phones change one case's outcome while offline; the dashboard shows both values with who
/// wrote them, and an official picks one: the choice is stored as a change of theirs (from their
/// dashboard device), reaches both phones by sync, and the conflict is gone everywhere. A
/// reviewer sees no form; a forged post changes nothing.
async fn a_conflict_is_resolved_on_the_web_on(backend: Backend) {
    use sotay_core::record::input::Assignment;
    let mut q = quarter_on(backend).await;
    q.server.add_user("can.bo.b", "commune-official", COMMUNE);
    let mut other = sotay_e2e::Device::new("can.bo.b");
    other.enroll(&q.server.url, &q.server.code("can.bo.b")).await;
    other.sync().await.expect("the second phone's first sync");
    let id = q.ids["m2"].clone();
    let set = |s: &str| -> Vec<Assignment> { vec![s.parse().expect("assignment")] };
    q.device.store.edit_record(&id, &set("outcome=in_progress")).expect("edit on the first phone");
    other.store.edit_record(&id, &set("outcome=withdrawn")).expect("edit on the second phone");
    q.device.sync().await.expect("sync");
    other.sync().await.expect("sync");
    q.device.sync().await.expect("sync");
    assert!(!q.device.store.conflicts().expect("conflicts").is_empty(), "a conflict on the phones");

    let mut s = Session::new(&q.server.url);
    s.sign_in(OFFICIAL, PASSWORD).await;
    let path = format!("/dashboard/records/{id}");
    let page = s.get(&path).await;
    assert!(page.body.contains("data-path=\"outcome\""), "the conflict shown");
    assert!(page.body.contains("can.bo.a") && page.body.contains("can.bo.b"), "with who wrote each value");
    assert!(page.body.contains("/resolve"), "and a form to pick one");
    let mut reviewer = Session::new(&q.server.url);
    reviewer.sign_in(REVIEWER, PASSWORD).await;
    assert_eq!(reviewer.get(&path).await.status, 404, "a reviewer does not open a mediation case");
    let theirs = hidden_csrf(&reviewer.get("/dashboard/records").await.body);
    let by_reviewer =
        reviewer.post(&format!("{path}/resolve"), &[("csrf", &theirs), ("path", "outcome"), ("pick", "0")]).await;
    assert_eq!(by_reviewer.status, 404, "nor resolves one");
    let csrf = hidden_csrf(&page.body);
    let resolve = format!("{path}/resolve");
    assert_eq!(s.post(&resolve, &[("csrf", "forged"), ("path", "outcome"), ("pick", "0")]).await.status, 403);
    assert_eq!(s.post(&resolve, &[("csrf", &csrf), ("path", "title"), ("pick", "0")]).await.status, 400);
    assert_eq!(s.post(&resolve, &[("csrf", &csrf), ("path", "outcome"), ("pick", "9")]).await.status, 400);
    // The official keeps the second phone's "withdrawn", wherever the page lists it.
    let at = page.body.find("data-path=\"outcome\"").expect("the conflict");
    let block = page.body[at..].split("</div>").next().unwrap_or_default().to_string();
    let (withdrawn, in_progress) = (block.find("Các bên rút yêu cầu"), block.find("Đang hòa giải"));
    assert!(withdrawn.is_some() && in_progress.is_some(), "both values listed: {block}");
    let (pick, expected) = if withdrawn < in_progress { ("0", "withdrawn") } else { ("1", "withdrawn") };
    let done = s.post(&resolve, &[("csrf", &csrf), ("path", "outcome"), ("pick", pick)]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let after = s.get(&path).await;
    assert!(!after.body.contains("data-path=\"outcome\""), "resolved on the server");
    // Both phones receive the choice, with the official as its author, and the conflict is gone.
    for phone in [&mut q.device, &mut other] {
        phone.sync().await.expect("sync");
        assert!(phone.store.conflicts().expect("conflicts").is_empty(), "no conflict left on the phone");
        let view = phone.store.record(&id).expect("m2");
        assert_eq!(view.body.to_value()["outcome"], expected, "the value picked");
    }
    let history = q.device.store.history(&id).expect("history");
    assert!(history.iter().any(|e| e.author.user == OFFICIAL && e.fields.iter().any(|f| f.path == "outcome")));
    let log = q.server.admin(&["audit"]);
    assert!(log.to_string().contains("conflict_resolved"), "{log}");
}
