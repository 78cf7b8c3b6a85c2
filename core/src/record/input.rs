//! Reading record bodies from what people give: JSON files and `--set path=value` assignments.
//! Errors name the field and never repeat the value.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{RecordBody, RecordKind};
use crate::error::{FieldError, Problem};
use crate::text::nfc;

/// Deserializes `T` from a JSON tree; with `strict`, fields `T` does not have are errors.
pub(crate) fn deserialize<T: DeserializeOwned>(value: Value, strict: bool) -> Result<T, Vec<FieldError>> {
    let mut unknown = Vec::new();
    let result = {
        let mut on_ignored = |path: serde_ignored::Path<'_>| {
            unknown.push(ignored_path(&path));
        };
        let ignored = serde_ignored::Deserializer::new(value, &mut on_ignored);
        serde_path_to_error::deserialize::<_, T>(ignored)
    };
    match result {
        Ok(t) if !strict || unknown.is_empty() => Ok(t),
        Ok(_) => Err(unknown.into_iter().map(|p| FieldError::new(p, Problem::UnknownField)).collect()),
        Err(e) => {
            let path = error_path(e.path());
            let expected = expected_of(&e.inner().to_string());
            Err(vec![FieldError::new(path, Problem::InvalidValue { expected })])
        }
    }
}

fn ignored_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    let (parent, seg) = match path {
        Path::Root => return String::new(),
        Path::Seq { parent, index } => (*parent, index.to_string()),
        Path::Map { parent, key } => (*parent, key.clone()),
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => {
            return ignored_path(parent);
        }
    };
    let head = ignored_path(parent);
    if head.is_empty() { seg } else { format!("{head}.{seg}") }
}

fn error_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Keeps what serde expected and drops what it found: the found part can be a person's data.
fn expected_of(message: &str) -> String {
    let tail = match message.rfind("expected ") {
        Some(i) => &message[i + "expected ".len()..],
        None => "a valid value",
    };
    // serde_json appends " at line L column C"; that is noise here.
    tail.split(" at line ").next().unwrap_or(tail).trim().to_string()
}

/// NFC-normalises every string in a JSON tree, keys included.
pub fn nfc_value(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(nfc(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(nfc_value).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (nfc(&k), nfc_value(v))).collect()),
        other => other,
    }
}

/// One `path=value` from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub path: String,
    pub raw: String,
}

impl std::str::FromStr for Assignment {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (path, raw) =
            s.split_once('=').ok_or_else(|| "cần dạng trường=giá trị / expected field=value".to_string())?;
        let path = path.trim();
        if path.is_empty() {
            return Err("thiếu tên trường / missing field name".into());
        }
        Ok(Assignment { path: path.to_string(), raw: raw.to_string() })
    }
}

/// Applies assignments to a body. A value is text unless the field needs a number, a true/false,
/// a list or an object, in which case it is read as JSON; an empty value clears an optional field.
/// A list position one past the end appends an item (`issues.2.topic=...` on a list of two).
pub fn apply_assignments(base: &RecordBody, assignments: &[Assignment]) -> Result<RecordBody, Vec<FieldError>> {
    let kind = base.kind();
    let mut tree = base.to_value();
    for a in assignments {
        let raw = nfc(&a.raw);
        let mut candidates = vec![Value::String(raw.clone())];
        if let Ok(parsed) = serde_json::from_str::<Value>(&raw) {
            if !parsed.is_string() {
                candidates.push(parsed);
            }
        }
        if raw.trim().is_empty() {
            candidates.push(Value::Null);
        }
        let mut first_error = None;
        let mut accepted = None;
        for candidate in candidates {
            let mut attempt = tree.clone();
            set_path(&mut attempt, &a.path, candidate).map_err(|e| vec![e])?;
            match RecordBody::from_input(kind, attempt.clone()) {
                Ok(_) => {
                    accepted = Some(attempt);
                    break;
                }
                Err(errors) => {
                    // An error about another field means this candidate fits but something else
                    // does not: that is for validation of the whole input to report.
                    if errors.iter().all(|e| !e.path.starts_with(&a.path) && !a.path.starts_with(&e.path)) {
                        accepted = Some(attempt);
                        break;
                    }
                    first_error.get_or_insert(errors);
                }
            }
        }
        match accepted {
            Some(t) => tree = t,
            None => return Err(first_error.unwrap_or_default()),
        }
    }
    RecordBody::from_input(kind, tree)
}

/// A value chosen for the field at `path` of `body` (a conflict's resolution), as that field's
/// type reads it ("72" for a count is the number 72), NFC-normalised; an error if the field
/// cannot take it.
pub fn typed_value(body: &RecordBody, path: &str, value: Value) -> Result<Value, Vec<FieldError>> {
    let raw = match &value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let after = apply_assignments(body, &[Assignment { path: path.to_string(), raw }])?;
    Ok(nfc_value(value_at(&after.to_value(), path).cloned().unwrap_or(value)))
}

/// Every leaf of a tree with its dotted path (`agenda.0.votes_for`), in the tree's order.
pub fn leaves(v: &Value) -> Vec<(String, Value)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
        let join = |k: &str| {
            if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") }
        };
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| walk(&join(k), v, out)),
            Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| walk(&join(&i.to_string()), v, out)),
            leaf => out.push((prefix.to_string(), leaf.clone())),
        }
    }
    let mut out = Vec::new();
    walk("", v, &mut out);
    out
}

/// The value at a dotted path of a tree.
pub fn value_at<'a>(tree: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(tree, |node, seg| match node {
        Value::Object(m) => m.get(seg),
        Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// Parses a whole body from a JSON document a person wrote.
