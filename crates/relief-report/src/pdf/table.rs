//! Tables: a header row, rows that break across pages, the header again on
//! each new page. A cell too long for its column wraps (the row grows):
//! a report a supervisor signs shows every word of it.

use super::Pdf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
    Center,
}

pub(crate) struct Column<'a> {
    pub title: &'a str,
    /// Millimetres.
    pub width: f32,
    pub align: Align,
}

pub(crate) struct Table<'a> {
    pub title: &'a str,
    pub columns: Vec<Column<'a>>,
    pub rows: Vec<Vec<String>>,
    /// Shown instead of an empty table.
    pub empty: &'a str,
}

const ROW: f32 = 6.0;
/// Each further line of a wrapped cell.
const LINE: f32 = 3.8;
const SIZE: f32 = 8.5;
const PAD: f32 = 1.2;

impl Table<'_> {
    pub fn draw(&self, pdf: &mut Pdf) {
        pdf.heading(self.title);
        if self.rows.is_empty() {
            pdf.y += 5.0;
            let (x, y) = (pdf.margin, pdf.y);
            pdf.text(x, y, SIZE, false, self.empty);
            pdf.y += 2.0;
            return;
        }
        self.header(pdf);
        for (i, row) in self.rows.iter().enumerate() {
            if pdf.ensure(self.height(pdf, row, false)) {
                pdf.y += 5.0;
                let (x, y) = (pdf.margin, pdf.y);
                pdf.text(x, y, 9.0, true, &format!("{} (계속)", self.title));
                pdf.y += 2.0;
                self.header(pdf);
            }
            let last = i + 1 == self.rows.len();
            self.row(pdf, row, false, if last { 0.6 } else { 0.15 });
        }
        pdf.y += 1.0;
    }

    fn header(&self, pdf: &mut Pdf) {
        let width: f32 = self.columns.iter().map(|c| c.width).sum();
        let (x, y) = (pdf.margin, pdf.y + 1.0);
        pdf.line(x, y, x + width, y, 0.6);
        let titles: Vec<String> = self.columns.iter().map(|c| c.title.to_owned()).collect();
        self.row(pdf, &titles, true, 0.4);
    }

    fn lines(&self, pdf: &Pdf, cells: &[String], bold: bool) -> Vec<Vec<String>> {
        self.columns
            .iter()
            .zip(cells)
            .map(|(column, cell)| pdf.wrap(cell, column.width - 2.0 * PAD, SIZE, bold))
            .collect()
    }

    fn height(&self, pdf: &Pdf, cells: &[String], bold: bool) -> f32 {
        let most = self
            .lines(pdf, cells, bold)
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(1);
        ROW + LINE * (most.max(1) - 1) as f32
    }

    fn row(&self, pdf: &mut Pdf, cells: &[String], bold: bool, rule: f32) {
        let lines = self.lines(pdf, cells, bold);
        let first = pdf.y + ROW - 1.8;
        pdf.y += self.height(pdf, cells, bold);
        let mut x = pdf.margin;
        for (column, cell) in self.columns.iter().zip(&lines) {
            for (n, text) in cell.iter().enumerate() {
                let baseline = first + LINE * n as f32;
                match column.align {
                    Align::Left => pdf.text(x + PAD, baseline, SIZE, bold, text),
                    Align::Right => {
                        pdf.text_right(x + column.width - PAD, baseline, SIZE, bold, text)
                    }
                    Align::Center => {
                        pdf.text_center(x + column.width / 2.0, baseline, SIZE, bold, text)
                    }
                }
            }
            x += column.width;
        }
        let y = pdf.y;
        let left = pdf.margin;
        pdf.line(left, y, x, y, rule);
    }
}
