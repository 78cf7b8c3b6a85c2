//! The core's types as uniffi sees them: remote declarations of the same types (not copies: the
//! generated FFI code converts the core's own structs and enums). A field added in the core and
//! not here fails to compile, so the two cannot drift apart. Fields of plain types default to
//! empty (text, lists, numbers, flags, absent dates), so an app writes `Dialogue(title = ..., ...)`
//! with only what it has.

use sotay_core::Lang;
use sotay_core::record::RecordBody;
use sotay_core::record::common::{ActionStatus, AttachmentRef, Attendance, EthnicCount, Recommendation};
use sotay_core::record::consultation::{Consultation, ConsultationForm, ConsultationMatter, ConsultationOutcome};
use sotay_core::record::dialogue::{Dialogue, DialogueMode, DialogueStatus, DialogueTrigger, IssueStatus, RaisedIssue};
use sotay_core::record::exemplary_model::{Commendation, CommendationLevel, ExemplaryModel, ModelField, ModelStatus};
use sotay_core::record::front_session::{FrontSession, MassOrganisation, SessionStatus};
use sotay_core::record::mediation::{
    AssignedMediator, DisputeCategory, Eligibility, FollowUp, MediationCase, MediationOutcome, MediationSession,
    MediationStart, Party, PartyType, SessionPrivacy, Vulnerability,
};
use sotay_core::record::petition::{Channel, Complexity, Petition, PetitionStatus, PetitionSubject, PetitionType};
use sotay_core::record::supervision::{SupervisedSubject, Supervision, SupervisionBoard, SupervisionStatus};
use sotay_core::record::village::{Village, VillageType};
use sotay_core::record::village_meeting::{
    AgendaItem, BallotRound, DirectDecisionMatter, MeetingStatus, VillageMeeting, VotingMethod,
};
use sotay_core::record::{Author, Deadline, DeadlineCode, Flag, FlagCode, RecordKind, Tombstone};
use sotay_core::report::Convention;
use sotay_core::store::{DeadlineView, NewProfile, Profile, RecordFilter, RecordSummary, Role, VillageRow};
use sotay_core::sync::http::SyncReport;
use sotay_core::sync::{RejectedDocument, SyncStatus};
use sotay_core::time::CivilDate;
use sotay_core::units::{AdminUnit, Edition, UnitLevel};

// A calendar date crosses as `YYYY-MM-DD` text (Kotlin `String`, Swift `String`). Text that is
// not a date is refused as the API's own invalid-input error, not an internal one.
uniffi::custom_type!(CivilDate, String, {
    remote,
    lower: |d| d.to_string(),
    try_lift: |s| s.parse::<CivilDate>().map_err(|_| uniffi::deps::anyhow::Error::new(crate::error::SotayError::not_a_date())),
});

/// The language of labels.
#[uniffi::remote(Enum)]
pub enum Lang {
    Vi,
    En,
}

/// Where reporting periods start and end.
#[uniffi::remote(Enum)]
pub enum Convention {
    Calendar,
    Statistical,
}

/// The content of a record, by kind.
#[uniffi::remote(Enum)]
pub enum RecordBody {
    Dialogue(Dialogue),
    Mediation(MediationCase),
    VillageMeeting(VillageMeeting),
    Petition(Petition),
    Consultation(Consultation),
    FrontSession(FrontSession),
    Supervision(Supervision),
    Model(ExemplaryModel),
}

#[uniffi::remote(Record)]
pub struct Recommendation {
    #[uniffi(default = "")]
    pub id: String,
    #[uniffi(default = "")]
    pub content: String,
    #[uniffi(default = "")]
    pub responsible_unit: String,
    #[uniffi(default = None)]
    pub due_on: Option<CivilDate>,
    pub status: ActionStatus,
    #[uniffi(default = None)]
    pub done_on: Option<CivilDate>,
}

