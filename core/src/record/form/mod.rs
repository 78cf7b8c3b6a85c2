//! A record's form as state, for the apps: the body being edited, what was typed into date and
//! number fields that does not read yet, and the problems to show under fields. The apps draw
//! `rows()` (a flat list: headings, fields, list items with their add and remove buttons) and
//! send back what the person did; the form follows the record's structure (`spec`), so Android
//! and iOS draw every kind with one renderer each and keep no form logic of their own.

mod describe;
mod spec;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::Value;

pub use describe::{Choice, FieldInfo, FieldType, describe, suggest};
pub use spec::{Field, Input, Options, Position, field_at, fields_of};

use super::fields::{display_date, field_label};
use super::input::set_path;
use super::{RecordBody, RecordKind};
use crate::error::{FieldError, Problem};
use crate::labels::Lang;
use crate::text::nfc;
use crate::time::{CivilDate, DATE_EXPECTED};

/// What a row of the form is, and so how an app draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// The heading of a group of fields.
    Section,
    /// The heading of a list, with an "add" button.
    List,
    /// The heading of one item of a list, with a "remove" button.
    Item,
    Text,
    LongText,
    Date,
    Count,
    Flag,
    Choice,
    Choices,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

/// One line of a form as an app draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormRow {
    /// Where the row's value lives (`attendance.women`, `issues.0`): what the app sends back.
    pub path: String,
    /// Nesting, for indentation: 0 for the record's own fields.
    pub depth: u32,
    pub label: String,
    pub kind: RowKind,
    /// The value as text (dates as the language writes them), or what was typed and does not read.
    pub text: String,
    /// A flag's value.
    pub on: bool,
    /// A choice's options, the chosen ones marked.
    pub options: Vec<FormOption>,
    /// An item (or a line of a list of lines) the person may remove.
    pub removable: bool,
    /// What is wrong with the value, in the row's language.
    pub problem: Option<String>,
    /// The record cannot be saved without it, given the other values as they stand (an
    /// agreement's terms once a case is marked successful): the form marks it.
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct RecordForm {
    kind: RecordKind,
    /// The body as its JSON tree; always one that reads as a body of `kind`.
    tree: Value,
    /// The tree the form was opened with: what the person changed is what differs from it.
    base: Value,
    /// Text typed into date and number fields that does not read (yet), by path.
    typed: BTreeMap<String, String>,
    /// Problems to show, by path: from typing, and from the last save the store refused.
    problems: BTreeMap<String, FieldError>,
}

impl RecordForm {
    /// A new record of `kind`, as `new` starts it.
    pub fn new(kind: RecordKind) -> RecordForm {
        RecordForm::edit(&RecordBody::empty(kind))
    }

    /// A form over an existing record's body.
    pub fn edit(body: &RecordBody) -> RecordForm {
        let tree = body.to_value();
        RecordForm { kind: body.kind(), base: tree.clone(), tree, typed: BTreeMap::new(), problems: BTreeMap::new() }
    }

    pub fn kind(&self) -> RecordKind {
        self.kind
    }

    /// Text typed into a text, date or number field, or a line of a list of lines. A date or number
    /// that does not read is kept as typed, with its problem, and refused by `body()` until mended.
    pub fn set_text(&mut self, path: &str, text: &str) -> Result<(), FieldError> {
        let (field, position) = self.locate(path)?;
        let value = match (field.input, position) {
            (Input::Text | Input::LongText, Position::Field) | (Input::TextList, Position::Item) => {
                Value::String(nfc(text))
            }
            (Input::Date, Position::Field) => match text.trim() {
                "" => Value::Null,
                t => match t.parse::<CivilDate>() {
                    Ok(d) => Value::String(d.to_string()),
                    Err(()) => return Err(self.keep_typed(path, text, DATE_EXPECTED)),
                },
            },
            (Input::Count, Position::Field) if text.trim().is_empty() => {
                // Blank is "not entered" (chưa nhập) where the field can say so; a count whose
                // blank honestly means none (extensions granted) reads 0.
                return self.put(path, Value::Null).or_else(|_| self.put(path, Value::from(0)));
            }
            (Input::Count, Position::Field) => match count_of(text) {
                Some(n) => Value::from(n),
                None => return Err(self.keep_typed(path, text, "u32")),
            },
            _ => return Err(not_this_input(path)),
        };
        self.put(path, value)
    }

