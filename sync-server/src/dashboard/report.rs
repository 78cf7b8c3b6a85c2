//! The report pages: figures of a unit and period with charts, the trend over the last four
//! periods, roll-up by unit, issuing (which keeps the heads of every record counted) and the
//! amendments since, CSV and XLSX. Any signed-in user may see the report of a unit within their
//! reach: reports hold aggregates only.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::WithRejection;
use serde::Deserialize;
use sotay_core::Lang;
use sotay_core::labels::Label;
use sotay_core::record::fields::describe_path;
use sotay_core::report::{
    Amendment, AmendmentKind, BadConvention, BadPeriod, Convention, Details, MAIN_FIGURES, OfficialForm, Period,
    Report, UnitRef, Value, amendments, figures_moved, official, rows, sections,
};
use sotay_core::store::Role;
use sotay_core::time::{CivilDate, format_vietnam};

use super::charts::{section_chart, trend_chart};
use super::session::CsrfOnly;
use super::templates::{Choice, FigureRow, FigureSection, OfficialPage, ReportPage, RollUpRow, UnitChoicePage};
use super::{DashState, PageError, Viewer, data, export};
use crate::now_ms;

#[derive(Deserialize, Default, Clone)]
pub struct ReportQuery {
    unit: Option<String>,
    period: Option<String>,
    convention: Option<String>,
    /// The official form's number, date (YYYY-MM-DD or DD/MM/YYYY) and signer.
    number: Option<String>,
    date: Option<String>,
    signer: Option<String>,
}

/// The quarter before the one we are in (in Vietnam): what a report is usually about.
fn last_quarter() -> Period {
    let today = CivilDate::in_vietnam(now_ms());
    let q = (today.0.month() as u8 - 1) / 3 + 1;
    Period::quarter(today.0.year(), q).previous()
}

struct Asked {
    unit: String,
    period: Period,
    convention: Convention,
}

fn asked(viewer: &Viewer, q: &ReportQuery) -> Result<Asked, PageError> {
    let period = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => p.parse().map_err(|_| PageError::BadRequest { vi: BadPeriod::VI, en: BadPeriod::EN })?,
        None => last_quarter(),
    };
    let convention = match q.convention.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => {
            Convention::parse(c).map_err(|_| PageError::BadRequest { vi: BadConvention::VI, en: BadConvention::EN })?
        }
        None => Convention::Calendar,
    };
    let unit = q
        .unit
        .clone()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| viewer.user.unit.clone());
    Ok(Asked { unit, period, convention })
}

/// The unit asked for: a code as it is, or a name (diacritics aside) that names exactly one
/// unit within reach. Several matches are given back for the reader to choose from.
enum Resolved {
    Unit,
    Choose(Vec<UnitRef>),
}

async fn resolve(state: &DashState, viewer: &Viewer, a: &mut Asked) -> Result<Resolved, PageError> {
    let scope = viewer.scope();
    let asked = a.unit.clone();
    let found = state
        .with_db(move |db| {
            if data::unit_with_children(db, &asked)?.is_some() {
                return Ok(None);
            }
            Ok(Some(data::units_named(db, &scope, &asked)?))
        })
        .await?;
    let asked = a.unit.clone();
    let found = found.map(|units| match sotay_core::text::the_one_named(&asked, &units, |u| &u.name) {
        Some(one) => vec![one.clone()],
        None => units,
    });
    match found {
        None => Ok(Resolved::Unit),
        Some(units) if units.len() == 1 => {
            a.unit = units[0].code.clone();
            Ok(Resolved::Unit)
        }
        Some(units) if units.is_empty() => Err(PageError::NotFound),
        Some(units) => Ok(Resolved::Choose(units)),
    }
}

/// Resolves the unit for a download, where there is no page to choose on.
async fn resolve_one(state: &DashState, viewer: &Viewer, a: &mut Asked) -> Result<(), PageError> {
    match resolve(state, viewer, a).await? {
        Resolved::Unit => Ok(()),
        Resolved::Choose(_) => Err(PageError::BadRequest {
            vi: "có nhiều đơn vị trùng tên: hãy chọn trên trang báo cáo",
            en: "several units match that name: choose one on the report page",
        }),
    }
}

