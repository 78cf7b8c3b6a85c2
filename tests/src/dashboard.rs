//! A commune's quarter, recorded on a phone and synced, for the dashboard's tests: the records
//! and the figures a person works out from them by hand (written out below, not computed), and
//! a signed-in HTTP session that keeps its own cookies.

use std::collections::BTreeMap;

use sotay_core::record::common::Attendance;
use sotay_core::record::dialogue::{DialogueStatus, IssueStatus, RaisedIssue};
use sotay_core::record::exemplary_model::{ModelField, ModelStatus};
use sotay_core::record::mediation::{DisputeCategory, MediationOutcome, Party, PartyType};
use sotay_core::record::petition::{PetitionStatus, PetitionSubject, PetitionType};
use sotay_core::record::village::VillageType;
use sotay_core::record::village_meeting::{AgendaItem, BallotRound, MeetingStatus};
use sotay_core::record::{Dialogue, ExemplaryModel, MediationCase, Petition, RecordBody, Village, VillageMeeting};
use sotay_core::time::CivilDate;

use crate::{Backend, COMMUNE, Device, OTHER_COMMUNE, TestServer};

pub const OFFICIAL: &str = "can.bo.a";
pub const REVIEWER: &str = "so.noi.vu";
pub const NEIGHBOUR: &str = "can.bo.xuan.lap";
pub const PASSWORD: &str = "mật-khẩu-đủ-dài-2026";
/// A party's name and a petitioner's phone: they must never show to a reviewer.
pub const PARTY_NAME: &str = "Giàng A Sử";
pub const PETITIONER_PHONE: &str = "0912 345 678";

fn d(s: &str) -> Option<CivilDate> {
    Some(s.parse().expect("a date"))
}

pub struct Quarter {
    pub server: TestServer,
    pub device: Device,
    pub village: String,
    /// Record ids by a short name: m1..m4, meeting, dialogue, petition, model.
    pub ids: BTreeMap<&'static str, String>,
}

fn mediation(title: &str, received: &str, outcome: MediationOutcome, category: DisputeCategory) -> RecordBody {
    RecordBody::Mediation(MediationCase {
        title: title.into(),
        team: "Tổ hòa giải thôn Nà Mè".into(),
        received_on: d(received),
        outcome,
        category,
        agreement_terms: if outcome == MediationOutcome::Success {
            "Hai bên thống nhất mốc giới".into()
        } else {
            String::new()
        },
        parties: vec![Party { party_type: PartyType::Household, name: PARTY_NAME.into(), ..Default::default() }],
        ..Default::default()
    })
}

/// Q3 2026 of Xã Lâm Bình. By hand, calendar Q3 (1/7–30/9):
/// - mediation: m1 (3/7, successful, land), m2 (15/8, unsuccessful, neighbours), m3 (30/9,
///   withdrawn, debt): received 3, successful 1, unsuccessful 1, withdrawn 1, rate 33.3%;
///   m4 (20/6) is in calendar Q2 but in statistical Q3 (15/6–14/9), where m3 is not: 3 again.
/// - village meeting (10/8, Nà Mè, 120 households, 90 present = 75%): item 1, 70 for, passes;
///   item 2, 40 for + 25 by household ballot = 65 > 60, passes: 2 voted, 2 passed, 1 meeting
///   needed ballots.
/// - dialogue (20/7): 2 issues, one answered, one open past its due date (20/8): 1 resolved,
///   1 overdue.
/// - a complaint received 1/7, never accepted: the 10-day limit passed: 1 received, 1 overdue.
/// - a model started 1/3/2026, recognised effective: 1 registered, 1 effective (a stock).
pub async fn quarter() -> Quarter {
    quarter_on(Backend::Sqlite).await
}

