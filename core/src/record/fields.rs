//! Labels of fields and of coded values, in Vietnamese and English, for every surface that
//! shows a record: the CLI, error messages, history, and later the apps and the dashboard.
//!
//! Fields are labelled by name; the same name means the same thing in every kind.

use crate::labels::{Label, Lang};

use super::common::ActionStatus;
use super::consultation::{ConsultationForm, ConsultationMatter, ConsultationOutcome};
use super::dialogue::{DialogueMode, DialogueStatus, DialogueTrigger, IssueStatus};
use super::exemplary_model::{CommendationLevel, ModelField, ModelStatus};
use super::front_session::{MassOrganisation, SessionStatus};
use super::mediation::{DisputeCategory, FollowUp, MediationOutcome, MediationStart, PartyType, SessionPrivacy};
use super::petition::{Channel, Complexity, PetitionStatus, PetitionType};
use super::supervision::{SupervisedSubject, SupervisionBoard, SupervisionStatus};
use super::village::VillageType;
use super::village_meeting::{DirectDecisionMatter, MeetingStatus, VotingMethod};
use super::{DocumentKind, RecordKind};

/// The label of a field, by its name.
pub fn field_label(name: &str) -> Option<Label> {
    let (vi, en) = match name {
        // The envelope every document carries.
        "id" => ("Mã", "ID"),
        "kind" => ("Loại hồ sơ", "Kind"),
        "schema" => ("Phiên bản lược đồ", "Schema version"),
        "unit" => ("Đơn vị", "Unit"),
        "commune" => ("Xã, phường", "Commune"),
        "created_by" => ("Người tạo", "Created by"),
        "created_at" => ("Thời điểm tạo", "Created at"),
        "deleted" => ("Đã xóa", "Deleted"),
        "reason" => ("Lý do", "Reason"),
        "by" => ("Người thực hiện", "By"),
        "at" => ("Thời điểm", "At"),
        "user" => ("Người dùng", "User"),
        "device" => ("Thiết bị", "Device"),
        "body" => ("Nội dung hồ sơ", "Record"),
        // Shared.
        "title" => ("Tiêu đề", "Title"),
        "status" => ("Trạng thái", "Status"),
        "place" => ("Địa điểm", "Place"),
        "notice_on" => ("Ngày thông báo", "Notice date"),
        "held_on" => ("Ngày tổ chức", "Date held"),
        "received_on" => ("Ngày tiếp nhận", "Date received"),
        "content" => ("Nội dung", "Content"),
        "responsible_unit" => ("Đơn vị chịu trách nhiệm", "Responsible unit"),
        "due_on" => ("Hạn", "Due date"),
        "done_on" => ("Ngày hoàn thành", "Date done"),
        "recommendations" => ("Kiến nghị", "Recommendations"),
        "name" => ("Tên", "Name"),
        "address" => ("Địa chỉ", "Address"),
        "phone" => ("Số điện thoại", "Phone number"),
        "attachments" => ("Tệp đính kèm", "Attachments"),
        "media_type" => ("Loại tệp", "Media type"),
        "sha256" => ("Mã băm SHA-256", "SHA-256"),
        "size" => ("Dung lượng", "Size"),
        // Dialogue.
        "trigger" => ("Căn cứ tổ chức", "Trigger"),
        "mode" => ("Hình thức", "Mode"),
        "chairs" => ("Người chủ trì", "Chairs"),
        "attendance" => ("Thành phần tham dự", "Attendance"),
        "total" => ("Tổng số người dự", "Total attendees"),
        "women" => ("Số nữ", "Women"),
        "ethnic_minority" => ("Số người dân tộc thiểu số", "Ethnic-minority attendees"),
        "by_ethnic_group" => ("Theo dân tộc", "By ethnic group"),
        "code" => ("Mã", "Code"),
        "system" => ("Hệ thống mã", "Code system"),
        "count" => ("Số người", "Count"),
        "issues" => ("Vấn đề người dân nêu", "Issues raised"),
        "topic" => ("Vấn đề", "Topic"),
        "answer" => ("Trả lời", "Answer"),
        "referred_to" => ("Chuyển đến", "Referred to"),
        "results_published_on" => ("Ngày công khai kết quả", "Results published on"),
        // Mediation.
        "team" => ("Tổ hòa giải", "Mediation team"),
        "started_by" => ("Căn cứ tiến hành hòa giải", "How it started"),
        "category" => ("Loại tranh chấp", "Dispute category"),
        "parties" => ("Các bên", "Parties"),
        "party_type" => ("Loại chủ thể", "Party type"),
        "vulnerability" => ("Yếu tố dễ bị tổn thương", "Vulnerability"),
        "child" => ("Trẻ em", "Child"),
        "elderly" => ("Người cao tuổi", "Elderly"),
        "disability" => ("Người khuyết tật", "Disability"),
        "domestic_violence" => ("Nạn nhân bạo lực gia đình", "Domestic violence"),
        "poor_household" => ("Hộ nghèo", "Poor household"),
        "eligibility" => ("Điều kiện hòa giải", "Eligibility"),
        "checked" => ("Đã kiểm tra", "Checked"),
        "harms_state_or_public_interest" => {
            ("Xâm phạm lợi ích Nhà nước, lợi ích công cộng", "Harms state or public interest")
        }
        "violates_prohibition_or_ethics" => {
            ("Vi phạm điều cấm của luật, trái đạo đức xã hội", "Violates a legal prohibition or social ethics")
        }
        "criminal_liability" => ("Phải truy cứu trách nhiệm hình sự", "Criminal liability"),
        "administrative_sanction" => ("Phải xử lý vi phạm hành chính", "Administrative sanction"),
        "otherwise_excluded" => ("Không được hòa giải theo quy định khác", "Otherwise excluded by law"),
        "mediators" => ("Hòa giải viên", "Mediators"),
        "no_conflict_declared" => ("Cam kết không có xung đột lợi ích", "No conflict of interest declared"),
        "sessions" => ("Buổi hòa giải", "Sessions"),
        "privacy" => ("Công khai hay không", "Public or private"),
        "notes" => ("Ghi chép", "Notes"),
        "outcome" => ("Kết quả", "Outcome"),
        "agreement_terms" => ("Nội dung thỏa thuận", "Agreement terms"),
        "agreement_due_on" => ("Hạn thực hiện thỏa thuận", "Agreement due"),
        "follow_up" => ("Theo dõi thực hiện", "Follow-up"),
        // Village meeting.
        "chair" => ("Người chủ trì", "Chair"),
        "total_households" => ("Tổng số hộ của thôn", "Households in the village"),
        "households_represented" => ("Số hộ dự họp", "Households represented"),
        "agenda" => ("Nội dung, chương trình", "Agenda"),
        "matter" => ("Loại việc", "Matter"),
        "voting_method" => ("Hình thức biểu quyết", "Voting method"),
        "votes_for" => ("Số hộ tán thành", "For"),
        "votes_against" => ("Số hộ không tán thành", "Against"),
        "votes_abstain" => ("Số hộ không biểu quyết", "Abstain"),
        "ballot_rounds" => ("Đợt phát phiếu lấy ý kiến hộ gia đình", "Household ballot rounds"),
        "households_for" => ("Số hộ tán thành", "Households for"),
        "households_against" => ("Số hộ không tán thành", "Households against"),
        "households_abstain" => ("Số hộ không có ý kiến", "Households abstaining"),
        // Petition.
        "petition_type" => ("Loại đơn", "Type"),
        "channel" => ("Hình thức tiếp nhận", "Channel"),
        "petitioner" => ("Người gửi đơn", "Petitioner"),
        "denouncer" => ("Người tố cáo", "Denouncer"),
        "id_number" => ("Số định danh cá nhân", "Personal ID number"),
        "identity_ref" => ("Hồ sơ danh tính người tố cáo", "Denouncer identity document"),
        "petition_id" => ("Hồ sơ đơn", "Petition"),
        "complexity" => ("Mức độ phức tạp", "Complexity"),
        "remote_area" => ("Vùng sâu, vùng xa", "Remote area"),
        "accepted_on" => ("Ngày thụ lý", "Date accepted"),
        "acceptance_notified_on" => ("Ngày thông báo thụ lý", "Acceptance notified on"),
        "extensions" => ("Số lần gia hạn", "Extensions"),
        "decided_on" => ("Ngày ban hành quyết định, kết luận", "Decision date"),
        "decision" => ("Quyết định, kết luận", "Decision"),
        "closed_on" => ("Ngày kết thúc", "Date closed"),
        "handlers" => ("Người được giao giải quyết", "Assigned handlers"),
        // Consultation.
        "opens_on" => ("Ngày bắt đầu lấy ý kiến", "Opens on"),
        "closes_on" => ("Ngày kết thúc lấy ý kiến", "Closes on"),
        "forms" => ("Hình thức lấy ý kiến", "Forms used"),
        "people_consulted" => ("Số người được lấy ý kiến", "People consulted"),
        "opinions_for" => ("Số ý kiến tán thành", "Opinions for"),
        "opinions_against" => ("Số ý kiến không tán thành", "Opinions against"),
        "suggestions" => ("Số ý kiến góp ý khác", "Suggestions"),
        "summary_for" => ("Tóm tắt ý kiến tán thành", "Summary of opinions for"),
        "summary_against" => ("Tóm tắt ý kiến không tán thành", "Summary of opinions against"),
        "summary_suggestions" => ("Tóm tắt góp ý", "Summary of suggestions"),
        "response" => ("Tiếp thu, giải trình", "Response (taken up, explained)"),
        // Front session.
        "organisations" => ("Tổ chức tham dự", "Organisations present"),
        "other_organisations" => ("Tổ chức khác", "Other organisations"),
        // Supervision.
        "board" => ("Ban", "Board"),
        "members_present" => ("Thành viên tham gia", "Members present"),
        "subject_type" => ("Đối tượng giám sát", "Subject type"),
        "subject" => ("Nội dung giám sát", "Subject supervised"),
        "starts_on" => ("Ngày bắt đầu", "Starts on"),
        "ends_on" => ("Ngày kết thúc", "Ends on"),
        "findings" => ("Kết quả, phát hiện", "Findings"),
        // Exemplary model.
        "field" => ("Lĩnh vực", "Field"),
        "owner" => ("Chủ thể mô hình", "Owner"),
        "started_on" => ("Ngày bắt đầu", "Started on"),
        "targets" => ("Mục tiêu", "Targets"),
        "results" => ("Kết quả đạt được", "Results"),
        "recognised_on" => ("Ngày được công nhận", "Recognised on"),
        "commendations" => ("Khen thưởng", "Commendations"),
        "awarded_on" => ("Ngày khen thưởng", "Awarded on"),
        "level" => ("Cấp khen thưởng", "Level"),
        "form" => ("Hình thức khen thưởng", "Form"),
        "awarded_by" => ("Cơ quan khen thưởng", "Awarded by"),
        // Village.
        "village_type" => ("Loại", "Type"),
        "households" => ("Số hộ", "Households"),
        _ => return None,
    };
    Some(Label::new(vi, en))
}

