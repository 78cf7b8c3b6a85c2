//! A report as CSV and as XLSX: the same rows as the page, with codes for programs and labels in
//! both languages, and the roll-up by unit on a second sheet.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
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

pub fn xlsx(r: &Report) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("Bao cao")?;
    sheet.write_string_with_format(0, 0, title(r), &bold)?;
    sheet.write_string(1, 0, format!("{} – {}", r.range.start.to_vietnamese(), r.range.end.to_vietnamese()))?;
    sheet.write_string(2, 0, r.convention.label().vi)?;
    for (c, h) in ["Mã chỉ tiêu / Code", "Chỉ tiêu", "Indicator", "Giá trị / Value"].iter().enumerate() {
        sheet.write_string_with_format(4, c as u16, *h, &bold)?;
    }
    for (i, row) in r.rows().iter().enumerate() {
        let at = 5 + i as u32;
        sheet.write_string(at, 0, &row.code)?;
        sheet.write_string(at, 1, &row.vi)?;
        sheet.write_string(at, 2, &row.en)?;
        if let Some(n) = number(row.value) {
            sheet.write_number(at, 3, n)?;
        }
    }
    sheet.set_column_width(0, 42)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 50)?;
    sheet.set_column_width(3, 16)?;

    let by_unit = book.add_worksheet();
    by_unit.set_name("Theo don vi")?;
    let codes: Vec<_> = r.rows().into_iter().filter(|row| matches!(row.value, Value::Count(_))).collect();
    by_unit.write_string_with_format(0, 0, "Đơn vị / Unit", &bold)?;
    for (c, row) in codes.iter().enumerate() {
        by_unit.write_string_with_format(0, 1 + c as u16, &row.code, &bold)?;
    }
    for (i, child) in r.children.iter().enumerate() {
        let at = 1 + i as u32;
        by_unit.write_string(at, 0, &child.unit.name)?;
        for (c, row) in rows(&child.figures).into_iter().filter(|row| matches!(row.value, Value::Count(_))).enumerate()
        {
            if let Some(n) = number(row.value) {
                by_unit.write_number(at, 1 + c as u16, n)?;
            }
        }
    }
    by_unit.set_column_width(0, 36)?;
    Ok(book.save_to_buffer()?)
}
