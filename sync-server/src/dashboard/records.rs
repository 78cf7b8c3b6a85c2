//! The records pages: a list of what the user may open, with deadlines (overdue complaints and
//! denunciations stand out), and a record with its history. A user opens exactly what sync
//! would send their phone (`UserScope::may_pull`): a reviewer opens no mediation case, petition
//! or denouncer; nobody sees a denouncer's identity here.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum_extra::extract::WithRejection;
use serde::Deserialize;
use sotay_core::Lang;
use sotay_core::labels::Label;
use sotay_core::record::fields::{describe_path, display_date, display_value, status_label};
use sotay_core::record::input::leaves;
use sotay_core::record::{RecordBody, RecordKind};
use sotay_core::store::Role;
use sotay_core::time::{CivilDate, format_vietnam};
use sotay_core::units::catalogue;

use super::templates::{Choice, DeadlineRow, Field, HistoryRow, RecordPage, RecordRow, RecordsPage};
use super::{DashState, PageError, Viewer, data};
use crate::now_ms;

const MAX_ROWS: usize = 500;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    kind: Option<String>,
    unit: Option<String>,
    overdue: Option<String>,
}

fn unit_name(code: &str, villages: &std::collections::HashMap<String, String>) -> String {
    catalogue()
        .get(code)
        .map(|u| u.name.clone())
        .or_else(|| villages.get(code).cloned())
        .unwrap_or_else(|| code.to_string())
}

fn no_records_for_administrators(viewer: &Viewer) -> Result<(), PageError> {
    // Administrators manage accounts and read reports; records are not theirs to open.
    if matches!(viewer.user.role, Role::Administrator) {
        return Err(PageError::Forbidden);
    }
    Ok(())
}

pub async fn list(
    State(state): State<DashState>,
    viewer: Viewer,
    WithRejection(Query(q), _): WithRejection<Query<ListQuery>, PageError>,
) -> Result<Html<String>, PageError> {
    no_records_for_administrators(&viewer)?;
    let lang = viewer.lang;
    let kind = q.kind.as_deref().filter(|k| !k.is_empty()).map(|k| {
        RecordKind::from_code(k)
            .ok_or(PageError::BadRequest { vi: "loại hồ sơ không hợp lệ", en: "unknown kind of record" })
    });
    let kind = kind.transpose()?;
    let unit = q.unit.clone().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| viewer.user.unit.clone());
    let overdue_only = q.overdue.as_deref() == Some("1");
    let scope = viewer.scope();
    let unit_for_db = unit.clone();
    let (records, villages) = state
        .with_db(move |db| {
            if !data::within_reach(db, &scope, &unit_for_db)? {
                return Err(PageError::NotFound);
            }
            Ok((data::records_for(db, &scope, &unit_for_db)?, data::unit_names(db)?))
        })
        .await?;
    let today = CivilDate::in_vietnam(now_ms());
    let mut rows: Vec<(Option<CivilDate>, RecordRow)> = records
        .into_iter()
        .filter(|(_, r)| !r.deleted)
        .filter(|(_, r)| kind.is_none_or(|k| r.body.kind() == k))
        .filter_map(|(scope, r)| {
            let deadlines = r.body.deadlines();
            let overdue = deadlines.iter().any(|d| d.overdue(today));
            if overdue_only && !overdue {
                return None;
            }
            let next = deadlines.iter().filter(|d| d.pending()).map(|d| d.due).min();
            let kind = r.body.kind();
            let conflicts = !r.doc.conflicts(RecordBody::significant_fields(kind)).is_empty();
            let event = r.body.event_date();
            Some((
                event,
                RecordRow {
                    id: scope.id.clone(),
                    date: event.map(|d| display_date(&d.to_string(), lang)).unwrap_or_default(),
                    kind: kind.label().get(lang).to_string(),
                    title: r.body.title().to_string(),
                    unit: unit_name(&scope.unit, &villages),
                    status: status_label(kind, r.body.status_code())
                        .map(|l| l.get(lang).to_string())
                        .unwrap_or_default(),
                    due: next.map(|d| display_date(&d.to_string(), lang)).unwrap_or_default(),
                    overdue,
                    conflicts,
                },
            ))
        })
        .collect();
    // Overdue first, then the most recent.
    rows.sort_by(|a, b| b.1.overdue.cmp(&a.1.overdue).then(b.0.cmp(&a.0)).then(a.1.id.cmp(&b.1.id)));
    rows.truncate(MAX_ROWS);
    let kinds = RecordKind::ALL
        .iter()
        .map(|k| Choice { value: k.code().into(), label: k.label().get(lang).into(), selected: Some(*k) == kind })
        .collect();
    let title = Label::new("Hồ sơ", "Records").get(lang);
    let page = RecordsPage {
        chrome: viewer.chrome(format!("{title} — {}", unit_name(&unit, &villages))),
        kinds,
        overdue: overdue_only,
        unit,
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        here: "/dashboard/records".into(),
    };
    Ok(Html(askama::Template::render(&page)?))
}

