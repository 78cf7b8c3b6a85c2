//! Users, devices and enrollment codes. A device token is 256 random bits, given to the device
//! once and stored here only as its SHA-256; an enrollment code is single-use and expires.

use base64::Engine;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sotay_core::store::Role;
use sotay_core::units::catalogue;

use crate::holdings::Holdings;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("tên đăng nhập không hợp lệ (2–64 ký tự a-z, 0-9, . _ -) / invalid login (2–64 of a-z, 0-9, . _ -)")]
    BadLogin,
    #[error("vai trò không hợp lệ / unknown role")]
    BadRole,
    #[error("họ tên phải có từ 1 đến 200 ký tự / a name needs 1 to 200 characters")]
    BadName,
    #[error("mã đơn vị không có trong danh mục hoặc danh sách thôn / unit code not in the catalogue or the villages")]
    UnknownUnit,
    #[error(
        "đơn vị của người dùng không còn từ 01/07/2025 (bỏ cấp huyện, sáp nhập xã); quản trị viên cần giao đơn vị mới \
         / the user's unit ceased to exist on 2025-07-01 (districts abolished, communes merged); an administrator must \
         give them a unit in force"
    )]
    UnitNotInForce,
    #[error("người dùng đã tồn tại / the user already exists")]
    UserExists,
    #[error("không có người dùng này / no such user")]
    NoSuchUser,
    #[error("không có thiết bị này / no such device")]
    NoSuchDevice,
    #[error("mã đăng ký không đúng, đã dùng hoặc đã hết hạn / the enrollment code is wrong, used or expired")]
    BadCode,
    #[error("không có mã đăng ký nào còn hiệu lực khớp / no outstanding enrollment code matches")]
    NoSuchCode,
    #[error("hệ điều hành không cấp được số ngẫu nhiên / no randomness from the operating system")]
    Random,
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Storage(String),
}

impl From<crate::ingest::IngestError> for AccountError {
    fn from(e: crate::ingest::IngestError) -> Self {
        AccountError::Storage(e.to_string())
    }
}

