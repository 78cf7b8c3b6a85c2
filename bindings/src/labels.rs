//! Labels for people: a field's name and a value as the CLI and the dashboard show them, so
//! that the apps' history and conflict screens say "Kết quả hòa giải: Hòa giải thành" rather
//! than `outcome: success`.

use sotay_core::Lang;
use sotay_core::record::RecordKind;
use sotay_core::record::fields::{describe_path, display_value};

use crate::views::FieldValue;

/// A field's label from its path (`agenda.0.votes_for` → "Nội dung biểu quyết 1: Số phiếu tán thành").
#[uniffi::export]
pub fn field_label(path: String, lang: Lang) -> String {
    describe_path(&path, lang)
}

/// A field's value for people: coded values by their label, dates as the language writes them.
#[uniffi::export]
pub fn field_value_text(path: String, value: FieldValue, lang: Lang) -> String {
    display_value(&path, &value.into(), lang)
}

/// A kind of record as people call it ("Hòa giải ở cơ sở" / "Grassroots mediation").
#[uniffi::export]
pub fn kind_label(kind: RecordKind, lang: Lang) -> String {
    kind.label().get(lang).to_string()
}
