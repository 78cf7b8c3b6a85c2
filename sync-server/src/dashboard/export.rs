//! A report as CSV and as XLSX: the same rows as the page, with codes for programs and labels in
//! both languages, and the roll-up by unit on a second sheet, with totals.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};
use sotay_core::labels::{Label, Lang};
use sotay_core::report::{Report, Value, rows};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("không tạo được tệp XLSX / cannot write the XLSX file: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("không tạo được tệp CSV / cannot write the CSV file: {0}")]
    Csv(#[from] csv::Error),
}

fn number(v: Value) -> Option<f64> {
    match v {
        Value::Count(n) => Some(n as f64),
        Value::Percent(p) => p,
    }
}

fn title(r: &Report) -> String {
    format!("{} — {} / {}", r.unit.name, r.period.label_vi(), r.period.label_en())
}

/// UTF-8 with a byte-order mark, so that Excel reads the Vietnamese right.
pub fn csv(r: &Report) -> Result<Vec<u8>, ExportError> {
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    out.write_record([
        "ma_chi_tieu/code",
        "chi_tieu",
        "indicator",
        "gia_tri/value",
        "don_vi/unit",
        "ky/period",
        "tu/from",
        "den/to",
    ])?;
    for row in r.rows() {
        let value = number(row.value).map(|n| n.to_string()).unwrap_or_default();
        out.write_record([
            row.code.as_str(),
            &row.vi,
            &row.en,
            &value,
            &r.unit.code,
            &r.period.to_string(),
            &r.range.start.to_string(),
            &r.range.end.to_string(),
        ])?;
    }
    out.into_inner().map_err(|e| ExportError::Csv(e.into_error().into()))
}

/// Writes a figure as Excel should hold it: a count as a number ("#,##0"), a rate as a fraction
/// shown as a percentage ("0.0%"), nothing where there is nothing to divide by.
fn write_value(sheet: &mut rust_xlsxwriter::Worksheet, at: (u32, u16), v: Value, f: &Formats) -> Result<(), XlsxError> {
    match v {
        Value::Count(n) => sheet.write_number_with_format(at.0, at.1, n as f64, &f.count).map(|_| ()),
        Value::Percent(Some(p)) => sheet.write_number_with_format(at.0, at.1, p / 100.0, &f.percent).map(|_| ()),
        Value::Percent(None) => Ok(()),
    }
}

struct Formats {
    bold: Format,
    header: Format,
    count: Format,
    percent: Format,
    total: Format,
    date: Format,
    datetime: Format,
}

fn excel_date(d: sotay_core::time::CivilDate) -> Result<ExcelDateTime, XlsxError> {
    let month = u8::try_from(d.0.month()).unwrap_or(1);
    let day = u8::try_from(d.0.day()).unwrap_or(1);
    ExcelDateTime::from_ymd(u16::try_from(d.0.year()).unwrap_or(1900), month, day)
}

/// An instant as Vietnam's wall clock (UTC+7, no daylight saving), as Excel shows it.
fn in_vietnam(at_ms: i64) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_timestamp(at_ms.div_euclid(1000) + 7 * 3600)
}