impl From<postgres::Error> for AccountError {
    fn from(e: postgres::Error) -> Self {
        AccountError::Storage(e.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub unit: String,
    pub disabled: bool,
}

impl User {
    /// Fails for a user whose unit ceased to exist (see `db::upkeep`): such a user reaches nothing.
    pub fn unit_in_force(&self) -> Result<(), AccountError> {
        if self.unit.starts_with(crate::db::upkeep::FORMER_UNIT) {
            return Err(AccountError::UnitNotInForce);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    pub device_id: String,
    pub login: String,
    pub name: String,
    pub enrolled_at: i64,
    pub revoked_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    /// What it said of itself when it enrolled (`android`, `ios`, `linux`…), if it did.
    pub platform: Option<String>,
    pub app_version: Option<String>,
}

/// A device's own word about its system or app version, kept only if it reads as one: short,
/// of letters, digits and `. _ - + ( )` and spaces.
pub fn device_word(s: &str) -> Option<String> {
    let s = s.trim();
    let fine = !s.is_empty()
        && s.chars().count() <= 40
        && s.chars().all(|c| c.is_ascii_alphanumeric() || " ._-+()".contains(c));
    fine.then(|| s.to_string())
}

/// Keeps what a device said of itself when it enrolled.
pub fn describe_device(
    conn: &Connection,
    device_id: &str,
    platform: &str,
    app_version: &str,
) -> Result<(), AccountError> {
    conn.execute(
        "UPDATE devices SET platform = ?2, app_version = ?3 WHERE device_id = ?1",
        params![device_id, device_word(platform), device_word(app_version)],
    )?;
    Ok(())
}

/// An authenticated device and its user's reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    pub device_id: String,
    pub user: User,
    pub confirmed_cursor: u64,
    pub issued_cursor: u64,
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], AccountError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| AccountError::Random)?;
    Ok(b)
}

pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Whether two secrets are equal, compared in constant time (through their hashes).
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (hash_secret(a), hash_secret(b));
    a.iter().zip(&b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The server's secret for enrollment codes: codes are stored as HMAC-SHA-256 under it, so that
/// a copy of the database alone does not let anyone try the 2^50 codes offline. Kept in the data
/// directory beside the database, readable by the server's user only, made on first use.
#[derive(Clone)]
pub struct CodeKey([u8; 32]);

pub const CODE_KEY_FILE: &str = "code-secret";

impl CodeKey {
    pub fn load_or_create(data_dir: &std::path::Path) -> std::io::Result<CodeKey> {
        let path = data_dir.join(CODE_KEY_FILE);
        match std::fs::read(&path) {
            Ok(bytes) if bytes.len() == 32 => {
                let mut k = [0u8; 32];
                k.copy_from_slice(&bytes);
                return Ok(CodeKey(k));
            }
            Ok(_) => return Err(std::io::Error::other(format!("{}: not 32 bytes", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let k = random_bytes::<32>().map_err(|e| std::io::Error::other(e.to_string()))?;
        std::io::Write::write_all(&mut crate::private::file(&path, true)?, &k)?;
        Ok(CodeKey(k))
    }

    #[cfg(test)]
    pub fn fixed() -> CodeKey {
        CodeKey([7; 32])
    }

    /// A key kept elsewhere than in a file (PostgreSQL keeps it in the database, for every
    /// instance to share).
    pub fn from_bytes(bytes: [u8; 32]) -> CodeKey {
        CodeKey(bytes)
    }

    pub(crate) fn hash(&self, code: &str) -> Vec<u8> {
        use hmac::{KeyInit, Mac};
        let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(normalise_code(code).as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// Letters that cannot be misread on paper or a phone screen (Crockford's base 32).
const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A code as printed: `XXXXX-XXXXX`, 50 random bits.
pub(crate) fn new_code() -> Result<String, AccountError> {
    let bytes = random_bytes::<10>()?;
    let chars: String = bytes.iter().map(|b| CODE_ALPHABET[(*b as usize) % 32] as char).collect();
    Ok(format!("{}-{}", &chars[..5], &chars[5..]))
}

/// The canonical form of a typed code: upper case, no separators, misreadings fixed.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn valid_login(login: &str) -> bool {
    (2..=64).contains(&login.len())
        && login.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// A unit in force, or a village the server holds.
fn unit_known(store: &dyn Holdings, unit: &str) -> Result<bool, AccountError> {
    Ok(catalogue().get(unit).is_some() || store.village_commune(unit)?.is_some())
}

/// A new user as given, checked: a valid login, a known role and unit; the name NFC-normalised.
pub(crate) fn new_user(
    store: &dyn Holdings,
    login: &str,
    name: &str,
    role: &str,
    unit: &str,
) -> Result<User, AccountError> {
    if !valid_login(login) {
        return Err(AccountError::BadLogin);
    }
    let role = Role::from_code(role).ok_or(AccountError::BadRole)?;
    if !unit_known(store, unit)? {
        return Err(AccountError::UnknownUnit);
    }
    let display_name = checked_name(name)?;
    Ok(User { login: login.into(), display_name, role, unit: unit.into(), disabled: false })
}

/// A person's name as given: trimmed, NFC-normalised, not empty, not absurdly long.
fn checked_name(name: &str) -> Result<String, AccountError> {
    let name = sotay_core::text::nfc(name.trim());
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AccountError::BadName);
    }
    Ok(name)
}

/// What an edit of a user changes; what is `None` stays.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserChange<'a> {
    pub name: Option<&'a str>,
    pub role: Option<&'a str>,
    pub unit: Option<&'a str>,
}

pub fn add_user(
    conn: &Connection,
    login: &str,
    name: &str,
    role: &str,
    unit: &str,
    now: i64,
) -> Result<User, AccountError> {
    let user = new_user(conn, login, name, role, unit)?;
    let inserted = conn.execute(
        "INSERT INTO users (login, display_name, role, unit, created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![user.login, user.display_name, user.role.code(), user.unit, now],
    )?;
    if inserted == 0 {
        return Err(AccountError::UserExists);
    }
    Ok(user)
}

/// The checks of an edit on either backend, as [`new_user`]'s are of a new user: the role, if
/// given, one that exists; the unit, if given, known.
/// An edit checked as a new user is: its role, and its name as stored.
pub(crate) fn checked_edit(
    store: &dyn Holdings,
    change: &UserChange<'_>,
) -> Result<(Option<Role>, Option<String>), AccountError> {
    let role = change.role.map(|r| Role::from_code(r).ok_or(AccountError::BadRole)).transpose()?;
    if let Some(u) = change.unit
        && !unit_known(store, u)?
    {
        return Err(AccountError::UnknownUnit);
    }
    let name = change.name.map(checked_name).transpose()?;
    Ok((role, name))
}

/// A confirmed cursor no device reaches: a device marked with it is told at its next sync to
/// reconcile document by document (its cursor is behind what it confirmed), and the first round
/// of that repair sets its cursor back to the feed's end.
pub const MUST_RECONCILE: i64 = i64::MAX;

/// Changes a user's name, role or unit (the unit one in force, or a village). What the user's devices
/// may hold changes with them, and the feed behind their cursors holds records of the new scope
/// that they were never sent: each device is marked to reconcile at its next sync.
pub fn edit_user(conn: &Connection, login: &str, change: &UserChange<'_>) -> Result<User, AccountError> {
    let (role, name) = checked_edit(conn, change)?;
    let tx = conn.unchecked_transaction()?;
    let changed = tx.execute(
        "UPDATE users SET role = coalesce(?2, role), unit = coalesce(?3, unit), display_name = coalesce(?4, display_name)
         WHERE login = ?1",
        params![login, role.map(Role::code), change.unit, name],
    )?;
    if changed == 0 {
        return Err(AccountError::NoSuchUser);
    }
    tx.execute(
        "UPDATE devices SET confirmed_cursor = ?2 WHERE login = ?1 AND revoked_at IS NULL",
        params![login, MUST_RECONCILE],
    )?;
    let user = user_named(&tx, login)?;
    tx.commit()?;
    Ok(user)
}

/// Disables a user (`disabled`) or enables them again. A disabled user's devices are refused
/// and their dashboard sessions end; enabling gives back the devices not revoked.
pub fn set_disabled(conn: &Connection, login: &str, disabled: bool) -> Result<User, AccountError> {
    let tx = conn.unchecked_transaction()?;
    let changed = tx.execute("UPDATE users SET disabled = ?2 WHERE login = ?1", params![login, disabled])?;
    if changed == 0 {
        return Err(AccountError::NoSuchUser);
    }
    tx.execute("DELETE FROM sessions WHERE login = ?1", [login])?;
    let user = user_named(&tx, login)?;
    tx.commit()?;
    Ok(user)
}

/// An enrollment code not yet used, expired or cancelled. The code itself is not stored: its id
/// is the start of its hash, enough to cancel it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutstandingCode {
    pub id: String,
    pub login: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Bytes of a code's hash that make its id (12 hex digits).
pub const CODE_ID_BYTES: usize = 6;

pub fn outstanding_codes(conn: &Connection, now: i64) -> Result<Vec<OutstandingCode>, AccountError> {
    let mut stmt = conn.prepare(
        "SELECT code_hash, login, created_at, expires_at FROM enrollment_codes
         WHERE used_at IS NULL AND expires_at > ?1 ORDER BY created_at",
    )?;
    let rows = stmt.query_map([now], |r| {
        let hash: Vec<u8> = r.get(0)?;
        Ok(OutstandingCode {
            id: hex::encode(&hash[..CODE_ID_BYTES.min(hash.len())]),
            login: r.get(1)?,
            created_at: r.get(2)?,
            expires_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Which outstanding codes to cancel: one by its id, or all of a user's.
pub enum CodesToCancel<'a> {
    Id(&'a str),
    OfUser(&'a str),
}

/// Cancels outstanding codes: their expiry brought to `now`, so that enrolling refuses them as it
/// refuses an expired one. Returns the ids cancelled; none matching is [`AccountError::NoSuchCode`].
pub fn cancel_codes(conn: &Connection, which: CodesToCancel<'_>, now: i64) -> Result<Vec<String>, AccountError> {
    let ids: Vec<String> = outstanding_codes(conn, now)?
        .into_iter()
        .filter(|c| match which {
            CodesToCancel::Id(id) => c.id == id.trim().to_lowercase(),
            CodesToCancel::OfUser(login) => c.login == login,
        })
        .map(|c| c.id)
        .collect();
    if ids.is_empty() {
        return Err(AccountError::NoSuchCode);
    }
    let tx = conn.unchecked_transaction()?;
    for id in &ids {
        tx.execute(
            "UPDATE enrollment_codes SET cancelled_at = ?2, expires_at = ?2
             WHERE used_at IS NULL AND expires_at > ?2 AND lower(hex(substr(code_hash, 1, ?3))) = ?1",
            params![id, now, CODE_ID_BYTES as i64],
        )?;
    }
    tx.commit()?;
    Ok(ids)
}

fn user_named(conn: &Connection, login: &str) -> rusqlite::Result<User> {
    conn.query_row("SELECT login, display_name, role, unit, disabled FROM users WHERE login = ?1", [login], |r| {
        user_from_row(r, 0)
    })
}

/// A user as read back from the database. A role is only ever written from a [`Role`]; one this
/// version does not know (written by a newer server, or by hand) fails closed: the user is read
/// as disabled, with the narrowest role, rather than given any access.
pub(crate) fn stored_user(login: String, display_name: String, role: &str, unit: String, disabled: bool) -> User {
    match Role::from_code(role) {
        Some(role) => User { login, display_name, role, unit, disabled },
        None => {
            tracing::warn!(role, "vai trò không rõ: coi như bị khóa / unknown role: read as disabled");
            User { login, display_name, role: Role::Mediator, unit, disabled: true }
        }
    }
}

pub(crate) fn user_from_row(r: &rusqlite::Row<'_>, offset: usize) -> rusqlite::Result<User> {
    let role: String = r.get(offset + 2)?;
    Ok(stored_user(r.get(offset)?, r.get(offset + 1)?, &role, r.get(offset + 3)?, r.get(offset + 4)?))
}

pub fn users(conn: &Connection) -> Result<Vec<User>, AccountError> {
    let mut stmt = conn.prepare("SELECT login, display_name, role, unit, disabled FROM users ORDER BY login")?;
    let rows = stmt.query_map([], |r| user_from_row(r, 0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn devices(conn: &Connection) -> Result<Vec<Device>, AccountError> {
    let mut stmt = conn.prepare(
        "SELECT device_id, login, name, enrolled_at, revoked_at, last_seen_at, platform, app_version
         FROM devices ORDER BY enrolled_at",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Device {
                device_id: r.get(0)?,
                login: r.get(1)?,
                name: r.get(2)?,
                enrolled_at: r.get(3)?,
                revoked_at: r.get(4)?,
                last_seen_at: r.get(5)?,
                platform: r.get(6)?,
                app_version: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Revokes a device: its token is refused from the next request on; its records stay.
pub fn revoke_device(conn: &Connection, device_id: &str, now: i64) -> Result<(), AccountError> {
    let n = conn.execute(
        "UPDATE devices SET revoked_at = coalesce(revoked_at, ?2) WHERE device_id = ?1",
        params![device_id, now],
    )?;
    if n == 0 { Err(AccountError::NoSuchDevice) } else { Ok(()) }
}

/// Creates a one-time enrollment code for a user, valid for `ttl_ms`.
pub fn create_code(
    conn: &Connection,
    key: &CodeKey,
    login: &str,
    ttl_ms: i64,
    now: i64,
) -> Result<String, AccountError> {
    let exists =
        conn.query_row("SELECT 1 FROM users WHERE login = ?1 AND disabled = 0", [login], |_| Ok(())).optional()?;
    if exists.is_none() {
        return Err(AccountError::NoSuchUser);
    }
    let code = new_code()?;
    conn.execute(
        "INSERT INTO enrollment_codes (code_hash, login, created_at, expires_at, keyed) VALUES (?1, ?2, ?3, ?4, 1)",
        params![key.hash(&code), login, now, now + ttl_ms],
    )?;
    Ok(code)
}

/// What a device receives when it enrolls.
#[derive(Debug, Clone, Serialize)]
pub struct Enrolled {
    pub device_id: String,
    pub token: String,
    pub user: User,
}

/// Exchanges a code for a device token, once. Run it in a transaction (the server's worker does).
pub fn enroll(
    tx: &Connection,
    key: &CodeKey,
    code: &str,
    device_name: &str,
    former_id: Option<&str>,
    now: i64,
) -> Result<Enrolled, AccountError> {
    // Codes made before they were keyed are found by their plain hash until they expire.
    let (keyed, legacy) = (key.hash(code), hash_secret(&normalise_code(code)));
    let row: Option<(String, i64, Option<i64>, Vec<u8>)> = tx
        .query_row(
            "SELECT login, expires_at, used_at, code_hash FROM enrollment_codes
             WHERE (code_hash = ?1 AND keyed = 1) OR (code_hash = ?2 AND keyed = 0)",
            params![keyed, legacy],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let code_hash = row.as_ref().map(|r| r.3.clone()).unwrap_or_default();
    let row = row.map(|(login, expires, used, _)| (login, expires, used));
    let login = match row {
        Some((login, expires, None)) if expires > now => login,
        _ => return Err(AccountError::BadCode),
    };
    let user = tx
        .query_row("SELECT login, display_name, role, unit, disabled FROM users WHERE login = ?1", [&login], |r| {
            user_from_row(r, 0)
        })
        .optional()?
        .filter(|u| !u.disabled)
        .ok_or(AccountError::BadCode)?;
    user.unit_in_force()?;
    let NewDevice { device_id, token, name, former } = NewDevice::new(device_name, former_id)?;
    let taken = match former {
        Some(f) => tx
            .query_row("SELECT 1 FROM devices WHERE device_id = ?1 OR former_id = ?1", [f], |_| Ok(()))
            .optional()?
            .is_some(),
        None => false,
    };
    tx.execute(
        "INSERT INTO devices (device_id, login, name, token_hash, enrolled_at, former_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![device_id, login, name, hash_secret(&token), now, former.filter(|_| !taken)],
    )?;
    tx.execute(
        "UPDATE enrollment_codes SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1",
        params![code_hash, now, device_id],
    )?;
    Ok(Enrolled { device_id, token, user })
}

/// A device about to be enrolled: its id, token and name.
pub(crate) struct NewDevice<'a> {
    pub device_id: String,
    pub token: String,
    pub name: String,
    /// The id the store wrote under before it enrolled, which its changes carry, if it is a
    /// UUID; kept only if no device of this server already has it (a device cannot claim
    /// another's).
    pub former: Option<&'a str>,
}

impl<'a> NewDevice<'a> {
    pub(crate) fn new(device_name: &str, former_id: Option<&'a str>) -> Result<NewDevice<'a>, AccountError> {
        Ok(NewDevice {
            device_id: uuid::Uuid::now_v7().to_string(),
            token: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?),
            name: sotay_core::text::nfc(device_name.trim()).chars().take(80).collect(),
            former: former_id.filter(|f| uuid::Uuid::try_parse(f).is_ok()),
        })
    }
}

/// The name a user's dashboard device is listed under.
pub const DASHBOARD_DEVICE: &str = "Trang quản lý (web) / dashboard";

/// The device a user writes from on the dashboard (resolving a conflict): made on first use, its
/// token random and never given out. Its changes are checked and stored as any device's are.
pub fn dashboard_device(conn: &Connection, login: &str, now: i64) -> Result<DeviceAuth, AccountError> {
    let found = |conn: &Connection| device_where(conn, "d.login = ?1 AND d.dashboard = 1", login);
    if let Some(device) = found(conn)? {
        return Ok(device);
    }
    let NewDevice { device_id, token, name, .. } = NewDevice::new(DASHBOARD_DEVICE, None)?;
    conn.execute(
        "INSERT INTO devices (device_id, login, name, token_hash, enrolled_at, dashboard)
         SELECT ?1, login, ?3, ?4, ?5, 1 FROM users WHERE login = ?2 AND disabled = 0",
        params![device_id, login, name, hash_secret(&token), now],
    )?;
    found(conn)?.ok_or(AccountError::NoSuchUser)
}

/// The device a token belongs to, if it is valid and not revoked.
pub fn authenticate(conn: &Connection, token: &str) -> Result<Option<DeviceAuth>, AccountError> {
    device_where(conn, "d.token_hash = ?1", hash_secret(token))
}

/// The live device `condition` (on `devices d`, with one parameter) names, of an enabled user.
fn device_where(
    conn: &Connection,
    condition: &'static str,
    param: impl rusqlite::ToSql,
) -> Result<Option<DeviceAuth>, AccountError> {
    let sql = format!(
        "SELECT d.device_id, d.confirmed_cursor, d.issued_cursor, u.login, u.display_name, u.role, u.unit,
                u.disabled
         FROM devices d JOIN users u ON u.login = d.login
         WHERE {condition} AND d.revoked_at IS NULL AND u.disabled = 0"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([param], |r| {
            Ok(DeviceAuth {
                device_id: r.get(0)?,
                confirmed_cursor: r.get::<_, i64>(1)? as u64,
                issued_cursor: r.get::<_, i64>(2)? as u64,
                user: user_from_row(r, 3)?,
            })
        })
        .optional()?
        // An unknown stored role reads as disabled.
        .filter(|a| !a.user.disabled))
}

/// Notes that the device has durably applied the feed up to `confirmed`, and was handed `issued`.
/// Writes nothing when nothing changed (last seen is kept to the minute), so that a sync with
/// nothing new costs no disk write.
pub fn record_cursors(
    conn: &Connection,
    device_id: &str,
    confirmed: u64,
    issued: u64,
    now: i64,
) -> Result<(), AccountError> {
    conn.prepare_cached(
        "UPDATE devices SET last_seen_at = ?4, confirmed_cursor = max(confirmed_cursor, ?2), issued_cursor = ?3
         WHERE device_id = ?1
           AND (confirmed_cursor < ?2 OR issued_cursor != ?3 OR coalesce(last_seen_at, 0) < ?4 - 60000)",
    )?
    .execute(params![device_id, confirmed as i64, issued as i64, now])?;
    Ok(())
}

/// After a repair, the device starts again from `cursor`.
pub fn reset_cursor(conn: &Connection, device_id: &str, cursor: u64) -> Result<(), AccountError> {
    conn.execute(
        "UPDATE devices SET confirmed_cursor = ?2, issued_cursor = ?2 WHERE device_id = ?1",
        params![device_id, cursor as i64],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_devices_word_about_itself_is_kept_only_if_it_reads_as_one() {
        assert_eq!(device_word(" android "), Some("android".into()));
        assert_eq!(device_word("0.1.0 (build 7)"), Some("0.1.0 (build 7)".into()));
        assert_eq!(device_word("<script>"), None);
        assert_eq!(device_word(&"x".repeat(41)), None);
        assert_eq!(device_word(""), None);
    }

    use super::*;

    fn db() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Database::for_serving(&dir.path().join("data"), &Default::default()).unwrap();
        let conn = db.open().unwrap();
        (dir, conn)
    }

    #[test]
    fn a_code_enrolls_one_device_once_and_revocation_is_immediate() {
        let (_dir, conn) = db();
        add_user(&conn, "can.bo.a", "Nguyễn Văn A", "commune-official", "02266", 0).unwrap();
        assert!(matches!(add_user(&conn, "can.bo.a", "x", "mediator", "02266", 0), Err(AccountError::UserExists)));
        assert!(matches!(add_user(&conn, "Bad Login", "x", "mediator", "02266", 0), Err(AccountError::BadLogin)));
        assert!(matches!(add_user(&conn, "x1", "x", "king", "02266", 0), Err(AccountError::BadRole)));
        assert!(matches!(add_user(&conn, "x2", "x", "mediator", "99999", 0), Err(AccountError::UnknownUnit)));
        let code = create_code(&conn, &CodeKey::fixed(), "can.bo.a", 60_000, 1000).unwrap();
        assert_eq!(code.len(), 11);
        // Typed in lower case, with O for 0: still the code.
        let typed = code.to_lowercase().replace('0', "o");
        let enrolled = enroll(&conn, &CodeKey::fixed(), &typed, "Điện thoại A", None, 2000).unwrap();
        assert!(enrolled.token.len() >= 43, "256 bits");
        assert!(matches!(enroll(&conn, &CodeKey::fixed(), &code, "again", None, 3000), Err(AccountError::BadCode)));
        let auth = authenticate(&conn, &enrolled.token).unwrap().unwrap();
        assert_eq!(auth.user.login, "can.bo.a");
        assert!(authenticate(&conn, "forged").unwrap().is_none());
        revoke_device(&conn, &enrolled.device_id, 4000).unwrap();
        assert!(authenticate(&conn, &enrolled.token).unwrap().is_none());
        // The token itself is not in the database.
        let stored: Vec<u8> = conn.query_row("SELECT token_hash FROM devices", [], |r| r.get(0)).unwrap();
        assert_ne!(stored, enrolled.token.as_bytes());
    }

    #[test]
    fn codes_expire() {
        let (_dir, conn) = db();
        add_user(&conn, "can.bo.a", "A", "mediator", "02266", 0).unwrap();
        let code = create_code(&conn, &CodeKey::fixed(), "can.bo.a", 60_000, 0).unwrap();
        assert!(matches!(enroll(&conn, &CodeKey::fixed(), &code, "d", None, 60_001), Err(AccountError::BadCode)));
    }
}
