//! Administration on the web (issue 14), for administrators, within their own unit's reach:
//! users (create, change role or unit, disable and enable, set a password), devices (list,
//! revoke with a reason), enrollment codes (issue with an expiry and print its card, list the
//! outstanding ones, cancel). Every form carries the session's CSRF token; every action goes to
//! the audit log with the administrator's login and address. The checks are `crate::accounts`'s,
//! the same as the command line's.

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, Redirect};
use axum_extra::extract::WithRejection;
use serde::Deserialize;
use sotay_core::Lang;
use sotay_core::store::Role;

use super::data::{self, DataError};
use super::records::unit_name;
use super::store::DashboardStore;
use super::templates::{AdminCodesPage, AdminDevicesPage, AdminUsersPage, CodeCard, CodeRow, DeviceRow, UserRow};
use super::{DashState, PageError, Viewer, auth};
use crate::accounts::{AccountError, CodesToCancel, UserChange};
use crate::audit::{Action, Entry};
use crate::now_ms;

/// How long an issued code lasts, in hours, when the form does not say; and at most.
const CODE_HOURS: i64 = 72;
const CODE_HOURS_MAX: i64 = 24 * 30;

fn administrator(viewer: &Viewer) -> Result<(), PageError> {
    if viewer.user.role == Role::Administrator { Ok(()) } else { Err(PageError::Forbidden) }
}

/// A refusal of the accounts' checks (a bad login, a unit not in force…) is the person's to
/// fix, shown as such; anything else is the server's.
fn refused(e: DataError) -> PageError {
    match e {
        DataError::Accounts(
            e @ (AccountError::BadLogin
            | AccountError::BadName
            | AccountError::BadRole
            | AccountError::UnknownUnit
            | AccountError::UnitNotInForce
            | AccountError::UserExists
            | AccountError::NoSuchUser
            | AccountError::NoSuchDevice
            | AccountError::NoSuchCode),
        ) => PageError::Refused(e.to_string()),
        e => e.into(),
    }
}

fn refused_auth(e: auth::AuthError) -> PageError {
    match e {
        auth::AuthError::WeakPassword | auth::AuthError::NoSuchUser => PageError::Refused(e.to_string()),
        e => e.into(),
    }
}

/// An administrator acting: who, within which unit, from where (for the audit log).
struct Admin {
    login: String,
    unit: String,
    origin: String,
}

impl Admin {
    fn entry(&self, action: Action, target: &str) -> Entry {
        Entry::new(now_ms(), &self.login, action, target, &self.origin)
    }

    /// The user `login`, if within this administrator's unit; "not found" for "no such user" and
    /// "not yours" alike.
    fn user(&self, db: &dyn DashboardStore, login: &str) -> Result<crate::accounts::User, PageError> {
        let user = db.users()?.into_iter().find(|u| u.login == login).ok_or(PageError::NotFound)?;
        if data::unit_under(db, &self.unit, &user.unit)? { Ok(user) } else { Err(PageError::NotFound) }
    }

    /// Refuses a unit outside this administrator's.
    fn check_unit(&self, db: &dyn DashboardStore, unit: &str) -> Result<(), PageError> {
        if data::unit_under(db, &self.unit, unit)? {
            return Ok(());
        }
        Err(PageError::Refused(
            "đơn vị nằm ngoài phạm vi quản trị của bạn / the unit is outside what you administer".into(),
        ))
    }
}

/// Runs an administrator's form: only for administrators, only with the session's CSRF token,
/// with the database.
async fn act<T: Send + 'static>(
    state: &DashState,
    viewer: &Viewer,
    (headers, peer): (&HeaderMap, SocketAddr),
    csrf: &str,
    work: impl FnOnce(&dyn DashboardStore, &Admin) -> Result<T, PageError> + Send + 'static,
) -> Result<T, PageError> {
    administrator(viewer)?;
    viewer.check_csrf(csrf)?;
    let admin = Admin {
        login: viewer.user.login.clone(),
        unit: viewer.user.unit.clone(),
        origin: crate::api::client_ip(state.trust_forwarded_for, headers, peer).to_string(),
    };
    state.with_db(move |db| work(db, &admin)).await
}

