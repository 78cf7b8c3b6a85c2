//! Thanh tra nhân dân; giám sát đầu tư của cộng đồng: an activity of the People's Inspection
//! Board or the Community Investment Supervision Board (the plan, section II.2).

use serde::{Deserialize, Serialize};

use super::common::{
    Recommendation, check_order, check_recommendations, recommendation_deadlines, require_date, require_text,
};
use super::{Deadline, KindRules};
use crate::coded_enum;
use crate::error::FieldError;
use crate::time::CivilDate;

coded_enum! {
    pub enum SupervisionBoard {
        #[default]
        PeoplesInspection = "peoples_inspection" => ("Ban Thanh tra nhân dân", "People's Inspection Board"),
        CommunityInvestment = "community_investment" => ("Ban Giám sát đầu tư của cộng đồng", "Community Investment Supervision Board"),
    }
}

coded_enum! {
    pub enum SupervisedSubject {
        Project = "project" => ("Công trình, dự án", "A project"),
        Policy = "policy" => ("Việc thực hiện chính sách, pháp luật", "A policy's implementation"),
        OfficialConduct = "official_conduct" => ("Việc thực hiện nhiệm vụ của cán bộ, công chức", "An official's conduct"),
        Other = "other" => ("Khác", "Other"),
        /// Nobody chose one: shown as such, never as the first value.
        #[default]
        NotEntered = "not_entered" => ("Chưa nhập", "Not entered"),
    }
}

coded_enum! {
    pub enum SupervisionStatus {
        #[default]
        Ongoing = "ongoing" => ("Đang giám sát", "Ongoing"),
        Concluded = "concluded" => ("Đã kết luận", "Concluded"),
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Supervision {
    pub title: String,
    pub board: SupervisionBoard,
    pub members_present: Vec<String>,
    pub subject_type: SupervisedSubject,
    pub subject: String,
    pub starts_on: Option<CivilDate>,
    pub ends_on: Option<CivilDate>,
    pub findings: String,
    pub status: SupervisionStatus,
    pub recommendations: Vec<Recommendation>,
}

impl KindRules for Supervision {
    fn title(&self) -> &str {
        &self.title
    }

    fn status_code(&self) -> &'static str {
        self.status.code()
    }

    fn event_date(&self) -> Option<CivilDate> {
        self.starts_on
    }

    fn validate(&self, errors: &mut Vec<FieldError>) {
        require_text(&self.title, "title", errors);
        require_date(self.starts_on, "starts_on", errors);
        check_order(self.starts_on, self.ends_on, "ends_on", errors);
        check_recommendations(&self.recommendations, "recommendations", errors);
    }

    fn normalise(&mut self) {
        super::assign_ids(self.recommendations.iter_mut().map(|r| &mut r.id));
    }

    fn deadlines(&self) -> Vec<Deadline> {
        recommendation_deadlines(&self.recommendations, "recommendations")
    }

    fn search_text(&self, out: &mut String) {
        super::push_all(out, [self.title.as_str(), &self.subject, &self.findings]);
        for r in &self.recommendations {
            super::push_all(out, [r.content.as_str(), &r.responsible_unit]);
        }
    }

    fn significant_fields() -> &'static [&'static str] {
        &["status", "findings", "recommendations.*.status"]
    }
}
