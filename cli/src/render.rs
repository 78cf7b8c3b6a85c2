//! Text output for people, in Vietnamese or English; JSON output for scripts.

/// `println!` that ends the program quietly when the reader has gone (`sotay list | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

use serde::Serialize;
use serde_json::Value;
use sotay_core::Lang;
use sotay_core::document::{Conflict, HistoryEntry};
use sotay_core::labels::Label;
use sotay_core::record::fields::{describe_path, display_date, display_value, status_label};
use sotay_core::record::input::leaves;
use sotay_core::record::{RecordKind, Tombstone};
use sotay_core::store::{RecordSummary, RecordView};
use sotay_core::time::format_vietnam;
use sotay_core::units::catalogue;

pub fn json<T: Serialize>(v: &T) {
    say!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

fn t(label: Label, lang: Lang) -> &'static str {
    label.get(lang)
}

fn l(vi: &'static str, en: &'static str, lang: Lang) -> &'static str {
    Label::new(vi, en).get(lang)
}

pub fn date(d: &str, lang: Lang) -> String {
    display_date(d, lang)
}

/// A unit's name, or its code when the catalogue does not have it (a village).
pub fn unit(code: &str) -> String {
    match catalogue().get(code) {
        Some(u) => format!("{} ({code})", u.name),
        None => code.to_string(),
    }
}

/// Names of the villages a store holds, for showing a village-level record's unit by name.
pub struct Places(std::collections::HashMap<String, String>);

impl Places {
    pub fn of(store: &sotay_core::store::Store) -> Result<Places, sotay_core::CoreError> {
        Ok(Places(store.villages(None)?.into_iter().map(|v| (v.id, v.name)).collect()))
    }

    /// A unit of the catalogue or a village, by name with its code.
    pub fn unit(&self, code: &str) -> String {
        match self.0.get(code) {
            Some(name) => format!("{name} ({code})"),
            None => unit(code),
        }
    }

    /// A value of a record's tree: units by name, the rest as [`leaf`] shows it.
    fn leaf(&self, path: &str, v: &Value, lang: Lang) -> String {
        match (path, v.as_str()) {
            ("unit" | "commune", Some(code)) if !code.is_empty() => self.unit(code),
            _ => leaf(path, v, lang),
        }
    }
}

/// A kind's fields, as `sotay fields KIND` and `sotay new KIND --help` list them.
pub fn fields(kind: RecordKind, fields: &[sotay_core::record::form::FieldInfo], lang: Lang) {
    say!("{} — {} (--set {}=…):", l("Các trường", "Fields", lang), kind_label(kind, lang), l("TRƯỜNG", "FIELD", lang));
    for f in fields {
        let required = if f.required { l(" [bắt buộc]", " [required]", lang) } else { "" };
        say!("  {:<40} {} — {}{required}", f.path, t(f.label, lang), t(f.field_type.label(), lang));
        if !f.choices.is_empty() {
            let codes: Vec<String> = f.choices.iter().map(|c| format!("{} ({})", c.code, t(c.label, lang))).collect();
            say!("  {:<40}   {}", "", codes.join(", "));
        }
    }
    say!(
        "{}",
        l(
            "N là vị trí trong danh sách, từ 0 (issues.0.topic=…; vị trí kế cuối thêm một mục).",
            "N is a position in a list, from 0 (issues.0.topic=…; one past the end adds an item).",
            lang
        )
    );
}

pub fn leaf(path: &str, v: &Value, lang: Lang) -> String {
    display_value(path, v, lang)
}

fn kind_label(kind: RecordKind, lang: Lang) -> &'static str {
    t(kind.label(), lang)
}

fn tombstone(d: &Tombstone, lang: Lang) -> String {
    format!("{} {} — {}: {}", l("ĐÃ XÓA bởi", "DELETED by", lang), d.by.user, l("lý do", "reason", lang), d.reason)
}

