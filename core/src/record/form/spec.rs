//! The structure of each kind's form: which fields, in what order, with what input; groups
//! (attendance, a party's vulnerability) and repeated items (issues raised, parties, agenda items
//! and their ballot rounds, recommendations). The apps draw forms from this, so both follow the
//! record's structure without a form written per kind per platform. A test checks that every
//! field of every record type is here, and nothing else.

use crate::labels::Label;
use crate::record::RecordKind;
use crate::record::common::ActionStatus;
use crate::record::consultation::{ConsultationForm, ConsultationMatter, ConsultationOutcome};
use crate::record::dialogue::{DialogueMode, DialogueStatus, DialogueTrigger, IssueStatus};
use crate::record::exemplary_model::{CommendationLevel, ModelField, ModelStatus};
use crate::record::front_session::{MassOrganisation, SessionStatus};
use crate::record::mediation::{
    DisputeCategory, FollowUp, MediationOutcome, MediationStart, PartyType, SessionPrivacy,
};
use crate::record::petition::{Channel, Complexity, PetitionStatus, PetitionType};
use crate::record::supervision::{SupervisedSubject, SupervisionBoard, SupervisionStatus};
use crate::record::village_meeting::{DirectDecisionMatter, MeetingStatus, VotingMethod};

/// A coded value's choices: codes with their labels.
pub type Options = fn() -> Vec<(&'static str, Label)>;

#[derive(Clone, Copy)]
pub enum Input {
    /// One line of text.
    Text,
    /// Several lines (contents, answers, findings).
    LongText,
    /// A calendar date, typed `DD/MM/YYYY` or `YYYY-MM-DD`.
    Date,
    /// A whole number, 0 or more.
    Count,
    /// Yes or no.
    Flag,
    /// One of a coded set.
    Choice(Options),
    /// Any of a coded set.
    Choices(Options),
    /// A list of lines (names of chairs, handlers, members present).
    TextList,
    /// A group of fields, always there.
    Group(&'static [Field]),
    /// Repeated items of the same fields, added and removed by the user.
    List(&'static [Field]),
    /// Kept as it is, not shown: item identities, attachment references, links set by the store.
    Hidden,
}

#[derive(Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub input: Input,
}

const fn f(name: &'static str, input: Input) -> Field {
    Field { name, input }
}

use Input::{Count, Date, Flag, Hidden, LongText, Text, TextList};

const ETHNIC_COUNT: &[Field] = &[f("code", Text), f("system", Hidden), f("count", Count)];

const ATTENDANCE: &[Field] = &[
    f("total", Count),
    f("women", Count),
    f("ethnic_minority", Count),
    f("by_ethnic_group", Input::List(ETHNIC_COUNT)),
];

const RECOMMENDATION: &[Field] = &[
    f("id", Hidden),
    f("content", LongText),
    f("responsible_unit", Text),
    f("due_on", Date),
    f("status", Input::Choice(ActionStatus::options)),
    f("done_on", Date),
];

const RAISED_ISSUE: &[Field] = &[
    f("id", Hidden),
    f("topic", LongText),
    f("answer", LongText),
    f("referred_to", Text),
    f("responsible_unit", Text),
    f("due_on", Date),
    f("status", Input::Choice(IssueStatus::options)),
];

const DIALOGUE: &[Field] = &[
    f("title", Text),
    f("trigger", Input::Choice(DialogueTrigger::options)),
    f("mode", Input::Choice(DialogueMode::options)),
    f("status", Input::Choice(DialogueStatus::options)),
    f("notice_on", Date),
    f("held_on", Date),
    f("place", Text),
    f("chairs", TextList),
    f("attendance", Input::Group(ATTENDANCE)),
    f("issues", Input::List(RAISED_ISSUE)),
    f("results_published_on", Date),
];

const VULNERABILITY: &[Field] = &[
    f("child", Flag),
    f("elderly", Flag),
    f("disability", Flag),
    f("domestic_violence", Flag),
    f("poor_household", Flag),
];

const PARTY: &[Field] = &[
    f("id", Hidden),
    f("party_type", Input::Choice(PartyType::options)),
    f("name", Text),
    f("address", Text),
    f("phone", Text),
    f("vulnerability", Input::Group(VULNERABILITY)),
];

const ELIGIBILITY: &[Field] = &[
    f("checked", Flag),
    f("harms_state_or_public_interest", Flag),
    f("violates_prohibition_or_ethics", Flag),
    f("criminal_liability", Flag),
    f("administrative_sanction", Flag),
    f("otherwise_excluded", Flag),
];

const MEDIATOR: &[Field] = &[f("id", Hidden), f("name", Text), f("no_conflict_declared", Flag)];

const MEDIATION_SESSION: &[Field] =
    &[f("id", Hidden), f("held_on", Date), f("privacy", Input::Choice(SessionPrivacy::options)), f("notes", LongText)];

const MEDIATION: &[Field] = &[
    f("title", Text),
    f("team", Text),
    f("started_by", Input::Choice(MediationStart::options)),
    f("received_on", Date),
    f("category", Input::Choice(DisputeCategory::options)),
    f("parties", Input::List(PARTY)),
    f("eligibility", Input::Group(ELIGIBILITY)),
    f("mediators", Input::List(MEDIATOR)),
    f("sessions", Input::List(MEDIATION_SESSION)),
    f("outcome", Input::Choice(MediationOutcome::options)),
    f("agreement_terms", LongText),
    f("agreement_due_on", Date),
    f("follow_up", Input::Choice(FollowUp::options)),
    f("attachments", Hidden),
];

const BALLOT_ROUND: &[Field] = &[
    f("id", Hidden),
    f("held_on", Date),
    f("households_for", Count),
    f("households_against", Count),
    f("households_abstain", Count),
];

const AGENDA_ITEM: &[Field] = &[
    f("id", Hidden),
    f("title", Text),
    f("matter", Input::Choice(DirectDecisionMatter::options)),
    f("voting_method", Input::Choice(VotingMethod::options)),
    f("votes_for", Count),
    f("votes_against", Count),
    f("votes_abstain", Count),
    f("ballot_rounds", Input::List(BALLOT_ROUND)),
];

const VILLAGE_MEETING: &[Field] = &[
    f("title", Text),
    f("status", Input::Choice(MeetingStatus::options)),
    f("notice_on", Date),
    f("held_on", Date),
    f("place", Text),
    f("chair", Text),
    f("total_households", Count),
    f("households_represented", Count),
    f("agenda", Input::List(AGENDA_ITEM)),
];

const PETITION_SUBJECT: &[Field] = &[f("name", Text), f("address", Text), f("phone", Text), f("id_number", Text)];

const PETITION: &[Field] = &[
    f("title", Text),
    f("petition_type", Input::Choice(PetitionType::options)),
    f("received_on", Date),
    f("channel", Input::Choice(Channel::options)),
    f("petitioner", Input::Group(PETITION_SUBJECT)),
    f("identity_ref", Hidden),
    f("content", LongText),
    f("complexity", Input::Choice(Complexity::options)),
    f("remote_area", Flag),
    f("status", Input::Choice(PetitionStatus::options)),
    f("accepted_on", Date),
    f("acceptance_notified_on", Date),
    f("extensions", Count),
    f("decided_on", Date),
    f("decision", LongText),
    f("closed_on", Date),
    f("handlers", TextList),
];

const CONSULTATION: &[Field] = &[
    f("title", Text),
    f("matter", Input::Choice(ConsultationMatter::options)),
    f("opens_on", Date),
    f("closes_on", Date),
    f("forms", Input::Choices(ConsultationForm::options)),
    f("people_consulted", Count),
    f("opinions_for", Count),
    f("opinions_against", Count),
    f("suggestions", Count),
    f("summary_for", LongText),
    f("summary_against", LongText),
    f("summary_suggestions", LongText),
    f("response", LongText),
    f("outcome", Input::Choice(ConsultationOutcome::options)),
];

const FRONT_SESSION: &[Field] = &[
    f("title", Text),
    f("status", Input::Choice(SessionStatus::options)),
    f("held_on", Date),
    f("place", Text),
    f("organisations", Input::Choices(MassOrganisation::options)),
    f("other_organisations", Text),
    f("agenda", LongText),
    f("recommendations", Input::List(RECOMMENDATION)),
];

const SUPERVISION: &[Field] = &[
    f("title", Text),
    f("board", Input::Choice(SupervisionBoard::options)),
    f("members_present", TextList),
    f("subject_type", Input::Choice(SupervisedSubject::options)),
    f("subject", Text),
    f("starts_on", Date),
    f("ends_on", Date),
    f("findings", LongText),
    f("status", Input::Choice(SupervisionStatus::options)),
    f("recommendations", Input::List(RECOMMENDATION)),
];

const COMMENDATION: &[Field] = &[
    f("id", Hidden),
    f("awarded_on", Date),
    f("level", Input::Choice(CommendationLevel::options)),
    f("form", Text),
    f("awarded_by", Text),
];

const MODEL: &[Field] = &[
    f("title", Text),
    f("field", Input::Choice(ModelField::options)),
    f("owner", Text),
    f("started_on", Date),
    f("targets", LongText),
    f("results", LongText),
    f("status", Input::Choice(ModelStatus::options)),
    f("recognised_on", Date),
    f("commendations", Input::List(COMMENDATION)),
];

/// The fields of a kind's form, in the order a person fills them in.
pub fn fields_of(kind: RecordKind) -> &'static [Field] {
    match kind {
        RecordKind::Dialogue => DIALOGUE,
        RecordKind::Mediation => MEDIATION,
        RecordKind::VillageMeeting => VILLAGE_MEETING,
        RecordKind::Petition => PETITION,
        RecordKind::Consultation => CONSULTATION,
        RecordKind::FrontSession => FRONT_SESSION,
        RecordKind::Supervision => SUPERVISION,
        RecordKind::Model => MODEL,
    }
}

/// Where a path ends: at a field, or at an item of a list field (`agenda.1`, `chairs.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Field,
    Item,
}

/// The field a concrete path (`agenda.1.ballot_rounds.0.households_for`) leads to; `None` for a
/// path the kind's form does not have.
pub fn field_at(kind: RecordKind, path: &str) -> Option<(Field, Position)> {
    let segments: Vec<&str> = path.split('.').collect();
    resolve(fields_of(kind), &segments)
}

fn resolve(fields: &'static [Field], segments: &[&str]) -> Option<(Field, Position)> {
    let (name, rest) = segments.split_first()?;
    let field = *fields.iter().find(|f| f.name == *name)?;
    match (field.input, rest) {
        (_, []) => Some((field, Position::Field)),
        (Input::Group(children), rest) => resolve(children, rest),
        (Input::List(_) | Input::TextList | Input::Choices(_), [index, tail @ ..]) => {
            index.parse::<usize>().ok()?;
            match (field.input, tail) {
                (_, []) => Some((field, Position::Item)),
                (Input::List(children), tail) => resolve(children, tail),
                _ => None,
            }
        }
        _ => None,
    }
}