#[uniffi::remote(Record)]
pub struct EthnicCount {
    #[uniffi(default = "")]
    pub code: String,
    #[uniffi(default = "")]
    pub system: String,
    #[uniffi(default = 0)]
    pub count: u32,
}

#[uniffi::remote(Record)]
pub struct Attendance {
    #[uniffi(default = None)]
    pub total: Option<u32>,
    #[uniffi(default = None)]
    pub women: Option<u32>,
    #[uniffi(default = None)]
    pub ethnic_minority: Option<u32>,
    #[uniffi(default = [])]
    pub by_ethnic_group: Vec<EthnicCount>,
}

#[uniffi::remote(Record)]
pub struct AttachmentRef {
    #[uniffi(default = "")]
    pub id: String,
    #[uniffi(default = "")]
    pub name: String,
    #[uniffi(default = "")]
    pub media_type: String,
    #[uniffi(default = "")]
    pub sha256: String,
    #[uniffi(default = 0)]
    pub size: u64,
}

#[uniffi::remote(Enum)]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
    Dropped,
}

#[uniffi::remote(Record)]
pub struct RaisedIssue {
    #[uniffi(default = "")]
    pub id: String,
    #[uniffi(default = "")]
    pub topic: String,
    #[uniffi(default = "")]
    pub answer: String,
    #[uniffi(default = "")]
    pub referred_to: String,
    #[uniffi(default = "")]
    pub responsible_unit: String,
    #[uniffi(default = None)]
    pub due_on: Option<CivilDate>,
    pub status: IssueStatus,
}

#[uniffi::remote(Record)]
pub struct Dialogue {
    #[uniffi(default = "")]
    pub title: String,
    pub trigger: DialogueTrigger,
    pub mode: DialogueMode,
    pub status: DialogueStatus,
    #[uniffi(default = None)]
    pub notice_on: Option<CivilDate>,
    #[uniffi(default = None)]
    pub held_on: Option<CivilDate>,
    #[uniffi(default = "")]
    pub place: String,
    #[uniffi(default = [])]
    pub chairs: Vec<String>,
    pub attendance: Attendance,
    #[uniffi(default = [])]
    pub issues: Vec<RaisedIssue>,
    #[uniffi(default = None)]
    pub results_published_on: Option<CivilDate>,
}

#[uniffi::remote(Enum)]
pub enum DialogueTrigger {
    Periodic,
    VotersRequest,
    Other,
    NotEntered,
}

#[uniffi::remote(Enum)]
pub enum DialogueMode {
    InPerson,
    Online,
    NotEntered,
}

#[uniffi::remote(Enum)]
pub enum DialogueStatus {
    Planned,
    Held,
    Cancelled,
}

#[uniffi::remote(Enum)]
pub enum IssueStatus {
    Open,
    Answered,
    Referred,
    Resolved,
}

#[uniffi::remote(Record)]
pub struct Vulnerability {
    #[uniffi(default = false)]
    pub child: bool,
    #[uniffi(default = false)]
    pub elderly: bool,
    #[uniffi(default = false)]
    pub disability: bool,
    #[uniffi(default = false)]
    pub domestic_violence: bool,
    #[uniffi(default = false)]
    pub poor_household: bool,
}

#[uniffi::remote(Record)]
pub struct Party {
    #[uniffi(default = "")]
    pub id: String,
    pub party_type: PartyType,
    #[uniffi(default = "")]
    pub name: String,
    #[uniffi(default = "")]
    pub address: String,
    #[uniffi(default = "")]
    pub phone: String,
    pub vulnerability: Vulnerability,
}

#[uniffi::remote(Record)]
pub struct Eligibility {
    #[uniffi(default = false)]
    pub checked: bool,
    #[uniffi(default = false)]
    pub harms_state_or_public_interest: bool,
    #[uniffi(default = false)]
    pub violates_prohibition_or_ethics: bool,
    #[uniffi(default = false)]
    pub criminal_liability: bool,
    #[uniffi(default = false)]
    pub administrative_sanction: bool,
    #[uniffi(default = false)]
    pub otherwise_excluded: bool,
}

