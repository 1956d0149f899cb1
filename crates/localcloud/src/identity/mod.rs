//! The identity pool's JSON 1.1 API (`GetId`, `GetCredentialsForIdentity`), unsigned, with
//! the enhanced (simplified) flow: a user pool id token in, temporary credentials out.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use crate::cloud::{Cloud, epoch_seconds, now_seconds};
use crate::config::REGION;

pub const TARGET_PREFIX: &str = "AWSCognitoIdentityService.";

/// An error in the identity pool's wire shape: `400 {"__type", "message"}`.
#[derive(Debug)]
struct IdentityError {
    kind: &'static str,
    message: String,
}

fn error(kind: &'static str, message: impl Into<String>) -> IdentityError {
    IdentityError {
        kind,
        message: message.into(),
    }
}

fn not_authorized(message: impl Into<String>) -> IdentityError {
    error("NotAuthorizedException", message)
}

impl IntoResponse for IdentityError {
    fn into_response(self) -> Response {
        let status = if self.kind == "InternalErrorException" {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        let mut response = (
            status,
            Json(serde_json::json!({"__type": self.kind, "message": self.message})),
        )
            .into_response();
        response
            .headers_mut()
            .insert("x-amzn-errortype", HeaderValue::from_static(self.kind));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        response
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetIdInput {
    identity_pool_id: Option<String>,
    #[serde(default)]
    logins: std::collections::HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetCredentialsInput {
    identity_id: Option<String>,
    #[serde(default)]
    logins: std::collections::HashMap<String, String>,
}

/// `POST /` with `X-Amz-Target: AWSCognitoIdentityService.<Operation>`.
pub async fn handle(State(cloud): State<Arc<Cloud>>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let result = match target.strip_prefix(TARGET_PREFIX) {
        Some("GetId") => parse(&body).and_then(|input| get_id(&cloud, input)),
        Some("GetCredentialsForIdentity") => {
            parse(&body).and_then(|input| get_credentials(&cloud, input))
        }
        _ => Err(error(
            "UnknownOperationException",
            format!("operation {target:?} is not supported by localcloud"),
        )),
    };
    match result {
        Ok(value) => {
            let mut response = Json(value).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-amz-json-1.1"),
            );
            response
        }
        Err(err) => err.into_response(),
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, IdentityError> {
    serde_json::from_slice(body).map_err(|err| error("SerializationException", err.to_string()))
}

/// Checks the `Logins` map and its id token; returns the user's `sub`.
fn authenticate(
    cloud: &Cloud,
    logins: &std::collections::HashMap<String, String>,
) -> Result<String, IdentityError> {
    if logins.is_empty() {
        return Err(not_authorized(
            "Unauthenticated access is not supported for this identity pool.",
        ));
    }
    let provider = cloud.provider_name();
    let token = logins.get(&provider).ok_or_else(|| {
        not_authorized("Token is not from a supported provider of this identity pool.")
    })?;
    let claims: Value = cloud
        .keys
        .verify(token)
        .map_err(|_| not_authorized("Invalid login token. Couldn't verify signed token."))?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or_default();
    if text("iss") != cloud.issuer() {
        return Err(not_authorized(
            "Invalid login token. Issuer doesn't match providerName",
        ));
    }
    if claims.get("aud").is_none() {
        return Err(not_authorized(
            "Invalid login token. Missing a required claim: aud",
        ));
    }
    if text("aud") != cloud.client_id() {
        return Err(not_authorized(
            "Invalid login token. Incorrect token audience.",
        ));
    }
    if text("token_use") != "id" {
        return Err(not_authorized("Invalid login token. Not an id token."));
    }
    let exp = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
    let now = now_seconds();
    if exp <= now {
        return Err(not_authorized(format!(
            "Invalid login token. Token expired: {now} >= {exp}"
        )));
    }
    if cloud
        .state
        .read(|s| s.is_origin_revoked(text("origin_jti")))
    {
        return Err(not_authorized(
            "Invalid login token. Token has been revoked.",
        ));
    }
    let sub = text("sub").to_owned();
    if cloud.state.read(|s| s.user_by_sub(&sub).is_none()) {
        return Err(not_authorized("Invalid login token. User does not exist."));
    }
    Ok(sub)
}

fn get_id(cloud: &Cloud, input: GetIdInput) -> Result<Value, IdentityError> {
    let pool = cloud.state.read(|s| s.identity_pool_id.clone());
    match input.identity_pool_id {
        None => {
            return Err(error(
                "InvalidParameterException",
                "IdentityPoolId is required",
            ));
        }
        Some(id) if id != pool => {
            return Err(error(
                "ResourceNotFoundException",
                format!("IdentityPool '{id}' not found."),
            ));
        }
        Some(_) => {}
    }
    let sub = authenticate(cloud, &input.logins)?;
    let identity_id = identity_of(cloud, &sub).map_err(|err| {
        error(
            "InternalErrorException",
            format!("cannot save identity: {err}"),
        )
    })?;
    Ok(serde_json::json!({"IdentityId": identity_id}))
}

/// The identity id of a user, created on first use and stable from then on.
pub fn identity_of(cloud: &Cloud, sub: &str) -> std::io::Result<String> {
    if let Some(id) = cloud.state.read(|s| s.identities.get(sub).cloned()) {
        return Ok(id);
    }
    cloud.state.update(|s| {
        s.identities
            .entry(sub.to_owned())
            .or_insert_with(|| format!("{REGION}:{}", uuid::Uuid::new_v4()))
            .clone()
    })
}

fn get_credentials(cloud: &Cloud, input: GetCredentialsInput) -> Result<Value, IdentityError> {
    let identity_id = input
        .identity_id
        .ok_or_else(|| error("InvalidParameterException", "IdentityId is required"))?;
    let owner = cloud.state.read(|s| {
        s.identities
            .iter()
            .find(|(_, id)| **id == identity_id)
            .map(|(sub, _)| sub.clone())
    });
    let Some(owner) = owner else {
        return Err(error(
            "ResourceNotFoundException",
            format!("Identity '{identity_id}' not found."),
        ));
    };
    let sub = authenticate(cloud, &input.logins)?;
    if sub != owner {
        return Err(not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        ));
    }
    let issued = cloud
        .credentials
        .issue(&identity_id, cloud.config.credentials_ttl);
    Ok(serde_json::json!({
        "IdentityId": identity_id,
        "Credentials": {
            "AccessKeyId": issued.access_key_id,
            "SecretKey": issued.secret_access_key,
            "SessionToken": issued.session_token,
            "Expiration": issued.expiration.map(epoch_seconds),
        }
    }))
}
