//! Report figures against fixtures worked out by hand (the expected numbers are written out, not
//! computed), for both conventions, at the 14th/15th boundaries, after late edits, and rolled up
//! village → commune → province (the two tiers since 2025-07-01).

use super::*;
use crate::record::common::{ActionStatus, Recommendation};
use crate::record::dialogue::{DialogueStatus, IssueStatus, RaisedIssue};
use crate::record::exemplary_model::{ModelField, ModelStatus};
use crate::record::front_session::SessionStatus;
use crate::record::mediation::{DisputeCategory, MediationOutcome};
use crate::record::petition::{PetitionStatus, PetitionType};
use crate::record::village_meeting::{AgendaItem, BallotRound, MeetingStatus};
use crate::record::{Dialogue, ExemplaryModel, FrontSession, MediationCase, Petition, VillageMeeting};
use crate::time::CivilDate;

const LAM_BINH: &str = "02266"; // Xã Lâm Bình, Tỉnh Tuyên Quang
const THUONG_LAM: &str = "02269"; // Xã Thượng Lâm, Tỉnh Tuyên Quang
const NA_HANG: &str = "02221"; // Xã Nà Hang, Tỉnh Tuyên Quang
const TUYEN_QUANG: &str = "08";
const NA_ME: &str = "village-na-me"; // a village of Lâm Bình
const KHAU_QUAN: &str = "village-khau-quan"; // another

fn d(s: &str) -> Option<CivilDate> {
    Some(s.parse().expect("a date"))
}

fn rec(id: &str, unit: &str, commune: &str, body: RecordBody) -> ReportRecord {
    ReportRecord::of_body(id.into(), unit.into(), commune.into(), false, vec![format!("h-{id}")], &body)
}

fn mediation(received: &str, outcome: MediationOutcome, category: DisputeCategory) -> RecordBody {
    RecordBody::Mediation(MediationCase {
        title: "Tranh chấp lối đi chung giữa hai hộ".into(),
        received_on: d(received),
        outcome,
        category,
        ..Default::default()
    })
}

fn unit(code: &str) -> UnitRef {
    UnitRef { code: code.into(), name: code.into() }
}

fn report(records: &[ReportRecord], code: &str, period: &str, c: Convention) -> Report {
    Report::build(records, unit(code), Vec::new(), period.parse().expect("a period"), c)
}

fn value(r: &Report, code: &str) -> Value {
    r.rows().into_iter().find(|row| row.code == code).map(|row| row.value).expect("a row")
}

#[test]
fn the_14th_and_15th_fall_on_either_side_of_a_statistical_quarter() {
    use DisputeCategory::*;
    use MediationOutcome::*;
    let records = vec![
        rec("a", NA_ME, LAM_BINH, mediation("2026-06-14", Success, Land)),
        rec("b", NA_ME, LAM_BINH, mediation("2026-06-15", Failure, Neighbours)),
        rec("c", LAM_BINH, LAM_BINH, mediation("2025-12-15", Success, Inheritance)),
        rec("d", LAM_BINH, LAM_BINH, mediation("2026-03-31", InProgress, Land)),
        rec("e", LAM_BINH, LAM_BINH, mediation("2026-09-14", Withdrawn, Land)),
        rec("f", LAM_BINH, LAM_BINH, mediation("2026-09-15", Success, MarriageFamily)),
    ];
    let q = |p, c| report(&records, LAM_BINH, p, c).figures.mediation.received;
    // Calendar: Q1 = d (31/3); Q2 = a, b (14/6, 15/6); Q3 = e, f; 2025-Q4 = c.
    assert_eq!(q("2026-Q1", Convention::Calendar), 1);
    assert_eq!(q("2026-Q2", Convention::Calendar), 2);
    assert_eq!(q("2026-Q3", Convention::Calendar), 2);
    assert_eq!(q("2025-Q4", Convention::Calendar), 1);
    // Statistical: Q1 = 15/12/2025..14/3 = c; Q2 = 15/3..14/6 = d, a; Q3 = 15/6..14/9 = b, e; Q4 = f.
    assert_eq!(q("2026-Q1", Convention::Statistical), 1);
    assert_eq!(q("2026-Q2", Convention::Statistical), 2);
    assert_eq!(q("2026-Q3", Convention::Statistical), 2);
    assert_eq!(q("2026-Q4", Convention::Statistical), 1);
    assert_eq!(q("2025-Q4", Convention::Statistical), 0);
    // The year: calendar 2026 = a b d e f; statistical 2026 = all six.
    assert_eq!(q("2026", Convention::Calendar), 5);
    assert_eq!(q("2026", Convention::Statistical), 6);

    let r = report(&records, LAM_BINH, "2026-Q2", Convention::Statistical);
    let m = &r.figures.mediation;
    assert_eq!((m.received, m.successful, m.unsuccessful, m.withdrawn, m.in_progress), (2, 1, 0, 0, 1));
    assert_eq!(m.by_category, [2, 0, 0, 0, 0, 0, 0]);
    assert_eq!(value(&r, "mediation.success_rate"), Value::Percent(Some(50.0)));
    let y = report(&records, LAM_BINH, "2026", Convention::Statistical);
    // 3 successful of 6: 50%; by category land 3, marriage 1, neighbours 1, inheritance 1.
    assert_eq!(y.figures.mediation.by_category, [3, 1, 1, 1, 0, 0, 0]);
    assert_eq!(value(&y, "mediation.success_rate"), Value::Percent(Some(50.0)));
    assert_eq!(
        value(&report(&records, LAM_BINH, "2026-Q3", Convention::Calendar), "mediation.success_rate"),
        Value::Percent(Some(50.0))
    );
    assert_eq!(
        value(&report(&records, LAM_BINH, "2027-Q1", Convention::Calendar), "mediation.success_rate"),
        Value::Percent(None)
    );
}