#[uniffi::remote(Record)]
pub struct AssignedMediator {
    #[uniffi(default = "")]
    pub id: String,
    #[uniffi(default = "")]
    pub name: String,
    #[uniffi(default = false)]
    pub no_conflict_declared: bool,
}

#[uniffi::remote(Record)]
pub struct MediationSession {
    #[uniffi(default = "")]
    pub id: String,
    #[uniffi(default = None)]
    pub held_on: Option<CivilDate>,
    pub privacy: SessionPrivacy,
    #[uniffi(default = "")]
    pub notes: String,
}

#[uniffi::remote(Record)]
pub struct MediationCase {
    #[uniffi(default = "")]
    pub title: String,
    #[uniffi(default = "")]
    pub team: String,
    pub started_by: MediationStart,
    #[uniffi(default = None)]
    pub received_on: Option<CivilDate>,
    pub category: DisputeCategory,
    #[uniffi(default = [])]
    pub parties: Vec<Party>,
    pub eligibility: Eligibility,
    #[uniffi(default = [])]
    pub mediators: Vec<AssignedMediator>,
    #[uniffi(default = [])]
    pub sessions: Vec<MediationSession>,
    pub outcome: MediationOutcome,
    #[uniffi(default = "")]
    pub agreement_terms: String,
    #[uniffi(default = None)]
    pub agreement_due_on: Option<CivilDate>,
    pub follow_up: FollowUp,
    #[uniffi(default = [])]
    pub attachments: Vec<AttachmentRef>,
}

#[uniffi::remote(Enum)]
pub enum MediationStart {
    PartyRequest,
    MediatorInitiative,
    AgencyRequest,
}

#[uniffi::remote(Enum)]
pub enum DisputeCategory {
    Land,
    MarriageFamily,
    Neighbours,
    Inheritance,
    DebtCivil,
    Other,
    NotEntered,
}

#[uniffi::remote(Enum)]
pub enum PartyType {
    Individual,
    Household,
    Organisation,
    NotEntered,
}

#[uniffi::remote(Enum)]
pub enum SessionPrivacy {
    Private,
    Public,
}

#[uniffi::remote(Enum)]
pub enum MediationOutcome {
    InProgress,
    Success,
    Failure,
    Withdrawn,
}

#[uniffi::remote(Enum)]
pub enum FollowUp {
    Pending,
    Performed,
    NotPerformed,
}

#[uniffi::remote(Record)]
pub struct BallotRound {
    #[uniffi(default = "")]
    pub id: String,
    #[uniffi(default = None)]
    pub held_on: Option<CivilDate>,
    #[uniffi(default = 0)]
    pub households_for: u32,
    #[uniffi(default = 0)]
    pub households_against: u32,
    #[uniffi(default = 0)]
    pub households_abstain: u32,
}

#[uniffi::remote(Record)]
pub struct AgendaItem {
    #[uniffi(default = "")]
    pub id: String,
    #[uniffi(default = "")]
    pub title: String,
    pub matter: DirectDecisionMatter,
    pub voting_method: VotingMethod,
    #[uniffi(default = None)]
    pub votes_for: Option<u32>,
    #[uniffi(default = None)]
    pub votes_against: Option<u32>,
    #[uniffi(default = None)]
    pub votes_abstain: Option<u32>,
    #[uniffi(default = [])]
    pub ballot_rounds: Vec<BallotRound>,
}

#[uniffi::remote(Record)]
pub struct VillageMeeting {
    #[uniffi(default = "")]
    pub title: String,
    pub status: MeetingStatus,
    #[uniffi(default = None)]
    pub notice_on: Option<CivilDate>,
    #[uniffi(default = None)]
    pub held_on: Option<CivilDate>,
    #[uniffi(default = "")]
    pub place: String,
    #[uniffi(default = "")]
    pub chair: String,
    #[uniffi(default = None)]
    pub total_households: Option<u32>,
    #[uniffi(default = None)]
    pub households_represented: Option<u32>,
    #[uniffi(default = [])]
    pub agenda: Vec<AgendaItem>,
}

