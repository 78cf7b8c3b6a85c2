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

use super::templates::{
    Choice, ConflictChoice, ConflictRow, DeadlineRow, Field, HistoryRow, RecordPage, RecordRow, RecordsPage,
};
use super::{DashState, PageError, Viewer, data};
use crate::now_ms;

/// Rows a page of the list shows; the total is always said, and every page can be reached.
const PER_PAGE: usize = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    /// Words to find, diacritics and case aside.
    q: Option<String>,
    kind: Option<String>,
    /// A unit's code, or its name.
    unit: Option<String>,
    status: Option<String>,
    /// The login that created the record.
    author: Option<String>,
    from: Option<String>,
    to: Option<String>,
    overdue: Option<String>,
    conflicts: Option<String>,
    sort: Option<String>,
    page: Option<usize>,
}

/// A unit's name: the catalogue's, or a village's, or its code when neither knows it.
pub(super) fn unit_name(code: &str, villages: &std::collections::HashMap<String, String>) -> String {
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

/// The records a query matches, sorted, with what the page and the exports show of them.
struct Matching {
    unit: String,
    villages: std::collections::HashMap<String, String>,
    kind: Option<RecordKind>,
    sort: Sort,
    search: String,
    status: String,
    author: String,
    overdue_only: bool,
    conflicts_only: bool,
    rows: Vec<(Listed, RecordRow)>,
}

async fn matching(state: &DashState, viewer: &Viewer, q: &ListQuery) -> Result<Matching, PageError> {
    no_records_for_administrators(viewer)?;
    let lang = viewer.lang;
    let kind = q.kind.as_deref().filter(|k| !k.is_empty()).map(|k| {
        RecordKind::from_code(k)
            .ok_or(PageError::BadRequest { vi: "loại hồ sơ không hợp lệ", en: "unknown kind of record" })
    });
    let kind = kind.transpose()?;
    let date = |v: &Option<String>| -> Result<Option<CivilDate>, PageError> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| PageError::BadRequest {
                vi: "ngày không hợp lệ (DD/MM/YYYY hoặc YYYY-MM-DD)",
                en: "invalid date (DD/MM/YYYY or YYYY-MM-DD)",
            }),
        }
    };
    let (from, to) = (date(&q.from)?, date(&q.to)?);
    let sort = Sort::from_query(q.sort.as_deref())?;
    let typed_unit = q.unit.clone().map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
    let overdue_only = q.overdue.as_deref() == Some("1");
    let conflicts_only = q.conflicts.as_deref() == Some("1");
    let search = q.q.clone().map(|s| s.trim().chars().take(200).collect::<String>()).unwrap_or_default();
    let status = q.status.clone().map(|s| s.trim().to_string()).unwrap_or_default();
    let author = q.author.clone().map(|s| s.trim().to_string()).unwrap_or_default();
    let scope = viewer.scope();
    let (unit, records, villages) = state
        .with_db(move |db| {
            // A unit typed by name, without diacritics ("na me"), as well as by its code.
            let unit = match typed_unit {
                None => scope.unit.clone(),
                Some(typed) if data::unit_with_children(db, &typed)?.is_some() => typed,
                Some(typed) => match data::units_named(db, &scope, &typed)?.as_slice() {
                    [one] => one.code.clone(),
                    _ => typed,
                },
            };
            if !data::within_reach(db, &scope, &unit)? {
                return Err(PageError::NotFound);
            }
            Ok((unit.clone(), data::records_for(db, &scope, &unit)?, data::unit_names(db)?))
        })
        .await?;
    let today = CivilDate::in_vietnam(now_ms());
    let mut rows: Vec<(Listed, RecordRow)> = records
        .into_iter()
        .filter(|(_, r)| !r.deleted)
        .filter(|(_, r)| kind.is_none_or(|k| r.body.kind() == k))
        .filter(|(_, r)| status.is_empty() || r.body.status_code() == status)
        .filter(|(_, r)| author.is_empty() || r.created_by == author)
        .filter(|(_, r)| {
            let event = r.body.event_date();
            from.is_none_or(|f| event.is_some_and(|d| d >= f)) && to.is_none_or(|t| event.is_some_and(|d| d <= t))
        })
        .filter(|(_, r)| {
            search.is_empty()
                || sotay_core::text::name_matches(&search, &format!("{} {}", r.body.title(), r.body.search_text()))
        })
        .filter_map(|(scope, r)| {
            let deadlines = r.body.deadlines();
            let overdue = deadlines.iter().any(|d| d.overdue(today));
            if overdue_only && !overdue {
                return None;
            }
            let kind = r.body.kind();
            let conflicts = !r.doc.conflicts(RecordBody::significant_fields(kind)).is_empty();
            if conflicts_only && !conflicts {
                return None;
            }
            let next = deadlines.iter().filter(|d| d.pending()).map(|d| d.due).min();
            let event = r.body.event_date();
            let listed = Listed {
                event,
                due: next,
                title: sotay_core::text::fold(r.body.title()),
                unit_name: unit_name(&scope.unit, &villages),
                unit_key: sotay_core::text::fold(&unit_name(&scope.unit, &villages)),
                kind,
                status: r.body.status_code().to_string(),
                unit: scope.unit.clone(),
                author: r.created_by.clone(),
            };
            Some((
                listed,
                RecordRow {
                    group: None,
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
    sort.apply(&mut rows);
    Ok(Matching { unit, villages, kind, sort, search, status, author, overdue_only, conflicts_only, rows })
}

pub async fn list(
    State(state): State<DashState>,
    viewer: Viewer,
    WithRejection(Query(q), _): WithRejection<Query<ListQuery>, PageError>,
) -> Result<Html<String>, PageError> {
    let m = matching(&state, &viewer, &q).await?;
    let Matching { unit, villages, kind, sort, search, status, author, overdue_only, conflicts_only, mut rows } = m;
    let lang = viewer.lang;
    let page_no = q.page.unwrap_or(1).max(1);
    let total = rows.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page_no = page_no.min(pages);
    if sort == Sort::Unit {
        // A village's (and the commune's own) records under one heading each.
        let mut last: Option<String> = None;
        for (listed, row) in rows.iter_mut() {
            if last.as_deref() != Some(listed.unit_name.as_str()) {
                row.group = Some(listed.unit_name.clone());
                last = Some(listed.unit_name.clone());
            }
        }
    }
    let shown: Vec<RecordRow> =
        rows.into_iter().skip((page_no - 1) * PER_PAGE).take(PER_PAGE).map(|(_, r)| r).collect();
    let kinds = RecordKind::ALL
        .iter()
        .map(|k| Choice { value: k.code().into(), label: k.label().get(lang).into(), selected: Some(*k) == kind })
        .collect();
    let sorts = Sort::ALL
        .iter()
        .map(|s| Choice { value: s.code().into(), label: s.label().get(lang).into(), selected: *s == sort })
        .collect();
    // The same query, for the pages' links.
    let mut keep: Vec<(&str, String)> = vec![
        ("q", search.clone()),
        ("kind", kind.map(|k| k.code().to_string()).unwrap_or_default()),
        ("unit", unit.clone()),
        ("status", status.clone()),
        ("author", author.clone()),
        ("from", q.from.clone().unwrap_or_default()),
        ("to", q.to.clone().unwrap_or_default()),
        ("sort", sort.code().to_string()),
    ];
    if overdue_only {
        keep.push(("overdue", "1".into()));
    }
    if conflicts_only {
        keep.push(("conflicts", "1".into()));
    }
    let base: String = keep
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_escape(v)))
        .collect::<Vec<_>>()
        .join("&");
    let query = base.clone();
    let page_links = (1..=pages)
        .map(|n| Choice {
            value: format!("/dashboard/records?{base}&page={n}"),
            label: n.to_string(),
            selected: n == page_no,
        })
        .collect();
    let title = Label::new("Hồ sơ", "Records").get(lang);
    let page = RecordsPage {
        chrome: viewer.chrome(format!("{title} — {}", unit_name(&unit, &villages))),
        kinds,
        sorts,
        overdue: overdue_only,
        conflicts: conflicts_only,
        unit,
        search,
        status,
        author,
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        total,
        page_links,
        query,
        first: if total == 0 { 0 } else { (page_no - 1) * PER_PAGE + 1 },
        last: ((page_no - 1) * PER_PAGE + shown.len()),
        rows: shown,
        here: "/dashboard/records".into(),
    };
    Ok(Html(askama::Template::render(&page)?))
}

/// A query value inside a link (the page links repeat the filters).
fn url_escape(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the list sorts by, and the exports write.
struct Listed {
    event: Option<CivilDate>,
    due: Option<CivilDate>,
    title: String,
    unit_name: String,
    /// The unit's name folded (Đ as D), to sort by.
    unit_key: String,
    kind: RecordKind,
    status: String,
    unit: String,
    author: String,
}

/// The records a query matches, every one (not a page), as CSV or XLSX: what the list shows,
/// with codes beside the labels. Nothing personal: no party, petitioner or denouncer, only
/// what the list itself shows of records the user may open.
pub async fn export(
    State(state): State<DashState>,
    viewer: Viewer,
    Path(format): Path<String>,
    WithRejection(Query(q), _): WithRejection<Query<ListQuery>, PageError>,
) -> Result<axum::response::Response, PageError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let m = matching(&state, &viewer, &q).await?;
    let rows: Vec<super::export::RecordLine> = m
        .rows
        .iter()
        .map(|(l, r)| super::export::RecordLine {
            id: r.id.clone(),
            kind_code: l.kind.code(),
            kind: r.kind.clone(),
            event: l.event,
            title: r.title.clone(),
            unit_code: l.unit.clone(),
            unit: r.unit.clone(),
            status_code: l.status.clone(),
            status: r.status.clone(),
            author: l.author.clone(),
            due: l.due,
            overdue: r.overdue,
            conflicts: r.conflicts,
        })
        .collect();
    let (bytes, media, name) = match format.as_str() {
        "records.csv" => (super::export::records_csv(&rows)?, "text/csv; charset=utf-8", "ho-so.csv"),
        "records.xlsx" => (
            super::export::records_xlsx(&rows, viewer.lang)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "ho-so.xlsx",
        ),
        _ => return Err(PageError::NotFound),
    };
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(([(header::CONTENT_TYPE, media.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// How the list is ordered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    /// Overdue first, then the most recent (the default).
    Attention,
    Newest,
    Oldest,
    /// By the next deadline, soonest first.
    Due,
    Title,
    /// Grouped by unit (a village's records together), most recent first within each.
    Unit,
}

impl Sort {
    const ALL: &'static [Sort] = &[Sort::Attention, Sort::Newest, Sort::Oldest, Sort::Due, Sort::Title, Sort::Unit];

    fn code(self) -> &'static str {
        match self {
            Sort::Attention => "attention",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Due => "due",
            Sort::Title => "title",
            Sort::Unit => "unit",
        }
    }

    fn label(self) -> Label {
        match self {
            Sort::Attention => Label::new("Quá hạn trước, mới nhất", "Overdue first, newest"),
            Sort::Newest => Label::new("Mới nhất", "Newest"),
            Sort::Oldest => Label::new("Cũ nhất", "Oldest"),
            Sort::Due => Label::new("Hạn gần nhất", "Next deadline"),
            Sort::Title => Label::new("Tiêu đề (A–Z)", "Title (A–Z)"),
            Sort::Unit => Label::new("Theo đơn vị, thôn", "By unit and village"),
        }
    }

    fn from_query(v: Option<&str>) -> Result<Sort, PageError> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(Sort::Attention),
            Some(v) => Sort::ALL
                .iter()
                .copied()
                .find(|s| s.code() == v)
                .ok_or(PageError::BadRequest { vi: "cách sắp xếp không hợp lệ", en: "unknown sort order" }),
        }
    }

    fn apply(self, rows: &mut [(Listed, RecordRow)]) {
        rows.sort_by(|(a, ra), (b, rb)| {
            let order = match self {
                Sort::Attention => rb.overdue.cmp(&ra.overdue).then(b.event.cmp(&a.event)),
                Sort::Newest => b.event.cmp(&a.event),
                Sort::Oldest => a.event.cmp(&b.event),
                // Records with no deadline pending last.
                Sort::Due => a.due.is_none().cmp(&b.due.is_none()).then(a.due.cmp(&b.due)),
                Sort::Title => a.title.cmp(&b.title),
                Sort::Unit => a.unit_key.cmp(&b.unit_key).then(b.event.cmp(&a.event)),
            };
            order.then(ra.id.cmp(&rb.id))
        });
    }
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
    let flags: Vec<String> = record.body.flags().iter().map(|f| f.code.label().get(lang).to_string()).collect();
    // Conflicts, with each value and who wrote it when; a role that may write the record picks one.
    let may_resolve = !record.deleted && viewer.scope().may_push(&record_scope);
    let conflicts = record
        .doc
        .conflicts(RecordBody::significant_fields(kind))
        .into_iter()
        .map(|c| ConflictRow {
            label: describe_path(&c.path, lang),
            values: c
                .values
                .iter()
                .map(|v| ConflictChoice {
                    value: display_value(&c.path, &v.value, lang),
                    author: v.author.user.clone(),
                    device_time: format_vietnam(v.device_time),
                })
                .collect(),
            path: c.path,
        })
        .collect();
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
        conflicts,
        may_resolve,
        id: record_scope.id.clone(),
        outcomes,
        history,
        here: format!("/dashboard/records/{}", record_scope.id),
    };
    Ok(Html(askama::Template::render(&page)?))
}

#[derive(Deserialize)]
pub struct Resolution {
    csrf: String,
    /// The conflicting field.
    path: String,
    /// Which of its values, counted from 0 as the page lists them.
    pick: usize,
}

/// Resolves a conflict on the web: the value picked written as a change of the user's dashboard
/// device, checked and stored as any device's push (scope, authorship, size, quota), so that it
/// reaches every phone by the feed, with the person who picked it as its author.
pub async fn resolve(
    State(state): State<DashState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    viewer: Viewer,
    Path(id): Path<String>,
    WithRejection(axum::Form(form), _): WithRejection<axum::Form<Resolution>, PageError>,
) -> Result<axum::response::Redirect, PageError> {
    no_records_for_administrators(&viewer)?;
    viewer.check_csrf(&form.csrf)?;
    let app = state.app.clone().ok_or(PageError::Forbidden)?;
    let scope = viewer.scope();
    let login = viewer.user.login.clone();
    let origin = crate::api::client_ip(state.trust_forwarded_for, &headers, peer).to_string();
    let record_id = id.clone();
    let path = form.path.clone();
    let (device, push) = state
        .with_db(move |db| {
            let (record_scope, mut record) = data::record_for(db, &scope, &record_id)?.ok_or(PageError::NotFound)?;
            if record.deleted || !scope.may_push(&record_scope) {
                return Err(PageError::Forbidden);
            }
            let kind = record.body.kind();
            let conflict = record
                .doc
                .conflicts(RecordBody::significant_fields(kind))
                .into_iter()
                .find(|c| c.path == form.path)
                .ok_or(PageError::BadRequest {
                    vi: "trường này không có xung đột",
                    en: "this field has no conflict",
                })?;
            let chosen = conflict
                .values
                .get(form.pick)
                .ok_or(PageError::BadRequest {
                    vi: "không có giá trị đã chọn", en: "no such value to pick"
                })?;
            let typed = sotay_core::record::input::typed_value(&record.body, &form.path, chosen.value.clone())
                .map_err(|_| PageError::BadRequest { vi: "giá trị không hợp lệ", en: "invalid value" })?;
            let device = db.dashboard_device(&login, now_ms())?;
            let writer = sotay_core::document::Writer {
                author: sotay_core::record::Author { user: login.clone(), device: device.device_id.clone() },
                actor: automerge::ActorId::random(),
                now: now_ms(),
            };
            let before = record.doc.heads();
            record.doc.resolve(&form.path, &typed, &writer).map_err(|e| PageError::Internal(e.to_string()))?;
            let changes = record.doc.changes_since(&before).into_iter().map(|(_, bytes)| bytes.into()).collect();
            let doc = uuid::Uuid::parse_str(&record_id).map_err(|_| PageError::NotFound)?.into_bytes();
            Ok((device, sotay_core::sync::protocol::DocChanges { doc, changes }))
        })
        .await?;
    crate::api::push_from_dashboard(&app, device, push).await.map_err(|e| PageError::Refused(e.message))?;
    // Logged once the change is stored: a refused push resolved nothing.
    let entry = crate::audit::Entry::new(
        now_ms(),
        &viewer.user.login,
        crate::audit::Action::ConflictResolved,
        &format!("{id} {path}"),
        &origin,
    );
    state.with_db(move |db| Ok(db.record_audit(&entry)?)).await?;
    Ok(axum::response::Redirect::to(&format!("/dashboard/records/{id}")))
}
