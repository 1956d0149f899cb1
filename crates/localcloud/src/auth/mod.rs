//! The user pool's managed login: hosted pages, OAuth endpoints, discovery and JWKS.

mod authorize;
mod pages;
pub mod tokens;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

pub use authorize::create_user;

use crate::cloud::Cloud;
use crate::config::USER_POOL_ID;

pub fn routes() -> Router<Arc<Cloud>> {
    Router::new()
        .route("/oauth2/authorize", get(authorize::authorize))
        .route(
            "/login",
            get(authorize::login_form).post(authorize::login_submit),
        )
        .route(
            "/signup",
            get(authorize::signup_form).post(authorize::signup_submit),
        )
        .route("/logout", get(authorize::logout))
        .route("/error", get(authorize::error_page))
        .route("/oauth2/token", post(tokens::token))
        .route("/oauth2/revoke", post(tokens::revoke))
        .route(
            "/oauth2/userInfo",
            get(tokens::user_info).post(tokens::user_info),
        )
        .route(
            &format!("/{USER_POOL_ID}/.well-known/openid-configuration"),
            get(tokens::openid_configuration),
        )
        .route(
            &format!("/{USER_POOL_ID}/.well-known/jwks.json"),
            get(tokens::jwks),
        )
}

/// Whether a path belongs to the hosted UI rather than to S3.
pub fn owns_path(path: &str) -> bool {
    const PREFIXES: [&str; 4] = ["/oauth2/", "/login", "/signup", "/logout"];
    PREFIXES.iter().any(|p| path.starts_with(p))
        || path == "/error"
        || path.starts_with(&format!("/{USER_POOL_ID}/"))
}
