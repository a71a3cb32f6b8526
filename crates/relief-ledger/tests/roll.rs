//! The resident roll at the ledger, on SQLite and on PostgreSQL: a
//! synthetic 시군 imported keyed, households counted from it, a file sent
//! again changing nothing, a change file applied, bad rows named by line
//! without the number, and a file cut short finished under its version.

mod common;

use std::collections::{BTreeMap, HashSet};

use common::*;
use relief_core::identity::{CampaignSecret, IdentityNumber};
use relief_core::roll::{HouseholdToken, RollStatus};
use relief_ledger::storage::queries::{self, RollPerson};
use relief_ledger::storage::{Db, StorageError, Value};
use relief_ledger::{Ledger, ServiceError, Storage};
use relief_testkit::roll::{self, HEADER, RollRow, RollSpec};
use sha2::{Digest, Sha256};

const CAMPAIGN: &str = "gyeonggi-2020";

fn secret<S: Storage>(ledger: &Ledger<S>) -> CampaignSecret {
    let row = ledger
        .storage()
        .read(|db: &mut dyn Db| queries::campaign(db, CAMPAIGN))
        .unwrap()
        .unwrap();
    CampaignSecret::from_bytes(row.secret).unwrap()
}

fn person<S: Storage>(ledger: &Ledger<S>, rrn: &str) -> Option<RollPerson> {
    let key = IdentityNumber::parse(rrn)
        .unwrap()
        .beneficiary_key(&secret(ledger));
    ledger
        .storage()
        .read(|db: &mut dyn Db| queries::roll_person(db, CAMPAIGN, key.as_bytes()))
        .unwrap()
}

fn household_size<S: Storage>(ledger: &Ledger<S>, household_id: &str) -> i64 {
    let token = HouseholdToken::of(&secret(ledger), household_id);
    ledger
        .storage()
        .read(|db: &mut dyn Db| queries::household_size(db, CAMPAIGN, token.as_bytes()))
        .unwrap()
}

fn file(rows: &[RollRow]) -> String {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(&r.csv_line());
        text.push('\n');
    }
    text
}

fn sizes(rows: &[RollRow]) -> BTreeMap<&str, i64> {
    let mut sizes = BTreeMap::new();
    for r in rows.iter().filter(|r| r.status != "removed") {
        *sizes.entry(r.household_id.as_str()).or_default() += 1;
    }
    sizes
}

/// Every value the ledger's roll tables hold.
fn stored_values<S: Storage>(ledger: &Ledger<S>) -> Vec<Value> {
    ledger
        .storage()
        .read(|db: &mut dyn Db| -> Result<_, StorageError> {
            let mut values = Vec::new();
            for table in ["roll_person", "roll_version"] {
                for row in db.query(&format!("SELECT * FROM {table}"), &[])? {
                    values.extend(row.values().iter().cloned());
                }
            }
            Ok(values)
        })
        .unwrap()
}

fn a_roll_is_kept_keyed_and_households_are_counted_from_it<S: Storage>(b: Backend<S>) {
    // More people than a round holds (4,096): rounds add up.
    let rows = roll::rows(&RollSpec::one_sigungu(5_000));
    let report = b
        .ledger
        .import_roll(CAMPAIGN, file(&rows).as_bytes())
        .unwrap();
    assert_eq!(report.version, 1);
    assert!(!report.already_imported);
    assert_eq!(report.rows, rows.len() as u64);
    assert_eq!(report.changed, rows.len() as u64);
    assert_eq!(report.unchanged, 0);
    assert!(report.invalid.is_empty(), "{:?}", report.invalid);
    let sizes = sizes(&rows);
    assert_eq!(report.households, sizes.len() as u64);

    for r in rows.iter().step_by(29) {
        let p = person(&b.ledger, &r.rrn).expect("on the roll");
        let id = IdentityNumber::parse(&r.rrn).unwrap();
        assert_eq!(p.masked, id.masked().to_string());
        assert_eq!(
            (p.sigungu.as_str(), p.eupmyeondong.as_str()),
            (r.sigungu.as_str(), r.eupmyeondong.as_str())
        );
        assert_eq!(p.status.code(), r.status);
        assert_eq!(p.version, 1);
        assert_eq!(
            household_size(&b.ledger, &r.household_id),
            sizes[r.household_id.as_str()]
        );
    }

    // Neither an identity number nor a household number is kept.
    let plain: HashSet<&str> = rows
        .iter()
        .flat_map(|r| [r.rrn.as_str(), r.household_id.as_str()])
        .collect();
    for value in stored_values(&b.ledger) {
        match value {
            Value::Text(text) => assert!(!plain.contains(text.as_str()), "kept in plain"),
            Value::Bytes(bytes) => assert!(
                std::str::from_utf8(&bytes).map_or(true, |t| !plain.contains(t)),
                "kept in plain"
            ),
            Value::Int(_) | Value::Null => {}
        }
    }
}

