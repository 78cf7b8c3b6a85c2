//! The dashboard: server-rendered pages for signed-in users (no JavaScript), Vietnamese by
//! default with English available. Records of the user's reach with their deadlines and
//! history; reports of a unit and period with charts drawn as SVG, roll-up by unit, exports to
//! CSV and XLSX, and a page that prints on A4.
//!
//! - [`auth`]: passwords, sessions, CSRF; [`session`]: sign-in and the signed-in viewer;
//! - [`data`]: what the pages read, through [`store`] (either backend); [`records`] and [`report`]: the pages;
//! - [`charts`], [`export`]: SVG geometry, CSV and XLSX; [`templates`]: the HTML.

mod admin;
mod audit;
pub mod auth;
pub mod charts;
pub mod data;
pub mod docx;
pub mod export;
mod records;
mod report;
mod session;
pub mod store;
mod templates;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::WithRejection;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rusqlite::Connection;
use sotay_core::Lang;
use tower_http::set_header::SetResponseHeaderLayer;

pub use session::Viewer;
use store::DashboardStore;

/// The dashboard's own connection: to the embedded database (the sync worker keeps its own;
/// SQLite's WAL lets both work), or to PostgreSQL, made again when lost.
enum DashDb {
    Sqlite(Connection),
    Postgres(Box<crate::postgres::PgSession>),
}

/// What the dashboard's handlers share: a connection of its own, and limits on sign-in
/// attempts per client address and per login. With several instances on PostgreSQL, sessions
/// live in the database, so any instance serves any signed-in browser; the sign-in limits are
/// each instance's (a flood guard: Argon2 makes each guess slow everywhere).
#[derive(Clone)]
pub struct DashState {
    db: Arc<Mutex<DashDb>>,
    sign_in_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    sign_in_per_login: Arc<DefaultKeyedRateLimiter<String>>,
    trust_forwarded_for: bool,
    /// The server's address as phones reach it, for enrollment cards (`SOTAY_PUBLIC_URL`).
    public_url: Option<String>,
    /// The sync side, which stores what the dashboard writes (a conflict resolved) as a push.
    app: Option<crate::api::AppState>,
}

impl DashState {
    pub fn open(db: &crate::db::Database, trust_forwarded_for: bool) -> Result<DashState, crate::db::DbError> {
        Ok(Self::with(DashDb::Sqlite(db.open()?), trust_forwarded_for))
    }

    /// The dashboard of an instance serving the PostgreSQL database at `url`; it connects on
    /// its first page.
    pub fn on_postgres(url: &str, trust_forwarded_for: bool) -> DashState {
        Self::with(DashDb::Postgres(Box::new(crate::postgres::PgSession::new(url))), trust_forwarded_for)
    }

    fn with(db: DashDb, trust_forwarded_for: bool) -> DashState {
        let quota = Quota::per_minute(NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN));
        DashState {
            db: Arc::new(Mutex::new(db)),
            sign_in_limiter: Arc::new(RateLimiter::keyed(quota)),
            sign_in_per_login: Arc::new(RateLimiter::keyed(quota)),
            trust_forwarded_for,
            public_url: None,
            app: None,
        }
    }

    /// With the server's public address, which enrollment cards carry.
    pub fn with_public_url(mut self, url: Option<String>) -> DashState {
        self.public_url = url.filter(|u| !u.trim().is_empty());
        self
    }

    /// With the sync side, through which the dashboard's own writes are stored.
    pub fn with_app(mut self, app: crate::api::AppState) -> DashState {
        self.app = Some(app);
        self
    }

    /// Runs `work` with the connection, off the async runtime.
    async fn with_db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn DashboardStore) -> Result<T, PageError> + Send + 'static,
    ) -> Result<T, PageError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
            match &mut *db {
                DashDb::Sqlite(conn) => work(conn),
                DashDb::Postgres(session) => {
                    let client = session.client().map_err(|e| PageError::Internal(e.to_string()))?;
                    work(&crate::postgres::holdings::PgHoldings::new(client))
                }
            }
        })
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?
    }
}

