//! Signing in and out, and the signed-in viewer that every other page starts from.

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::WithRejection;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;
use sotay_core::Lang;
use sotay_core::store::Role;
use sotay_core::sync::scope::UserScope;

use super::templates::{Chrome, SignInPage};
use super::{DashState, PageError, auth, lang_of};
use crate::accounts::User;
use crate::audit::{Action, Entry};
use crate::now_ms;

const SESSION_COOKIE: &str = "sotay_session";
const PRESIGN_COOKIE: &str = "sotay_presign";

/// Cookies of the dashboard: not readable by scripts, sent only over HTTPS (browsers treat
/// `http://localhost` as secure too), never with requests from other sites.
fn cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value)).path("/").http_only(true).secure(true).same_site(SameSite::Strict).build()
}

/// A signed-in user, their reach, and the page language.
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    pub lang: Lang,
}

impl Viewer {
    pub fn scope(&self) -> UserScope {
        UserScope { login: self.user.login.clone(), role: self.user.role, unit: self.user.unit.clone() }
    }

    pub fn chrome(&self, title: String) -> Chrome {
        Chrome {
            lang: self.lang,
            user: Some(self.user.display_name.clone()),
            csrf: self.csrf.clone(),
            title,
            admin: self.user.role == Role::Administrator,
        }
    }

    /// Checks a form's CSRF token against the session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), PageError> {
        if auth::same_token(token, &self.csrf) { Ok(()) } else { Err(PageError::Csrf) }
    }
}

impl FromRequestParts<DashState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &DashState) -> Result<Viewer, PageError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = lang_of(&jar);
        let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()).ok_or(PageError::SignedOut)?;
        let session = state.with_db(move |db| Ok(auth::session(db, &token, now_ms())?)).await?;
        let session = session.ok_or(PageError::SignedOut)?;
        Ok(Viewer { user: session.user, csrf: session.csrf, lang })
    }
}

pub async fn home(viewer: Viewer) -> Redirect {
    match viewer.user.role {
        Role::Reviewer | Role::Administrator => Redirect::to("/dashboard/report"),
        _ => Redirect::to("/dashboard/records"),
    }
}

fn sign_in_form(lang: Lang, csrf: String, error: Option<&'static str>) -> Result<String, PageError> {
    let title = if lang == Lang::Vi { "Đăng nhập" } else { "Sign in" }.to_string();
    let page = SignInPage { chrome: Chrome { lang, user: None, csrf, title, admin: false }, error };
    Ok(askama::Template::render(&page)?)
}

pub async fn sign_in_page(jar: CookieJar) -> Result<Response, PageError> {
    let token = auth::random_token()?;
    let body = sign_in_form(lang_of(&jar), token.clone(), None)?;
    Ok((jar.add(cookie(PRESIGN_COOKIE, token)), Html(body)).into_response())
}

#[derive(Deserialize)]
pub struct SignIn {
    login: String,
    password: String,
    csrf: String,
}

pub async fn sign_in(
    State(state): State<DashState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    WithRejection(Form(form), _): WithRejection<Form<SignIn>, PageError>,
) -> Result<Response, PageError> {
    let lang = lang_of(&jar);
    let presign = jar.get(PRESIGN_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if presign.is_empty() || !auth::same_token(&presign, &form.csrf) {
        return Err(PageError::Csrf);
    }
    let client = crate::api::client_ip(state.trust_forwarded_for, &headers, peer);
    let ip = crate::api::limit_key(client);
    if state.sign_in_limiter.check_key(&ip).is_err() {
        return Err(PageError::TooMany);
    }
    // Addresses that have not tried for a while are forgotten, so the table stays small.
    state.sign_in_limiter.retain_recent();
    let login = form.login.trim().to_string();
    // And per account, whatever the address: guessing one official's password from many
    // addresses is limited too (at the cost that a guesser can hold that official out a while).
    let account: String = login.chars().take(64).collect::<String>().to_lowercase();
    if state.sign_in_per_login.check_key(&account).is_err() {
        return Err(PageError::TooMany);
    }
    state.sign_in_per_login.retain_recent();
    let password = form.password;
    // The hash is read under the connection's lock and checked after it: an Argon2 run takes a
    // moment and 19 MiB, and other pages should not wait for it.
    let for_read = login.clone();
    let check = state.with_db(move |db| Ok(auth::password_check(db, &for_read)?)).await?;
    let known = check.names_a_user();
    let right = tokio::task::spawn_blocking(move || check.matches(&password))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let origin = client.to_string();
    let signed_in = state
        .with_db(move |db| {
            let now = now_ms();
            if right {
                let token = auth::start_session(db, &login, now)?;
                db.record_audit(&Entry::new(now, &login, Action::SignedIn, &login, &origin))?;
                Ok(Some(token))
            } else {
                let target = if known { login.as_str() } else { "" };
                db.record_audit(&Entry::new(now, "", Action::SignInRefused, target, &origin))?;
                Ok(None)
            }
        })
        .await?;
    match signed_in {
        Some(token) => {
            tracing::info!("dashboard sign-in");
            let jar = jar.remove(Cookie::build(PRESIGN_COOKIE).path("/")).add(cookie(SESSION_COOKIE, token));
            Ok((jar, Redirect::to("/dashboard")).into_response())
        }
        None => {
            // Who tried is not logged: a login name is personal data too.
            tracing::info!("dashboard sign-in refused");
            let message = "Sai tên đăng nhập hoặc mật khẩu / wrong login or password";
            let body = sign_in_form(lang, presign, Some(message))?;
            Ok((StatusCode::UNAUTHORIZED, Html(body)).into_response())
        }
    }
}

/// A form that carries nothing but its CSRF token.
#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

impl CsrfOnly {
    pub fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn sign_out(
    State(state): State<DashState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    viewer: Viewer,
    jar: CookieJar,
    WithRejection(Form(form), _): WithRejection<Form<CsrfOnly>, PageError>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        let login = viewer.user.login.clone();
        let origin = crate::api::client_ip(state.trust_forwarded_for, &headers, peer).to_string();
        state
            .with_db(move |db| {
                auth::end_session(db, &token)?;
                Ok(db.record_audit(&Entry::new(now_ms(), &login, Action::SignedOut, &login, &origin))?)
            })
            .await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/dashboard/sign-in")).into_response())
}