fn a_file_sent_again_changes_nothing<S: Storage>(b: Backend<S>) {
    let text = roll::csv(&RollSpec::one_sigungu(500));
    let first = b.ledger.import_roll(CAMPAIGN, text.as_bytes()).unwrap();
    let again = b.ledger.import_roll(CAMPAIGN, text.as_bytes()).unwrap();
    assert!(again.already_imported);
    assert_eq!((again.version, again.changed), (first.version, 0));
    let versions = b
        .ledger
        .storage()
        .read(|db: &mut dyn Db| db.query("SELECT version FROM roll_version", &[]))
        .unwrap();
    assert_eq!(versions.len(), 1);
}

fn a_change_file_is_the_next_version_and_changes_only_whom_it_changes<S: Storage>(b: Backend<S>) {
    let rows = roll::rows(&RollSpec::one_sigungu(1_000));
    b.ledger
        .import_roll(CAMPAIGN, file(&rows).as_bytes())
        .unwrap();
    let family = rows
        .iter()
        .find(|r| {
            rows.iter()
                .filter(|o| o.household_id == r.household_id)
                .count()
                >= 3
        })
        .unwrap()
        .household_id
        .clone();
    let members: Vec<&RollRow> = rows.iter().filter(|r| r.household_id == family).collect();
    let before = household_size(&b.ledger, &family);

    let mut moved_out = members[0].clone();
    moved_out.status = "removed";
    let mut corrected = members[1].clone();
    corrected.eupmyeondong = "4111199900".into();
    let mut newborn = members[2].clone();
    newborn.rrn = relief_core::identity::synthetic::number(
        chrono::NaiveDate::from_ymd_opt(2020, 4, 2).unwrap(),
        false,
        true,
        99_999,
    )
    .to_string();
    newborn.registered_since = chrono::NaiveDate::from_ymd_opt(2020, 4, 2).unwrap();
    let same = rows
        .iter()
        .find(|r| r.household_id != family)
        .unwrap()
        .clone();
    let changes = file(&[
        moved_out.clone(),
        corrected.clone(),
        newborn.clone(),
        same.clone(),
    ]);

    let report = b.ledger.import_roll(CAMPAIGN, changes.as_bytes()).unwrap();
    assert_eq!(report.version, 2);
    assert_eq!((report.rows, report.changed, report.unchanged), (4, 3, 1));
    assert_eq!(
        person(&b.ledger, &moved_out.rrn).unwrap().status,
        RollStatus::Removed
    );
    let p = person(&b.ledger, &corrected.rrn).unwrap();
    assert_eq!((p.eupmyeondong.as_str(), p.version), ("4111199900", 2));
    assert_eq!(person(&b.ledger, &newborn.rrn).unwrap().version, 2);
    assert_eq!(person(&b.ledger, &same.rrn).unwrap().version, 1);
    // One moved out, one born: the household is as large as before.
    assert_eq!(household_size(&b.ledger, &family), before);
}

