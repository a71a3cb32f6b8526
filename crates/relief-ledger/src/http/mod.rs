//! The HTTP API: handlers translate requests into calls on the
//! [`Ledger`] and its answers (or typed errors) into JSON.

mod admin;
mod error;
mod issuer;
mod terminal;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::trace::TraceLayer;

pub use error::ApiError;

use crate::service::{Ledger, ServiceError};
use crate::storage::Storage;

/// Requests from terminals are small; this bounds what a broken or hostile
/// client can make the ledger read.
pub const BODY_LIMIT: usize = 4 << 20;
/// The online channel's files and the resident roll are large.
pub const IMPORT_LIMIT: usize = 512 << 20;

pub struct AppState<S> {
    pub ledger: Arc<Ledger<S>>,
}

impl<S> Clone for AppState<S> {
    fn clone(&self) -> Self {
        AppState {
            ledger: self.ledger.clone(),
        }
    }
}

pub fn router<S: Storage>(ledger: Arc<Ledger<S>>) -> Router {
    let state = AppState { ledger };
    let api = Router::new()
        .route("/enroll", post(terminal::enroll::<S>))
        .route("/claims", post(terminal::claim::<S>))
        .route("/push", post(terminal::push::<S>))
        .route("/pull", get(terminal::pull::<S>))
        .route("/roll", get(terminal::roll::<S>))
        .route("/conflicts/{id}", get(terminal::conflict::<S>))
        .route("/admin/enrollment-codes", post(admin::enrollment_code::<S>))
        .route("/admin/policies", post(admin::publish_policy::<S>))
        .route("/admin/summary", get(admin::summary::<S>))
        .route("/activations", get(issuer::activations::<S>))
        .route("/activations/ack", post(issuer::acknowledge::<S>))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .route(
            "/admin/online-payments",
            post(admin::import_online::<S>).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route(
            "/admin/roll",
            post(admin::import_roll::<S>).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        );
    Router::new()
        .route("/healthz", get(health))
        .route("/metrics", get(metrics::<S>))
        .nest(relief_protocol::API_PREFIX, api)
        .fallback(not_found)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn health() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn not_found() -> ApiError {
    ServiceError::NotFound("없는 경로입니다".into()).into()
}

async fn metrics<S: Storage>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    admin::require_admin(&state, &headers).await?;
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.ledger.metrics.render(),
    ))
}

/// The bearer token of a request, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Runs blocking ledger work off the async threads.
async fn blocking<S: Storage, T: Send + 'static>(
    state: &AppState<S>,
    work: impl FnOnce(&Ledger<S>) -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ApiError> {
    let ledger = state.ledger.clone();
    tokio::task::spawn_blocking(move || work(&ledger))
        .await
        .map_err(|e| ApiError::internal(format!("작업이 중단되었습니다: {e}")))?
        .map_err(ApiError::from)
}