/// Everything a report page or export needs, read in one go.
struct Computed {
    report: Report,
    trend: Vec<(Period, sotay_core::report::Figures)>,
    issued: Option<data::Issued>,
    /// Per child unit: when a device of it last synced, and whether anything was ever received
    /// from it (a synced device or a record filed there): nothing received is not zero.
    reporting: std::collections::HashMap<String, (Option<i64>, bool)>,
    /// Against the latest issued version: each amendment with, for an edit, the fields it
    /// changed (none when the issued version is not held), and the record's title.
    amended: Vec<Amended>,
}

struct Amended {
    amendment: Amendment,
    changed: Option<Vec<String>>,
    /// None for a record no longer held, or not readable.
    title: Option<String>,
}

async fn compute(state: &DashState, viewer: &Viewer, a: &Asked) -> Result<Computed, PageError> {
    let scope = viewer.scope();
    let (unit, period, convention) = (a.unit.clone(), a.period, a.convention);
    state
        .with_db(move |db| {
            // "Not found" for units outside one's reach and unknown units alike.
            if !data::within_reach(db, &scope, &unit)? {
                return Err(PageError::NotFound);
            }
            let (unit_ref, children) = data::unit_with_children(db, &unit)?.ok_or(PageError::NotFound)?;
            let records = data::report_records(db, &unit)?;
            let report = Report::build(&records, unit_ref, children, period, convention);
            let trend = Report::trend(&records, &unit, period, convention, 4);
            let issued = data::latest_issued(db, &unit, period, convention)?;
            // One pass over the records, not one per child unit.
            let filed: std::collections::HashSet<&str> =
                records.iter().flat_map(|rec| [rec.unit.as_str(), rec.commune.as_str()]).collect();
            let mut reporting = std::collections::HashMap::new();
            for child in &report.children {
                let synced = data::last_sync_within(db, &child.unit.code)?;
                let any = synced.is_some() || filed.contains(child.unit.code.as_str());
                reporting.insert(child.unit.code.clone(), (synced, any));
            }
            let amended = match &issued {
                Some(i) => amendments(&i.counted, &report.counted, &records)
                    .into_iter()
                    .map(|a| {
                        let changed = match a.kind {
                            AmendmentKind::Edited => data::fields_changed_since(db, &a.id, &i.counted)?,
                            _ => None,
                        };
                        // Named by title, as people know the record: only these few are read whole.
                        let title = data::record_title(db, &a.id)?;
                        Ok(Amended { amendment: a, changed, title })
                    })
                    .collect::<Result<Vec<_>, data::DataError>>()?,
                None => Vec::new(),
            };
            Ok(Computed { report, trend, issued, reporting, amended })
        })
        .await
}

impl Computed {
    /// When a device of a child unit last synced, and whether anything was ever received from it.
    fn received(&self, code: &str) -> (Option<i64>, bool) {
        self.reporting.get(code).copied().unwrap_or((None, false))
    }
}

/// What the official filled in for the official form; bad input is refused with what to write.
fn details(q: &ReportQuery) -> Result<Details, PageError> {
    let filled = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let number = match filled(&q.number) {
        Some(n) => Some(n.parse::<u32>().ok().filter(|n| *n > 0).ok_or(PageError::BadRequest {
            vi: "số văn bản phải là một số nguyên dương",
            en: "the document number must be a positive whole number",
        })?),
        None => None,
    };
    let date = match filled(&q.date) {
        Some(d) => d.parse::<CivilDate>().map_err(|_| PageError::BadRequest {
            vi: "ngày văn bản không hợp lệ (viết DD/MM/YYYY)",
            en: "invalid document date (write DD/MM/YYYY)",
        })?,
        None => CivilDate::in_vietnam(now_ms()),
    };
    // A name, NFC as every text the server keeps; bounded, since it is printed.
    let signer: String = sotay_core::text::nfc(&filled(&q.signer).unwrap_or_default()).chars().take(80).collect();
    Ok(Details { number, date: Some(date), signer_name: signer })
}

