//! Reports made from a store filled with known issuances: the text a PDF
//! reader extracts, the rows a CSV and an XLSX read back as, and numbers
//! that reconcile with the store exactly.

use std::path::PathBuf;
use std::process::Command;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use relief_core::identity::{CampaignSecret, IdentityNumber, synthetic};
use relief_core::policy::builtin;
use relief_core::proxy::{IdDocument, Relation};
use relief_core::{HouseholdSize, Krw, SiteType};
use relief_report::daily::DailyReport;
use relief_report::receipt::Paper;
use relief_report::{from_store, pdf};
use relief_store::*;
use zeroize::Zeroizing;

const PIN: &str = "48291375";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 5, 18).unwrap()
}

fn at(h: u32, m: u32) -> NaiveDateTime {
    day().and_hms_opt(h, m, 0).unwrap()
}

fn person(n: u32) -> Zeroizing<String> {
    synthetic::number(
        NaiveDate::from_ymd_opt(1960, 1, 1).unwrap() + Duration::days(i64::from(n % 100) * 97),
        false,
        n.is_multiple_of(2),
        n,
    )
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    supervisor: Session,
    /// Issuance ids in order, and which were voided.
    issued: Vec<String>,
    voided: Vec<String>,
}

/// A 안성 center (100,000 + 250,000 per person): 30 visits from two clerks
/// over the day, families of 1 to 4, every fifth voided (cards back to
/// stock, or destroyed), one card reported lost.
fn fixture(visits: u32) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _recovery) = Store::init(
        &dir.path().join("t.sqlite3"),
        TerminalSetup {
            eupmyeondong: None,
            site_code: "41550-101".into(),
            site_name: "안성1동 행정복지센터".into(),
            site_type: SiteType::Center,
            sigungu: "41550".parse().unwrap(),
            demo: true,
            policy_file: "gyeonggi-2020.toml".into(),
            policy_text: builtin::GYEONGGI_2020.into(),
            secret: CampaignSecret::from_bytes(vec![3; 32]).unwrap(),
        },
        at(7, 0),
    )
    .unwrap();
    let clerk = |id: &str, name: &str, role| NewClerk {
        employee_id: id.into(),
        name: name.into(),
        role,
        pin: Zeroizing::new(PIN.into()),
    };
    store
        .add_clerk(None, clerk("S001", "김감독", Role::Supervisor), at(7, 0))
        .unwrap();
    let supervisor = store.sign_in("S001", PIN, at(7, 0)).unwrap();
    for (id, name) in [("C001", "이담당"), ("C002", "박담당")] {
        store
            .add_clerk(Some(&supervisor), clerk(id, name, Role::Clerk), at(7, 0))
            .unwrap();
    }
    let clerks = [
        store.sign_in("C001", PIN, at(7, 1)).unwrap(),
        store.sign_in("C002", PIN, at(7, 1)).unwrap(),
    ];
    // The day before: the first delivery; on the day: a second.
    store
        .receive_stock(
            &supervisor,
            &SerialSpec::Range {
                first: "AS-0001".into(),
                last: "AS-0100".into(),
            },
            Krw(3_000_000),
            "",
            at(8, 0) - Duration::days(1),
        )
        .unwrap();
    store
        .receive_stock(
            &supervisor,
            &SerialSpec::Range {
                first: "AS-0101".into(),
                last: "AS-0250".into(),
            },
            Krw(3_000_000),
            "2차",
            at(8, 30),
        )
        .unwrap();
    let mut issued = Vec::new();
    let mut voided = Vec::new();
    let mut serial = 0;
    for v in 0..visits {
        let size = 1 + (v % 4) as i64;
        let people: Vec<Zeroizing<String>> = (0..size as u32).map(|p| person(v * 10 + p)).collect();
        let applicant = IdentityNumber::parse(&people[0]).unwrap();
        serial += 1;
        let request = IssueRequest {
            applicant: Applicant {
                id: applicant,
                name: format!("신청인{v}"),
                id_document: IdDocument::ResidentCard,
            },
            beneficiaries: people
                .iter()
                .enumerate()
                .map(|(i, p)| BeneficiaryRequest {
                    who: relief_store::Who::Number(IdentityNumber::parse(p).unwrap()),
                    name: format!("수급자{v}-{i}"),
                    relation: if i == 0 {
                        Relation::SelfApplicant
                    } else {
                        Relation::Spouse
                    },
                    household_size: Some(HouseholdSize::try_from(size).unwrap()),
                    resident_sigungu: "41550".parse().unwrap(),
                    roll_exception: None,
                })
                .collect(),
            card_serials: vec![format!("AS-{serial:04}")],
            verification: if v % 3 == 0 {
                Verification::Offline {
                    approver: Some(supervisor.clone()),
                }
            } else {
                Verification::Online
            },
            household_of_minors: false,
            visit: None,
            roll_approver: None,
        };
        let when = at(9 + v % 9, (v * 7) % 60);
        let done = store
            .issue(&clerks[(v % 2) as usize], request, when)
            .unwrap();
        if v % 5 == 4 {
            let disposition = if v % 10 == 4 {
                CardDisposition::Returned
            } else {
                CardDisposition::Destroyed
            };
            store
                .void(
                    &supervisor,
                    &done.issuance_id,
                    &format!("정정 사유 {v}"),
                    disposition,
                    when + Duration::minutes(5),
                )
                .unwrap();
            voided.push(done.issuance_id.clone());
        }
        issued.push(done.issuance_id);
    }
    store
        .adjust_stock(
            &supervisor,
            "AS-0240",
            Adjustment::Lost,
            "서랍에서 분실",
            at(17, 0),
        )
        .unwrap();
    Fixture {
        _dir: dir,
        store,
        supervisor,
        issued,
        voided,
    }
}

