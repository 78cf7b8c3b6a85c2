//! The eight kinds of grassroots record, what each must contain, and what the law derives from
//! them (deadlines, flags). Pure data and rules: no storage, no automerge.

pub mod attachment;
pub mod common;
pub mod consultation;
pub mod dialogue;
pub mod exemplary_model;
pub mod fields;
pub mod form;
pub mod front_session;
pub mod input;
pub mod mediation;
pub mod petition;
pub mod supervision;
pub mod village;
pub mod village_meeting;

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::error::FieldError;
use crate::time::{CivilDate, Millis};

pub use consultation::Consultation;
pub use dialogue::Dialogue;
pub use exemplary_model::ExemplaryModel;
pub use front_session::FrontSession;
pub use mediation::MediationCase;
pub use petition::{DenouncerIdentity, Petition};
pub use supervision::Supervision;
pub use village::Village;
pub use village_meeting::VillageMeeting;

/// The version of the document layout this build writes.
pub const SCHEMA_VERSION: u64 = 1;

coded_enum! {
    /// The kinds of record the provincial plan asks communes to keep.
    pub enum RecordKind {
        #[default]
        Dialogue = "dialogue" => ("Đối thoại trực tiếp", "Direct dialogue"),
        Mediation = "mediation" => ("Hòa giải ở cơ sở", "Grassroots mediation"),
        VillageMeeting = "village-meeting" => ("Hội nghị thôn (dân chủ ở cơ sở)", "Village meeting (grassroots democracy)"),
        Petition = "petition" => ("Khiếu nại, tố cáo, kiến nghị, phản ánh", "Complaint, denunciation or petition"),
        Consultation = "consultation" => ("Lấy ý kiến nhân dân", "Public consultation"),
        FrontSession = "front-session" => ("Làm việc với Mặt trận Tổ quốc và các đoàn thể", "Working session with the Fatherland Front"),
        Supervision = "supervision" => ("Thanh tra nhân dân, giám sát đầu tư cộng đồng", "People's inspection and community supervision"),
        Model = "model" => ("Mô hình \"Dân vận khéo\"", "\"Dân vận khéo\" exemplary model"),
    }
}

coded_enum! {
    /// Every kind of document a store holds: the records, and what supports them.
    pub enum DocumentKind {
        #[default]
        Dialogue = "dialogue" => ("Đối thoại trực tiếp", "Direct dialogue"),
        Mediation = "mediation" => ("Hòa giải ở cơ sở", "Grassroots mediation"),
        VillageMeeting = "village-meeting" => ("Hội nghị thôn", "Village meeting"),
        Petition = "petition" => ("Khiếu nại, tố cáo, kiến nghị, phản ánh", "Complaint, denunciation or petition"),
        Consultation = "consultation" => ("Lấy ý kiến nhân dân", "Public consultation"),
        FrontSession = "front-session" => ("Làm việc với Mặt trận Tổ quốc", "Working session with the Fatherland Front"),
        Supervision = "supervision" => ("Thanh tra, giám sát cộng đồng", "Inspection and community supervision"),
        Model = "model" => ("Mô hình \"Dân vận khéo\"", "\"Dân vận khéo\" model"),
        Village = "village" => ("Thôn, bản, tổ dân phố", "Village"),
        DenouncerIdentity = "denouncer-identity" => ("Danh tính người tố cáo", "Denouncer's identity"),
    }
}

impl DocumentKind {
    pub fn record_kind(self) -> Option<RecordKind> {
        RecordKind::from_code(self.code())
    }
}

impl From<RecordKind> for DocumentKind {
    fn from(k: RecordKind) -> Self {
        DocumentKind::from_code(k.code()).unwrap_or_default()
    }
}

/// Who made a change: the user's login and the device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Author {
    pub user: String,
    pub device: String,
}

/// A deleted record keeps its document; this says who deleted it, when, and why.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Tombstone {
    pub reason: String,
    pub by: Author,
    /// Device time of the deletion.
    pub at: Millis,
}

