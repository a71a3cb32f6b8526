//! A ledger written by the first schema, opened by this one: every payment
//! kept (the one that stood first), online files sent twice made one,
//! conflicts and acceptances named by their payments, and the people
//! settled from there on as any other. On SQLite and on PostgreSQL.

mod common;

use chrono::NaiveDate;
use relief_ledger::storage::{Db, Param};
use relief_ledger::{Ledger, PostgresStorage, SqliteStorage, Storage};
use relief_protocol::{CardDisposition, Event, EventBody, Outcome, PushRequest, VoidPayload};
use sha2::{Digest, Sha256};

mod sqlite_v1 {
    refinery::embed_migrations!("../../migrations/ledger/sqlite");
}
mod postgres_v1 {
    refinery::embed_migrations!("../../migrations/ledger/postgres");
}

fn key(n: u8) -> String {
    hex::encode([n; 32])
}

/// Rows as the first schema held them, `blob` writing a BLOB literal.
fn first_schema_rows(blob: fn(&str) -> String) -> String {
    let token = |t: &str| hex::encode(Sha256::digest(t.as_bytes()));
    let policy = relief_core::policy::builtin::GYEONGGI_2020.replace('\'', "''");
    let (k1, k2, k3, k4) = (blob(&key(1)), blob(&key(2)), blob(&key(3)), blob(&key(4)));
    format!(
        "INSERT INTO campaign (id, secret, created_at) VALUES ('gyeonggi-2020', {secret}, '2020-04-01T00:00:00');
         INSERT INTO campaign_policy (campaign_id, version, toml, signature, published_at)
             VALUES ('gyeonggi-2020', '2020.1', '{policy}', 'unsigned', '2020-04-01T00:00:00');
         INSERT INTO terminal (id, token_hash, campaign_id, site_code, site_name, site_type, sigungu, enrolled_at, next_seq)
             VALUES ('t1', {t1}, 'gyeonggi-2020', 'A', 'A 창구', 'center', '41110', '2020-04-01T00:00:00', 3),
                    ('t2', {t2}, 'gyeonggi-2020', 'B', 'B 창구', 'nh', '41110', '2020-04-01T00:00:00', 2);
         INSERT INTO issuance (id, terminal_id, issued_at, verification, total_krw, received_at)
             VALUES ('i1', 't1', '2020-05-18T10:00:00', 'offline', 100000, '2020-05-18T12:00:00'),
                    ('i2', 't2', '2020-05-18T09:00:00', 'offline', 100000, '2020-05-18T12:00:01'),
                    ('i3', 't1', '2020-05-18T11:00:00', 'online', 100000, '2020-05-18T11:00:05');
         INSERT INTO issuance_beneficiary (issuance_id, position, beneficiary_key, sigungu, household_size, amount_krw, shares)
             VALUES ('i1', 0, {k1}, '41110', 1, 100000, '{{}}'),
                    ('i2', 0, {k1}, '41110', 1, 100000, '{{}}'),
                    ('i3', 0, {k2}, '41110', 1, 100000, '{{}}');
         INSERT INTO void (issuance_id, void_id, voided_at, reason, card_disposition, received_at)
             VALUES ('i3', 'v3', '2020-05-18T11:30:00', '착오', 'returned', '2020-05-18T11:30:05');
         INSERT INTO online_payment (campaign_id, beneficiary_key, sigungu, amount_krw, issuer, paid_at, imported_at)
             VALUES ('gyeonggi-2020', {k3}, '41110', 100000, '카드사', '2020-04-10T10:00:00', '2020-04-11T00:00:00'),
                    ('gyeonggi-2020', {k3}, '41110', 100000, '카드사', '2020-04-10T10:00:00', '2020-04-12T00:00:00');
         INSERT INTO entitlement (campaign_id, beneficiary_key, state, terminal_id, issuance_id, channel, site, sigungu, at, expires_at)
             VALUES ('gyeonggi-2020', {k1}, 'paid', 't1', 'i1', 'center', 'A 창구', '41110', '2020-05-18T10:00:00', NULL),
                    ('gyeonggi-2020', {k3}, 'paid', NULL, NULL, 'online', '카드사', '41110', '2020-04-10T10:00:00', NULL),
                    ('gyeonggi-2020', {k4}, 'claimed', 't2', NULL, 'nh', 'B 창구', NULL, '2020-05-18T12:00:00', '2020-05-18T12:15:00');
         INSERT INTO conflict (id, campaign_id, beneficiary_key,
                 standing_issuance_id, standing_terminal_id, standing_channel, standing_site, standing_at,
                 other_issuance_id, other_terminal_id, other_channel, other_site, other_at, detected_at, status)
             VALUES ('c1', 'gyeonggi-2020', {k1}, 'i1', 't1', 'center', 'A 창구', '2020-05-18T10:00:00',
                     'i2', 't2', 'nh', 'B 창구', '2020-05-18T09:00:00', '2020-05-18T12:00:01', 'open');",
        secret = blob(&hex::encode([7u8; 32])),
        t1 = blob(&token("token-1")),
        t2 = blob(&token("token-2")),
    )
}

