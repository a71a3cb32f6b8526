//! The HTTP API refuses bad requests with the right status and a clear
//! error, and a refused request writes nothing.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use relief_ledger::storage::Db;
use relief_ledger::{Ledger, SqliteStorage, Storage};
use serde_json::{Value, json};
use tower::ServiceExt;

struct Api {
    ledger: Arc<Ledger<SqliteStorage>>,
    _backend_clock: TestClock,
}

impl Api {
    fn new() -> (Api, Box<dyn std::any::Any>) {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(&dir.path().join("l.sqlite3")).unwrap();
        let clock = TestClock(Arc::new(std::sync::atomic::AtomicI64::new(0)));
        let ledger = Arc::new(Ledger::new(storage, clock.clock()).unwrap());
        (
            Api {
                ledger,
                _backend_clock: clock,
            },
            Box::new(dir),
        )
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Body,
        content_type: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        let response = relief_ledger::http::router(self.ledger.clone())
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes)
                .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        )
    }

    async fn json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (StatusCode, Value) {
        self.call(
            method,
            path,
            token,
            Body::from(body.to_owned()),
            Some("application/json"),
        )
        .await
    }

    fn count(&self, table: &str) -> i64 {
        self.ledger
            .storage()
            .transaction(
                |db: &mut dyn Db| -> Result<i64, relief_ledger::StorageError> {
                    db.query(&format!("SELECT count(*) AS n FROM {table}"), &[])?[0].int("n")
                },
            )
            .unwrap()
    }

    /// Everything a request could have written.
    fn written(&self) -> Vec<i64> {
        [
            "terminal",
            "entitlement",
            "payment",
            "claim",
            "visit_end",
            "event",
            "issuance",
            "feed",
            "conflict",
            "enrollment_code",
        ]
        .iter()
        .map(|t| self.count(t))
        .collect()
    }
}

fn assert_error(result: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(result.0, status, "{:?}", result.1);
    assert_eq!(result.1["error"], code, "{:?}", result.1);
    assert!(!result.1["message"].as_str().unwrap_or_default().is_empty());
}

