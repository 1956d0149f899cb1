//! `POST /oauth2/token`, `POST /oauth2/revoke`, `/oauth2/userInfo`: Cognito's token endpoints
//! for a public client (no secret), with Cognito's error JSON.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cloud::{Cloud, now_seconds, random_token};
use crate::config::USER_POOL_ID;
use crate::state::{RefreshRecord, token_digest};

/// Id token claims, as Cognito issues them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdClaims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub token_use: String,
    pub exp: u64,
    pub iat: u64,
    pub auth_time: u64,
    #[serde(rename = "cognito:username")]
    pub username: String,
    pub email: String,
    pub email_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub jti: String,
    pub origin_jti: String,
}

/// Access token claims: `client_id` instead of `aud`, and the granted scopes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub iss: String,
    pub client_id: String,
    pub token_use: String,
    pub scope: String,
    pub exp: u64,
    pub iat: u64,
    pub auth_time: u64,
    pub username: String,
    pub jti: String,
    pub origin_jti: String,
}

/// An OAuth error as Cognito sends it: `400 {"error": "..."}`.
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        Self {
            status,
            error,
            description: description.into(),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.error, "error_description": self.description});
        (self.status, no_store(), Json(body)).into_response()
    }
}

fn no_store() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

/// What one sign-in grants, carried from code to tokens and from refresh token to tokens.
struct Grant {
    sub: String,
    client_id: String,
    scopes: Vec<String>,
    auth_time: u64,
    nonce: Option<String>,
    origin_jti: String,
}

fn parse_form(headers: &HeaderMap, body: &Bytes) -> Result<HashMap<String, String>, OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(OAuthError::new(
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        ));
    }
    Ok(url::form_urlencoded::parse(body).into_owned().collect())
}

fn check_client(cloud: &Cloud, form: &HashMap<String, String>) -> Result<String, OAuthError> {
    match form.get("client_id") {
        Some(id) if *id == cloud.client_id() => Ok(id.clone()),
        Some(_) => Err(OAuthError::new("invalid_client", "unknown client_id")),
        None => Err(OAuthError::new("invalid_request", "client_id is required")),
    }
}

fn required<'a>(form: &'a HashMap<String, String>, name: &str) -> Result<&'a str, OAuthError> {
    form.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| OAuthError::new("invalid_request", format!("{name} is required")))
}

pub async fn token(State(cloud): State<Arc<Cloud>>, headers: HeaderMap, body: Bytes) -> Response {
    match token_response(&cloud, &headers, &body) {
        Ok(json) => (StatusCode::OK, no_store(), Json(json)).into_response(),
        Err(err) => err.into_response(),
    }
}

