use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::Value;

use super::*;
use crate::record::RecordKind;
use crate::sample::Sampler;

/// A form with one item in every list, nested lists included: every field of the kind is present.
fn full_form(kind: RecordKind) -> RecordForm {
    let mut form = RecordForm::new(kind);
    loop {
        let rows = form.rows(Lang::Vi);
        let empty_list = rows.iter().enumerate().find(|(i, r)| {
            r.kind == RowKind::List
                && !rows.get(i + 1).is_some_and(|next| next.path.starts_with(&format!("{}.", r.path)))
        });
        let Some((_, list)) = empty_list else { return form };
        form.add_item(&list.path.clone()).expect("a list takes an item");
    }
}

/// The form names exactly the fields the record type has, at every level.
fn same_fields(fields: &[Field], tree: &Value, at: &str, mismatches: &mut Vec<String>) {
    let Some(object) = tree.as_object() else {
        mismatches.push(format!("{at}: not an object"));
        return;
    };
    let in_type: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    let in_form: BTreeSet<&str> = fields.iter().map(|f| f.name).collect();
    if in_type != in_form {
        let only_type: Vec<_> = in_type.difference(&in_form).collect();
        let only_form: Vec<_> = in_form.difference(&in_type).collect();
        mismatches.push(format!("{at}: only in the type {only_type:?}, only in the form {only_form:?}"));
    }
    for f in fields {
        match f.input {
            Input::Group(children) => same_fields(children, &object[f.name], &format!("{at}.{}", f.name), mismatches),
            Input::List(children) => match object[f.name].as_array().and_then(|items| items.first()) {
                Some(item) => same_fields(children, item, &format!("{at}.{}.0", f.name), mismatches),
                None => mismatches.push(format!("{at}.{}: no item to check", f.name)),
            },
            _ => {}
        }
    }
}

