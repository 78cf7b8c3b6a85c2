//! Đối thoại trực tiếp: a direct dialogue between the commune's leaders and its people
//! (Law on Grassroots Democracy 2022; the provincial plan, sections I.2 and II.1–II.2).

use serde::{Deserialize, Serialize};

use super::common::{Attendance, check_order, require_date, require_text};
use super::{Deadline, DeadlineCode, Flag, FlagCode, KindRules};
use crate::coded_enum;
use crate::error::FieldError;
use crate::time::CivilDate;

/// Notice must reach people at least this many days before the dialogue.
pub const NOTICE_DAYS: i64 = 7;
/// Results must be published within this many days after the dialogue.
pub const PUBLISH_WITHIN_DAYS: i32 = 10;

coded_enum! {
    pub enum DialogueTrigger {
        Periodic = "periodic" => ("Định kỳ", "Periodic"),
        VotersRequest = "voters_request" => ("Theo yêu cầu của từ 10% cử tri trở lên", "Requested by at least 10% of voters"),
        Other = "other" => ("Khác", "Other"),
        /// Nobody chose one: shown as such, never as the first value.
        #[default]
        NotEntered = "not_entered" => ("Chưa nhập", "Not entered"),
    }
}

coded_enum! {
    pub enum DialogueMode {
        InPerson = "in_person" => ("Trực tiếp", "In person"),
        Online = "online" => ("Trực tuyến", "Online"),
        /// Nobody chose one: shown as such, never as the first value.
        #[default]
        NotEntered = "not_entered" => ("Chưa nhập", "Not entered"),
    }
}

coded_enum! {
    pub enum DialogueStatus {
        #[default]
        Planned = "planned" => ("Dự kiến", "Planned"),
        Held = "held" => ("Đã tổ chức", "Held"),
        Cancelled = "cancelled" => ("Đã hủy", "Cancelled"),
    }
}

coded_enum! {
    /// What became of an issue raised by the people.
    pub enum IssueStatus {
        #[default]
        Open = "open" => ("Chưa giải quyết", "Open"),
        Answered = "answered" => ("Đã trả lời tại hội nghị", "Answered on the spot"),
        Referred = "referred" => ("Đã chuyển cơ quan có thẩm quyền", "Referred to the competent body"),
        Resolved = "resolved" => ("Đã giải quyết xong", "Resolved"),
    }
}

/// An issue the people raised, and what was done with it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RaisedIssue {
    pub id: String,
    pub topic: String,
    /// The answer given at the dialogue, if any.
    pub answer: String,
    /// The body it was referred to, if it was referred.
    pub referred_to: String,
    pub responsible_unit: String,
    pub due_on: Option<CivilDate>,
    pub status: IssueStatus,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Dialogue {
    pub title: String,
    pub trigger: DialogueTrigger,
    pub mode: DialogueMode,
    pub status: DialogueStatus,
    pub notice_on: Option<CivilDate>,
    pub held_on: Option<CivilDate>,
    pub place: String,
    pub chairs: Vec<String>,
    pub attendance: Attendance,
    pub issues: Vec<RaisedIssue>,
    pub results_published_on: Option<CivilDate>,
}

impl KindRules for Dialogue {
    fn title(&self) -> &str {
        &self.title
    }

    fn status_code(&self) -> &'static str {
        self.status.code()
    }

    fn event_date(&self) -> Option<CivilDate> {
        self.held_on.or(self.notice_on)
    }

    fn validate(&self, errors: &mut Vec<FieldError>) {
        require_text(&self.title, "title", errors);
        require_date(self.held_on, "held_on", errors);
        check_order(self.notice_on, self.held_on, "held_on", errors);
        check_order(self.held_on, self.results_published_on, "results_published_on", errors);
        self.attendance.check("attendance", errors);
        for (i, issue) in self.issues.iter().enumerate() {
            require_text(&issue.topic, &format!("issues.{i}.topic"), errors);
            if issue.status == IssueStatus::Referred && issue.referred_to.trim().is_empty() {
                errors.push(FieldError::required(format!("issues.{i}.referred_to")));
            }
        }
    }

    fn normalise(&mut self) {
        self.attendance.normalise();
        super::assign_ids(self.issues.iter_mut().map(|i| &mut i.id));
    }

    fn deadlines(&self) -> Vec<Deadline> {
        let mut out = Vec::new();
        if let (Some(held), DialogueStatus::Held) = (self.held_on, self.status) {
            out.push(Deadline {
                code: DeadlineCode::PublishResults,
                path: String::new(),
                due: held.plus_days(PUBLISH_WITHIN_DAYS),
                met: self.results_published_on.is_some(),
                met_on: self.results_published_on,
            });
        }
        for (i, issue) in self.issues.iter().enumerate() {
            if let Some(due) = issue.due_on {
                out.push(Deadline {
                    code: DeadlineCode::IssueResolution,
                    path: format!("issues.{i}"),
                    due,
                    met: matches!(issue.status, IssueStatus::Answered | IssueStatus::Resolved),
                    met_on: None,
                });
            }
        }
        out
    }

    fn flags(&self) -> Vec<Flag> {
        let mut out = Vec::new();
        if let (Some(notice), Some(held)) = (self.notice_on, self.held_on) {
            if notice.days_until(held) < NOTICE_DAYS {
                out.push(Flag::new(FlagCode::ShortNotice, "notice_on"));
            }
        } else if self.held_on.is_some() && self.notice_on.is_none() {
            out.push(Flag::new(FlagCode::NoNotice, "notice_on"));
        }
        out
    }

    fn search_text(&self, out: &mut String) {
        super::push_all(out, [self.title.as_str(), &self.place]);
        super::push_all(out, self.chairs.iter().map(String::as_str));
        for i in &self.issues {
            super::push_all(out, [i.topic.as_str(), &i.answer, &i.referred_to, &i.responsible_unit]);
        }
    }

    fn significant_fields() -> &'static [&'static str] {
        &["status", "issues.*.status", "attendance.total"]
    }
}
