//! Tiếp công dân; khiếu nại, tố cáo, kiến nghị, phản ánh: a citizen's complaint, denunciation,
//! recommendation or feedback, with the legal time limits of the Law on Complaints 2011 and the
//! Law on Denunciations 2018. The petitioner is confidential; a denouncer's identity is kept in a
//! separate document that only the assigned handlers receive (Law on Denunciations, Art. 47).

use serde::{Deserialize, Serialize};

use super::common::{check_order, require_date, require_text};
use super::{Deadline, DeadlineCode, Flag, FlagCode, KindRules};
use crate::coded_enum;
use crate::error::FieldError;
use crate::time::CivilDate;

coded_enum! {
    pub enum PetitionType {
        #[default]
        Complaint = "complaint" => ("Khiếu nại", "Complaint"),
        Denunciation = "denunciation" => ("Tố cáo", "Denunciation"),
        Recommendation = "recommendation" => ("Kiến nghị", "Recommendation"),
        Feedback = "feedback" => ("Phản ánh", "Feedback"),
    }
}

coded_enum! {
    pub enum Channel {
        #[default]
        InPerson = "in_person" => ("Trực tiếp tại nơi tiếp công dân", "In person"),
        Mail = "mail" => ("Qua đường bưu chính", "By post"),
        DropBox = "drop_box" => ("Hòm thư góp ý", "Suggestion box"),
        Online = "online" => ("Cổng dịch vụ công, thư điện tử", "Online"),
        Phone = "phone" => ("Điện thoại", "Telephone"),
        Transferred = "transferred" => ("Cơ quan khác chuyển đến", "Transferred by another body"),
    }
}

coded_enum! {
    pub enum Complexity {
        #[default]
        Normal = "normal" => ("Thông thường", "Normal"),
        Complex = "complex" => ("Phức tạp", "Complex"),
        EspeciallyComplex = "especially_complex" => ("Đặc biệt phức tạp", "Especially complex"),
    }
}

coded_enum! {
    pub enum PetitionStatus {
        #[default]
        Received = "received" => ("Đã tiếp nhận", "Received"),
        Accepted = "accepted" => ("Đã thụ lý", "Accepted"),
        Refused = "refused" => ("Không thụ lý", "Refused"),
        Verifying = "verifying" => ("Đang xác minh", "Verifying"),
        Dialogue = "dialogue" => ("Đang đối thoại", "In dialogue"),
        Decided = "decided" => ("Đã có quyết định, kết luận", "Decided"),
        Appealed = "appealed" => ("Khiếu nại lần hai, khởi kiện", "Appealed"),
        Closed = "closed" => ("Đã kết thúc", "Closed"),
        Withdrawn = "withdrawn" => ("Đã rút", "Withdrawn"),
        Suspended = "suspended" => ("Tạm đình chỉ", "Suspended"),
    }
}

impl PetitionStatus {
    /// Whether a person may move a petition from `self` to `next` by hand.
    pub fn may_become(self, next: PetitionStatus) -> bool {
        use PetitionStatus::*;
        self == next
            || matches!(
                (self, next),
                (Received, Accepted | Refused | Withdrawn)
                    | (Accepted, Verifying | Dialogue | Decided | Withdrawn | Suspended)
                    | (Verifying, Dialogue | Decided | Withdrawn | Suspended)
                    | (Dialogue, Verifying | Decided | Withdrawn | Suspended)
                    | (Suspended, Verifying | Dialogue | Withdrawn)
                    | (Decided, Appealed | Closed)
                    | (Appealed, Closed)
                    | (Refused | Withdrawn, Closed)
            )
    }

    /// Still being handled: settlement deadlines run.
    pub fn in_hand(self) -> bool {
        matches!(self, PetitionStatus::Accepted | PetitionStatus::Verifying | PetitionStatus::Dialogue)
    }
}

/// Who brought the petition (confidential).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PetitionSubject {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub id_number: String,
}