fn bad_rows_are_named_by_line_without_the_number<S: Storage>(b: Backend<S>) {
    let rows = roll::rows(&RollSpec::one_sigungu(20));
    let good = &rows[0];
    let foreign = roll::rows(&RollSpec::one_sigungu(5_000))
        .into_iter()
        .find(|r| r.status == "permanent_resident")
        .unwrap();
    let line = |r: &RollRow| r.csv_line();
    let text = [
        HEADER.to_owned(),
        line(good),
        line(&RollRow {
            rrn: "12345".into(),
            ..good.clone()
        }),
        line(&RollRow {
            status: "tourist",
            ..rows[1].clone()
        }),
        line(&RollRow {
            sigungu: "11110".into(),
            ..rows[2].clone()
        }),
        line(&rows[3]).replace(
            &rows[3].registered_since.format("%Y-%m-%d").to_string(),
            "2020-02-30",
        ),
        line(good),
        line(&RollRow {
            status: "resident",
            ..foreign.clone()
        }),
        format!("{},{}", rows[4].rrn, rows[4].household_id),
        line(&RollRow {
            household_id: String::new(),
            ..rows[5].clone()
        }),
        line(&rows[6]),
        line(&RollRow {
            household_id: "H".repeat(41),
            ..rows[7].clone()
        }),
        line(&RollRow {
            household_id: "H".repeat(40),
            ..rows[7].clone()
        }),
        line(&RollRow {
            eupmyeondong: "E".repeat(41),
            ..rows[8].clone()
        }),
        line(&RollRow {
            eupmyeondong: "E".repeat(40),
            ..rows[9].clone()
        }),
    ]
    .join("\n");
    // A row that is not text, and the file goes on after it.
    let mut text = text.into_bytes();
    text.extend_from_slice(b"\n\xff\xfe,x\n");
    text.extend_from_slice(line(&rows[11]).as_bytes());
    let report = b.ledger.import_roll(CAMPAIGN, &text).unwrap();
    let lines: Vec<u64> = report.invalid.iter().map(|(line, _)| *line).collect();
    assert_eq!(
        lines,
        [3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16],
        "{:?}",
        report.invalid
    );
    assert_eq!((report.rows, report.changed, report.unchanged), (16, 5, 0));
    assert_eq!(report.invalid[10].1, "CSV 형식이 올바르지 않습니다");
    assert!(person(&b.ledger, &rows[11].rrn).is_some());
    assert!(
        report.invalid[4].1.contains("2번째 줄"),
        "{:?}",
        report.invalid[4]
    );
    let numbers: Vec<&str> = rows
        .iter()
        .chain([&foreign])
        .map(|r| r.rrn.as_str())
        .collect();
    for (_, reason) in &report.invalid {
        for n in &numbers {
            assert!(
                !reason.contains(&n[..6]) || !reason.contains(&n[7..]),
                "{reason}"
            );
        }
        assert!(!reason.contains(&rows[4].household_id), "{reason}");
    }
    assert!(person(&b.ledger, &rows[6].rrn).is_some());
    assert!(person(&b.ledger, &rows[1].rrn).is_none());

    let wrong_header = b.ledger.import_roll(CAMPAIGN, b"rrn,household\n");
    assert!(
        matches!(
            wrong_header,
            Err(ServiceError::BadRequest {
                code: "invalid_csv",
                ..
            })
        ),
        "{wrong_header:?}"
    );
    // A file that is not a roll took no version: the next one is 2.
    let next = b
        .ledger
        .import_roll(CAMPAIGN, file(&rows[10..]).as_bytes())
        .unwrap();
    assert_eq!(next.version, 2);
}

fn a_file_cut_short_is_finished_under_its_own_version<S: Storage>(b: Backend<S>) {
    let text = roll::csv(&RollSpec::one_sigungu(300));
    let sha256: [u8; 32] = Sha256::digest(text.as_bytes()).into();
    // As if an import had taken its version and stopped before its end.
    let version = b
        .ledger
        .storage()
        .transaction(|db: &mut dyn Db| {
            queries::reserve_roll_version(db, CAMPAIGN, &sha256, "2020-03-24T09:00:00")
        })
        .unwrap()
        .unwrap();
    let report = b.ledger.import_roll(CAMPAIGN, text.as_bytes()).unwrap();
    assert_eq!((report.version, report.already_imported), (version, false));
    let again = b.ledger.import_roll(CAMPAIGN, text.as_bytes()).unwrap();
    assert!(again.already_imported);
    // Two takers of a version at once: the file's key lets one win, and
    // the other is told to wait, not failed.
    let twice = b
        .ledger
        .storage()
        .transaction(|db: &mut dyn Db| {
            queries::reserve_roll_version(db, CAMPAIGN, &sha256, "2020-03-24T09:00:00")
        })
        .unwrap();
    assert_eq!(twice, None);
    // While one import holds the next version, another file waits its turn.
    let other = roll::csv(&RollSpec {
        seed: 7,
        ..RollSpec::one_sigungu(10)
    });
    let taken = b
        .ledger
        .storage()
        .transaction(|db: &mut dyn Db| {
            queries::reserve_roll_version(db, CAMPAIGN, &[9u8; 32], "2020-03-24T09:00:00")
        })
        .unwrap();
    assert_eq!(taken, Some(version + 1));
    let refused = b.ledger.import_roll(CAMPAIGN, other.as_bytes());
    assert!(
        matches!(
            refused,
            Err(ServiceError::Conflict {
                code: "roll_import_running",
                ..
            })
        ),
        "{refused:?}"
    );
}