coded_enum! {
    pub enum DeadlineCode {
        #[default]
        Acceptance = "acceptance" => ("Hạn thụ lý", "Acceptance due"),
        AcceptanceNotice = "acceptance_notice" => ("Hạn thông báo thụ lý cho người tố cáo", "Acceptance notice to the denouncer due"),
        Settlement = "settlement" => ("Hạn giải quyết", "Settlement due"),
        PublishResults = "publish_results" => ("Hạn công khai kết quả đối thoại", "Publication of the dialogue's results due"),
        IssueResolution = "issue_resolution" => ("Hạn giải quyết vấn đề", "Issue resolution due"),
        AgreementPerformance = "agreement_performance" => ("Hạn thực hiện thỏa thuận hòa giải", "Agreement performance due"),
        Recommendation = "recommendation" => ("Hạn thực hiện kiến nghị", "Recommendation due"),
    }
}

/// A time limit that the law or the record itself sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub code: DeadlineCode,
    /// The part of the record it belongs to (`issues.2`), empty for the record itself.
    pub path: String,
    pub due: CivilDate,
    pub met: bool,
    pub met_on: Option<CivilDate>,
}

impl Deadline {
    /// Overdue as of `today`: the limit had passed by then and was not met in time. Also
    /// answers for a past day (a report's last day): a limit met late is overdue only from the
    /// day after it was due.
    pub fn overdue(&self, today: CivilDate) -> bool {
        if today <= self.due {
            return false;
        }
        if self.met {
            return self.met_on.is_some_and(|d| d > self.due);
        }
        true
    }

    /// Still to be met: what the index's `next_due` is made of.
    pub fn pending(&self) -> bool {
        !self.met
    }
}

coded_enum! {
    pub enum FlagCode {
        #[default]
        ShortNotice = "short_notice" => ("Thông báo muộn hơn thời hạn luật định", "Notice given later than the law requires"),
        NoNotice = "no_notice" => ("Chưa ghi ngày thông báo", "No notice date recorded"),
        EligibilityUnchecked = "eligibility_unchecked" => ("Chưa kiểm tra điều kiện được hòa giải", "Eligibility for mediation not checked"),
        NotEligible = "not_eligible" => ("Thuộc trường hợp không được hòa giải ở cơ sở", "Excluded from grassroots mediation by law"),
        ConflictOfInterestUndeclared = "conflict_of_interest_undeclared" => ("Hòa giải viên chưa cam kết không có xung đột lợi ích", "Mediator has not declared no conflict of interest"),
        AgreementNotPerformed = "agreement_not_performed" => ("Thỏa thuận hòa giải không được thực hiện", "Mediation agreement not performed"),
        QuorumNotMet = "quorum_not_met" => ("Chưa đủ trên 50% số hộ dự họp", "Fewer than half of the households represented"),
        NeedsHouseholdBallot = "needs_household_ballot" => ("Cần phát phiếu lấy ý kiến hộ gia đình", "Household ballot needed"),
        RemoteArea = "remote_area" => ("Vùng sâu, vùng xa", "Remote area"),
    }
}

/// Something a person should look at: a requirement of law not met, or a case needing care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub code: FlagCode,
    pub path: String,
}

impl Flag {
    pub fn new(code: FlagCode, path: impl Into<String>) -> Self {
        Flag { code, path: path.into() }
    }
}

/// What part of a record comes to, in words with its figures: a village meeting item passed or
/// not, binding on the village or needing ballots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The part it is about: `agenda.0`.
    pub path: String,
    /// The code of the outcome (`passed`, `needs_ballots`, ...).
    pub code: &'static str,
    pub vi: String,
    pub en: String,
}

impl Outcome {
    pub fn text(&self, lang: crate::labels::Lang) -> &str {
        match lang {
            crate::labels::Lang::Vi => &self.vi,
            crate::labels::Lang::En => &self.en,
        }
    }
}