fn complaint(received: &str, accepted: Option<&str>, decided: Option<&str>) -> RecordBody {
    RecordBody::Petition(Petition {
        title: "Khiếu nại về bồi thường đất".into(),
        petition_type: PetitionType::Complaint,
        received_on: d(received),
        accepted_on: accepted.and_then(d),
        decided_on: decided.and_then(d),
        status: match (accepted, decided) {
            (_, Some(_)) => PetitionStatus::Decided,
            (Some(_), None) => PetitionStatus::Verifying,
            _ => PetitionStatus::Received,
        },
        ..Default::default()
    })
}

#[test]
fn petitions_against_their_legal_time_limits() {
    let records = vec![
        // Accepted on day 4, decided in 19 days of the 30: on time.
        rec("p1", LAM_BINH, LAM_BINH, complaint("2026-07-01", Some("2026-07-05"), Some("2026-07-24"))),
        // Accepted on time (10 days: by 11/7), decided after 40 days: late (30-day limit ends 9/8).
        rec("p2", LAM_BINH, LAM_BINH, complaint("2026-07-01", Some("2026-07-10"), Some("2026-08-19"))),
        // Never accepted: the acceptance limit (11/7) passed before the quarter ended: overdue.
        rec("p3", LAM_BINH, LAM_BINH, complaint("2026-07-01", None, None)),
        // Received 25/9, acceptance due 5/10: not yet overdue on 30/9.
        rec("p4", LAM_BINH, LAM_BINH, complaint("2026-09-25", None, None)),
        // Decided only after the quarter (5/10): not settled in Q3, and not overdue (due 30/9+).
        rec("p5", LAM_BINH, LAM_BINH, complaint("2026-09-01", Some("2026-09-02"), Some("2026-10-05"))),
        // A denunciation received 1/7 (Wednesday), accepted 6/7, within 7 working days; the
        // denouncer told 8/7, within 5 working days; but not settled within 30 days of
        // acceptance (by 5/8): overdue on 30/9.
        rec(
            "t1",
            LAM_BINH,
            LAM_BINH,
            RecordBody::Petition(Petition {
                title: "Tố cáo cán bộ thôn".into(),
                petition_type: PetitionType::Denunciation,
                received_on: d("2026-07-01"),
                accepted_on: d("2026-07-06"),
                acceptance_notified_on: d("2026-07-08"),
                status: PetitionStatus::Verifying,
                ..Default::default()
            }),
        ),
    ];
    let r = report(&records, LAM_BINH, "2026-Q3", Convention::Calendar);
    let c = &r.figures.petitions[0];
    assert_eq!((c.received, c.accepted, c.settled, c.settled_on_time, c.overdue), (5, 3, 2, 1, 2));
    let t = &r.figures.petitions[1];
    assert_eq!((t.received, t.accepted, t.settled, t.settled_on_time, t.overdue), (1, 1, 0, 0, 1));
    assert_eq!(value(&r, "petitions.complaint.overdue"), Value::Count(2));
    // p5 was received in Q3, so Q4 does not count it at all.
    assert_eq!(report(&records, LAM_BINH, "2026-Q4", Convention::Calendar).figures.petitions[0].received, 0);
    // By the year's end p5 is settled, late (accepted 2/9, limit 2/10, decided 5/10), and p4's
    // acceptance limit (5/10) has long passed: overdue are p2, p3, p4, p5.
    let y = report(&records, LAM_BINH, "2026", Convention::Calendar);
    let c = &y.figures.petitions[0];
    assert_eq!((c.received, c.accepted, c.settled, c.settled_on_time, c.overdue), (5, 3, 3, 1, 4));
}

