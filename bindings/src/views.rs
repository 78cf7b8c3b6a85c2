//! The few API types that are not the core's own, because a core type holds a JSON value (a
//! field's value in history and conflicts can be of any type) or key bytes: each converts from
//! the core's type of the same name.

use sotay_core::record::petition::PetitionSubject;
use sotay_core::record::{Author, Flag, RecordBody, RecordKind, Tombstone};
use sotay_core::store::DeadlineView;

/// A field's value, as history and conflicts show it.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum FieldValue {
    Null,
    Text { value: String },
    Integer { value: i64 },
    Number { value: f64 },
    Boolean { value: bool },
}

impl From<serde_json::Value> for FieldValue {
    fn from(v: serde_json::Value) -> Self {
        use serde_json::Value;
        match v {
            Value::Null => FieldValue::Null,
            Value::Bool(value) => FieldValue::Boolean { value },
            Value::Number(n) => match n.as_i64() {
                Some(value) => FieldValue::Integer { value },
                None => FieldValue::Number { value: n.as_f64().unwrap_or_default() },
            },
            Value::String(value) => FieldValue::Text { value },
            // Only leaves are values; an object or a list here would be a document from elsewhere.
            other => FieldValue::Text { value: other.to_string() },
        }
    }
}

impl From<FieldValue> for serde_json::Value {
    fn from(v: FieldValue) -> Self {
        match v {
            FieldValue::Null => serde_json::Value::Null,
            FieldValue::Text { value } => value.into(),
            FieldValue::Integer { value } => value.into(),
            FieldValue::Number { value } => value.into(),
            FieldValue::Boolean { value } => value.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FieldChange {
    pub path: String,
    pub from: FieldValue,
    pub to: FieldValue,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HistoryEntry {
    pub change: String,
    pub author: Author,
    pub device_time: i64,
    pub server_time: Option<i64>,
    pub fields: Vec<FieldChange>,
}

impl From<sotay_core::document::HistoryEntry> for HistoryEntry {
    fn from(e: sotay_core::document::HistoryEntry) -> Self {
        HistoryEntry {
            change: e.change,
            author: e.author,
            device_time: e.device_time,
            server_time: e.server_time,
            fields: e
                .fields
                .into_iter()
                .map(|f| FieldChange { path: f.path, from: f.from.into(), to: f.to.into() })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ConflictValue {
    pub value: FieldValue,
    pub author: Author,
    pub device_time: i64,
    pub change: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Conflict {
    pub path: String,
    pub values: Vec<ConflictValue>,
}

impl From<sotay_core::document::Conflict> for Conflict {
    fn from(c: sotay_core::document::Conflict) -> Self {
        Conflict {
            path: c.path,
            values: c
                .values
                .into_iter()
                .map(|v| ConflictValue {
                    value: v.value.into(),
                    author: v.author,
                    device_time: v.device_time,
                    change: v.change,
                })
                .collect(),
        }
    }
}

/// A record's conflicts, for the list of what needs a person.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RecordConflicts {
    pub id: String,
    pub kind: RecordKind,
    pub conflicts: Vec<Conflict>,
}

/// What part of a record comes to, in words with its figures (a village meeting's items).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Outcome {
    /// The part it is about: `agenda.0`.
    pub path: String,
    /// `passed`, `needs_ballots`, `not_agreed` or `not_passed`.
    pub code: String,
    pub vi: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RecordView {
    pub id: String,
    pub kind: RecordKind,
    /// The body's title, for headings.
    pub title: String,
    pub unit: String,
    pub commune: String,
    pub created_by: Author,
    pub created_at: i64,
    pub deleted: Option<Tombstone>,
    pub body: RecordBody,
    pub denouncer: Option<PetitionSubject>,
    pub deadlines: Vec<DeadlineView>,
    pub flags: Vec<Flag>,
    pub outcomes: Vec<Outcome>,
    pub conflicts: Vec<Conflict>,
    pub heads: Vec<String>,
}

impl From<sotay_core::store::RecordView> for RecordView {
    fn from(v: sotay_core::store::RecordView) -> Self {
        RecordView {
            id: v.id,
            kind: v.kind,
            title: v.body.title().to_string(),
            unit: v.unit,
            commune: v.commune,
            created_by: v.created_by,
            created_at: v.created_at,
            deleted: v.deleted,
            body: v.body,
            denouncer: v.denouncer,
            deadlines: v.deadlines,
            flags: v.flags,
            outcomes: v
                .outcomes
                .into_iter()
                .map(|o| Outcome { path: o.path, code: o.code.to_string(), vi: o.vi, en: o.en })
                .collect(),
            conflicts: v.conflicts.into_iter().map(Conflict::from).collect(),
            heads: v.heads,
        }
    }
}

/// The store's key: 32 raw bytes from the Android Keystore or iOS Keychain, or a passphrase.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum StoreKey {
    Raw { bytes: Vec<u8> },
    Passphrase { passphrase: String },
}

impl TryFrom<StoreKey> for sotay_core::store::StoreKey {
    type Error = crate::error::SotayError;
    fn try_from(k: StoreKey) -> Result<Self, Self::Error> {
        match k {
            StoreKey::Raw { bytes } => {
                let raw: [u8; 32] = bytes.try_into().map_err(|_| crate::error::SotayError::WrongKey {
                    reason: "khóa phải dài 32 byte / the key must be 32 bytes".into(),
                })?;
                Ok(sotay_core::store::StoreKey::Raw(raw))
            }
            StoreKey::Passphrase { passphrase } => Ok(sotay_core::store::StoreKey::parse(&passphrase)?),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EthnicGroup {
    pub code: String,
    pub name: String,
}