#[uniffi::remote(Enum)]
pub enum DirectDecisionMatter {
    PublicWorksContribution,
    VillageHeadElection,
    BoardElection,
    VillageConvention,
    SelfManagementGroup,
    OtherCommunityMatter,
    NotEntered,
}

#[uniffi::remote(Enum)]
pub enum VotingMethod {
    ShowOfHands,
    SecretBallot,
}

#[uniffi::remote(Enum)]
pub enum MeetingStatus {
    Planned,
    Held,
    Cancelled,
}

#[uniffi::remote(Record)]
pub struct PetitionSubject {
    #[uniffi(default = "")]
    pub name: String,
    #[uniffi(default = "")]
    pub address: String,
    #[uniffi(default = "")]
    pub phone: String,
    #[uniffi(default = "")]
    pub id_number: String,
}

#[uniffi::remote(Record)]
pub struct Petition {
    #[uniffi(default = "")]
    pub title: String,
    pub petition_type: PetitionType,
    #[uniffi(default = None)]
    pub received_on: Option<CivilDate>,
    pub channel: Channel,
    pub petitioner: PetitionSubject,
    #[uniffi(default = "")]
    pub identity_ref: String,
    #[uniffi(default = "")]
    pub content: String,
    pub complexity: Complexity,
    #[uniffi(default = false)]
    pub remote_area: bool,
    pub status: PetitionStatus,
    #[uniffi(default = None)]
    pub accepted_on: Option<CivilDate>,
    #[uniffi(default = None)]
    pub acceptance_notified_on: Option<CivilDate>,
    #[uniffi(default = 0)]
    pub extensions: u32,
    #[uniffi(default = None)]
    pub decided_on: Option<CivilDate>,
    #[uniffi(default = "")]
    pub decision: String,
    #[uniffi(default = None)]
    pub closed_on: Option<CivilDate>,
    #[uniffi(default = [])]
    pub handlers: Vec<String>,
}

#[uniffi::remote(Enum)]
pub enum PetitionType {
    Complaint,
    Denunciation,
    Recommendation,
    Feedback,
}

#[uniffi::remote(Enum)]
pub enum Channel {
    InPerson,
    Mail,
    DropBox,
    Online,
    Phone,
    Transferred,
}

#[uniffi::remote(Enum)]
pub enum Complexity {
    Normal,
    Complex,
    EspeciallyComplex,
}

#[uniffi::remote(Enum)]
pub enum PetitionStatus {
    Received,
    Accepted,
    Refused,
    Verifying,
    Dialogue,
    Decided,
    Appealed,
    Closed,
    Withdrawn,
    Suspended,
}

#[uniffi::remote(Record)]
pub struct Consultation {
    #[uniffi(default = "")]
    pub title: String,
    pub matter: ConsultationMatter,
    #[uniffi(default = None)]
    pub opens_on: Option<CivilDate>,
    #[uniffi(default = None)]
    pub closes_on: Option<CivilDate>,
    #[uniffi(default = [])]
    pub forms: Vec<ConsultationForm>,
    #[uniffi(default = None)]
    pub people_consulted: Option<u32>,
    #[uniffi(default = None)]
    pub opinions_for: Option<u32>,
    #[uniffi(default = None)]
    pub opinions_against: Option<u32>,
    #[uniffi(default = None)]
    pub suggestions: Option<u32>,
    #[uniffi(default = "")]
    pub summary_for: String,
    #[uniffi(default = "")]
    pub summary_against: String,
    #[uniffi(default = "")]
    pub summary_suggestions: String,
    #[uniffi(default = "")]
    pub response: String,
    pub outcome: ConsultationOutcome,
}

