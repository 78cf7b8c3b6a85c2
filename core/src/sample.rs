//! Realistic Vietnamese sample records for tests and benchmarks: text cut from the Tuyên Quang
//! plan the project serves (at random places and lengths, so that nothing repeats as a template
//! would), real commune names, Kinh and ethnic-minority personal names. Deterministic per seed.

use std::sync::OnceLock;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

use crate::record::common::{ActionStatus, Attendance, EthnicCount, Recommendation};
use crate::record::consultation::{ConsultationForm, ConsultationMatter, ConsultationOutcome};
use crate::record::dialogue::{DialogueMode, DialogueStatus, DialogueTrigger, IssueStatus, RaisedIssue};
use crate::record::exemplary_model::{Commendation, CommendationLevel, ModelField, ModelStatus};
use crate::record::front_session::{MassOrganisation, SessionStatus};
use crate::record::mediation::{
    AssignedMediator, DisputeCategory, Eligibility, FollowUp, MediationOutcome, MediationSession, MediationStart,
    Party, PartyType, SessionPrivacy, Vulnerability,
};
use crate::record::petition::{Channel, Complexity, PetitionStatus, PetitionSubject, PetitionType};
use crate::record::supervision::{SupervisedSubject, SupervisionBoard, SupervisionStatus};
use crate::record::village::{Village, VillageType};
use crate::record::village_meeting::{AgendaItem, BallotRound, DirectDecisionMatter, MeetingStatus, VotingMethod};
use crate::record::{
    Consultation, Dialogue, ExemplaryModel, FrontSession, MediationCase, Petition, RecordBody, RecordKind, Supervision,
    VillageMeeting,
};
use crate::time::CivilDate;
use crate::units::{AdminUnit, UnitLevel, catalogue};

/// The plan (Kế hoạch triển khai Chương trình hành động số 30-CTr/TU, Tuyên Quang, 2013).
pub const PLAN: &str = include_str!("../testdata/ke-hoach-dan-van-tuyen-quang-2013.txt");

fn plan_words() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| PLAN.split_whitespace().collect())
}

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Ma", "Nông", "Lò",
    "Giàng", "Sùng", "Vàng", "Hà", "Triệu", "Bàn", "Lục", "Quan", "Chẩu", "Mùa", "Hầu", "Thào", "Lường",
];
const MIDDLE: &[&str] = &["Văn", "Thị", "Đức", "Minh", "A", "Seo", "Thị Thu", "Xuân", "Mí", "Ngọc", "Quang", "Kim"];
const GIVEN: &[&str] = &[
    "Bình", "An", "Hùng", "Mai", "Lan", "Páo", "Sử", "Chờ", "Dín", "Chúng", "Hương", "Tuấn", "Nga", "Thắm", "Kiên",
    "Phong", "Dềnh", "Pó", "Sình", "Tủa", "Ngân", "Hạnh", "Điệp", "Chiến", "Lượng", "Mỷ", "Quyết", "Thương", "Nhung",
    "Đông",
];
const VILLAGE_FIRST: &[&str] =
    &["Nà", "Khuổi", "Pác", "Phiêng", "Nặm", "Tát", "Cốc", "Lũng", "Bản", "Khau", "Thẳm", "Pù"];
const VILLAGE_SECOND: &[&str] =
    &["Mè", "Ún", "Chang", "Vài", "Luông", "Hon", "Khằm", "Pồng", "Tấu", "Đồn", "Mạ", "Nghè", "Lạn"];
const OFFICES: &[&str] = &[
    "UBND xã",
    "Công an xã",
    "Địa chính - Xây dựng xã",
    "Văn hóa - Xã hội xã",
    "Trạm y tế xã",
    "Phòng Nông nghiệp và Môi trường",
    "Ban quản lý dự án",
    "Trường tiểu học",
    "Mặt trận Tổ quốc xã",
    "Hội Nông dân xã",
];

pub struct Sampler {
    rng: StdRng,
    communes: Vec<&'static AdminUnit>,
    /// Around this date the sample's events happen.
    pub base: CivilDate,
}

