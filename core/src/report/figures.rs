//! The indicators of a report, counted from records. Each counts what happened in the period
//! (by the record's event date: a dialogue or meeting held, a case or petition received, a
//! consultation opened, a supervision started), deleted records excluded; deadlines are judged
//! as of the period's last day. "Dân vận khéo" models are a stock: those started by the end of
//! the period. The figures of a unit are counted from its records, never summed from its
//! children's rounded figures, so roll-ups agree with the records at every level.

use serde::{Deserialize, Serialize};

use crate::record::common::{ActionStatus, Recommendation};
use crate::record::dialogue::{DialogueStatus, IssueStatus};
use crate::record::exemplary_model::{ModelField, ModelStatus};
use crate::record::front_session::SessionStatus;
use crate::record::mediation::{DisputeCategory, MediationOutcome};
use crate::record::petition::PetitionType;
use crate::record::supervision::SupervisionBoard;
use crate::record::village_meeting::{ItemOutcome, MeetingStatus};
use crate::record::{DeadlineCode, RecordBody};

use super::period::DateRange;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub dialogue: DialogueFigures,
    pub mediation: MediationFigures,
    pub village_meeting: MeetingFigures,
    /// In the order of `PetitionType::ALL`: complaints, denunciations, recommendations, feedback.
    pub petitions: [PetitionFigures; 4],
    pub consultation: ConsultationFigures,
    /// In the order of `SupervisionBoard::ALL`: people's inspection, community investment.
    pub supervision: [SupervisionFigures; 2],
    pub front_session: FrontSessionFigures,
    pub model: ModelFigures,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogueFigures {
    pub held: u64,
    pub issues_raised: u64,
    /// Answered on the spot or resolved since.
    pub issues_resolved: u64,
    pub issues_overdue: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediationFigures {
    pub received: u64,
    pub successful: u64,
    pub unsuccessful: u64,
    pub withdrawn: u64,
    pub in_progress: u64,
    /// Cases received, in the order of `DisputeCategory::ALL` ("not entered" last).
    #[serde(deserialize_with = "padded")]
    pub by_category: [u64; CATEGORIES],
    /// Successful cases, in the same order.
    #[serde(deserialize_with = "padded")]
    pub successful_by_category: [u64; CATEGORIES],
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingFigures {
    pub held: u64,
    pub items_voted: u64,
    pub items_passed: u64,
    /// Meetings held with a known number of households, for the average below.
    pub with_household_count: u64,
    /// Sum over those meetings of the share of households represented, in basis points.
    pub represented_share_sum_bp: u64,
    /// Meetings where an item went to household ballots (not enough households present).
    pub needed_household_ballots: u64,
    /// Items voted, by how they stand (in the order of `ItemOutcome::ALL`): figures issued
    /// before this count read as zero.
    #[serde(default, deserialize_with = "padded")]
    pub items_by_outcome: [u64; OUTCOMES],
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionFigures {
    pub received: u64,
    /// Accepted (thụ lý) by the end of the period.
    pub accepted: u64,
    /// Decided, or ended without a decision, by the end of the period.
    pub settled: u64,
    /// Settled by the end of the period and within the legal time limit.
    pub settled_on_time: u64,
    /// A legal time limit passed and not met in time, as of the end of the period.
    pub overdue: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationFigures {
    pub held: u64,
    /// Summed over the consultations that entered it; the others are counted below.
    pub people_consulted: u64,
    pub opinions: u64,
    /// Consultations whose number of people consulted nobody entered: not zero people.
    #[serde(default)]
    pub people_not_entered: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionFigures {
    pub activities: u64,
    pub recommendations: u64,
    /// Carried out by the end of the period.
    pub recommendations_resolved: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontSessionFigures {
    pub held: u64,
    pub recommendations: u64,
    pub recommendations_resolved: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelFigures {
    /// Models started by the end of the period (registered or already recognised).
    pub registered: u64,
    /// Of those, recognised as effective by the end of the period.
    pub effective: u64,
    /// In the order of `ModelField::ALL` ("not entered" last).
    #[serde(deserialize_with = "padded")]
    pub registered_by_field: [u64; MODEL_FIELDS],
    #[serde(deserialize_with = "padded")]
    pub effective_by_field: [u64; MODEL_FIELDS],
}

const CATEGORIES: usize = DisputeCategory::ALL.len();
const OUTCOMES: usize = ItemOutcome::ALL.len();
const MODEL_FIELDS: usize = ModelField::ALL.len();

/// Counts by a coded value, as issued: figures issued before "not entered" was a value of its
/// own have one count fewer, read as zero.
fn padded<'de, D: serde::Deserializer<'de>, const N: usize>(d: D) -> Result<[u64; N], D::Error> {
    let counts: Vec<u64> = Vec::deserialize(d)?;
    let mut out = [0; N];
    for (o, c) in out.iter_mut().zip(counts) {
        *o = c;
    }
    Ok(out)
}

fn index_of<T: PartialEq>(all: &[T], x: &T) -> usize {
    all.iter().position(|a| a == x).unwrap_or(0)
}

fn within(range: &DateRange, date: Option<crate::time::CivilDate>) -> bool {
    date.is_some_and(|d| range.contains(d))
}

fn by_end(range: &DateRange, date: Option<crate::time::CivilDate>) -> bool {
    date.is_some_and(|d| d <= range.end)
}

fn count_recommendations(items: &[Recommendation], range: &DateRange) -> (u64, u64) {
    let resolved =
        items.iter().filter(|r| r.status == ActionStatus::Done && r.done_on.is_none_or(|d| d <= range.end)).count();
    (items.len() as u64, resolved as u64)
}

impl Figures {
    /// Counts one live record into the figures of the period `range`; false when the record
    /// does not count in this period (so it is not among the report's provenance).
    pub fn add(&mut self, body: &RecordBody, range: &DateRange) -> bool {
        let end = range.end;
        match body {
            RecordBody::Dialogue(d) => {
                if d.status != DialogueStatus::Held || !within(range, d.held_on) {
                    return false;
                }
                let f = &mut self.dialogue;
                f.held += 1;
                f.issues_raised += d.issues.len() as u64;
                f.issues_resolved += d
                    .issues
                    .iter()
                    .filter(|i| matches!(i.status, IssueStatus::Answered | IssueStatus::Resolved))
                    .count() as u64;
                f.issues_overdue += body
                    .deadlines()
                    .iter()
                    .filter(|dl| dl.code == DeadlineCode::IssueResolution && dl.overdue(end))
                    .count() as u64;
            }
            RecordBody::Mediation(m) => {
                if !within(range, m.received_on) {
                    return false;
                }
                let f = &mut self.mediation;
                f.received += 1;
                let category = index_of(DisputeCategory::ALL, &m.category);
                f.by_category[category] += 1;
                match m.outcome {
                    MediationOutcome::Success => {
                        f.successful += 1;
                        f.successful_by_category[category] += 1;
                    }
                    MediationOutcome::Failure => f.unsuccessful += 1,
                    MediationOutcome::Withdrawn => f.withdrawn += 1,
                    MediationOutcome::InProgress => f.in_progress += 1,
                }
            }
            RecordBody::VillageMeeting(v) => {
                if v.status != MeetingStatus::Held || !within(range, v.held_on) {
                    return false;
                }
                let f = &mut self.village_meeting;
                f.held += 1;
                let results = v.results();
                f.items_voted += results.len() as u64;
                f.items_passed += results.iter().filter(|r| r.passed).count() as u64;
                for r in &results {
                    f.items_by_outcome[index_of(ItemOutcome::ALL, &r.outcome)] += 1;
                }
                // The average counts only meetings whose households were both entered.
                if let (Some(total), Some(represented)) =
                    (v.total_households.filter(|t| *t > 0), v.households_represented)
                {
                    f.with_household_count += 1;
                    f.represented_share_sum_bp += u64::from(represented.min(total)) * 10_000 / u64::from(total);
                }
                if v.agenda.iter().any(|a| !a.ballot_rounds.is_empty()) {
                    f.needed_household_ballots += 1;
                }
            }
            RecordBody::Petition(p) => {
                if !within(range, p.received_on) {
                    return false;
                }
                let f = &mut self.petitions[index_of(PetitionType::ALL, &p.petition_type)];
                f.received += 1;
                if by_end(range, p.accepted_on) {
                    f.accepted += 1;
                }
                let deadlines = body.deadlines();
                let settled_by_end = p.settled() && p.decided_on.is_none_or(|d| d <= end);
                if settled_by_end {
                    f.settled += 1;
                    let late = deadlines.iter().any(|dl| dl.code == DeadlineCode::Settlement && dl.overdue(end));
                    if !late {
                        f.settled_on_time += 1;
                    }
                }
                if deadlines.iter().any(|dl| dl.overdue(end)) {
                    f.overdue += 1;
                }
            }
            RecordBody::Consultation(c) => {
                if !within(range, c.opens_on) {
                    return false;
                }
                let f = &mut self.consultation;
                f.held += 1;
                match c.people_consulted {
                    Some(n) => f.people_consulted += u64::from(n),
                    None => f.people_not_entered += 1,
                }
                f.opinions += [c.opinions_for, c.opinions_against, c.suggestions]
                    .iter()
                    .map(|n| u64::from(n.unwrap_or(0)))
                    .sum::<u64>();
            }
            RecordBody::Supervision(s) => {
                if !within(range, s.starts_on) {
                    return false;
                }
                let f = &mut self.supervision[index_of(SupervisionBoard::ALL, &s.board)];
                f.activities += 1;
                let (total, resolved) = count_recommendations(&s.recommendations, range);
                f.recommendations += total;
                f.recommendations_resolved += resolved;
            }
            RecordBody::FrontSession(s) => {
                if s.status != SessionStatus::Held || !within(range, s.held_on) {
                    return false;
                }
                let f = &mut self.front_session;
                f.held += 1;
                let (total, resolved) = count_recommendations(&s.recommendations, range);
                f.recommendations += total;
                f.recommendations_resolved += resolved;
            }
            RecordBody::Model(m) => {
                if !by_end(range, m.started_on) {
                    return false;
                }
                let field = index_of(ModelField::ALL, &m.field);
                let f = &mut self.model;
                f.registered += 1;
                f.registered_by_field[field] += 1;
                if m.status == ModelStatus::Effective && m.recognised_on.is_none_or(|d| d <= end) {
                    f.effective += 1;
                    f.effective_by_field[field] += 1;
                }
            }
        }
        true
    }

    /// Successful cases per hundred received, one decimal; none without cases.
    pub fn mediation_success_rate(&self) -> Option<f64> {
        percent(self.mediation.successful, self.mediation.received)
    }

    /// The average share of households represented at village meetings, in percent.
    pub fn average_households_represented(&self) -> Option<f64> {
        let m = &self.village_meeting;
        (m.with_household_count > 0)
            .then(|| (m.represented_share_sum_bp as f64 / m.with_household_count as f64 / 10.0).round() / 10.0)
    }
}

/// `part` per hundred of `whole`, to one decimal.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}
