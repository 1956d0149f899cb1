//! The hosted sign-in and the token endpoint, as an app and a browser see them over HTTP.

use cubby_test_support::browser::{query_of, with_param};
use cubby_test_support::oauth::{AuthRequest, authorize_request, sign_in, token_request};
use cubby_test_support::{ALICE, TestCloud};
use reqwest::redirect::Policy;
use url::Url;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn location_of(url: Url) -> (u16, Url) {
    let response = no_redirects().get(url.clone()).send().await.unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    (response.status().as_u16(), url.join(&location).unwrap())
}

#[tokio::test]
async fn unregistered_redirect_and_unknown_client_land_on_an_error_page() {
    let sb = TestCloud::start().await;
    let request = authorize_request(&sb.profile);
    for (name, value, expected) in [
        (
            "redirect_uri",
            Some("http://localhost:9/evil"),
            "redirect_mismatch",
        ),
        ("redirect_uri", None, "redirect_mismatch"),
        ("client_id", Some("nope"), "invalid_client"),
    ] {
        let (status, location) = location_of(with_param(&request.url, name, value)).await;
        assert_eq!(status, 302, "{name}");
        assert_eq!(location.path(), "/error", "{name}: never sent to the app");
        assert_eq!(query_of(&location)["error"], expected);
        let page = reqwest::get(location).await.unwrap();
        assert_eq!(page.status().as_u16(), 400);
        assert!(page.text().await.unwrap().contains(expected));
    }
}

#[tokio::test]
async fn bad_requests_with_a_valid_redirect_come_back_as_errors() {
    let sb = TestCloud::start().await;
    let request = authorize_request(&sb.profile);
    for (name, value, expected) in [
        ("code_challenge_method", None, "invalid_request"),
        ("code_challenge_method", Some("plain"), "invalid_request"),
        ("code_challenge", None, "invalid_request"),
        ("response_type", Some("token"), "unauthorized_client"),
        ("response_type", None, "invalid_request"),
        ("scope", Some("email profile"), "invalid_scope"),
        ("scope", Some("openid admin:all"), "invalid_scope"),
    ] {
        let (_, location) = location_of(with_param(&request.url, name, value)).await;
        assert_eq!(
            location.as_str().split('?').next().unwrap(),
            request.redirect_uri,
            "{name}={value:?}"
        );
        let params = query_of(&location);
        assert_eq!(params["error"], expected, "{name}={value:?}");
        assert_eq!(params["state"], request.state);
        assert!(!params.contains_key("code"));
    }
}

#[tokio::test]
async fn sign_up_then_session_skips_the_form_until_logout() {
    let sb = TestCloud::start().await;
    let robot = cubby_localcloud::robot::Robot::new();
    let request = authorize_request(&sb.profile);
    let back = robot
        .sign_in(&request.url, "new.person@example.com", "a fine password")
        .await
        .unwrap();
    assert!(
        query_of(&back).contains_key("code"),
        "signed up and sent back: {back}"
    );

    // Second authorize in the same browser: straight back with a code, no form.
    let again = authorize_request(&sb.profile);
    let back = robot
        .sign_in(&again.url, "ignored@example.com", "ignored!!")
        .await
        .unwrap();
    assert_eq!(query_of(&back)["state"], again.state);

    // Logout clears the session and goes to the registered sign-out URL only.
    let mut logout = sb.profile.hosted_ui_url("logout");
    logout
        .query_pairs_mut()
        .append_pair("client_id", &sb.profile.client_id)
        .append_pair("logout_uri", "http://localhost:9/not-registered");
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let refused = client.get(logout.clone()).send().await.unwrap();
    assert!(
        refused.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/error")
    );
    let signed_out = format!("http://localhost:{}/signed-out", sb.ports[0]);
    let logout = with_param(&logout, "logout_uri", Some(&signed_out));
    let response = client.get(logout).send().await.unwrap();
    assert_eq!(response.headers()["location"], signed_out.as_str());
    assert!(
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

#[tokio::test]
async fn wrong_password_is_refused_on_the_page() {
    let sb = TestCloud::start().await;
    let request = authorize_request(&sb.profile);
    let err = cubby_localcloud::robot::sign_in(&request.url, ALICE.email, "wrong password")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    let login = sb
        .profile
        .hosted_ui_url(&format!("login?{}", request.url.query().unwrap()));
    let page = no_redirects()
        .post(login)
        .form(&[("email", ALICE.email), ("password", "wrong password")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 400);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Incorrect username or password.")
    );
}

async fn code_for(sb: &TestCloud) -> (AuthRequest, String) {
    let request = authorize_request(&sb.profile);
    let back = cubby_localcloud::robot::sign_in(&request.url, ALICE.email, ALICE.password)
        .await
        .unwrap();
    let code = query_of(&back)["code"].clone();
    (request, code)
}

fn code_form<'a>(
    sb: &'a TestCloud,
    request: &'a AuthRequest,
    code: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("client_id", sb.profile.client_id.as_str()),
        ("code", code),
        ("redirect_uri", request.redirect_uri.as_str()),
        ("code_verifier", request.verifier.as_str()),
    ]
}

