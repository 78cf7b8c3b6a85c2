//! The audit log's page and its CSV, for administrators only (issue 14).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::WithRejection;
use serde::Deserialize;
use sotay_core::store::Role;

use super::templates::{AuditPage, AuditRow};
use super::{DashState, PageError, Viewer};

/// Entries a page shows; the CSV carries up to [`crate::audit::MAX_LISTED`].
const ON_A_PAGE: usize = 500;

#[derive(Deserialize)]
pub struct AuditQuery {
    limit: Option<usize>,
}

fn administrator(viewer: &Viewer) -> Result<(), PageError> {
    if viewer.user.role == Role::Administrator { Ok(()) } else { Err(PageError::Forbidden) }
}

pub async fn page(
    State(state): State<DashState>,
    viewer: Viewer,
    WithRejection(Query(q), _): WithRejection<Query<AuditQuery>, PageError>,
) -> Result<Html<String>, PageError> {
    administrator(&viewer)?;
    let limit = q.limit.unwrap_or(ON_A_PAGE).clamp(1, ON_A_PAGE);
    let entries = state.with_db(move |db| Ok(db.audit_entries(limit)?)).await?;
    let lang = viewer.lang;
    let rows = entries
        .iter()
        .map(|e| AuditRow {
            at: sotay_core::time::format_vietnam(e.at),
            actor: e.actor.clone(),
            action: e.action_label().get(lang).to_string(),
            target: e.target.clone(),
            origin: e.origin.clone(),
        })
        .collect();
    let title = if lang == sotay_core::Lang::Vi { "Nhật ký quản trị" } else { "Audit log" }.to_string();
    let page = AuditPage { chrome: viewer.chrome(title), here: "/dashboard/audit".into(), rows };
    Ok(Html(askama::Template::render(&page)?))
}

pub async fn csv(State(state): State<DashState>, viewer: Viewer) -> Result<Response, PageError> {
    administrator(&viewer)?;
    let entries = state.with_db(|db| Ok(db.audit_entries(crate::audit::MAX_LISTED)?)).await?;
    let bytes = crate::audit::csv(&entries).map_err(|e| PageError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"nhat-ky-quan-tri.csv\""),
        ],
        bytes,
    )
        .into_response())
}
