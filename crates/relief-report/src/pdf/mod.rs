//! PDF through printpdf, which draws text and lines but lays out nothing:
//! pages, positions, text widths (from the font's glyph advances), tables
//! that break across pages with their header repeated, and "n / N" page
//! numbers are done here. NanumGothic is embedded as a subset of the glyphs
//! used, so a report stays small.

mod close;
mod daily;
mod receipt;
mod stock;
mod summary;
mod table;

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rgb, TextItem,
};

pub use daily::daily;
pub use receipt::receipt;
pub use stock::stock;
pub use summary::summary;
pub(crate) use table::{Align, Column, Table};

use crate::ReportError;

const REGULAR: &[u8] = include_bytes!("../../../../assets/fonts/NanumGothic.ttf");
const BOLD: &[u8] = include_bytes!("../../../../assets/fonts/NanumGothicBold.ttf");

/// The fonts, parsed once per process.
fn fonts() -> Result<&'static (ParsedFont, ParsedFont), ReportError> {
    static FONTS: OnceLock<Option<(ParsedFont, ParsedFont)>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let regular = ParsedFont::from_bytes(REGULAR, 0, &mut Vec::new())?;
            let bold = ParsedFont::from_bytes(BOLD, 0, &mut Vec::new())?;
            Some((regular, bold))
        })
        .as_ref()
        .ok_or(ReportError::Font)
}

const PT_PER_MM: f32 = 72.0 / 25.4;

/// A document being laid out, in millimetres from the top-left corner.
pub(crate) struct Pdf {
    doc: PdfDocument,
    regular: FontId,
    bold: FontId,
    pub width: f32,
    pub height: f32,
    pub margin: f32,
    pages: Vec<Vec<Op>>,
    /// Where the next block goes, from the top of the page.
    pub y: f32,
    /// Space kept at the bottom for the page number.
    pub bottom: f32,
}

impl Pdf {
    pub fn new(title: &str, width: f32, height: f32, margin: f32) -> Result<Pdf, ReportError> {
        let (regular, bold) = fonts()?;
        let mut doc = PdfDocument::new(title);
        let regular = doc.add_font(regular);
        let bold = doc.add_font(bold);
        Ok(Pdf {
            doc,
            regular,
            bold,
            width,
            height,
            margin,
            pages: vec![Vec::new()],
            y: margin,
            bottom: margin + 8.0,
        })
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("there is always a page")
    }