impl Sampler {
    pub fn new(seed: u64) -> Sampler {
        // Communes in force in Tuyên Quang (08, Hà Giang merged into it) and in the mountain
        // provinces around it, for real names.
        let provinces = ["08", "04", "11", "12", "14", "15", "19", "20"];
        let communes = catalogue()
            .edition(crate::units::Edition::CURRENT)
            .filter(|u| u.level == UnitLevel::Commune)
            .filter(|u| catalogue().lineage(&u.code).last().is_some_and(|p| provinces.contains(&p.code.as_str())))
            .collect();
        Sampler { rng: StdRng::seed_from_u64(seed), communes, base: CivilDate(jiff::civil::date(2026, 6, 15)) }
    }

    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    /// A run of `min..=max` consecutive words of the plan, from a random place.
    pub fn text(&mut self, min: usize, max: usize) -> String {
        let words = plan_words();
        let n = self.rng.random_range(min..=max).min(words.len());
        let start = self.rng.random_range(0..=words.len() - n);
        let mut s = words[start..start + n].join(" ");
        s = s.trim_matches(|c: char| !c.is_alphanumeric() && c != '"').to_string();
        if let Some(first) = s.chars().next() {
            let upper: String = first.to_uppercase().collect();
            s.replace_range(..first.len_utf8(), &upper);
        }
        s
    }

    pub fn title(&mut self) -> String {
        self.text(4, 14)
    }

    pub fn person(&mut self) -> String {
        let f = FAMILY.choose(&mut self.rng).copied().unwrap_or("Nguyễn");
        let m = MIDDLE.choose(&mut self.rng).copied().unwrap_or("Văn");
        let g = GIVEN.choose(&mut self.rng).copied().unwrap_or("An");
        format!("{f} {m} {g}")
    }

    pub fn phone(&mut self) -> String {
        format!("09{:08}", self.rng.random_range(0..100_000_000u32))
    }

    pub fn office(&mut self) -> String {
        OFFICES.choose(&mut self.rng).copied().unwrap_or("UBND xã").to_string()
    }

    pub fn village_name(&mut self) -> String {
        let a = VILLAGE_FIRST.choose(&mut self.rng).copied().unwrap_or("Nà");
        let b = VILLAGE_SECOND.choose(&mut self.rng).copied().unwrap_or("Mè");
        format!("{a} {b}")
    }

    pub fn village(&mut self) -> Village {
        Village {
            name: format!("Thôn {}", self.village_name()),
            village_type: *VillageType::ALL.choose(&mut self.rng).unwrap_or(&VillageType::Thon),
            households: Some(self.rng.random_range(40..400)),
        }
    }

