//! Parts that several kinds of record share.

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::error::FieldError;
use crate::record::{Deadline, DeadlineCode};
use crate::time::CivilDate;

coded_enum! {
    /// Progress of a recommendation or an assigned task.
    pub enum ActionStatus {
        #[default]
        Open = "open" => ("Chưa thực hiện", "Open"),
        InProgress = "in_progress" => ("Đang thực hiện", "In progress"),
        Done = "done" => ("Đã thực hiện", "Done"),
        Dropped = "dropped" => ("Không thực hiện", "Dropped"),
    }
}

impl ActionStatus {
    pub fn is_closed(self) -> bool {
        matches!(self, ActionStatus::Done | ActionStatus::Dropped)
    }
}

/// A recommendation (kiến nghị) addressed to a responsible unit, with a deadline.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Recommendation {
    /// Stable identity of the item, so concurrent edits address the same item.
    pub id: String,
    pub content: String,
    pub responsible_unit: String,
    pub due_on: Option<CivilDate>,
    pub status: ActionStatus,
    pub done_on: Option<CivilDate>,
}

impl Recommendation {
    pub fn deadline(&self, path: String) -> Option<Deadline> {
        let due = self.due_on?;
        Some(Deadline {
            code: DeadlineCode::Recommendation,
            path,
            due,
            met: self.status.is_closed(),
            met_on: self.done_on,
        })
    }
}

pub fn recommendation_deadlines(items: &[Recommendation], list: &str) -> Vec<Deadline> {
    items.iter().enumerate().filter_map(|(i, r)| r.deadline(format!("{list}.{i}"))).collect()
}

pub fn check_recommendations(items: &[Recommendation], list: &str, errors: &mut Vec<FieldError>) {
    for (i, r) in items.iter().enumerate() {
        if r.content.trim().is_empty() {
            errors.push(FieldError::required(format!("{list}.{i}.content")));
        }
        if r.status == ActionStatus::Done && r.done_on.is_none() {
            errors.push(FieldError::required(format!("{list}.{i}.done_on")));
        }
    }
}

/// Attendees of one ethnic group, counted (never recorded per person: ethnicity is sensitive
/// personal data under Decree 356/2025).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EthnicCount {
    /// GSO code of the ethnic group (Decision 1019/QĐ-TCTK).
    pub code: String,
    /// The code system the code belongs to.
    pub system: String,
    pub count: u32,
}

/// Who attended a meeting, as counts. A count nobody entered is `None` (chưa nhập), never 0:
/// old documents without it read as not entered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Attendance {
    pub total: Option<u32>,
    pub women: Option<u32>,
    pub ethnic_minority: Option<u32>,
    pub by_ethnic_group: Vec<EthnicCount>,
}

impl Attendance {
    pub fn check(&self, path: &str, errors: &mut Vec<FieldError>) {
        // Parts are checked against the total only where both were entered.
        let more_than_total = |part: Option<u32>| matches!((part, self.total), (Some(p), Some(t)) if p > t);
        if more_than_total(self.women) {
            errors.push(FieldError::inconsistent(
                format!("{path}.women"),
                "số nữ lớn hơn tổng số người dự",
                "more women than attendees in total",
            ));
        }
        if more_than_total(self.ethnic_minority) {
            errors.push(FieldError::inconsistent(
                format!("{path}.ethnic_minority"),
                "số người dân tộc thiểu số lớn hơn tổng số người dự",
                "more ethnic-minority attendees than attendees in total",
            ));
        }
        let mut by_group: u64 = 0;
        for (i, g) in self.by_ethnic_group.iter().enumerate() {
            if crate::units::ethnic::group(&g.code).is_none() {
                errors.push(FieldError::new(
                    format!("{path}.by_ethnic_group.{i}.code"),
                    crate::error::Problem::InvalidValue { expected: "a GSO ethnic group code 01..54".into() },
                ));
            }
            by_group += u64::from(g.count);
        }
        if self.total.is_some_and(|t| by_group > u64::from(t)) {
            errors.push(FieldError::inconsistent(
                format!("{path}.by_ethnic_group"),
                "tổng theo dân tộc lớn hơn tổng số người dự",
                "counts by ethnic group exceed attendees in total",
            ));
        }
    }

    pub fn normalise(&mut self) {
        for g in &mut self.by_ethnic_group {
            if g.system.is_empty() {
                g.system = crate::units::ethnic::CODE_SYSTEM.to_string();
            }
        }
    }
}

/// A reference to an attached file (a photo or scan of signed minutes, JPEG, PNG or PDF); the
/// file itself is kept content-addressed in the store (`store::attachments`) and moved by sync.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentRef {
    pub id: String,
    pub name: String,
    pub media_type: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub size: u64,
}

pub fn require_text(value: &str, path: &str, errors: &mut Vec<FieldError>) {
    if value.trim().is_empty() {
        errors.push(FieldError::required(path));
    }
}

pub fn require_date(value: Option<CivilDate>, path: &str, errors: &mut Vec<FieldError>) {
    if value.is_none() {
        errors.push(FieldError::required(path));
    }
}

/// Checks that `earlier` is not after `later`, naming the later field.
pub fn check_order(earlier: Option<CivilDate>, later: Option<CivilDate>, path: &str, errors: &mut Vec<FieldError>) {
    if let (Some(a), Some(b)) = (earlier, later) {
        if b < a {
            errors.push(FieldError::inconsistent(
                path,
                "ngày này sớm hơn ngày trước nó",
                "this date is before the date it follows",
            ));
        }
    }
}
