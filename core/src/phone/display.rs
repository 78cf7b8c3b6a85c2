//! Dates, numbers and deadlines as Vietnamese documents write them, with the English beside.
//! Lenient: these draw what is stored, so text that is not a date is shown as it is.

use crate::labels::Lang;
use crate::text::group_thousands;
use crate::time::{CivilDate, Millis, VIETNAM};

/// `2026-10-03` → `03/10/2026` (Vietnamese) or as is (English); empty for none.
pub fn date_text(iso: Option<&str>, lang: Lang) -> String {
    let Some(iso) = iso.map(str::trim).filter(|s| !s.is_empty()) else { return String::new() };
    match (iso.parse::<CivilDate>(), lang) {
        (Ok(d), Lang::Vi) => d.to_vietnamese(),
        (Ok(d), Lang::En) => d.to_string(),
        (Err(()), _) => iso.to_string(),
    }
}

/// An instant (ms since the epoch) in Vietnam time, to the minute.
pub fn instant_text(at: Millis, lang: Lang) -> String {
    let ts = jiff::Timestamp::from_millisecond(at).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let pattern = match lang {
        Lang::Vi => "%d/%m/%Y %H:%M",
        Lang::En => "%Y-%m-%d %H:%M",
    };
    VIETNAM.to_datetime(ts).strftime(pattern).to_string()
}

/// `1234567` → `1.234.567` (Vietnamese) or `1,234,567`.
pub fn number_text(n: i64, lang: Lang) -> String {
    let sep = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let grouped = group_thousands(n.unsigned_abs(), sep);
    if n < 0 { format!("-{grouped}") } else { grouped }
}

/// How far a deadline is from `today`, in words: "Còn 3 ngày", "Hạn hôm nay", "Quá hạn 5 ngày".
pub fn due_in_text(due: &str, today: CivilDate, lang: Lang) -> String {
    let Ok(due_date) = due.parse::<CivilDate>() else { return due.to_string() };
    let days = today.days_until(due_date);
    let plural = |n: i64| if n == 1 { "day" } else { "days" };
    match (days, lang) {
        (0, Lang::Vi) => "Hạn hôm nay".into(),
        (0, Lang::En) => "Due today".into(),
        (d, Lang::Vi) if d > 0 => format!("Còn {d} ngày"),
        (d, Lang::En) if d > 0 => format!("{d} {} left", plural(d)),
        (d, Lang::Vi) => format!("Quá hạn {} ngày", -d),
        (d, Lang::En) => format!("{} {} overdue", -d, plural(-d)),
    }
}

/// A file's size for people: `850 B`, `120 KB`, `1,2 MB` (Vietnamese) / `1.2 MB`.
pub fn size_text(bytes: u64, lang: Lang) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    match bytes {
        b if b >= MIB => {
            // In u128: a size read from a record may be anything up to u64::MAX.
            let tenths = (u128::from(b) * 10 + u128::from(MIB / 2)) / u128::from(MIB);
            let point = if lang == Lang::Vi { ',' } else { '.' };
            format!("{}{point}{} MB", tenths / 10, tenths % 10)
        }
        b if b >= KIB => format!("{} KB", number_text((b / KIB) as i64, lang)),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_documents_write_them() {
        assert_eq!(date_text(Some("2026-10-03"), Lang::Vi), "03/10/2026");
        assert_eq!(date_text(Some("2026-10-03"), Lang::En), "2026-10-03");
        assert_eq!(date_text(None, Lang::Vi), "");
        assert_eq!(date_text(Some("  "), Lang::Vi), "");
        assert_eq!(date_text(Some("mùa gặt"), Lang::Vi), "mùa gặt");
    }

    #[test]
    fn instants_in_vietnam_time() {
        assert_eq!(instant_text(0, Lang::Vi), "01/01/1970 07:00");
        // 17:30 UTC on 25 November is 00:30 on the 26th in Vietnam.
        assert_eq!(instant_text(1_795_627_800_000, Lang::Vi), "26/11/2026 00:30");
        assert_eq!(instant_text(1_795_627_800_000, Lang::En), "2026-11-26 00:30");
        assert_eq!(instant_text(i64::MAX, Lang::Vi), "01/01/1970 07:00");
    }

    #[test]
    fn numbers_grouped_by_thousands() {
        assert_eq!(number_text(1_234_567, Lang::Vi), "1.234.567");
        assert_eq!(number_text(1_234_567, Lang::En), "1,234,567");
        assert_eq!(number_text(-1000, Lang::Vi), "-1.000");
        assert_eq!(number_text(999, Lang::Vi), "999");
        assert_eq!(number_text(i64::MIN, Lang::En), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn file_sizes() {
        assert_eq!(size_text(850, Lang::Vi), "850 B");
        assert_eq!(size_text(120 * 1024, Lang::Vi), "120 KB");
        assert_eq!(size_text(1_258_291, Lang::Vi), "1,2 MB");
        assert_eq!(size_text(1_258_291, Lang::En), "1.2 MB");
        assert_eq!(size_text(10 * 1024 * 1024, Lang::En), "10.0 MB");
        assert!(size_text(u64::MAX, Lang::Vi).ends_with(" MB"), "no overflow");
    }

    #[test]
    fn deadlines_in_words() {
        let today = CivilDate::new(2026, 11, 25).unwrap();
        assert_eq!(due_in_text("2026-11-28", today, Lang::Vi), "Còn 3 ngày");
        assert_eq!(due_in_text("2026-11-25", today, Lang::Vi), "Hạn hôm nay");
        assert_eq!(due_in_text("2026-11-20", today, Lang::Vi), "Quá hạn 5 ngày");
        assert_eq!(due_in_text("2026-11-24", today, Lang::En), "1 day overdue");
        assert_eq!(due_in_text("2026-11-26", today, Lang::En), "1 day left");
        assert_eq!(due_in_text("2027-01-01", today, Lang::En), "37 days left");
        assert_eq!(due_in_text("sau Tết", today, Lang::Vi), "sau Tết");
    }
}
