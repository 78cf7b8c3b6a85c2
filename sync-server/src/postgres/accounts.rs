//! Users, devices and enrollment codes on PostgreSQL: the checks are [`crate::accounts`]'s, the
//! SQL is this backend's. With several instances, a code is spent by one atomic update (two
//! instances given the same code at once enroll one device), and the secret codes are hashed
//! under lives in the database, for every instance to share.

use postgres::{Client, GenericClient};

use super::holdings::PgHoldings;
use crate::accounts::{
    self, AccountError, CodeKey, CodesToCancel, Device, DeviceAuth, Enrolled, NewDevice, OutstandingCode, User,
};
use sotay_core::store::Role;

const CODE_SECRET: &str = "enrollment-code-key";

/// The key enrollment codes are hashed under, made by the first instance that asks.
pub fn code_key(client: &mut Client) -> Result<CodeKey, AccountError> {
    let fresh = accounts::random_bytes::<32>()?;
    client.execute(
        "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &[&CODE_SECRET, &fresh.as_slice()],
    )?;
    let row = client.query_one("SELECT value FROM server_secrets WHERE name = $1", &[&CODE_SECRET])?;
    let bytes: &[u8] = row.get(0);
    let key: [u8; 32] =
        bytes.try_into().map_err(|_| AccountError::Storage("the stored code secret is not 32 bytes".into()))?;
    Ok(CodeKey::from_bytes(key))
}

pub fn add_user(
    client: &mut Client,
    login: &str,
    name: &str,
    role: &str,
    unit: &str,
    now: i64,
) -> Result<User, AccountError> {
    let user = accounts::new_user(&PgHoldings::new(client), login, name, role, unit)?;
    let inserted = client.execute(
        "INSERT INTO users (login, display_name, role, unit, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING",
        &[&user.login, &user.display_name, &user.role.code(), &user.unit, &now],
    )?;
    if inserted == 0 {
        return Err(AccountError::UserExists);
    }
    Ok(user)
}

/// A one-time enrollment code for a user, valid for `ttl_ms`.
pub fn create_code(
    client: &mut Client,
    key: &CodeKey,
    login: &str,
    ttl_ms: i64,
    now: i64,
) -> Result<String, AccountError> {
    if client.query_opt("SELECT 1 FROM users WHERE login = $1 AND NOT disabled", &[&login])?.is_none() {
        return Err(AccountError::NoSuchUser);
    }
    let code = accounts::new_code()?;
    client.execute(
        "INSERT INTO enrollment_codes (code_hash, login, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        &[&key.hash(&code), &login, &now, &(now + ttl_ms)],
    )?;
    Ok(code)
}

pub(super) fn user_of(r: &postgres::Row, at: usize) -> User {
    accounts::stored_user(r.get(at), r.get(at + 1), r.get(at + 2), r.get(at + 3), r.get(at + 4))
}

/// Disables or enables a user, as on SQLite ([`accounts::set_disabled`]).
pub fn set_disabled(client: &mut Client, login: &str, disabled: bool) -> Result<User, AccountError> {
    let mut tx = client.transaction()?;
    let row = tx.query_opt(
        "UPDATE users SET disabled = $2 WHERE login = $1 RETURNING login, display_name, role, unit, disabled",
        &[&login, &disabled],
    )?;
    let user = row.map(|r| user_of(&r, 0)).ok_or(AccountError::NoSuchUser)?;
    tx.execute("DELETE FROM sessions WHERE login = $1", &[&login])?;
    tx.commit()?;
    Ok(user)
}

pub fn outstanding_codes(client: &mut impl GenericClient, now: i64) -> Result<Vec<OutstandingCode>, AccountError> {
    let rows = client.query(
        "SELECT encode(substring(code_hash FROM 1 FOR $2), 'hex'), login, created_at, expires_at
         FROM enrollment_codes WHERE used_at IS NULL AND expires_at > $1 ORDER BY created_at",
        &[&now, &(accounts::CODE_ID_BYTES as i32)],
    )?;
    Ok(rows
        .iter()
        .map(|r| OutstandingCode { id: r.get(0), login: r.get(1), created_at: r.get(2), expires_at: r.get(3) })
        .collect())
}

