//! The dashboard in a real browser: Debian's Chromium, driven by playwright-core
//! (`tests/browser/dashboard.mjs`), signs in, reads a report's figures off the page, downloads
//! its XLSX, and saves screenshots and an A4 PDF of the report page. Needs Node.js, npm and
//! /usr/bin/chromium (scripts/test installs them); fails, never skips, without them. On both
//! backends.

use std::path::{Path, PathBuf};
use std::process::Command;

use sotay_e2e::Backend;
use sotay_e2e::dashboard::{OFFICIAL, PASSWORD, Q3_FIGURES, quarter_on};

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// `npm ci` once: playwright-core, pinned by the lock file (it downloads no browser).
fn ensure_driver() {
    let dir = browser_dir();
    if dir.join("node_modules/playwright-core/package.json").exists() {
        return;
    }
    let ok =
        Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir).status().map(|s| s.success());
    assert_eq!(ok.ok(), Some(true), "npm ci in {}", dir.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_commune_official_reads_the_quarterly_report_in_chromium() {
    read_in_chromium(Backend::Sqlite).await;
}

/// The same pages served from PostgreSQL; their screenshots go to `postgres/` beside the others.
#[tokio::test(flavor = "multi_thread")]
async fn a_commune_official_reads_the_quarterly_report_in_chromium_on_postgres() {
    read_in_chromium(Backend::Postgres).await;
}

async fn read_in_chromium(backend: Backend) {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(Path::new(&chromium).exists(), "{chromium} is missing: install Debian's chromium (scripts/test does)");
    ensure_driver();
    let q = quarter_on(backend).await;
    let out = std::env::var("SOTAY_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser-screenshots"));
    let out = if backend == Backend::Postgres { out.join("postgres") } else { out };
    std::fs::create_dir_all(&out).expect("a directory for screenshots");
    let url = q.server.url.clone();
    let out_for_node = out.clone();
    let result = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("dashboard.mjs")
            .current_dir(browser_dir())
            .env("SOTAY_URL", url)
            .env("SOTAY_LOGIN", OFFICIAL)
            .env("SOTAY_PASSWORD", PASSWORD)
            .env("SOTAY_REPORT", "/dashboard/report?unit=02266&period=2026-Q3&convention=calendar")
            .env("SOTAY_OUT", out_for_node)
            .env("CHROMIUM", chromium)
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    assert!(result.status.success(), "the browser script failed:\n{}", String::from_utf8_lossy(&result.stderr));
    let seen: serde_json::Value = serde_json::from_slice(&result.stdout).expect("the script's JSON");

    assert_eq!(seen["signInHeading"], "Đăng nhập");
    assert!(seen["refusal"].as_str().unwrap_or_default().contains("Sai tên đăng nhập hoặc mật khẩu"), "{seen}");
    // Eight records; the dialogue (an issue and the publication past due) and the complaint are overdue.
    assert_eq!(seen["recordRows"], 8, "{seen}");
    assert_eq!(seen["overdueRows"], 2, "{seen}");
    for (code, expected) in Q3_FIGURES {
        assert_eq!(seen["figures"][code].as_str(), Some(*expected), "{code} on the page");
    }
    assert!(seen["heading"].as_str().unwrap_or_default().contains("Quý III năm 2026"), "{seen}");
    assert!(seen["charts"].as_u64().unwrap_or(0) > 20, "bars drawn: {seen}");
    assert_eq!(seen["rollUp"], 1, "one village in the roll-up");
    assert_eq!(seen["englishHeading"], "REPORT ON MASS MOBILISATION WORK");
    assert_eq!(seen["chartsOnPaper"], 0, "charts left off paper");
    // The official form: issuing body beside the national title, the decree's type and size.
    let o = &seen["official"];
    let text = |k: &str| o[k].as_str().unwrap_or_default().to_string();
    assert!(text("issuer").starts_with("ỦY BAN NHÂN DÂN\nXÃ LÂM BÌNH"), "{o}");
    assert!(text("national").contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"), "{o}");
    assert_eq!(o["sideBySide"], true, "issuer left, national title right: {o}");
    assert_eq!((text("number"), text("signer")), ("Số: 12/BC-UBND".into(), "Hoàng Văn Sơn".into()));
    assert!(text("recipients").starts_with("Nơi nhận:") && text("recipients").ends_with("- Lưu: VT."), "{o}");
    assert!(text("bodyFont").starts_with("\"Times New Roman\""), "{o}");
    assert_eq!(text("bodySize"), "18.6667px", "14 pt: {o}");
    assert_eq!(o["toolbarOnPaper"], 0);
    let pdf = std::fs::read(out.join("official-a4.pdf")).expect("the official form's PDF");
    let pdf = String::from_utf8_lossy(&pdf);
    // 210 × 297 mm is 595.3 × 841.9 pt; Chromium rounds the page box to whole CSS pixels.
    assert!(pdf.contains("/MediaBox [0 0 594.9"), "A4 from the page's own @page rule");
    assert!(pdf.matches("/Type /Page\n").count() >= 2, "more than one page, numbered from the second");

    // The XLSX the browser downloaded.
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(seen["xlsx"].as_str().expect("a path")).expect("the downloaded XLSX");
    let sheet = book.worksheet_range("Bao cao").expect("the report sheet");
    let value = |code: &str| {
        sheet.rows().find(|row| row.first() == Some(&Data::String(code.into()))).and_then(|row| row.get(3).cloned())
    };
    assert_eq!(value("mediation.received"), Some(Data::Float(3.0)));
    let rate = match value("mediation.success_rate") {
        Some(Data::Float(f)) => f,
        other => panic!("a rate: {other:?}"),
    };
    assert!((rate - 0.333).abs() < 1e-9, "a fraction shown as 33.3%: {rate}");
    assert_eq!(value("dialogue.issues_overdue"), Some(Data::Float(1.0)));
    let title = sheet.get_value((0, 0)).cloned();
    assert_eq!(title, Some(Data::String("Xã Lâm Bình — Quý III năm 2026 / Quarter 3 of 2026".into())));
    let by_unit = book.worksheet_range("Theo don vi").expect("the roll-up sheet");
    assert_eq!(by_unit.get_value((2, 0)).cloned(), Some(Data::String("Thôn Nà Mè".into())));

    // Screenshots and the A4 PDF.
    for name in ["report-page.png", "report-print.png", "records-page.png"] {
        let bytes = std::fs::read(out.join(name)).expect(name);
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000, "{name}");
    }
    let pdf = std::fs::read(out.join("report-a4.pdf")).expect("the PDF");
    assert!(pdf.starts_with(b"%PDF"));
    // A4 is 595 × 842 points.
    assert!(String::from_utf8_lossy(&pdf).contains("/MediaBox [0 0 595"), "A4 pages");
}

