//! Admin-only routes for controlling localcloud from outside the process (fault rules).
//! Authenticated with the admin secret in the `x-localcloud-admin` header.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};

use crate::cloud::Cloud;
use crate::faults::FaultRule;

pub const PREFIX: &str = "/_localcloud/";
pub const ADMIN_HEADER: &str = "x-localcloud-admin";

pub fn routes() -> Router<Arc<Cloud>> {
    Router::new()
        .route("/_localcloud/faults", get(list).post(add).delete(clear))
        .route("/_localcloud/faults/{id}", delete(remove))
}

fn is_admin(cloud: &Cloud, headers: &HeaderMap) -> bool {
    let given = headers.get(ADMIN_HEADER).and_then(|v| v.to_str().ok());
    given == Some(cloud.credentials.admin().secret_access_key.as_str())
}

fn denied() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(serde_json::json!({"error": format!("admin only: send the admin secret key in {ADMIN_HEADER}")})),
    )
        .into_response()
}

async fn list(State(cloud): State<Arc<Cloud>>, headers: HeaderMap) -> Response {
    if !is_admin(&cloud, &headers) {
        return denied();
    }
    Json(cloud.faults.status()).into_response()
}

async fn add(
    State(cloud): State<Arc<Cloud>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !is_admin(&cloud, &headers) {
        return denied();
    }
    let rule: FaultRule = match serde_json::from_slice(&body) {
        Ok(rule) => rule,
        Err(err) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"error": err.to_string()})),
            )
                .into_response();
        }
    };
    match cloud.faults.add(rule) {
        Ok(id) => (StatusCode::CREATED, Json(serde_json::json!({"id": id}))).into_response(),
        Err(problem) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": problem})),
        )
            .into_response(),
    }
}

async fn clear(State(cloud): State<Arc<Cloud>>, headers: HeaderMap) -> Response {
    if !is_admin(&cloud, &headers) {
        return denied();
    }
    cloud.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn remove(
    State(cloud): State<Arc<Cloud>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    if !is_admin(&cloud, &headers) {
        return denied();
    }
    cloud.faults.remove(id);
    StatusCode::NO_CONTENT.into_response()
}