fn tool(name: &str) -> bool {
    relief_testkit::tool(name, "poppler-utils")
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/report-pages");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The text of a PDF, as `pdftotext -layout` extracts it.
fn pdf_text(name: &str, bytes: &[u8]) -> String {
    let path = out_dir().join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).unwrap();
    let output = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(output.status.success());
    // Pages rendered for a person to look at.
    let _ = Command::new("pdftoppm")
        .args(["-png", "-r", "60"])
        .arg(&path)
        .arg(out_dir().join(name))
        .status();
    String::from_utf8(output.stdout).unwrap()
}

fn won(n: u64) -> String {
    relief_report::csv_free_grouped(n)
}

#[test]
fn the_daily_pdf_says_what_the_store_holds() {
    if !tool("pdftotext") {
        return;
    }
    let f = fixture(60);
    let input = from_store::daily(&f.store, day(), &f.supervisor, at(18, 10)).unwrap();
    let report = DailyReport::build(&input);
    // The store's own numbers.
    let records = f.store.issuances_on(day()).unwrap();
    assert_eq!(records.len(), f.issued.len());
    let standing: Vec<_> = records.iter().filter(|r| r.void.is_none()).collect();
    let amount: u64 = standing.iter().map(|r| r.total.won()).sum();
    let people: usize = standing.iter().map(|r| r.beneficiaries.len()).sum();
    assert_eq!(
        (
            report.total.issuances,
            report.total.beneficiaries,
            report.total.amount
        ),
        (standing.len() as u64, people as u64, amount)
    );
    assert_eq!(report.voided.issuances, f.voided.len() as u64);
    // Never in touch with a ledger: every card handed over is waiting.
    let cards: usize = records.iter().map(|r| r.cards.len()).sum();
    assert_eq!(
        input.card_activations,
        [
            ("확인 후 사용 가능".to_owned(), cards as u64),
            ("사용 등록 중".to_owned(), 0),
            ("사용 가능".to_owned(), 0),
            ("보류 (이중 지급 확인 중)".to_owned(), 0),
            ("사용 정지".to_owned(), 0),
        ]
    );

    let text = pdf_text("daily", &pdf::daily(&report).unwrap());
    assert!(text.contains("카드 사용 상태 (원장 확인 기준)"), "{text}");
    let waiting = text
        .lines()
        .find(|l| l.trim_start().starts_with("확인 후 사용 가능"))
        .unwrap_or_else(|| panic!("no line for the waiting cards: {text}"));
    assert!(waiting.contains(&won(cards as u64)), "{waiting}");
    assert!(text.contains("선불카드 일일 발급 보고서"), "{text}");
    assert!(text.contains("안성1동 행정복지센터 (41550-101)"));
    assert!(text.contains("안성시 (41550)"));
    assert!(text.contains("2020년 05월 18일"));
    assert!(text.contains("김감독 (S001)"));
    for who in ["결", "재", "담당", "팀장", "동장"] {
        assert!(text.contains(who), "the approval box lacks {who}");
    }
    let total_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("발급 ") && l.contains(&won(amount)))
        .unwrap_or_else(|| panic!("no total line for {amount}: {text}"));
    let cells: Vec<&str> = total_line.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "발급",
            &won(standing.len() as u64),
            &won(people as u64),
            &won(amount)
        ]
    );
    // The province's part is 100,000 a person; 안성's top-up 250,000.
    assert!(text.contains(&won(100_000 * people as u64)));
    assert!(text.contains(&won(250_000 * people as u64)));
    assert!(text.contains("이담당 (C001)") && text.contains("박담당 (C002)"));
    assert!(text.contains("정정 사유 4"));
    // Identity numbers appear masked or not at all.
    for r in &records {
        for b in &r.beneficiaries {
            let masked = &b.masked;
            assert!(masked.ends_with("******"));
        }
    }
    assert!(
        !text
            .chars()
            .collect::<Vec<_>>()
            .windows(13)
            .any(|w| w.iter().all(char::is_ascii_digit)),
        "13 digits in a row"
    );
    // Pages are numbered "n / N".
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 2, "{pages} page(s)");
    // (pdftotext drops the thin spaces around the slash.)
    let numbered = text.replace(" / ", "/");
    for page in 1..=pages {
        assert!(
            numbered.contains(&format!("{page}/{pages}")),
            "page {page} of {pages} unnumbered"
        );
    }
}