fn meeting(held: &str, total: u32, represented: u32, items: Vec<AgendaItem>) -> RecordBody {
    RecordBody::VillageMeeting(VillageMeeting {
        title: "Hội nghị thôn bàn làm đường bê tông".into(),
        status: MeetingStatus::Held,
        held_on: d(held),
        total_households: Some(total),
        households_represented: Some(represented),
        agenda: items,
        ..Default::default()
    })
}

fn item(votes_for: u32, ballots_for: Option<u32>) -> AgendaItem {
    AgendaItem {
        title: "Mức đóng góp làm đường".into(),
        votes_for: Some(votes_for),
        ballot_rounds: ballots_for
            .map(|b| vec![BallotRound { households_for: b, ..Default::default() }])
            .unwrap_or_default(),
        ..Default::default()
    }
}

fn dialogue(held: &str, issues: Vec<(IssueStatus, Option<&str>)>) -> RecordBody {
    RecordBody::Dialogue(Dialogue {
        title: "Đối thoại về giải phóng mặt bằng".into(),
        status: DialogueStatus::Held,
        held_on: d(held),
        issues: issues
            .into_iter()
            .map(|(status, due)| RaisedIssue {
                topic: "Đền bù".into(),
                status,
                due_on: due.and_then(d),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    })
}

fn front(held: &str, recommendations: Vec<ActionStatus>) -> RecordBody {
    RecordBody::FrontSession(FrontSession {
        title: "Làm việc với Mặt trận Tổ quốc xã".into(),
        status: SessionStatus::Held,
        held_on: d(held),
        recommendations: recommendations
            .into_iter()
            .map(|status| Recommendation { content: "Sửa đường".into(), status, ..Default::default() })
            .collect(),
        ..Default::default()
    })
}

fn model(started: &str, status: ModelStatus, field: ModelField) -> RecordBody {
    RecordBody::Model(ExemplaryModel {
        title: "Mô hình đoàn kết giúp nhau làm kinh tế".into(),
        started_on: d(started),
        status,
        field,
        ..Default::default()
    })
}

/// A province's worth of records in three communes, two villages.
fn province() -> Vec<ReportRecord> {
    use IssueStatus::*;
    vec![
        // Lâm Bình, village Nà Mè: 120 households, 90 present (75%); item 1 passes at the meeting
        // (70 > 60), item 2 needs ballots: 40 + 25 = 65 > 60 passes.
        rec("m1", NA_ME, LAM_BINH, meeting("2026-08-10", 120, 90, vec![item(70, None), item(40, Some(25))])),
        // Khau Quân: 80 households, 30 present (37.5%); 20 for, not > 40 of all: fails.
        rec("m2", KHAU_QUAN, LAM_BINH, meeting("2026-09-02", 80, 30, vec![item(20, None)])),
        // Lâm Bình: a dialogue with 3 issues: answered, open past its due date, open not yet due.
        rec(
            "d1",
            LAM_BINH,
            LAM_BINH,
            dialogue("2026-07-15", vec![(Answered, None), (Open, Some("2026-08-15")), (Open, Some("2026-10-30"))]),
        ),
        rec("f1", LAM_BINH, LAM_BINH, front("2026-07-20", vec![ActionStatus::Done, ActionStatus::Open])),
        rec("x1", NA_ME, LAM_BINH, mediation("2026-07-03", MediationOutcome::Success, DisputeCategory::Land)),
        // Thượng Lâm: a mediation, a dialogue with one resolved issue; no front session.
        rec(
            "x2",
            THUONG_LAM,
            THUONG_LAM,
            mediation("2026-08-03", MediationOutcome::Failure, DisputeCategory::DebtCivil),
        ),
        rec("d2", THUONG_LAM, THUONG_LAM, dialogue("2026-09-20", vec![(Resolved, None)])),
        // Na Hang: a front session, two models (one effective).
        rec("f2", NA_HANG, NA_HANG, front("2026-08-08", vec![])),
        rec("e1", NA_HANG, NA_HANG, model("2025-05-01", ModelStatus::Effective, ModelField::Economy)),
        rec("e2", NA_HANG, NA_HANG, model("2026-09-01", ModelStatus::Registered, ModelField::NewRural)),
        // Deleted: counts nowhere.
        ReportRecord {
            deleted: true,
            ..rec("z1", LAM_BINH, LAM_BINH, mediation("2026-07-03", MediationOutcome::Success, DisputeCategory::Land))
        },
    ]
}

#[test]
fn a_commune_report_with_its_villages() {
    let records = province();
    let r = Report::build(
        &records,
        unit(LAM_BINH),
        vec![unit(NA_ME), unit(KHAU_QUAN)],
        "2026-Q3".parse().expect("a period"),
        Convention::Calendar,
    );
    let v = &r.figures.village_meeting;
    assert_eq!((v.held, v.items_voted, v.items_passed, v.needed_household_ballots), (2, 3, 2, 1));
    // Passed: m1's first item (70 of 120 at the meeting) and its second (40 + 25 ballots = 65 of
    // 120). Needs ballots: m2's item, 20 of 30 present but not more than half of 80.
    assert_eq!(v.items_by_outcome, [2, 1, 0, 0, 0]);
    assert_eq!(value(&r, "village_meeting.outcome.needs_ballots"), Value::Count(1));
    assert_eq!(value(&r, "village_meeting.outcome.not_agreed"), Value::Count(0));
    // (75% + 37.5%) / 2 = 56.25%, shown to one decimal.
    assert_eq!(value(&r, "village_meeting.average_represented"), Value::Percent(Some(56.3)));
    let dl = &r.figures.dialogue;
    assert_eq!((dl.held, dl.issues_raised, dl.issues_resolved, dl.issues_overdue), (1, 3, 1, 1));
    let f = &r.figures.front_session;
    assert_eq!((f.held, f.recommendations, f.recommendations_resolved), (1, 2, 1));
    assert_eq!(r.figures.mediation.received, 1, "the deleted case is not counted");
    // Villages: Nà Mè has m1 and x1; Khau Quân has m2; the commune-level records are in neither.
    assert_eq!(r.children[0].figures.village_meeting.held, 1);
    assert_eq!(r.children[0].figures.mediation.received, 1);
    assert_eq!(r.children[1].figures.village_meeting.items_passed, 0);
    assert_eq!(r.children[1].figures.mediation.received, 0);
    // Provenance: what counted, at which heads (sorted by id).
    let ids: Vec<&str> = r.counted.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["d1", "f1", "m1", "m2", "x1"]);
}

#[test]
fn roll_up_from_villages_to_communes_to_the_province() {
    // Two tiers since 2025-07-01: a province's rows are its communes; no districts between.
    let records = province();
    let q3: Period = "2026-Q3".parse().expect("a period");
    let children = catalogue_children(TUYEN_QUANG);
    assert!(children.iter().any(|c| c.code == LAM_BINH) && children.iter().any(|c| c.code == NA_HANG));
    assert!(
        children.iter().all(|c| crate::units::catalogue()
            .get(&c.code)
            .is_some_and(|u| u.level == crate::units::UnitLevel::Commune))
    );
    let province_report = Report::build(&records, unit(TUYEN_QUANG), children, q3, Convention::Calendar);
    let f = &province_report.figures;
    assert_eq!((f.mediation.received, f.dialogue.held, f.front_session.held, f.village_meeting.held), (2, 2, 2, 2));
    assert_eq!(f.mediation.successful, 1);
    assert_eq!((f.dialogue.issues_raised, f.dialogue.issues_resolved), (4, 2));
    // Models are a stock: both started by 30/9; one effective.
    assert_eq!((f.model.registered, f.model.effective), (2, 1));
    assert_eq!(f.model.registered_by_field, [1, 0, 0, 0, 1, 0]);
    assert_eq!(f.model.effective_by_field, [1, 0, 0, 0, 0, 0]);
    assert_eq!(value(&province_report, "model.effective.economy"), Value::Count(1));
    assert_eq!(value(&province_report, "model.effective.new_rural"), Value::Count(0));
    // Every commune's row adds up to the province (counts are additive).
    let sum = |get: &dyn Fn(&Figures) -> u64| province_report.children.iter().map(|c| get(&c.figures)).sum::<u64>();
    assert_eq!(sum(&|f| f.mediation.received), 2);
    assert_eq!(sum(&|f| f.dialogue.issues_raised), 4);
    assert_eq!(sum(&|f| f.front_session.held), 2);
    assert_eq!(sum(&|f| f.model.registered), 2);
    let row = |code: &str| province_report.children.iter().find(|c| c.unit.code == code).expect("a commune row");
    assert_eq!((row(LAM_BINH).figures.mediation.received, row(LAM_BINH).figures.village_meeting.held), (1, 2));
    assert_eq!((row(THUONG_LAM).figures.mediation.received, row(THUONG_LAM).figures.dialogue.held), (1, 1));
    assert_eq!(row(NA_HANG).figures.model.registered, 2);
}

#[test]
fn communes_without_a_front_session_in_six_months_are_flagged() {
    let records = province();
    let h2: Period = "2026-H2".parse().expect("a period");
    let province_report =
        Report::build(&records, unit(TUYEN_QUANG), vec![unit(LAM_BINH), unit(THUONG_LAM)], h2, Convention::Calendar);
    assert!(province_report.no_front_session_in.is_empty(), "Lâm Bình held one, so the province did");
    assert!(province_report.children[0].no_front_session_in.is_empty());
    assert_eq!(province_report.children[1].no_front_session_in, vec![h2], "Thượng Lâm held none");
    // The year: nobody held one in the first half.
    let year = Report::build(&records, unit(LAM_BINH), Vec::new(), Period::year(2026), Convention::Calendar);
    assert_eq!(year.no_front_session_in, vec![Period::half(2026, 1)]);
    // Quarters carry no such flag.
    assert!(report(&records, THUONG_LAM, "2026-Q3", Convention::Calendar).no_front_session_in.is_empty());
}

#[test]
fn records_changed_after_a_report_show_as_late_amendments() {
    let mut records = province();
    let q3: Period = "2026-Q3".parse().expect("a period");
    let issued = Report::build(&records, unit(LAM_BINH), Vec::new(), q3, Convention::Calendar);
    assert!(amendments(&issued.counted, &issued.counted, &records).is_empty());

    // After the report: m2 edited (new heads), x1 deleted, a back-dated case recorded, and d1
    // edited out of the quarter (held date corrected to October).
    let at = |records: &mut Vec<ReportRecord>, id: &str| records.iter().position(|r| r.id == id).expect("a record");
    let i = at(&mut records, "m2");
    records[i].heads = vec!["h-m2-2".into()];
    let i = at(&mut records, "x1");
    records[i].deleted = true;
    records.push(rec(
        "x9",
        KHAU_QUAN,
        LAM_BINH,
        mediation("2026-09-29", MediationOutcome::InProgress, DisputeCategory::Land),
    ));
    let i = at(&mut records, "d1");
    records[i].facts = ReportFacts::of(&dialogue("2026-10-02", vec![]));
    records[i].heads = vec!["h-d1-2".into()];

    let now = Report::build(&records, unit(LAM_BINH), Vec::new(), q3, Convention::Calendar);
    let found: Vec<(String, AmendmentKind)> =
        amendments(&issued.counted, &now.counted, &records).into_iter().map(|a| (a.id, a.kind)).collect();
    assert_eq!(
        found,
        vec![
            ("d1".into(), AmendmentKind::Edited),
            ("m2".into(), AmendmentKind::Edited),
            ("x1".into(), AmendmentKind::Removed),
            ("x9".into(), AmendmentKind::Added),
        ]
    );
    assert_eq!(now.figures.mediation.received, 1, "x9 in, x1 out");
    assert_eq!(now.figures.dialogue.held, 0);
    // Which figures moved: d1 (1 dialogue, 3 issues: 1 resolved, 1 overdue) left the quarter;
    // x1 (successful) went, x9 (in progress) came: still one case received, so not listed.
    let moved: Vec<(String, Value, Value)> =
        figures_moved(&issued.figures, &now.figures).into_iter().map(|m| (m.code, m.then, m.now)).collect();
    let c = Value::Count;
    for expected in [
        ("dialogue.held", c(1), c(0)),
        ("dialogue.issues_raised", c(3), c(0)),
        ("mediation.successful", c(1), c(0)),
        ("mediation.in_progress", c(0), c(1)),
        ("mediation.success_rate", Value::Percent(Some(100.0)), Value::Percent(Some(0.0))),
    ] {
        assert!(moved.contains(&(expected.0.to_string(), expected.1, expected.2)), "{expected:?} in {moved:?}");
    }
    assert!(!moved.iter().any(|m| m.0 == "mediation.received" || m.0 == "mediation.category.land"), "{moved:?}");
}

#[test]
fn the_trend_runs_oldest_first() {
    let records = province();
    let trend = Report::trend(&records, LAM_BINH, "2026-Q3".parse().expect("a period"), Convention::Calendar, 4);
    let labels: Vec<String> = trend.iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(labels, ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]);
    assert_eq!(trend.iter().map(|(_, f)| f.village_meeting.held).collect::<Vec<_>>(), [0, 0, 0, 2]);
}

