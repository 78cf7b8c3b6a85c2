//! The `sotay` command line, end to end: every subcommand from a fresh store, bad input that
//! changes nothing, and the key.

mod common;

use common::{COMMUNE, Field};
use serde_json::{Value, json};
use sotay_core::record::RecordKind;
use sotay_core::sample::Sampler;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn every_kind_is_created_from_json_shown_listed_and_searched() {
    let f = Field::new();
    f.init();
    let mut sampler = Sampler::new(3);
    let mut ids = Vec::new();
    for kind in RecordKind::ALL {
        let body = sampler.body(*kind).to_value();
        let file = f.write(&format!("{}.json", kind.code()), &body.to_string());
        let view = f.json(&["new", kind.code(), "--from", file.to_str().unwrap()]);
        assert_eq!(view["kind"], json!(kind.code()));
        assert_eq!(view["body"]["title"], body["title"]);
        ids.push(view["id"].as_str().unwrap().to_string());
    }
    let list = f.json(&["list", "--limit", "100"]);
    assert_eq!(list.as_array().unwrap().len(), RecordKind::ALL.len());
    for kind in RecordKind::ALL {
        let only = f.json(&["list", "--kind", kind.code()]);
        assert_eq!(only.as_array().unwrap().len(), 1, "{}", kind.code());
    }
    // Text output is labelled in Vietnamese by default and in English on request.
    let shown = f.ok(&["show", &ids[0]]);
    assert!(shown.starts_with("Đối thoại trực tiếp"), "{shown}");
    assert!(shown.contains("Tiêu đề:"), "{shown}");
    let shown_en = f.ok(&["--lang", "en", "show", &ids[0]]);
    assert!(shown_en.starts_with("Direct dialogue"), "{shown_en}");
    assert!(shown_en.contains("Title:"), "{shown_en}");
    let listed = f.ok(&["list"]);
    assert!(listed.contains("Hòa giải ở cơ sở"), "{listed}");
}

#[test]
fn a_dialogue_is_recorded_edited_searched_and_its_history_read() {
    let f = Field::new();
    f.init();
    let view = f.json(&[
        "new",
        "dialogue",
        "--set",
        "title=Đối thoại về Đất đai và giải phóng mặt bằng",
        "--set",
        "held_on=03/10/2026",
        "--set",
        "notice_on=2026-09-30",
        "--set",
        "attendance.total=120",
        "--set",
        "issues.0.topic=Cấp giấy chứng nhận quyền sử dụng đất",
    ]);
    let id = view["id"].as_str().unwrap().to_string();
    assert_eq!(view["body"]["held_on"], json!("2026-10-03"));
    // Notice three days before the dialogue is flagged (the law asks for seven).
    assert!(view["flags"].as_array().unwrap().iter().any(|fl| fl["code"] == json!("short_notice")));
    for query in ["dat dai", "ĐẤT ĐAI", "giai phong mat bang", "quyen su dung"] {
        let found = f.json(&["search", query]);
        assert_eq!(found[0]["id"], json!(id), "{query}");
    }
    assert!(f.json(&["search", "hoa giai"]).as_array().unwrap().is_empty());
    f.ok(&["edit", &id, "--set", "status=held", "--set", "issues.0.status=resolved"]);
    let history = f.json(&["history", &id]);
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["author"]["user"], json!("nguyen.van.a"));
    let paths: Vec<&str> = last["fields"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["issues.0.status", "status"]);
    let text = f.ok(&["history", &id]);
    assert!(text.contains("Chưa giải quyết → Đã giải quyết xong"), "{text}");
    f.ok(&["delete", &id, "--reason", "Nhập trùng"]);
    assert!(f.json(&["list"]).as_array().unwrap().is_empty());
    assert_eq!(f.json(&["list", "--deleted"])[0]["deleted"], json!(true));
}