    pub fn set_flag(&mut self, path: &str, on: bool) -> Result<(), FieldError> {
        match self.locate(path)? {
            (Field { input: Input::Flag, .. }, Position::Field) => self.put(path, Value::Bool(on)),
            _ => Err(not_this_input(path)),
        }
    }

    /// Chooses one of a coded field's options.
    pub fn choose(&mut self, path: &str, code: &str) -> Result<(), FieldError> {
        match self.locate(path)? {
            (Field { input: Input::Choice(options), .. }, Position::Field) if has(options, code) => {
                self.put(path, Value::String(code.to_string()))
            }
            _ => Err(not_this_input(path)),
        }
    }

    /// Ticks or unticks an option of a field that takes several.
    pub fn toggle(&mut self, path: &str, code: &str) -> Result<(), FieldError> {
        let (Field { input: Input::Choices(options), .. }, Position::Field) = self.locate(path)? else {
            return Err(not_this_input(path));
        };
        if !has(options, code) {
            return Err(not_this_input(path));
        }
        let mut chosen: Vec<Value> = self.at(path).and_then(Value::as_array).cloned().unwrap_or_default();
        match chosen.iter().position(|v| v.as_str() == Some(code)) {
            Some(i) => {
                chosen.remove(i);
            }
            None => chosen.push(Value::String(code.to_string())),
        }
        self.put(path, Value::Array(chosen))
    }

    /// Adds an empty item at the end of a list; returns the new item's path.
    pub fn add_item(&mut self, path: &str) -> Result<String, FieldError> {
        let empty = match self.locate(path)? {
            (Field { input: Input::List(_), .. }, Position::Field) => Value::Object(Default::default()),
            (Field { input: Input::TextList, .. }, Position::Field) => Value::String(String::new()),
            _ => return Err(not_this_input(path)),
        };
        let mut items = self.at(path).and_then(Value::as_array).cloned().unwrap_or_default();
        items.push(empty);
        let item = format!("{path}.{}", items.len() - 1);
        self.put(path, Value::Array(items))?;
        Ok(item)
    }

    /// Removes an item of a list (`issues.1`).
    pub fn remove_item(&mut self, path: &str) -> Result<(), FieldError> {
        let (_, Position::Item) = self.locate(path)? else { return Err(not_this_input(path)) };
        let (list, index) = path.rsplit_once('.').ok_or_else(|| not_this_input(path))?;
        let index: usize = index.parse().map_err(|_| not_this_input(path))?;
        let mut items = self.at(list).and_then(Value::as_array).cloned().unwrap_or_default();
        if index >= items.len() {
            return Err(FieldError::new(path, Problem::UnknownField));
        }
        items.remove(index);
        self.put(list, Value::Array(items))?;
        // What was typed, and what is wrong, moves with the items after the one removed.
        self.typed = renumbered(std::mem::take(&mut self.typed), list, index);
        self.problems = renumbered(std::mem::take(&mut self.problems), list, index)
            .into_iter()
            .map(|(path, e)| (path.clone(), FieldError { path, ..e }))
            .collect();
        Ok(())
    }

    /// The body to save, or the problems of what was typed and does not read.
    pub fn body(&self) -> Result<RecordBody, Vec<FieldError>> {
        self.pending()?;
        RecordBody::from_input(self.kind, self.tree.clone())
    }

    /// The body to save over `current`, the record as it is now: the fields the person changed
    /// in the form, and `current`'s others, so that what arrived while the form was open (a file
    /// attached on another phone, a field another official set) is not written over.
    pub fn body_over(&self, current: &RecordBody) -> Result<RecordBody, Vec<FieldError>> {
        self.pending()?;
        let mut merged = current.to_value();
        if let (Value::Object(out), Value::Object(form), Value::Object(base)) = (&mut merged, &self.tree, &self.base) {
            for (field, value) in form {
                if base.get(field) != Some(value) {
                    out.insert(field.clone(), value.clone());
                }
            }
        }
        RecordBody::from_input(self.kind, merged)
    }

    fn pending(&self) -> Result<(), Vec<FieldError>> {
        let pending: Vec<FieldError> = self.typed.keys().filter_map(|p| self.problems.get(p)).cloned().collect();
        if pending.is_empty() { Ok(()) } else { Err(pending) }
    }

