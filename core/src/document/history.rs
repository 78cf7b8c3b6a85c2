//! The audit trail of a document: for each change, who made it, when the device says it was, when
//! the server received it, and which fields went from what to what. One order everywhere: by the
//! server's receipt where known, then changes not yet received; ties by causal depth and hash, so
//! every device and the server list the same history the same way, whatever order they applied
//! concurrent changes in.

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
    /// The longest chain of changes it depends on (its first change: 0): later than all its
    /// dependencies, whatever the clocks say.
    #[serde(skip)]
    pub depth: u32,
}

/// Puts entries in the one order every replica shows (see the module's note). Receipt order never
/// contradicts causal order: the server accepts a change only with its dependencies.
pub fn in_one_order(entries: &mut [HistoryEntry]) {
    entries.sort_by(|a, b| {
        let key = |e: &HistoryEntry| (e.server_time.is_none(), e.server_time.unwrap_or(0), e.depth);
        key(a)
            .cmp(&key(b))
            .then_with(|| {
                if a.server_time.is_none() { a.device_time.cmp(&b.device_time) } else { std::cmp::Ordering::Equal }
            })
            .then_with(|| a.change.cmp(&b.change))
    });
}

/// Nothing, as far as a person reading the history is concerned.
fn blank(v: &Value) -> bool {
    matches!(v, Value::Null) || v.as_str().is_some_and(str::is_empty)
}

fn display_path(path: &str) -> String {
    path.strip_prefix("body.").unwrap_or(path).to_string()
}

impl Document {
    /// The history with each change's server receipt from `receipt`, in the one order.
    pub fn history_with<E>(
        &mut self,
        mut receipt: impl FnMut(&str) -> Result<Option<Millis>, E>,
    ) -> Result<Vec<HistoryEntry>, E> {
        let mut entries = self.history();
        for e in &mut entries {
            e.server_time = receipt(&e.change)?;
        }
        in_one_order(&mut entries);
        Ok(entries)
    }

    /// The history in causal order, without receipts.
    pub fn history(&mut self) -> Vec<HistoryEntry> {
        let changes = self.automerge_mut().get_changes(&[]);
        let doc = self.automerge();
        // Changes come dependencies first, so each depth is known when its dependants need it.
        let mut depths: std::collections::HashMap<automerge::ChangeHash, u32> = std::collections::HashMap::new();
        changes
            .iter()
            .map(|change| {
                let depth = change.deps().iter().filter_map(|d| depths.get(d)).max().map_or(0, |d| d + 1);
                depths.insert(change.hash(), depth);
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
                    depth,
                }
            })
            .collect()
    }

    /// The fields that differ between the version at `heads` and now, as paths (`outcome`,
    /// `agenda.0.votes_for`, `deleted`), sorted: what an edit after a report changed. Values are
    /// left out, since a report's reader may not see a record's contents. `None` when the
    /// document does not hold every one of `heads`.
    pub fn fields_changed_since(&mut self, heads: &[automerge::ChangeHash]) -> Option<Vec<String>> {
        if heads.is_empty() || heads.iter().any(|h| self.automerge_mut().get_change_by_hash(h).is_none()) {
            return None;
        }
        let doc = self.automerge();
        let then: BTreeMap<String, Value> =
            leaves(&tree::read(doc, &automerge::ROOT, Some(heads))).into_iter().collect();
        let now: BTreeMap<String, Value> = leaves(&tree::read(doc, &automerge::ROOT, None)).into_iter().collect();
        let mut paths: Vec<String> = then
            .keys()
            .chain(now.keys())
            .filter(|k| then.get(*k) != now.get(*k))
            .filter(|k| !(then.get(*k).is_none_or(blank) && now.get(*k).is_none_or(blank)))
            .map(|k| {
                // The envelope's fields by their first part: `deleted.reason` is "deleted".
                if k.starts_with("body.") { display_path(k) } else { k.split('.').next().unwrap_or(k).to_string() }
            })
            .collect();
        paths.sort();
        paths.dedup();
        Some(paths)
    }
}
