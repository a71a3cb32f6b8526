//! What the card issuer calls, with a card issuer's token: the cards to
//! load and activate or block, and its confirmations.

use axum::Json;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use relief_protocol::{AckRequest, AckResponse, ActivationPage};
use serde::Deserialize;

use super::error::{ApiError, Body};
use super::{AppState, bearer, blocking};
use crate::service::{Role, ServiceError};
use crate::storage::Storage;

/// A card issuer's request. Checked before the body is read; an admin's
/// token is not one.
pub struct CardIssuer;

impl<S: Storage> FromRequestParts<AppState<S>> for CardIssuer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers)
            .ok_or(ServiceError::Unauthorized)?
            .to_owned();
        match blocking(state, move |ledger| ledger.role_of(&token)).await? {
            Some(Role::CardIssuer) => Ok(CardIssuer),
            Some(_) => Err(ServiceError::Forbidden("카드사 권한이 필요합니다".into()).into()),
            None => Err(ServiceError::Unauthorized.into()),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    #[serde(default)]
    cursor: u64,
    limit: Option<u32>,
}

pub async fn activations<S: Storage>(
    State(state): State<AppState<S>>,
    _: CardIssuer,
    query: Result<Query<FeedParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ActivationPage>, ApiError> {
    let Query(params) = query?;
    let limit = params
        .limit
        .unwrap_or(relief_protocol::MAX_ACTIVATION_LIMIT);
    Ok(Json(
        blocking(&state, move |ledger| {
            ledger.activations(params.cursor, limit)
        })
        .await?,
    ))
}

pub async fn acknowledge<S: Storage>(
    State(state): State<AppState<S>>,
    _: CardIssuer,
    Body(request): Body<AckRequest>,
) -> Result<Json<AckResponse>, ApiError> {
    Ok(Json(
        blocking(&state, move |ledger| ledger.acknowledge(&request)).await?,
    ))
}