#[test]
fn numbers_in_vietnamese_and_english() {
    assert_eq!(Value::Count(1_234_567).format_vi(), "1.234.567");
    assert_eq!(Value::Count(1_234_567).format_en(), "1,234,567");
    assert_eq!(Value::Count(12).format_vi(), "12");
    assert_eq!(Value::Percent(Some(56.3)).format_vi(), "56,3%");
    assert_eq!(Value::Percent(Some(56.3)).format_en(), "56.3%");
    assert_eq!(Value::Percent(None).format_vi(), "–");
}

#[test]
fn what_nobody_entered_is_counted_as_not_entered() {
    use MediationOutcome::*;
    // A case whose category nobody chose, and a model whose field nobody chose, as an old
    // document without those fields reads them; beside them a land case and an economy model.
    let untold: MediationCase = serde_json::from_value(serde_json::json!({
        "title": "Mâu thuẫn giữa hai hộ về nước tưới",
        "received_on": "2026-08-03",
        "outcome": "success"
    }))
    .expect("a case without a category");
    assert_eq!(untold.category, DisputeCategory::NotEntered);
    let records = vec![
        rec("a", LAM_BINH, LAM_BINH, RecordBody::Mediation(untold)),
        rec("b", LAM_BINH, LAM_BINH, mediation("2026-08-05", Success, DisputeCategory::Land)),
        rec("c", LAM_BINH, LAM_BINH, model("2026-07-01", ModelStatus::Effective, ModelField::NotEntered)),
        rec("d", LAM_BINH, LAM_BINH, model("2026-07-01", ModelStatus::Registered, ModelField::Economy)),
    ];
    let r = report(&records, LAM_BINH, "2026-Q3", Convention::Calendar);
    // By hand: one land case, one not entered; one economy model, one not entered (effective).
    assert_eq!(value(&r, "mediation.category.land"), Value::Count(1));
    assert_eq!(value(&r, "mediation.category.not_entered"), Value::Count(1));
    assert_eq!(value(&r, "model.registered.economy"), Value::Count(1));
    assert_eq!(value(&r, "model.registered.not_entered"), Value::Count(1));
    assert_eq!(value(&r, "model.effective.not_entered"), Value::Count(1));
    assert_eq!(value(&r, "model.effective.economy"), Value::Count(0));
    let row = r.rows().into_iter().find(|row| row.code == "mediation.category.not_entered").expect("a row");
    assert!(row.vi.contains("Chưa nhập"), "{}", row.vi);
    // Figures issued before "not entered" existed have one count fewer; they read as zero there.
    let mut issued = serde_json::to_value(&r.figures).expect("figures");
    issued["mediation"]["by_category"] = serde_json::json!([1, 0, 0, 0, 0, 0]);
    let read: Figures = serde_json::from_value(issued).expect("old figures read");
    assert_eq!(read.mediation.by_category, [1, 0, 0, 0, 0, 0, 0]);

    // The other coded fields with no honest default read an old document's absence the same way.
    use crate::record::consultation::ConsultationMatter;
    use crate::record::dialogue::{DialogueMode, DialogueTrigger};
    use crate::record::supervision::SupervisedSubject;
    use crate::record::village_meeting::DirectDecisionMatter;
    use crate::record::{Consultation, Supervision};
    let title = serde_json::json!({"title": "Hồ sơ cũ"});
    let dialogue: Dialogue = serde_json::from_value(title.clone()).expect("a dialogue");
    assert_eq!((dialogue.trigger, dialogue.mode), (DialogueTrigger::NotEntered, DialogueMode::NotEntered));
    let consultation: Consultation = serde_json::from_value(title.clone()).expect("a consultation");
    assert_eq!(consultation.matter, ConsultationMatter::NotEntered);
    let supervision: Supervision = serde_json::from_value(title.clone()).expect("a supervision");
    assert_eq!(supervision.subject_type, SupervisedSubject::NotEntered);
    let item: AgendaItem = serde_json::from_value(title).expect("an agenda item");
    assert_eq!(item.matter, DirectDecisionMatter::NotEntered);
}

