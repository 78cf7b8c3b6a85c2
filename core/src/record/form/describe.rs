//! A kind's fields as a person typing `--set PATH=VALUE` needs them (`sotay fields KIND`): each
//! field's path, what it takes, its allowed codes, its labels, and whether a record cannot be
//! saved without it. Read off the form's structure ([`fields_of`]) and the kind's own validation,
//! so the list cannot drift from what the store accepts.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

use super::spec::{Field, Input, fields_of};
use crate::error::Problem;
use crate::labels::Label;
use crate::record::fields::field_label;
use crate::record::{RecordBody, RecordKind};

/// What a field takes, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    LongText,
    /// `DD/MM/YYYY` or `YYYY-MM-DD`.
    Date,
    /// A whole number, 0 or more.
    Count,
    /// `true` or `false`.
    Flag,
    /// One of the codes.
    Choice,
    /// Any of the codes, one per position (`PATH.0=code`).
    Choices,
    /// Lines of text, one per position (`PATH.0=…`).
    TextList,
    /// A group of the fields under it.
    Group,
    /// Items of the fields under it, one per position (`PATH.0.FIELD=…`).
    List,
}

impl FieldType {
    pub fn label(self) -> Label {
        match self {
            FieldType::Text => Label::new("văn bản", "text"),
            FieldType::LongText => Label::new("văn bản dài", "long text"),
            FieldType::Date => Label::new("ngày (DD/MM/YYYY)", "date (DD/MM/YYYY)"),
            FieldType::Count => Label::new("số (0, 1, 2…)", "number (0, 1, 2…)"),
            FieldType::Flag => Label::new("có/không (true/false)", "yes/no (true/false)"),
            FieldType::Choice => Label::new("một mã", "one code"),
            FieldType::Choices => Label::new("nhiều mã", "several codes"),
            FieldType::TextList => Label::new("danh sách dòng", "list of lines"),
            FieldType::Group => Label::new("nhóm", "group"),
            FieldType::List => Label::new("danh sách mục", "list of items"),
        }
    }
}

/// An allowed code of a choice, with its labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub code: &'static str,
    pub label: Label,
}

/// One field of a kind, as typed on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldInfo {
    /// The path to type, with `N` for a position in a list (`issues.N.topic`).
    pub path: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    pub label: Label,
    pub choices: Vec<Choice>,
    /// A record cannot be saved without it (within each item, for a field of a list's items).
    /// Fields required only in some states (a decision date once decided) are not marked.
    pub required: bool,
}

/// The fields of `kind`, in the order a person fills them in; hidden ones (item ids, attachment
/// references) left out.
pub fn describe(kind: RecordKind) -> Vec<FieldInfo> {
    let required = always_required(kind);
    let mut out = Vec::new();
    walk(fields_of(kind), "", &required, &mut out);
    out
}

fn walk(fields: &'static [Field], prefix: &str, required: &BTreeSet<String>, out: &mut Vec<FieldInfo>) {
    for field in fields {
        let path = format!("{prefix}{}", field.name);
        let (field_type, choices) = match field.input {
            Input::Hidden => continue,
            Input::Text => (FieldType::Text, None),
            Input::LongText => (FieldType::LongText, None),
            Input::Date => (FieldType::Date, None),
            Input::Count => (FieldType::Count, None),
            Input::Flag => (FieldType::Flag, None),
            Input::Choice(options) => (FieldType::Choice, Some(options)),
            Input::Choices(options) => (FieldType::Choices, Some(options)),
            Input::TextList => (FieldType::TextList, None),
            Input::Group(_) => (FieldType::Group, None),
            Input::List(_) => (FieldType::List, None),
        };
        out.push(FieldInfo {
            label: field_label(field.name).unwrap_or(Label::new(field.name, field.name)),
            choices: choices
                .map(|options| options().into_iter().map(|(code, label)| Choice { code, label }).collect())
                .unwrap_or_default(),
            required: required.contains(&path),
            field_type,
            path: path.clone(),
        });
        match field.input {
            Input::Group(children) => walk(children, &format!("{path}."), required, out),
            Input::List(children) => walk(children, &format!("{path}.N."), required, out),
            _ => {}
        }
    }
}

/// The paths (positions as `N`) that the kind's validation requires of a record with nothing
/// filled in and one empty item in every list.
fn always_required(kind: RecordKind) -> BTreeSet<String> {
    let mut tree = RecordBody::empty(kind).to_value();
    if let Value::Object(map) = &mut tree {
        one_item_each(fields_of(kind), map);
    }
    let Ok(body) = RecordBody::from_input(kind, tree) else { return BTreeSet::new() };
    let Err(errors) = body.validate(None) else { return BTreeSet::new() };
    errors
        .into_iter()
        .filter(|e| e.problem == Problem::Required)
        .map(|e| {
            e.path.split('.').map(|s| if s.parse::<usize>().is_ok() { "N" } else { s }).collect::<Vec<_>>().join(".")
        })
        .collect()
}

