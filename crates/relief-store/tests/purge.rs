//! The purge of personal data after the policy's retention: refused before
//! its day, then names, masked numbers, keys, the deny-list and the
//! campaign secret gone, every count kept, and the audit chain verifying
//! with the blanked entries named.

mod common;

use chrono::NaiveDate;
use common::*;
use relief_store::*;

fn day_after(t: &Terminal) -> chrono::NaiveDateTime {
    (t.store.personal_data_kept_until() + chrono::Days::new(1))
        .and_hms_opt(9, 0, 0)
        .unwrap()
}

struct Served {
    names: Vec<String>,
    masked: Vec<String>,
    keys: Vec<Vec<u8>>,
    deny_key: [u8; 32],
}

fn serve_some(t: &mut Terminal) -> Served {
    let (clerk, supervisor) = (t.clerk.clone(), t.supervisor.clone());
    let mut issued = Vec::new();
    for n in 0..6u32 {
        let mut request = solo(&person(300 + n), &[&format!("GG-{:04}", n + 1)]);
        request.applicant.name = format!("박서{}", char::from_u32('가' as u32 + n * 7).unwrap());
        request.beneficiaries[0].name = request.applicant.name.clone();
        issued.push(t.store.issue(&clerk, request, free_day()).unwrap());
    }
    t.store
        .void(
            &supervisor,
            &issued[1].issuance_id,
            "착오",
            CardDisposition::Returned,
            free_day(),
        )
        .unwrap();
    let deny_key = [0x5a; 32];
    t.store
        .add_to_deny_list(&[DenyEntry {
            key: relief_core::identity::BeneficiaryKey::from_bytes(deny_key),
            channel: relief_core::Channel::Online,
            site: "경기지역화폐".into(),
            paid_at: "2020-04-10T10:00:00".into(),
        }])
        .unwrap();
    ack_everything(t, free_day());
    let records = t.store.issuances_on(free_day().date()).unwrap();
    let beneficiaries: Vec<_> = records
        .iter()
        .flat_map(|r| r.beneficiaries.clone())
        .collect();
    Served {
        names: beneficiaries.iter().map(|b| b.name.clone()).collect(),
        masked: beneficiaries.iter().map(|b| b.masked.clone()).collect(),
        keys: beneficiaries
            .iter()
            .map(|b| hex::decode(&b.key).unwrap())
            .collect(),
        deny_key,
    }
}

#[test]
fn a_purge_before_its_day_or_by_a_clerk_is_refused_and_changes_nothing() {
    let mut t = setup();
    serve_some(&mut t);
    let (clerk, supervisor) = (t.clerk.clone(), t.supervisor.clone());
    let until = t.store.personal_data_kept_until();
    // The Gyeonggi policy: a year after the cards stop (2020-08-31).
    assert_eq!(until, NaiveDate::from_ymd_opt(2021, 8, 31).unwrap());
    let before = plain_bytes(&t);
    let last_day = until.and_hms_opt(23, 59, 0).unwrap();
    assert!(matches!(
        t.store.purge(&supervisor, last_day),
        Err(Error::PurgeTooEarly { until: u }) if u == until
    ));
    assert!(matches!(
        t.store.purge(&clerk, day_after(&t)),
        Err(Error::SupervisorRequired)
    ));
    assert_eq!(t.store.purged_at().unwrap(), None);
    assert_eq!(plain_bytes(&t), before);
}

#[test]
fn a_purge_waits_for_every_event_to_reach_the_ledger() {
    let mut t = setup();
    let clerk = t.clerk.clone();
    t.store
        .issue(&clerk, solo(&person(1), &["GG-0001"]), free_day())
        .unwrap();
    let supervisor = t.supervisor.clone();
    let at = day_after(&t);
    assert!(matches!(
        t.store.purge(&supervisor, at),
        Err(Error::UnsentEvents(1))
    ));
}

#[test]
fn after_the_purge_no_personal_data_is_left_and_the_counts_and_chain_stand() {
    let mut t = setup();
    let served = serve_some(&mut t);
    let supervisor = t.supervisor.clone();
    let day = free_day().date();
    let totals = |t: &Terminal| {
        let records = t.store.issuances_on(day).unwrap();
        let won: u64 = records.iter().map(|r| r.total.0).sum();
        (
            records.len(),
            won,
            t.store.issuance_count().unwrap(),
            t.store.stock().unwrap(),
        )
    };
    let before = totals(&t);
    let entries = t.store.verify_audit().unwrap().entries;
    // The scan finds what is there before.
    let bytes = plain_bytes(&t);
    assert!(served.names.iter().all(|n| contains(&bytes, n.as_bytes())));
    assert!(contains(&bytes, &[42u8; 32]), "the campaign secret");

    let at = day_after(&t);
    let purged = t.store.purge(&supervisor, at).unwrap();
    assert_eq!(
        (purged.issuances, purged.beneficiaries, purged.deny_keys),
        (6, 6, 1)
    );
    assert!(purged.audit_entries >= 6, "{purged:?}");
    assert_eq!(t.store.purged_at().unwrap(), Some(at));

    let bytes = plain_bytes(&t);
    for name in &served.names {
        assert!(!contains(&bytes, name.as_bytes()), "{name} is left");
    }
    for masked in &served.masked {
        assert!(!contains(&bytes, masked.as_bytes()), "{masked} is left");
    }
    for key in &served.keys {
        assert!(!contains(&bytes, key), "a beneficiary key is left");
        assert!(
            !contains(&bytes, hex::encode(key).as_bytes()),
            "a key in hex is left"
        );
    }
    assert!(!contains(&bytes, &served.deny_key));
    assert!(
        !contains(&bytes, &[42u8; 32]),
        "the campaign secret is left"
    );

    // The counts the reports need stand.
    assert_eq!(totals(&t), before);
    let report = t.store.verify_audit().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, entries + 1);
    assert_eq!(report.purged, purged.audit_entries);
    assert!(matches!(
        t.store.purge(&supervisor, at),
        Err(Error::AlreadyPurged(when)) if when == at
    ));
    // Opened again, the store works without its secret.
    let path = t.path();
    drop(t.store);
    let store = reopen(&path);
    assert!(store.verify_audit().unwrap().is_intact());
}

#[test]
fn a_blanked_entry_altered_after_the_purge_is_named() {
    let mut t = setup();
    serve_some(&mut t);
    let supervisor = t.supervisor.clone();
    t.store.purge(&supervisor, day_after(&t)).unwrap();
    let conn = raw_of(&t);
    let seq: i64 = conn
        .query_row(
            "SELECT min(seq) FROM audit_log WHERE content LIKE '{\"purged_sha256\"%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER audit_log_append_only_u; UPDATE audit_log SET actor = 'S999' WHERE seq = {seq};"
    ))
    .unwrap();
    let report = t.store.verify_audit().unwrap();
    assert!(
        matches!(report.finding, Some(AuditFinding::EntryAltered { .. })),
        "{report:?}"
    );
}