    pub fn commune(&mut self) -> &'static AdminUnit {
        self.communes.choose(&mut self.rng).copied().unwrap_or(&catalogue().all()[0])
    }

    pub fn address(&mut self) -> String {
        let village = self.village_name();
        let commune = self.commune().name.clone();
        format!("Thôn {village}, {commune}")
    }

    /// A date within `days` either side of the base date.
    pub fn date(&mut self, days: i32) -> CivilDate {
        self.base.plus_days(self.rng.random_range(-days..=days))
    }

    fn pick<T: Copy>(&mut self, all: &[T]) -> T {
        *all.choose(&mut self.rng).unwrap_or(&all[0])
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn recommendations(&mut self, held: CivilDate) -> Vec<Recommendation> {
        (0..self.rng.random_range(0..4))
            .map(|_| {
                let status = self.pick(ActionStatus::ALL);
                Recommendation {
                    id: String::new(),
                    content: self.text(8, 30),
                    responsible_unit: self.office(),
                    due_on: Some(held.plus_days(self.rng.random_range(10..90))),
                    status,
                    done_on: (status == ActionStatus::Done).then(|| held.plus_days(self.rng.random_range(5..60))),
                }
            })
            .collect()
    }

    /// A valid record of the given kind.
    pub fn body(&mut self, kind: RecordKind) -> RecordBody {
        match kind {
            RecordKind::Dialogue => RecordBody::Dialogue(self.dialogue()),
            RecordKind::Mediation => RecordBody::Mediation(self.mediation()),
            RecordKind::VillageMeeting => RecordBody::VillageMeeting(self.village_meeting()),
            RecordKind::Petition => RecordBody::Petition(self.petition()),
            RecordKind::Consultation => RecordBody::Consultation(self.consultation()),
            RecordKind::FrontSession => RecordBody::FrontSession(self.front_session()),
            RecordKind::Supervision => RecordBody::Supervision(self.supervision()),
            RecordKind::Model => RecordBody::Model(self.model()),
        }
    }

    /// A valid record of a random kind.
    pub fn any_body(&mut self) -> RecordBody {
        let kind = self.pick(RecordKind::ALL);
        self.body(kind)
    }

    pub fn dialogue(&mut self) -> Dialogue {
        let held = self.date(180);
        let total = self.rng.random_range(20..300);
        let women = self.rng.random_range(0..=total);
        let minority = self.rng.random_range(0..=total);
        let groups = ["02", "07", "08", "09", "15", "18", "25"];
        let mut left = minority;
        let by_ethnic_group = groups
            .iter()
            .take(self.rng.random_range(0..4))
            .map(|code| {
                let count = self.rng.random_range(0..=left);
                left -= count;
                EthnicCount { code: code.to_string(), system: String::new(), count }
            })
            .collect();
        Dialogue {
            title: format!("Đối thoại: {}", self.title()),
            trigger: self.pick(DialogueTrigger::ALL),
            mode: self.pick(DialogueMode::ALL),
            status: self.pick(&[DialogueStatus::Held, DialogueStatus::Held, DialogueStatus::Planned]),
            notice_on: Some(held.plus_days(-self.rng.random_range(3..15))),
            held_on: Some(held),
            place: format!("Nhà văn hóa thôn {}", self.village_name()),
            chairs: vec![format!("Chủ tịch UBND xã {}", self.person())],
            attendance: Attendance {
                total: Some(total),
                women: Some(women),
                ethnic_minority: Some(minority),
                by_ethnic_group,
            },
            issues: (0..self.rng.random_range(0..5))
                .map(|_| {
                    let status = self.pick(IssueStatus::ALL);
                    RaisedIssue {
                        id: String::new(),
                        topic: self.text(6, 25),
                        answer: self.text(5, 40),
                        referred_to: if status == IssueStatus::Referred { self.office() } else { String::new() },
                        responsible_unit: self.office(),
                        due_on: Some(held.plus_days(self.rng.random_range(7..60))),
                        status,
                    }
                })
                .collect(),
            results_published_on: self.chance(0.6).then(|| held.plus_days(self.rng.random_range(1..15))),
        }
    }

    pub fn mediation(&mut self) -> MediationCase {
        let received = self.date(180);
        let outcome = self.pick(MediationOutcome::ALL);
        let parties = (0..self.rng.random_range(2..4))
            .map(|_| Party {
                id: String::new(),
                party_type: self.pick(PartyType::ALL),
                name: self.person(),
                address: self.address(),
                phone: self.phone(),
                vulnerability: Vulnerability {
                    child: self.chance(0.1),
                    elderly: self.chance(0.2),
                    disability: self.chance(0.05),
                    domestic_violence: self.chance(0.05),
                    poor_household: self.chance(0.2),
                },
            })
            .collect();
        MediationCase {
            title: format!("Tranh chấp {}", self.text(4, 12).to_lowercase()),
            team: format!("Tổ hòa giải thôn {}", self.village_name()),
            started_by: self.pick(MediationStart::ALL),
            received_on: Some(received),
            category: self.pick(DisputeCategory::ALL),
            parties,
            eligibility: Eligibility { checked: self.chance(0.9), ..Default::default() },
            mediators: (0..self.rng.random_range(1..3))
                .map(|_| AssignedMediator {
                    id: String::new(),
                    name: self.person(),
                    no_conflict_declared: self.chance(0.9),
                })
                .collect(),
            sessions: (0..self.rng.random_range(0..4))
                .map(|_| MediationSession {
                    id: String::new(),
                    held_on: Some(received.plus_days(self.rng.random_range(0..30))),
                    privacy: self.pick(SessionPrivacy::ALL),
                    notes: self.text(10, 60),
                })
                .collect(),
            outcome,
            agreement_terms: if outcome == MediationOutcome::Success { self.text(10, 40) } else { String::new() },
            agreement_due_on: (outcome == MediationOutcome::Success)
                .then(|| received.plus_days(self.rng.random_range(30..120))),
            follow_up: if outcome == MediationOutcome::Success { self.pick(FollowUp::ALL) } else { FollowUp::Pending },
            attachments: Vec::new(),
        }
    }

    pub fn village_meeting(&mut self) -> VillageMeeting {
        let held = self.date(180);
        let total = self.rng.random_range(40..400);
        let represented = self.rng.random_range(total / 3..=total);
        VillageMeeting {
            title: format!("Hội nghị thôn {}: {}", self.village_name(), self.text(3, 10).to_lowercase()),
            status: self.pick(&[MeetingStatus::Held, MeetingStatus::Held, MeetingStatus::Planned]),
            notice_on: Some(held.plus_days(-self.rng.random_range(2..12))),
            held_on: Some(held),
            place: format!("Nhà văn hóa thôn {}", self.village_name()),
            chair: self.person(),
            total_households: Some(total),
            households_represented: Some(represented),
            agenda: (0..self.rng.random_range(1..4))
                .map(|_| {
                    let votes_for = self.rng.random_range(0..=represented);
                    let votes_against = self.rng.random_range(0..=represented - votes_for);
                    let votes_abstain = represented - votes_for - votes_against;
                    let absent = total - represented;
                    let ballot_rounds = if self.chance(0.3) && absent > 0 {
                        let f = self.rng.random_range(0..=absent);
                        vec![BallotRound {
                            id: String::new(),
                            held_on: Some(held.plus_days(self.rng.random_range(1..20))),
                            households_for: f,
                            households_against: absent - f,
                            households_abstain: 0,
                        }]
                    } else {
                        Vec::new()
                    };
                    AgendaItem {
                        id: String::new(),
                        title: self.text(5, 18),
                        matter: self.pick(DirectDecisionMatter::ALL),
                        voting_method: self.pick(VotingMethod::ALL),
                        votes_for: Some(votes_for),
                        votes_against: Some(votes_against),
                        votes_abstain: Some(votes_abstain),
                        ballot_rounds,
                    }
                })
                .collect(),
        }
    }

    pub fn petition(&mut self) -> Petition {
        let received = self.date(180);
        let petition_type = self.pick(PetitionType::ALL);
        let status = self.pick(PetitionStatus::ALL);
        use PetitionStatus::*;
        let accepted = matches!(status, Accepted | Verifying | Dialogue | Decided | Appealed | Suspended | Closed)
            .then(|| received.plus_days(self.rng.random_range(1..12)));
        let decided = matches!(status, Decided | Appealed | Closed)
            .then(|| accepted.unwrap_or(received).plus_days(self.rng.random_range(10..70)));
        let complexity = self.pick(Complexity::ALL);
        let extensions = if petition_type == PetitionType::Denunciation {
            let allowed = match complexity {
                Complexity::Normal => 0,
                Complexity::Complex => 1,
                Complexity::EspeciallyComplex => 2,
            };
            self.rng.random_range(0..=allowed)
        } else {
            0
        };
        Petition {
            title: self.title(),
            petition_type,
            received_on: Some(received),
            channel: self.pick(Channel::ALL),
            petitioner: PetitionSubject {
                name: self.person(),
                address: self.address(),
                phone: self.phone(),
                id_number: format!("0{:011}", self.rng.random_range(0..100_000_000_000u64)),
            },
            identity_ref: String::new(),
            content: self.text(20, 90),
            complexity,
            remote_area: self.chance(0.4),
            status,
            accepted_on: accepted,
            acceptance_notified_on: accepted
                .filter(|_| self.chance(0.7))
                .map(|a| a.plus_days(self.rng.random_range(1..9))),
            extensions,
            decided_on: decided,
            decision: if decided.is_some() { self.text(10, 40) } else { String::new() },
            closed_on: (status == Closed).then(|| decided.unwrap_or(received).plus_days(5)),
            handlers: vec![format!("canbo.{}", self.rng.random_range(1..20))],
        }
    }

    pub fn consultation(&mut self) -> Consultation {
        let opens = self.date(180);
        let people = self.rng.random_range(20..500);
        let opinions_for = self.rng.random_range(0..=people);
        let opinions_against = self.rng.random_range(0..=people - opinions_for);
        let outcome = self.pick(ConsultationOutcome::ALL);
        Consultation {
            title: format!("Dự thảo {}", self.text(5, 15).to_lowercase()),
            matter: self.pick(ConsultationMatter::ALL),
            opens_on: Some(opens),
            closes_on: (outcome != ConsultationOutcome::Pending || self.chance(0.5))
                .then(|| opens.plus_days(self.rng.random_range(7..45))),
            forms: ConsultationForm::ALL.iter().copied().filter(|_| self.rng.random_bool(0.4)).collect(),
            people_consulted: Some(people),
            opinions_for: Some(opinions_for),
            opinions_against: Some(opinions_against),
            suggestions: Some(self.rng.random_range(0..50)),
            summary_for: self.text(10, 40),
            summary_against: self.text(5, 30),
            summary_suggestions: self.text(5, 30),
            response: self.text(10, 50),
            outcome,
        }
    }

    pub fn front_session(&mut self) -> FrontSession {
        let held = self.date(180);
        FrontSession {
            title: format!("Làm việc với Mặt trận Tổ quốc xã: {}", self.text(3, 10).to_lowercase()),
            status: self.pick(&[SessionStatus::Held, SessionStatus::Held, SessionStatus::Planned]),
            held_on: Some(held),
            place: "Hội trường UBND xã".to_string(),
            organisations: MassOrganisation::ALL.iter().copied().filter(|_| self.rng.random_bool(0.6)).collect(),
            other_organisations: String::new(),
            agenda: self.text(15, 60),
            recommendations: self.recommendations(held),
        }
    }

    pub fn supervision(&mut self) -> Supervision {
        let starts = self.date(180);
        Supervision {
            title: self.title(),
            board: self.pick(SupervisionBoard::ALL),
            members_present: (0..self.rng.random_range(2..6)).map(|_| self.person()).collect(),
            subject_type: self.pick(SupervisedSubject::ALL),
            subject: self.text(6, 20),
            starts_on: Some(starts),
            ends_on: self.chance(0.7).then(|| starts.plus_days(self.rng.random_range(1..30))),
            findings: self.text(15, 80),
            status: self.pick(SupervisionStatus::ALL),
            recommendations: self.recommendations(starts),
        }
    }

    pub fn model(&mut self) -> ExemplaryModel {
        let started = self.date(400);
        let status = self.pick(ModelStatus::ALL);
        ExemplaryModel {
            title: format!("Mô hình \"{}\"", self.text(3, 9)),
            field: self.pick(ModelField::ALL),
            owner: if self.chance(0.5) {
                self.person()
            } else {
                format!("Chi hội phụ nữ thôn {}", self.village_name())
            },
            started_on: Some(started),
            targets: self.text(10, 40),
            results: self.text(10, 60),
            status,
            recognised_on: (status == ModelStatus::Effective)
                .then(|| started.plus_days(self.rng.random_range(90..365))),
            commendations: (0..self.rng.random_range(0..3))
                .map(|_| Commendation {
                    id: String::new(),
                    awarded_on: Some(started.plus_days(self.rng.random_range(100..400))),
                    level: self.pick(CommendationLevel::ALL),
                    form: "Giấy khen".to_string(),
                    awarded_by: format!("Chủ tịch UBND {}", self.commune().name),
                })
                .collect(),
        }
    }
}