#[uniffi::remote(Enum)]
pub enum ConsultationMatter {
    SocioEconomicPlan,
    LandUsePlan,
    CompensationResettlement,
    InvestmentProject,
    AdministrativeBoundary,
    DraftLegalDocument,
    Other,
    NotEntered,
}

#[uniffi::remote(Enum)]
pub enum ConsultationForm {
    Meeting,
    Ballot,
    SuggestionBox,
    Online,
    PublicPosting,
}

#[uniffi::remote(Enum)]
pub enum ConsultationOutcome {
    Pending,
    Adopted,
    AdoptedWithChanges,
    NotAdopted,
}

#[uniffi::remote(Record)]
pub struct FrontSession {
    #[uniffi(default = "")]
    pub title: String,
    pub status: SessionStatus,
    #[uniffi(default = None)]
    pub held_on: Option<CivilDate>,
    #[uniffi(default = "")]
    pub place: String,
    #[uniffi(default = [])]
    pub organisations: Vec<MassOrganisation>,
    #[uniffi(default = "")]
    pub other_organisations: String,
    #[uniffi(default = "")]
    pub agenda: String,
    #[uniffi(default = [])]
    pub recommendations: Vec<Recommendation>,
}

#[uniffi::remote(Enum)]
pub enum MassOrganisation {
    FatherlandFront,
    WomensUnion,
    FarmersAssociation,
    VeteransAssociation,
    YouthUnion,
    TradeUnion,
    Other,
}

#[uniffi::remote(Enum)]
pub enum SessionStatus {
    Planned,
    Held,
    Cancelled,
}

#[uniffi::remote(Record)]
pub struct Supervision {
    #[uniffi(default = "")]
    pub title: String,
    pub board: SupervisionBoard,
    #[uniffi(default = [])]
    pub members_present: Vec<String>,
    pub subject_type: SupervisedSubject,
    #[uniffi(default = "")]
    pub subject: String,
    #[uniffi(default = None)]
    pub starts_on: Option<CivilDate>,
    #[uniffi(default = None)]
    pub ends_on: Option<CivilDate>,
    #[uniffi(default = "")]
    pub findings: String,
    pub status: SupervisionStatus,
    #[uniffi(default = [])]
    pub recommendations: Vec<Recommendation>,
}

#[uniffi::remote(Enum)]
pub enum SupervisionBoard {
    PeoplesInspection,
    CommunityInvestment,
}

#[uniffi::remote(Enum)]
pub enum SupervisedSubject {
    Project,
    Policy,
    OfficialConduct,
    Other,
    NotEntered,
}

#[uniffi::remote(Enum)]
pub enum SupervisionStatus {
    Ongoing,
    Concluded,
}

#[uniffi::remote(Record)]
pub struct Commendation {
    #[uniffi(default = "")]
    pub id: String,
    #[uniffi(default = None)]
    pub awarded_on: Option<CivilDate>,
    pub level: CommendationLevel,
    #[uniffi(default = "")]
    pub form: String,
    #[uniffi(default = "")]
    pub awarded_by: String,
}

#[uniffi::remote(Record)]
pub struct ExemplaryModel {
    #[uniffi(default = "")]
    pub title: String,
    pub field: ModelField,
    #[uniffi(default = "")]
    pub owner: String,
    #[uniffi(default = None)]
    pub started_on: Option<CivilDate>,
    #[uniffi(default = "")]
    pub targets: String,
    #[uniffi(default = "")]
    pub results: String,
    pub status: ModelStatus,
    #[uniffi(default = None)]
    pub recognised_on: Option<CivilDate>,
    #[uniffi(default = [])]
    pub commendations: Vec<Commendation>,
}

#[uniffi::remote(Enum)]
pub enum ModelField {
    Economy,
    CultureSociety,
    DefenceSecurity,
    PoliticalSystem,
    NewRural,
    NotEntered,
}