/// The void table names every person of a voided issuance and its whole
/// number: a supervisor signing the report sees whom each void concerned.
#[test]
fn the_void_table_shows_everyone_a_void_concerned() {
    if !tool("pdftotext") {
        return;
    }
    let f = fixture(60);
    let input = from_store::daily(&f.store, day(), &f.supervisor, at(18, 10)).unwrap();
    let text = pdf_text(
        "daily-voids",
        &pdf::daily(&DailyReport::build(&input)).unwrap(),
    );
    let start = text
        .find("발급 취소\n")
        .or_else(|| text.find("발급 취소"))
        .unwrap();
    let section = &text[start..];
    let section = &section[..section
        .find("처리할 이중 지급 충돌")
        .unwrap_or(section.len())];
    let voided: Vec<_> = input
        .issuances
        .iter()
        .filter(|i| i.void.is_some())
        .collect();
    assert!(
        voided.iter().any(|i| i.beneficiaries.len() > 2),
        "the fixture voids a family"
    );
    for issuance in voided {
        for b in &issuance.beneficiaries {
            assert!(
                section.contains(&format!("{} {}", b.name, b.masked)),
                "{} {} of {} is missing from the void table: {section}",
                b.name,
                b.masked,
                issuance.id
            );
        }
        let (head, tail) = (&issuance.id[..8], &issuance.id[issuance.id.len() - 6..]);
        assert!(
            section.contains(head) && section.contains(tail),
            "{} is not shown whole: {section}",
            issuance.id
        );
    }
    assert!(!section.contains('…'), "nothing is cut short: {section}");
}

#[test]
fn long_tables_break_across_pages_with_their_header_again() {
    if !tool("pdftotext") {
        return;
    }
    use relief_report::model::*;
    let f = fixture(2);
    let mut input = from_store::daily(&f.store, day(), &f.supervisor, at(18, 10)).unwrap();
    let template = input.issuances[0].clone();
    input.issuances = (0..150)
        .map(|n| Issuance {
            id: format!("void-{n:03}"),
            void: Some(Void {
                at: at(12, 0),
                by: "S001".into(),
                reason: format!("취소 {n:03}"),
                disposition: "폐기".into(),
            }),
            ..template.clone()
        })
        .collect();
    let text = pdf_text(
        "daily-long",
        &pdf::daily(&DailyReport::build(&input)).unwrap(),
    );
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 3, "{pages}");
    let continued = text.matches("발급 취소 (계속)").count();
    assert!(continued >= 2, "{continued}");
    // The header row again on every page the table goes on to.
    assert_eq!(text.matches("취소자").count(), continued + 1);
    for n in [0, 75, 149] {
        assert!(text.contains(&format!("취소 {n:03}")), "row {n} is missing");
    }
}