#[test]
fn counts_nobody_entered_are_not_zeros() {
    use crate::record::Consultation;
    use crate::record::consultation::ConsultationOutcome;
    // An old meeting document without its households or votes, and a consultation without its
    // number of people, beside ones that entered them.
    let old_meeting: VillageMeeting = serde_json::from_value(serde_json::json!({
        "title": "Họp thôn bầu trưởng thôn",
        "status": "held",
        "held_on": "2026-08-12",
        "agenda": [{"title": "Bầu trưởng thôn"}]
    }))
    .expect("an old meeting");
    assert_eq!((old_meeting.total_households, old_meeting.agenda[0].votes_for), (None, None));
    let consultation = |people: Option<u32>| {
        RecordBody::Consultation(Consultation {
            title: "Lấy ý kiến dự thảo quy hoạch khu dân cư".into(),
            opens_on: d("2026-07-15"),
            people_consulted: people,
            opinions_for: people.map(|p| p / 2),
            outcome: ConsultationOutcome::Pending,
            ..Default::default()
        })
    };
    let records = vec![
        rec("m1", NA_ME, LAM_BINH, meeting("2026-08-10", 120, 90, vec![item(70, None)])),
        rec("m2", NA_ME, LAM_BINH, RecordBody::VillageMeeting(old_meeting)),
        rec("c1", LAM_BINH, LAM_BINH, consultation(Some(140))),
        rec("c2", LAM_BINH, LAM_BINH, consultation(None)),
    ];
    let r = report(&records, LAM_BINH, "2026-Q3", Convention::Calendar);
    // By hand: 140 people in c1; c2's count not entered, not zero people.
    assert_eq!(value(&r, "consultation.held"), Value::Count(2));
    assert_eq!(value(&r, "consultation.people_consulted"), Value::Count(140));
    assert_eq!(value(&r, "consultation.people_not_entered"), Value::Count(1));
    // m1: 90 of 120 (75%); m2 left out of the average and counted apart; its item decides nothing.
    assert_eq!(value(&r, "village_meeting.average_represented"), Value::Percent(Some(75.0)));
    assert_eq!(value(&r, "village_meeting.households_not_entered"), Value::Count(1));
    assert_eq!(value(&r, "village_meeting.outcome.passed"), Value::Count(1));
    assert_eq!(value(&r, "village_meeting.outcome.not_entered"), Value::Count(1));
    assert_eq!(value(&r, "village_meeting.items_passed"), Value::Count(1));
}