#[tokio::test]
async fn health_needs_nothing_and_everything_else_needs_a_credential() {
    let (api, _keep) = Api::new();
    let (status, body) = api.call("GET", "/healthz", None, Body::empty(), None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    for (method, path) in [
        ("POST", "/v1/claims"),
        ("POST", "/v1/push"),
        ("GET", "/v1/pull"),
        ("GET", "/v1/conflicts/x"),
        ("GET", "/metrics"),
        ("POST", "/v1/admin/enrollment-codes"),
        ("POST", "/v1/admin/policies"),
        ("POST", "/v1/admin/online-payments"),
        ("POST", "/v1/admin/roll?campaign_id=gyeonggi-2020"),
        ("GET", "/v1/admin/summary?date=2020-05-18"),
    ] {
        for token in [None, Some("wrong")] {
            let result = api.json(method, path, token, "{}").await;
            assert_error(&result, StatusCode::UNAUTHORIZED, "unauthorized");
        }
    }
    assert_error(
        &api.json("GET", "/v2/pull", None, "").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn enrollment_refuses_bad_bodies_and_replays_and_writes_nothing() {
    let (api, _keep) = Api::new();
    let admin = api.ledger.create_admin_token().unwrap();
    let made = api
        .json(
            "POST",
            "/v1/admin/enrollment-codes",
            Some(&admin),
            &json!({ "site": site("A", "center") }).to_string(),
        )
        .await;
    assert_eq!(made.0, StatusCode::OK);
    let code = made.1["code"].as_str().unwrap().to_owned();
    let before = api.written();
    // A kind of site there is not: refused naming the kinds there are.
    let mut mall = json!({ "site": site("B", "center") });
    mall["site"]["site_type"] = "mall".into();
    let refused = api
        .json(
            "POST",
            "/v1/admin/enrollment-codes",
            Some(&admin),
            &mall.to_string(),
        )
        .await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    assert!(
        refused.1["message"]
            .as_str()
            .unwrap()
            .contains("center, nh"),
        "{}",
        refused.1
    );
    assert_error(
        &api.json("POST", "/v1/enroll", None, "{\"code\": ").await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    assert_error(
        &api.json("POST", "/v1/enroll", None, "{\"code\": 5}").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    assert_error(
        &api.json(
            "POST",
            "/v1/enroll",
            None,
            &json!({ "code": code, "terminal": "x" }).to_string(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    assert_error(
        &api.call(
            "POST",
            "/v1/enroll",
            None,
            Body::from(format!("{{\"code\": \"{code}\"}}")),
            Some("text/plain"),
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "content_type",
    );
    let huge = format!("{{\"code\": \"{}\"}}", "A".repeat(5 << 20));
    assert_error(
        &api.json("POST", "/v1/enroll", None, &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );
    assert_eq!(api.written(), before, "refused requests wrote something");
    let ok = api
        .json(
            "POST",
            "/v1/enroll",
            None,
            &json!({ "code": code }).to_string(),
        )
        .await;
    assert_eq!(ok.0, StatusCode::OK);
    let after = api.written();
    assert_error(
        &api.json(
            "POST",
            "/v1/enroll",
            None,
            &json!({ "code": code }).to_string(),
        )
        .await,
        StatusCode::CONFLICT,
        "enrollment_code_invalid",
    );
    assert_eq!(api.written(), after, "a replayed code wrote something");
}

#[tokio::test]
async fn claims_push_and_pull_refuse_bad_input_and_write_nothing() {
    let (api, _keep) = Api::new();
    let mut a = enroll(&*api.ledger, "A", "center");
    let b = enroll(&*api.ledger, "B", "nh");
    let token = a.enrolled.token.clone();
    let before = api.written();

    assert_error(
        &api.json("POST", "/v1/claims", Some(&token), "[1,2]").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    assert_error(
        &api.json(
            "POST",
            "/v1/claims",
            Some(&token),
            &json!({ "visit_id": visit(), "keys": ["zz"] }).to_string(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_key",
    );
    assert_error(
        &api.json(
            "POST",
            "/v1/claims",
            Some(&token),
            &json!({ "visit_id": "mine", "keys": [a.key(1).to_hex()] }).to_string(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_visit",
    );
    let many: Vec<String> = (0..100).map(|i| a.key(i).to_hex()).collect();
    assert_error(
        &api.json(
            "POST",
            "/v1/claims",
            Some(&token),
            &json!({ "visit_id": visit(), "keys": many }).to_string(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_claim",
    );

    let event = serde_json::to_value(a.issuance("i1", &[1])).unwrap();
    // As another terminal: forbidden.
    assert_error(
        &api.json(
            "POST",
            "/v1/push",
            Some(&token),
            &json!({ "terminal_id": b.row.id, "events": [event] }).to_string(),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    // Unknown field inside an event, a wrong type, no events array.
    let mut extra = event.clone();
    extra["body"]["payload"]["bonus_krw"] = json!(1_000_000);
    assert_error(
        &api.json(
            "POST",
            "/v1/push",
            Some(&token),
            &json!({ "terminal_id": a.row.id, "events": [extra] }).to_string(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    let mut typed = event.clone();
    typed["seq"] = json!("one");
    assert_error(
        &api.json(
            "POST",
            "/v1/push",
            Some(&token),
            &json!({ "terminal_id": a.row.id, "events": [typed] }).to_string(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    assert_error(
        &api.json(
            "POST",
            "/v1/push",
            Some(&token),
            &json!({ "terminal_id": a.row.id }).to_string(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    let oversized =
        json!({ "terminal_id": a.row.id, "events": vec![event.clone(); 10_000] }).to_string();
    assert!(oversized.len() > relief_ledger::http::BODY_LIMIT);
    assert_error(
        &api.json("POST", "/v1/push", Some(&token), &oversized).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );
    let too_many =
        json!({ "terminal_id": a.row.id, "events": vec![event.clone(); 1_001] }).to_string();
    assert!(too_many.len() < relief_ledger::http::BODY_LIMIT);
    assert_error(
        &api.json("POST", "/v1/push", Some(&token), &too_many).await,
        StatusCode::BAD_REQUEST,
        "batch_too_large",
    );

    assert_error(
        &api.json("GET", "/v1/pull?limit=10000000", Some(&token), "")
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_limit",
    );
    assert_error(
        &api.json("GET", "/v1/pull?cursor=minus", Some(&token), "")
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    assert_error(
        &api.json("GET", "/v1/pull?sneaky=1", Some(&token), "").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    assert_eq!(api.written(), before, "refused requests wrote something");

    // And the good request goes through.
    let ok = api
        .json(
            "POST",
            "/v1/push",
            Some(&token),
            &json!({ "terminal_id": a.row.id, "events": [event] }).to_string(),
        )
        .await;
    assert_eq!(ok.0, StatusCode::OK, "{:?}", ok.1);
    assert_eq!(ok.1["verdicts"][0]["outcome"]["verdict"], "accepted");
    let page = api
        .json(
            "GET",
            "/v1/pull?cursor=0&limit=10",
            Some(&b.enrolled.token),
            "",
        )
        .await;
    assert_eq!(page.0, StatusCode::OK);
    assert_eq!(page.1["deny"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_terminal_reads_only_its_own_conflicts() {
    let (api, _keep) = Api::new();
    let mut a = enroll(&*api.ledger, "A", "center");
    let mut b = enroll(&*api.ledger, "B", "nh");
    let outsider = enroll(&*api.ledger, "C", "center");
    let push = |t: &Terminal, e| relief_protocol::PushRequest {
        terminal_id: t.row.id.clone(),
        events: vec![e],
    };
    let (ea, eb) = (a.issuance("x1", &[1]), b.issuance("x2", &[1]));
    api.ledger.push(&a.row, &push(&a, ea)).unwrap();
    let response = api.ledger.push(&b.row, &push(&b, eb)).unwrap();
    let relief_protocol::Outcome::Duplicate { conflict_id, .. } = &response.verdicts[0].outcome
    else {
        panic!("{response:?}");
    };
    let path = format!("/v1/conflicts/{conflict_id}");
    for t in [&a, &b] {
        let (status, body) = api.json("GET", &path, Some(&t.enrolled.token), "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["id"], conflict_id.as_str());
    }
    assert_error(
        &api.json("GET", &path, Some(&outsider.enrolled.token), "")
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn metrics_are_prometheus_text_for_admins() {
    let (api, _keep) = Api::new();
    let admin = api.ledger.create_admin_token().unwrap();
    let mut a = enroll(&*api.ledger, "A", "center");
    let event = a.issuance("m1", &[1]);
    api.ledger
        .push(
            &a.row,
            &relief_protocol::PushRequest {
                terminal_id: a.row.id.clone(),
                events: vec![event],
            },
        )
        .unwrap();
    let (status, body) = api
        .call("GET", "/metrics", Some(&admin), Body::empty(), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = body.as_str().unwrap();
    assert!(
        text.contains("relief_ledger_events_total{outcome=\"accepted\"} 1"),
        "{text}"
    );
    assert!(text.contains("relief_ledger_enrollments_total 1"), "{text}");
}

#[tokio::test]
async fn a_pull_page_with_more_after_it_names_the_next_cursor_in_a_header() {
    let (api, _keep) = Api::new();
    let mut a = enroll(&*api.ledger, "A", "center");
    let b = enroll(&*api.ledger, "B", "nh");
    for (id, person) in [("x1", 1), ("x2", 2), ("x3", 3)] {
        let event = a.issuance(id, &[person]);
        let push = relief_protocol::PushRequest {
            terminal_id: a.row.id.clone(),
            events: vec![event],
        };
        api.ledger.push(&a.row, &push).unwrap();
    }
    let (mut cursor, mut changes, mut pages) = (relief_protocol::FeedCursor::START, 0, 0);
    loop {
        let request = Request::builder()
            .uri(format!("/v1/pull?cursor={cursor}&limit=2"))
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", b.enrolled.token),
            )
            .body(Body::empty())
            .unwrap();
        let response = relief_ledger::http::router(api.ledger.clone())
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let more_from = response
            .headers()
            .get(relief_protocol::PULL_MORE_FROM)
            .map(|v| {
                v.to_str()
                    .unwrap()
                    .parse::<relief_protocol::FeedCursor>()
                    .unwrap()
            });
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let page: relief_protocol::PullResponse = serde_json::from_slice(&bytes).unwrap();
        pages += 1;
        changes += page.deny.len();
        if !page.more {
            assert_eq!(more_from, None, "the last page names no next one");
            break;
        }
        assert_eq!(more_from, Some(page.next_cursor));
        cursor = page.next_cursor;
    }
    assert_eq!((changes, pages), (3, 2));
}

#[tokio::test]
async fn an_admin_sends_the_roll_as_csv_once() {
    let (api, _keep) = Api::new();
    let admin = api.ledger.create_admin_token().unwrap();
    let roll = relief_testkit::roll::csv(&relief_testkit::roll::RollSpec::one_sigungu(60));
    let people = roll.lines().count() as u64 - 1;
    let send = |path: &'static str| {
        api.call(
            "POST",
            path,
            Some(&admin),
            Body::from(roll.clone()),
            Some("text/csv"),
        )
    };
    let (status, body) = send("/v1/admin/roll?campaign_id=gyeonggi-2020").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 1);
    assert_eq!(body["rows"], people);
    assert_eq!(body["changed"], people);
    assert_eq!(body["already_imported"], false);
    let (_, again) = send("/v1/admin/roll?campaign_id=gyeonggi-2020").await;
    assert_eq!(
        (again["version"].clone(), again["already_imported"].clone()),
        (1.into(), true.into())
    );
    assert_error(
        &send("/v1/admin/roll").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    assert_error(
        &send("/v1/admin/roll?campaign_id=nowhere").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn only_a_card_issuer_reads_and_confirms_activations() {
    let (api, _keep) = Api::new();
    let admin = api.ledger.create_admin_token().unwrap();
    let issuer = api
        .ledger
        .create_token(relief_ledger::service::Role::CardIssuer)
        .unwrap();
    let mut a = enroll(&*api.ledger, "A", "center");
    let event = a.issuance("h1", &[5]);
    api.ledger
        .push(
            &a.row,
            &relief_protocol::PushRequest {
                terminal_id: a.row.id.clone(),
                events: vec![event],
            },
        )
        .unwrap();
    let ack = r#"{"acks":[{"serial":"h1-card","action":"activate","amount_krw":100000}]}"#;
    for (token, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(admin.as_str()), StatusCode::FORBIDDEN),
        (Some(a.enrolled.token.as_str()), StatusCode::UNAUTHORIZED),
    ] {
        let (got, _) = api
            .call("GET", "/v1/activations", token, Body::empty(), None)
            .await;
        assert_eq!(got, status, "{token:?}");
        let (got, _) = api.json("POST", "/v1/activations/ack", token, ack).await;
        assert_eq!(got, status, "{token:?}");
    }
    let (status, page) = api
        .call(
            "GET",
            "/v1/activations?cursor=0&limit=10",
            Some(&issuer),
            Body::empty(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["instructions"][0]["serial"], "h1-card");
    assert_eq!(page["instructions"][0]["action"], "activate");
    assert_eq!(page["more"], false);
    assert_error(
        &api.call(
            "GET",
            "/v1/activations?limit=0",
            Some(&issuer),
            Body::empty(),
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_limit",
    );
    assert_error(
        &api.json(
            "POST",
            "/v1/activations/ack",
            Some(&issuer),
            r#"{"acks":[{"serial":"x","action":"refund"}]}"#,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
    let (status, answer) = api
        .json("POST", "/v1/activations/ack", Some(&issuer), ack)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["results"][0]["outcome"], "recorded");
    let (_, again) = api
        .json("POST", "/v1/activations/ack", Some(&issuer), ack)
        .await;
    assert_eq!(again["results"][0]["outcome"], "already");
    let (_, page) = api
        .call("GET", "/v1/activations", Some(&issuer), Body::empty(), None)
        .await;
    assert_eq!(page["instructions"], json!([]));
}