/// The report for Excel: a sheet of figures, and the roll-up by unit with Vietnamese headers
/// (English when the viewer reads English), number and percent formats, and totals.
/// `received`: per child unit, when a device of it last synced (Unix milliseconds) or None, and
/// whether anything was ever received from it. Dates are date cells, in Vietnam time.
pub fn xlsx(r: &Report, lang: Lang, received: &dyn Fn(&str) -> (Option<i64>, bool)) -> Result<Vec<u8>, ExportError> {
    let f = Formats {
        bold: Format::new().set_bold(),
        header: Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top),
        count: Format::new().set_num_format("#,##0"),
        percent: Format::new().set_num_format("0.0%"),
        total: Format::new().set_bold().set_num_format("#,##0"),
        date: Format::new().set_num_format("dd/mm/yyyy"),
        datetime: Format::new().set_num_format("dd/mm/yyyy hh:mm"),
    };
    let t = |vi: &'static str, en: &'static str| Label::new(vi, en).get(lang);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Bao cao")?;
    sheet.write_string_with_format(0, 0, title(r), &f.bold)?;
    sheet.write_string(1, 0, t("Từ ngày – đến ngày", "From – to"))?;
    sheet.write_date_with_format(1, 1, excel_date(r.range.start)?, &f.date)?;
    sheet.write_date_with_format(1, 2, excel_date(r.range.end)?, &f.date)?;
    sheet.write_string(2, 0, r.convention.label().get(lang))?;
    for (c, h) in ["Mã chỉ tiêu / Code", "Chỉ tiêu", "Indicator", "Giá trị / Value"].iter().enumerate() {
        sheet.write_string_with_format(4, c as u16, *h, &f.bold)?;
    }
    for (i, row) in r.rows().iter().enumerate() {
        let at = 5 + i as u32;
        sheet.write_string(at, 0, &row.code)?;
        sheet.write_string(at, 1, &row.vi)?;
        sheet.write_string(at, 2, &row.en)?;
        write_value(sheet, (at, 3), row.value, &f)?;
    }
    sheet.set_column_width(0, 42)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 50)?;
    sheet.set_column_width(3, 16)?;
    sheet.set_freeze_panes(5, 0)?;

    // By unit: a row per child unit, a column per figure, headed in words with the code below.
    let by_unit = book.add_worksheet();
    by_unit.set_name("Theo don vi")?;
    let columns = r.rows();
    by_unit.write_string_with_format(0, 0, t("Đơn vị", "Unit"), &f.header)?;
    by_unit.write_string(1, 0, t("Mã chỉ tiêu", "Code"))?;
    by_unit.write_string_with_format(
        0,
        1,
        t("Đồng bộ gần nhất (giờ Việt Nam)", "Last sync (Vietnam time)"),
        &f.header,
    )?;
    by_unit.set_column_width(1, 24)?;
    // Figures from the third column: the second says when the unit last synced.
    for (c, row) in columns.iter().enumerate() {
        let label = if lang == Lang::En { &row.en } else { &row.vi };
        by_unit.write_string_with_format(0, 2 + c as u16, label, &f.header)?;
        by_unit.write_string(1, 2 + c as u16, &row.code)?;
        by_unit.set_column_width(2 + c as u16, 14)?;
    }
    let first = 2u32;
    for (i, child) in r.children.iter().enumerate() {
        let at = first + i as u32;
        by_unit.write_string(at, 0, &child.unit.name)?;
        let (synced, any) = received(&child.unit.code);
        if let Some(at_ms) = synced {
            by_unit.write_datetime_with_format(at, 1, in_vietnam(at_ms)?, &f.datetime)?;
        }
        if !any {
            // Nothing ever received: not zeros.
            by_unit.write_string(at, 2, t("Chưa nhận được số liệu", "No data received"))?;
            continue;
        }
        for (c, row) in rows(&child.figures).into_iter().enumerate() {
            write_value(by_unit, (at, 2 + c as u16), row.value, &f)?;
        }
    }
    // Counts add up; rates do not, so the sum row leaves them blank. The whole unit's own row
    // follows: it also counts records filed at the unit itself, in no child.
    let sum_at = first + r.children.len() as u32;
    by_unit.write_string_with_format(sum_at, 0, t("Cộng các đơn vị trên", "Sum of the units above"), &f.bold)?;
    for (c, row) in columns.iter().enumerate() {
        if matches!(row.value, Value::Count(_)) {
            let sum: u64 = r
                .children
                .iter()
                .filter_map(|child| match rows(&child.figures).get(c).map(|x| x.value) {
                    Some(Value::Count(n)) => Some(n),
                    _ => None,
                })
                .sum();
            by_unit.write_number_with_format(sum_at, 2 + c as u16, sum as f64, &f.total)?;
        }
    }
    by_unit.write_string_with_format(
        sum_at + 1,
        0,
        format!("{} ({})", r.unit.name, t("toàn đơn vị", "whole unit")),
        &f.bold,
    )?;
    for (c, row) in columns.iter().enumerate() {
        write_value(by_unit, (sum_at + 1, 2 + c as u16), row.value, &f)?;
    }
    by_unit.set_column_width(0, 36)?;
    by_unit.set_row_height(0, 90)?;
    by_unit.set_freeze_panes(2, 2)?;
    Ok(book.save_to_buffer()?)
}