mod official_form {
    //! The form of Decree 30/2020/NĐ-CP, Appendix I, with what each part must read.
    use super::*;
    use crate::report::official::{Block, LAYOUT, date_in_words, place_name};

    fn date(s: &str) -> CivilDate {
        s.parse().expect("a date")
    }

    #[test]
    fn days_below_ten_and_the_first_two_months_take_a_leading_zero() {
        // Appendix I, Part II, item 4.b.
        assert_eq!(date_in_words(date("2027-01-05")), "ngày 05 tháng 01 năm 2027");
        assert_eq!(date_in_words(date("2026-02-28")), "ngày 28 tháng 02 năm 2026");
        assert_eq!(date_in_words(date("2026-03-09")), "ngày 09 tháng 3 năm 2026");
        assert_eq!(date_in_words(date("2026-12-10")), "ngày 10 tháng 12 năm 2026");
    }

    #[test]
    fn the_place_is_the_unit_without_its_type() {
        assert_eq!(place_name("Xã Lâm Bình"), "Lâm Bình");
        assert_eq!(place_name("Tỉnh Tuyên Quang"), "Tuyên Quang");
        assert_eq!(place_name("Thành phố Hà Nội"), "Hà Nội");
        assert_eq!(place_name("Đặc khu Phú Quốc"), "Phú Quốc");
        // A ward named by a number is named with its type.
        assert_eq!(place_name("Phường 1"), "Phường 1");
    }