/// The users within an administrator's unit.
fn users_within(db: &dyn DashboardStore, unit: &str) -> Result<Vec<crate::accounts::User>, PageError> {
    let mut within = Vec::new();
    for u in db.users()? {
        if data::unit_under(db, unit, &u.unit)? {
            within.push(u);
        }
    }
    Ok(within)
}

fn t(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Vi { vi } else { en }
}

pub async fn users(State(state): State<DashState>, viewer: Viewer) -> Result<Html<String>, PageError> {
    administrator(&viewer)?;
    let unit = viewer.user.unit.clone();
    let (users, names) = state.with_db(move |db| Ok((users_within(db, &unit)?, data::unit_names(db)?))).await?;
    let lang = viewer.lang;
    let rows = users
        .into_iter()
        .map(|u| UserRow {
            unit_name: unit_name(&u.unit, &names),
            role: role_label(u.role, lang).to_string(),
            role_code: u.role.code().to_string(),
            login: u.login,
            name: u.display_name,
            unit: u.unit,
            disabled: u.disabled,
        })
        .collect();
    let page = AdminUsersPage {
        chrome: viewer.chrome(t(lang, "Người dùng", "Users").to_string()),
        here: "/dashboard/admin/users".into(),
        rows,
        roles: Role::ALL.iter().map(|r| (r.code().to_string(), role_label(*r, lang).to_string())).collect(),
    };
    Ok(Html(askama::Template::render(&page)?))
}

fn role_label(role: Role, lang: Lang) -> &'static str {
    role.label().get(lang)
}

#[derive(Deserialize)]
pub struct NewUser {
    csrf: String,
    login: String,
    name: String,
    role: String,
    unit: String,
}

pub async fn add_user(
    State(state): State<DashState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    viewer: Viewer,
    WithRejection(Form(form), _): WithRejection<Form<NewUser>, PageError>,
) -> Result<Redirect, PageError> {
    let csrf = form.csrf.clone();
    act(&state, &viewer, (&headers, peer), &csrf, move |db, admin| {
        let unit = form.unit.trim();
        admin.check_unit(db, unit)?;
        let user = db.add_user(form.login.trim(), form.name.trim(), &form.role, unit, now_ms()).map_err(refused)?;
        Ok(db.record_audit(&admin.entry(Action::UserAdded, &user.login))?)
    })
    .await?;
    Ok(Redirect::to("/dashboard/admin/users"))
}

#[derive(Deserialize)]
pub struct UserEdit {
    csrf: String,
    name: Option<String>,
    role: Option<String>,
    unit: Option<String>,
}

pub async fn edit_user(
    State(state): State<DashState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(login): Path<String>,
    WithRejection(Form(form), _): WithRejection<Form<UserEdit>, PageError>,
) -> Result<Redirect, PageError> {
    let csrf = form.csrf.clone();
    act(&state, &viewer, (&headers, peer), &csrf, move |db, admin| {
        admin.user(db, &login)?;
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let (name, role, unit) = (given(&form.name), given(&form.role), given(&form.unit));
        if let Some(unit) = &unit {
            admin.check_unit(db, unit)?;
        }
        let change = UserChange { name: name.as_deref(), role: role.as_deref(), unit: unit.as_deref() };
        db.edit_user(&login, &change).map_err(refused)?;
        Ok(db.record_audit(&admin.entry(Action::UserEdited, &login))?)
    })
    .await?;
    Ok(Redirect::to("/dashboard/admin/users"))
}

#[derive(Deserialize)]
pub struct Switch {
    csrf: String,
    /// `disable` or `enable`.
    to: String,
}