#[test]
fn the_csv_and_the_xlsx_read_back_as_the_store() {
    let f = fixture(30);
    let input = from_store::daily(&f.store, day(), &f.supervisor, at(18, 10)).unwrap();
    let report = DailyReport::build(&input);
    let records = f.store.issuances_on(day()).unwrap();
    let rows: usize = records.iter().map(|r| r.beneficiaries.len()).sum();

    let csv = relief_report::csv::daily(&report).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    assert!(csv.windows(2).any(|w| w == b"\r\n") && !csv.replace_crlf().contains('\n'));
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records_read: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records_read.len(), rows);
    let standing_total: u64 = records_read
        .iter()
        .filter(|r| &r[col("상태")] == "발급")
        .map(|r| r[col("지급액_합계")].parse::<u64>().unwrap())
        .sum();
    assert_eq!(standing_total, report.total.amount);
    let province: u64 = records_read
        .iter()
        .filter(|r| &r[col("상태")] == "발급")
        .map(|r| r[col("경기도_지급액")].parse::<u64>().unwrap())
        .sum();
    assert_eq!(province, report.by_source[0].1);
    assert!(
        records_read
            .iter()
            .all(|r| r[col("수급자")].ends_with("******"))
    );
    assert_eq!(
        records_read
            .iter()
            .filter(|r| &r[col("상태")] == "취소")
            .count(),
        records
            .iter()
            .filter(|r| r.void.is_some())
            .map(|r| r.beneficiaries.len())
            .sum::<usize>()
    );

    use calamine::{Data, Reader, Xlsx};
    let xlsx = relief_report::xlsx::daily(&report).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range("발급내역").unwrap();
    assert_eq!(sheet.height(), rows + 1);
    let head: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let at = |name: &str| head.iter().position(|h| h == name).unwrap();
    let mut total = 0.0;
    for row in sheet.rows().skip(1) {
        assert!(
            matches!(row[at("발급 시각")], Data::DateTime(_)),
            "{:?}",
            row[0]
        );
        assert!(matches!(row[at("세대원 수")], Data::Float(_)));
        if row[at("상태")] == "발급" {
            let Data::Float(amount) = row[at("지급액 합계")] else {
                panic!("amounts are numbers")
            };
            total += amount;
        }
    }
    assert_eq!(total as u64, report.total.amount);
    let totals = book.worksheet_range("합계").unwrap();
    assert_eq!(totals.rows().nth(1).unwrap()[0].to_string(), "발급");
}

trait Crlf {
    fn replace_crlf(&self) -> String;
}

impl Crlf for Vec<u8> {
    fn replace_crlf(&self) -> String {
        String::from_utf8_lossy(self).replace("\r\n", "")
    }
}

#[test]
fn the_stock_reconciliation_balances_and_shows_ranges() {
    let f = fixture(30);
    let input = from_store::stock(&f.store, day(), &f.supervisor, at(18, 10)).unwrap();
    assert_eq!(input.by_face_value.len(), 1);
    let face = &input.by_face_value[0];
    let returned = f.voided.len().div_ceil(2);
    assert_eq!(face.opening, 100);
    assert_eq!(face.received.len(), 150);
    assert_eq!(face.issued.len(), 30);
    assert_eq!(face.returned.len(), returned);
    assert_eq!(face.destroyed.len(), f.voided.len() - returned);
    assert_eq!(face.lost, vec!["AS-0240".to_string()]);
    assert_eq!(face.closing, f.store.stock().unwrap().on_hand());
    assert_eq!(face.difference(), 0);
    assert!(input.balanced());
    let csv = String::from_utf8(relief_report::csv::stock(&input).unwrap()[3..].to_vec()).unwrap();
    assert!(csv.contains("3000000,입고,150,AS-0101~AS-0250"), "{csv}");
    assert!(csv.contains("3000000,차이,0,"));
    if tool("pdftotext") {
        let text = pdf_text("stock", &pdf::stock(&input).unwrap());
        assert!(text.contains("선불카드 재고 대사표"));
        assert!(text.contains("AS-0101~AS-0250"));
        assert!(text.contains("일치"));
        assert!(!text.contains("불일치"));
        // A drawer one card short is shown as such.
        let mut short = input.clone();
        short.by_face_value[0].closing -= 1;
        let text = pdf_text("stock-short", &pdf::stock(&short).unwrap());
        assert!(text.contains("불일치") && text.contains("-1"), "{text}");
    }
}