    /// Shows the problems the store found on saving (a required field, more women than
    /// attendees, ...) under their fields, with those of typing.
    pub fn show_problems(&mut self, errors: &[FieldError]) {
        self.problems.retain(|p, _| self.typed.contains_key(p));
        for e in errors {
            self.problems.insert(e.path.clone(), e.clone());
        }
    }

    /// The form as rows, in the order a person fills it in.
    pub fn rows(&self, lang: Lang) -> Vec<FormRow> {
        let mut out = Vec::new();
        self.walk(fields_of(self.kind), &self.tree, "", 0, lang, &mut out);
        let required = self.required_paths(&out);
        for row in &mut out {
            row.required = required.contains(&row.path);
        }
        out
    }

    /// The fields the store would refuse to save blank: the body validated with every text,
    /// date and count emptied and the choices kept, since what a choice says decides what else
    /// is needed. The validation's own rules, so the marks cannot drift from them.
    fn required_paths(&self, rows: &[FormRow]) -> std::collections::HashSet<String> {
        let mut blank = self.tree.clone();
        for row in rows {
            let empty = match row.kind {
                RowKind::Text | RowKind::LongText => Value::String(String::new()),
                RowKind::Date => Value::Null,
                // 0 reads into every count, "not entered" or not, and is what a required count refuses.
                RowKind::Count => Value::from(0),
                _ => continue,
            };
            if set_path(&mut blank, &row.path, empty).is_err() {
                return Default::default();
            }
        }
        let Ok(body) = RecordBody::from_input(self.kind, blank) else { return Default::default() };
        match body.validate(None) {
            Ok(()) => Default::default(),
            Err(errors) => errors.into_iter().filter(|e| e.problem == Problem::Required).map(|e| e.path).collect(),
        }
    }

    fn walk(&self, fields: &[Field], tree: &Value, prefix: &str, depth: u32, lang: Lang, out: &mut Vec<FormRow>) {
        for field in fields {
            let path = if prefix.is_empty() { field.name.to_string() } else { format!("{prefix}.{}", field.name) };
            let value = tree.get(field.name).unwrap_or(&Value::Null);
            let label = label_of(field.name, lang);
            let row = |kind: RowKind, path: String, label: String| FormRow {
                problem: self.problems.get(&path).map(|e| e.message(lang)),
                text: self.typed.get(&path).cloned().unwrap_or_default(),
                path,
                depth,
                label,
                kind,
                on: false,
                options: Vec::new(),
                removable: false,
                required: false,
            };
            match field.input {
                Input::Hidden => {}
                Input::Group(children) => {
                    out.push(row(RowKind::Section, path.clone(), label));
                    self.walk(children, value, &path, depth + 1, lang, out);
                }
                Input::List(children) => {
                    out.push(row(RowKind::List, path.clone(), label.clone()));
                    for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                        let item_path = format!("{path}.{i}");
                        out.push(FormRow {
                            removable: true,
                            ..row(RowKind::Item, item_path.clone(), format!("{label} {}", i + 1))
                        });
                        let mut inner = Vec::new();
                        self.walk(children, item, &item_path, depth + 1, lang, &mut inner);
                        out.extend(inner);
                    }
                }
                Input::TextList => {
                    out.push(row(RowKind::List, path.clone(), label.clone()));
                    for (i, line) in value.as_array().into_iter().flatten().enumerate() {
                        let line_path = format!("{path}.{i}");
                        let text = line.as_str().unwrap_or_default().to_string();
                        out.push(FormRow {
                            text,
                            removable: true,
                            ..row(RowKind::Text, line_path, format!("{label} {}", i + 1))
                        });
                    }
                }
                Input::Text | Input::LongText => {
                    let kind = if matches!(field.input, Input::Text) { RowKind::Text } else { RowKind::LongText };
                    out.push(FormRow {
                        text: value.as_str().unwrap_or_default().to_string(),
                        ..row(kind, path, label)
                    });
                }
                Input::Date => {
                    let r = row(RowKind::Date, path, label);
                    let shown = value.as_str().map(|d| display_date(d, lang)).unwrap_or_default();
                    out.push(FormRow {
                        text: if self.typed.contains_key(&r.path) { r.text.clone() } else { shown },
                        ..r
                    });
                }
                Input::Count => {
                    let r = row(RowKind::Count, path, label);
                    let shown = value.as_u64().map(|n| n.to_string()).unwrap_or_default();
                    out.push(FormRow {
                        text: if self.typed.contains_key(&r.path) { r.text.clone() } else { shown },
                        ..r
                    });
                }
                Input::Flag => {
                    out.push(FormRow { on: value.as_bool().unwrap_or(false), ..row(RowKind::Flag, path, label) })
                }
                Input::Choice(options) => {
                    let chosen = value.as_str().unwrap_or_default();
                    let options = options_of(options, lang, |code| code == chosen);
                    out.push(FormRow { options, ..row(RowKind::Choice, path, label) });
                }
                Input::Choices(options) => {
                    let chosen: Vec<&str> = value.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                    let options = options_of(options, lang, |code| chosen.contains(&code));
                    out.push(FormRow { options, ..row(RowKind::Choices, path, label) });
                }
            }
        }
    }

    /// The field at `path`, which must be in the form now (an item removed a moment ago is not).
    fn locate(&self, path: &str) -> Result<(Field, Position), FieldError> {
        match (field_at(self.kind, path), self.at(path)) {
            (Some(found), Some(_)) => Ok(found),
            _ => Err(FieldError::new(path, Problem::UnknownField)),
        }
    }

    fn at(&self, path: &str) -> Option<&Value> {
        super::input::value_at(&self.tree, path)
    }

    /// Sets a value and re-reads the body, so the tree stays one the kind accepts (defaults of a
    /// new item filled in, dates in their stored form).
    fn put(&mut self, path: &str, value: Value) -> Result<(), FieldError> {
        let mut tree = self.tree.clone();
        set_path(&mut tree, path, value)?;
        let body = RecordBody::from_input(self.kind, tree)
            .map_err(|errors| errors.into_iter().next().unwrap_or_else(|| not_this_input(path)))?;
        self.tree = body.to_value();
        self.typed.remove(path);
        self.problems.remove(path);
        Ok(())
    }

    fn keep_typed(&mut self, path: &str, text: &str, expected: &str) -> FieldError {
        let error = FieldError::new(path, Problem::InvalidValue { expected: expected.into() });
        self.typed.insert(path.to_string(), text.to_string());
        self.problems.insert(path.to_string(), error.clone());
        error
    }
}