#[test]
fn every_field_of_every_kind_is_in_its_form() {
    let mut mismatches = Vec::new();
    for &kind in RecordKind::ALL {
        let form = full_form(kind);
        same_fields(fields_of(kind), &form.tree, kind.code(), &mut mismatches);
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[test]
fn every_shown_field_has_a_label_in_both_languages() {
    fn check(fields: &[Field], missing: &mut Vec<&'static str>) {
        for f in fields {
            if !matches!(f.input, Input::Hidden) && crate::record::fields::field_label(f.name).is_none() {
                missing.push(f.name);
            }
            if let Input::Group(children) | Input::List(children) = f.input {
                check(children, missing);
            }
        }
    }
    let mut missing = Vec::new();
    for &kind in RecordKind::ALL {
        check(fields_of(kind), &mut missing);
        for lang in [Lang::Vi, Lang::En] {
            assert!(full_form(kind).rows(lang).iter().flat_map(|r| &r.options).all(|o| !o.label.is_empty()));
        }
    }
    assert!(missing.is_empty(), "fields without a label: {missing:?}");
}

#[test]
fn a_dialogue_filled_in_field_by_field() {
    let mut form = RecordForm::new(RecordKind::Dialogue);
    form.set_text("title", "Đối thoại về đất đai").unwrap();
    form.choose("status", "held").unwrap();
    form.set_text("held_on", "03/10/2026").unwrap();
    form.set_text("attendance.total", "1.200").unwrap();
    form.set_text("attendance.women", "540").unwrap();
    let chair = form.add_item("chairs").unwrap();
    form.set_text(&chair, "Chủ tịch UBND xã").unwrap();
    let issue = form.add_item("issues").unwrap();
    assert_eq!(issue, "issues.0");
    form.set_text("issues.0.topic", "Cấp giấy chứng nhận quyền sử dụng đất").unwrap();
    form.set_text("issues.0.due_on", "2026-11-01").unwrap();
    form.choose("issues.0.status", "referred").unwrap();

    let RecordBody::Dialogue(d) = form.body().unwrap() else { panic!("a dialogue") };
    assert_eq!(d.title, "Đối thoại về đất đai");
    assert_eq!(d.held_on.map(|x| x.to_string()).as_deref(), Some("2026-10-03"));
    assert_eq!((d.attendance.total, d.attendance.women), (Some(1200), Some(540)));
    assert_eq!(d.chairs, ["Chủ tịch UBND xã"]);
    assert_eq!(d.issues[0].topic, "Cấp giấy chứng nhận quyền sử dụng đất");

    let rows = form.rows(Lang::Vi);
    let held = rows.iter().find(|r| r.path == "held_on").unwrap();
    assert_eq!((held.kind, held.text.as_str(), held.label.as_str()), (RowKind::Date, "03/10/2026", "Ngày tổ chức"));
    let en = form.rows(Lang::En);
    assert_eq!(en.iter().find(|r| r.path == "held_on").unwrap().text, "2026-10-03");
    let item = rows.iter().find(|r| r.path == "issues.0").unwrap();
    assert_eq!((item.kind, item.removable, item.label.as_str()), (RowKind::Item, true, "Vấn đề người dân nêu 1"));
    let status = rows.iter().find(|r| r.path == "issues.0.status").unwrap();
    assert_eq!(status.options.iter().filter(|o| o.selected).map(|o| o.code.as_str()).collect::<Vec<_>>(), ["referred"]);
    assert!(rows.iter().all(|r| !r.path.ends_with(".id")), "item ids are not shown");
    let depth = |p: &str| rows.iter().find(|r| r.path == p).unwrap().depth;
    assert_eq!((depth("title"), depth("attendance.women"), depth("issues.0.topic")), (0, 1, 1));
}

#[test]
fn what_does_not_read_is_kept_as_typed_and_stops_the_save() {
    let mut form = RecordForm::new(RecordKind::Dialogue);
    form.set_text("title", "Đối thoại").unwrap();
    let e = form.set_text("held_on", "31/02/2026").unwrap_err();
    assert_eq!(e.path, "held_on");
    assert!(form.set_text("attendance.total", "mười hai").is_err());
    assert!(form.set_text("attendance.women", "5000000000").is_err(), "more than a u32");
    assert!(form.set_text("attendance.ethnic_minority", "1.2").is_err(), "not grouped by thousands");

    let rows = form.rows(Lang::Vi);
    let held = rows.iter().find(|r| r.path == "held_on").unwrap();
    assert_eq!(held.text, "31/02/2026", "the person sees what they typed");
    assert!(held.problem.as_deref().unwrap().contains("Ngày tổ chức"), "{:?}", held.problem);
    assert!(!held.problem.as_deref().unwrap().contains(" / "), "one language");
    let errors = form.body().unwrap_err();
    let paths: BTreeSet<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        BTreeSet::from(["held_on", "attendance.total", "attendance.women", "attendance.ethnic_minority"])
    );

    form.set_text("held_on", "28/02/2026").unwrap();
    form.set_text("attendance.total", "12").unwrap();
    form.set_text("attendance.women", "").unwrap();
    form.set_text("attendance.ethnic_minority", "1 200").unwrap();
    let RecordBody::Dialogue(d) = form.body().unwrap() else { panic!() };
    // Left blank, a count is not entered (chưa nhập), not zero, and the row shows it blank.
    assert_eq!((d.attendance.total, d.attendance.women, d.attendance.ethnic_minority), (Some(12), None, Some(1200)));
    assert_eq!(form.rows(Lang::Vi).iter().find(|r| r.path == "attendance.women").map(|r| r.text.as_str()), Some(""));
    assert!(form.rows(Lang::Vi).iter().all(|r| r.problem.is_none()));
}

#[test]
fn the_stores_problems_show_under_their_fields() {
    let mut form = RecordForm::new(RecordKind::Dialogue);
    form.choose("status", "held").unwrap();
    form.set_text("attendance.total", "10").unwrap();
    form.set_text("attendance.women", "11").unwrap();
    let errors = form.body().unwrap().validate(None).unwrap_err();
    form.show_problems(&errors);
    let rows = form.rows(Lang::En);
    let women = rows.iter().find(|r| r.path == "attendance.women").unwrap();
    assert!(women.problem.is_some(), "{errors:?}");
    assert!(rows.iter().find(|r| r.path == "title").unwrap().problem.is_some(), "a title is required");
    form.show_problems(&[]);
    assert!(form.rows(Lang::En).iter().all(|r| r.problem.is_none()));
}

#[test]
fn items_are_added_and_removed_in_nested_lists() {
    let mut form = RecordForm::new(RecordKind::VillageMeeting);
    for title in ["Xây dựng đường bê tông nội thôn", "Sửa chữa nhà văn hóa thôn"] {
        let item = form.add_item("agenda").unwrap();
        form.set_text(&format!("{item}.title"), title).unwrap();
    }
    let round = form.add_item("agenda.1.ballot_rounds").unwrap();
    assert_eq!(round, "agenda.1.ballot_rounds.0");
    form.set_text(&format!("{round}.households_for"), "87").unwrap();
    form.set_text("agenda.0.votes_for", "abc").unwrap_err();
    form.remove_item("agenda.0").unwrap();
    let RecordBody::VillageMeeting(m) = form.body().unwrap() else { panic!() };
    assert_eq!(m.agenda.len(), 1);
    assert_eq!(m.agenda[0].title, "Sửa chữa nhà văn hóa thôn");
    assert_eq!(m.agenda[0].ballot_rounds[0].households_for, 87);
    assert!(form.remove_item("agenda.5").is_err());

    // What was typed and does not read moves with its item when one before it is removed.
    let mut mediation = RecordForm::new(RecordKind::Mediation);
    for _ in 0..3 {
        mediation.add_item("sessions").unwrap();
    }
    mediation.set_text("sessions.0.held_on", "bad").unwrap_err();
    mediation.set_text("sessions.2.held_on", "27/09/20").unwrap_err();
    mediation.remove_item("sessions.0").unwrap();
    let rows = mediation.rows(Lang::Vi);
    let held = |p: &str| rows.iter().find(|r| r.path == p).map(|r| (r.text.clone(), r.problem.is_some())).unwrap();
    assert_eq!(held("sessions.1.held_on"), ("27/09/20".to_string(), true));
    assert_eq!(held("sessions.0.held_on"), (String::new(), false));
    let errors = mediation.body().unwrap_err();
    assert_eq!(errors.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["sessions.1.held_on"]);
    assert!(form.remove_item("agenda").is_err(), "a list is not an item");

    let mut consultation = RecordForm::new(RecordKind::Consultation);
    consultation.toggle("forms", "meeting").unwrap();
    consultation.toggle("forms", "ballot").unwrap();
    consultation.toggle("forms", "meeting").unwrap();
    let RecordBody::Consultation(c) = consultation.body().unwrap() else { panic!() };
    assert_eq!(c.forms.iter().map(|f| f.code()).collect::<Vec<_>>(), ["ballot"]);
}

#[test]
fn saving_over_the_record_keeps_what_arrived_while_the_form_was_open() {
    let mut sampler = Sampler::new(5);
    let RecordBody::Mediation(mut opened) = sampler.body(RecordKind::Mediation) else { panic!() };
    opened.attachments.clear();
    let mut form = RecordForm::edit(&RecordBody::Mediation(opened.clone()));
    form.set_text("title", "Tranh chấp lối đi chung (đã hòa giải)").unwrap();
    // Meanwhile, on another phone: a file attached and the team renamed.
    let mut now = opened.clone();
    now.attachments.push(crate::record::common::AttachmentRef {
        id: "a1".into(),
        name: "Biên bản.pdf".into(),
        media_type: "application/pdf".into(),
        sha256: "ab".repeat(32),
        size: 1000,
    });
    now.team = "Tổ hòa giải thôn Khuôn Hẻ".into();
    let RecordBody::Mediation(saved) = form.body_over(&RecordBody::Mediation(now)).unwrap() else { panic!() };
    assert_eq!(saved.title, "Tranh chấp lối đi chung (đã hòa giải)", "the person's change");
    assert_eq!(saved.attachments.len(), 1, "the file attached meanwhile stays");
    assert_eq!(saved.team, "Tổ hòa giải thôn Khuôn Hẻ", "a field the person did not touch is not written over");
    form.set_text("received_on", "99/99/2026").unwrap_err();
    assert!(form.body_over(&RecordBody::Mediation(opened)).is_err(), "what does not read stops the save");
}

#[test]
fn forged_paths_and_wrong_inputs_change_nothing() {
    let mut form = RecordForm::new(RecordKind::Mediation);
    form.add_item("parties").unwrap();
    let before = form.tree.clone();
    let attempts: Vec<Result<(), FieldError>> = vec![
        form.set_text("", "x"),
        form.set_text("nonsense", "x"),
        form.set_text("title.0", "x"),
        form.set_text("parties.x.name", "x"),
        form.set_text("parties.7.name", "x"),
        form.set_text("parties.0.id", "forged"),
        form.set_text("attachments", "[]"),
        form.set_text("parties.0.vulnerability", "x"),
        form.set_flag("title", true),
        form.choose("category", "not-a-category"),
        form.choose("parties.0.name", "land"),
        form.toggle("category", "land"),
        form.add_item("title").map(|_| ()),
        form.add_item("parties.0").map(|_| ()),
        form.remove_item("parties.0.name"),
        form.set_text("parties.0.name.0", "x"),
        // An item one past the end (a path from before a removal) is not made anew.
        form.set_text("parties.1.name", "x"),
        form.set_text("parties.1.vulnerability.child", "x"),
        form.set_flag("parties.1.vulnerability.child", true),
        form.add_item("sessions.0.x").map(|_| ()),
    ];
    for (i, a) in attempts.iter().enumerate() {
        assert!(a.is_err(), "attempt {i} was accepted");
    }
    assert_eq!(form.tree, before);
}

#[test]
fn a_sampled_record_reads_back_unchanged_through_its_form() {
    let mut sampler = Sampler::new(7);
    for _ in 0..200 {
        let body = sampler.any_body();
        let mut form = RecordForm::edit(&body);
        assert_eq!(form.body().unwrap(), body);
        // Typing back what each field shows changes nothing.
        for row in form.rows(Lang::Vi) {
            match row.kind {
                RowKind::Text | RowKind::LongText | RowKind::Date | RowKind::Count => {
                    form.set_text(&row.path, &row.text).unwrap()
                }
                RowKind::Flag => form.set_flag(&row.path, row.on).unwrap(),
                _ => {}
            }
        }
        assert_eq!(form.body().unwrap(), body, "{:?}", body.kind());
    }
}

proptest! {
    /// Whatever a person taps and types, in any order, the form never panics and always holds a
    /// body of its kind.
    #[test]
    fn any_sequence_of_edits_keeps_a_readable_body(
        kind in 0usize..8,
        ops in proptest::collection::vec((0u8..6, 0usize..40, "[0-9a-zđĐ./ -]{0,12}"), 0..40),
    ) {
        let kind = RecordKind::ALL[kind % RecordKind::ALL.len()];
        let mut form = RecordForm::new(kind);
        for (op, pick, text) in ops {
            let rows = form.rows(Lang::Vi);
            let Some(row) = rows.get(pick % rows.len().max(1)) else { continue };
            let _ = match op {
                0 => form.set_text(&row.path, &text),
                1 => form.set_flag(&row.path, text.len() % 2 == 0),
                2 => row.options.get(text.len() % row.options.len().max(1)).map_or(Ok(()), |o| form.choose(&row.path, &o.code)),
                3 => row.options.first().map_or(Ok(()), |o| form.toggle(&row.path, &o.code)),
                4 => form.add_item(&row.path).map(|_| ()),
                _ => form.remove_item(&row.path),
            };
            prop_assert!(RecordBody::from_input(kind, form.tree.clone()).is_ok());
        }
    }
}

#[test]
fn the_form_marks_what_the_store_requires_as_the_values_stand() {
    let required = |form: &RecordForm| -> BTreeSet<String> {
        form.rows(Lang::Vi).into_iter().filter(|r| r.required).map(|r| r.path).collect()
    };
    let mut form = RecordForm::new(RecordKind::Mediation);
    assert_eq!(required(&form), BTreeSet::from(["title".to_string(), "received_on".to_string()]));
    // Filled in, still marked: the mark says what is needed, not what is missing.
    form.set_text("title", "Tranh chấp lối đi chung").unwrap();
    assert!(required(&form).contains("title"));
    // A successful case needs the terms agreed.
    form.choose("outcome", "success").unwrap();
    assert!(required(&form).contains("agreement_terms"), "{:?}", required(&form));
    form.add_item("parties").unwrap();
    assert!(required(&form).contains("parties.0.name"), "{:?}", required(&form));

    let mut meeting = RecordForm::new(RecordKind::VillageMeeting);
    meeting.add_item("agenda").unwrap();
    let marked = required(&meeting);
    for path in ["title", "held_on", "total_households", "agenda.0.title"] {
        assert!(marked.contains(path), "{path} in {marked:?}");
    }
    assert!(!marked.contains("households_represented") && !marked.contains("place"), "{marked:?}");
}
