//! Hòa giải ở cơ sở: a grassroots mediation case (Law on Grassroots Mediation 2013).
//! Parties and session notes are confidential.

use serde::{Deserialize, Serialize};

use super::common::{AttachmentRef, check_order, require_date, require_text};
use super::{Deadline, DeadlineCode, Flag, FlagCode, KindRules};
use crate::coded_enum;
use crate::error::FieldError;
use crate::time::CivilDate;

coded_enum! {
    /// How the mediation started (Law on Grassroots Mediation, Art. 16).
    pub enum MediationStart {
        #[default]
        PartyRequest = "party_request" => ("Theo yêu cầu của một hoặc các bên", "At the request of a party"),
        MediatorInitiative = "mediator_initiative" => ("Hòa giải viên chứng kiến hoặc biết vụ việc", "The mediator witnessed or learnt of it"),
        AgencyRequest = "agency_request" => ("Theo phân công của tổ trưởng hoặc đề nghị của cơ quan, tổ chức", "Assigned by the team leader or requested by an agency"),
    }
}

coded_enum! {
    pub enum DisputeCategory {
        Land = "land" => ("Đất đai", "Land"),
        MarriageFamily = "marriage_family" => ("Hôn nhân và gia đình", "Marriage and family"),
        Neighbours = "neighbours" => ("Mâu thuẫn láng giềng", "Neighbours"),
        Inheritance = "inheritance" => ("Thừa kế", "Inheritance"),
        DebtCivil = "debt_civil" => ("Vay nợ, dân sự", "Debt and civil matters"),
        Other = "other" => ("Khác", "Other"),
        /// Nobody chose one: counted as such, never as the first value.
        #[default]
        NotEntered = "not_entered" => ("Chưa nhập", "Not entered"),
    }
}

coded_enum! {
    pub enum PartyType {
        Individual = "individual" => ("Cá nhân", "Individual"),
        Household = "household" => ("Hộ gia đình", "Household"),
        Organisation = "organisation" => ("Tổ chức", "Organisation"),
        /// Nobody chose one: counted as such, never as the first value.
        #[default]
        NotEntered = "not_entered" => ("Chưa nhập", "Not entered"),
    }
}

coded_enum! {
    pub enum SessionPrivacy {
        #[default]
        Private = "private" => ("Không công khai", "Private"),
        Public = "public" => ("Công khai", "Public"),
    }
}

coded_enum! {
    pub enum MediationOutcome {
        #[default]
        InProgress = "in_progress" => ("Đang hòa giải", "In progress"),
        Success = "success" => ("Hòa giải thành", "Successful"),
        Failure = "failure" => ("Hòa giải không thành", "Unsuccessful"),
        Withdrawn = "withdrawn" => ("Các bên rút yêu cầu", "Withdrawn"),
    }
}

coded_enum! {
    pub enum FollowUp {
        #[default]
        Pending = "pending" => ("Chưa đến hạn theo dõi", "Pending"),
        Performed = "performed" => ("Các bên đã thực hiện thỏa thuận", "Agreement performed"),
        NotPerformed = "not_performed" => ("Các bên không thực hiện thỏa thuận", "Agreement not performed"),
    }
}

/// Vulnerabilities that call for care in the mediation (confidential).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Vulnerability {
    pub child: bool,
    pub elderly: bool,
    pub disability: bool,
    pub domestic_violence: bool,
    pub poor_household: bool,
}

/// A party to the dispute (confidential).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Party {
    pub id: String,
    pub party_type: PartyType,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub vulnerability: Vulnerability,
}

/// The law's exclusions (Art. 3(2)): a case with any of them set may not be mediated.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Eligibility {
    /// Whether someone has gone through the exclusions below.
    pub checked: bool,
    pub harms_state_or_public_interest: bool,
    pub violates_prohibition_or_ethics: bool,
    pub criminal_liability: bool,
    pub administrative_sanction: bool,
    pub otherwise_excluded: bool,
}

impl Eligibility {
    pub fn excluded(&self) -> bool {
        self.harms_state_or_public_interest
            || self.violates_prohibition_or_ethics
            || self.criminal_liability
            || self.administrative_sanction
            || self.otherwise_excluded
    }
}

