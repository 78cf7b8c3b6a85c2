//! The audit trail of a document: for each change, in causal order, who made it, when the
//! device says it was, and which fields went from what to what.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::{Document, author_of, tree};
use crate::record::Author;
use crate::record::input::leaves;
use crate::time::Millis;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Body fields by their path (`agenda.0.votes_for`); envelope fields as they are (`deleted.reason`).
    pub path: String,
    pub from: Value,
    pub to: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// The change's hash, hex.
    pub change: String,
    pub author: Author,
    /// The device's clock when the change was made: shown, never trusted for order.
    pub device_time: Millis,
    /// When the server first received the change, once synced.
    pub server_time: Option<Millis>,
    pub fields: Vec<FieldChange>,
}

/// Nothing, as far as a person reading the history is concerned.
fn blank(v: &Value) -> bool {
    matches!(v, Value::Null) || v.as_str().is_some_and(str::is_empty)
}

fn display_path(path: &str) -> String {
    path.strip_prefix("body.").unwrap_or(path).to_string()
}

impl Document {
    pub fn history(&mut self) -> Vec<HistoryEntry> {
        let changes = self.automerge_mut().get_changes(&[]);
        let doc = self.automerge();
        changes
            .iter()
            .map(|change| {
                let before: BTreeMap<String, Value> =
                    leaves(&tree::read(doc, &automerge::ROOT, Some(change.deps()))).into_iter().collect();
                let after: BTreeMap<String, Value> =
                    leaves(&tree::read(doc, &automerge::ROOT, Some(&[change.hash()]))).into_iter().collect();
                let mut fields: Vec<FieldChange> = after
                    .iter()
                    .filter(|(k, v)| before.get(*k) != Some(*v))
                    .map(|(k, v)| FieldChange {
                        path: display_path(k),
                        from: before.get(k).cloned().unwrap_or(Value::Null),
                        to: v.clone(),
                    })
                    .collect();
                fields.extend(before.iter().filter(|(k, _)| !after.contains_key(*k)).map(|(k, v)| FieldChange {
                    path: display_path(k),
                    from: v.clone(),
                    to: Value::Null,
                }));
                fields.retain(|f| !(blank(&f.from) && blank(&f.to)));
                HistoryEntry {
                    change: change.hash().to_string(),
                    author: author_of(change.message()),
                    device_time: change.timestamp(),
                    server_time: None,
                    fields,
                }
            })
            .collect()
    }
}
