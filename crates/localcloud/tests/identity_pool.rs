//! The identity pool through the unmodified aws-sdk-cognitoidentity client, error paths included.

use std::collections::HashMap;

use aws_sdk_cognitoidentity::error::ProvideErrorMetadata;
use cubby_test_support::aws::identity_client;
use cubby_test_support::oauth::sign_in;
use cubby_test_support::{ALICE, TestCloud};

async fn id_token(sb: &TestCloud) -> String {
    sign_in(&sb.profile).await["id_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn logins(key: &str, token: &str) -> HashMap<String, String> {
    HashMap::from([(key.to_owned(), token.to_owned())])
}

async fn get_id_error(sb: &TestCloud, key: &str, token: &str) -> (String, String) {
    let err = identity_client(&sb.profile)
        .get_id()
        .identity_pool_id(&sb.profile.identity_pool_id)
        .set_logins(Some(logins(key, token)))
        .send()
        .await
        .unwrap_err();
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

/// Signs claims with the sandbox's own key, as only the user pool could: for tokens that are
/// well signed but wrong in one claim.
async fn forge(sb: &TestCloud, claims: serde_json::Value) -> String {
    let pem = std::fs::read(sb.data_dir().join("signing-key.pem")).unwrap();
    let jwks: serde_json::Value =
        reqwest::get(format!("{}/.well-known/jwks.json", sb.profile.issuer()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = jwks["keys"][0]["kid"].as_str().map(str::to_owned);
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(&pem).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn same_user_gets_the_same_identity_and_working_credentials() {
    let sb = TestCloud::start().await;
    let token = id_token(&sb).await;
    let client = identity_client(&sb.profile);
    let key = sb.profile.logins_key();
    let first = client
        .get_id()
        .identity_pool_id(&sb.profile.identity_pool_id)
        .set_logins(Some(logins(&key, &token)))
        .send()
        .await
        .unwrap();
    let identity_id = first.identity_id().unwrap().to_owned();
    assert!(identity_id.starts_with("us-east-1:"), "{identity_id}");
    let second_token = id_token(&sb).await;
    let second = client
        .get_id()
        .identity_pool_id(&sb.profile.identity_pool_id)
        .set_logins(Some(logins(&key, &second_token)))
        .send()
        .await
        .unwrap();
    assert_eq!(second.identity_id(), Some(identity_id.as_str()));

    let creds = client
        .get_credentials_for_identity()
        .identity_id(&identity_id)
        .set_logins(Some(logins(&key, &token)))
        .send()
        .await
        .unwrap();
    let c = creds.credentials().unwrap();
    assert!(c.access_key_id().unwrap().starts_with("ASIA"));
    assert!(c.secret_key().is_some() && c.session_token().is_some());
    let expires = c.expiration().unwrap().secs();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (3590..=3601).contains(&(expires - now)),
        "{}",
        expires - now
    );
}

#[tokio::test]
async fn identity_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let start = || async {
        let mut config = cubby_localcloud::LocalCloudConfig::new(dir.path());
        config.users = vec![ALICE.account()];
        cubby_localcloud::LocalCloud::start(config).await.unwrap()
    };
    let cloud = start().await;
    let (first, _) = cloud.identity_credentials(ALICE.email).unwrap();
    let client_id = cloud.profile().client_id;
    cloud.shutdown().await;
    let cloud = start().await;
    assert_eq!(cloud.identity_credentials(ALICE.email).unwrap().0, first);
    assert_eq!(cloud.profile().client_id, client_id);
}

#[tokio::test]
async fn bad_tokens_and_logins_are_refused_like_aws() {
    let sb = TestCloud::start().await;
    let good = sign_in(&sb.profile).await;
    let id_token = good["id_token"].as_str().unwrap();
    let access_token = good["access_token"].as_str().unwrap();
    let key = sb.profile.logins_key();

    let other = TestCloud::start().await;
    let foreign = sign_in(&other.profile).await["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (code, message) = get_id_error(&sb, &key, &foreign).await;
    assert_eq!(code, "NotAuthorizedException");
    assert!(
        message.contains("Couldn't verify signed token"),
        "{message}"
    );

    let (code, message) = get_id_error(&sb, &other.profile.logins_key(), id_token).await;
    assert_eq!(code, "NotAuthorizedException");
    assert!(
        message.contains("not from a supported provider"),
        "{message}"
    );

    let (_, message) = get_id_error(&sb, &key, access_token).await;
    assert!(
        message.contains("Missing a required claim: aud"),
        "{message}"
    );

    let claims: serde_json::Value = jsonwebtoken::dangerous::insecure_decode(id_token)
        .unwrap()
        .claims;
    let mut wrong_aud = claims.clone();
    wrong_aud["aud"] = "someoneelsesclient".into();
    let (_, message) = get_id_error(&sb, &key, &forge(&sb, wrong_aud).await).await;
    assert!(message.contains("Incorrect token audience"), "{message}");

    let mut expired = claims.clone();
    expired["exp"] = (claims["iat"].as_u64().unwrap() - 10).into();
    let (_, message) = get_id_error(&sb, &key, &forge(&sb, expired).await).await;
    assert!(message.contains("Token expired"), "{message}");

    let client = identity_client(&sb.profile);
    let err = client
        .get_id()
        .identity_pool_id("us-east-1:00000000-0000-4000-8000-000000000000")
        .set_logins(Some(logins(&key, id_token)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ResourceNotFoundException"));

    let err = client
        .get_id()
        .identity_pool_id(&sb.profile.identity_pool_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("NotAuthorizedException"),
        "no unauthenticated identities"
    );

    // Another user's login cannot fetch this user's credentials.
    let (victim, _) = sb.cloud.identity_credentials("victim@example.com").unwrap();
    let err = client
        .get_credentials_for_identity()
        .identity_id(&victim)
        .set_logins(Some(logins(&key, id_token)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NotAuthorizedException"));
}
