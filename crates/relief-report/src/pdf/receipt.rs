//! The 수령 확인증, on A5 or an 80 mm roll.

use super::Pdf;
use crate::receipt::{Paper, Receipt};
use crate::{ReportError, grouped};

pub fn receipt(r: &Receipt, paper: Paper) -> Result<Vec<u8>, ReportError> {
    let (width, margin, big, small) = match paper {
        Paper::A5 => (148.0, 12.0, 14.0, 9.0),
        Paper::Roll80 => (80.0, 4.0, 11.0, 7.5),
    };
    let lines = 16 + r.beneficiaries.len() * 2 + r.cards.len() * 2 + 8;
    let height = match paper {
        Paper::A5 => 210.0,
        Paper::Roll80 => 30.0 + lines as f32 * 5.0,
    };
    let mut pdf = Pdf::new("수령 확인증", width, height, margin)?;
    let center = width / 2.0;
    let line = small * 0.55;
    let mut y = margin + 6.0;
    pdf.text_center(center, y, big, true, "재난지원금 선불카드 수령 확인증");
    y += line + 2.0;
    pdf.text_center(center, y, small, false, &r.campaign);
    y += line + 3.0;
    let right = width - margin;
    pdf.line(margin, y, right, y, 0.5);
    let row = |pdf: &mut Pdf, y: &mut f32, label: &str, value: &str, bold: bool| {
        *y += line + 1.0;
        pdf.text(margin, *y, small, true, label);
        let value = pdf.fit(value, right - margin - 24.0, small, bold);
        pdf.text_right(right, *y, small, bold, &value);
    };
    row(
        &mut pdf,
        &mut y,
        "발급 일시",
        &r.issued_at.format("%Y-%m-%d %H:%M").to_string(),
        false,
    );
    row(&mut pdf, &mut y, "발급 창구", &r.site_name, false);
    row(&mut pdf, &mut y, "발급번호", &r.issuance_id, false);
    row(
        &mut pdf,
        &mut y,
        "받은 분",
        &format!("{} {}", r.applicant_name, r.applicant_masked),
        false,
    );
    row(&mut pdf, &mut y, "확인한 신분증", &r.id_document, false);
    y += 2.0;
    pdf.line(margin, y, right, y, 0.3);
    y += line + 1.0;
    pdf.text(margin, y, small, true, "지급 대상");
    for b in &r.beneficiaries {
        row(
            &mut pdf,
            &mut y,
            &format!("{} ({})", b.name, b.relation),
            &format!("{}원", grouped(b.amount)),
            false,
        );
        y += line;
        pdf.text(margin + 3.0, y, small - 1.0, false, &b.masked);
    }
    y += 2.0;
    pdf.line(margin, y, right, y, 0.3);
    y += line + 1.0;
    pdf.text(margin, y, small, true, "카드");
    for card in &r.cards {
        row(
            &mut pdf,
            &mut y,
            &card.serial,
            &format!("{}원", grouped(card.amount)),
            false,
        );
        y += line;
        pdf.text(margin + 3.0, y, small - 1.0, false, &card.activation);
    }
    y += 2.0;
    pdf.line(margin, y, right, y, 0.5);
    row(
        &mut pdf,
        &mut y,
        "합계",
        &format!("{}원", grouped(r.total())),
        true,
    );
    y += line + 3.0;
    pdf.text(margin, y, small, true, "사용 안내");
    for term in r.terms() {
        for part in wrap(&pdf, &term, right - margin - 3.0, small - 1.0) {
            y += line;
            pdf.text(margin + 2.0, y, small - 1.0, false, &part);
        }
    }
    y += line + 3.0;
    pdf.text(margin, y, small, false, &format!("담당자: {}", r.clerk));
    if r.offline {
        y += line + 1.0;
        pdf.text(
            margin,
            y,
            small - 1.0,
            false,
            "원장 서버 연결 전 발급: 원장이 지급을 확인한 뒤 카드가 충전됩니다.",
        );
    }
    Ok(pdf.finish_single())
}

/// Words onto lines no wider than `width`.
fn wrap(pdf: &Pdf, text: &str, width: f32, size: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if pdf.width_of(&candidate, size, false) > width && !current.is_empty() {
            lines.push(std::mem::replace(&mut current, word.to_owned()));
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}
