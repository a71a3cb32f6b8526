//! The stock reconciliation on A4.

use super::{Align, Column, Pdf, Table};
use crate::stock::{StockInput, ranges};
use crate::{ReportError, grouped};

pub fn stock(input: &StockInput) -> Result<Vec<u8>, ReportError> {
    let h = &input.header;
    let mut pdf = Pdf::new("재고 대사표", 210.0, 297.0, 15.0)?;
    let top = pdf.margin;
    pdf.approval_box(&h.approvers(), top);
    pdf.text(pdf.margin, top + 8.0, 16.0, true, "선불카드 재고 대사표");
    pdf.text(pdf.margin, top + 15.0, 10.0, false, &h.campaign);
    pdf.y = top + 26.0;
    pdf.facts(&[
        ("발급 창구", format!("{} ({})", h.site_name, h.site_code)),
        ("시군", h.sigungu.clone()),
        ("대사일", h.date.format("%Y년 %m월 %d일").to_string()),
        (
            "결과",
            if input.balanced() {
                "일치".to_owned()
            } else {
                "불일치: 확인 필요".to_owned()
            },
        ),
        (
            "작성 일시",
            h.generated_at.format("%Y-%m-%d %H:%M").to_string(),
        ),
        ("작성자", h.generated_by.clone()),
    ]);
    for face in &input.by_face_value {
        let n = |v: &Vec<String>| grouped(v.len() as u64);
        let difference = face.difference();
        let rows = vec![
            vec!["전일 재고".to_owned(), grouped(face.opening), String::new()],
            vec!["입고".to_owned(), n(&face.received), "+".into()],
            vec!["발급".to_owned(), n(&face.issued), "-".into()],
            vec![
                "발급 취소 후 회수".to_owned(),
                n(&face.returned),
                "+".into(),
            ],
            vec!["재고 중 훼손".to_owned(), n(&face.damaged), "-".into()],
            vec!["분실".to_owned(), n(&face.lost), "-".into()],
            vec!["분실 후 찾음".to_owned(), n(&face.found), "+".into()],
            vec![
                "발급 취소 후 폐기 (참고)".to_owned(),
                n(&face.destroyed),
                String::new(),
            ],
            vec![
                "장부상 마감 재고".to_owned(),
                face.expected_closing().to_string(),
                "=".into(),
            ],
            vec![
                "실제 마감 재고".to_owned(),
                grouped(face.closing),
                String::new(),
            ],
            vec![
                "차이".to_owned(),
                format!("{difference:+}"),
                if difference == 0 {
                    "일치".into()
                } else {
                    "불일치".into()
                },
            ],
        ];
        Table {
            title: &format!("권면 {}원", grouped(face.face_value)),
            columns: vec![
                Column {
                    title: "구분",
                    width: 70.0,
                    align: Align::Left,
                },
                Column {
                    title: "매수",
                    width: 30.0,
                    align: Align::Right,
                },
                Column {
                    title: "",
                    width: 20.0,
                    align: Align::Center,
                },
            ],
            rows,
            empty: "",
        }
        .draw(&mut pdf);
        let movements = [
            ("입고", &face.received),
            ("발급", &face.issued),
            ("취소 후 회수", &face.returned),
            ("취소 후 폐기", &face.destroyed),
            ("훼손", &face.damaged),
            ("분실", &face.lost),
            ("찾음", &face.found),
        ];
        let rows = movements
            .iter()
            .filter(|(_, serials)| !serials.is_empty())
            .flat_map(|(label, serials)| {
                ranges(serials)
                    .chunks(4)
                    .map(|chunk| vec![(*label).to_owned(), chunk.join(", ")])
                    .collect::<Vec<_>>()
            })
            .collect();
        Table {
            title: &format!("권면 {}원 카드 번호", grouped(face.face_value)),
            columns: vec![
                Column {
                    title: "구분",
                    width: 30.0,
                    align: Align::Left,
                },
                Column {
                    title: "카드 번호 (범위)",
                    width: 150.0,
                    align: Align::Left,
                },
            ],
            rows,
            empty: "움직임 없음",
        }
        .draw(&mut pdf);
    }
    if input.by_face_value.is_empty() {
        pdf.heading("재고 없음");
    }
    let footer = format!("{} · {} · 재고 대사", h.site_name, h.date);
    Ok(pdf.finish(&footer))
}
