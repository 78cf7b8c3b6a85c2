//! The bridge between JSON trees and automerge objects: the one place that reads and writes
//! automerge maps and lists by key. Records reach it as JSON trees produced by serde from the
//! typed structs in `record`, so nothing outside this module pokes at document internals.
//!
//! Writes are minimal: only leaves whose value changed are written. That keeps two people's
//! edits of different fields from touching each other, and keeps a concurrent conflict on one
//! field alive until a person resolves it (rewriting an unchanged value would silently pick a
//! winner; see docs/decisions/0003-own-typed-layer-not-autosurgeon.md). Keys the new tree does not
//! have are left alone: fields written by a newer version of the app survive. Blank values
//! (empty, zero, false, null) are not written where the key is absent: absent reads as default.

use automerge::transaction::Transactable;
use automerge::{
    AutoCommit, AutomergeError, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value as AmValue, hydrate,
};
use std::collections::HashMap;

use serde_json::{Map, Number, Value};

/// The document's content (or a map inside it) as a JSON tree, now or as of `heads`.
/// Where a key has concurrent values, the deterministic winner is read.
pub fn read(doc: &AutoCommit, obj: &ObjId, heads: Option<&[ChangeHash]>) -> Value {
    match doc.hydrate(obj, heads) {
        Ok(v) => from_hydrated(&v),
        Err(_) => Value::Null,
    }
}

fn from_hydrated(v: &hydrate::Value) -> Value {
    match v {
        hydrate::Value::Scalar(s) => from_scalar(s),
        hydrate::Value::Map(m) => {
            Value::Object(m.iter().map(|(k, mv)| (k.clone(), from_hydrated(&mv.value))).collect())
        }
        hydrate::Value::List(l) => Value::Array(l.iter().map(|lv| from_hydrated(&lv.value)).collect()),
        hydrate::Value::Text(t) => Value::String(t.to_string()),
    }
}

pub fn from_scalar(s: &ScalarValue) -> Value {
    match s {
        ScalarValue::Str(s) => Value::String(s.to_string()),
        ScalarValue::Int(i) | ScalarValue::Timestamp(i) => Value::Number((*i).into()),
        ScalarValue::Uint(u) => Value::Number((*u).into()),
        ScalarValue::F64(f) => Number::from_f64(*f).map(Value::Number).unwrap_or(Value::Null),
        ScalarValue::Counter(c) => Value::Number(i64::from(c).into()),
        ScalarValue::Boolean(b) => Value::Bool(*b),
        ScalarValue::Bytes(b) => Value::String(hex::encode(b)),
        ScalarValue::Null | ScalarValue::Unknown { .. } => Value::Null,
    }
}

pub fn to_scalar(v: &Value) -> ScalarValue {
    match v {
        Value::String(s) => ScalarValue::Str(s.as_str().into()),
        Value::Bool(b) => ScalarValue::Boolean(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => ScalarValue::Uint(u),
            (None, Some(i)) => ScalarValue::Int(i),
            _ => ScalarValue::F64(n.as_f64().unwrap_or_default()),
        },
        // Objects are never passed here; null stands for both.
        Value::Null | Value::Array(_) | Value::Object(_) => ScalarValue::Null,
    }
}

/// Writes into the map `obj` what differs between `old` (its current content) and `new`.
pub fn write_map(
    doc: &mut AutoCommit,
    obj: &ObjId,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Result<(), AutomergeError> {
    for (key, new_v) in new {
        let old_v = old.get(key);
        // An absent field reads as its default, so a blank one need not be written: a new record
        // costs only the operations of what was filled in.
        if old_v == Some(new_v) || (old_v.is_none() && blank(new_v)) {
            continue;
        }
        let existing = match doc.get(obj, key.as_str())? {
            Some((AmValue::Object(t), id)) => Some((t, id)),
            _ => None,
        };
        match (old_v, new_v, existing) {
            (Some(Value::Object(o)), Value::Object(n), Some((ObjType::Map, id))) => write_map(doc, &id, o, n)?,
            (Some(Value::Array(o)), Value::Array(n), Some((ObjType::List, id))) => write_list(doc, &id, o, n)?,
            _ => put_fresh(doc, obj, key, new_v)?,
        }
    }
    Ok(())
}

/// Null, empty, false, zero, or made only of those: what serde's defaults give back.
fn blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(m) => m.values().all(blank),
    }
}