    #[test]
    fn the_layout_is_within_the_ranges_of_the_decree() {
        let l = LAYOUT;
        assert_eq!(l.paper_mm, (210, 297), "A4");
        assert!((20..=25).contains(&l.margin_top_mm) && (20..=25).contains(&l.margin_bottom_mm));
        assert!((30..=35).contains(&l.margin_left_mm) && (15..=20).contains(&l.margin_right_mm));
        assert!((13..=14).contains(&l.body_pt) && (12..=13).contains(&l.national_title_pt));
        assert_eq!((l.number_pt, l.recipients_heading_pt, l.recipients_pt), (13, 12, 11));
        assert!((10..=13).contains(&l.first_line_indent_mm));
        assert_eq!(l.font, "Times New Roman");
    }

    fn commune_report() -> Report {
        let records = province();
        let named = |code: &str, name: &str| UnitRef { code: code.into(), name: name.into() };
        Report::build(
            &records,
            named(LAM_BINH, "Xã Lâm Bình"),
            vec![named(NA_ME, "Thôn Nà Mè"), named(KHAU_QUAN, "Thôn Khau Quân")],
            "2026-Q3".parse().expect("a period"),
            Convention::Calendar,
        )
    }

    #[test]
    fn a_commune_report_in_the_official_form() {
        let r = commune_report();
        let details =
            Details { number: None, date: Some(date("2026-10-05")), signer_name: " Hoàng Văn Sơn ".into() };
        let f = OfficialForm::for_report(&r, &details, &|code| code == NA_ME).expect("a commune issues");
        assert_eq!(f.issuer, ["ỦY BAN NHÂN DÂN", "XÃ LÂM BÌNH"]);
        assert_eq!(f.number, "Số:        /BC-UBND", "the clerk writes the number");
        assert_eq!(f.place_date, "Lâm Bình, ngày 05 tháng 10 năm 2026");
        assert_eq!(f.kind, "BÁO CÁO");
        assert_eq!(f.summary, "Kết quả thực hiện công tác dân vận chính quyền quý III năm 2026");
        assert_eq!((f.signer_authority.as_str(), f.signer_title.as_str()), ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"));
        assert_eq!(f.signer_name, "Hoàng Văn Sơn");
        assert_eq!(
            f.recipients,
            [
                "- Ủy ban nhân dân tỉnh Tuyên Quang (qua Sở Nội vụ);",
                "- Thường trực Đảng ủy xã Lâm Bình;",
                "- Ủy ban Mặt trận Tổ quốc Việt Nam xã Lâm Bình;",
                "- Lưu: VT.",
            ]
        );
        let headings: Vec<&str> = f
            .body
            .iter()
            .filter_map(|b| match b {
                Block::Heading { text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(headings[0], "I. ĐỐI THOẠI TRỰC TIẾP");
        assert_eq!(headings.last().copied(), Some("IX. KẾT QUẢ THEO ĐƠN VỊ TRỰC THUỘC"));
        // The village meetings' table: 2 held, 3 items, 2 passed (worked out in `province`).
        let meeting_rows = f
            .body
            .iter()
            .find_map(|b| match b {
                Block::Table { rows, .. } if rows.iter().any(|r| r[1] == "Số hội nghị thôn đã tổ chức") => {
                    Some(rows)
                }
                _ => None,
            })
            .expect("the village meetings' table");
        assert_eq!(meeting_rows[0], ["1", "Số hội nghị thôn đã tổ chức", "2"]);
        assert_eq!(meeting_rows[2], ["3", "Số nội dung được thông qua", "2"]);
        // By unit: Nà Mè reported (1 meeting), Khau Quân never did: not zeros.
        let Some(Block::Table { rows, .. }) = f.body.iter().rev().find(|b| matches!(b, Block::Table { .. })) else {
            panic!("a roll-up table")
        };
        assert_eq!(rows[0][..2], ["1", "Thôn Nà Mè"]);
        assert_eq!(rows[0][5], "1", "Nà Mè's village meetings");
        assert_eq!(rows[1][2], "Chưa nhận được số liệu");
        let Some(Block::Paragraph { text }) = f.body.last() else { panic!("a closing paragraph") };
        assert!(text.ends_with("./."), "the body ends as the decree ends it: {text}");
        let Some(Block::Paragraph { text }) = f.body.first() else { panic!("an opening paragraph") };
        assert!(text.contains("từ ngày 01/07/2026 đến ngày 30/09/2026"), "{text}");
    }

    #[test]
    fn a_province_reports_to_the_ministry_and_a_village_issues_nothing() {
        let records = province();
        let p = Report::build(
            &records,
            UnitRef { code: TUYEN_QUANG.into(), name: "Tỉnh Tuyên Quang".into() },
            Vec::new(),
            "2026".parse().expect("a period"),
            Convention::Calendar,
        );
        let details = Details { number: Some(215), ..Details::default() };
        let f = OfficialForm::for_report(&p, &details, &|_| true).expect("a province issues");
        assert_eq!(f.issuer, ["ỦY BAN NHÂN DÂN", "TỈNH TUYÊN QUANG"]);
        assert_eq!(f.number, "Số: 215/BC-UBND");
        assert_eq!(f.place_date, "Tuyên Quang, ngày      tháng      năm");
        assert_eq!(f.summary, "Kết quả thực hiện công tác dân vận chính quyền năm 2026");
        assert_eq!(f.recipients[0], "- Bộ Nội vụ;");
        let village = report(&records, NA_ME, "2026-Q3", Convention::Calendar);
        assert_eq!(OfficialForm::for_report(&village, &details, &|_| true), Err(NotAnIssuer { code: NA_ME.into() }));
    }
}