fn clock() -> relief_ledger::Clock {
    std::sync::Arc::new(|| {
        NaiveDate::from_ymd_opt(2020, 5, 18)
            .unwrap()
            .and_hms_opt(13, 0, 0)
            .unwrap()
    })
}

fn rows(ledger: &Ledger<impl Storage>, sql: &str) -> Vec<Vec<String>> {
    ledger
        .storage()
        .read(|db: &mut dyn Db| db.query(sql, &[]))
        .unwrap()
        .iter()
        .map(|r| {
            r.values()
                .iter()
                .map(|v| match v {
                    relief_ledger::storage::Value::Null => "NULL".to_owned(),
                    relief_ledger::storage::Value::Int(i) => i.to_string(),
                    relief_ledger::storage::Value::Text(t) => t.clone(),
                    relief_ledger::storage::Value::Bytes(b) => hex::encode(&b[..1]),
                })
                .collect()
        })
        .collect()
}

fn the_first_schemas_rows_are_all_there<S: Storage>(ledger: &Ledger<S>) {
    let payments = rows(
        ledger,
        "SELECT beneficiary_key, payment_ref, channel FROM payment ORDER BY id",
    );
    // The payments that stood come first, then the rest, each in the
    // order received: i1 stood for person 1 (the first schema said so),
    // so it stays ahead of i2; the online file sent twice is one payment.
    let refs: Vec<(&str, &str)> = payments
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        refs,
        [
            ("03", "online:카드사:2020-04-10T10:00:00"),
            ("01", "issuance:i1"),
            ("02", "issuance:i3"),
            ("01", "issuance:i2"),
        ]
    );
    let people = rows(
        ledger,
        "SELECT beneficiary_key, state, standing_ref FROM entitlement ORDER BY beneficiary_key",
    );
    assert_eq!(
        people,
        [
            vec!["01", "in_conflict", "issuance:i1"],
            vec!["02", "unpaid", "NULL"],
            vec!["03", "paid", "online:카드사:2020-04-10T10:00:00"],
        ],
        "the claim was not carried over"
    );
    assert_eq!(
        rows(
            ledger,
            "SELECT standing_ref, other_ref, status FROM conflict"
        ),
        [vec!["issuance:i1", "issuance:i2", "open"]]
    );
    // The later side of the open conflict is held (its cards, once the
    // ledger knows of any, stay empty).
    assert_eq!(
        rows(ledger, "SELECT payment_ref FROM payment WHERE held = 1"),
        [vec!["issuance:i2"]]
    );

    // From here on people are settled as any other: A voids i1, B's stands.
    let terminal = ledger.authenticate("token-1").unwrap();
    let void = Event {
        seq: 3,
        event_id: "e-void".into(),
        created_at: NaiveDate::from_ymd_opt(2020, 5, 18)
            .unwrap()
            .and_hms_opt(13, 0, 0)
            .unwrap(),
        body: EventBody::Void(VoidPayload {
            void_id: "v1".into(),
            issuance_id: "i1".into(),
            voided_at: NaiveDate::from_ymd_opt(2020, 5, 18)
                .unwrap()
                .and_hms_opt(13, 0, 0)
                .unwrap(),
            voided_by: "S001".into(),
            reason: "카드 회수".into(),
            card_disposition: CardDisposition::Returned,
        }),
    };
    let answer = ledger
        .push(
            &terminal,
            &PushRequest {
                terminal_id: "t1".into(),
                events: vec![void],
            },
        )
        .unwrap();
    assert_eq!(answer.verdicts[0].outcome, Outcome::Accepted);
    assert_eq!(
        rows(
            ledger,
            "SELECT state, standing_ref FROM entitlement WHERE standing_ref = 'issuance:i2'"
        ),
        [vec!["paid", "issuance:i2"]]
    );
    assert_eq!(
        rows(ledger, "SELECT status FROM conflict"),
        [vec!["resolved_by_void"]]
    );
    assert!(rows(ledger, "SELECT payment_ref FROM payment WHERE held = 1").is_empty());
}

