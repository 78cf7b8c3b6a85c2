//! Concurrent different values of a legally significant field (an outcome, a vote count, a
//! decision): automerge keeps them all, and the record lists them until a person chooses.

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjId, ObjType, ReadDoc, Value as AmValue};
use serde::Serialize;
use serde_json::Value;

use super::{Document, DocumentError, Writer, author_of, tree};
use crate::record::Author;
use crate::record::fields::path_matches;
use crate::time::Millis;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictValue {
    pub value: Value,
    pub author: Author,
    pub device_time: Millis,
    /// The change that wrote it, hex.
    pub change: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// The body field (`outcome`, `agenda.1.votes_for`).
    pub path: String,
    /// The competing values, in automerge's deterministic order (the first is what a reader sees).
    pub values: Vec<ConflictValue>,
}

impl Document {
    /// The significant fields of the body that hold concurrent different values.
    pub fn conflicts(&self, significant: &[&str]) -> Vec<Conflict> {
        let doc = self.automerge();
        let mut out = Vec::new();
        if let Ok(Some((AmValue::Object(ObjType::Map), body))) = doc.get(automerge::ROOT, "body") {
            self.collect(&body, "", significant, &mut out);
        }
        out
    }

    fn collect(&self, obj: &ObjId, prefix: &str, significant: &[&str], out: &mut Vec<Conflict>) {
        let doc = self.automerge();
        let join = |k: &str| {
            if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") }
        };
        let children: Vec<(String, AmValue<'_>, ObjId)> = match doc.object_type(obj) {
            Ok(ObjType::Map) => doc
                .map_range(obj, ..)
                .map(|i| {
                    let id = i.id();
                    (i.key.to_string(), i.value.into(), id)
                })
                .collect(),
            Ok(ObjType::List) => doc
                .list_range(obj, ..)
                .map(|i| {
                    let id = i.id();
                    (i.index.to_string(), i.value.into(), id)
                })
                .collect(),
            _ => return,
        };
        let is_map = matches!(doc.object_type(obj), Ok(ObjType::Map));
        for (key, value, id) in children {
            let path = join(&key);
            match value {
                AmValue::Object(ObjType::Map | ObjType::List) => self.collect(&id, &path, significant, out),
                AmValue::Scalar(_) if is_map && significant.iter().any(|p| path_matches(p, &path)) => {
                    if let Some(c) = self.conflict_at(obj, &key, &path) {
                        out.push(c);
                    }
                }
                _ => {}
            }
        }
    }

    fn conflict_at(&self, obj: &ObjId, key: &str, path: &str) -> Option<Conflict> {
        let doc = self.automerge();
        let all = doc.get_all(obj, key).ok()?;
        if all.len() < 2 {
            return None;
        }
        let values: Vec<ConflictValue> = all
            .iter()
            .map(|(v, id)| {
                let value = match v {
                    AmValue::Scalar(s) => tree::from_scalar(s),
                    AmValue::Object(_) => Value::Null,
                };
                let change: Option<ChangeHash> = doc.hash_for_opid(id);
                let meta = change.and_then(|h| doc.get_change_by_hash(&h));
                ConflictValue {
                    value,
                    author: author_of(meta.as_ref().and_then(|c| c.message())),
                    device_time: meta.as_ref().map(|c| c.timestamp()).unwrap_or_default(),
                    change: change.map(|h| h.to_string()).unwrap_or_default(),
                }
            })
            .collect();
        let first = &values[0].value;
        if values.iter().all(|v| &v.value == first) {
            // The same value set twice concurrently is agreement, not a conflict.
            return None;
        }
        Some(Conflict { path: path.to_string(), values })
    }

    /// Settles the conflict at a body field with the chosen value: a new write that has seen
    /// every competing value supersedes them all.
    pub fn resolve(&mut self, path: &str, value: &Value, writer: &Writer) -> Result<Option<ChangeHash>, DocumentError> {
        self.set_actor(&writer.actor);
        let full = format!("body.{path}");
        let (obj, key) = tree::locate(self.automerge(), &full).ok_or(DocumentError::Envelope("path"))?;
        self.automerge_mut().put(&obj, key.as_str(), tree::to_scalar(value))?;
        Ok(self.automerge_mut().commit_with(writer.commit_options()))
    }
}