/// What each kind of record knows about itself.
pub trait KindRules {
    /// The short title shown in lists.
    fn title(&self) -> &str;
    /// The status the index files it under (a code of the kind's status enum).
    fn status_code(&self) -> &'static str;
    /// The date lists sort by and date filters compare: when it happened, as people wrote it.
    fn event_date(&self) -> Option<CivilDate>;
    /// Rules a record must satisfy to be saved; problems are appended to `errors`.
    fn validate(&self, errors: &mut Vec<FieldError>);
    /// Rules about going from `before` to `self` in one edit.
    fn validate_change(&self, _before: &Self, _errors: &mut Vec<FieldError>) {}
    /// Fills in what the user need not type (ids of list items, code systems).
    fn normalise(&mut self) {}
    fn deadlines(&self) -> Vec<Deadline> {
        Vec::new()
    }
    fn flags(&self) -> Vec<Flag> {
        Vec::new()
    }
    /// What its parts come to, in words.
    fn outcomes(&self) -> Vec<Outcome> {
        Vec::new()
    }
    /// Appends the text that search should find this record by.
    fn search_text(&self, out: &mut String);
    /// Fields whose concurrent different values need a person to decide (`*` stands for a list index).
    fn significant_fields() -> &'static [&'static str]
    where
        Self: Sized;
}

/// The content of a record, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordBody {
    Dialogue(Dialogue),
    Mediation(MediationCase),
    VillageMeeting(VillageMeeting),
    Petition(Petition),
    Consultation(Consultation),
    FrontSession(FrontSession),
    Supervision(Supervision),
    Model(ExemplaryModel),
}

/// Runs `$e` with `$b` bound to the kind-specific body, and `$t` to its type.
macro_rules! with_body {
    ($body:expr, $b:ident => $e:expr) => {
        match $body {
            RecordBody::Dialogue($b) => $e,
            RecordBody::Mediation($b) => $e,
            RecordBody::VillageMeeting($b) => $e,
            RecordBody::Petition($b) => $e,
            RecordBody::Consultation($b) => $e,
            RecordBody::FrontSession($b) => $e,
            RecordBody::Supervision($b) => $e,
            RecordBody::Model($b) => $e,
        }
    };
}

/// Runs `$e` with `$T` bound to the body type of a kind.
macro_rules! with_kind {
    ($kind:expr, $T:ident, $V:ident => $e:expr) => {
        match $kind {
            RecordKind::Dialogue => {
                type $T = Dialogue;
                let $V = RecordBody::Dialogue;
                $e
            }
            RecordKind::Mediation => {
                type $T = MediationCase;
                let $V = RecordBody::Mediation;
                $e
            }
            RecordKind::VillageMeeting => {
                type $T = VillageMeeting;
                let $V = RecordBody::VillageMeeting;
                $e
            }
            RecordKind::Petition => {
                type $T = Petition;
                let $V = RecordBody::Petition;
                $e
            }
            RecordKind::Consultation => {
                type $T = Consultation;
                let $V = RecordBody::Consultation;
                $e
            }
            RecordKind::FrontSession => {
                type $T = FrontSession;
                let $V = RecordBody::FrontSession;
                $e
            }
            RecordKind::Supervision => {
                type $T = Supervision;
                let $V = RecordBody::Supervision;
                $e
            }
            RecordKind::Model => {
                type $T = ExemplaryModel;
                let $V = RecordBody::Model;
                $e
            }
        }
    };
}

impl RecordBody {
    pub fn kind(&self) -> RecordKind {
        match self {
            RecordBody::Dialogue(_) => RecordKind::Dialogue,
            RecordBody::Mediation(_) => RecordKind::Mediation,
            RecordBody::VillageMeeting(_) => RecordKind::VillageMeeting,
            RecordBody::Petition(_) => RecordKind::Petition,
            RecordBody::Consultation(_) => RecordKind::Consultation,
            RecordBody::FrontSession(_) => RecordKind::FrontSession,
            RecordBody::Supervision(_) => RecordKind::Supervision,
            RecordBody::Model(_) => RecordKind::Model,
        }
    }

    /// An empty body of a kind, as `new KIND` starts from.
    pub fn empty(kind: RecordKind) -> RecordBody {
        with_kind!(kind, T, wrap => wrap(T::default()))
    }

    pub fn title(&self) -> &str {
        with_body!(self, b => b.title())
    }