/// The label of the field a path ends in (`agenda.0.votes_for` → "Số hộ tán thành").
pub fn path_label(path: &str) -> Option<Label> {
    path.rsplit('.').find(|s| s.parse::<usize>().is_err()).and_then(field_label)
}

/// A path for people: labels joined, list positions counted from 1
/// (`agenda.0.votes_for` → "Nội dung, chương trình 1 › Số hộ tán thành").
pub fn describe_path(path: &str, lang: Lang) -> String {
    let mut out = String::new();
    for seg in path.split('.').filter(|s| !s.is_empty() && *s != "body") {
        if let Ok(i) = seg.parse::<usize>() {
            out.push_str(&format!(" {}", i + 1));
        } else {
            if !out.is_empty() {
                out.push_str(" › ");
            }
            out.push_str(field_label(seg).map(|l| l.get(lang)).unwrap_or(seg));
        }
    }
    out
}

/// The label of a coded value, for the field it stands in.
pub fn value_label(field: &str, code: &str) -> Option<Label> {
    type Lookup = fn(&str) -> Option<Label>;
    let candidates: &[Lookup] = match field {
        "kind" => &[DocumentKind::label_of],
        "trigger" => &[DialogueTrigger::label_of],
        "mode" => &[DialogueMode::label_of],
        "status" => &[
            PetitionStatus::label_of,
            DialogueStatus::label_of,
            MeetingStatus::label_of,
            SessionStatus::label_of,
            SupervisionStatus::label_of,
            ModelStatus::label_of,
            IssueStatus::label_of,
            ActionStatus::label_of,
        ],
        "started_by" => &[MediationStart::label_of],
        "category" => &[DisputeCategory::label_of],
        "party_type" => &[PartyType::label_of],
        "privacy" => &[SessionPrivacy::label_of],
        "outcome" => &[MediationOutcome::label_of, ConsultationOutcome::label_of],
        "follow_up" => &[FollowUp::label_of],
        "matter" => &[DirectDecisionMatter::label_of, ConsultationMatter::label_of],
        "voting_method" => &[VotingMethod::label_of],
        "petition_type" => &[PetitionType::label_of],
        "channel" => &[Channel::label_of],
        "complexity" => &[Complexity::label_of],
        "forms" => &[ConsultationForm::label_of],
        "organisations" => &[MassOrganisation::label_of],
        "board" => &[SupervisionBoard::label_of],
        "subject_type" => &[SupervisedSubject::label_of],
        "field" => &[ModelField::label_of],
        "level" => &[CommendationLevel::label_of],
        "village_type" => &[VillageType::label_of],
        _ => &[],
    };
    candidates.iter().find_map(|f| f(code))
}