impl PetitionSubject {
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.address.is_empty() && self.phone.is_empty() && self.id_number.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Petition {
    /// A short description without names.
    pub title: String,
    pub petition_type: PetitionType,
    pub received_on: Option<CivilDate>,
    pub channel: Channel,
    /// Empty for a denunciation: the denouncer's identity lives in its own document.
    pub petitioner: PetitionSubject,
    /// For a denunciation, the id of the document that holds the denouncer's identity.
    pub identity_ref: String,
    pub content: String,
    pub complexity: Complexity,
    /// Remote and hard-to-reach area: the Law on Complaints allows longer time limits.
    pub remote_area: bool,
    pub status: PetitionStatus,
    pub accepted_on: Option<CivilDate>,
    pub acceptance_notified_on: Option<CivilDate>,
    /// Extensions of a denunciation's settlement, 30 days each.
    pub extensions: u32,
    pub decided_on: Option<CivilDate>,
    pub decision: String,
    pub closed_on: Option<CivilDate>,
    /// Login names of the officials assigned to handle it; a denouncer's identity reaches only them.
    pub handlers: Vec<String>,
}

/// Days to accept a complaint (Law on Complaints, Art. 27). Periods in days end on a working day
/// (Civil Code 2015, Art. 148(5)): see `CivilDate::plus_calendar_days`.
pub const COMPLAINT_ACCEPT_DAYS: i32 = 10;
/// Working days to decide whether to accept a denunciation (Law on Denunciations, Art. 24).
pub const DENUNCIATION_ACCEPT_WORKING_DAYS: u32 = 7;
/// Working days to notify the denouncer of acceptance (Art. 29).
pub const DENUNCIATION_NOTICE_WORKING_DAYS: u32 = 5;
/// Days to settle a denunciation, and each extension (Art. 30).
pub const DENUNCIATION_SETTLE_DAYS: i32 = 30;

impl Petition {
    /// Days to settle a complaint from acceptance (Law on Complaints, Art. 28).
    pub fn complaint_settle_days(&self) -> i32 {
        match (self.remote_area, self.complexity != Complexity::Normal) {
            (false, false) => 30,
            (false, true) | (true, false) => 45,
            (true, true) => 60,
        }
    }

    /// How many 30-day extensions the law allows a denunciation of this complexity.
    pub fn allowed_extensions(&self) -> u32 {
        match self.complexity {
            Complexity::Normal => 0,
            Complexity::Complex => 1,
            Complexity::EspeciallyComplex => 2,
        }
    }

    /// Decided, or ended without a decision (refused, withdrawn).
    pub fn settled(&self) -> bool {
        use PetitionStatus::*;
        self.decided_on.is_some() || matches!(self.status, Decided | Appealed | Closed | Withdrawn | Refused)
    }
}

impl KindRules for Petition {
    fn title(&self) -> &str {
        &self.title
    }

    fn status_code(&self) -> &'static str {
        self.status.code()
    }

    fn event_date(&self) -> Option<CivilDate> {
        self.received_on
    }

    fn validate(&self, errors: &mut Vec<FieldError>) {
        require_text(&self.title, "title", errors);
        require_date(self.received_on, "received_on", errors);
        check_order(self.received_on, self.accepted_on, "accepted_on", errors);
        check_order(self.accepted_on, self.acceptance_notified_on, "acceptance_notified_on", errors);
        check_order(self.accepted_on.or(self.received_on), self.decided_on, "decided_on", errors);
        check_order(self.decided_on.or(self.received_on), self.closed_on, "closed_on", errors);
        use PetitionStatus::*;
        if matches!(self.status, Accepted | Verifying | Dialogue | Decided | Appealed | Suspended)
            && self.accepted_on.is_none()
        {
            errors.push(FieldError::required("accepted_on"));
        }
        if matches!(self.status, Decided | Appealed) && self.decided_on.is_none() {
            errors.push(FieldError::required("decided_on"));
        }
        if self.petition_type == PetitionType::Denunciation {
            if !self.petitioner.is_empty() {
                errors.push(FieldError::inconsistent(
                    "petitioner",
                    "danh tính người tố cáo được lưu riêng, không ghi trong hồ sơ",
                    "a denouncer's identity is kept apart, not in the record",
                ));
            }
            if self.extensions > self.allowed_extensions() {
                errors.push(FieldError::inconsistent(
                    "extensions",
                    "số lần gia hạn vượt quá mức luật cho phép với độ phức tạp này",
                    "more extensions than the law allows for this complexity",
                ));
            }
        } else if self.extensions > 0 {
            errors.push(FieldError::inconsistent(
                "extensions",
                "chỉ tố cáo mới được gia hạn giải quyết",
                "only a denunciation's settlement can be extended",
            ));
        }
    }