#[test]
fn bad_input_exits_non_zero_names_the_field_and_changes_nothing() {
    let f = Field::new();
    f.init();
    let view = f.json(&[
        "new",
        "mediation",
        "--set",
        "title=Tranh chấp lối đi",
        "--set",
        "received_on=2026-09-01",
        "--set",
        "parties.0.name=Giàng A Sử",
    ]);
    let id = view["id"].as_str().unwrap().to_string();
    let before = (f.ok(&["list", "--json", "--deleted"]), f.ok(&["show", &id, "--json"]));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["edit", &id, "--set", "colour=red"], "colour"),
        (vec!["edit", &id, "--set", "received_on=31/02/2026"], "received_on"),
        (vec!["edit", &id, "--set", "received_on=hôm qua"], "received_on"),
        (vec!["edit", &id, "--set", "parties.0.vulnerability.child=có lẽ"], "parties.0.vulnerability.child"),
        (vec!["edit", &id, "--set", "category=đất"], "category"),
        (vec!["edit", &id, "--set", "parties.5.name=x"], "parties.5"),
        (vec!["new", "mediation", "--unit", "99999", "--set", "title=x", "--set", "received_on=2026-09-01"], "unit"),
        (vec!["new", "mediation", "--set", "title=x"], "received_on"),
        (
            vec![
                "new",
                "village-meeting",
                "--set",
                "title=Họp",
                "--set",
                "held_on=2026-09-01",
                "--set",
                "total_households=10",
                "--set",
                "households_represented=20",
            ],
            "households_represented",
        ),
    ];
    for (args, field) in cases {
        let mut all = args.clone();
        all.push("--json");
        let out = f.run(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err: Value = serde_json::from_str(&stderr(&out)).unwrap();
        assert_eq!(err["error"]["code"], json!("invalid_input"), "{args:?}");
        assert!(
            err["error"]["fields"].as_array().unwrap().iter().any(|e| e["path"] == json!(field)),
            "{args:?}: {err}"
        );
        assert!(!stderr(&out).contains("Giàng"), "personal data in an error: {}", stderr(&out));
        // The text form names the field in both languages.
        let text = stderr(&f.run(&args));
        assert!(text.contains(field) && text.contains("trường") && text.contains("field"), "{text}");
    }
    let out = f.run(&["new", "meeting"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("village-meeting"), "{}", stderr(&out));
    let out = f.run(&["show", "not-an-id"]);
    assert_eq!(out.status.code(), Some(2));
    let out = f.run(&["show", "01a21424-b11a-7417-8a6c-f519b713bee3"]);
    assert_eq!(out.status.code(), Some(3));
    let bad_json = f.write("bad.json", "{\"title\": \"x\", ");
    assert_eq!(f.run(&["new", "petition", "--from", bad_json.to_str().unwrap()]).status.code(), Some(2));
    let after = (f.ok(&["list", "--json", "--deleted"]), f.ok(&["show", &id, "--json"]));
    assert_eq!(before, after);
}

#[test]
fn the_key_must_be_right_and_present() {
    let f = Field::new();
    f.init();
    f.ok(&[
        "new",
        "model",
        "--set",
        "title=Mô hình nuôi ong",
        "--set",
        "owner=Hà Thị Ngân",
        "--set",
        "started_on=2026-01-05",
    ]);
    let wrong = f.cmd().env("SOTAY_KEY", "0".repeat(64)).args(["list"]).output().unwrap();
    assert_eq!(wrong.status.code(), Some(4));
    assert!(stderr(&wrong).contains("wrong or missing encryption key"), "{}", stderr(&wrong));
    assert!(!stderr(&wrong).contains("hmac"), "no SQLCipher noise: {}", stderr(&wrong));
    let none = f.cmd().env_remove("SOTAY_KEY").args(["list"]).output().unwrap();
    assert_eq!(none.status.code(), Some(4));
    assert!(stderr(&none).contains("missing encryption key"), "{}", stderr(&none));
    // Without SOTAY_KEY, init writes a fresh key beside the store, readable only by its owner.
    let g = Field::new();
    let out = g
        .cmd()
        .env_remove("SOTAY_KEY")
        .args(["init", "--user", "u", "--name", "U", "--unit", COMMUNE])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let key_file = g.dir.path().join("sotay.db.key");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap().trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(g.cmd().env_remove("SOTAY_KEY").args(["list"]).output().unwrap().status.success());
    // A second init refuses to overwrite.
    assert_eq!(g.run(&["init", "--user", "u", "--name", "U", "--unit", COMMUNE]).status.code(), Some(4));
}

#[test]
fn villages_units_conflicts_and_resolution() {
    let f = Field::new();
    f.init();
    let units = f.json(&["unit", "search", "lam binh"]);
    assert!(units.as_array().unwrap().iter().any(|u| u["code"] == json!("02266")));
    assert!(f.ok(&["unit", "show", COMMUNE]).contains("Tỉnh Tuyên Quang"));
    // A commune of before 2025-07-01 says what it became part of.
    let former = f.ok(&["unit", "show", "02233"]);
    assert!(former.contains("Xã Phúc Yên") && former.contains("02266  Xã Lâm Bình"), "{former}");
    let village =
        f.json(&["village", "add", "--commune", COMMUNE, "--name", "Thôn Nà Mè", "--households", "120"])["id"]
            .as_str()
            .unwrap()
            .to_string();
    f.ok(&["village", "update", &village, "--name", "Thôn Nà Mè Trên"]);
    let villages = f.json(&["village", "list", "--commune", COMMUNE]);
    assert_eq!(villages[0]["name"], json!("Thôn Nà Mè Trên"));
    assert_eq!(villages[0]["households"], json!(120));
    let meeting = f.json(&[
        "new",
        "village-meeting",
        "--unit",
        &village,
        "--set",
        "title=Họp bàn làm đường bê tông",
        "--set",
        "held_on=2026-09-12",
        "--set",
        "total_households=120",
        "--set",
        "households_represented=80",
        "--set",
        "agenda.0.title=Mức đóng góp làm đường",
        "--set",
        "agenda.0.votes_for=70",
    ]);
    let id = meeting["id"].as_str().unwrap().to_string();
    assert_eq!(meeting["commune"], json!(COMMUNE));
    assert_eq!(f.json(&["list", "--unit", &village])[0]["id"], json!(id));
    // Held: the item's result in words, with its figures (70 of 120 households: binding).
    f.ok(&["edit", &id, "--set", "status=held"]);
    let shown = f.ok(&["show", &id]);
    assert!(
        shown.contains("Thông qua, có giá trị với cả thôn (70/120 hộ của thôn tán thành; 70/80 hộ dự họp)"),
        "{shown}"
    );
    // A second device (same user's key for the test) edits the vote count concurrently.
    let other = Field::new();
    other.init();
    merge(&f, &other, &id);
    f.ok(&["edit", &id, "--set", "agenda.0.votes_for=72"]);
    other.ok(&["edit", &id, "--set", "agenda.0.votes_for=68"]);
    merge(&other, &f, &id);
    let conflicts = f.json(&["conflicts"]);
    assert_eq!(conflicts[0]["conflicts"][0]["path"], json!("agenda.0.votes_for"));
    let text = f.ok(&["conflicts"]);
    assert!(text.contains("[1]") && text.contains("[2]"), "{text}");
    assert_eq!(f.run(&["resolve", &id, "--field", "agenda.0.votes_for", "--pick", "3"]).status.code(), Some(2));
    assert_eq!(f.run(&["resolve", &id, "--field", "title", "--pick", "1"]).status.code(), Some(2));
    f.ok(&["resolve", &id, "--field", "agenda.0.votes_for", "--value", "72"]);
    assert!(f.json(&["conflicts"]).as_array().unwrap().is_empty());
    assert_eq!(f.json(&["show", &id])["body"]["agenda"][0]["votes_for"], json!(72));
}

/// Copies a record from one field store to another through the core, as sync will.
fn merge(from: &Field, to: &Field, id: &str) {
    use sotay_core::store::{Store, StoreKey};
    use std::sync::Arc;
    let key = StoreKey::parse(common::KEY).unwrap();
    let clock = Arc::new(sotay_core::time::SystemClock);
    let a = Store::open(from.path(), &key, clock.clone()).unwrap();
    let mut b = Store::open(to.path(), &key, clock).unwrap();
    for doc in a.document_ids().unwrap() {
        b.apply_changes(&doc, &a.changes_after(&doc, &[]).unwrap()).unwrap();
    }
    assert!(!b.heads(id).unwrap().is_empty());
}

#[test]
fn a_scanned_agreement_is_attached_to_a_mediation_case_and_read_back() {
    let f = Field::new();
    f.init();
    let mut sampler = Sampler::new(8);
    let case = sampler.body(RecordKind::Mediation).to_value();
    let file = f.write("case.json", &case.to_string());
    let id = f.json(&["new", "mediation", "--from", file.to_str().unwrap()])["id"].as_str().unwrap().to_string();
    let scan_text = format!("%PDF-1.4\n{}\n{}\n%%EOF\n", sampler.text(80, 160), sampler.text(80, 160));
    let scan = f.write("Biên bản hòa giải thành.pdf", &scan_text);

    let reference = f.json(&["attach", &id, scan.to_str().unwrap()]);
    assert_eq!(reference["name"], json!("Biên bản hòa giải thành.pdf"));
    assert_eq!(reference["media_type"], json!("application/pdf"));
    let sha = reference["sha256"].as_str().unwrap().to_string();
    let shown = f.json(&["show", &id]);
    assert_eq!(shown["body"]["attachments"][0]["sha256"], json!(sha));
    assert_eq!(f.json(&["status"])["attachments_pending"], json!(1));

    let out = f.dir.path().join("ban-sao.pdf");
    f.ok(&["attachment", &sha, "--out", out.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), scan_text);

    // What is not a photo or a scan, too large, or not a mediation case changes nothing.
    let page = f.write("trang.html", "<p>không phải ảnh</p>");
    let big = f.dir.path().join("to.jpg");
    std::fs::File::create(&big).unwrap().set_len(10 * 1024 * 1024 + 1).unwrap();
    let dialogue = f.write("d.json", &sampler.body(RecordKind::Dialogue).to_value().to_string());
    let other = f.json(&["new", "dialogue", "--from", dialogue.to_str().unwrap()])["id"].as_str().unwrap().to_string();
    for args in [
        vec!["attach", &id, page.to_str().unwrap()],
        vec!["attach", &id, big.to_str().unwrap()],
        vec!["attach", &other, scan.to_str().unwrap()],
        vec!["attach", "01a00000-0000-7000-8000-000000000000", scan.to_str().unwrap()],
        vec!["attachment", "0000000000000000000000000000000000000000000000000000000000000000", "--out", "/dev/null"],
    ] {
        let out = f.run(&args);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr(&out).contains(" / "), "bilingual: {}", stderr(&out));
    }
    assert_eq!(f.json(&["show", &id])["body"]["attachments"].as_array().unwrap().len(), 1);
}

