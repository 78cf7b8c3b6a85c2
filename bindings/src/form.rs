//! A record's form, for the apps to draw and fill in (the core's `RecordForm`): rows to draw,
//! what the person did sent back by path, and saving, with the store's problems shown under
//! their fields. Android and iOS each draw it with one renderer for all eight kinds.

use std::sync::{Arc, Mutex, MutexGuard};

use sotay_core::Lang;
use sotay_core::error::{CoreError, FieldError, FieldErrors};
use sotay_core::record::form::{self, FormOption, FormRow, RowKind};
use sotay_core::record::{RecordBody, RecordKind};

use crate::error::SotayError;
use crate::store::Store;

/// What a row is, and so how it is drawn.
#[uniffi::remote(Enum)]
pub enum RowKind {
    Section,
    List,
    Item,
    Text,
    LongText,
    Date,
    Count,
    Flag,
    Choice,
    Choices,
}

#[uniffi::remote(Record)]
pub struct FormOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

/// One line of a form: a heading, a field, or a list item with its remove button.
#[uniffi::remote(Record)]
pub struct FormRow {
    pub path: String,
    pub depth: u32,
    pub label: String,
    pub kind: RowKind,
    pub text: String,
    pub on: bool,
    pub options: Vec<FormOption>,
    pub removable: bool,
    pub problem: Option<String>,
    pub required: bool,
}

#[derive(uniffi::Object)]
pub struct RecordForm {
    inner: Mutex<form::RecordForm>,
    lang: Lang,
}

fn refused(error: FieldError) -> SotayError {
    CoreError::InvalidInput(FieldErrors(vec![error])).into()
}

#[uniffi::export]
impl RecordForm {
    /// A form for a new record of `kind`.
    #[uniffi::constructor]
    pub fn new(kind: RecordKind, lang: Lang) -> Arc<RecordForm> {
        Arc::new(RecordForm { inner: Mutex::new(form::RecordForm::new(kind)), lang })
    }

    /// A form over a record's body (`store.record(id).body`).
    #[uniffi::constructor]
    pub fn edit(body: RecordBody, lang: Lang) -> Arc<RecordForm> {
        Arc::new(RecordForm { inner: Mutex::new(form::RecordForm::edit(&body)), lang })
    }

    pub fn kind(&self) -> RecordKind {
        self.lock().kind()
    }

    /// The rows to draw, in order.
    pub fn rows(&self) -> Vec<FormRow> {
        self.lock().rows(self.lang)
    }

    /// Text typed into a field. A date or number that does not read is kept as typed and shown
    /// with its problem; the error says the same.
    pub fn set_text(&self, path: String, text: String) -> Result<(), SotayError> {
        self.lock().set_text(&path, &text).map_err(refused)
    }

    pub fn set_flag(&self, path: String, on: bool) -> Result<(), SotayError> {
        self.lock().set_flag(&path, on).map_err(refused)
    }

    pub fn choose(&self, path: String, code: String) -> Result<(), SotayError> {
        self.lock().choose(&path, &code).map_err(refused)
    }

    pub fn toggle(&self, path: String, code: String) -> Result<(), SotayError> {
        self.lock().toggle(&path, &code).map_err(refused)
    }

    /// Adds an item to the list at `path`; returns the item's path.
    pub fn add_item(&self, path: String) -> Result<String, SotayError> {
        self.lock().add_item(&path).map_err(refused)
    }

    pub fn remove_item(&self, path: String) -> Result<(), SotayError> {
        self.lock().remove_item(&path).map_err(refused)
    }

    /// The body as filled in, or the problems of what does not read.
    pub fn body(&self) -> Result<RecordBody, SotayError> {
        self.lock().body().map_err(|errors| CoreError::InvalidInput(FieldErrors(errors)).into())
    }

    /// Saves a new record in `unit` (`id` none) or the record `id`; returns its id. When the
    /// store refuses, its problems show under their fields in `rows()` and the error lists them.
    pub fn save(&self, store: Arc<Store>, unit: String, id: Option<String>) -> Result<String, SotayError> {
        let mut form = self.lock();
        let mut s = store.lock();
        let saved = match id {
            None => form.body().map_err(CoreError::invalid).and_then(|body| s.create_record(&unit, body)),
            // Over the record as it is now: what arrived while the form was open is kept.
            Some(id) => s
                .record(&id)
                .and_then(|current| form.body_over(&current.body).map_err(CoreError::invalid))
                .and_then(|body| s.update_record(&id, body).map(|()| id)),
        };
        match saved {
            Ok(id) => {
                // The form goes on from what was saved (item ids given, others' changes in).
                if let Ok(view) = s.record(&id) {
                    *form = form::RecordForm::edit(&view.body);
                }
                Ok(id)
            }
            Err(CoreError::InvalidInput(FieldErrors(errors))) => {
                form.show_problems(&errors);
                Err(CoreError::InvalidInput(FieldErrors(errors)).into())
            }
            Err(other) => Err(other.into()),
        }
    }
}

impl RecordForm {
    fn lock(&self) -> MutexGuard<'_, form::RecordForm> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