#[uniffi::remote(Enum)]
pub enum ModelStatus {
    Registered,
    Effective,
}

#[uniffi::remote(Enum)]
pub enum CommendationLevel {
    Commune,
    District,
    Province,
    Central,
}

#[uniffi::remote(Record)]
pub struct Village {
    #[uniffi(default = "")]
    pub name: String,
    pub village_type: VillageType,
    #[uniffi(default = None)]
    pub households: Option<u32>,
}

#[uniffi::remote(Enum)]
pub enum VillageType {
    Thon,
    Ban,
    ToDanPho,
    Xom,
    Buon,
    Lang,
    Ap,
    Plei,
    Other,
}

#[uniffi::remote(Record)]
pub struct Author {
    #[uniffi(default = "")]
    pub user: String,
    #[uniffi(default = "")]
    pub device: String,
}

#[uniffi::remote(Record)]
pub struct Tombstone {
    #[uniffi(default = "")]
    pub reason: String,
    pub by: Author,
    #[uniffi(default = 0)]
    pub at: i64,
}

#[uniffi::remote(Record)]
pub struct Deadline {
    pub code: DeadlineCode,
    #[uniffi(default = "")]
    pub path: String,
    pub due: CivilDate,
    #[uniffi(default = false)]
    pub met: bool,
    #[uniffi(default = None)]
    pub met_on: Option<CivilDate>,
}

#[uniffi::remote(Record)]
pub struct Flag {
    pub code: FlagCode,
    #[uniffi(default = "")]
    pub path: String,
}

#[uniffi::remote(Enum)]
pub enum RecordKind {
    Dialogue,
    Mediation,
    VillageMeeting,
    Petition,
    Consultation,
    FrontSession,
    Supervision,
    Model,
}

#[uniffi::remote(Enum)]
pub enum DeadlineCode {
    Acceptance,
    AcceptanceNotice,
    Settlement,
    PublishResults,
    IssueResolution,
    AgreementPerformance,
    Recommendation,
}

#[uniffi::remote(Enum)]
pub enum FlagCode {
    ShortNotice,
    NoNotice,
    EligibilityUnchecked,
    NotEligible,
    ConflictOfInterestUndeclared,
    AgreementNotPerformed,
    QuorumNotMet,
    NeedsHouseholdBallot,
    RemoteArea,
}

#[uniffi::remote(Record)]
pub struct Profile {
    #[uniffi(default = "")]
    pub user_id: String,
    #[uniffi(default = "")]
    pub display_name: String,
    pub role: Role,
    #[uniffi(default = "")]
    pub unit: String,
    #[uniffi(default = "")]
    pub device_id: String,
    #[uniffi(default = 0)]
    pub created_at: i64,
}

#[uniffi::remote(Enum)]
pub enum Role {
    Mediator,
    VillageHead,
    CommuneOfficial,
    CommuneLeader,
    Reviewer,
    Administrator,
}

#[uniffi::remote(Record)]
pub struct RecordFilter {
    #[uniffi(default = [])]
    pub kinds: Vec<RecordKind>,
    #[uniffi(default = None)]
    pub unit: Option<String>,
    #[uniffi(default = None)]
    pub status: Option<String>,
    #[uniffi(default = None)]
    pub from: Option<CivilDate>,
    #[uniffi(default = None)]
    pub to: Option<CivilDate>,
    #[uniffi(default = false)]
    pub overdue: bool,
    #[uniffi(default = false)]
    pub include_deleted: bool,
    #[uniffi(default = 0)]
    pub limit: u32,
}