/// The official form of the asked report, or why the unit cannot issue one.
fn official_form(c: &Computed, d: &Details) -> Result<OfficialForm, PageError> {
    OfficialForm::for_report(&c.report, d, &|code| c.received(code).1).map_err(|_| PageError::BadRequest {
        vi: "chỉ Ủy ban nhân dân xã, phường, đặc khu hoặc tỉnh, thành phố ban hành báo cáo theo thể thức",
        en: "only a commune or province People's Committee issues a report in the official form",
    })
}

fn query_string(a: &Asked) -> String {
    let period = a.period.to_string();
    serde_urlencoded::to_string([("unit", a.unit.as_str()), ("period", &period), ("convention", a.convention.code())])
        .unwrap_or_default()
}

fn format_value(v: Value, lang: Lang) -> String {
    if lang == Lang::Vi { v.format_vi() } else { v.format_en() }
}

fn may_issue(role: Role) -> bool {
    matches!(role, Role::CommuneLeader | Role::CommuneOfficial | Role::Administrator)
}

pub async fn page(
    State(state): State<DashState>,
    viewer: Viewer,
    WithRejection(Query(q), _): WithRejection<Query<ReportQuery>, PageError>,
) -> Result<Html<String>, PageError> {
    let lang = viewer.lang;
    let mut a = asked(&viewer, &q)?;
    if let Resolved::Choose(units) = resolve(&state, &viewer, &mut a).await? {
        return choose_unit(&viewer, &a, units);
    }
    let c = compute(&state, &viewer, &a).await?;
    let r = &c.report;
    let t = |vi: &'static str, en: &'static str| Label::new(vi, en).get(lang);
    let sections: Vec<FigureSection> = sections(&r.figures)
        .iter()
        .map(|s| FigureSection {
            title: s.kind.label().get(lang).to_string(),
            rows: s
                .rows
                .iter()
                .map(|row| FigureRow {
                    code: row.code.clone(),
                    label: row.label(lang).to_string(),
                    value: format_value(row.value, lang),
                })
                .collect(),
            chart: section_chart(s, lang),
        })
        .collect();
    // The roll-up shows the main counts; the XLSX has every one.
    let heads = MAIN_FIGURES;
    let roll_up = r
        .children
        .iter()
        .map(|child| {
            let child_rows = rows(&child.figures);
            // Nothing ever received from it says so, as a reporting rate would.
            let (synced, received) = c.received(&child.unit.code);
            RollUpRow {
                code: child.unit.code.clone(),
                name: child.unit.name.clone(),
                last_sync: synced.map(format_vietnam).unwrap_or_default(),
                no_data: !received,
                values: heads
                    .iter()
                    .map(|(code, _)| {
                        child_rows
                            .iter()
                            .find(|row| row.code == *code)
                            .map(|row| format_value(row.value, lang))
                            .unwrap_or_default()
                    })
                    .collect(),
                no_front_session: !child.no_front_session_in.is_empty(),
            }
        })
        .collect();
    let issued = c.issued.as_ref().map(|i| {
        format!(
            "{} {} — {} ({})",
            t("Đã chốt lúc", "Issued at"),
            format_vietnam(i.issued_at),
            i.issued_by,
            t("người chốt", "issued by")
        )
    });
    let amendments = c
        .amended
        .iter()
        .map(|Amended { amendment: a, changed, title }| {
            let what = match a.kind {
                AmendmentKind::Edited => t("sửa sau khi chốt", "edited since"),
                AmendmentKind::Removed => t("xóa sau khi chốt", "deleted since"),
                AmendmentKind::Added => t("ghi nhận sau khi chốt", "recorded since"),
            };
            // Named by title, as people know the record; the id only for one no longer held.
            let title = title.clone().filter(|t| !t.is_empty()).unwrap_or_else(|| a.id.clone());
            // The fields by name, never their values: the report's reader may not see them.
            match changed.as_deref() {
                Some(fields) if !fields.is_empty() => {
                    let fields: Vec<String> = fields.iter().map(|f| describe_path(f, lang)).collect();
                    format!("{title}: {what} ({}: {})", t("thay đổi", "changed"), fields.join(", "))
                }
                _ => format!("{title}: {what}"),
            }
        })
        .collect();
    let moved: Vec<String> = match &c.issued {
        Some(i) => figures_moved(&i.figures, &r.figures)
            .into_iter()
            .map(|m| {
                let label = if lang == Lang::Vi { m.vi } else { m.en };
                format!("{label}: {} → {}", format_value(m.then, lang), format_value(m.now, lang))
            })
            .collect(),
        None => Vec::new(),
    };
    let half_label = |p: &Period| if lang == Lang::Vi { p.label_vi() } else { p.label_en() };
    let page = ReportPage {
        chrome: viewer.chrome(format!("{} — {}", t("Báo cáo", "Report"), r.unit.name)),
        unit_code: r.unit.code.clone(),
        unit_name: r.unit.name.clone(),
        period: r.period.to_string(),
        period_label: half_label(&r.period),
        range: format!("{} – {}", r.range.start.to_vietnamese(), r.range.end.to_vietnamese()),
        conventions: Convention::ALL
            .iter()
            .map(|cv| Choice {
                value: cv.code().into(),
                label: cv.label().get(lang).into(),
                selected: *cv == r.convention,
            })
            .collect(),
        convention_label: r.convention.label().get(lang).to_string(),
        query: query_string(&a),
        sections,
        trend: trend_chart(&c.trend, lang),
        roll_up_heads: heads.iter().map(|(_, label)| label.get(lang).to_string()).collect(),
        roll_up,
        no_front_session: r.no_front_session_in.iter().map(half_label).collect(),
        issued,
        amendments,
        moved,
        may_issue: may_issue(viewer.user.role),
        counted: r.counted.len(),
        here: format!("/dashboard/report?{}", query_string(&a)),
    };
    Ok(Html(askama::Template::render(&page)?))
}