/// Every page of a terminal's download from `from`, as it asks for them.
fn download<S: Storage>(
    b: &Backend<S>,
    terminal: &Terminal,
    from: u64,
    limit: u32,
) -> Vec<relief_protocol::RollPage> {
    let key = relief_protocol::LedgerKey::from_hex(&terminal.enrolled.ledger_key).unwrap();
    let mut pages: Vec<relief_protocol::RollPage> = Vec::new();
    let mut after = relief_protocol::RollCursor::start();
    let mut upto = None;
    loop {
        let page = b
            .ledger
            .roll_page(&terminal.row, from, upto, &after, limit)
            .unwrap();
        page.verify(&key).expect("signed by the ledger");
        assert_eq!(page.after, after);
        assert_eq!(
            page.total.is_some(),
            pages.is_empty(),
            "a total on the first page only"
        );
        assert!(page.people.len() <= limit as usize);
        upto = Some(page.upto_version);
        let next = page.next.clone();
        pages.push(page);
        match next {
            Some(next) => after = next,
            None => return pages,
        }
    }
}

fn a_terminal_downloads_its_sigungu_by_household_then_what_changed<S: Storage>(b: Backend<S>) {
    let spec = RollSpec {
        sigungu: vec!["41110".into(), "41130".into()],
        ..RollSpec::one_sigungu(3_000)
    };
    let rows = roll::rows(&spec);
    b.ledger
        .import_roll(CAMPAIGN, file(&rows).as_bytes())
        .unwrap();
    let terminal = enroll(&b.ledger, "41110-515", "center");
    let secret = terminal.secret();
    let key_of = |rrn: &str| {
        IdentityNumber::parse(rrn)
            .unwrap()
            .beneficiary_key(&secret)
            .to_hex()
    };

    let pages = download(&b, &terminal, 0, 300);
    assert!(pages.len() > 3, "several pages");
    let people: Vec<&relief_protocol::RollMember> = pages.iter().flat_map(|p| &p.people).collect();
    assert_eq!(pages[0].total, Some(people.len() as u64));
    assert!(
        pages
            .iter()
            .all(|p| (p.from_version, p.upto_version) == (0, 1))
    );
    // Nothing missed, nothing twice, no one of another 시군.
    let ours: BTreeMap<String, &RollRow> = rows
        .iter()
        .filter(|r| r.sigungu == "41110")
        .map(|r| (key_of(&r.rrn), r))
        .collect();
    let got: BTreeMap<String, &relief_protocol::RollMember> =
        people.iter().map(|m| (m.key.clone(), *m)).collect();
    assert_eq!(got.len(), people.len(), "someone came twice");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        ours.keys().collect::<Vec<_>>()
    );
    // A household is one serial, and one serial one household.
    let mut serial_of: BTreeMap<&str, u64> = BTreeMap::new();
    let mut household_of: BTreeMap<u64, &str> = BTreeMap::new();
    for (key, member) in &got {
        let row = ours[key];
        assert_eq!(
            member.masked,
            IdentityNumber::parse(&row.rrn)
                .unwrap()
                .masked()
                .to_string()
        );
        assert_eq!(member.eupmyeondong, row.eupmyeondong);
        assert_eq!(member.status.code(), row.status);
        assert_eq!(
            *serial_of
                .entry(&row.household_id)
                .or_insert(member.household),
            member.household
        );
        assert_eq!(
            *household_of
                .entry(member.household)
                .or_insert(&row.household_id),
            row.household_id
        );
    }
    // In household order, each household whole within the download.
    let order: Vec<(u64, &str)> = people
        .iter()
        .map(|m| (m.household, m.key.as_str()))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));

    // A change file: one moves to the other 시군, one dies, one is born
    // there, and one of the other 시군 moves here into a new household.
    let here: Vec<&RollRow> = ours.values().copied().collect();
    let mut moved = here[0].clone();
    moved.sigungu = "41130".into();
    moved.eupmyeondong = "4113000100".into();
    let mut died = here[1].clone();
    died.status = "removed";
    let mut came = rows.iter().find(|r| r.sigungu == "41130").unwrap().clone();
    came.sigungu = "41110".into();
    came.eupmyeondong = "4111000100".into();
    came.household_id = "H-NEW-1".into();
    let mut born = rows.iter().find(|r| r.sigungu == "41130").unwrap().clone();
    born.rrn = relief_core::identity::synthetic::number(
        chrono::NaiveDate::from_ymd_opt(2020, 4, 2).unwrap(),
        false,
        false,
        77_777,
    )
    .to_string();
    b.ledger
        .import_roll(
            CAMPAIGN,
            file(&[moved.clone(), died.clone(), came.clone(), born.clone()]).as_bytes(),
        )
        .unwrap();
    let changes = download(&b, &terminal, 1, 2);
    let changed: BTreeMap<String, &relief_protocol::RollMember> = changes
        .iter()
        .flat_map(|p| &p.people)
        .map(|m| (m.key.clone(), m))
        .collect();
    assert_eq!(changes[0].total, Some(4));
    assert_eq!(changed.len(), 4, "every change of the campaign, each once");
    assert!(
        changes
            .iter()
            .all(|p| (p.from_version, p.upto_version) == (1, 2))
    );
    assert_eq!(changed[&key_of(&moved.rrn)].sigungu, "41130");
    assert_eq!(changed[&key_of(&died.rrn)].status, RollStatus::Removed);
    let came_in = changed[&key_of(&came.rrn)];
    assert_eq!(came_in.sigungu, "41110");
    assert!(
        !household_of.contains_key(&came_in.household),
        "a new household, a new serial"
    );
    // The moved one keeps their household's serial.
    assert_eq!(
        changed[&key_of(&moved.rrn)].household,
        got[&key_of(&moved.rrn)].household
    );
    // Nothing newer: a download from 2 to 2 brings nobody.
    let none = b
        .ledger
        .roll_page(
            &terminal.row,
            2,
            None,
            &relief_protocol::RollCursor::start(),
            10,
        )
        .unwrap();
    assert_eq!(
        (none.upto_version, none.people.len(), none.next),
        (2, 0, None)
    );

    // Versions not complete or backwards, and limits out of range, are refused.
    let start = relief_protocol::RollCursor::start();
    for (from, upto, limit) in [
        (0, Some(3), 10),
        (2, Some(1), 10),
        (0, None, 0),
        (0, None, 50_001),
    ] {
        match b.ledger.roll_page(&terminal.row, from, upto, &start, limit) {
            Err(ServiceError::BadRequest { .. }) => {}
            other => panic!("{from} {upto:?} {limit}: {other:?}"),
        }
    }
}

on_both! {
    a_terminal_downloads_its_sigungu_by_household_then_what_changed => super::a_terminal_downloads_its_sigungu_by_household_then_what_changed;
    a_roll_is_kept_keyed_and_households_are_counted_from_it => super::a_roll_is_kept_keyed_and_households_are_counted_from_it;
    a_file_sent_again_changes_nothing => super::a_file_sent_again_changes_nothing;
    a_change_file_is_the_next_version_and_changes_only_whom_it_changes => super::a_change_file_is_the_next_version_and_changes_only_whom_it_changes;
    bad_rows_are_named_by_line_without_the_number => super::bad_rows_are_named_by_line_without_the_number;
    a_file_cut_short_is_finished_under_its_own_version => super::a_file_cut_short_is_finished_under_its_own_version;
}
