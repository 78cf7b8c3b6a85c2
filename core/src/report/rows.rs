//! A report's figures as labelled rows, in the order a report reads: the one list that the CLI,
//! the dashboard's tables and charts, and the CSV and XLSX exports all print.

use serde::Serialize;

use crate::labels::Label;
use crate::record::RecordKind;
use crate::record::exemplary_model::ModelField;
use crate::record::mediation::DisputeCategory;
use crate::record::petition::PetitionType;
use crate::record::supervision::SupervisionBoard;
use crate::record::village_meeting::ItemOutcome;

use super::figures::{Figures, percent};

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    Count(u64),
    /// Per hundred, one decimal; `None` where there is nothing to divide by.
    Percent(Option<f64>),
}

impl Value {
    /// For charts: the number drawn.
    pub fn number(self) -> f64 {
        match self {
            Value::Count(n) => n as f64,
            Value::Percent(p) => p.unwrap_or(0.0),
        }
    }

    /// Vietnamese number formatting: `.` between thousands, `,` before decimals.
    pub fn format_vi(self) -> String {
        match self {
            Value::Count(n) => crate::text::group_thousands(n, '.'),
            Value::Percent(Some(p)) => format!("{}%", format!("{p:.1}").replace('.', ",")),
            Value::Percent(None) => "–".into(),
        }
    }

    pub fn format_en(self) -> String {
        match self {
            Value::Count(n) => crate::text::group_thousands(n, ','),
            Value::Percent(Some(p)) => format!("{p:.1}%"),
            Value::Percent(None) => "–".into(),
        }
    }
}

/// One figure of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Stable, for programs: `mediation.successful`, `petitions.complaint.overdue`.
    pub code: String,
    pub vi: String,
    pub en: String,
    pub value: Value,
}

impl Row {
    pub fn label(&self, lang: crate::labels::Lang) -> &str {
        match lang {
            crate::labels::Lang::Vi => &self.vi,
            crate::labels::Lang::En => &self.en,
        }
    }
}

/// The rows of one kind of record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub kind: RecordKind,
    pub rows: Vec<Row>,
}

struct Rows(Vec<Row>);

impl Rows {
    fn count(&mut self, code: impl Into<String>, vi: &'static str, en: &'static str, n: u64) {
        self.0.push(Row { code: code.into(), vi: vi.into(), en: en.into(), value: Value::Count(n) });
    }

    fn labelled(&mut self, code: String, label: Label, value: Value) {
        self.0.push(Row { code, vi: label.vi.into(), en: label.en.into(), value });
    }

    /// "Khiếu nại: tiếp nhận" / "Complaint: received".
    fn joined(&mut self, code: String, a: Label, b: Label, n: u64) {
        let (vi, en) = (format!("{}: {}", a.vi, b.vi), format!("{}: {}", a.en, b.en.to_lowercase()));
        self.0.push(Row { code, vi, en, value: Value::Count(n) });
    }
}

/// The main figures, one per kind that matters most: the columns of a roll-up by unit.
pub const MAIN_FIGURES: [(&str, Label); 6] = [
    ("dialogue.held", Label::new("Đối thoại", "Dialogues")),
    ("mediation.received", Label::new("Hòa giải", "Mediation")),
    ("mediation.success_rate", Label::new("Tỷ lệ hòa giải thành", "Success rate")),
    ("village_meeting.held", Label::new("Hội nghị thôn", "Village meetings")),
    ("front_session.held", Label::new("Làm việc với MTTQ", "Front sessions")),
    ("model.registered", Label::new("Mô hình DVK", "Models")),
];