/// Several units match the name asked for: a page of links, one per unit.
fn choose_unit(viewer: &Viewer, a: &Asked, units: Vec<UnitRef>) -> Result<Html<String>, PageError> {
    let t = |vi: &'static str, en: &'static str| Label::new(vi, en).get(viewer.lang);
    let choices = units
        .into_iter()
        .map(|u| {
            let chosen = Asked { unit: u.code.clone(), period: a.period, convention: a.convention };
            Choice {
                value: format!("/dashboard/report?{}", query_string(&chosen)),
                label: format!("{} ({})", u.name, u.code),
                selected: false,
            }
        })
        .collect();
    let page = UnitChoicePage {
        chrome: viewer.chrome(t("Chọn đơn vị", "Choose a unit").to_string()),
        asked: a.unit.clone(),
        choices,
    };
    Ok(Html(askama::Template::render(&page)?))
}

pub async fn issue(
    State(state): State<DashState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    viewer: Viewer,
    WithRejection(Query(q), _): WithRejection<Query<ReportQuery>, PageError>,
    WithRejection(Form(form), _): WithRejection<Form<CsrfOnly>, PageError>,
) -> Result<Redirect, PageError> {
    viewer.check_csrf(form.csrf())?;
    if !may_issue(viewer.user.role) {
        return Err(PageError::Forbidden);
    }
    let mut a = asked(&viewer, &q)?;
    resolve_one(&state, &viewer, &mut a).await?;
    let c = compute(&state, &viewer, &a).await?;
    let login = viewer.user.login.clone();
    let origin = crate::api::client_ip(state.trust_forwarded_for, &headers, peer).to_string();
    state
        .with_db(move |db| {
            let now = now_ms();
            data::issue(db, &c.report, &login, now)?;
            let what = format!("{} {} {}", c.report.unit.code, c.report.period, c.report.convention.code());
            let entry = crate::audit::Entry::new(now, &login, crate::audit::Action::ReportIssued, &what, &origin);
            Ok(db.record_audit(&entry)?)
        })
        .await?;
    Ok(Redirect::to(&format!("/dashboard/report?{}", query_string(&a))))
}