#[uniffi::remote(Record)]
pub struct RecordSummary {
    #[uniffi(default = "")]
    pub id: String,
    pub kind: RecordKind,
    #[uniffi(default = "")]
    pub unit: String,
    #[uniffi(default = "")]
    pub commune: String,
    #[uniffi(default = "")]
    pub status: String,
    #[uniffi(default = "")]
    pub title: String,
    #[uniffi(default = None)]
    pub event_date: Option<String>,
    #[uniffi(default = None)]
    pub next_due: Option<String>,
    #[uniffi(default = false)]
    pub overdue: bool,
    #[uniffi(default = false)]
    pub deleted: bool,
    #[uniffi(default = 0)]
    pub conflicts: i64,
}

#[uniffi::remote(Record)]
pub struct DeadlineView {
    pub deadline: Deadline,
    #[uniffi(default = false)]
    pub overdue: bool,
}

#[uniffi::remote(Record)]
pub struct VillageRow {
    #[uniffi(default = "")]
    pub id: String,
    #[uniffi(default = "")]
    pub commune: String,
    #[uniffi(default = "")]
    pub name: String,
    #[uniffi(default = "")]
    pub village_type: String,
    #[uniffi(default = None)]
    pub households: Option<u32>,
    #[uniffi(default = false)]
    pub deleted: bool,
}

#[uniffi::remote(Record)]
pub struct SyncStatus {
    #[uniffi(default = false)]
    pub enrolled: bool,
    #[uniffi(default = None)]
    pub server_url: Option<String>,
    #[uniffi(default = None)]
    pub device_id: Option<String>,
    #[uniffi(default = 0)]
    pub pending: u64,
    #[uniffi(default = 0)]
    pub cursor: u64,
    #[uniffi(default = None)]
    pub last_sync_at: Option<i64>,
    #[uniffi(default = None)]
    pub last_error: Option<String>,
    #[uniffi(default = false)]
    pub repair_needed: bool,
    #[uniffi(default = [])]
    pub rejected: Vec<RejectedDocument>,
    #[uniffi(default = 0)]
    pub attachments_pending: u64,
}

#[uniffi::remote(Record)]
pub struct RejectedDocument {
    #[uniffi(default = "")]
    pub id: String,
    #[uniffi(default = "")]
    pub reason: String,
}

#[uniffi::remote(Record)]
pub struct SyncReport {
    #[uniffi(default = 0)]
    pub round_trips: u32,
    #[uniffi(default = 0)]
    pub bytes_sent: u64,
    #[uniffi(default = 0)]
    pub bytes_received: u64,
    #[uniffi(default = 0)]
    pub pushed_changes: u64,
    #[uniffi(default = 0)]
    pub received_changes: u64,
    #[uniffi(default = 0)]
    pub received_docs: u64,
    #[uniffi(default = false)]
    pub repaired: bool,
    #[uniffi(default = [])]
    pub rejected: Vec<String>,
    #[uniffi(default = 0)]
    pub attachments_sent: u64,
    #[uniffi(default = 0)]
    pub attachments_received: u64,
}

#[uniffi::remote(Record)]
pub struct AdminUnit {
    #[uniffi(default = "")]
    pub code: String,
    #[uniffi(default = "")]
    pub name: String,
    #[uniffi(default = None)]
    pub name_en: Option<String>,
    pub level: UnitLevel,
    #[uniffi(default = None)]
    pub parent: Option<String>,
    pub edition: Edition,
    #[uniffi(default = "")]
    pub valid_from: String,
    #[uniffi(default = None)]
    pub valid_to: Option<String>,
    #[uniffi(default = None)]
    pub successor: Option<String>,
    #[uniffi(default = [])]
    pub successors: Vec<String>,
}

/// The edition of the unit list a code belongs to.
#[uniffi::remote(Enum)]
pub enum Edition {
    E2025_03,
    E2025_07,
}

#[uniffi::remote(Enum)]
pub enum UnitLevel {
    Province,
    District,
    Commune,
}

#[uniffi::remote(Record)]
pub struct NewProfile {
    #[uniffi(default = "")]
    pub user_id: String,
    #[uniffi(default = "")]
    pub display_name: String,
    pub role: Role,
    #[uniffi(default = "")]
    pub unit: String,
}
