//! The official form of a report as a DOCX file (docx-rs) that an official opens in Word or
//! LibreOffice, edits and signs: the layout of Decree 30/2020/NĐ-CP, Appendix I, from
//! `sotay_core::report::official`.

use docx_rs::{
    AlignmentType, Docx, Header, LineSpacing, PageMargin, PageNum, Paragraph, Run, RunFonts, SpecialIndentType, Table,
    TableCell, TableRow, WidthType,
};
use sotay_core::report::official::{Block, LAYOUT, MOTTO, NATIONAL_TITLE, OfficialForm};

#[derive(Debug, thiserror::Error)]
#[error("không tạo được tệp DOCX / could not write the DOCX file: {0}")]
pub struct DocxError(#[from] docx_rs::DocxError);

/// Millimetres to twentieths of a point, the unit of page geometry.
fn twips(mm: u32) -> i32 {
    (f64::from(mm) * 1440.0 / 25.4).round() as i32
}

/// Points to half-points, the unit of font sizes.
fn half_points(pt: u32) -> usize {
    pt as usize * 2
}

/// The width of the text block: A4 less the side margins.
fn text_width() -> usize {
    (twips(LAYOUT.paper_mm.0) - twips(LAYOUT.margin_left_mm) - twips(LAYOUT.margin_right_mm)).max(0) as usize
}

fn run(text: &str, pt: u32) -> Run {
    Run::new().add_text(text).size(half_points(pt))
}

fn centred(r: Run) -> Paragraph {
    Paragraph::new().add_run(r).align(AlignmentType::Center).line_spacing(LineSpacing::new().after(0))
}

/// The short solid line under the issuing body, the motto and the summary: underlined
/// no-break spaces, which Word and LibreOffice keep as they are.
fn rule(chars: usize) -> Paragraph {
    centred(Run::new().add_text("\u{a0}".repeat(chars)).underline("single").size(half_points(LAYOUT.issuer_pt)))
}

fn cell(width: usize, paragraphs: Vec<Paragraph>) -> TableCell {
    paragraphs.into_iter().fold(TableCell::new().width(width, WidthType::Dxa), |c, p| c.add_paragraph(p))
}

/// Two columns without borders, as the decree places the heading and the signature block.
fn two_columns(rows: Vec<(Vec<Paragraph>, Vec<Paragraph>)>, left: usize) -> Table {
    let right = text_width().saturating_sub(left);
    Table::without_borders(rows.into_iter().map(|(l, r)| TableRow::new(vec![cell(left, l), cell(right, r)])).collect())
        .set_grid(vec![left, right])
        .width(text_width(), WidthType::Dxa)
}

fn heading(f: &OfficialForm) -> Table {
    let l = LAYOUT;
    let mut issuer: Vec<Paragraph> = f.issuer.iter().map(|line| centred(run(line, l.issuer_pt).bold())).collect();
    issuer.push(rule(12));
    let national =
        vec![centred(run(NATIONAL_TITLE, l.national_title_pt).bold()), centred(run(MOTTO, l.body_pt).bold()), rule(36)];
    let number = vec![centred(run(&f.number, l.number_pt))];
    let place_date = vec![centred(run(&f.place_date, l.body_pt).italic())];
    // The left column is about 40% of the width, as in the decree's samples.
    two_columns(vec![(issuer, national), (number, place_date)], text_width() * 2 / 5)
}

fn body_paragraph(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, LAYOUT.body_pt))
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(twips(LAYOUT.first_line_indent_mm))), None, None)
        // At least 6 pt between paragraphs (120 twentieths).
        .line_spacing(LineSpacing::new().before(120).after(0))
}

fn figures_table(heads: &[String], rows: &[Vec<String>], numeric_from: usize) -> Table {
    // Tables take one point less than the body so that wide roll-ups fit the width.
    let pt = LAYOUT.body_pt - 1;
    let line = |cells: &[String], bold: bool| {
        TableRow::new(
            cells
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let r = if bold { run(text, pt).bold() } else { run(text, pt) };
                    let align = if bold {
                        AlignmentType::Center
                    } else if i >= numeric_from {
                        AlignmentType::Right
                    } else {
                        AlignmentType::Left
                    };
                    TableCell::new().add_paragraph(Paragraph::new().add_run(r).align(align))
                })
                .collect(),
        )
    };
    let mut out = vec![line(heads, true)];
    out.extend(rows.iter().map(|r| line(r, false)));
    Table::new(out).width(text_width(), WidthType::Dxa)
}

fn signature(f: &OfficialForm) -> Table {
    let l = LAYOUT;
    let mut recipients = vec![Paragraph::new().add_run(run("Nơi nhận:", l.recipients_heading_pt).bold().italic())];
    recipients.extend(
        f.recipients
            .iter()
            .map(|r| Paragraph::new().add_run(run(r, l.recipients_pt)).line_spacing(LineSpacing::new().after(0))),
    );
    let mut signer =
        vec![centred(run(&f.signer_authority, l.body_pt).bold()), centred(run(&f.signer_title, l.body_pt).bold())];
    // Room for the signature and the seal.
    signer.extend((0..4).map(|_| centred(run("", l.body_pt))));
    signer.push(centred(run(&f.signer_name, l.body_pt).bold()));
    two_columns(vec![(recipients, signer)], text_width() / 2)
}

/// The DOCX bytes of `f`.
pub fn docx(f: &OfficialForm) -> Result<Vec<u8>, DocxError> {
    let l = LAYOUT;
    let fonts = RunFonts::new().ascii(l.font).hi_ansi(l.font).cs(l.font).east_asia(l.font);
    // The page number in the top margin, centred, from the second page (the first header is empty).
    let page_number = Header::new().add_paragraph(
        Paragraph::new().add_page_num(PageNum::new()).align(AlignmentType::Center).size(half_points(l.page_number_pt)),
    );
    let mut doc = Docx::new()
        .page_size(twips(l.paper_mm.0) as u32, twips(l.paper_mm.1) as u32)
        .page_margin(
            PageMargin::new()
                .top(twips(l.margin_top_mm))
                .bottom(twips(l.margin_bottom_mm))
                .left(twips(l.margin_left_mm))
                .right(twips(l.margin_right_mm))
                .header(twips(10))
                .footer(twips(10)),
        )
        .default_fonts(fonts)
        .default_size(half_points(l.body_pt))
        .header(page_number)
        .first_header(Header::new())
        .add_table(heading(f))
        .add_paragraph(centred(run("", l.body_pt)))
        .add_paragraph(centred(run(&f.kind, l.body_pt).bold()))
        .add_paragraph(centred(run(&f.summary, l.body_pt).bold()))
        .add_paragraph(rule(20));
    for block in &f.body {
        doc = match block {
            Block::Heading { text } => doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(text, l.body_pt).bold())
                    .line_spacing(LineSpacing::new().before(120).after(60)),
            ),
            Block::Paragraph { text } => doc.add_paragraph(body_paragraph(text)),
            Block::Table { heads, rows, numeric_from } => doc.add_table(figures_table(heads, rows, *numeric_from)),
        };
    }
    let doc = doc.add_paragraph(centred(run("", l.body_pt))).add_table(signature(f));
    let mut out = std::io::Cursor::new(Vec::new());
    doc.pack(&mut out).map_err(|e| DocxError(docx_rs::DocxError::ZipError(e)))?;
    Ok(out.into_inner())
}
