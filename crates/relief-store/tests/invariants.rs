//! The database holds the invariants itself: writes that bypass the store's
//! code are refused by constraints and triggers, a row altered by hand is
//! named by `verify`, and no plain identity number ever reaches the disk.

mod common;

use common::*;
use relief_store::*;
use rusqlite::Connection;

fn raw(t: &Terminal) -> Connection {
    raw_of(t)
}

fn refused_with(conn: &Connection, sql: &str, expected: &str) {
    let error = conn.execute_batch(sql).expect_err(sql);
    assert!(error.to_string().contains(expected), "{sql}: {error}");
}

#[test]
fn history_cannot_be_rewritten() {
    let mut t = setup();
    let issued = t
        .store
        .issue(&t.clerk, solo(&person(1), &["GG-0001"]), free_day())
        .unwrap();
    let conn = raw(&t);
    let id = &issued.issuance_id;
    for sql in [
        format!("UPDATE issuance SET total_krw = 1 WHERE id = '{id}'"),
        format!("DELETE FROM issuance WHERE id = '{id}'"),
        format!("UPDATE issuance_card SET amount_krw = 1 WHERE issuance_id = '{id}'"),
        format!("DELETE FROM issuance_beneficiary WHERE issuance_id = '{id}'"),
        "UPDATE card_event SET state = 'in_stock'".to_owned(),
        "DELETE FROM outbox".to_owned(),
        "UPDATE audit_log SET content = '{}'".to_owned(),
        "DELETE FROM audit_log WHERE seq = 1".to_owned(),
        "DELETE FROM sign_in_attempt".to_owned(),
        "UPDATE site SET demo = 0".to_owned(),
    ] {
        refused_with(&conn, &sql, "append_only");
    }
}