fn one_item_each(fields: &'static [Field], map: &mut Map<String, Value>) {
    for field in fields {
        match field.input {
            Input::List(children) => {
                let mut item = Map::new();
                one_item_each(children, &mut item);
                map.insert(field.name.to_string(), Value::Array(vec![Value::Object(item)]));
            }
            Input::Group(children) => {
                if let Some(Value::Object(group)) = map.get_mut(field.name) {
                    one_item_each(children, group);
                }
            }
            _ => {}
        }
    }
}

/// Fields of `kind` that a mistyped path may have meant: the same name without diacritics or
/// separators ("tieu_de" → title, labelled "Tiêu đề"), or one that differs by a letter or two.
/// At most three, best first.
pub fn suggest(kind: RecordKind, typed: &str) -> Vec<FieldInfo> {
    let folded = squash(typed);
    let mut scored: Vec<(usize, FieldInfo)> = describe(kind)
        .into_iter()
        .filter_map(|f| {
            let by_path = distance(&folded, &squash(&f.path.replace(".N.", ".")));
            let by_label = distance(&folded, &squash(f.label.vi)).min(distance(&folded, &squash(f.label.en)));
            let best = by_path.min(by_label);
            // A typo: at most a third of what was typed differs.
            (best <= folded.chars().count().div_ceil(3)).then_some((best, f))
        })
        .collect();
    scored.sort_by_key(|(d, _)| *d);
    scored.into_iter().take(3).map(|(_, f)| f).collect()
}

/// Lowercase letters and digits only, diacritics folded (đ → d), positions dropped.
fn squash(s: &str) -> String {
    crate::text::fold(s).chars().filter(|c| c.is_alphabetic()).collect()
}

/// Levenshtein distance over characters; the inputs are field names and labels, a few dozen
/// characters at most (typed text is cut to 64).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: RecordKind, path: &str) -> FieldInfo {
        describe(kind).into_iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path}"))
    }

    #[test]
    fn every_kind_lists_its_fields_with_labels_and_types() {
        for kind in RecordKind::ALL {
            let fields = describe(*kind);
            assert!(fields.iter().any(|f| f.path == "title"), "{kind:?}");
            for f in &fields {
                assert!(!f.label.vi.is_empty() && f.label.vi != f.path, "{kind:?} {}: a label", f.path);
                assert_eq!(f.choices.is_empty(), !matches!(f.field_type, FieldType::Choice | FieldType::Choices));
            }
        }
    }

    #[test]
    fn required_fields_are_those_the_store_refuses_without() {
        let title = field(RecordKind::Mediation, "title");
        assert!(title.required);
        assert_eq!((title.label.vi, title.field_type), ("Tiêu đề", FieldType::Text));
        assert!(field(RecordKind::Dialogue, "held_on").required);
        assert!(field(RecordKind::Dialogue, "issues.N.topic").required, "within each issue raised");
        assert!(!field(RecordKind::Dialogue, "place").required);
        // Whatever is marked, an empty record is refused for it, and only for marked fields.
        for kind in RecordKind::ALL {
            let marked: BTreeSet<String> =
                describe(*kind).into_iter().filter(|f| f.required && !f.path.contains(".N.")).map(|f| f.path).collect();
            let refused: BTreeSet<String> = RecordBody::empty(*kind)
                .validate(None)
                .err()
                .unwrap_or_default()
                .into_iter()
                .filter(|e| e.problem == Problem::Required)
                .map(|e| e.path)
                .collect();
            assert_eq!(marked, refused, "{kind:?}");
        }
    }

    #[test]
    fn choices_carry_their_codes_and_labels() {
        let outcome = field(RecordKind::Mediation, "outcome");
        assert_eq!(outcome.field_type, FieldType::Choice);
        assert!(outcome.choices.iter().any(|c| c.code == "success" && c.label.vi.contains("thành")), "{outcome:?}");
    }

    #[test]
    fn a_mistyped_field_is_matched_by_its_vietnamese_label_without_diacritics() {
        let found = suggest(RecordKind::Mediation, "tieu_de");
        assert_eq!(found.first().map(|f| f.path.as_str()), Some("title"));
        assert_eq!(suggest(RecordKind::Dialogue, "held_no").first().map(|f| f.path.as_str()), Some("held_on"));
        assert!(suggest(RecordKind::Dialogue, "xyzzyqwerty").is_empty(), "nothing close: nothing suggested");
    }
}