/// A JSON tree as automerge's hydrated form, blanks of maps left out (see `write_map`).
fn to_hydrated(v: &Value) -> hydrate::Value {
    match v {
        Value::Object(m) => {
            let map: HashMap<String, hydrate::Value> =
                m.iter().filter(|(_, v)| !blank(v)).map(|(k, v)| (k.clone(), to_hydrated(v))).collect();
            hydrate::Value::from(hydrate::Map::from(map))
        }
        Value::Array(items) => hydrate::Value::from(items.iter().map(to_hydrated).collect::<Vec<_>>()),
        scalar => hydrate::Value::Scalar(to_scalar(scalar)),
    }
}

/// Puts a value under a key; a new object is created in one batch, not op by op.
fn put_fresh(doc: &mut AutoCommit, obj: &ObjId, key: &str, v: &Value) -> Result<(), AutomergeError> {
    match v {
        Value::Object(_) | Value::Array(_) => doc.batch_create_object(obj, key, &to_hydrated(v), false).map(|_| ()),
        scalar => doc.put(obj, key, to_scalar(scalar)),
    }
}

fn insert_fresh(doc: &mut AutoCommit, list: &ObjId, index: usize, v: &Value) -> Result<(), AutomergeError> {
    match v {
        Value::Object(_) | Value::Array(_) => doc.batch_create_object(list, index, &to_hydrated(v), true).map(|_| ()),
        scalar => doc.insert(list, index, to_scalar(scalar)),
    }
}

/// What identifies a list item across edits: its `id` (or `code`) for objects, the value itself
/// for scalars. Items matched by identity are edited in place; others are deleted or inserted.
fn identity(v: &Value) -> String {
    if let Value::Object(m) = v {
        for key in ["id", "code"] {
            if let Some(Value::String(s)) = m.get(key) {
                return format!("{key}:{s}");
            }
        }
    }
    v.to_string()
}

enum Step {
    Keep(usize, usize),
    Delete,
    Insert(usize),
}

/// The shortest edit script from `old` to `new` by item identity (longest common subsequence).
fn edit_script(old: &[Value], new: &[Value]) -> Vec<Step> {
    let a: Vec<String> = old.iter().map(identity).collect();
    let b: Vec<String> = new.iter().map(identity).collect();
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut steps = Vec::with_capacity(n.max(m));
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            steps.push(Step::Keep(i, j));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            steps.push(Step::Insert(j));
            j += 1;
        } else {
            steps.push(Step::Delete);
            i += 1;
        }
    }
    steps
}

fn write_list(doc: &mut AutoCommit, list: &ObjId, old: &[Value], new: &[Value]) -> Result<(), AutomergeError> {
    let mut pos = 0;
    for step in edit_script(old, new) {
        match step {
            Step::Keep(i, j) => {
                if old[i] != new[j] {
                    let existing = match doc.get(list, pos)? {
                        Some((AmValue::Object(t), id)) => Some((t, id)),
                        _ => None,
                    };
                    match (&old[i], &new[j], existing) {
                        (Value::Object(o), Value::Object(n), Some((ObjType::Map, id))) => write_map(doc, &id, o, n)?,
                        (Value::Array(o), Value::Array(n), Some((ObjType::List, id))) => write_list(doc, &id, o, n)?,
                        (_, v, _) => {
                            doc.delete(list, pos)?;
                            insert_fresh(doc, list, pos, v)?;
                        }
                    }
                }
                pos += 1;
            }
            Step::Delete => doc.delete(list, pos)?,
            Step::Insert(j) => {
                insert_fresh(doc, list, pos, &new[j])?;
                pos += 1;
            }
        }
    }
    Ok(())
}