pub fn router(state: DashState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .route("/dashboard", get(session::home))
        .route("/dashboard/sign-in", get(session::sign_in_page).post(session::sign_in))
        .route("/dashboard/sign-out", post(session::sign_out))
        .route("/dashboard/lang/{lang}", get(set_lang))
        .route("/dashboard/records", get(records::list))
        .route("/dashboard/records/{id}", get(records::show))
        .route("/dashboard/records/{id}/resolve", post(records::resolve))
        .route("/dashboard/export/{format}", get(records::export))
        .route("/dashboard/report", get(report::page))
        .route("/dashboard/report/issue", post(report::issue))
        .route("/dashboard/report.csv", get(report::csv))
        .route("/dashboard/report.xlsx", get(report::xlsx))
        .route("/dashboard/report.docx", get(report::docx))
        .route("/dashboard/report/official", get(report::official))
        .route("/dashboard/admin/users", get(admin::users).post(admin::add_user))
        .route("/dashboard/admin/users/{login}/edit", post(admin::edit_user))
        .route("/dashboard/admin/users/{login}/switch", post(admin::switch_user))
        .route("/dashboard/admin/users/{login}/password", post(admin::set_password))
        .route("/dashboard/admin/devices", get(admin::devices))
        .route("/dashboard/admin/devices/{id}/revoke", post(admin::revoke_device))
        .route("/dashboard/admin/codes", get(admin::codes).post(admin::issue_code))
        .route("/dashboard/admin/codes/{id}/cancel", post(admin::cancel_code))
        .route("/dashboard/audit", get(audit::page))
        .route("/dashboard/audit.csv", get(audit::csv))
        // Pages are text and compress well: gzip for browsers on 2G.
        .layer(tower_http::compression::CompressionLayer::new())
        // Pages with people's names must not stay in a shared office computer's cache after
        // sign-out, nor be framed by another site.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; style-src 'unsafe-inline'; script-src 'none'; frame-ancestors 'none'",
            ),
        ))
        .with_state(state)
}

/// The language of the pages: the `lang` cookie, Vietnamese by default.
pub fn lang_of(jar: &CookieJar) -> Lang {
    match jar.get("lang").map(Cookie::value) {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    }
}

#[derive(serde::Deserialize)]
struct Back {
    back: Option<String>,
}

/// Switches the language and goes back to the page the link was on (only pages of the
/// dashboard: the redirect is never to another site).
async fn set_lang(
    jar: CookieJar,
    axum::extract::Path(lang): axum::extract::Path<String>,
    WithRejection(axum::extract::Query(q), _): WithRejection<axum::extract::Query<Back>, PageError>,
) -> impl IntoResponse {
    let lang = if lang == "en" { "en" } else { "vi" };
    let back = q
        .back
        .filter(|b| b.starts_with("/dashboard") && !b.starts_with("//") && !b.chars().any(char::is_control))
        .unwrap_or("/dashboard".into());
    let cookie = Cookie::build(("lang", lang)).path("/").same_site(SameSite::Lax).http_only(true).secure(true).build();
    (jar.add(cookie), Redirect::to(&back))
}

/// What goes wrong on a page, shown as a page in the user's language.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("chưa đăng nhập / not signed in")]
    SignedOut,
    #[error("không tìm thấy hoặc bạn không có quyền xem / not found, or not yours to see")]
    NotFound,
    #[error("vai trò của bạn không được xem nội dung này / your role may not see this")]
    Forbidden,
    #[error("{vi} / {en}")]
    BadRequest { vi: &'static str, en: &'static str },
    /// What a person asked for that the rules refuse, said in both languages by the rule.
    #[error("{0}")]
    Refused(String),
    #[error("phiên làm việc đã hết hạn, hãy tải lại trang / the form has expired: reload the page")]
    Csrf,
    #[error("thử đăng nhập quá nhiều lần, hãy chờ một phút / too many sign-in attempts: wait a minute")]
    TooMany,
    #[error("lỗi máy chủ / server error")]
    Internal(String),
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            PageError::SignedOut => StatusCode::SEE_OTHER,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Forbidden => StatusCode::FORBIDDEN,
            PageError::BadRequest { .. } | PageError::Refused(_) => StatusCode::BAD_REQUEST,
            PageError::Csrf => StatusCode::FORBIDDEN,
            PageError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<data::DataError> for PageError {
    fn from(e: data::DataError) -> Self {
        PageError::Internal(e.to_string())
    }
}

impl From<auth::AuthError> for PageError {
    fn from(e: auth::AuthError) -> Self {
        PageError::Internal(e.to_string())
    }
}

/// A query or form that cannot be read at all (a field missing, a value of the wrong form):
/// the bilingual error page rather than the framework's plain English text.
impl From<axum::extract::rejection::QueryRejection> for PageError {
    fn from(_: axum::extract::rejection::QueryRejection) -> Self {
        PageError::BadRequest { vi: "yêu cầu không đọc được", en: "the request cannot be read" }
    }
}

impl From<axum::extract::rejection::FormRejection> for PageError {
    fn from(_: axum::extract::rejection::FormRejection) -> Self {
        PageError::BadRequest { vi: "biểu mẫu không đọc được", en: "the form cannot be read" }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::Internal(e.to_string())
    }
}

impl From<export::ExportError> for PageError {
    fn from(e: export::ExportError) -> Self {
        PageError::Internal(e.to_string())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let PageError::SignedOut = self {
            return Redirect::to("/dashboard/sign-in").into_response();
        }
        if let PageError::Internal(detail) = &self {
            tracing::error!(error = %detail, "dashboard error");
        }
        let page = templates::ErrorPage { message: self.to_string() };
        let body = askama::Template::render(&page).unwrap_or_else(|_| self.to_string());
        (self.status(), Html(body)).into_response()
    }
}