    pub fn status_code(&self) -> &'static str {
        with_body!(self, b => b.status_code())
    }

    pub fn event_date(&self) -> Option<CivilDate> {
        with_body!(self, b => b.event_date())
    }

    pub fn deadlines(&self) -> Vec<Deadline> {
        with_body!(self, b => b.deadlines())
    }

    pub fn flags(&self) -> Vec<Flag> {
        with_body!(self, b => b.flags())
    }

    pub fn outcomes(&self) -> Vec<Outcome> {
        with_body!(self, b => b.outcomes())
    }

    pub fn normalise(&mut self) {
        with_body!(self, b => b.normalise())
    }

    /// The earliest deadline still to be met.
    pub fn next_due(&self) -> Option<CivilDate> {
        self.deadlines().iter().filter(|d| d.pending()).map(|d| d.due).min()
    }

    pub fn search_text(&self) -> String {
        let mut out = String::new();
        with_body!(self, b => b.search_text(&mut out));
        out
    }

    pub fn significant_fields(kind: RecordKind) -> &'static [&'static str] {
        with_kind!(kind, T, _wrap => T::significant_fields())
    }

    /// Validates a body on its own, and as a change from `before` when there is one.
    pub fn validate(&self, before: Option<&RecordBody>) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        with_body!(self, b => b.validate(&mut errors));
        match (self, before) {
            (RecordBody::Dialogue(a), Some(RecordBody::Dialogue(b))) => a.validate_change(b, &mut errors),
            (RecordBody::Mediation(a), Some(RecordBody::Mediation(b))) => a.validate_change(b, &mut errors),
            (RecordBody::VillageMeeting(a), Some(RecordBody::VillageMeeting(b))) => a.validate_change(b, &mut errors),
            (RecordBody::Petition(a), Some(RecordBody::Petition(b))) => a.validate_change(b, &mut errors),
            (RecordBody::Consultation(a), Some(RecordBody::Consultation(b))) => a.validate_change(b, &mut errors),
            (RecordBody::FrontSession(a), Some(RecordBody::FrontSession(b))) => a.validate_change(b, &mut errors),
            (RecordBody::Supervision(a), Some(RecordBody::Supervision(b))) => a.validate_change(b, &mut errors),
            (RecordBody::Model(a), Some(RecordBody::Model(b))) => a.validate_change(b, &mut errors),
            (_, None) => {}
            (_, Some(_)) => errors.push(FieldError::inconsistent(
                "kind",
                "không thể đổi loại hồ sơ",
                "a record's kind cannot change",
            )),
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The body as the JSON tree a document stores.
    pub fn to_value(&self) -> serde_json::Value {
        with_body!(self, b => serde_json::to_value(b).unwrap_or_default())
    }

    /// Reads a body stored in a document. Lenient: fields it does not know (written by a newer
    /// version) are ignored here and left untouched in the document.
    pub fn from_stored(kind: RecordKind, value: serde_json::Value) -> Result<RecordBody, Vec<FieldError>> {
        with_kind!(kind, T, wrap => input::deserialize::<T>(value, false).map(wrap))
    }

    /// Reads a body that a person gave (a JSON file, `--set` values): unknown fields are errors.
    pub fn from_input(kind: RecordKind, value: serde_json::Value) -> Result<RecordBody, Vec<FieldError>> {
        with_kind!(kind, T, wrap => input::deserialize::<T>(value, true).map(wrap))
    }
}

/// Gives every list item without an id a fresh one, so that concurrent edits of a list from
/// several devices address items by identity rather than by position.
pub fn assign_ids<'a>(ids: impl Iterator<Item = &'a mut String>) {
    for id in ids {
        if id.is_empty() {
            *id = new_item_id();
        }
    }
}

/// 64 random bits, hex: unique within a record, short on the wire.
pub fn new_item_id() -> String {
    let u = uuid::Uuid::new_v4();
    hex::encode(&u.as_bytes()[..8])
}

pub(crate) fn push_all<'a>(out: &mut String, parts: impl IntoIterator<Item = &'a str>) {
    for p in parts {
        if !p.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(p);
        }
    }
}
