//! Làm việc với Mặt trận Tổ quốc và các đoàn thể: a working session of the commune government
//! with the Fatherland Front and mass organisations (required every six months; the plan, II.6).

use serde::{Deserialize, Serialize};

use super::common::{Recommendation, check_recommendations, recommendation_deadlines, require_date, require_text};
use super::{Deadline, KindRules};
use crate::coded_enum;
use crate::error::FieldError;
use crate::time::CivilDate;

coded_enum! {
    pub enum MassOrganisation {
        #[default]
        FatherlandFront = "fatherland_front" => ("Mặt trận Tổ quốc Việt Nam", "Vietnam Fatherland Front"),
        WomensUnion = "womens_union" => ("Hội Liên hiệp Phụ nữ", "Women's Union"),
        FarmersAssociation = "farmers_association" => ("Hội Nông dân", "Farmers' Association"),
        VeteransAssociation = "veterans_association" => ("Hội Cựu chiến binh", "Veterans' Association"),
        YouthUnion = "youth_union" => ("Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Ho Chi Minh Communist Youth Union"),
        TradeUnion = "trade_union" => ("Công đoàn", "Trade union"),
        Other = "other" => ("Tổ chức khác", "Other organisation"),
    }
}

coded_enum! {
    pub enum SessionStatus {
        #[default]
        Planned = "planned" => ("Dự kiến", "Planned"),
        Held = "held" => ("Đã tổ chức", "Held"),
        Cancelled = "cancelled" => ("Đã hủy", "Cancelled"),
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FrontSession {
    pub title: String,
    pub status: SessionStatus,
    pub held_on: Option<CivilDate>,
    pub place: String,
    pub organisations: Vec<MassOrganisation>,
    pub other_organisations: String,
    pub agenda: String,
    pub recommendations: Vec<Recommendation>,
}

impl KindRules for FrontSession {
    fn title(&self) -> &str {
        &self.title
    }

    fn status_code(&self) -> &'static str {
        self.status.code()
    }

    fn event_date(&self) -> Option<CivilDate> {
        self.held_on
    }

    fn validate(&self, errors: &mut Vec<FieldError>) {
        require_text(&self.title, "title", errors);
        require_date(self.held_on, "held_on", errors);
        check_recommendations(&self.recommendations, "recommendations", errors);
    }

    fn normalise(&mut self) {
        super::assign_ids(self.recommendations.iter_mut().map(|r| &mut r.id));
    }

    fn deadlines(&self) -> Vec<Deadline> {
        recommendation_deadlines(&self.recommendations, "recommendations")
    }

    fn search_text(&self, out: &mut String) {
        super::push_all(out, [self.title.as_str(), &self.place, &self.other_organisations, &self.agenda]);
        for r in &self.recommendations {
            super::push_all(out, [r.content.as_str(), &r.responsible_unit]);
        }
    }

    fn significant_fields() -> &'static [&'static str] {
        &["status", "recommendations.*.status"]
    }
}