/// The `sotay` CLI this package builds, beside the test executables.
fn cli() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    exe.parent().and_then(Path::parent).expect("target/<profile>").join("e2e-sotay")
}

/// Runs `tests/browser/admin.mjs` at `step`; returns what it read.
async fn admin_step(step: &'static str, url: &str, out: &Path) -> serde_json::Value {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let (url, out) = (url.to_string(), out.to_path_buf());
    let result = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("admin.mjs")
            .current_dir(browser_dir())
            .env("SOTAY_STEP", step)
            .env("SOTAY_URL", url)
            .env("SOTAY_LOGIN", "quan.tri.tinh")
            .env("SOTAY_PASSWORD", PASSWORD)
            .env("SOTAY_NEW_LOGIN", "hoang.van.son")
            .env("SOTAY_NEW_NAME", "Hoàng Văn Sơn")
            .env("SOTAY_UNIT", sotay_e2e::COMMUNE)
            .env("SOTAY_OUT", out)
            .env("CHROMIUM", chromium)
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    assert!(result.status.success(), "admin.mjs {step} failed:\n{}", String::from_utf8_lossy(&result.stderr));
    serde_json::from_slice(&result.stdout).expect("the script's JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_enrolls_and_revokes_a_device_in_chromium() {
    admin_walk(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_enrolls_and_revokes_a_device_in_chromium_on_postgres() {
    admin_walk(Backend::Postgres).await;
}

/// Issue 14's walk: an administrator creates a user, issues a code and prints its card; a CLI
/// device enrolls with that code and syncs; the administrator sees it listed with its last sync
/// and revokes it; the device is then refused.
async fn admin_walk(backend: Backend) {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(Path::new(&chromium).exists(), "{chromium} is missing: install Debian's chromium (scripts/test does)");
    ensure_driver();
    let server = sotay_e2e::TestServer::start_on_with(backend, &["--public-url", "https://sotay.tuyenquang.example"]);
    server.add_user("quan.tri.tinh", "administrator", sotay_e2e::PROVINCE);
    server.set_password("quan.tri.tinh", PASSWORD);
    let out = std::env::var("SOTAY_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser-screenshots"));
    let out = if backend == Backend::Postgres { out.join("postgres") } else { out };
    std::fs::create_dir_all(&out).expect("a directory for screenshots");

    let issued = admin_step("issue", &server.url, &out).await;
    assert_eq!(issued["listed"], 1, "the new user is listed: {issued}");
    assert_eq!(issued["qr"], 1, "the card has its QR code: {issued}");
    assert_eq!(issued["headerOnPaper"], 0, "the card prints alone");
    let code = issued["code"].as_str().expect("a code").to_string();
    let pdf = std::fs::read(out.join("enrollment-card.pdf")).expect("the card's PDF");
    assert!(pdf.starts_with(b"%PDF"));
    // A5 is 148 × 210 mm: 419.5 × 595.3 pt; Chromium rounds the page box to whole CSS pixels.
    let text = String::from_utf8_lossy(&pdf);
    let media = text.split("/MediaBox [0 0 ").nth(1).and_then(|rest| rest.split(']').next()).unwrap_or_default();
    let size: Vec<f64> = media.split_whitespace().filter_map(|n| n.parse().ok()).collect();
    assert!(
        matches!(size.as_slice(), [w, h] if (w - 419.5).abs() < 1.5 && (h - 595.3).abs() < 1.5),
        "an A5 card: {media}"
    );

    // A CLI device enrolls with the printed code and syncs.
    let dir = tempfile::tempdir().expect("a folder for the device");
    let sotay = |args: &[&str]| {
        Command::new(cli()).current_dir(dir.path()).args(["--store", "son.db"]).args(args).output().expect("sotay")
    };
    let enrolled = sotay(&["enroll", "--server", &server.url, "--code", &code, "--device-name", "Máy tính bảng xã"]);
    assert!(enrolled.status.success(), "{}", String::from_utf8_lossy(&enrolled.stderr));
    assert!(sotay(&["sync"]).status.success());

    let revoked = admin_step("revoke", &server.url, &out).await;
    assert!(
        revoked["lastSync"].as_str().unwrap_or_default().contains("(UTC+7)"),
        "listed with its last sync: {revoked}"
    );
    assert_eq!(revoked["revoked"], true, "{revoked}");
    let refused = sotay(&["sync"]);
    assert_eq!(
        refused.status.code(),
        Some(6),
        "the revoked device is refused: {}",
        String::from_utf8_lossy(&refused.stderr)
    );
    for name in ["admin-users.png", "enrollment-card.png", "admin-devices.png", "admin-devices-revoked.png"] {
        let bytes = std::fs::read(out.join(name)).expect(name);
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 5_000, "{name}");
    }
}