fn deadline_state(d: &sotay_core::record::Deadline, today: CivilDate, lang: Lang) -> (String, bool) {
    let overdue = d.overdue(today);
    let state = if overdue {
        Label::new("QUÁ HẠN", "OVERDUE")
    } else if d.met {
        Label::new("đã xong", "met")
    } else {
        Label::new("còn hạn", "pending")
    };
    (state.get(lang).to_string(), overdue)
}

pub async fn show(
    State(state): State<DashState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    no_records_for_administrators(&viewer)?;
    let lang = viewer.lang;
    let scope = viewer.scope();
    let (record_scope, record, history, villages) = state
        .with_db(move |db| {
            let (record_scope, mut record) = data::record_for(db, &scope, &id)?.ok_or(PageError::NotFound)?;
            let history = data::history(db, &mut record.doc)?;
            Ok((record_scope, record, history, data::unit_names(db)?))
        })
        .await?;
    let today = CivilDate::in_vietnam(now_ms());
    let kind = record.body.kind();
    let fields = leaves(&record.body.to_value())
        .into_iter()
        .filter(|(path, v)| !path.ends_with(".id") && !v.is_null() && v.as_str() != Some(""))
        .map(|(path, v)| Field { label: describe_path(&path, lang), value: display_value(&path, &v, lang) })
        .collect();
    let deadlines = record
        .body
        .deadlines()
        .iter()
        .map(|d| {
            let (state, overdue) = deadline_state(d, today, lang);
            let at = if d.path.is_empty() { String::new() } else { format!(" ({})", describe_path(&d.path, lang)) };
            DeadlineRow {
                label: format!("{}{at}", d.code.label().get(lang)),
                due: display_date(&d.due.to_string(), lang),
                state,
                overdue,
            }
        })
        .collect();
    let outcomes: Vec<String> =
        record.body.outcomes().iter().map(|o| format!("{}: {}", describe_path(&o.path, lang), o.text(lang))).collect();
    let mut flags: Vec<String> = record.body.flags().iter().map(|f| f.code.label().get(lang).to_string()).collect();
    for c in record.doc.conflicts(RecordBody::significant_fields(kind)) {
        flags.push(format!(
            "{}: {}",
            Label::new("Xung đột cần xử lý", "Conflict to resolve").get(lang),
            describe_path(&c.path, lang)
        ));
    }
    let history = history
        .into_iter()
        .map(|e| HistoryRow {
            author: e.author.user.clone(),
            device_time: format_vietnam(e.device_time),
            server_time: e.server_time.map(format_vietnam).unwrap_or_default(),
            changes: e
                .fields
                .iter()
                .filter(|f| !f.path.ends_with(".id"))
                .map(|f| {
                    format!(
                        "{}: {} → {}",
                        describe_path(&f.path, lang),
                        display_value(&f.path, &f.from, lang),
                        display_value(&f.path, &f.to, lang)
                    )
                })
                .collect(),
        })
        .collect();
    let deleted =
        record.deleted.then(|| Label::new("Hồ sơ đã bị xóa", "This record was deleted").get(lang).to_string());
    let page = RecordPage {
        chrome: viewer.chrome(record.body.title().to_string()),
        kind: kind.label().get(lang).to_string(),
        unit: unit_name(&record_scope.unit, &villages),
        deleted,
        fields,
        deadlines,
        flags,
        outcomes,
        history,
        here: format!("/dashboard/records/{}", record_scope.id),
    };
    Ok(Html(askama::Template::render(&page)?))
}