fn download(bytes: Vec<u8>, content_type: &'static str, name: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

fn file_name(r: &Report, ext: &str) -> String {
    // ASCII only: the unit code, not its name, so that every browser keeps the name.
    format!(
        "bao-cao-{}-{}-{}.{ext}",
        r.unit.code.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        r.period,
        r.convention.code()
    )
}

/// The two export formats.
enum Format {
    Csv,
    Xlsx,
}

async fn export_as(state: DashState, viewer: Viewer, q: ReportQuery, format: Format) -> Result<Response, PageError> {
    let mut a = asked(&viewer, &q)?;
    resolve_one(&state, &viewer, &mut a).await?;
    let c = compute(&state, &viewer, &a).await?;
    Ok(match format {
        Format::Csv => download(export::csv(&c.report)?, "text/csv; charset=utf-8", file_name(&c.report, "csv")),
        Format::Xlsx => download(
            export::xlsx(&c.report, viewer.lang, &|code: &str| c.received(code))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            file_name(&c.report, "xlsx"),
        ),
    })
}

/// The official form as a printable A4 page: the browser prints it with the decree's margins
/// and page numbers.
pub async fn official(
    State(state): State<DashState>,
    viewer: Viewer,
    WithRejection(Query(q), _): WithRejection<Query<ReportQuery>, PageError>,
) -> Result<Html<String>, PageError> {
    let mut a = asked(&viewer, &q)?;
    let d = details(&q)?;
    resolve_one(&state, &viewer, &mut a).await?;
    let c = compute(&state, &viewer, &a).await?;
    let form = official_form(&c, &d)?;
    let filled = serde_urlencoded::to_string([
        ("number", d.number.map(|n| n.to_string()).unwrap_or_default()),
        ("date", d.date.map(|d| d.to_vietnamese()).unwrap_or_default()),
        ("signer", d.signer_name.clone()),
    ])
    .unwrap_or_default();
    let page = OfficialPage {
        chrome: viewer.chrome(form.summary.clone()),
        layout: official::LAYOUT,
        national_title: official::NATIONAL_TITLE,
        motto: official::MOTTO,
        query: query_string(&a),
        unit_code: a.unit.clone(),
        period: a.period.to_string(),
        convention: a.convention.code(),
        number: d.number.map(|n| n.to_string()).unwrap_or_default(),
        date: d.date.map(|d| d.to_vietnamese()).unwrap_or_default(),
        signer: d.signer_name.clone(),
        filled,
        form,
    };
    Ok(Html(askama::Template::render(&page)?))
}

pub async fn docx(
    State(state): State<DashState>,
    viewer: Viewer,
    WithRejection(Query(q), _): WithRejection<Query<ReportQuery>, PageError>,
) -> Result<Response, PageError> {
    let mut a = asked(&viewer, &q)?;
    let d = details(&q)?;
    resolve_one(&state, &viewer, &mut a).await?;
    let c = compute(&state, &viewer, &a).await?;
    let form = official_form(&c, &d)?;
    let bytes = super::docx::docx(&form).map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        file_name(&c.report, "docx"),
    ))
}

pub async fn csv(
    State(state): State<DashState>,
    viewer: Viewer,
    WithRejection(Query(q), _): WithRejection<Query<ReportQuery>, PageError>,
) -> Result<Response, PageError> {
    export_as(state, viewer, q, Format::Csv).await
}

pub async fn xlsx(
    State(state): State<DashState>,
    viewer: Viewer,
    WithRejection(Query(q), _): WithRejection<Query<ReportQuery>, PageError>,
) -> Result<Response, PageError> {
    export_as(state, viewer, q, Format::Xlsx).await
}
