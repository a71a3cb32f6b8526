//! What terminals call: enroll, claim, push, pull.

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use relief_protocol::{
    ClaimRequest, ClaimResponse, ConflictView, EnrollRequest, EnrollResponse, FeedCursor,
    PULL_MORE_FROM, PullResponse, PushResponse, ROLL_MORE_FROM, RollCursor, RollPage,
};
use serde::Deserialize;

use super::error::{ApiError, Body};
use super::{AppState, bearer, blocking};
use crate::service::{Pushed, ServiceError};
use crate::storage::queries::TerminalRow;
use crate::storage::{Storage, persons};

/// The terminal a request comes from. As an extractor it runs before the
/// body is read: a request without a credential is refused first.
pub struct Caller(pub TerminalRow);

impl<S: Storage> FromRequestParts<AppState<S>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers)
            .ok_or(ServiceError::Unauthorized)?
            .to_owned();
        Ok(Caller(
            blocking(state, move |ledger| ledger.authenticate(&token)).await?,
        ))
    }
}

pub async fn enroll<S: Storage>(
    State(state): State<AppState<S>>,
    Body(request): Body<EnrollRequest>,
) -> Result<Json<EnrollResponse>, ApiError> {
    Ok(Json(
        blocking(&state, move |ledger| ledger.enroll(&request.code)).await?,
    ))
}

pub async fn claim<S: Storage>(
    State(state): State<AppState<S>>,
    Caller(terminal): Caller,
    Body(request): Body<ClaimRequest>,
) -> Result<Json<ClaimResponse>, ApiError> {
    Ok(Json(
        blocking(&state, move |ledger| ledger.claim(&terminal, &request)).await?,
    ))
}

/// A push as it arrived: each event's exact bytes are kept, since their
/// digest is what recognises the same event sent again.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPush {
    terminal_id: String,
    events: Vec<Box<serde_json::value::RawValue>>,
}

pub async fn push<S: Storage>(
    State(state): State<AppState<S>>,
    Caller(terminal): Caller,
    Body(request): Body<RawPush>,
) -> Result<Json<PushResponse>, ApiError> {
    let events = request
        .events
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            Pushed::from_json(raw.get()).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    format!("events[{i}]: {e}"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let claimed = request.terminal_id;
    Ok(Json(
        blocking(&state, move |ledger| {
            ledger.push_events(&terminal, &claimed, events)
        })
        .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullParams {
    #[serde(default)]
    cursor: FeedCursor,
    #[serde(default = "default_limit")]
    limit: u32,
    policy_version: Option<String>,
}

fn default_limit() -> u32 {
    10_000
}

pub async fn pull<S: Storage>(
    State(state): State<AppState<S>>,
    Caller(terminal): Caller,
    query: Result<Query<PullParams>, axum::extract::rejection::QueryRejection>,
) -> Result<(HeaderMap, Json<PullResponse>), ApiError> {
    let Query(params) = query?;
    let page = blocking(&state, move |ledger| {
        ledger.pull(
            &terminal,
            params.cursor,
            params.limit,
            params.policy_version.as_deref(),
        )
    })
    .await?;
    let mut headers = HeaderMap::new();
    if page.more {
        let next = HeaderValue::from_str(&page.next_cursor.to_string())
            .expect("a cursor is digits and a dash");
        headers.insert(PULL_MORE_FROM, next);
    }
    Ok((headers, Json(page)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollParams {
    #[serde(default)]
    from: u64,
    upto: Option<u64>,
    #[serde(default)]
    after: RollCursor,
    #[serde(default = "default_roll_limit")]
    limit: u32,
}

fn default_roll_limit() -> u32 {
    20_000
}

/// A page of the resident roll of the caller's 시군.
pub async fn roll<S: Storage>(
    State(state): State<AppState<S>>,
    Caller(terminal): Caller,
    query: Result<Query<RollParams>, axum::extract::rejection::QueryRejection>,
) -> Result<(HeaderMap, Json<RollPage>), ApiError> {
    let Query(params) = query?;
    let page = blocking(&state, move |ledger| {
        ledger.roll_page(
            &terminal,
            params.from,
            params.upto,
            &params.after,
            params.limit,
        )
    })
    .await?;
    let mut headers = HeaderMap::new();
    if let Some(next) = &page.next {
        let value = relief_protocol::roll::more_from(page.upto_version, next);
        headers.insert(
            ROLL_MORE_FROM,
            HeaderValue::from_str(&value).expect("digits, a dash and hex"),
        );
    }
    Ok((headers, Json(page)))
}

/// One conflict, only to a terminal that is part of it.
pub async fn conflict<S: Storage>(
    State(state): State<AppState<S>>,
    Caller(terminal): Caller,
    Path(id): Path<String>,
) -> Result<Json<ConflictView>, ApiError> {
    Ok(Json(
        blocking(&state, move |ledger| {
            let row = ledger
                .storage()
                .read(|db| -> Result<_, ServiceError> { Ok(persons::conflict(db, &id)?) })?;
            let involved = row.as_ref().is_some_and(|c| {
                [&c.standing.terminal_id, &c.other.terminal_id]
                    .iter()
                    .any(|t| t.as_deref() == Some(terminal.id.as_str()))
            });
            match row {
                Some(c) if involved => crate::service::conflict_view(&c),
                _ => Err(ServiceError::NotFound("없는 충돌입니다".into())),
            }
        })
        .await?,
    ))
}
