//! Shared by localcloud's integration tests: a sandbox in a temp dir, a PKCE sign-in played
//! by the robot browser, and AWS SDK clients pointed at the sandbox.
#![allow(dead_code)] // each test file uses its own subset

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cubby_core::config::Profile;
use cubby_localcloud::{LocalCloud, LocalCloudConfig};
use sha2::{Digest, Sha256};
use url::Url;

pub const EMAIL: &str = "ada@example.com";
pub const PASSWORD: &str = "correct horse battery";

pub struct Sandbox {
    pub cloud: LocalCloud,
    pub profile: Profile,
    _dir: Option<tempfile::TempDir>,
}

impl Sandbox {
    /// A sandbox whose data directory the test keeps itself.
    pub fn wrap(cloud: LocalCloud) -> Self {
        let profile = cloud.profile();
        Self {
            cloud,
            profile,
            _dir: None,
        }
    }
}

pub async fn sandbox_with(adjust: impl FnOnce(&mut LocalCloudConfig)) -> Sandbox {
    let dir = tempfile::tempdir().unwrap();
    let mut config = LocalCloudConfig::new(dir.path());
    config.users = vec![(EMAIL.to_owned(), PASSWORD.to_owned())];
    adjust(&mut config);
    let cloud = LocalCloud::start(config).await.unwrap();
    let profile = cloud.profile();
    Sandbox {
        cloud,
        profile,
        _dir: Some(dir),
    }
}

pub async fn sandbox() -> Sandbox {
    sandbox_with(|_| {}).await
}

/// One authorization request: what the app keeps (verifier, state, nonce) and the URL.
pub struct AuthRequest {
    pub url: Url,
    pub verifier: String,
    pub state: String,
    pub nonce: String,
    pub redirect_uri: String,
}

pub fn authorize_request(profile: &Profile) -> AuthRequest {
    let verifier = URL_SAFE_NO_PAD.encode(rand_bytes());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let state = URL_SAFE_NO_PAD.encode(rand_bytes());
    let nonce = URL_SAFE_NO_PAD.encode(rand_bytes());
    let redirect_uri = profile.redirects[0].url().to_string();
    let mut url = profile.hosted_ui_url("oauth2/authorize");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &profile.client_id)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", &profile.scopes.join(" "))
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    AuthRequest {
        url,
        verifier,
        state,
        nonce,
        redirect_uri,
    }
}

fn rand_bytes() -> [u8; 32] {
    rand::random()
}

pub fn query_of(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// POSTs a form to the token endpoint; returns the status and the JSON body.
pub async fn token_request(profile: &Profile, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(profile.hosted_ui_url("oauth2/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

/// The whole browser leg: authorize, robot sign-in, code exchange. Returns the token JSON.
pub async fn sign_in(profile: &Profile) -> serde_json::Value {
    let request = authorize_request(profile);
    let back = cubby_localcloud::robot::sign_in(&request.url, EMAIL, PASSWORD)
        .await
        .unwrap();
    let params = query_of(&back);
    assert_eq!(params["state"], request.state);
    let (status, json) = token_request(
        profile,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &profile.client_id),
            ("code", &params["code"]),
            ("redirect_uri", &request.redirect_uri),
            ("code_verifier", &request.verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{json}");
    json
}

pub async fn identity_client(profile: &Profile) -> aws_sdk_cognitoidentity::Client {
    let config = aws_sdk_cognitoidentity::Config::builder()
        .behavior_version(aws_sdk_cognitoidentity::config::BehaviorVersion::latest())
        .region(aws_sdk_cognitoidentity::config::Region::new(
            profile.region.clone(),
        ))
        .endpoint_url(profile.endpoints.identity.as_ref().unwrap().as_str())
        .build();
    aws_sdk_cognitoidentity::Client::from_conf(config)
}

pub fn s3_client(
    profile: &Profile,
    credentials: aws_credential_types::Credentials,
) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new(profile.region.clone()))
        .endpoint_url(
            profile
                .endpoints
                .s3
                .as_ref()
                .unwrap()
                .as_str()
                .trim_end_matches('/'),
        )
        .force_path_style(true)
        .credentials_provider(credentials)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}