fn token_response(
    cloud: &Cloud,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<serde_json::Value, OAuthError> {
    let form = parse_form(headers, body)?;
    let grant_type = required(&form, "grant_type")?;
    let client_id = check_client(cloud, &form)?;
    match grant_type {
        "authorization_code" => {
            let grant = redeem_code(cloud, &form, &client_id)?;
            let refresh_token = new_refresh_token(cloud, &grant)?;
            let mut json = mint_tokens(cloud, &grant)?;
            json["refresh_token"] = refresh_token.into();
            Ok(json)
        }
        "refresh_token" => {
            let presented = required(&form, "refresh_token")?;
            let grant = redeem_refresh_token(cloud, presented, &client_id)?;
            let mut json = mint_tokens(cloud, &grant)?;
            if cloud.config.rotate_refresh_tokens {
                let rotated = new_refresh_token(cloud, &grant)?;
                spend(cloud, &token_digest(presented))?;
                json["refresh_token"] = rotated.into();
            }
            Ok(json)
        }
        other => Err(OAuthError::new(
            "unsupported_grant_type",
            format!("grant_type {other:?} is not supported"),
        )),
    }
}

fn redeem_code(
    cloud: &Cloud,
    form: &HashMap<String, String>,
    client_id: &str,
) -> Result<Grant, OAuthError> {
    let code = required(form, "code")?;
    let redirect_uri = required(form, "redirect_uri")?;
    let verifier = required(form, "code_verifier")?;
    // Removed before any check: a code is spent by its first use, right or wrong.
    let grant = cloud.codes.lock().expect("codes poisoned").remove(code);
    let grant = grant.ok_or_else(|| {
        OAuthError::new("invalid_grant", "the code is unknown or was already used")
    })?;
    if grant.expires_at <= SystemTime::now() {
        return Err(OAuthError::new("invalid_grant", "the code has expired"));
    }
    if grant.client_id != client_id {
        return Err(OAuthError::new(
            "invalid_grant",
            "the code was issued to another client",
        ));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(OAuthError::new(
            "invalid_grant",
            "redirect_uri differs from the one sent to /oauth2/authorize",
        ));
    }
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if challenge != grant.code_challenge {
        return Err(OAuthError::new(
            "invalid_grant",
            "code_verifier does not match the code_challenge",
        ));
    }
    Ok(Grant {
        sub: grant.sub,
        client_id: grant.client_id,
        scopes: grant.scopes,
        auth_time: grant.auth_time,
        nonce: grant.nonce,
        origin_jti: uuid::Uuid::new_v4().to_string(),
    })
}

fn redeem_refresh_token(
    cloud: &Cloud,
    presented: &str,
    client_id: &str,
) -> Result<Grant, OAuthError> {
    let record = cloud
        .state
        .read(|s| s.refresh_tokens.get(&token_digest(presented)).cloned());
    let record = record
        .filter(|r| !r.revoked && r.expires_at > now_seconds() && r.client_id == client_id)
        .ok_or_else(|| OAuthError::new("invalid_grant", "Invalid Refresh Token"))?;
    if cloud.state.read(|s| s.user_by_sub(&record.sub).is_none()) {
        return Err(OAuthError::new("invalid_grant", "User does not exist."));
    }
    Ok(Grant {
        sub: record.sub,
        client_id: record.client_id,
        scopes: record.scopes,
        auth_time: record.auth_time,
        nonce: None,
        origin_jti: record.origin_jti,
    })
}

fn server_error(err: std::io::Error) -> OAuthError {
    OAuthError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        error: "server_error",
        description: format!("cannot save state: {err}"),
    }
}

fn new_refresh_token(cloud: &Cloud, grant: &Grant) -> Result<String, OAuthError> {
    let token = random_token();
    let record = RefreshRecord {
        sub: grant.sub.clone(),
        origin_jti: grant.origin_jti.clone(),
        client_id: grant.client_id.clone(),
        scopes: grant.scopes.clone(),
        auth_time: grant.auth_time,
        expires_at: now_seconds() + cloud.config.refresh_token_ttl.as_secs(),
        revoked: false,
    };
    cloud
        .state
        .update(|s| {
            let now = now_seconds();
            s.refresh_tokens.retain(|_, r| r.expires_at > now);
            s.refresh_tokens.insert(token_digest(&token), record);
        })
        .map_err(server_error)?;
    Ok(token)
}

fn mint_tokens(cloud: &Cloud, grant: &Grant) -> Result<serde_json::Value, OAuthError> {
    let user = cloud
        .state
        .read(|s| s.user_by_sub(&grant.sub).cloned())
        .ok_or_else(|| OAuthError::new("invalid_grant", "User does not exist."))?;
    let iat = now_seconds();
    let ttl = cloud.config.token_ttl.as_secs();
    let id = IdClaims {
        sub: user.sub.clone(),
        iss: cloud.issuer(),
        aud: grant.client_id.clone(),
        token_use: "id".to_owned(),
        exp: iat + ttl,
        iat,
        auth_time: grant.auth_time,
        username: user.sub.clone(),
        email: user.email.clone(),
        email_verified: true,
        nonce: grant.nonce.clone(),
        jti: uuid::Uuid::new_v4().to_string(),
        origin_jti: grant.origin_jti.clone(),
    };
    let access = AccessClaims {
        sub: user.sub.clone(),
        iss: cloud.issuer(),
        client_id: grant.client_id.clone(),
        token_use: "access".to_owned(),
        scope: grant.scopes.join(" "),
        exp: iat + ttl,
        iat,
        auth_time: grant.auth_time,
        username: user.sub,
        jti: uuid::Uuid::new_v4().to_string(),
        origin_jti: grant.origin_jti.clone(),
    };
    let mut json = serde_json::json!({
        "access_token": cloud.keys.sign(&access),
        "token_type": "Bearer",
        "expires_in": ttl,
    });
    if grant.scopes.iter().any(|s| s == "openid") {
        json["id_token"] = cloud.keys.sign(&id).into();
    }
    Ok(json)
}