    fn validate_change(&self, before: &Self, errors: &mut Vec<FieldError>) {
        if !before.status.may_become(self.status) {
            errors.push(FieldError::inconsistent(
                "status",
                format!("không thể chuyển từ \"{}\" sang \"{}\"", before.status.label().vi, self.status.label().vi),
                format!("cannot go from \"{}\" to \"{}\"", before.status.label().en, self.status.label().en),
            ));
        }
        let was = before.petition_type == PetitionType::Denunciation;
        let is = self.petition_type == PetitionType::Denunciation;
        if was != is {
            errors.push(FieldError::inconsistent(
                "petition_type",
                "không thể đổi sang hoặc từ tố cáo; hãy tạo hồ sơ mới",
                "cannot change to or from a denunciation; create a new record",
            ));
        }
    }

    fn deadlines(&self) -> Vec<Deadline> {
        let mut out = Vec::new();
        let Some(received) = self.received_on else {
            return out;
        };
        let refused_or_dropped = matches!(self.status, PetitionStatus::Refused | PetitionStatus::Withdrawn);
        let accept = |due| Deadline {
            code: DeadlineCode::Acceptance,
            path: String::new(),
            due,
            met: self.accepted_on.is_some() || refused_or_dropped,
            met_on: self.accepted_on,
        };
        let settle = |due| Deadline {
            code: DeadlineCode::Settlement,
            path: String::new(),
            due,
            met: self.settled(),
            met_on: self.decided_on,
        };
        match self.petition_type {
            PetitionType::Complaint => {
                out.push(accept(received.plus_calendar_days(COMPLAINT_ACCEPT_DAYS)));
                if let Some(accepted) = self.accepted_on {
                    out.push(settle(accepted.plus_calendar_days(self.complaint_settle_days())));
                }
            }
            PetitionType::Denunciation => {
                out.push(accept(received.plus_working_days(DENUNCIATION_ACCEPT_WORKING_DAYS)));
                if let Some(accepted) = self.accepted_on {
                    out.push(Deadline {
                        code: DeadlineCode::AcceptanceNotice,
                        path: String::new(),
                        due: accepted.plus_working_days(DENUNCIATION_NOTICE_WORKING_DAYS),
                        met: self.acceptance_notified_on.is_some() || refused_or_dropped,
                        met_on: self.acceptance_notified_on,
                    });
                    let extensions = self.extensions.min(self.allowed_extensions()) as i32;
                    out.push(settle(accepted.plus_calendar_days(DENUNCIATION_SETTLE_DAYS * (1 + extensions))));
                }
            }
            // No statutory time limit is modelled for recommendations and feedback.
            PetitionType::Recommendation | PetitionType::Feedback => {}
        }
        out
    }

    fn flags(&self) -> Vec<Flag> {
        let mut out = Vec::new();
        if self.remote_area {
            out.push(Flag::new(FlagCode::RemoteArea, "remote_area"));
        }
        out
    }

    fn search_text(&self, out: &mut String) {
        // The petitioner's identity stays out of the search index; the content is searchable.
        super::push_all(out, [self.title.as_str(), &self.content, &self.decision]);
    }

    fn significant_fields() -> &'static [&'static str] {
        &["status", "decision", "accepted_on", "decided_on", "complexity", "extensions"]
    }
}

