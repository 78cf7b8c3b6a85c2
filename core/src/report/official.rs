//! A report in the official form of an administrative document (Decree 30/2020/NĐ-CP on clerical
//! work, Art. 8 and Appendix I): national title and motto, issuing body, number and symbol, place
//! and date, type and summary, body, signature block and recipients, with the paper layout the
//! decree sets. Sans-IO: the dashboard renders the same `OfficialForm` as a DOCX file an official
//! edits before signing and as a printable page.
//!
//! The document is in Vietnamese whatever the reader's language: Art. 8 of the decree requires
//! administrative documents in Vietnamese.

use serde::Serialize;

use super::rows::{MAIN_FIGURES, Value, sections};
use super::{Report, period::Span};
use crate::labels::Lang;
use crate::time::CivilDate;
use crate::units::{UnitLevel, catalogue};

/// The paper layout of Appendix I, Part I (A4, portrait; Times New Roman, a Unicode font of
/// TCVN 6909:2001; sizes in points within the ranges the decree allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Layout {
    pub paper_mm: (u32, u32),
    /// Top, bottom: 20–25 mm; left: 30–35 mm; right: 15–20 mm.
    pub margin_top_mm: u32,
    pub margin_bottom_mm: u32,
    pub margin_left_mm: u32,
    pub margin_right_mm: u32,
    pub font: &'static str,
    /// The body, place and date, type and summary, signature block: 13–14.
    pub body_pt: u32,
    /// The national title and the issuing body: 12–13.
    pub national_title_pt: u32,
    pub issuer_pt: u32,
    /// The number and symbol: 13.
    pub number_pt: u32,
    /// "Nơi nhận:" 12; the recipients below it 11.
    pub recipients_heading_pt: u32,
    pub recipients_pt: u32,
    /// Page numbers: 13–14, centred in the top margin, from the second page.
    pub page_number_pt: u32,
    /// A body paragraph's first line indent: 1–1.27 cm.
    pub first_line_indent_mm: u32,
}

pub const LAYOUT: Layout = Layout {
    paper_mm: (210, 297),
    margin_top_mm: 20,
    margin_bottom_mm: 20,
    margin_left_mm: 30,
    margin_right_mm: 15,
    font: "Times New Roman",
    body_pt: 14,
    national_title_pt: 13,
    issuer_pt: 13,
    number_pt: 13,
    recipients_heading_pt: 12,
    recipients_pt: 11,
    page_number_pt: 14,
    first_line_indent_mm: 10,
};

/// The national title and motto (Appendix I, Part II, item 1).
pub const NATIONAL_TITLE: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";

/// What the official fills in before printing; everything else comes from the report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Details {
    /// The register's number; left blank for the clerk to write when none is given.
    pub number: Option<u32>,
    pub date: Option<CivilDate>,
    pub signer_name: String,
}

/// A part of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// "I. ĐỐI THOẠI TRỰC TIẾP": bold, upper case.
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// Numbers right-aligned from column `numeric_from`.
    Table {
        heads: Vec<String>,
        rows: Vec<Vec<String>>,
        numeric_from: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficialForm {
    /// The issuing body, in lines, upper case: ["ỦY BAN NHÂN DÂN", "XÃ LÂM BÌNH"]. A People's
    /// Committee has no superior body line.
    pub issuer: Vec<String>,
    /// "Số:      /BC-UBND" (the clerk writes the number) or "Số: 15/BC-UBND".
    pub number: String,
    /// "Lâm Bình, ngày 05 tháng 01 năm 2027".
    pub place_date: String,
    pub kind: String,
    pub summary: String,
    pub body: Vec<Block>,
    /// "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH".
    pub signer_authority: String,
    pub signer_title: String,
    pub signer_name: String,
    /// Each line as the decree writes it: "- Ủy ban nhân dân tỉnh Tuyên Quang (qua Sở Nội vụ);",
    /// the last "- Lưu: VT.".
    pub recipients: Vec<String>,
}

/// The unit cannot issue an official report: it is a village, or not a unit in force.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{code}: chỉ Ủy ban nhân dân xã, phường, đặc khu hoặc tỉnh, thành phố ban hành báo cáo theo thể thức / only a commune or province People's Committee issues an official report"
)]
pub struct NotAnIssuer {
    pub code: String,
}

/// A unit's name without its type, as the place of a document (Appendix I, Part II, item 4):
/// "Xã Lâm Bình" → "Lâm Bình"; a ward named by a number keeps its type ("Phường 1").
pub fn place_name(name: &str) -> &str {
    const TYPES: [&str; 5] = ["Thành phố ", "Đặc khu ", "Phường ", "Tỉnh ", "Xã "];
    for t in TYPES {
        if let Some(rest) = name.strip_prefix(t)
            && !rest.chars().all(|c| c.is_ascii_digit())
        {
            return rest;
        }
    }
    name
}

/// "ngày 05 tháng 01 năm 2027": days below 10 and the months 1 and 2 take a leading zero
/// (Appendix I, Part II, item 4.b).
pub fn date_in_words(date: CivilDate) -> String {
    let (d, m, y) = (date.0.day(), date.0.month(), date.0.year());
    let month = if m <= 2 { format!("{m:02}") } else { m.to_string() };
    format!("ngày {d:02} tháng {month} năm {y}")
}

/// "xã Lâm Bình", as a unit is named inside a sentence.
fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "quý III năm 2026", "6 tháng đầu năm 2026", "năm 2026".
fn period_in_sentence(report: &Report) -> String {
    match report.period.span {
        Span::Year => format!("năm {}", report.period.year),
        _ => in_sentence(&report.period.label_vi()),
    }
}