/// Finds the map and key a dotted path (`body.agenda.0.votes_for`) ends in.
pub fn locate(doc: &AutoCommit, path: &str) -> Option<(ObjId, String)> {
    let segments: Vec<&str> = path.split('.').collect();
    let (last, parents) = segments.split_last()?;
    let mut obj = automerge::ROOT;
    for seg in parents {
        let child = match seg.parse::<usize>() {
            Ok(i) if doc.object_type(&obj).ok()? == ObjType::List => doc.get(&obj, i).ok()?,
            _ => doc.get(&obj, *seg).ok()?,
        };
        match child {
            Some((AmValue::Object(_), id)) => obj = id,
            _ => return None,
        }
    }
    (doc.object_type(&obj).ok()? == ObjType::Map).then(|| (obj, last.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc_with(v: &Value) -> AutoCommit {
        let mut doc = AutoCommit::new();
        write_map(&mut doc, &automerge::ROOT, &Map::new(), v.as_object().unwrap()).unwrap();
        doc.commit();
        doc
    }

    #[test]
    fn round_trips_nested_trees() {
        let v = json!({"a": "Đất đai", "n": 3, "neg": -2, "f": 1.5, "b": true,
                       "list": [{"id": "x", "v": 1}, "s", ""], "m": {"k": [1, 0]}});
        let doc = doc_with(&v);
        assert_eq!(read(&doc, &automerge::ROOT, None), v);
        // Blank fields are not written; absent, they read as their defaults.
        let blanks = json!({"a": "x", "z": null, "e": "", "f": false, "n": 0, "l": [], "o": {"p": ""}});
        assert_eq!(read(&doc_with(&blanks), &automerge::ROOT, None), json!({"a": "x"}));
    }

    #[test]
    fn writes_only_what_changed_and_keeps_unknown_keys() {
        let mut doc = doc_with(&json!({"a": 1, "b": 2, "future": "kept"}));
        let old = read(&doc, &automerge::ROOT, None);
        let ops_before = doc.stats().num_ops;
        write_map(&mut doc, &automerge::ROOT, old.as_object().unwrap(), json!({"a": 1, "b": 3}).as_object().unwrap())
            .unwrap();
        doc.commit();
        assert_eq!(doc.stats().num_ops - ops_before, 1, "one leaf changed, one op");
        assert_eq!(read(&doc, &automerge::ROOT, None), json!({"a": 1, "b": 3, "future": "kept"}));
    }

    #[test]
    fn list_items_are_matched_by_id() {
        let start = json!({"items": [{"id": "a", "t": "1"}, {"id": "b", "t": "2"}, {"id": "c", "t": "3"}]});
        let mut doc = doc_with(&start);
        // Concurrently: one replica edits item c, the other removes item a and appends d.
        let mut other = doc.fork();
        let edit = |doc: &mut AutoCommit, new: Value| {
            let old = read(doc, &automerge::ROOT, None);
            write_map(doc, &automerge::ROOT, old.as_object().unwrap(), new.as_object().unwrap()).unwrap();
            doc.commit();
        };
        edit(&mut doc, json!({"items": [{"id": "a", "t": "1"}, {"id": "b", "t": "2"}, {"id": "c", "t": "3!"}]}));
        edit(&mut other, json!({"items": [{"id": "b", "t": "2"}, {"id": "c", "t": "3"}, {"id": "d", "t": "4"}]}));
        doc.merge(&mut other).unwrap();
        assert_eq!(
            read(&doc, &automerge::ROOT, None),
            json!({"items": [{"id": "b", "t": "2"}, {"id": "c", "t": "3!"}, {"id": "d", "t": "4"}]})
        );
    }

    #[test]
    fn scalar_lists_follow_the_edit_script() {
        let mut doc = doc_with(&json!({"l": ["a", "b", "c"]}));
        for target in [json!(["b", "c", "d"]), json!([]), json!(["x", "y"]), json!(["y", "x", "y"])] {
            let old = read(&doc, &automerge::ROOT, None);
            let new = json!({ "l": target });
            write_map(&mut doc, &automerge::ROOT, old.as_object().unwrap(), new.as_object().unwrap()).unwrap();
            doc.commit();
            assert_eq!(read(&doc, &automerge::ROOT, None), new);
        }
    }
}
