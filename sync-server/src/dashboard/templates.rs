//! The pages' templates (askama, in `sync-server/templates/`, escaped as HTML) and what each
//! is given.

use askama::Template;
use sotay_core::Lang;

use super::charts::{BarChart, TrendChart};

/// What every page's frame needs.
pub struct Chrome {
    pub lang: Lang,
    /// The signed-in user's display name.
    pub user: Option<String>,
    pub csrf: String,
    pub title: String,
    /// The signed-in user administers: the audit log is in the menu.
    pub admin: bool,
}

impl Chrome {
    pub fn t(&self, vi: &'static str, en: &'static str) -> &'static str {
        if self.lang == Lang::Vi { vi } else { en }
    }

    pub fn lang_code(&self) -> &'static str {
        if self.lang == Lang::Vi { "vi" } else { "en" }
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub message: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct RecordRow {
    /// Sorted by unit: the unit's name on the first row of its group, for a heading.
    pub group: Option<String>,
    pub id: String,
    pub date: String,
    pub kind: String,
    pub title: String,
    pub unit: String,
    pub status: String,
    pub due: String,
    pub overdue: bool,
    pub conflicts: bool,
}

#[derive(Template)]
#[template(path = "records.html")]
pub struct RecordsPage {
    pub chrome: Chrome,
    pub kinds: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub overdue: bool,
    pub conflicts: bool,
    pub unit: String,
    pub search: String,
    pub status: String,
    pub author: String,
    pub from: String,
    pub to: String,
    /// Records that match, on every page.
    pub total: usize,
    /// Links to each page (value), numbered (label), the one shown selected.
    pub page_links: Vec<Choice>,
    /// The filters as a query string, for the exports' links.
    pub query: String,
    /// The rows shown, counted from 1.
    pub first: usize,
    pub last: usize,
    pub rows: Vec<RecordRow>,
    pub here: String,
}

pub struct Field {
    pub label: String,
    pub value: String,
}

pub struct DeadlineRow {
    pub label: String,
    pub due: String,
    pub state: String,
    pub overdue: bool,
}

pub struct HistoryRow {
    pub author: String,
    pub device_time: String,
    pub server_time: String,
    pub changes: Vec<String>,
}

pub struct ConflictChoice {
    pub value: String,
    pub author: String,
    pub device_time: String,
}

pub struct ConflictRow {
    pub path: String,
    pub label: String,
    pub values: Vec<ConflictChoice>,
}

#[derive(Template)]
#[template(path = "record.html")]
pub struct RecordPage {
    pub chrome: Chrome,
    pub id: String,
    pub conflicts: Vec<ConflictRow>,
    /// The viewer may write this record: each conflict has a form to pick a value.
    pub may_resolve: bool,
    pub kind: String,
    pub unit: String,
    pub deleted: Option<String>,
    pub fields: Vec<Field>,
    pub deadlines: Vec<DeadlineRow>,
    pub flags: Vec<String>,
    /// What a village meeting's items come to, in words.
    pub outcomes: Vec<String>,
    pub history: Vec<HistoryRow>,
    pub here: String,
}

pub struct FigureRow {
    pub code: String,
    pub label: String,
    pub value: String,
}

pub struct FigureSection {
    pub title: String,
    pub rows: Vec<FigureRow>,
    pub chart: BarChart,
}

pub struct RollUpRow {
    pub code: String,
    pub name: String,
    pub values: Vec<String>,
    pub no_front_session: bool,
    /// When a device of the unit last synced, in Vietnam time; empty when none has.
    pub last_sync: String,
    /// Nothing was ever received from the unit: its zeros are not reported zeros.
    pub no_data: bool,
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub chrome: Chrome,
    pub unit_code: String,
    pub unit_name: String,
    pub period: String,
    pub period_label: String,
    pub range: String,
    pub conventions: Vec<Choice>,
    pub convention_label: String,
    pub query: String,
    pub sections: Vec<FigureSection>,
    pub trend: TrendChart,
    pub roll_up_heads: Vec<String>,
    pub roll_up: Vec<RollUpRow>,
    pub no_front_session: Vec<String>,
    pub issued: Option<String>,
    pub amendments: Vec<String>,
    /// Figures that moved since the report was issued: "label: then → now".
    pub moved: Vec<String>,
    pub may_issue: bool,
    pub counted: usize,
    pub here: String,
}

/// The official form of a report (Decree 30/2020/NĐ-CP) as a printable A4 page.
#[derive(Template)]
#[template(path = "official.html")]
pub struct OfficialPage {
    pub chrome: Chrome,
    pub layout: sotay_core::report::official::Layout,
    pub national_title: &'static str,
    pub motto: &'static str,
    pub form: sotay_core::report::OfficialForm,
    /// unit, period and convention, for the links.
    pub query: String,
    pub unit_code: String,
    pub period: String,
    pub convention: &'static str,
    /// What the official filled in, as typed, for the form and the DOCX link.
    pub number: String,
    pub date: String,
    pub signer: String,
    pub filled: String,
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub origin: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    /// Where the language links come back to.
    pub here: String,
    pub rows: Vec<AuditRow>,
}

pub struct UserRow {
    pub login: String,
    pub name: String,
    pub role: String,
    pub role_code: String,
    pub unit: String,
    pub unit_name: String,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct AdminUsersPage {
    pub chrome: Chrome,
    /// Where the language links come back to.
    pub here: String,
    pub rows: Vec<UserRow>,
    /// Role codes with their labels.
    pub roles: Vec<(String, String)>,
}

pub struct DeviceRow {
    pub device_id: String,
    pub login: String,
    pub user_name: String,
    pub name: String,
    /// Its system and app version, as it said when it enrolled.
    pub platform: String,
    pub enrolled: String,
    /// Its last sync, in Vietnam time; empty when it never synced.
    pub last_seen: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_devices.html")]
pub struct AdminDevicesPage {
    pub chrome: Chrome,
    /// Where the language links come back to.
    pub here: String,
    pub rows: Vec<DeviceRow>,
}

pub struct CodeRow {
    pub id: String,
    pub login: String,
    pub user_name: String,
    pub issued: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "admin_codes.html")]
pub struct AdminCodesPage {
    pub chrome: Chrome,
    /// Where the language links come back to.
    pub here: String,
    pub rows: Vec<CodeRow>,
    /// Users a code may be issued to: (login, name).
    pub logins: Vec<(String, String)>,
    pub public_url: String,
    pub hours: i64,
}

/// A code's card, to print: shown once, when the code is issued.
#[derive(Template)]
#[template(path = "code_card.html")]
pub struct CodeCard {
    pub chrome: Chrome,
    /// Where the language links come back to.
    pub here: String,
    pub code: String,
    /// The QR code as SVG markup, made by the server from the code and the server's address.
    pub qr: String,
    pub user_name: String,
    pub login: String,
    pub unit: String,
    pub server: String,
    pub expires: String,
}

/// Several units match a name: the reader picks one.
#[derive(Template)]
#[template(path = "units.html")]
pub struct UnitChoicePage {
    pub chrome: Chrome,
    pub asked: String,
    /// Links to the report of each unit (value) with its name and code (label).
    pub choices: Vec<Choice>,
}