/// A mediator assigned to the case, with the no-conflict-of-interest declaration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignedMediator {
    pub id: String,
    pub name: String,
    pub no_conflict_declared: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MediationSession {
    pub id: String,
    pub held_on: Option<CivilDate>,
    pub privacy: SessionPrivacy,
    /// Confidential.
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MediationCase {
    /// A short description without names of parties.
    pub title: String,
    pub team: String,
    pub started_by: MediationStart,
    pub received_on: Option<CivilDate>,
    pub category: DisputeCategory,
    pub parties: Vec<Party>,
    pub eligibility: Eligibility,
    pub mediators: Vec<AssignedMediator>,
    pub sessions: Vec<MediationSession>,
    pub outcome: MediationOutcome,
    pub agreement_terms: String,
    pub agreement_due_on: Option<CivilDate>,
    pub follow_up: FollowUp,
    pub attachments: Vec<AttachmentRef>,
}

impl KindRules for MediationCase {
    fn title(&self) -> &str {
        &self.title
    }

    fn status_code(&self) -> &'static str {
        self.outcome.code()
    }

    fn event_date(&self) -> Option<CivilDate> {
        self.received_on
    }

    fn validate(&self, errors: &mut Vec<FieldError>) {
        require_text(&self.title, "title", errors);
        require_date(self.received_on, "received_on", errors);
        for (i, p) in self.parties.iter().enumerate() {
            require_text(&p.name, &format!("parties.{i}.name"), errors);
        }
        for (i, m) in self.mediators.iter().enumerate() {
            require_text(&m.name, &format!("mediators.{i}.name"), errors);
        }
        for (i, s) in self.sessions.iter().enumerate() {
            require_date(s.held_on, &format!("sessions.{i}.held_on"), errors);
            check_order(self.received_on, s.held_on, &format!("sessions.{i}.held_on"), errors);
        }
        if self.outcome == MediationOutcome::Success {
            if self.eligibility.excluded() {
                errors.push(FieldError::inconsistent(
                    "outcome",
                    "vụ việc thuộc trường hợp không được hòa giải ở cơ sở",
                    "the case falls under the law's exclusions from grassroots mediation",
                ));
            }
            require_text(&self.agreement_terms, "agreement_terms", errors);
        }
        for (i, a) in self.attachments.iter().enumerate() {
            super::attachment::check(&format!("attachments.{i}"), &a.name, &a.media_type, &a.sha256, a.size, errors);
        }
        if self.follow_up != FollowUp::Pending && self.outcome != MediationOutcome::Success {
            errors.push(FieldError::inconsistent(
                "follow_up",
                "chỉ theo dõi thực hiện khi hòa giải thành",
                "follow-up applies only to a successful mediation",
            ));
        }
    }

    fn normalise(&mut self) {
        super::assign_ids(self.parties.iter_mut().map(|p| &mut p.id));
        super::assign_ids(self.mediators.iter_mut().map(|m| &mut m.id));
        super::assign_ids(self.sessions.iter_mut().map(|s| &mut s.id));
        super::assign_ids(self.attachments.iter_mut().map(|a| &mut a.id));
    }

    fn deadlines(&self) -> Vec<Deadline> {
        match (self.outcome, self.agreement_due_on) {
            (MediationOutcome::Success, Some(due)) => vec![Deadline {
                code: DeadlineCode::AgreementPerformance,
                path: String::new(),
                due,
                met: self.follow_up != FollowUp::Pending,
                met_on: None,
            }],
            _ => Vec::new(),
        }
    }

    fn flags(&self) -> Vec<Flag> {
        let mut out = Vec::new();
        if !self.eligibility.checked {
            out.push(Flag::new(FlagCode::EligibilityUnchecked, "eligibility"));
        } else if self.eligibility.excluded() {
            out.push(Flag::new(FlagCode::NotEligible, "eligibility"));
        }
        for (i, m) in self.mediators.iter().enumerate() {
            if !m.no_conflict_declared {
                out.push(Flag::new(FlagCode::ConflictOfInterestUndeclared, format!("mediators.{i}")));
            }
        }
        if self.follow_up == FollowUp::NotPerformed {
            out.push(Flag::new(FlagCode::AgreementNotPerformed, "follow_up"));
        }
        out
    }

    fn search_text(&self, out: &mut String) {
        super::push_all(out, [self.title.as_str(), &self.team]);
        for p in &self.parties {
            super::push_all(out, [p.name.as_str(), &p.address]);
        }
        super::push_all(out, self.mediators.iter().map(|m| m.name.as_str()));
    }

    fn significant_fields() -> &'static [&'static str] {
        &["outcome", "follow_up", "agreement_terms", "category"]
    }
}