#[test]
fn the_database_refuses_a_second_active_payment_and_a_card_out_of_stock() {
    let mut t = setup();
    let issued = t
        .store
        .issue(&t.clerk, solo(&person(1), &["GG-0001"]), free_day())
        .unwrap();
    let conn = raw(&t);
    let id = &issued.issuance_id;
    // A second issuance row copying the first, then its beneficiary: refused.
    conn.execute_batch(&format!(
        "INSERT INTO issuance SELECT 'forged', campaign_id, policy_version, site_code, clerk_id, issued_at,
            applicant_masked, applicant_name, applicant_id_document, verification, offline_approved_by,
            decision_window, total_krw, roll_version, offline_approval_id FROM issuance WHERE id = '{id}'"
    ))
    .unwrap();
    refused_with(
        &conn,
        &format!(
            "INSERT INTO issuance_beneficiary SELECT 'forged', position, campaign_id, beneficiary_key, masked, name,
                relation, household_size, sigungu FROM issuance_beneficiary WHERE issuance_id = '{id}'"
        ),
        "beneficiary_already_paid",
    );
    // The card already issued cannot go out again, nor can one never received.
    refused_with(
        &conn,
        "INSERT INTO issuance_card (issuance_id, position, serial, amount_krw) VALUES ('forged', 0, 'GG-0001', 1000)",
        "card_not_in_stock",
    );
    refused_with(
        &conn,
        "INSERT INTO issuance_card (issuance_id, position, serial, amount_krw) VALUES ('forged', 0, 'NEVER', 1000)",
        "card_not_in_stock",
    );
    refused_with(
        &conn,
        "INSERT INTO issuance_card (issuance_id, position, serial, amount_krw) VALUES ('forged', 0, 'GG-0002', 9000000)",
        "card_face_value_exceeded",
    );
    // Only a supervisor voids, and a card changes state only along its lifecycle.
    refused_with(
        &conn,
        &format!(
            "INSERT INTO void (id, issuance_id, voided_at, voided_by, reason, card_disposition) VALUES ('v1', '{id}', '2020-05-18T11:00:00', '{CLERK}', 'x', 'returned')"
        ),
        "supervisor_required",
    );
    refused_with(
        &conn,
        &format!(
            "INSERT INTO card_event (serial, state, at, actor, cause, cause_id) VALUES ('GG-0002', 'returned', 'x', '{SUPERVISOR}', 'void', 'v')"
        ),
        "card_state_transition",
    );
    refused_with(
        &conn,
        &format!(
            "INSERT INTO card_event (serial, state, at, actor, cause, cause_id) VALUES ('GG-0003', 'lost', 'x', '{CLERK}', 'adjust', 'a')"
        ),
        "supervisor_required",
    );
    // A card returned with a void stays out: the ledger blocks it, so it
    // is neither issued again nor lost and found back into stock.
    let voided = t
        .store
        .issue(&t.clerk, solo(&person(3), &["GG-0004"]), free_day())
        .unwrap();
    let supervisor = t.supervisor.clone();
    t.store
        .void(
            &supervisor,
            &voided.issuance_id,
            "착오",
            CardDisposition::Returned,
            free_day(),
        )
        .unwrap();
    refused_with(
        &conn,
        "INSERT INTO issuance_card (issuance_id, position, serial, amount_krw) VALUES ('forged', 0, 'GG-0004', 1000)",
        "card_not_in_stock",
    );
    refused_with(
        &conn,
        &format!(
            "INSERT INTO card_event (serial, state, at, actor, cause, cause_id) VALUES ('GG-0004', 'lost', 'x', '{SUPERVISOR}', 'adjust', 'a')"
        ),
        "card_state_transition",
    );
    conn.execute(
        &format!(
            "INSERT INTO card_event (serial, state, at, actor, cause, cause_id) VALUES ('GG-0004', 'damaged', 'x', '{SUPERVISOR}', 'adjust', 'a')"
        ),
        [],
    )
    .unwrap();
    // Sequences have no gaps.
    refused_with(
        &conn,
        "INSERT INTO outbox (seq, event_id, kind, subject_id, payload, created_at) VALUES (5, 'e', 'void', 's', '{}', 'x')",
        "outbox_sequence_gap",
    );
    // A deny-listed key cannot be paid either.
    let other = t.store.beneficiary_key(&common::id(&person(2)));
    t.store
        .add_to_deny_list(&[DenyEntry {
            key: other,
            channel: relief_core::Channel::Nh,
            site: "NH 수원".into(),
            paid_at: "x".into(),
        }])
        .unwrap();
    conn.execute_batch("INSERT INTO issuance SELECT 'forged2', campaign_id, policy_version, site_code, clerk_id, issued_at,
            applicant_masked, applicant_name, applicant_id_document, verification, offline_approved_by,
            decision_window, total_krw, roll_version, offline_approval_id FROM issuance WHERE id = 'forged'").unwrap();
    refused_with(
        &conn,
        &format!(
            "INSERT INTO issuance_beneficiary (issuance_id, position, campaign_id, beneficiary_key, masked, name, relation, household_size, sigungu)
             VALUES ('forged2', 0, 'gyeonggi-2020', X'{}', '860101-1******', 'x', 'self', 1, '41110')",
            other.to_hex()
        ),
        "beneficiary_paid_elsewhere",
    );
}

#[test]
fn altering_a_history_row_by_hand_is_named_by_verify() {
    let mut t = setup();
    let first = t
        .store
        .issue(&t.clerk, solo(&person(1), &["GG-0001"]), free_day())
        .unwrap();
    let second = t
        .store
        .issue(&t.clerk, solo(&person(2), &["GG-0002"]), free_day())
        .unwrap();
    assert!(t.store.verify_audit().unwrap().is_intact());
    let conn = raw(&t);
    // Someone with the file drops the guard and doubles an amount.
    conn.execute_batch(&format!(
        "DROP TRIGGER issuance_card_append_only_u;
         UPDATE issuance_card SET amount_krw = 200000 WHERE issuance_id = '{}';",
        second.issuance_id
    ))
    .unwrap();
    let report = t.store.verify_audit().unwrap();
    let finding = report.finding.expect("the change is found");
    match &finding {
        AuditFinding::RowsChanged {
            action, subject, ..
        } => {
            assert_eq!(action, "issued");
            assert_eq!(subject, &second.issuance_id);
        }
        other => panic!("{other:?}"),
    }
    assert!(finding.to_string().contains(&second.issuance_id));
    let _ = first;
}

#[test]
fn altered_removed_or_unrecorded_entries_are_named() {
    let mut t = setup();
    t.store
        .issue(&t.clerk, solo(&person(1), &["GG-0001"]), free_day())
        .unwrap();
    let conn = raw(&t);
    conn.execute_batch(
        "DROP TRIGGER audit_log_append_only_u; DROP TRIGGER audit_log_append_only_d;",
    )
    .unwrap();

    conn.execute_batch("UPDATE audit_log SET actor = 'S999' WHERE seq = 3")
        .unwrap();
    let finding = t.store.verify_audit().unwrap().finding.unwrap();
    assert!(
        matches!(finding, AuditFinding::EntryAltered { seq: 3, .. }),
        "{finding:?}"
    );
    conn.execute_batch(&format!(
        "UPDATE audit_log SET actor = '{SUPERVISOR}' WHERE seq = 3"
    ))
    .unwrap();
    assert!(t.store.verify_audit().unwrap().is_intact());

    conn.execute_batch("DELETE FROM audit_log WHERE seq = 4")
        .unwrap();
    let finding = t.store.verify_audit().unwrap().finding.unwrap();
    assert!(
        matches!(finding, AuditFinding::ChainBroken { seq: 5, .. }),
        "{finding:?}"
    );

    // A whole issuance slipped in without an entry.
    let t2 = setup();
    let conn = raw(&t2);
    conn.execute_batch(
        "INSERT INTO issuance VALUES ('slipped', 'gyeonggi-2020', '2020.1', 's', 'C001', '2020-05-18T10:00:00',
            '860101-1******', 'x', 'resident_card', 'online', NULL, 'w', 100000, NULL, NULL)",
    )
    .unwrap();
    let finding = t2.store.verify_audit().unwrap().finding.unwrap();
    assert_eq!(
        finding,
        AuditFinding::Unrecorded {
            table: "issuance".into(),
            id: "slipped".into()
        }
    );
}

/// Every file of the store, read while it is open (the WAL holds the
/// recent writes) and again after it is closed.
fn store_bytes(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn no_plain_identity_number_reaches_the_disk() {
    let mut t = setup();
    let numbers: Vec<_> = (100..120).map(person).collect();
    for (i, number) in numbers.iter().enumerate() {
        t.store
            .issue(
                &t.clerk,
                solo(number, &[&format!("GG-{:04}", 60 + i)]),
                free_day(),
            )
            .unwrap();
    }
    let mut images = store_bytes(t.dir.path());
    assert!(
        images
            .iter()
            .any(|(name, bytes)| name.ends_with("-wal") && !bytes.is_empty()),
        "the WAL was scanned"
    );
    let Terminal { dir, store, .. } = t;
    drop(store);
    images.extend(store_bytes(dir.path()));
    for number in &numbers {
        let hyphenated = format!("{}-{}", &number[..6], &number[6..]);
        // The tail after the gender digit is what masking hides.
        let tail = &number[7..];
        for (name, bytes) in &images {
            for needle in [number.as_bytes(), hyphenated.as_bytes(), tail.as_bytes()] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "identity digits found in {name}"
                );
            }
        }
    }
}