pub fn record(view: &RecordView, places: &Places, lang: Lang) {
    say!("{} — {}", kind_label(view.kind, lang), view.id);
    if let Some(d) = &view.deleted {
        say!("  {}", tombstone(d, lang));
    }
    say!("  {}: {}", l("Đơn vị", "Unit", lang), places.unit(&view.unit));
    say!(
        "  {}: {} ({}), {}",
        l("Người tạo", "Created by", lang),
        view.created_by.user,
        view.created_by.device,
        format_vietnam(view.created_at)
    );
    // List items' ids are for merging, not for reading; blanks say nothing.
    let fields = leaves(&view.body.to_value())
        .into_iter()
        .filter(|(path, v)| !path.ends_with(".id") && !v.is_null() && v.as_str() != Some(""));
    for (path, v) in fields {
        say!("  {}: {}", describe_path(&path, lang), leaf(&path, &v, lang));
    }
    if let Some(d) = &view.denouncer {
        say!(
            "  {}: {} {} {}",
            l("Người tố cáo (bảo mật)", "Denouncer (confidential)", lang),
            d.name,
            d.address,
            d.phone
        );
    }
    if !view.deadlines.is_empty() {
        say!("  {}:", l("Thời hạn", "Deadlines", lang));
        for d in &view.deadlines {
            let state = if d.overdue {
                l("QUÁ HẠN", "OVERDUE", lang)
            } else if d.deadline.met {
                l("đã xong", "met", lang)
            } else {
                l("còn hạn", "pending", lang)
            };
            let at = if d.deadline.path.is_empty() {
                String::new()
            } else {
                format!(" ({})", describe_path(&d.deadline.path, lang))
            };
            say!(
                "    - {}{at}: {} [{state}]",
                t(d.deadline.code.label(), lang),
                date(&d.deadline.due.to_string(), lang)
            );
        }
    }
    if !view.outcomes.is_empty() {
        say!("  {}:", l("Kết quả biểu quyết", "Results of the votes", lang));
        for o in &view.outcomes {
            say!("    - {}: {}", describe_path(&o.path, lang), o.text(lang));
        }
    }
    if !view.flags.is_empty() {
        say!("  {}:", l("Lưu ý", "Flags", lang));
        for f in &view.flags {
            say!("    ! {}", t(f.code.label(), lang));
        }
    }
    if !view.conflicts.is_empty() {
        say!("  {}:", l("XUNG ĐỘT cần xử lý", "CONFLICTS to resolve", lang));
        conflicts_of(&view.id, &view.conflicts, lang);
    }
}

pub fn summaries(rows: &[RecordSummary], lang: Lang) {
    if rows.is_empty() {
        say!("{}", l("Không có hồ sơ nào.", "No records.", lang));
        return;
    }
    for r in rows {
        let status = status_label(r.kind, &r.status).map(|s| t(s, lang)).unwrap_or(&r.status);
        let when = r.event_date.as_deref().map(|d| date(d, lang)).unwrap_or_default();
        let mut marks = String::new();
        if r.overdue {
            marks.push_str(&format!(" [{}]", l("QUÁ HẠN", "OVERDUE", lang)));
        }
        if r.conflicts > 0 {
            marks.push_str(&format!(" [{}: {}]", l("xung đột", "conflicts", lang), r.conflicts));
        }
        if r.deleted {
            marks.push_str(&format!(" [{}]", l("đã xóa", "deleted", lang)));
        }
        say!("{}  {when:10}  {:28}  {}  — {status}{marks}", r.id, kind_label(r.kind, lang), r.title);
    }
}

pub fn history(entries: &[HistoryEntry], places: &Places, lang: Lang) {
    for e in entries {
        let server = e
            .server_time
            .map(|s| format!(", {} {}", l("máy chủ nhận", "server received", lang), format_vietnam(s)))
            .unwrap_or_default();
        say!(
            "{} — {} ({}) — {} {}{server}",
            &e.change[..12.min(e.change.len())],
            e.author.user,
            e.author.device,
            l("giờ thiết bị", "device time", lang),
            format_vietnam(e.device_time)
        );
        // List items' ids are for merging, not for reading.
        for f in e.fields.iter().filter(|f| !f.path.ends_with(".id")) {
            say!(
                "    {}: {} → {}",
                describe_path(&f.path, lang),
                places.leaf(&f.path, &f.from, lang),
                places.leaf(&f.path, &f.to, lang)
            );
        }
    }
}

pub fn conflicts_of(id: &str, conflicts: &[Conflict], lang: Lang) {
    for c in conflicts {
        say!("    {} — {} ({}):", id, describe_path(&c.path, lang), c.path);
        for (i, v) in c.values.iter().enumerate() {
            say!(
                "      [{}] {} — {} ({}), {}",
                i + 1,
                leaf(&c.path, &v.value, lang),
                v.author.user,
                v.author.device,
                format_vietnam(v.device_time)
            );
        }
    }
}