pub fn parse_body(kind: RecordKind, json: &str) -> Result<RecordBody, Vec<FieldError>> {
    let value: Value = serde_json::from_str(json).map_err(|e| {
        vec![FieldError::new(
            "",
            Problem::InvalidValue { expected: format!("a JSON object (line {}, column {})", e.line(), e.column()) },
        )]
    })?;
    if !value.is_object() {
        return Err(vec![FieldError::new("", Problem::InvalidValue { expected: "a JSON object".into() })]);
    }
    RecordBody::from_input(kind, nfc_value(value))
}

/// Sets the value at a dotted path, creating what the path names: an unknown name is then
/// rejected by the strict deserialization that follows, with its full path.
pub(crate) fn set_path(tree: &mut Value, path: &str, value: Value) -> Result<(), FieldError> {
    let segments: Vec<&str> = path.split('.').collect();
    let mut node = tree;
    for (i, seg) in segments.iter().enumerate() {
        let here = || segments[..=i].join(".");
        if node.is_null() {
            // An optional object not yet set, or a list item just appended.
            *node = Value::Object(Default::default());
        }
        node = match node {
            Value::Object(map) => map.entry(seg.to_string()).or_insert(Value::Null),
            Value::Array(items) => {
                let len = items.len();
                let index: usize = seg.parse().map_err(|_| {
                    FieldError::new(here(), Problem::InvalidValue { expected: "a list position (0, 1, ...)".into() })
                })?;
                if index > len {
                    return Err(FieldError::new(
                        here(),
                        Problem::InvalidValue { expected: format!("a list position from 0 to {len}") },
                    ));
                }
                if index == len {
                    items.push(Value::Null);
                }
                &mut items[index]
            }
            _ => return Err(FieldError::new(here(), Problem::UnknownField)),
        };
    }
    *node = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Dialogue, RecordBody};

    fn a(s: &str) -> Assignment {
        s.parse().unwrap()
    }

    fn dialogue(body: &RecordBody) -> &Dialogue {
        match body {
            RecordBody::Dialogue(d) => d,
            _ => panic!("not a dialogue"),
        }
    }

    #[test]
    fn assigns_text_numbers_dates_enums_and_list_items() {
        let base = RecordBody::empty(RecordKind::Dialogue);
        let body = apply_assignments(
            &base,
            &[
                a("title=Đối thoại về đất đai"),
                a("held_on=03/10/2026"),
                a("attendance.total=120"),
                a("trigger=voters_request"),
                a("issues.0.topic=Cấp giấy chứng nhận quyền sử dụng đất"),
                a("issues.0.due_on=2026-11-01"),
                a("issues.1.topic=Đường liên thôn"),
                a("chairs=[\"Chủ tịch UBND xã\"]"),
            ],
        )
        .unwrap();
        let d = dialogue(&body);
        assert_eq!(d.title, "Đối thoại về đất đai");
        assert_eq!(d.held_on.unwrap().to_string(), "2026-10-03");
        assert_eq!(d.attendance.total, Some(120));
        assert_eq!(d.issues.len(), 2);
        assert_eq!(d.issues[0].due_on.unwrap().to_string(), "2026-11-01");
        assert_eq!(d.chairs, ["Chủ tịch UBND xã"]);
        // A title that looks like a number stays text.
        let body = apply_assignments(&body, &[a("title=123"), a("held_on=")]).unwrap();
        assert_eq!(dialogue(&body).title, "123");
        assert_eq!(dialogue(&body).held_on, None);
    }

    #[test]
    fn errors_name_the_field_and_hide_the_value() {
        let base = RecordBody::empty(RecordKind::Dialogue);
        let e = apply_assignments(&base, &[a("held_on=2026-13-45")]).unwrap_err();
        assert_eq!(e[0].path, "held_on");
        let e = apply_assignments(&base, &[a("attendance.total=Nguyễn Văn Bình")]).unwrap_err();
        assert_eq!(e[0].path, "attendance.total");
        assert!(!e[0].to_string().contains("Nguyễn"), "{}", e[0]);
        let e = apply_assignments(&base, &[a("nonsense=1")]).unwrap_err();
        assert_eq!(e[0], FieldError::new("nonsense", Problem::UnknownField));
        let e = apply_assignments(&base, &[a("issues.3.topic=x")]).unwrap_err();
        assert_eq!(e[0].path, "issues.3");
        let e = apply_assignments(&base, &[a("issues.0.colour=x")]).unwrap_err();
        assert_eq!(e[0].problem, Problem::UnknownField);
        assert_eq!(e[0].path, "issues.0.colour");
        let e = apply_assignments(&base, &[a("trigger=whenever")]).unwrap_err();
        assert_eq!(e[0].path, "trigger");
    }

    #[test]
    fn json_input_rejects_unknown_fields_and_normalises_to_nfc() {
        use unicode_normalization::UnicodeNormalization;
        let decomposed: String = "Hòa giải".nfd().collect();
        let json = format!(r#"{{"title": "{decomposed}", "received_on": "2026-05-04"}}"#);
        let body = parse_body(RecordKind::Mediation, &json).unwrap();
        assert_eq!(body.title(), "Hòa giải");
        let e = parse_body(RecordKind::Mediation, r#"{"title": "x", "parties": [{"nam": "y"}]}"#).unwrap_err();
        assert_eq!(e[0].path, "parties.0.nam");
        assert!(parse_body(RecordKind::Mediation, "[1]").is_err());
        assert!(parse_body(RecordKind::Mediation, "{").is_err());
    }
}