/// The rows of `f`, by kind.
pub fn sections(f: &Figures) -> Vec<Section> {
    let mut out = Vec::new();
    let mut section = |kind: RecordKind, fill: &dyn Fn(&mut Rows)| {
        let mut rows = Rows(Vec::new());
        fill(&mut rows);
        out.push(Section { kind, rows: rows.0 });
    };

    section(RecordKind::Dialogue, &|r| {
        let d = &f.dialogue;
        r.count("dialogue.held", "Số cuộc đối thoại đã tổ chức", "Dialogues held", d.held);
        r.count("dialogue.issues_raised", "Số vấn đề nhân dân nêu", "Issues raised", d.issues_raised);
        r.count(
            "dialogue.issues_resolved",
            "Số vấn đề đã trả lời, giải quyết",
            "Issues answered or resolved",
            d.issues_resolved,
        );
        r.count("dialogue.issues_overdue", "Số vấn đề quá hạn giải quyết", "Issues overdue", d.issues_overdue);
    });
    section(RecordKind::Mediation, &|r| {
        let m = &f.mediation;
        r.count("mediation.received", "Số vụ việc hòa giải tiếp nhận", "Mediation cases received", m.received);
        r.count("mediation.successful", "Hòa giải thành", "Successful", m.successful);
        r.count("mediation.unsuccessful", "Hòa giải không thành", "Unsuccessful", m.unsuccessful);
        r.count("mediation.withdrawn", "Các bên rút yêu cầu", "Withdrawn", m.withdrawn);
        r.count("mediation.in_progress", "Đang hòa giải", "In progress", m.in_progress);
        r.labelled(
            "mediation.success_rate".into(),
            Label::new("Tỷ lệ hòa giải thành", "Success rate"),
            Value::Percent(f.mediation_success_rate()),
        );
        for (i, c) in DisputeCategory::ALL.iter().enumerate() {
            let by = Label::new("Lĩnh vực tranh chấp", "Dispute");
            r.joined(format!("mediation.category.{}", c.code()), by, c.label(), m.by_category[i]);
        }
    });
    section(RecordKind::VillageMeeting, &|r| {
        let v = &f.village_meeting;
        r.count("village_meeting.held", "Số hội nghị thôn đã tổ chức", "Village meetings held", v.held);
        r.count("village_meeting.items_voted", "Số nội dung đưa ra biểu quyết", "Items put to the vote", v.items_voted);
        r.count("village_meeting.items_passed", "Số nội dung được thông qua", "Items passed", v.items_passed);
        r.labelled(
            "village_meeting.average_represented".into(),
            Label::new("Tỷ lệ hộ gia đình dự họp bình quân", "Average share of households represented"),
            Value::Percent(f.average_households_represented()),
        );
        r.count(
            "village_meeting.households_not_entered",
            "Số hội nghị chưa nhập số hộ (không tính vào tỷ lệ bình quân)",
            "Meetings with households not entered (left out of the average)",
            v.held - v.with_household_count.min(v.held),
        );
        r.count(
            "village_meeting.needed_household_ballots",
            "Số hội nghị phải phát phiếu lấy ý kiến hộ gia đình",
            "Meetings that needed household ballots",
            v.needed_household_ballots,
        );
        // Each item's result as the Law on Grassroots Democracy 2022 (Art. 15, 22) reads it.
        for (i, o) in ItemOutcome::ALL.iter().enumerate() {
            let by = Label::new("Kết quả biểu quyết", "Vote result");
            r.joined(format!("village_meeting.outcome.{}", o.code()), by, o.label(), v.items_by_outcome[i]);
        }
    });
    section(RecordKind::Petition, &|r| {
        for (i, t) in PetitionType::ALL.iter().enumerate() {
            let p = &f.petitions[i];
            let code = t.code();
            let rows: [(&str, Label, u64); 5] = [
                ("received", Label::new("tiếp nhận", "received"), p.received),
                ("accepted", Label::new("đã thụ lý", "accepted"), p.accepted),
                ("settled", Label::new("đã giải quyết", "settled"), p.settled),
                ("settled_on_time", Label::new("giải quyết đúng hạn", "settled on time"), p.settled_on_time),
                ("overdue", Label::new("quá hạn", "overdue"), p.overdue),
            ];
            for (part, label, n) in rows {
                r.joined(format!("petitions.{code}.{part}"), t.label(), label, n);
            }
        }
    });
    section(RecordKind::Consultation, &|r| {
        let c = &f.consultation;
        r.count("consultation.held", "Số lần lấy ý kiến nhân dân", "Public consultations held", c.held);
        r.count("consultation.people_consulted", "Số người được lấy ý kiến", "People consulted", c.people_consulted);
        r.count(
            "consultation.people_not_entered",
            "Số lần lấy ý kiến chưa nhập số người được lấy ý kiến",
            "Consultations with the number of people not entered",
            c.people_not_entered,
        );
        r.count("consultation.opinions", "Số ý kiến thu được", "Opinions collected", c.opinions);
    });
    section(RecordKind::Supervision, &|r| {
        for (i, b) in SupervisionBoard::ALL.iter().enumerate() {
            let s = &f.supervision[i];
            let code = b.code();
            let rows: [(&str, Label, u64); 3] = [
                ("activities", Label::new("số cuộc thanh tra, giám sát", "activities"), s.activities),
                ("recommendations", Label::new("số kiến nghị", "recommendations"), s.recommendations),
                (
                    "recommendations_resolved",
                    Label::new("kiến nghị đã được giải quyết", "recommendations resolved"),
                    s.recommendations_resolved,
                ),
            ];
            for (part, label, n) in rows {
                r.joined(format!("supervision.{code}.{part}"), b.label(), label, n);
            }
        }
    });
    section(RecordKind::FrontSession, &|r| {
        let s = &f.front_session;
        r.count(
            "front_session.held",
            "Số buổi làm việc với Mặt trận và các đoàn thể",
            "Working sessions with the Front",
            s.held,
        );
        r.count(
            "front_session.recommendations",
            "Số kiến nghị của Mặt trận, đoàn thể",
            "Recommendations made",
            s.recommendations,
        );
        r.count(
            "front_session.recommendations_resolved",
            "Số kiến nghị đã được giải quyết",
            "Recommendations resolved",
            s.recommendations_resolved,
        );
    });
    section(RecordKind::Model, &|r| {
        let m = &f.model;
        r.count(
            "model.registered",
            "Mô hình \"Dân vận khéo\" đã đăng ký (lũy kế)",
            "\"Dân vận khéo\" models registered (to date)",
            m.registered,
        );
        r.count(
            "model.effective",
            "Mô hình được công nhận hiệu quả (lũy kế)",
            "Models recognised as effective (to date)",
            m.effective,
        );
        for (i, field) in ModelField::ALL.iter().enumerate() {
            let by = Label::new("Mô hình thuộc lĩnh vực", "Models in the field of");
            r.joined(format!("model.registered.{}", field.code()), by, field.label(), m.registered_by_field[i]);
        }
        for (i, field) in ModelField::ALL.iter().enumerate() {
            let by = Label::new("Mô hình hiệu quả thuộc lĩnh vực", "Effective models in the field of");
            r.joined(format!("model.effective.{}", field.code()), by, field.label(), m.effective_by_field[i]);
        }
        r.labelled(
            "model.effective_share".into(),
            Label::new("Tỷ lệ mô hình hiệu quả", "Share recognised as effective"),
            Value::Percent(percent(m.effective, m.registered)),
        );
    });
    out
}

/// Every row, flattened.
pub fn rows(f: &Figures) -> Vec<Row> {
    sections(f).into_iter().flat_map(|s| s.rows).collect()
}
