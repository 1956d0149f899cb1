//! The app's side of the hosted UI done by hand over HTTP (PKCE, state, nonce, the token
//! endpoint), for tests of the server itself rather than of Cubby's sign-in code.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cubby_core::config::Profile;
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

use crate::browser::query_of;
use crate::people::ALICE;

/// One authorization request: the URL, and what the app keeps to finish the sign-in.
pub struct AuthRequest {
    /// `/oauth2/authorize` with every parameter.
    pub url: Url,
    /// The PKCE verifier behind the `code_challenge`.
    pub verifier: String,
    /// The `state` the callback must bring back.
    pub state: String,
    /// The `nonce` the id token must carry.
    pub nonce: String,
    /// The profile's first registered callback.
    pub redirect_uri: String,
}

/// A fresh authorization request for `profile`, with S256 PKCE and random state and nonce.
pub fn authorize_request(profile: &Profile) -> AuthRequest {
    let verifier = random_token();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let state = random_token();
    let nonce = random_token();
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

fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// POSTs a form to the token endpoint; the status and the JSON body (`null` when not JSON).
pub async fn token_request(profile: &Profile, form: &[(&str, &str)]) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(profile.hosted_ui_url("oauth2/token"))
        .form(form)
        .send()
        .await
        .expect("the token endpoint answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The whole browser leg as [`ALICE`]: authorize, robot sign-in, code exchange; the tokens.
pub async fn sign_in(profile: &Profile) -> Value {
    let request = authorize_request(profile);
    let back = cubby_localcloud::robot::sign_in(&request.url, ALICE.email, ALICE.password)
        .await
        .expect("the robot signs in");
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