pub async fn switch_user(
    State(state): State<DashState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(login): Path<String>,
    WithRejection(Form(form), _): WithRejection<Form<Switch>, PageError>,
) -> Result<Redirect, PageError> {
    administrator(&viewer)?;
    let (disabled, action) = match form.to.as_str() {
        "disable" => (true, Action::UserDisabled),
        "enable" => (false, Action::UserEnabled),
        _ => return Err(PageError::BadRequest { vi: "thao tác không hợp lệ", en: "unknown action" }),
    };
    if disabled && login == viewer.user.login {
        return Err(PageError::Refused("không thể tự khóa mình / you cannot disable yourself".into()));
    }
    act(&state, &viewer, (&headers, peer), &form.csrf, move |db, admin| {
        admin.user(db, &login)?;
        db.set_disabled(&login, disabled).map_err(refused)?;
        Ok(db.record_audit(&admin.entry(action, &login))?)
    })
    .await?;
    Ok(Redirect::to("/dashboard/admin/users"))
}

#[derive(Deserialize)]
pub struct NewPassword {
    csrf: String,
    password: String,
}

pub async fn set_password(
    State(state): State<DashState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(login): Path<String>,
    WithRejection(Form(form), _): WithRejection<Form<NewPassword>, PageError>,
) -> Result<Redirect, PageError> {
    let csrf = form.csrf.clone();
    // Hashing takes a moment and 19 MiB: on a blocking thread, as everything of the database.
    act(&state, &viewer, (&headers, peer), &csrf, move |db, admin| {
        admin.user(db, &login)?;
        auth::set_password(db, &login, &form.password).map_err(refused_auth)?;
        Ok(db.record_audit(&admin.entry(Action::PasswordSet, &login))?)
    })
    .await?;
    Ok(Redirect::to("/dashboard/admin/users"))
}

pub async fn devices(State(state): State<DashState>, viewer: Viewer) -> Result<Html<String>, PageError> {
    administrator(&viewer)?;
    let unit = viewer.user.unit.clone();
    let rows = state
        .with_db(move |db| {
            let users = db.users()?;
            let mut rows = Vec::new();
            for d in db.devices()? {
                let Some(user) = users.iter().find(|u| u.login == d.login) else { continue };
                if !data::unit_under(db, &unit, &user.unit)? {
                    continue;
                }
                rows.push(DeviceRow {
                    device_id: d.device_id,
                    login: d.login,
                    user_name: user.display_name.clone(),
                    name: d.name,
                    platform: [d.platform, d.app_version].into_iter().flatten().collect::<Vec<_>>().join(" "),
                    enrolled: sotay_core::time::format_vietnam(d.enrolled_at),
                    last_seen: d.last_seen_at.map(sotay_core::time::format_vietnam).unwrap_or_default(),
                    revoked: d.revoked_at.map(sotay_core::time::format_vietnam),
                });
            }
            Ok(rows)
        })
        .await?;
    let page = AdminDevicesPage {
        chrome: viewer.chrome(t(viewer.lang, "Thiết bị", "Devices").to_string()),
        here: "/dashboard/admin/devices".into(),
        rows,
    };
    Ok(Html(askama::Template::render(&page)?))
}

#[derive(Deserialize)]
pub struct Revoke {
    csrf: String,
    reason: String,
}

pub async fn revoke_device(
    State(state): State<DashState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(device_id): Path<String>,
    WithRejection(Form(form), _): WithRejection<Form<Revoke>, PageError>,
) -> Result<Redirect, PageError> {
    administrator(&viewer)?;
    let reason = form.reason.trim().to_string();
    if reason.is_empty() {
        return Err(PageError::BadRequest { vi: "cần ghi lý do thu hồi", en: "give the reason for revoking" });
    }
    act(&state, &viewer, (&headers, peer), &form.csrf, move |db, admin| {
        let device = db.devices()?.into_iter().find(|d| d.device_id == device_id).ok_or(PageError::NotFound)?;
        admin.user(db, &device.login)?;
        db.revoke_device(&device_id, now_ms()).map_err(refused)?;
        // The reason is the administrator's words about a device, kept with the action.
        Ok(db.record_audit(&admin.entry(Action::DeviceRevoked, &format!("{device_id} — {reason}")))?)
    })
    .await?;
    Ok(Redirect::to("/dashboard/admin/devices"))
}

