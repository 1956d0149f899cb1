//! `GET /oauth2/authorize`, the sign-in and sign-up forms, and `/logout`.
//!
//! Validation follows Cognito: a bad client or an unregistered `redirect_uri` can never be
//! redirected to, so the browser lands on an error page; every other problem is reported to
//! the app as `redirect_uri?error=...&state=...`.

use std::sync::Arc;
use std::time::SystemTime;

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use axum::Form;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use url::Url;

use super::pages;
use crate::cloud::{
    BROWSER_SESSION_TTL, BrowserSession, Cloud, CodeGrant, now_seconds, random_token,
};
use crate::state::User;

pub const SESSION_COOKIE: &str = "cubby-localcloud-session";
const SUPPORTED_SCOPES: [&str; 5] = [
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];
const MIN_PASSWORD_LEN: usize = 8;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

/// A request that passed every check.
#[derive(Debug, Clone)]
pub struct ValidAuthorize {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: String,
}

enum Rejection {
    /// Shown in the browser: the app cannot be told.
    Page {
        error: &'static str,
        description: String,
    },
    /// Sent back to the registered redirect.
    Redirect(Url),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Self::Page { error, description } => {
                let mut url = Url::parse("http://x/error").expect("static URL");
                url.query_pairs_mut()
                    .append_pair("error", error)
                    .append_pair("error_description", &description);
                found(&format!("/error?{}", url.query().unwrap_or_default()))
            }
            Self::Redirect(url) => found(url.as_str()),
        }
    }
}

/// `302 Found`, the status Cognito's hosted UI redirects with.
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            "redirect target is not a valid header value",
        )
            .into_response(),
    }
}

fn redirect_error(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> Rejection {
    let mut url = Url::parse(redirect_uri).expect("registered callbacks are URLs");
    {
        let mut pairs = url.query_pairs_mut();
        pairs
            .append_pair("error", error)
            .append_pair("error_description", description);
        if let Some(state) = state {
            pairs.append_pair("state", state);
        }
    }
    Rejection::Redirect(url)
}

fn validate(cloud: &Cloud, p: &AuthorizeParams) -> Result<ValidAuthorize, Rejection> {
    let client_id = p.client_id.as_deref().unwrap_or_default();
    if client_id.is_empty() || client_id != cloud.client_id() {
        return Err(Rejection::Page {
            error: "invalid_client",
            description: format!("unknown app client {client_id:?}"),
        });
    }
    let redirect_uri = p.redirect_uri.as_deref().unwrap_or_default();
    if !cloud.config.callbacks.iter().any(|c| c == redirect_uri) {
        return Err(Rejection::Page {
            error: "redirect_mismatch",
            description: format!(
                "{redirect_uri:?} is not a registered callback URL of this app client"
            ),
        });
    }
    let state = p.state.as_deref();
    let fail =
        |error, description: &str| Err(redirect_error(redirect_uri, error, description, state));
    match p.response_type.as_deref() {
        Some("code") => {}
        Some("token") => {
            return fail(
                "unauthorized_client",
                "the implicit grant is not enabled; use response_type=code",
            );
        }
        Some(_) | None => return fail("invalid_request", "response_type must be code"),
    }
    let scopes: Vec<String> = p
        .scope
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if let Some(bad) = scopes
        .iter()
        .find(|s| !SUPPORTED_SCOPES.contains(&s.as_str()))
    {
        return fail(
            "invalid_scope",
            &format!("scope {bad:?} is not allowed for this client"),
        );
    }
    if !scopes.iter().any(|s| s == "openid") {
        return fail("invalid_scope", "scope must include openid");
    }
    if p.code_challenge_method.as_deref() != Some("S256") {
        return fail(
            "invalid_request",
            "PKCE is required: code_challenge_method must be S256",
        );
    }
    let code_challenge = p.code_challenge.clone().unwrap_or_default();
    let challenge_ok = code_challenge.len() == 43
        && code_challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !challenge_ok {
        return fail(
            "invalid_request",
            "code_challenge must be the base64url SHA-256 of the verifier (43 characters)",
        );
    }
    Ok(ValidAuthorize {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        state: p.state.clone(),
        nonce: p.nonce.clone(),
        code_challenge,
    })
}

/// Issues a code for a signed-in user and sends the browser back to the app.
fn complete(cloud: &Cloud, request: ValidAuthorize, session: &BrowserSession) -> Response {
    let code = random_token();
    let grant = CodeGrant {
        client_id: request.client_id,
        redirect_uri: request.redirect_uri.clone(),
        code_challenge: request.code_challenge,
        sub: session.sub.clone(),
        scopes: request.scopes,
        nonce: request.nonce,
        auth_time: session.auth_time,
        expires_at: SystemTime::now() + cloud.config.code_ttl,
    };
    {
        let mut codes = cloud.codes.lock().expect("codes poisoned");
        let now = SystemTime::now();
        codes.retain(|_, g| g.expires_at > now);
        codes.insert(code.clone(), grant);
    }
    let mut url = Url::parse(&request.redirect_uri).expect("registered callbacks are URLs");
    url.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = &request.state {
        url.query_pairs_mut().append_pair("state", state);
    }
    found(url.as_str())
}

/// The values of every session cookie the browser sent.
fn session_cookies(headers: &HeaderMap) -> impl Iterator<Item = String> + '_ {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE).then(|| value.to_owned())
        })
}