#[test]
fn a_receipt_says_the_payment_and_nothing_more() {
    let f = fixture(4);
    // Visit 3: a family of four.
    let receipt = from_store::receipt(&f.store, &f.issued[3]).unwrap();
    assert_eq!(receipt.total(), 4 * 350_000);
    assert_eq!(receipt.usable_in, vec!["안성시".to_string()]);
    if !tool("pdftotext") {
        return;
    }
    for (name, paper) in [("receipt-a5", Paper::A5), ("receipt-roll80", Paper::Roll80)] {
        let text = pdf_text(name, &pdf::receipt(&receipt, paper).unwrap());
        assert!(text.contains("수령 확인증"), "{text}");
        assert!(text.contains("1,400,000원"));
        assert!(text.contains("AS-0004"));
        assert!(text.contains("안성시에서만 사용할 수 있습니다"));
        assert!(text.contains("2020년 08월 31일까지"));
        assert!(text.contains("다시 발급하지 않습니다"));
        assert!(
            text.contains("확인 후 사용 가능"),
            "the card is handed over empty"
        );
        assert!(text.contains(&receipt.applicant_masked));
        assert!(
            !text.contains("세대"),
            "the household is not the resident's business on a receipt"
        );
    }
}

/// Refreshes docs/examples:
/// `cargo test -p relief-report --test reports -- --ignored example_pages`.
#[test]
#[ignore = "writes docs/examples; run by hand"]
fn example_pages_for_people_to_look_at() {
    if !tool("pdftoppm") {
        return;
    }
    let f = fixture(40);
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    std::fs::create_dir_all(&docs).unwrap();
    let input = from_store::daily(&f.store, day(), &f.supervisor, at(18, 10)).unwrap();
    let stock = from_store::stock(&f.store, day(), &f.supervisor, at(18, 10)).unwrap();
    let receipt = from_store::receipt(&f.store, &f.issued[3]).unwrap();
    let documents = [
        (
            "daily-report",
            pdf::daily(&DailyReport::build(&input)).unwrap(),
        ),
        ("stock-reconciliation", pdf::stock(&stock).unwrap()),
        ("receipt-a5", pdf::receipt(&receipt, Paper::A5).unwrap()),
        (
            "receipt-roll80",
            pdf::receipt(&receipt, Paper::Roll80).unwrap(),
        ),
    ];
    for (name, bytes) in documents {
        let path = out_dir().join(format!("{name}.pdf"));
        std::fs::write(&path, bytes).unwrap();
        let status = Command::new("pdftoppm")
            .args(["-png", "-r", "80", "-f", "1", "-singlefile"])
            .arg(&path)
            .arg(docs.join(name))
            .status()
            .unwrap();
        assert!(status.success());
    }
}