/// The identity of a denouncer: a document of its own, linked to its petition, synced only to
/// the devices of the officials assigned to handle the denunciation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DenouncerIdentity {
    pub petition_id: String,
    pub denouncer: PetitionSubject,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> CivilDate {
        s.parse().unwrap()
    }

    fn due(p: &Petition, code: DeadlineCode) -> CivilDate {
        p.deadlines().into_iter().find(|x| x.code == code).unwrap().due
    }

    #[test]
    fn complaint_time_limits_by_complexity_and_remoteness() {
        let mut p =
            Petition { received_on: Some(d("2026-03-02")), accepted_on: Some(d("2026-03-10")), ..Default::default() };
        assert_eq!(due(&p, DeadlineCode::Acceptance), d("2026-03-12"));
        assert_eq!(due(&p, DeadlineCode::Settlement), d("2026-04-09"));
        p.complexity = Complexity::Complex;
        assert_eq!(due(&p, DeadlineCode::Settlement), d("2026-04-24"));
        p.remote_area = true;
        // 60 days end on Saturday 09/05: the period ends on Monday 11/05 (Civil Code, Art. 148(5)).
        assert_eq!(due(&p, DeadlineCode::Settlement), d("2026-05-11"));
        p.complexity = Complexity::Normal;
        assert_eq!(due(&p, DeadlineCode::Settlement), d("2026-04-24"));
    }

    #[test]
    fn denunciation_time_limits_with_extensions() {
        // Received Thursday 2026-10-01; accepted Monday 2026-10-05.
        let mut p = Petition {
            petition_type: PetitionType::Denunciation,
            received_on: Some(d("2026-10-01")),
            accepted_on: Some(d("2026-10-05")),
            status: PetitionStatus::Verifying,
            ..Default::default()
        };
        assert_eq!(due(&p, DeadlineCode::Acceptance), d("2026-10-12"));
        assert_eq!(due(&p, DeadlineCode::AcceptanceNotice), d("2026-10-12"));
        assert_eq!(due(&p, DeadlineCode::Settlement), d("2026-11-04"));
        p.complexity = Complexity::EspeciallyComplex;
        p.extensions = 2;
        // 90 days end on Sunday 03/01/2027: Monday 04/01.
        assert_eq!(due(&p, DeadlineCode::Settlement), d("2027-01-04"));
        let mut errors = Vec::new();
        p.complexity = Complexity::Complex;
        p.validate(&mut errors);
        assert_eq!(errors.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["title", "extensions"]);
    }

    #[test]
    fn denunciation_working_days_skip_tet() {
        // Law on Denunciations 2018, Art. 24 (acceptance within 7 working days) and Art. 29
        // (notice within 5 working days of acceptance). Received Thursday 12/02/2026, two days
        // before the public service's Tết (14/02 to 22/02): 13/02, then 23/02 to 27/02 and 02/03.
        let p = Petition {
            petition_type: PetitionType::Denunciation,
            received_on: Some(d("2026-02-12")),
            accepted_on: Some(d("2026-02-13")),
            status: PetitionStatus::Verifying,
            ..Default::default()
        };
        assert_eq!(due(&p, DeadlineCode::Acceptance), d("2026-03-02"));
        // Five working days from Friday 13/02: 23, 24, 25, 26 and 27/02.
        assert_eq!(due(&p, DeadlineCode::AcceptanceNotice), d("2026-02-27"));
    }

    #[test]
    fn overdue_only_while_unsettled() {
        let mut p = Petition { received_on: Some(d("2026-03-02")), ..Default::default() };
        let acc = p.deadlines().into_iter().next().unwrap();
        assert!(acc.overdue(d("2026-03-13")));
        assert!(!acc.overdue(d("2026-03-12")));
        p.status = PetitionStatus::Refused;
        assert!(!p.deadlines()[0].overdue(d("2026-03-13")));
    }

    #[test]
    fn status_moves_follow_the_procedure() {
        use PetitionStatus::*;
        assert!(Received.may_become(Accepted));
        assert!(!Received.may_become(Decided));
        assert!(!Closed.may_become(Verifying));
        assert!(Suspended.may_become(Verifying));
    }
}