/// Each column holding a code of a closed set takes that set's codes and
/// nothing else, whichever writes it.
fn the_database_refuses_a_code_not_of_its_set<S: Storage>(ledger: &Ledger<S>) {
    let exec = |sql: &str, params: &[Param]| {
        ledger
            .storage()
            .transaction(|db: &mut dyn Db| db.exec(sql, params))
    };
    let digest = [0u8; 32];
    for (table, column, row, good) in [
        ("terminal", "site_type", "id = 't1'", "nh"),
        ("issuance", "verification", "id = 'i1'", "online"),
        (
            "void",
            "card_disposition",
            "issuance_id = 'i3'",
            "destroyed",
        ),
        ("conflict", "standing_channel", "id = 'c1'", "online"),
        ("conflict", "other_channel", "id = 'c1'", "center"),
    ] {
        let set = |code: &str| {
            exec(
                &format!("UPDATE {table} SET {column} = $1 WHERE {row}"),
                &[code.into()],
            )
        };
        assert!(
            set("mall").is_err(),
            "{table}.{column} took an unknown code"
        );
        assert_eq!(set(good).unwrap(), 1, "{table}.{column} refused {good}");
    }
    let event = |kind: &str, seq: i64| {
        exec(
            "INSERT INTO event (terminal_id, seq, event_id, kind, body_sha256, received_at)
             VALUES ('t1', $1, $2, $3, $4, '2020-05-18T13:00:00')",
            &[
                seq.into(),
                format!("e{seq}").as_str().into(),
                kind.into(),
                digest.as_slice().into(),
            ],
        )
    };
    assert!(event("refund", 90).is_err());
    assert_eq!(event("visit_ended", 91).unwrap(), 1);
    let feed = |channel: Option<&str>| {
        exec(
            "INSERT INTO feed (campaign_id, kind, sigungu, beneficiary_key, channel, site, at, token)
             VALUES ('gyeonggi-2020', 'paid', '41110', $1, $2, 'A 창구', '2020-05-18T13:00:00', 1)",
            &[digest.as_slice().into(), channel.into()],
        )
    };
    assert!(feed(Some("mobile")).is_err());
    assert_eq!(feed(Some("online")).unwrap(), 1);
    // A row of the feed that is not a payment has no channel.
    assert_eq!(feed(None).unwrap(), 1);
}

#[test]
fn a_first_schema_ledger_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    sqlite_v1::migrations::runner()
        .set_target(refinery::Target::Version(1))
        .run(&mut conn)
        .unwrap();
    conn.execute_batch(&first_schema_rows(|h| format!("x'{h}'")))
        .unwrap();
    drop(conn);
    let ledger = Ledger::new(SqliteStorage::open(&path).unwrap(), clock()).unwrap();
    the_first_schemas_rows_are_all_there(&ledger);
    the_database_refuses_a_code_not_of_its_set(&ledger);
}

#[test]
fn a_first_schema_ledger_on_postgres() {
    let Some(schema) =
        relief_testkit::postgres::Schema::create("a_first_schema_ledger_on_postgres")
    else {
        return;
    };
    let mut client = postgres::Client::connect(&schema.url(), postgres::NoTls).unwrap();
    postgres_v1::migrations::runner()
        .set_target(refinery::Target::Version(1))
        .run(&mut client)
        .unwrap();
    client
        .batch_execute(&first_schema_rows(|h| format!("'\\x{h}'::bytea")))
        .unwrap();
    drop(client);
    let ledger = Ledger::new(PostgresStorage::connect(&schema.url()).unwrap(), clock()).unwrap();
    the_first_schemas_rows_are_all_there(&ledger);
    the_database_refuses_a_code_not_of_its_set(&ledger);
}