#[test]
fn the_province_summary_adds_up_by_sigungu_and_site() {
    use relief_report::summary::{ProvinceSummary, SiteLine};
    let line = |sigungu: &str, name: &str, site: &str, issuances: u64, offline: u64| SiteLine {
        sigungu: sigungu.into(),
        sigungu_name: name.into(),
        site_code: site.into(),
        site_name: format!("{site} 창구"),
        issuances,
        offline,
        beneficiaries: issuances * 2,
        amount: issuances * 200_000,
        voided: 1,
        conflicts: offline / 10,
    };
    let summary = ProvinceSummary {
        campaign: "경기도 재난기본소득".into(),
        date: day(),
        generated_at: at(23, 0),
        sites: vec![
            line("41110", "수원시", "41110-1", 100, 10),
            line("41110", "수원시", "41110-2", 50, 40),
            line("41550", "안성시", "41550-1", 30, 0),
        ],
        cards: vec![
            ("사용 가능".into(), 170),
            ("보류 (이중 지급 확인 중)".into(), 2),
        ],
        closes: vec![relief_report::summary::SiteClose {
            site_code: "41110-1".into(),
            site_name: "41110-1 창구".into(),
            closed_at: at(18, 5),
            closed_by: "S001".into(),
            difference: -1,
            reason: "서랍 한 장 부족".into(),
            unsent: 0,
            report_sha256: "ab".repeat(32),
            reopened_at: None,
        }],
    };
    let by = summary.by_sigungu();
    assert_eq!(by.len(), 2);
    assert_eq!(
        (by[0].issuances, by[0].offline, by[0].amount),
        (150, 50, 30_000_000)
    );
    assert!((by[0].offline_share() - 33.33).abs() < 0.01);
    assert_eq!(summary.total().issuances, 180);
    let csv =
        String::from_utf8(relief_report::csv::summary(&summary).unwrap()[3..].to_vec()).unwrap();
    assert_eq!(csv.lines().count(), 4);
    assert!(
        csv.contains("수원시,41110,41110-2 창구,41110-2,50,100,10000000,40,1,4"),
        "{csv}"
    );
    assert!(
        relief_report::xlsx::summary(&summary)
            .unwrap()
            .starts_with(b"PK")
    );
    if tool("pdftotext") {
        let text = pdf_text("summary", &pdf::summary(&summary).unwrap());
        assert!(text.contains("도 일일 현황"));
        let total = text
            .lines()
            .find(|l| l.trim_start().starts_with("합계"))
            .unwrap();
        assert!(
            total.contains("180") && total.contains("36,000,000"),
            "{total}"
        );
        assert!(text.contains("33.3%"));
        // Which counters closed, when, and with what difference.
        assert!(text.contains("창구 마감"), "{text}");
        assert!(text.contains("불일치 -1장"), "{text}");
        assert!(text.contains("abababababababab"), "{text}");
    }
}

#[test]
fn a_closed_day_keeps_its_books_and_the_next_day_lists_the_void_made_after_the_close() {
    let mut f = fixture(10);
    let in_stock = f.store.stock().unwrap().by_face_value[0].in_stock;
    let drawer = DrawerCount {
        typed: [(Krw(3_000_000), in_stock)].into(),
        scanned: vec![],
    };
    let close_at = at(18, 10);
    let plan = f.store.plan_close(day(), &drawer, close_at).unwrap();
    let input =
        from_store::close(&f.store, &plan, &f.supervisor, close_at, "", "회선 장애").unwrap();
    let bytes = pdf::daily(&DailyReport::build(&input)).unwrap();
    f.store
        .close_day(&f.supervisor, &plan, "", "회선 장애", &bytes, close_at)
        .unwrap();
    let before =
        DailyReport::build(&from_store::daily(&f.store, day(), &f.supervisor, close_at).unwrap())
            .total;

    // The next morning a supervisor voids one of the closed day's issuances.
    let corrected = f
        .issued
        .iter()
        .find(|id| !f.voided.contains(id))
        .unwrap()
        .clone();
    let next = day().succ_opt().unwrap();
    let voided = f
        .store
        .void(
            &f.supervisor,
            &corrected,
            "전날 오발급",
            CardDisposition::Destroyed,
            next.and_hms_opt(10, 0, 0).unwrap(),
        )
        .unwrap();
    assert_eq!(voided.booked_on, Some(next));
    let closed_day = from_store::daily(&f.store, day(), &f.supervisor, close_at).unwrap();
    assert_eq!(
        DailyReport::build(&closed_day).total,
        before,
        "the closed day's books stand"
    );
    let next_day = from_store::daily(&f.store, next, &f.supervisor, close_at).unwrap();
    let report = DailyReport::build(&next_day);
    assert_eq!(report.corrected.issuances, 1);
    assert_eq!(next_day.corrections[0].id, corrected);
    assert_eq!(report.total.issuances, 0);
    if tool("pdftotext") {
        let text = pdf_text("daily-close", &bytes);
        assert!(text.contains("일일 발급 보고서 (마감)"), "{text}");
        assert!(text.contains("마감: 서랍 카드"), "{text}");
        assert!(
            text.contains("보내지 못한 이벤트") && text.contains("회선 장애"),
            "{text}"
        );
        let text = pdf_text("daily-correction", &pdf::daily(&report).unwrap());
        assert!(text.contains("마감 후 정정"), "{text}");
        let tail = &corrected[corrected.len() - 12..];
        assert!(text.contains(tail), "{tail} in {text}");
        assert!(text.contains("전날 오발급"), "{text}");
    }
}