/// The CLI teaches itself (issue 14): a kind's fields listed with their types, codes, labels and
/// whether they are required; a mistyped field answered with what was meant; ids by a short start
/// or end; a village-level record's village by name.
#[test]
fn the_cli_lists_a_kinds_fields_and_takes_short_ids() {
    let f = Field::new();
    f.init();
    let listed = f.ok(&["fields", "mediation"]);
    let line = |path: &str| {
        listed.lines().find(|l| l.trim_start().starts_with(&format!("{path} "))).unwrap_or_default().to_string()
    };
    assert!(line("title").contains("Tiêu đề") && line("title").contains("[bắt buộc]"), "{listed}");
    assert!(line("received_on").contains("ngày (DD/MM/YYYY)") && line("received_on").contains("[bắt buộc]"));
    assert!(!line("team").contains("bắt buộc"), "{}", line("team"));
    assert!(listed.contains("parties.N.name") && listed.contains("land (Đất đai)"), "{listed}");
    let english = f.ok(&["--lang", "en", "fields", "mediation"]);
    assert!(english.contains("Title — text [required]"), "{english}");
    let as_json = f.json(&["fields", "dialogue"]);
    let topic = as_json.as_array().unwrap().iter().find(|f| f["path"] == json!("issues.N.topic")).cloned().unwrap();
    assert_eq!((topic["type"].clone(), topic["required"].clone()), (json!("long_text"), json!(true)));
    assert_eq!(topic["label"]["vi"], json!("Vấn đề"));
    // The same list under `new KIND --help`, after the options.
    let help = f.ok(&["new", "mediation", "--help"]);
    assert!(help.contains("--set") && help.contains("parties.N.name"), "{help}");
    assert!(f.run(&["fields", "khong-co"]).status.code() == Some(2));

    // A field typed as its Vietnamese label without diacritics: what was meant, and nothing saved.
    let wrong = f.run(&["new", "mediation", "--set", "tieu_de=Tranh chấp", "--set", "received_on=01/10/2026"]);
    assert_eq!(wrong.status.code(), Some(2));
    let said = stderr(&wrong);
    assert!(said.contains("tieu_de") && said.contains("title (Tiêu đề / Title)"), "{said}");
    assert!(said.contains("sotay fields mediation"), "{said}");
    let wrong_json = f.run(&["--json", "new", "mediation", "--set", "ngay_tiep_nhan=01/10/2026"]);
    let e: Value = serde_json::from_str(&stderr(&wrong_json)).unwrap();
    assert_eq!(e["error"]["code"], json!("invalid_input"));
    assert_eq!(e["error"]["fields"][0]["problem"], json!("unknown_field"));
    assert_eq!(e["error"]["fields"][0]["suggestions"], json!(["received_on"]));
    assert_eq!(f.json(&["list"]).as_array().unwrap().len(), 0, "nothing saved");

    // Ids by an unambiguous start or end; a start several share is refused with them.
    let village = f.json(&["village", "add", "--commune", COMMUNE, "--name", "Bản Khuổi Củng"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let new = |title: &str, unit: &str| {
        f.json(&[
            "new",
            "mediation",
            "--unit",
            unit,
            "--set",
            &format!("title={title}"),
            "--set",
            "received_on=01/10/2026",
        ])["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let a = new("Tranh chấp mốc giới nương", &village);
    let b = new("Mâu thuẫn về nước tưới ruộng bậc thang", COMMUNE);
    let end = &a[a.len() - 8..];
    assert_eq!(f.json(&["show", end])["id"], json!(a), "by its end");
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    if common >= 4 {
        let shared = &a[..common];
        let refused = f.run(&["--json", "show", shared]);
        assert_eq!(refused.status.code(), Some(2));
        let e: Value = serde_json::from_str(&stderr(&refused)).unwrap();
        assert_eq!(e["error"]["code"], json!("ambiguous_id"), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(&b));
    }
    let start = &b[..common + 1];
    assert_eq!(f.json(&["show", start])["id"], json!(b), "by a start only it has");
    f.ok(&["edit", end, "--set", "team=Tổ hòa giải bản Khuổi Củng"]);
    assert_eq!(f.json(&["show", &a])["body"]["team"], json!("Tổ hòa giải bản Khuổi Củng"));
    assert!(f.ok(&["history", end]).contains("Tổ hòa giải bản Khuổi Củng"));
    // The village by its name, not its id alone.
    let shown = f.ok(&["show", end]);
    assert!(shown.contains(&format!("Đơn vị: Bản Khuổi Củng ({village})")), "{shown}");
    assert_eq!(f.run(&["show", "ffffff"]).status.code(), Some(3), "a start of nothing: not found");
}