/// Cancels outstanding codes, as on SQLite ([`accounts::cancel_codes`]).
pub fn cancel_codes(client: &mut Client, which: CodesToCancel<'_>, now: i64) -> Result<Vec<String>, AccountError> {
    let (id, login) = match which {
        CodesToCancel::Id(id) => (Some(id.trim().to_lowercase()), None),
        CodesToCancel::OfUser(login) => (None, Some(login)),
    };
    let rows = client.query(
        "UPDATE enrollment_codes SET cancelled_at = $1, expires_at = $1
         WHERE used_at IS NULL AND expires_at > $1
           AND ($2::TEXT IS NULL OR encode(substring(code_hash FROM 1 FOR $4), 'hex') = $2)
           AND ($3::TEXT IS NULL OR login = $3)
         RETURNING encode(substring(code_hash FROM 1 FOR $4), 'hex')",
        &[&now, &id, &login, &(accounts::CODE_ID_BYTES as i32)],
    )?;
    if rows.is_empty() {
        return Err(AccountError::NoSuchCode);
    }
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

pub fn users(client: &mut Client) -> Result<Vec<User>, AccountError> {
    let rows = client.query("SELECT login, display_name, role, unit, disabled FROM users ORDER BY login", &[])?;
    Ok(rows.iter().map(|r| user_of(r, 0)).collect())
}

/// Changes a user's role or unit (the unit one in force, or a village), as on SQLite.
pub fn edit_user(client: &mut Client, login: &str, change: &accounts::UserChange<'_>) -> Result<User, AccountError> {
    let (role, name) = accounts::checked_edit(&PgHoldings::new(client), change)?;
    // As on SQLite: the user's devices are marked to reconcile, in the same transaction.
    let mut tx = client.transaction()?;
    let row = tx.query_opt(
        "UPDATE users SET role = coalesce($2, role), unit = coalesce($3, unit), display_name = coalesce($4, display_name)
         WHERE login = $1
         RETURNING login, display_name, role, unit, disabled",
        &[&login, &role.map(Role::code), &change.unit, &name],
    )?;
    let user = row.map(|r| user_of(&r, 0)).ok_or(AccountError::NoSuchUser)?;
    tx.execute(
        "UPDATE devices SET confirmed_cursor = $2 WHERE login = $1 AND revoked_at IS NULL",
        &[&login, &accounts::MUST_RECONCILE],
    )?;
    tx.commit()?;
    Ok(user)
}

pub fn devices(client: &mut Client) -> Result<Vec<Device>, AccountError> {
    let rows = client.query(
        "SELECT device_id, login, name, enrolled_at, revoked_at, last_seen_at, platform, app_version
         FROM devices ORDER BY enrolled_at",
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| Device {
            device_id: r.get(0),
            login: r.get(1),
            name: r.get(2),
            enrolled_at: r.get(3),
            revoked_at: r.get(4),
            last_seen_at: r.get(5),
            platform: r.get(6),
            app_version: r.get(7),
        })
        .collect())
}

/// Keeps what a device said of itself when it enrolled, as on SQLite.
pub fn describe_device(
    client: &mut Client,
    device_id: &str,
    platform: &str,
    app_version: &str,
) -> Result<(), AccountError> {
    client.execute(
        "UPDATE devices SET platform = $2, app_version = $3 WHERE device_id = $1",
        &[&device_id, &accounts::device_word(platform), &accounts::device_word(app_version)],
    )?;
    Ok(())
}

/// Exchanges a code for a device token, once, in one transaction.
pub fn enroll(
    client: &mut Client,
    key: &CodeKey,
    code: &str,
    device_name: &str,
    former_id: Option<&str>,
    now: i64,
) -> Result<Enrolled, AccountError> {
    let NewDevice { device_id, token, name, former } = NewDevice::new(device_name, former_id)?;
    let mut tx = client.transaction()?;
    // Spent here, atomically: of two instances given the same code at once, one finds it used.
    let spent = tx.query_opt(
        "UPDATE enrollment_codes SET used_at = $2, device_id = $3
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING login",
        &[&key.hash(code), &now, &device_id],
    )?;
    let Some(spent) = spent else { return Err(AccountError::BadCode) };
    let login: String = spent.get(0);
    let user = tx
        .query_opt("SELECT login, display_name, role, unit, disabled FROM users WHERE login = $1", &[&login])?
        .map(|r| user_of(&r, 0))
        .filter(|u| !u.disabled)
        .ok_or(AccountError::BadCode)?;
    user.unit_in_force()?;
    let taken = match former {
        Some(f) => tx.query_opt("SELECT 1 FROM devices WHERE device_id = $1 OR former_id = $1", &[&f])?.is_some(),
        None => false,
    };
    tx.execute(
        "INSERT INTO devices (device_id, login, name, token_hash, enrolled_at, former_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&device_id, &login, &name, &accounts::hash_secret(&token), &now, &former.filter(|_| !taken)],
    )?;
    tx.commit()?;
    Ok(Enrolled { device_id, token, user })
}