fn session_from(cloud: &Cloud, headers: &HeaderMap) -> Option<BrowserSession> {
    let sessions = cloud.sessions.lock().expect("sessions poisoned");
    let session = session_cookies(headers).find_map(|id| sessions.get(&id).cloned())?;
    drop(sessions);
    let user_exists = cloud.state.read(|s| s.user_by_sub(&session.sub).is_some());
    (session.expires_at > SystemTime::now() && user_exists).then_some(session)
}

fn start_session(cloud: &Cloud, sub: String) -> (BrowserSession, HeaderValue) {
    let id = random_token();
    let session = BrowserSession {
        sub,
        auth_time: now_seconds(),
        expires_at: SystemTime::now() + BROWSER_SESSION_TTL,
    };
    cloud
        .sessions
        .lock()
        .expect("sessions poisoned")
        .insert(id.clone(), session.clone());
    let cookie = format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
        BROWSER_SESSION_TTL.as_secs()
    );
    (
        session,
        HeaderValue::from_str(&cookie).expect("cookie is ASCII"),
    )
}

pub async fn authorize(
    State(cloud): State<Arc<Cloud>>,
    RawQuery(query): RawQuery,
    Query(params): Query<AuthorizeParams>,
    headers: HeaderMap,
) -> Response {
    let request = match validate(&cloud, &params) {
        Ok(request) => request,
        Err(rejection) => return rejection.into_response(),
    };
    match session_from(&cloud, &headers) {
        Some(session) => complete(&cloud, request, &session),
        None => found(&format!("/login?{}", query.unwrap_or_default())),
    }
}

#[derive(Debug, Deserialize)]
pub struct CredentialsForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn login_form(
    State(cloud): State<Arc<Cloud>>,
    RawQuery(query): RawQuery,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    form_page(&cloud, false, query, &params)
}

pub async fn signup_form(
    State(cloud): State<Arc<Cloud>>,
    RawQuery(query): RawQuery,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    form_page(&cloud, true, query, &params)
}

fn form_page(
    cloud: &Cloud,
    signing_up: bool,
    query: Option<String>,
    params: &AuthorizeParams,
) -> Response {
    match validate(cloud, params) {
        Ok(_) => Html(pages::credentials_form(
            signing_up,
            &query.unwrap_or_default(),
            "",
            None,
        ))
        .into_response(),
        Err(rejection) => rejection.into_response(),
    }
}

