//! The audit log (issue 14): administrative and sign-in actions, who, what, on what, when and
//! from where, append-only (the database refuses changes and deletions of its rows), shown and
//! exported to administrators. It names logins, device ids, codes' ids and units; never anything
//! of a record's content. The SQL is here for SQLite and in [`crate::postgres::audit`].

use rusqlite::{Connection, params};
use serde::Serialize;
use sotay_core::labels::Label;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    UserAdded,
    UserEdited,
    UserDisabled,
    UserEnabled,
    PasswordSet,
    DeviceRevoked,
    CodeCreated,
    CodeCancelled,
    SignedIn,
    SignInRefused,
    SignedOut,
    ReportIssued,
    ConflictResolved,
    BackupTaken,
    Restored,
    Checked,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::UserAdded,
        Action::UserEdited,
        Action::UserDisabled,
        Action::UserEnabled,
        Action::PasswordSet,
        Action::DeviceRevoked,
        Action::CodeCreated,
        Action::CodeCancelled,
        Action::SignedIn,
        Action::SignInRefused,
        Action::SignedOut,
        Action::ReportIssued,
        Action::ConflictResolved,
        Action::BackupTaken,
        Action::Restored,
        Action::Checked,
    ];

    /// The code stored; never changed once shipped.
    pub fn code(self) -> &'static str {
        match self {
            Action::UserAdded => "user_added",
            Action::UserEdited => "user_edited",
            Action::UserDisabled => "user_disabled",
            Action::UserEnabled => "user_enabled",
            Action::PasswordSet => "password_set",
            Action::DeviceRevoked => "device_revoked",
            Action::CodeCreated => "code_created",
            Action::CodeCancelled => "code_cancelled",
            Action::SignedIn => "signed_in",
            Action::SignInRefused => "sign_in_refused",
            Action::SignedOut => "signed_out",
            Action::ReportIssued => "report_issued",
            Action::ConflictResolved => "conflict_resolved",
            Action::BackupTaken => "backup_taken",
            Action::Restored => "restored",
            Action::Checked => "checked",
        }
    }

    pub fn label(self) -> Label {
        match self {
            Action::UserAdded => Label::new("Tạo người dùng", "User added"),
            Action::UserEdited => Label::new("Sửa người dùng", "User edited"),
            Action::UserDisabled => Label::new("Khóa người dùng", "User disabled"),
            Action::UserEnabled => Label::new("Mở khóa người dùng", "User enabled"),
            Action::PasswordSet => Label::new("Đặt mật khẩu", "Password set"),
            Action::DeviceRevoked => Label::new("Thu hồi thiết bị", "Device revoked"),
            Action::CodeCreated => Label::new("Cấp mã đăng ký", "Enrollment code issued"),
            Action::CodeCancelled => Label::new("Hủy mã đăng ký", "Enrollment code cancelled"),
            Action::SignedIn => Label::new("Đăng nhập", "Signed in"),
            Action::SignInRefused => Label::new("Đăng nhập bị từ chối", "Sign-in refused"),
            Action::SignedOut => Label::new("Đăng xuất", "Signed out"),
            Action::ReportIssued => Label::new("Chốt báo cáo", "Report issued"),
            Action::ConflictResolved => Label::new("Xử lý xung đột", "Conflict resolved"),
            Action::BackupTaken => Label::new("Sao lưu", "Backup taken"),
            Action::Restored => Label::new("Khôi phục", "Restored"),
            Action::Checked => Label::new("Kiểm tra dữ liệu", "Data checked"),
        }
    }

    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.code() == code)
    }
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub at: i64,
    /// A login, or `cli:<account>` for the server's command line.
    pub actor: String,
    pub action: String,
    pub target: String,
    /// A client address, or `cli`.
    pub origin: String,
}

impl Entry {
    pub fn new(at: i64, actor: &str, action: Action, target: &str, origin: &str) -> Entry {
        // Bounded: a target or an address comes from a request.
        let cut = |s: &str| s.chars().take(200).collect::<String>();
        Entry { at, actor: cut(actor), action: action.code().to_string(), target: cut(target), origin: cut(origin) }
    }

    /// The action's label, or its code when this version does not know it.
    pub fn action_label(&self) -> Label {
        Action::from_code(&self.action).map(Action::label).unwrap_or(Label { vi: "?", en: "?" })
    }
}

/// Who runs the server's command line: the operator's account (`sudo`'s caller when there is one).
pub fn cli_actor() -> String {
    let account = std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "?".into());
    format!("cli:{account}")
}

/// The most entries a listing returns at once.
pub const MAX_LISTED: usize = 10_000;

pub fn record(conn: &Connection, e: &Entry) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, target, origin) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![e.at, e.actor, e.action, e.target, e.origin],
    )?;
    Ok(())
}

/// The latest entries, newest first, at most `limit` (and [`MAX_LISTED`]).
pub fn latest(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<Entry>> {
    let limit = limit.min(MAX_LISTED) as i64;
    let mut stmt = conn
        .prepare_cached("SELECT at, actor, action, target, origin FROM audit_log ORDER BY at DESC, id DESC LIMIT ?1")?;
    let rows = stmt.query_map([limit], |r| {
        Ok(Entry { at: r.get(0)?, actor: r.get(1)?, action: r.get(2)?, target: r.get(3)?, origin: r.get(4)? })
    })?;
    rows.collect()
}

/// The entries as CSV (UTF-8 with a byte-order mark, for spreadsheet programs), the action in
/// both languages. A value starting as a formula would (=, +, -, @) is prefixed with `'`: a
/// refused sign-in's target is whatever was typed.
pub fn csv(entries: &[Entry]) -> Result<Vec<u8>, csv::Error> {
    use crate::dashboard::export::defused;
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    out.write_record([
        "thoi_diem/at (UTC+7)",
        "nguoi_thuc_hien/actor",
        "hanh_dong",
        "action",
        "doi_tuong/target",
        "tu/from",
    ])?;
    for e in entries {
        let label = e.action_label();
        out.write_record([
            sotay_core::time::format_vietnam(e.at),
            defused(&e.actor),
            label.vi.to_string(),
            label.en.to_string(),
            defused(&e.target),
            defused(&e.origin),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_read_back() {
        let codes: std::collections::HashSet<&str> = Action::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(codes.len(), Action::ALL.len());
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(*a));
        }
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let e = Entry::new(0, "=cmd|' /C calc'!A0", Action::SignInRefused, "a\"b", "203.0.113.9");
        let bytes = csv(&[e]).expect("csv");
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes).expect("UTF-8");
        assert!(text.contains("'=cmd|' /C calc'!A0"), "{text}");
        assert!(text.contains("\"a\"\"b\""), "{text}");
        assert!(text.contains("Đăng nhập bị từ chối"));
    }
}