#[tokio::test]
async fn code_exchange_checks_verifier_redirect_and_single_use() {
    let sb = TestCloud::start().await;

    let (request, code) = code_for(&sb).await;
    let mut form = code_form(&sb, &request, &code);
    form[4].1 = "a-verifier-that-is-not-the-one-behind-the-challenge-at-all";
    let (status, json) = token_request(&sb.profile, &form).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // The failed attempt spent the code.
    let (status, _) = token_request(&sb.profile, &code_form(&sb, &request, &code)).await;
    assert_eq!(status, 400);

    let (request, code) = code_for(&sb).await;
    let other_callback = sb.profile.redirects[1].url().to_string();
    let mut form = code_form(&sb, &request, &code);
    form[3].1 = &other_callback;
    let (_, json) = token_request(&sb.profile, &form).await;
    assert_eq!(json["error"], "invalid_grant");

    let (request, code) = code_for(&sb).await;
    let (status, json) = token_request(&sb.profile, &code_form(&sb, &request, &code)).await;
    assert_eq!(status, 200, "{json}");
    for field in ["access_token", "id_token", "refresh_token"] {
        assert!(json[field].is_string(), "{field}");
    }
    assert_eq!(json["token_type"], "Bearer");
    let (status, json) = token_request(&sb.profile, &code_form(&sb, &request, &code)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant")),
        "code reuse"
    );

    let (status, json) = token_request(
        &sb.profile,
        &[
            ("grant_type", "password"),
            ("client_id", &sb.profile.client_id),
        ],
    )
    .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, json) = token_request(
        &sb.profile,
        &[("grant_type", "authorization_code"), ("client_id", "other")],
    )
    .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, json) = token_request(
        &sb.profile,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &sb.profile.client_id),
        ],
    )
    .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[tokio::test]
async fn expired_code_is_refused() {
    let sb = TestCloud::start_with(|c| c.code_ttl = std::time::Duration::ZERO).await;
    let (request, code) = code_for(&sb).await;
    let (status, json) = token_request(&sb.profile, &code_form(&sb, &request, &code)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert!(
        json["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn refresh_works_until_revoked_and_rotation_replaces_the_token() {
    let sb = TestCloud::start().await;
    let tokens = sign_in(&sb.profile).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", sb.profile.client_id.as_str()),
        ("refresh_token", refresh),
    ];
    let (status, json) = token_request(&sb.profile, &form).await;
    assert_eq!(status, 200, "{json}");
    assert!(json["id_token"].is_string());
    assert!(
        json.get("refresh_token").is_none(),
        "no rotation by default"
    );

    let access = json["access_token"].as_str().unwrap().to_owned();
    assert_eq!(user_info(&sb.profile, &access).await, 200);

    let revoke = reqwest::Client::new()
        .post(sb.profile.hosted_ui_url("oauth2/revoke"))
        .form(&[("token", refresh), ("client_id", &sb.profile.client_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status().as_u16(), 200);
    let (status, json) = token_request(&sb.profile, &form).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(
        user_info(&sb.profile, &access).await,
        401,
        "tokens issued from a revoked refresh token die with it"
    );

    let rotating = TestCloud::start_with(|c| c.rotate_refresh_tokens = true).await;
    let tokens = sign_in(&rotating.profile).await;
    let first = tokens["refresh_token"].as_str().unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", rotating.profile.client_id.as_str()),
        ("refresh_token", first),
    ];
    let (_, json) = token_request(&rotating.profile, &form).await;
    let second = json["refresh_token"]
        .as_str()
        .expect("rotated token")
        .to_owned();
    assert_ne!(second, first);
    assert_eq!(
        user_info(&rotating.profile, json["access_token"].as_str().unwrap()).await,
        200,
        "rotation spends the old refresh token; the sign-in goes on"
    );
    let (status, _) = token_request(&rotating.profile, &form).await;
    assert_eq!(status, 400, "the old refresh token is spent");
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", rotating.profile.client_id.as_str()),
        ("refresh_token", second.as_str()),
    ];
    assert_eq!(token_request(&rotating.profile, &form).await.0, 200);
}

/// The status `/oauth2/userInfo` answers for an access token.
async fn user_info(profile: &cubby_core::config::Profile, access_token: &str) -> u16 {
    reqwest::Client::new()
        .get(profile.hosted_ui_url("oauth2/userInfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn discovery_jwks_and_id_token_claims() {
    let sb = TestCloud::start().await;
    let issuer = sb.profile.issuer();
    let discovery: serde_json::Value =
        reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(discovery["issuer"], issuer.as_str());
    let jwks: jsonwebtoken::jwk::JwkSet = reqwest::get(discovery["jwks_uri"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let request = authorize_request(&sb.profile);
    let back = cubby_localcloud::robot::sign_in(&request.url, ALICE.email, ALICE.password)
        .await
        .unwrap();
    let code = query_of(&back)["code"].clone();
    let (_, tokens) = token_request(&sb.profile, &code_form(&sb, &request, &code)).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("kid in JWKS");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[&sb.profile.client_id]);
    validation.set_issuer(&[issuer.as_str()]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(
        id_token,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["token_use"], "id");
    assert_eq!(claims["email"], ALICE.email);
    assert_eq!(claims["nonce"], request.nonce.as_str());
    for claim in ["sub", "exp", "iat", "auth_time", "cognito:username"] {
        assert!(!claims[claim].is_null(), "{claim}");
    }
    let access = jsonwebtoken::decode::<serde_json::Value>(
        tokens["access_token"].as_str().unwrap(),
        &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(),
        &{
            let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
            v.validate_aud = false;
            v
        },
    )
    .unwrap()
    .claims;
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], sb.profile.client_id.as_str());
}