pub async fn codes(State(state): State<DashState>, viewer: Viewer) -> Result<Html<String>, PageError> {
    administrator(&viewer)?;
    let unit = viewer.user.unit.clone();
    let (rows, logins) = state
        .with_db(move |db| {
            let within = users_within(db, &unit)?;
            let rows: Vec<CodeRow> = db
                .outstanding_codes(now_ms())?
                .into_iter()
                .filter_map(|c| {
                    let user = within.iter().find(|u| u.login == c.login)?;
                    Some(CodeRow {
                        id: c.id,
                        login: c.login,
                        user_name: user.display_name.clone(),
                        issued: sotay_core::time::format_vietnam(c.created_at),
                        expires: sotay_core::time::format_vietnam(c.expires_at),
                    })
                })
                .collect();
            let logins = within.into_iter().filter(|u| !u.disabled).map(|u| (u.login, u.display_name)).collect();
            Ok((rows, logins))
        })
        .await?;
    let page = AdminCodesPage {
        chrome: viewer.chrome(t(viewer.lang, "Mã đăng ký", "Enrollment codes").to_string()),
        here: "/dashboard/admin/codes".into(),
        rows,
        logins,
        public_url: state.public_url.clone().unwrap_or_default(),
        hours: CODE_HOURS,
    };
    Ok(Html(askama::Template::render(&page)?))
}

#[derive(Deserialize)]
pub struct NewCode {
    csrf: String,
    login: String,
    hours: Option<i64>,
}

/// Issues a code and shows its card, to print there and then: the code itself is not kept (only
/// its hash), so this page is the one time it can be read.
pub async fn issue_code(
    State(state): State<DashState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    viewer: Viewer,
    WithRejection(Form(form), _): WithRejection<Form<NewCode>, PageError>,
) -> Result<Html<String>, PageError> {
    administrator(&viewer)?;
    let Some(server) = state.public_url.clone() else {
        return Err(PageError::Refused(
            "chưa đặt địa chỉ công khai của máy chủ (SOTAY_PUBLIC_URL) / the server's public address is not set (SOTAY_PUBLIC_URL)"
                .into(),
        ));
    };
    let hours = form.hours.unwrap_or(CODE_HOURS).clamp(1, CODE_HOURS_MAX);
    let login = form.login.trim().to_string();
    let now = now_ms();
    let (code, user, unit) = act(&state, &viewer, (&headers, peer), &form.csrf, move |db, admin| {
        let user = admin.user(db, &login)?;
        let code = db.create_code(&login, hours * 3_600_000, now).map_err(refused)?;
        db.record_audit(&admin.entry(Action::CodeCreated, &login))?;
        let unit = unit_name(&user.unit, &data::unit_names(db)?);
        Ok((code, user, unit))
    })
    .await?;
    let payload = crate::qr::payload(&code, Some(&server));
    let qr = crate::qr::svg(&payload).map_err(|e| PageError::Internal(e.to_string()))?;
    let page = CodeCard {
        chrome: viewer.chrome(t(viewer.lang, "Thẻ đăng ký thiết bị", "Device enrollment card").to_string()),
        // The card cannot be shown again: the language links lead back to the codes.
        here: "/dashboard/admin/codes".into(),
        code,
        qr,
        user_name: user.display_name,
        login: user.login,
        unit,
        server,
        expires: sotay_core::time::format_vietnam(now + hours * 3_600_000),
    };
    Ok(Html(askama::Template::render(&page)?))
}

pub async fn cancel_code(
    State(state): State<DashState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(id): Path<String>,
    WithRejection(Form(form), _): WithRejection<Form<super::session::CsrfOnly>, PageError>,
) -> Result<Redirect, PageError> {
    act(&state, &viewer, (&headers, peer), form.csrf(), move |db, admin| {
        let code = db.outstanding_codes(now_ms())?.into_iter().find(|c| c.id == id).ok_or(PageError::NotFound)?;
        admin.user(db, &code.login)?;
        db.cancel_codes(CodesToCancel::Id(&id), now_ms()).map_err(refused)?;
        Ok(db.record_audit(&admin.entry(Action::CodeCancelled, &id))?)
    })
    .await?;
    Ok(Redirect::to("/dashboard/admin/codes"))
}