/// The same quarter, served from `backend`.
pub async fn quarter_on(backend: Backend) -> Quarter {
    let server = TestServer::start_on(backend);
    server.add_user(OFFICIAL, "commune-official", COMMUNE);
    server.add_user(REVIEWER, "reviewer", "08");
    server.add_user(NEIGHBOUR, "commune-official", OTHER_COMMUNE);
    for login in [OFFICIAL, REVIEWER, NEIGHBOUR] {
        server.set_password(login, PASSWORD);
    }
    let mut device = Device::new(OFFICIAL);
    device.enroll(&server.url, &server.code(OFFICIAL)).await;
    let village = device
        .store
        .add_village(
            COMMUNE,
            Village { name: "Thôn Nà Mè".into(), village_type: VillageType::Thon, households: Some(120) },
        )
        .expect("a village");
    let mut ids = BTreeMap::new();
    use DisputeCategory::*;
    use MediationOutcome::*;
    ids.insert("m1", device.create(&village, mediation("Tranh chấp ranh giới đất vườn", "2026-07-03", Success, Land)));
    ids.insert(
        "m2",
        device.create(COMMUNE, mediation("Mâu thuẫn giữa hai hộ liền kề", "2026-08-15", Failure, Neighbours)),
    );
    ids.insert(
        "m3",
        device.create(COMMUNE, mediation("Tranh chấp tiền vay mua giống", "2026-09-30", Withdrawn, DebtCivil)),
    );
    ids.insert("m4", device.create(COMMUNE, mediation("Tranh chấp lối đi chung", "2026-06-20", Success, Land)));
    let meeting = VillageMeeting {
        title: "Hội nghị thôn bàn làm đường bê tông nội thôn".into(),
        status: MeetingStatus::Held,
        notice_on: d("2026-08-01"),
        held_on: d("2026-08-10"),
        chair: "Trưởng thôn Nà Mè".into(),
        total_households: Some(120),
        households_represented: Some(90),
        agenda: vec![
            AgendaItem {
                title: "Chủ trương làm đường".into(),
                votes_for: Some(70),
                votes_against: Some(15),
                votes_abstain: Some(5),
                ..Default::default()
            },
            AgendaItem {
                title: "Mức đóng góp mỗi hộ".into(),
                votes_for: Some(40),
                votes_against: Some(45),
                votes_abstain: Some(5),
                ballot_rounds: vec![BallotRound { held_on: d("2026-08-20"), households_for: 25, ..Default::default() }],
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    ids.insert("meeting", device.create(&village, RecordBody::VillageMeeting(meeting)));
    let dialogue = Dialogue {
        title: "Đối thoại về giải phóng mặt bằng đường tỉnh".into(),
        status: DialogueStatus::Held,
        notice_on: d("2026-07-10"),
        held_on: d("2026-07-20"),
        place: "Hội trường UBND xã".into(),
        attendance: Attendance { total: Some(85), women: Some(30), ethnic_minority: Some(70), ..Default::default() },
        issues: vec![
            RaisedIssue {
                topic: "Mức bồi thường cây trồng".into(),
                status: IssueStatus::Answered,
                ..Default::default()
            },
            RaisedIssue {
                topic: "Tái định cư cho hộ bị ảnh hưởng".into(),
                responsible_unit: "UBND xã".into(),
                due_on: d("2026-08-20"),
                status: IssueStatus::Open,
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    ids.insert("dialogue", device.create(COMMUNE, RecordBody::Dialogue(dialogue)));
    let petition = Petition {
        title: "Khiếu nại về mức bồi thường đất".into(),
        petition_type: PetitionType::Complaint,
        received_on: d("2026-07-01"),
        petitioner: PetitionSubject {
            name: "Lò Văn Páo".into(), phone: PETITIONER_PHONE.into(), ..Default::default()
        },
        content: "Đề nghị xem xét lại mức bồi thường".into(),
        status: PetitionStatus::Received,
        ..Default::default()
    };
    ids.insert("petition", device.create(COMMUNE, RecordBody::Petition(petition)));
    let model = ExemplaryModel {
        title: "Mô hình tổ liên gia tự quản".into(),
        field: ModelField::Economy,
        owner: "Chi hội Phụ nữ thôn Nà Mè".into(),
        started_on: d("2026-03-01"),
        status: ModelStatus::Effective,
        recognised_on: d("2026-06-30"),
        ..Default::default()
    };
    ids.insert("model", device.create(COMMUNE, RecordBody::Model(model)));
    device.sync().await.expect("sync");
    Quarter { server, device, village, ids }
}

/// The Q3 2026 (calendar) figures of Xã Lâm Bình, worked out above, as the page shows them.
pub const Q3_FIGURES: &[(&str, &str)] = &[
    ("mediation.received", "3"),
    ("mediation.successful", "1"),
    ("mediation.unsuccessful", "1"),
    ("mediation.withdrawn", "1"),
    ("mediation.in_progress", "0"),
    ("mediation.success_rate", "33,3%"),
    ("mediation.category.land", "1"),
    ("village_meeting.held", "1"),
    ("village_meeting.items_voted", "2"),
    ("village_meeting.items_passed", "2"),
    ("village_meeting.average_represented", "75,0%"),
    ("village_meeting.needed_household_ballots", "1"),
    ("dialogue.held", "1"),
    ("dialogue.issues_raised", "2"),
    ("dialogue.issues_resolved", "1"),
    ("dialogue.issues_overdue", "1"),
    ("petitions.complaint.received", "1"),
    ("petitions.complaint.accepted", "0"),
    ("petitions.complaint.overdue", "1"),
    ("front_session.held", "0"),
    ("model.registered", "1"),
    ("model.effective", "1"),
];

/// A browser-like HTTP session: keeps the cookies the dashboard sets (it sends them over plain
/// HTTP to loopback, as browsers do for localhost), follows no redirects by itself.
pub struct Session {
    client: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub cache_control: Option<String>,
}

impl Session {
    pub fn new(base: &str) -> Session {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Session { client, base: base.to_string(), cookies: BTreeMap::new() }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let req = if cookie.is_empty() { req } else { req.header("cookie", cookie) };
        let resp = req.send().await.expect("a response");
        for set in resp.headers().get_all("set-cookie") {
            let text = set.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let status = resp.status().as_u16();
        let location = resp.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string);
        let content_type =
            resp.headers().get("content-type").and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
        let cache_control = resp.headers().get("cache-control").and_then(|l| l.to_str().ok()).map(str::to_string);
        let bytes = resp.bytes().await.expect("a body").to_vec();
        Page {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
            content_type,
            cache_control,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    /// Posts a form as a client behind a proxy that names it `client` in `X-Forwarded-For`.
    pub async fn post_from(&mut self, client: &str, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.client.post(format!("{}{path}", self.base)).header("x-forwarded-for", client).form(form);
        self.send(req).await
    }

    /// Signs in; returns the sign-in response (303 on success).
    pub async fn sign_in(&mut self, login: &str, password: &str) -> Page {
        let form = self.get("/dashboard/sign-in").await;
        let csrf = hidden_csrf(&form.body);
        self.post("/dashboard/sign-in", &[("login", login), ("password", password), ("csrf", &csrf)]).await
    }
}

/// The CSRF token a page's forms carry.
pub fn hidden_csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_string()
}

/// The figures of a report page, by code, as shown.
pub fn figures(html: &str) -> BTreeMap<String, String> {
    html.split("data-code=\"")
        .skip(1)
        .filter_map(|part| {
            let (code, rest) = part.split_once("\">")?;
            let value = rest.split('<').next()?;
            Some((code.to_string(), value.trim().to_string()))
        })
        .collect()
}
