//! What the province's operators call, with an admin token.

use axum::Json;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::NaiveDate;
use relief_protocol::{SignedPolicy, SiteInfo};
use serde::Deserialize;

use super::error::{ApiError, Body};
use super::{AppState, bearer, blocking};
use crate::service::EnrollmentCode;
use crate::service::{DaySummary, ImportReport, RollImport, ServiceError};
use crate::storage::Storage;

pub async fn require_admin<S: Storage>(
    state: &AppState<S>,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let token = bearer(headers)
        .ok_or(ServiceError::Unauthorized)?
        .to_owned();
    let admin = blocking(state, move |ledger| ledger.is_admin(&token)).await?;
    if admin {
        Ok(())
    } else {
        Err(ServiceError::Unauthorized.into())
    }
}

/// An operator's request. Checked before the body is read.
pub struct Admin;

impl<S: Storage> FromRequestParts<AppState<S>> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        require_admin(state, &parts.headers).await.map(|()| Admin)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    site: SiteInfo,
    campaign_id: Option<String>,
}

pub async fn enrollment_code<S: Storage>(
    State(state): State<AppState<S>>,
    _: Admin,
    Body(request): Body<CodeRequest>,
) -> Result<Json<EnrollmentCode>, ApiError> {
    Ok(Json(
        blocking(&state, move |ledger| {
            ledger.create_enrollment_code(&request.site, request.campaign_id.as_deref())
        })
        .await?,
    ))
}

/// The policy file as the body (TOML).
pub async fn publish_policy<S: Storage>(
    State(state): State<AppState<S>>,
    _: Admin,
    body: String,
) -> Result<Json<SignedPolicy>, ApiError> {
    Ok(Json(
        blocking(&state, move |ledger| ledger.publish_policy(&body)).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Which campaign the file pays: always named.
    campaign_id: String,
}

/// The card companies' CSV as the body, `?campaign_id=` naming its campaign.
pub async fn import_online<S: Storage>(
    State(state): State<AppState<S>>,
    _: Admin,
    query: Result<Query<ImportParams>, axum::extract::rejection::QueryRejection>,
    body: axum::body::Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let Query(params) = query?;
    Ok(Json(
        blocking(&state, move |ledger| {
            ledger.import_online(&params.campaign_id, body.as_ref())
        })
        .await?,
    ))
}

/// A roll file (the extract, or changes) as the body, `?campaign_id=`
/// naming its campaign.
pub async fn import_roll<S: Storage>(
    State(state): State<AppState<S>>,
    _: Admin,
    query: Result<Query<ImportParams>, axum::extract::rejection::QueryRejection>,
    body: axum::body::Bytes,
) -> Result<Json<RollImport>, ApiError> {
    let Query(params) = query?;
    Ok(Json(
        blocking(&state, move |ledger| {
            ledger.import_roll(&params.campaign_id, body.as_ref())
        })
        .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryParams {
    date: NaiveDate,
    campaign_id: Option<String>,
}

pub async fn summary<S: Storage>(
    State(state): State<AppState<S>>,
    _: Admin,
    query: Result<Query<SummaryParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DaySummary>, ApiError> {
    let Query(params) = query?;
    Ok(Json(
        blocking(&state, move |ledger| {
            ledger.day_summary(params.campaign_id.as_deref(), params.date)
        })
        .await?,
    ))
}
