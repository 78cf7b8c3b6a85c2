//! Lấy ý kiến nhân dân: consulting the people on a draft policy, plan or project
//! (Law on Grassroots Democracy 2022; the provincial plan, sections II.3 and II.6).

use serde::{Deserialize, Serialize};

use super::KindRules;
use super::common::{check_order, require_date, require_text};
use crate::coded_enum;
use crate::error::FieldError;
use crate::time::CivilDate;

coded_enum! {
    /// What the people were consulted on.
    pub enum ConsultationMatter {
        SocioEconomicPlan = "socio_economic_plan" => ("Kế hoạch phát triển kinh tế - xã hội", "Socio-economic development plan"),
        LandUsePlan = "land_use_plan" => ("Quy hoạch, kế hoạch sử dụng đất", "Land-use plan"),
        CompensationResettlement = "compensation_resettlement" => ("Bồi thường, hỗ trợ, tái định cư", "Compensation and resettlement"),
        InvestmentProject = "investment_project" => ("Dự án, công trình đầu tư trên địa bàn", "Investment project in the area"),
        AdministrativeBoundary = "administrative_boundary" => ("Thành lập, sắp xếp đơn vị hành chính", "Administrative boundaries"),
        DraftLegalDocument = "draft_legal_document" => ("Dự thảo văn bản, chính sách", "Draft legal document or policy"),
        Other = "other" => ("Khác", "Other"),
        /// Nobody chose one: shown as such, never as the first value.
        #[default]
        NotEntered = "not_entered" => ("Chưa nhập", "Not entered"),
    }
}

coded_enum! {
    pub enum ConsultationForm {
        #[default]
        Meeting = "meeting" => ("Hội nghị", "Meeting"),
        Ballot = "ballot" => ("Phát phiếu lấy ý kiến", "Written ballot"),
        SuggestionBox = "suggestion_box" => ("Hòm thư góp ý", "Suggestion box"),
        Online = "online" => ("Trực tuyến", "Online"),
        PublicPosting = "public_posting" => ("Niêm yết công khai", "Public posting"),
    }
}

coded_enum! {
    pub enum ConsultationOutcome {
        #[default]
        Pending = "pending" => ("Đang lấy ý kiến", "Under way"),
        Adopted = "adopted" => ("Đã thông qua", "Adopted"),
        AdoptedWithChanges = "adopted_with_changes" => ("Thông qua có điều chỉnh", "Adopted with changes"),
        NotAdopted = "not_adopted" => ("Không thông qua", "Not adopted"),
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Consultation {
    /// The draft consulted on.
    pub title: String,
    pub matter: ConsultationMatter,
    pub opens_on: Option<CivilDate>,
    pub closes_on: Option<CivilDate>,
    pub forms: Vec<ConsultationForm>,
    /// Counts: `None` where nobody entered them (chưa nhập), never 0.
    pub people_consulted: Option<u32>,
    pub opinions_for: Option<u32>,
    pub opinions_against: Option<u32>,
    pub suggestions: Option<u32>,
    pub summary_for: String,
    pub summary_against: String,
    pub summary_suggestions: String,
    /// What was taken up and what was explained (tiếp thu, giải trình).
    pub response: String,
    pub outcome: ConsultationOutcome,
}

impl KindRules for Consultation {
    fn title(&self) -> &str {
        &self.title
    }

    fn status_code(&self) -> &'static str {
        self.outcome.code()
    }

    fn event_date(&self) -> Option<CivilDate> {
        self.opens_on
    }

    fn validate(&self, errors: &mut Vec<FieldError>) {
        require_text(&self.title, "title", errors);
        require_date(self.opens_on, "opens_on", errors);
        check_order(self.opens_on, self.closes_on, "closes_on", errors);
        let opinions = u64::from(self.opinions_for.unwrap_or(0)) + u64::from(self.opinions_against.unwrap_or(0));
        if self.people_consulted.is_some_and(|p| opinions > u64::from(p)) {
            errors.push(FieldError::inconsistent(
                "opinions_for",
                "số ý kiến tán thành và phản đối lớn hơn số người được lấy ý kiến",
                "more opinions for and against than people consulted",
            ));
        }
        if self.outcome != ConsultationOutcome::Pending && self.closes_on.is_none() {
            errors.push(FieldError::required("closes_on"));
        }
    }

    fn search_text(&self, out: &mut String) {
        super::push_all(
            out,
            [self.title.as_str(), &self.summary_for, &self.summary_against, &self.summary_suggestions, &self.response],
        );
    }

    fn significant_fields() -> &'static [&'static str] {
        &["outcome", "opinions_for", "opinions_against", "people_consulted"]
    }
}