pub async fn login_submit(
    State(cloud): State<Arc<Cloud>>,
    RawQuery(query): RawQuery,
    Query(params): Query<AuthorizeParams>,
    Form(form): Form<CredentialsForm>,
) -> Response {
    let request = match validate(&cloud, &params) {
        Ok(request) => request,
        Err(rejection) => return rejection.into_response(),
    };
    let query = query.unwrap_or_default();
    let email = form.email.trim().to_lowercase();
    let user = cloud.state.read(|s| s.users.get(&email).cloned());
    let verified = user.filter(|u| password_matches(&u.password_hash, &form.password));
    let Some(user) = verified else {
        let html = pages::credentials_form(
            false,
            &query,
            &form.email,
            Some("Incorrect username or password."),
        );
        return (StatusCode::BAD_REQUEST, Html(html)).into_response();
    };
    signed_in(&cloud, request, user.sub)
}

pub async fn signup_submit(
    State(cloud): State<Arc<Cloud>>,
    RawQuery(query): RawQuery,
    Query(params): Query<AuthorizeParams>,
    Form(form): Form<CredentialsForm>,
) -> Response {
    let request = match validate(&cloud, &params) {
        Ok(request) => request,
        Err(rejection) => return rejection.into_response(),
    };
    let query = query.unwrap_or_default();
    match create_user(&cloud, &form.email, &form.password) {
        Ok(sub) => signed_in(&cloud, request, sub),
        Err(problem) => {
            let html = pages::credentials_form(true, &query, &form.email, Some(&problem));
            (StatusCode::BAD_REQUEST, Html(html)).into_response()
        }
    }
}

fn signed_in(cloud: &Cloud, request: ValidAuthorize, sub: String) -> Response {
    let (session, cookie) = start_session(cloud, sub);
    let mut response = complete(cloud, request, &session);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Checks an email and password and creates the user. Returns the user's `sub`, or what is wrong
/// in words fit for the sign-up page.
pub fn create_user(cloud: &Cloud, email: &str, password: &str) -> Result<String, String> {
    let email = email.trim().to_lowercase();
    let valid_email = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !email.contains(char::is_whitespace)
    });
    if !valid_email {
        return Err(format!("{email:?} is not an email address."));
    }
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(format!(
            "Password must have at least {MIN_PASSWORD_LEN} characters."
        ));
    }
    let salt = SaltString::generate(&mut OsRng);
    let password_hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|err| format!("Could not store the password: {err}"))?
        .to_string();
    let sub = uuid::Uuid::new_v4().to_string();
    let created = cloud
        .state
        .update(|s| {
            if s.users.contains_key(&email) {
                return false;
            }
            s.users.insert(
                email.clone(),
                User {
                    sub: sub.clone(),
                    email: email.clone(),
                    password_hash,
                },
            );
            true
        })
        .map_err(|err| format!("Could not save the account: {err}"))?;
    if created {
        Ok(sub)
    } else {
        Err("An account with the given email already exists.".to_owned())
    }
}

#[derive(Debug, Deserialize)]
pub struct LogoutParams {
    client_id: Option<String>,
    logout_uri: Option<String>,
}

pub async fn logout(
    State(cloud): State<Arc<Cloud>>,
    Query(params): Query<LogoutParams>,
    headers: HeaderMap,
) -> Response {
    if params.client_id.as_deref() != Some(cloud.client_id().as_str()) {
        return Rejection::Page {
            error: "invalid_client",
            description: "unknown app client".to_owned(),
        }
        .into_response();
    }
    let Some(logout_uri) = params
        .logout_uri
        .filter(|u| cloud.config.sign_out_urls.contains(u))
    else {
        return Rejection::Page {
            error: "invalid_request",
            description: "logout_uri is missing or not a registered sign-out URL".to_owned(),
        }
        .into_response();
    };
    {
        let mut sessions = cloud.sessions.lock().expect("sessions poisoned");
        for id in session_cookies(&headers) {
            sessions.remove(&id);
        }
    }
    let mut response = found(&logout_uri);
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "cubby-localcloud-session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        ),
    );
    response
}

#[derive(Debug, Deserialize)]
pub struct ErrorParams {
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn error_page(Query(params): Query<ErrorParams>) -> Response {
    let error = params.error.unwrap_or_else(|| "unknown_error".to_owned());
    let description = params
        .error_description
        .unwrap_or_else(|| "An error was encountered with the requested page.".to_owned());
    (
        StatusCode::BAD_REQUEST,
        Html(pages::error_page(&error, &description)),
    )
        .into_response()
}