/// One record as the record-level exports write it.
pub struct RecordLine {
    pub id: String,
    pub kind_code: &'static str,
    pub kind: String,
    pub event: Option<sotay_core::time::CivilDate>,
    pub title: String,
    pub unit_code: String,
    pub unit: String,
    pub status_code: String,
    pub status: String,
    pub author: String,
    pub due: Option<sotay_core::time::CivilDate>,
    pub overdue: bool,
    pub conflicts: bool,
}

const RECORD_HEADERS: [&str; 13] = [
    "ma/id",
    "loai/kind",
    "loai_ho_so",
    "ngay/date",
    "tieu_de/title",
    "don_vi/unit",
    "ten_don_vi/unit_name",
    "trang_thai/status",
    "ten_trang_thai/status_name",
    "nguoi_tao/created_by",
    "han_gan_nhat/next_deadline",
    "qua_han/overdue",
    "xung_dot/conflicts",
];

/// A text cell that a spreadsheet would read as a formula (=, +, -, @) is prefixed with `'`:
/// titles and names are what people typed.
pub(crate) fn defused(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() }
}

/// The records as CSV (UTF-8 with a byte-order mark), codes and labels, dates as YYYY-MM-DD.
pub fn records_csv(rows: &[RecordLine]) -> Result<Vec<u8>, ExportError> {
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    out.write_record(RECORD_HEADERS)?;
    let day = |d: Option<sotay_core::time::CivilDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for r in rows {
        out.write_record([
            r.id.clone(),
            r.kind_code.to_string(),
            r.kind.clone(),
            day(r.event),
            defused(&r.title),
            r.unit_code.clone(),
            r.unit.clone(),
            r.status_code.clone(),
            r.status.clone(),
            defused(&r.author),
            day(r.due),
            u8::from(r.overdue).to_string(),
            u8::from(r.conflicts).to_string(),
        ])?;
    }
    out.into_inner().map_err(|e| ExportError::Csv(e.into_error().into()))
}

/// The records as one XLSX sheet, dates as date cells, headed in the page's language.
pub fn records_xlsx(rows: &[RecordLine], lang: Lang) -> Result<Vec<u8>, ExportError> {
    let t = |vi: &'static str, en: &'static str| Label::new(vi, en).get(lang);
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Ho so")?;
    let headers = [
        t("Mã", "Id"),
        t("Mã loại", "Kind code"),
        t("Loại hồ sơ", "Kind"),
        t("Ngày", "Date"),
        t("Tiêu đề", "Title"),
        t("Mã đơn vị", "Unit code"),
        t("Đơn vị", "Unit"),
        t("Mã trạng thái", "Status code"),
        t("Trạng thái", "Status"),
        t("Người tạo", "Created by"),
        t("Hạn gần nhất", "Next deadline"),
        t("Quá hạn", "Overdue"),
        t("Có xung đột", "Conflicts"),
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let at = 1 + i as u32;
        sheet.write_string(at, 0, &r.id)?;
        sheet.write_string(at, 1, r.kind_code)?;
        sheet.write_string(at, 2, &r.kind)?;
        if let Some(d) = r.event {
            sheet.write_date_with_format(at, 3, excel_date(d)?, &date)?;
        }
        // Written as strings: the workbook never evaluates what was typed.
        sheet.write_string(at, 4, &r.title)?;
        sheet.write_string(at, 5, &r.unit_code)?;
        sheet.write_string(at, 6, &r.unit)?;
        sheet.write_string(at, 7, &r.status_code)?;
        sheet.write_string(at, 8, &r.status)?;
        sheet.write_string(at, 9, &r.author)?;
        if let Some(d) = r.due {
            sheet.write_date_with_format(at, 10, excel_date(d)?, &date)?;
        }
        sheet.write_boolean(at, 11, r.overdue)?;
        sheet.write_boolean(at, 12, r.conflicts)?;
    }
    sheet.set_column_width(0, 38)?;
    sheet.set_column_width(4, 60)?;
    sheet.set_column_width(6, 24)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(book.save_to_buffer()?)
}
