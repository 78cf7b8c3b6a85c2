//! Mô hình "Dân vận khéo": an exemplary model of skilful mass mobilisation, registered and
//! recognised as effective (the plan, sections II.1 and II.5).

use serde::{Deserialize, Serialize};

use super::KindRules;
use super::common::{require_date, require_text};
use crate::coded_enum;
use crate::error::FieldError;
use crate::time::CivilDate;

coded_enum! {
    pub enum ModelField {
        Economy = "economy" => ("Kinh tế", "Economy"),
        CultureSociety = "culture_society" => ("Văn hóa - xã hội", "Culture and society"),
        DefenceSecurity = "defence_security" => ("Quốc phòng - an ninh", "Defence and security"),
        PoliticalSystem = "political_system" => ("Xây dựng hệ thống chính trị", "Political system"),
        NewRural = "new_rural" => ("Xây dựng nông thôn mới", "New rural areas"),
        /// Nobody chose one: counted as such, never as the first value.
        #[default]
        NotEntered = "not_entered" => ("Chưa nhập", "Not entered"),
    }
}

coded_enum! {
    pub enum ModelStatus {
        #[default]
        Registered = "registered" => ("Đăng ký", "Registered"),
        Effective = "effective" => ("Được công nhận hiệu quả", "Recognised as effective"),
    }
}

coded_enum! {
    pub enum CommendationLevel {
        #[default]
        Commune = "commune" => ("Cấp xã", "Commune"),
        District = "district" => ("Cấp huyện", "District"),
        Province = "province" => ("Cấp tỉnh", "Province"),
        Central = "central" => ("Trung ương", "Central"),
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Commendation {
    pub id: String,
    pub awarded_on: Option<CivilDate>,
    pub level: CommendationLevel,
    /// Giấy khen, bằng khen, ...
    pub form: String,
    pub awarded_by: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExemplaryModel {
    /// The model's name.
    pub title: String,
    pub field: ModelField,
    /// The person or collective who runs it.
    pub owner: String,
    pub started_on: Option<CivilDate>,
    pub targets: String,
    pub results: String,
    pub status: ModelStatus,
    pub recognised_on: Option<CivilDate>,
    pub commendations: Vec<Commendation>,
}

impl KindRules for ExemplaryModel {
    fn title(&self) -> &str {
        &self.title
    }

    fn status_code(&self) -> &'static str {
        self.status.code()
    }

    fn event_date(&self) -> Option<CivilDate> {
        self.started_on
    }

    fn validate(&self, errors: &mut Vec<FieldError>) {
        require_text(&self.title, "title", errors);
        require_text(&self.owner, "owner", errors);
        require_date(self.started_on, "started_on", errors);
        if self.status == ModelStatus::Effective {
            require_date(self.recognised_on, "recognised_on", errors);
        }
        for (i, c) in self.commendations.iter().enumerate() {
            require_date(c.awarded_on, &format!("commendations.{i}.awarded_on"), errors);
        }
    }

    fn normalise(&mut self) {
        super::assign_ids(self.commendations.iter_mut().map(|c| &mut c.id));
    }

    fn search_text(&self, out: &mut String) {
        super::push_all(out, [self.title.as_str(), &self.owner, &self.targets, &self.results]);
    }

    fn significant_fields() -> &'static [&'static str] {
        &["status", "recognised_on"]
    }
}
