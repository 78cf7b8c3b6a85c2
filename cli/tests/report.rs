//! `sotay report` end to end: figures from records made with the CLI, both conventions, a late
//! edit listed against a saved report, and bad periods and units refused.

mod common;

use common::{COMMUNE, Field};
use serde_json::{Value, json};

fn figure(report: &Value, code: &str) -> Value {
    report["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["code"] == json!(code)))
        .map(|r| r["value"]["value"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn a_commune_report_from_the_command_line() {
    let f = Field::new();
    f.init();
    let village = f.json(&["village", "add", "--commune", COMMUNE, "--name", "Thôn Nà Mè", "--households", "120"]);
    let village = village["id"].as_str().expect("an id").to_string();
    let case = |received: &str, outcome: &str| {
        let mut args = vec!["new", "mediation", "--unit", &village];
        let sets = [
            "title=Tranh chấp lối đi giữa hai hộ".to_string(),
            format!("received_on={received}"),
            format!("outcome={outcome}"),
            "agreement_terms=Mở lối đi rộng 2 mét".to_string(),
        ];
        for s in &sets {
            args.push("--set");
            args.push(s);
        }
        f.json(&args)["id"].as_str().expect("an id").to_string()
    };
    // 14 and 15 June: both in calendar Q2; statistical Q2 ends on the 14th.
    let first = case("14/06/2026", "success");
    case("15/06/2026", "failure");
    case("20/08/2026", "in_progress");

    let q2 = f.json(&["report", "--period", "2026-Q2", "--unit", COMMUNE]);
    assert_eq!(figure(&q2, "mediation.received"), json!(2));
    assert_eq!(figure(&q2, "mediation.success_rate"), json!(50.0));
    assert_eq!(q2["children"][0]["unit"]["name"], json!("Thôn Nà Mè"));
    let q2s = f.json(&["report", "--period", "2026-Q2", "--convention", "statistical"]);
    assert_eq!(figure(&q2s, "mediation.received"), json!(1));
    let q3s = f.json(&["report", "--period", "2026-Q3", "--convention", "statistical"]);
    assert_eq!(figure(&q3s, "mediation.received"), json!(2));

    // The unit by name, diacritics aside: the commune, and the village of the store.
    let by_name = f.json(&["report", "--period", "2026-Q2", "--unit", "lam binh"]);
    assert_eq!((by_name["unit"]["code"].clone(), figure(&by_name, "mediation.received")), (json!(COMMUNE), json!(2)));
    let village_report = f.json(&["report", "--period", "2026-Q2", "--unit", "NA ME"]);
    assert_eq!(village_report["unit"]["code"], json!(village));
    // Several units named "Lâm …": refused, listing them with their codes.
    let out = f.run(&["report", "--period", "2026-Q2", "--unit", "lam"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Xã Lâm Bình (02266)") && err.contains(" / "), "{err}");

    // Text, in Vietnamese by default.
    let text = f.ok(&["report", "--period", "2026-Q2"]);
    assert!(text.contains("Quý II năm 2026"), "{text}");
    assert!(text.contains("Tỷ lệ hòa giải thành") && text.contains("50,0%"), "{text}");
    let text = f.ok(&["--lang", "en", "report", "--period", "2026-Q2"]);
    assert!(text.contains("Success rate") && text.contains("50.0%"), "{text}");

    // Saved, then a late edit: listed against the saved report.
    let saved = f.write("q2.json", &f.ok(&["--json", "report", "--period", "2026-Q2"]));
    let saved = saved.to_str().expect("a path");
    let against = f.json(&["report", "--period", "2026-Q2", "--against", saved]);
    assert_eq!(against["amendments"], json!([]));
    f.ok(&["edit", &first, "--set", "outcome=withdrawn"]);
    let against = f.json(&["report", "--period", "2026-Q2", "--against", saved]);
    assert_eq!(against["amendments"], json!([{ "id": first, "kind": "edited" }]));
    let other = f.write("other.json", "{\"not\": \"a report\"}");
    let out = f.run(&["report", "--period", "2026-Q2", "--against", other.to_str().expect("a path")]);
    assert_eq!(out.status.code(), Some(2));

    // Bad input: exit 2, a bilingual message, and no echo of what was typed.
    for args in [
        ["report", "--period", "2026-Q5", "--unit", COMMUNE],
        ["report", "--period", "2026-Q2", "--unit", "99999"],
        ["report", "--period", "Quý 2", "--unit", COMMUNE],
    ] {
        let out = f.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(" / "), "bilingual: {err}");
        assert!(!err.contains("Quý 2"), "not echoed: {err}");
    }
}
