//! What the Android and iOS apps share beyond the store: the core's `phone` module (enrollment
//! codes, the sync policy, dates and numbers for people), so both apps use one tested copy.

use sotay_core::Lang;
use sotay_core::phone::{self, EnrollmentCode, NetworkState, SyncDecision, SyncMoment, SyncSettings};
use sotay_core::time::CivilDate;

use crate::error::SotayError;

/// An enrollment code read from a QR code or typed: the code, and the server when the QR names it.
#[uniffi::remote(Record)]
pub struct EnrollmentCode {
    pub code: String,
    pub server: Option<String>,
}

/// What the phone knows of its connection.
#[uniffi::remote(Record)]
pub struct NetworkState {
    pub connected: bool,
    pub metered: bool,
}

/// The user's choices about sync.
#[uniffi::remote(Record)]
pub struct SyncSettings {
    #[uniffi(default = false)]
    pub attachments_on_metered: bool,
    #[uniffi(default = 1800000)]
    pub pull_every_ms: i64,
}

/// Where sync stands when the scheduler asks (times in ms since the epoch, this device's clock).
#[uniffi::remote(Record)]
pub struct SyncMoment {
    #[uniffi(default = 0)]
    pub pending: u64,
    #[uniffi(default = None)]
    pub last_sync_at: Option<i64>,
    #[uniffi(default = 0)]
    pub failures_in_a_row: u32,
    #[uniffi(default = None)]
    pub last_attempt_at: Option<i64>,
    pub now: i64,
    #[uniffi(default = false)]
    pub manual: bool,
}

#[uniffi::remote(Enum)]
pub enum SyncDecision {
    Now { with_attachments: bool },
    Later { after_ms: i64 },
    WaitForNetwork,
}

/// Reads `sotay://enroll?server=…&code=…` or a typed code; `None` when it is neither.
#[uniffi::export]
pub fn parse_enrollment_code(text: String) -> Option<EnrollmentCode> {
    EnrollmentCode::parse(&text)
}

/// Whether to sync now (and with attachments), later, or when a network appears.
#[uniffi::export]
pub fn sync_decision(settings: SyncSettings, network: NetworkState, moment: SyncMoment) -> SyncDecision {
    phone::decide(settings, network, moment)
}

/// The wait after this many failed syncs in a row.
#[uniffi::export]
pub fn sync_backoff_ms(failures_in_a_row: u32) -> i64 {
    phone::backoff_ms(failures_in_a_row)
}

/// `2026-10-03` → `03/10/2026` in Vietnamese; empty for none; other text as it is.
#[uniffi::export]
pub fn date_text(iso: Option<String>, lang: Lang) -> String {
    phone::date_text(iso.as_deref(), lang)
}

/// An instant (ms since the epoch) in Vietnam time, to the minute.
#[uniffi::export]
pub fn instant_text(at_ms: i64, lang: Lang) -> String {
    phone::instant_text(at_ms, lang)
}

/// `1234567` → `1.234.567` in Vietnamese, `1,234,567` in English.
#[uniffi::export]
pub fn number_text(n: i64, lang: Lang) -> String {
    phone::number_text(n, lang)
}

/// A file's size for people: `120 KB`, `1,2 MB`.
#[uniffi::export]
pub fn size_text(bytes: u64, lang: Lang) -> String {
    phone::size_text(bytes, lang)
}

/// The kinds of file a record takes (photos and scans), for the file picker.
#[uniffi::export]
pub fn attachment_media_types() -> Vec<String> {
    sotay_core::record::attachment::MEDIA_TYPES.iter().map(|t| t.to_string()).collect()
}

/// A deadline in words from today: "Còn 3 ngày", "Hạn hôm nay", "Quá hạn 5 ngày". A `today` that
/// is not a date is refused as invalid input (a `due` that is not one is shown as it is).
#[uniffi::export]
pub fn due_in_text(due: String, today: CivilDate, lang: Lang) -> Result<String, SotayError> {
    Ok(phone::due_in_text(&due, today, lang))
}

/// Days from `from` to `to` (negative when `to` is earlier): how near a deadline is.
#[uniffi::export]
pub fn days_between(from: CivilDate, to: CivilDate) -> Result<i64, SotayError> {
    Ok(from.days_until(to))
}

/// Today's date in Vietnam at this instant (the phone's zone setting does not matter).
#[uniffi::export]
pub fn today_in_vietnam(now_ms: i64) -> CivilDate {
    CivilDate::in_vietnam(now_ms)
}