/// A date as people of `lang` write it: `DD/MM/YYYY` in Vietnamese, `YYYY-MM-DD` in English.
pub fn display_date(d: &str, lang: Lang) -> String {
    match (lang, d.parse::<crate::time::CivilDate>()) {
        (Lang::Vi, Ok(date)) => date.to_vietnamese(),
        _ => d.to_string(),
    }
}

/// A leaf value of a record for people: labels for coded values, dates as written in the
/// language, yes and no, instants in Vietnam time.
pub fn display_value(path: &str, v: &serde_json::Value, lang: Lang) -> String {
    use serde_json::Value;
    let field = path.rsplit('.').find(|s| s.parse::<usize>().is_err()).unwrap_or(path);
    match v {
        Value::Number(n) if matches!(field, "created_at" | "at") => {
            n.as_i64().map(crate::time::format_vietnam).unwrap_or_default()
        }
        Value::String(s) => {
            if let Some(label) = value_label(field, s) {
                return label.get(lang).to_string();
            }
            if field.ends_with("_on") {
                return display_date(s, lang);
            }
            s.clone()
        }
        Value::Bool(true) => Label::new("Có", "Yes").get(lang).into(),
        Value::Bool(false) => Label::new("Không", "No").get(lang).into(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// The label of a record's status code.
pub fn status_label(kind: RecordKind, code: &str) -> Option<Label> {
    match kind {
        RecordKind::Mediation => MediationOutcome::label_of(code),
        RecordKind::Consultation => ConsultationOutcome::label_of(code),
        _ => value_label("status", code),
    }
}

/// Whether `path` (`agenda.2.votes_for`) matches a pattern with `*` for list positions.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('.');
    let mut q = path.split('.');
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some("*"), Some(seg)) if seg.parse::<usize>().is_ok() => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_nested_paths() {
        assert_eq!(describe_path("agenda.0.votes_for", Lang::Vi), "Nội dung, chương trình 1 › Số hộ tán thành");
        assert_eq!(describe_path("body.agenda.1.votes_for", Lang::En), "Agenda 2 › For");
        assert_eq!(path_label("issues.3.status").unwrap().en, "Status");
    }

    #[test]
    fn matches_list_wildcards_only_on_indices() {
        assert!(path_matches("agenda.*.votes_for", "agenda.12.votes_for"));
        assert!(!path_matches("agenda.*.votes_for", "agenda.x.votes_for"));
        assert!(!path_matches("agenda.*.votes_for", "agenda.1.votes_for.extra"));
        assert!(path_matches("status", "status"));
    }

    #[test]
    fn coded_values_have_labels() {
        assert_eq!(value_label("category", "land").unwrap().vi, "Đất đai");
        assert_eq!(value_label("status", "accepted").unwrap().vi, "Đã thụ lý");
        assert!(value_label("category", "nonsense").is_none());
    }
}