    fn point(&self, x: f32, y: f32) -> Point {
        Point {
            x: Mm(x).into(),
            y: Mm(self.height - y).into(),
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.margin;
    }

    /// Starts a new page unless `needed` millimetres are left on this one.
    pub fn ensure(&mut self, needed: f32) -> bool {
        if self.y + needed > self.height - self.bottom {
            self.new_page();
            return true;
        }
        false
    }

    /// Width of `text` in millimetres at `size` points.
    pub fn width_of(&self, text: &str, size: f32, bold: bool) -> f32 {
        let Ok((regular, heavy)) = fonts() else {
            return 0.0;
        };
        let font = if bold { heavy } else { regular };
        let per_em = f32::from(font.font_metrics.units_per_em.max(1));
        let units: u32 = text
            .chars()
            .map(|c| {
                font.lookup_glyph_index(c as u32)
                    .map_or(per_em as u32 / 2, |gid| {
                        u32::from(font.get_horizontal_advance(gid))
                    })
            })
            .sum();
        units as f32 / per_em * size / PT_PER_MM
    }

    /// Text with its baseline at `y`.
    pub fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let font = if bold {
            self.bold.clone()
        } else {
            self.regular.clone()
        };
        let pos = self.point(x, y);
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(font),
                size: Pt(size),
            },
            Op::SetTextCursor { pos },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    pub fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: &str) {
        let width = self.width_of(text, size, bold);
        self.text(right - width, y, size, bold, text);
    }

    pub fn text_center(&mut self, center: f32, y: f32, size: f32, bold: bool, text: &str) {
        let width = self.width_of(text, size, bold);
        self.text(center - width / 2.0, y, size, bold, text);
    }

    /// `text` cut to fit `width`, with an ellipsis if it had to be.
    pub fn fit(&self, text: &str, width: f32, size: f32, bold: bool) -> String {
        if self.width_of(text, size, bold) <= width {
            return text.to_owned();
        }
        let mut cut: String = text.to_owned();
        while !cut.is_empty() && self.width_of(&format!("{cut}…"), size, bold) > width {
            cut.pop();
        }
        format!("{cut}…")
    }

    /// `text` in lines no wider than `width`: at each line break it has,
    /// then between words, and inside a word too long for a line.
    pub fn wrap(&self, text: &str, width: f32, size: f32, bold: bool) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let joined = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width_of(&joined, size, bold) <= width {
                    line = joined;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    let longer = format!("{line}{c}");
                    if !line.is_empty() && self.width_of(&longer, size, bold) > width {
                        lines.push(std::mem::replace(&mut line, c.to_string()));
                    } else {
                        line = longer;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, thickness: f32) {
        let (a, b) = (self.point(x1, y1), self.point(x2, y2));
        self.ops().extend([
            Op::SetOutlineColor {
                col: Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)),
            },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: a,
                            bezier: false,
                        },
                        LinePoint {
                            p: b,
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            },
        ]);
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, thickness: f32) {
        self.line(x, y, x + w, y, thickness);
        self.line(x + w, y, x + w, y + h, thickness);
        self.line(x + w, y + h, x, y + h, thickness);
        self.line(x, y + h, x, y, thickness);
    }

    /// A heading, with room kept for at least a few lines under it.
    pub fn heading(&mut self, text: &str) {
        self.ensure(20.0);
        self.y += 6.0;
        let (x, y) = (self.margin, self.y);
        self.text(x, y, 11.0, true, text);
        self.y += 3.0;
    }

    /// `label: value` lines, two to a row.
    pub fn facts(&mut self, facts: &[(&str, String)]) {
        let half = (self.width - 2.0 * self.margin) / 2.0;
        for pair in facts.chunks(2) {
            self.ensure(6.0);
            self.y += 5.0;
            for (i, (label, value)) in pair.iter().enumerate() {
                let x = self.margin + half * i as f32;
                let y = self.y;
                self.text(x, y, 9.0, true, label);
                let value = self.fit(value, half - 28.0, 9.0, false);
                self.text(x + 26.0, y, 9.0, false, &value);
            }
        }
        self.y += 2.0;
    }

    /// The 결재란: a row of labelled signature boxes at the top right.
    pub fn approval_box(&mut self, approvers: &[&str], top: f32) {
        let cell = 20.0;
        let label = 6.0;
        let sign = 16.0;
        let stamp = 6.0;
        let right = self.width - self.margin;
        let left = right - cell * approvers.len() as f32 - stamp;
        self.rect(left, top, right - left, label + sign, 0.6);
        self.text_center(
            left + stamp / 2.0,
            top + (label + sign) / 2.0 - 1.0,
            8.0,
            true,
            "결",
        );
        self.text_center(
            left + stamp / 2.0,
            top + (label + sign) / 2.0 + 4.0,
            8.0,
            true,
            "재",
        );
        for (i, who) in approvers.iter().enumerate() {
            let x = left + stamp + cell * i as f32;
            self.line(x, top, x, top + label + sign, 0.6);
            self.text_center(x + cell / 2.0, top + label - 1.6, 8.5, false, who);
        }
        self.line(left + stamp, top + label, right, top + label, 0.6);
    }

    /// Writes a one-page document as it is (a receipt needs no page number).
    pub fn finish_single(mut self) -> Vec<u8> {
        let ops = std::mem::take(&mut self.pages)
            .into_iter()
            .flatten()
            .collect();
        let page = PdfPage::new(Mm(self.width), Mm(self.height), ops);
        let mut warnings = Vec::new();
        self.doc
            .with_pages(vec![page])
            .save(&PdfSaveOptions::default(), &mut warnings)
    }

    /// Lays out "n / N" and a line of small print on every page, then
    /// writes the document.
    pub fn finish(mut self, footer: &str) -> Vec<u8> {
        let total = self.pages.len();
        let pages = std::mem::take(&mut self.pages);
        let mut finished = Vec::with_capacity(total);
        for (i, ops) in pages.into_iter().enumerate() {
            self.pages = vec![ops];
            let y = self.height - self.margin + 2.0;
            let center = self.width / 2.0;
            self.text_center(center, y, 8.0, false, &format!("{} / {total}", i + 1));
            let (left, size) = (self.margin, 7.0);
            self.text(left, y, size, false, footer);
            let ops = self.pages.pop().expect("just put");
            finished.push(PdfPage::new(Mm(self.width), Mm(self.height), ops));
        }
        let mut warnings = Vec::new();
        self.doc
            .with_pages(finished)
            .save(&PdfSaveOptions::default(), &mut warnings)
    }
}
