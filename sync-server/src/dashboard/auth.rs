//! Signing in to the dashboard: passwords hashed with Argon2id (memory-hard), sessions as
//! random cookies of which only a SHA-256 is stored, and a CSRF token per session that every
//! form carries back. Before sign-in, the sign-in form itself is protected by a double-submit
//! token (a cookie and a hidden field that must match).

use super::data::DataError;
use super::store::{DashboardStore, NewSession};
use crate::accounts::{self, User};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// How long a session lasts: a working day and then some.
pub const SESSION_MS: i64 = 12 * 60 * 60 * 1000;
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự / a password needs at least {MIN_PASSWORD_CHARS} characters"
    )]
    WeakPassword,
    #[error("không có người dùng này / no such user")]
    NoSuchUser,
    #[error("không tạo được mã băm mật khẩu / cannot hash the password")]
    Hash,
    #[error("hệ điều hành không cấp được số ngẫu nhiên / no random bytes from the operating system")]
    Random,
    #[error(transparent)]
    Data(#[from] DataError),
}

/// 256 random bits, hex.
pub fn random_token() -> Result<String, AuthError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|_| AuthError::Random)?;
    Ok(hex::encode(b))
}

/// Sets (or replaces) a user's dashboard password and ends their sessions.
pub fn set_password(db: &dyn DashboardStore, login: &str, password: &str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword);
    }
    let hash = Argon2::default().hash_password(password.as_bytes()).map_err(|_| AuthError::Hash)?.to_string();
    if !db.set_password_hash(login, &hash)? {
        return Err(AuthError::NoSuchUser);
    }
    Ok(())
}

/// What checking a password needs from the database, read under the connection's lock; the
/// slow part, [`PasswordCheck::matches`], runs after the lock is released.
pub struct PasswordCheck {
    stored: Option<String>,
    usable: bool,
    exists: bool,
}

/// Reads a login's password hash; `usable` is false for unknown, disabled or password-less users.
pub fn password_check(db: &dyn DashboardStore, login: &str) -> Result<PasswordCheck, AuthError> {
    let row = db.password_of(login)?;
    let usable = matches!(&row, Some((Some(_), false)));
    let exists = row.is_some();
    Ok(PasswordCheck { stored: row.and_then(|(h, _)| h), usable, exists })
}

impl PasswordCheck {
    /// Whether the login names a user: a refused sign-in is logged against them, and what was
    /// typed as a login that names no one (a password typed in the wrong box, say) is not kept.
    pub fn names_a_user(&self) -> bool {
        self.exists
    }

    /// Whether `password` is right. Takes the same time (one Argon2 run) whether or not the
    /// login exists, so logins cannot be probed.
    pub fn matches(&self, password: &str) -> bool {
        // A hash of a random password, verified against when there is no user, for timing.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = DUMMY.get_or_init(|| {
            let secret = random_token().unwrap_or_default();
            Argon2::default().hash_password(secret.as_bytes()).map(|h| h.to_string()).unwrap_or_default()
        });
        let hash_text = self.stored.as_deref().unwrap_or(dummy);
        let right = PasswordHash::new(hash_text)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        right && self.usable
    }
}

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

/// Starts a session; returns the cookie's token.
pub fn start_session(db: &dyn DashboardStore, login: &str, now: i64) -> Result<String, AuthError> {
    let token = random_token()?;
    let csrf = random_token()?;
    let token_hash = accounts::hash_secret(&token);
    let new = NewSession { token_hash: &token_hash, login, csrf: &csrf, created_at: now, expires_at: now + SESSION_MS };
    db.start_session(&new, now)?;
    Ok(token)
}

/// The session of a cookie's token, if it is live and its user still enabled.
pub fn session(db: &dyn DashboardStore, token: &str, now: i64) -> Result<Option<Session>, AuthError> {
    // The session and its user in one read, on every dashboard request.
    let session = db.session(&accounts::hash_secret(token), now)?;
    // An unknown stored role reads as disabled.
    Ok(session.filter(|s| !s.user.disabled))
}

pub fn end_session(db: &dyn DashboardStore, token: &str) -> Result<(), AuthError> {
    Ok(db.end_session(&accounts::hash_secret(token))?)
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