impl OfficialForm {
    /// The report of a commune or province as the People's Committee files it. `received` says
    /// whether anything was ever received from a child unit, so that its row reads "no data
    /// received" rather than zeros.
    pub fn for_report(
        report: &Report,
        details: &Details,
        received: &dyn Fn(&str) -> bool,
    ) -> Result<Self, NotAnIssuer> {
        let unit = catalogue()
            .get(&report.unit.code)
            .filter(|u| u.valid_to.is_none() && u.level != UnitLevel::District)
            .ok_or_else(|| NotAnIssuer { code: report.unit.code.clone() })?;
        let province = match unit.level {
            UnitLevel::Province => None,
            _ => unit.parent.as_deref().and_then(|p| catalogue().get(p)),
        };
        let issuer = vec!["ỦY BAN NHÂN DÂN".to_string(), unit.name.to_uppercase()];
        let number = match details.number {
            Some(n) => format!("Số: {n}/BC-UBND"),
            None => "Số:        /BC-UBND".to_string(),
        };
        let place_date = match details.date {
            Some(d) => format!("{}, {}", place_name(&unit.name), date_in_words(d)),
            None => format!("{}, ngày      tháng      năm", place_name(&unit.name)),
        };
        let who = in_sentence(&unit.name);
        let when = period_in_sentence(report);
        let summary = format!("Kết quả thực hiện công tác dân vận chính quyền {when}");
        let mut recipients: Vec<String> = match province {
            Some(p) => vec![
                format!("Ủy ban nhân dân {} (qua Sở Nội vụ)", in_sentence(&p.name)),
                format!("Thường trực Đảng ủy {who}"),
                format!("Ủy ban Mặt trận Tổ quốc Việt Nam {who}"),
            ],
            None => vec![
                "Bộ Nội vụ".to_string(),
                "Thường trực Tỉnh ủy".to_string(),
                format!("Ủy ban Mặt trận Tổ quốc Việt Nam {who}"),
            ],
        };
        recipients.push("Lưu: VT".to_string());
        let last = recipients.len() - 1;
        let recipients = recipients
            .into_iter()
            .enumerate()
            .map(|(i, r)| format!("- {r}{}", if i == last { "." } else { ";" }))
            .collect();
        Ok(OfficialForm {
            issuer,
            number,
            place_date,
            kind: "BÁO CÁO".into(),
            summary,
            body: body(report, &who, &when, received),
            signer_authority: "TM. ỦY BAN NHÂN DÂN".into(),
            signer_title: "CHỦ TỊCH".into(),
            signer_name: details.signer_name.trim().to_string(),
            recipients,
        })
    }
}

const ROMAN: [&str; 12] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];

fn body(report: &Report, who: &str, when: &str, received: &dyn Fn(&str) -> bool) -> Vec<Block> {
    let mut out = vec![Block::Paragraph {
        text: format!(
            "Ủy ban nhân dân {who} báo cáo kết quả thực hiện công tác dân vận chính quyền {when} (từ ngày {} đến ngày {}), tổng hợp từ {} hồ sơ ghi nhận trên địa bàn, như sau:",
            report.range.start.to_vietnamese(),
            report.range.end.to_vietnamese(),
            report.counted.len()
        ),
    }];
    let mut heading = 0;
    let mut next_heading = |title: &str| {
        let n = ROMAN.get(heading).copied().unwrap_or("*");
        heading += 1;
        Block::Heading { text: format!("{n}. {}", title.to_uppercase()) }
    };
    for s in sections(&report.figures) {
        out.push(next_heading(s.kind.label().vi));
        out.push(Block::Table {
            heads: vec!["TT".into(), "Chỉ tiêu".into(), "Kết quả".into()],
            rows: s
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| vec![(i + 1).to_string(), r.vi.clone(), r.value.format_vi()])
                .collect(),
            numeric_from: 2,
        });
    }
    for half in &report.no_front_session_in {
        out.push(Block::Paragraph {
            text: format!(
                "Trong {} chưa tổ chức buổi làm việc nào với Mặt trận Tổ quốc và các đoàn thể.",
                in_sentence(&half.label_vi())
            ),
        });
    }
    if !report.children.is_empty() {
        out.push(next_heading("Kết quả theo đơn vị trực thuộc"));
        let mut heads = vec!["TT".to_string(), "Đơn vị".to_string()];
        heads.extend(MAIN_FIGURES.iter().map(|(_, label)| label.vi.to_string()));
        let rows = report
            .children
            .iter()
            .enumerate()
            .map(|(i, child)| {
                let mut row = vec![(i + 1).to_string(), child.unit.name.clone()];
                if received(&child.unit.code) {
                    let child_rows = super::rows(&child.figures);
                    row.extend(MAIN_FIGURES.iter().map(|(code, _)| {
                        child_rows
                            .iter()
                            .find(|r| r.code == *code)
                            .map(|r| r.value)
                            .unwrap_or(Value::Count(0))
                            .format_vi()
                    }));
                } else {
                    row.extend(MAIN_FIGURES.iter().map(|_| "Chưa nhận được số liệu".to_string()));
                }
                row
            })
            .collect();
        out.push(Block::Table { heads, rows, numeric_from: 2 });
    }
    out.push(Block::Paragraph {
        text: format!(
            "Trên đây là báo cáo kết quả thực hiện công tác dân vận chính quyền {when} của Ủy ban nhân dân {who}. Báo cáo chỉ gồm số liệu tổng hợp, không có thông tin cá nhân./."
        ),
    });
    out
}

/// The label of the form's link and file, in the reader's language.
pub fn form_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Văn bản theo thể thức Nghị định 30/2020/NĐ-CP",
        Lang::En => "Official document form (Decree 30/2020/NĐ-CP)",
    }
}