/// Forgets a refresh token that rotation replaced. It is spent, not revoked: the sign-in goes
/// on with its successor, and a revoked token would make the identity pool and `userInfo`
/// refuse every token of the sign-in.
fn spend(cloud: &Cloud, digest: &str) -> Result<(), OAuthError> {
    cloud
        .state
        .update(|s| {
            s.refresh_tokens.remove(digest);
        })
        .map_err(server_error)
}

/// Revokes a refresh token and every token of its sign-in.
fn revoke_digest(cloud: &Cloud, digest: &str) -> Result<(), OAuthError> {
    cloud
        .state
        .update(|s| {
            let Some(origin) = s.refresh_tokens.get(digest).map(|r| r.origin_jti.clone()) else {
                return;
            };
            for record in s.refresh_tokens.values_mut() {
                if record.origin_jti == origin {
                    record.revoked = true;
                }
            }
        })
        .map_err(server_error)
}

pub async fn revoke(State(cloud): State<Arc<Cloud>>, headers: HeaderMap, body: Bytes) -> Response {
    let result = parse_form(&headers, &body).and_then(|form| {
        let client_id = check_client(&cloud, &form)?;
        let token = required(&form, "token")?;
        let digest = token_digest(token);
        let owner = cloud
            .state
            .read(|s| s.refresh_tokens.get(&digest).map(|r| r.client_id.clone()));
        if owner.is_some_and(|owner| owner != client_id) {
            return Err(OAuthError::new(
                "unauthorized_client",
                "the token belongs to another client",
            ));
        }
        // Unknown or already revoked tokens are accepted silently, as Cognito does.
        revoke_digest(&cloud, &digest)
    });
    match result {
        Ok(()) => (StatusCode::OK, no_store()).into_response(),
        Err(err) => err.into_response(),
    }
}

pub async fn user_info(State(cloud): State<Arc<Cloud>>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let claims = bearer.and_then(|token| cloud.keys.verify::<AccessClaims>(token).ok());
    let valid = claims.filter(|c| {
        c.token_use == "access"
            && c.iss == cloud.issuer()
            && c.exp > now_seconds()
            && !cloud.state.read(|s| s.is_origin_revoked(&c.origin_jti))
    });
    let user = valid.and_then(|c| cloud.state.read(|s| s.user_by_sub(&c.sub).cloned()));
    match user {
        Some(user) => Json(serde_json::json!({
            "sub": user.sub,
            "email": user.email,
            "email_verified": "true",
            "username": user.sub,
        }))
        .into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            )],
            Json(serde_json::json!({"error": "invalid_token", "error_description": "Access token is invalid, expired or revoked"})),
        )
            .into_response(),
    }
}

pub async fn openid_configuration(State(cloud): State<Arc<Cloud>>) -> Json<serde_json::Value> {
    let base = cloud.base_url.as_str();
    let issuer = cloud.issuer();
    Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}oauth2/authorize"),
        "token_endpoint": format!("{base}oauth2/token"),
        "userinfo_endpoint": format!("{base}oauth2/userInfo"),
        "revocation_endpoint": format!("{base}oauth2/revoke"),
        "end_session_endpoint": format!("{base}logout"),
        "jwks_uri": format!("{base}{USER_POOL_ID}/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
    }))
}

pub async fn jwks(State(cloud): State<Arc<Cloud>>) -> Json<serde_json::Value> {
    Json(cloud.keys.jwks())
}