/// The device a user writes from on the dashboard, as on SQLite ([`accounts::dashboard_device`]).
pub fn dashboard_device(client: &mut Client, login: &str, now: i64) -> Result<DeviceAuth, AccountError> {
    let select = "SELECT d.device_id, d.confirmed_cursor, d.issued_cursor, u.login, u.display_name, u.role, u.unit,
                         u.disabled
                  FROM devices d JOIN users u ON u.login = d.login
                  WHERE d.login = $1 AND d.dashboard AND d.revoked_at IS NULL AND NOT u.disabled
                  ORDER BY d.enrolled_at LIMIT 1";
    let read = |r: &postgres::Row| DeviceAuth {
        device_id: r.get(0),
        confirmed_cursor: r.get::<_, i64>(1) as u64,
        issued_cursor: r.get::<_, i64>(2) as u64,
        user: user_of(r, 3),
    };
    // An unknown stored role reads as disabled: no device for it.
    let usable = |d: DeviceAuth| if d.user.disabled { Err(AccountError::NoSuchUser) } else { Ok(d) };
    if let Some(r) = client.query_opt(select, &[&login])? {
        return usable(read(&r));
    }
    let NewDevice { device_id, token, name, .. } = NewDevice::new(accounts::DASHBOARD_DEVICE, None)?;
    client.execute(
        "INSERT INTO devices (device_id, login, name, token_hash, enrolled_at, dashboard)
         SELECT $1, login, $3, $4, $5, TRUE FROM users WHERE login = $2 AND NOT disabled",
        &[&device_id, &login, &name, &accounts::hash_secret(&token), &now],
    )?;
    // Two instances making it at once make two; either serves, the first is used from then on.
    let r = client.query_opt(select, &[&login])?.ok_or(AccountError::NoSuchUser)?;
    usable(read(&r))
}

/// The device a token belongs to, if it is valid and not revoked.
pub fn authenticate(client: &mut impl GenericClient, token: &str) -> Result<Option<DeviceAuth>, AccountError> {
    let row = client.query_opt(
        "SELECT d.device_id, d.confirmed_cursor, d.issued_cursor, u.login, u.display_name, u.role, u.unit, u.disabled
         FROM devices d JOIN users u ON u.login = d.login
         WHERE d.token_hash = $1 AND d.revoked_at IS NULL AND NOT u.disabled",
        &[&accounts::hash_secret(token)],
    )?;
    Ok(row
        .map(|r| DeviceAuth {
            device_id: r.get(0),
            confirmed_cursor: r.get::<_, i64>(1) as u64,
            issued_cursor: r.get::<_, i64>(2) as u64,
            user: user_of(&r, 3),
        })
        .filter(|a| !a.user.disabled))
}

/// As on SQLite: nothing is written when nothing changed (last seen is kept to the minute).
pub fn record_cursors(
    client: &mut impl GenericClient,
    device_id: &str,
    confirmed: u64,
    issued: u64,
    now: i64,
) -> Result<(), AccountError> {
    client.execute(
        "UPDATE devices SET last_seen_at = $4, confirmed_cursor = greatest(confirmed_cursor, $2), issued_cursor = $3
         WHERE device_id = $1
           AND (confirmed_cursor < $2 OR issued_cursor <> $3 OR coalesce(last_seen_at, 0) < $4::BIGINT - 60000)",
        &[&device_id, &(confirmed as i64), &(issued as i64), &now],
    )?;
    Ok(())
}

/// After a repair, the device starts again from `cursor`.
pub fn reset_cursor(client: &mut impl GenericClient, device_id: &str, cursor: u64) -> Result<(), AccountError> {
    client.execute(
        "UPDATE devices SET confirmed_cursor = $2, issued_cursor = $2 WHERE device_id = $1",
        &[&device_id, &(cursor as i64)],
    )?;
    Ok(())
}

/// Revokes a device: its token is refused from the next request on; its records stay.
pub fn revoke_device(client: &mut Client, device_id: &str, now: i64) -> Result<(), AccountError> {
    let n = client.execute(
        "UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE device_id = $1",
        &[&device_id, &now],
    )?;
    if n == 0 { Err(AccountError::NoSuchDevice) } else { Ok(()) }
}

/// Counts a request of the device against its rate, shared by every instance: at most
/// `per_minute` requests in a minute that starts with the first of them. False when over.
pub fn count_request(
    client: &mut impl GenericClient,
    device_id: &str,
    per_minute: u32,
    now: i64,
) -> Result<bool, AccountError> {
    let count: i32 = client
        .query_one(
            "INSERT INTO device_requests (device_id, window_start, count) VALUES ($1, $2, 1)
             ON CONFLICT (device_id) DO UPDATE SET
                 window_start = CASE WHEN $2 - device_requests.window_start >= 60000
                                     THEN $2 ELSE device_requests.window_start END,
                 count = CASE WHEN $2 - device_requests.window_start >= 60000
                              THEN 1 ELSE least(device_requests.count, 2147483646) + 1 END
             RETURNING count",
            &[&device_id, &now],
        )?
        .get(0);
    Ok(count as i64 <= i64::from(per_minute))
}

/// Readiness: a write committed.
pub fn heartbeat(client: &mut Client, now: i64) -> Result<(), AccountError> {
    client.execute("INSERT INTO heartbeat (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = $1", &[&now])?;
    Ok(())
}
