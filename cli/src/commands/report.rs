//! `sotay report`: a unit's report for a period, from this store's records, offline.

use sotay_core::Lang;
use sotay_core::report::{Amendment, AmendmentKind, BadConvention, BadPeriod, Convention, Counted, Period, Report};

use crate::args::{Cli, ReportArgs};
use crate::error::CliError;
use crate::render;

pub fn report(cli: &Cli, a: &ReportArgs) -> Result<(), CliError> {
    let period: Period = a.period.parse().map_err(|_| CliError::usage(BadPeriod::VI, BadPeriod::EN))?;
    let convention =
        Convention::parse(&a.convention).map_err(|_| CliError::usage(BadConvention::VI, BadConvention::EN))?;
    let store = super::open(cli)?;
    let unit = match &a.unit {
        Some(typed) => super::unit_of(&store, typed)?,
        None => store.profile().unit.clone(),
    };
    let report = store.report(&unit, period, convention)?;
    let amendments = match &a.against {
        Some(path) => Some(amendments_against(&store, &report, path)?),
        None => None,
    };
    if cli.json {
        let mut value = serde_json::to_value(&report).unwrap_or_default();
        if let Some(obj) = value.as_object_mut() {
            // The labelled rows, as the text prints them: what a spreadsheet wants.
            obj.insert("rows".into(), serde_json::to_value(report.rows()).unwrap_or_default());
            if let Some(found) = &amendments {
                obj.insert("amendments".into(), serde_json::to_value(found).unwrap_or_default());
            }
        }
        render::json(&value);
    } else {
        print(&report, amendments.as_deref(), cli.lang);
    }
    Ok(())
}

/// What changed since the report saved in `path` (the output of `report --json`).
fn amendments_against(
    store: &sotay_core::store::Store,
    now: &Report,
    path: &std::path::Path,
) -> Result<Vec<Amendment>, CliError> {
    #[derive(serde::Deserialize)]
    struct Saved {
        unit: SavedUnit,
        period: Period,
        convention: Convention,
        counted: Vec<Counted>,
    }
    #[derive(serde::Deserialize)]
    struct SavedUnit {
        code: String,
    }
    let text =
        std::fs::read_to_string(path).map_err(|source| CliError::File { path: path.display().to_string(), source })?;
    let saved: Saved = serde_json::from_str(&text).map_err(|_| {
        CliError::usage(
            "tệp không phải báo cáo đã xuất bằng sotay report --json",
            "the file is not a report saved with sotay report --json",
        )
    })?;
    if saved.unit.code != now.unit.code || saved.period != now.period || saved.convention != now.convention {
        return Err(CliError::usage(
            "báo cáo đã lưu là của đơn vị hoặc kỳ khác",
            "the saved report is of another unit or period",
        ));
    }
    let records = store.report_records(&now.unit.code)?;
    Ok(sotay_core::report::amendments(&saved.counted, &now.counted, &records))
}

fn print(r: &Report, amendments: Option<&[Amendment]>, lang: Lang) {
    let vi = lang == Lang::Vi;
    let period = if vi { r.period.label_vi() } else { r.period.label_en() };
    say!("{} — {} ({})", r.unit.name, period, r.convention.label().get(lang));
    say!("{} {} – {}", if vi { "Từ ngày" } else { "From" }, r.range.start.to_vietnamese(), r.range.end.to_vietnamese());
    for section in sotay_core::report::sections(&r.figures) {
        say!("");
        say!("{}", section.kind.label().get(lang).to_uppercase());
        for row in &section.rows {
            let value = if vi { row.value.format_vi() } else { row.value.format_en() };
            say!("  {:<66} {value:>8}", row.label(lang));
        }
    }
    for half in &r.no_front_session_in {
        let h = if vi { half.label_vi() } else { half.label_en() };
        say!("");
        say!(
            "! {}: {h}",
            if vi {
                "Không có buổi làm việc nào với Mặt trận trong"
            } else {
                "No working session with the Front in"
            }
        );
    }
    if !r.children.is_empty() {
        say!("");
        say!("{}", if vi { "THEO ĐƠN VỊ TRỰC THUỘC" } else { "BY UNIT BELOW" });
        for c in &r.children {
            let f = &c.figures;
            say!(
                "  {:<40} {} {:>4}  {} {:>4}  {} {:>4}  {} {:>4}",
                c.unit.name,
                if vi { "đối thoại" } else { "dialogues" },
                f.dialogue.held,
                if vi { "hòa giải" } else { "mediation" },
                f.mediation.received,
                if vi { "hội nghị" } else { "meetings" },
                f.village_meeting.held,
                if vi { "đơn thư" } else { "petitions" },
                f.petitions.iter().map(|p| p.received).sum::<u64>()
            );
        }
    }
    say!("");
    say!("{}: {}", if vi { "Số hồ sơ được tính" } else { "Records counted" }, r.counted.len());
    if let Some(found) = amendments {
        if found.is_empty() {
            say!("{}", if vi { "Không có hồ sơ nào thay đổi sau khi chốt." } else { "No record changed since." });
        }
        for a in found {
            let what = match (a.kind, vi) {
                (AmendmentKind::Edited, true) => "sửa sau khi chốt",
                (AmendmentKind::Edited, false) => "edited since",
                (AmendmentKind::Removed, true) => "xóa sau khi chốt",
                (AmendmentKind::Removed, false) => "deleted since",
                (AmendmentKind::Added, true) => "ghi nhận sau khi chốt",
                (AmendmentKind::Added, false) => "recorded since",
            };
            say!("  {} {}: {what}", if vi { "Bổ sung" } else { "Amendment" }, a.id);
        }
    }
}