/// Paths under `list` after item `removed` one position down; those under `removed` gone.
fn renumbered<T>(by_path: BTreeMap<String, T>, list: &str, removed: usize) -> BTreeMap<String, T> {
    let under = format!("{list}.");
    by_path
        .into_iter()
        .filter_map(|(path, value)| {
            let Some(rest) = path.strip_prefix(&under) else { return Some((path, value)) };
            let (index, tail) = rest.split_once('.').unwrap_or((rest, ""));
            match index.parse::<usize>() {
                Ok(i) if i == removed => None,
                Ok(i) if i > removed => {
                    let tail = if tail.is_empty() { String::new() } else { format!(".{tail}") };
                    Some((format!("{under}{}{tail}", i - 1), value))
                }
                _ => Some((path, value)),
            }
        })
        .collect()
}

/// A whole number as people type it: `1200`, or grouped by thousands (`1.200`, `1,200`, `1 200`).
fn count_of(text: &str) -> Option<u32> {
    let t = text.trim();
    let groups: Vec<&str> = t.split(['.', ',', ' ']).collect();
    let grouped = groups.len() > 1 && (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
    if groups.len() > 1 && !grouped {
        return None;
    }
    let digits: String = groups.concat();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn has(options: Options, code: &str) -> bool {
    options().iter().any(|(c, _)| *c == code)
}

fn options_of(options: Options, lang: Lang, selected: impl Fn(&str) -> bool) -> Vec<FormOption> {
    options()
        .into_iter()
        .map(|(code, label)| FormOption { code: code.into(), label: label.get(lang).into(), selected: selected(code) })
        .collect()
}

fn label_of(name: &str, lang: Lang) -> String {
    field_label(name).map(|l| l.get(lang).to_string()).unwrap_or_else(|| name.to_string())
}

/// A path that names no field of this kind, or a field of another input than the call.
fn not_this_input(path: &str) -> FieldError {
    FieldError::new(path, Problem::UnknownField)
}
