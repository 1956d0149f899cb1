//! Checking an id token before trusting a word of it: RS256 signature against the user pool's
//! published keys (found through OIDC discovery), then `iss`, `aud`, `exp`, `token_use` and `nonce`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use crate::config::Profile;
use crate::error::{Error, ErrorCode, Result};

/// The claims Cubby reads from a checked id token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IdClaims {
    /// The user pool's id of the person.
    pub sub: String,
    /// Their email, when the scopes include it.
    #[serde(default)]
    pub email: Option<String>,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: u64,
    #[serde(default)]
    token_use: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
}

impl IdClaims {
    /// When the token expires.
    pub fn expires_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.exp)
    }
}

/// What a token must say to be accepted.
pub(crate) struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The nonce of the sign-in; `None` for tokens from the refresh grant, which carry none.
    pub nonce: Option<&'a str>,
}

/// Verifies id tokens of one profile; the key set is fetched once and again on an unknown key id.
pub struct IdTokenVerifier {
    issuer: Url,
    discovery: Url,
    client_id: String,
    http: reqwest::Client,
    keys: Mutex<Option<JwkSet>>,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: Url,
}

impl IdTokenVerifier {
    /// A verifier for `profile`'s issuer and app client; keys are fetched on first use.
    pub fn new(profile: &Profile, http: reqwest::Client) -> Self {
        Self {
            issuer: profile.issuer(),
            discovery: profile.discovery_url(),
            client_id: profile.client_id.clone(),
            http,
            keys: Mutex::new(None),
        }
    }

    fn issuer_str(&self) -> &str {
        self.issuer.as_str().trim_end_matches('/')
    }

    /// The claims of `token` if it passes every check; `nonce` is the sign-in's, if any.
    pub async fn verify(&self, token: &str, nonce: Option<&str>) -> Result<IdClaims> {
        let header = jsonwebtoken::decode_header(token).map_err(|err| invalid(&err))?;
        let kid = header
            .kid
            .ok_or_else(|| rejected("it names no signing key (kid)"))?;
        let mut keys = self.keys.lock().await;
        let known = keys.as_ref().and_then(|set| set.find(&kid)).is_some();
        if !known {
            *keys = Some(self.fetch_keys().await?);
        }
        let jwk = keys
            .as_ref()
            .and_then(|set| set.find(&kid))
            .ok_or_else(|| rejected("it is signed with a key the user pool does not publish"))?;
        verify_with_key(
            token,
            jwk,
            &Expected {
                issuer: self.issuer_str(),
                client_id: &self.client_id,
                nonce,
            },
        )
    }

    async fn fetch_keys(&self) -> Result<JwkSet> {
        let discovery_url = &self.discovery;
        let discovery: Discovery = super::http::get_json(&self.http, discovery_url).await?;
        if discovery.issuer.trim_end_matches('/') != self.issuer_str() {
            return Err(Error::new(
                ErrorCode::AuthUnexpectedResponse,
                format!(
                    "the discovery document at {discovery_url} is for issuer '{}', not '{}'; check the profile's user pool and endpoints.issuer",
                    discovery.issuer,
                    self.issuer_str()
                ),
            ));
        }
        super::http::get_json(&self.http, &discovery.jwks_uri).await
    }
}

/// Checks `token` against one published key and the expectations.
pub(crate) fn verify_with_key(token: &str, jwk: &Jwk, expected: &Expected<'_>) -> Result<IdClaims> {
    let key = DecodingKey::from_jwk(jwk).map_err(|err| invalid(&err))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<IdClaims>(token, &key, &validation)
        .map_err(|err| invalid(&err))?
        .claims;
    if claims.token_use.as_deref() != Some("id") {
        return Err(rejected("it is not an id token (token_use)"));
    }
    if let Some(nonce) = expected.nonce
        && claims.nonce.as_deref() != Some(nonce)
    {
        return Err(rejected("it was issued for another sign-in (nonce)"));
    }
    Ok(claims)
}

fn invalid(err: &jsonwebtoken::errors::Error) -> Error {
    rejected(match err.kind() {
        ErrorKind::InvalidSignature => "its signature does not match the user pool's key",
        ErrorKind::InvalidAudience => "it was issued to another app client (aud)",
        ErrorKind::InvalidIssuer => "it was issued by another user pool (iss)",
        ErrorKind::ExpiredSignature => "it has expired (exp)",
        ErrorKind::InvalidAlgorithm => "it is not signed with RS256",
        ErrorKind::MissingRequiredClaim(_) => "it lacks a required claim",
        _ => "it is not a well-formed signed token",
    })
}

fn rejected(why: &str) -> Error {
    Error::new(
        ErrorCode::AuthIdTokenInvalid,
        format!(
            "the sign-in service returned an id token Cubby cannot trust: {why}; sign in again, and if it persists check the profile's client_id and issuer"
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::{EncodingKey, Header};
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::traits::PublicKeyParts;
    use serde_json::{Value, json};

    use super::*;

    const ISSUER: &str = "http://127.0.0.1:1/us-east-1_test";

    struct TestKey {
        encoding: EncodingKey,
        jwk: Jwk,
    }

    fn make_key(kid: &str) -> TestKey {
        let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let pem = private.to_pkcs1_pem(Default::default()).unwrap();
        let jwk = serde_json::from_value(json!({
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(private.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(private.e().to_bytes_be()),
        }))
        .unwrap();
        TestKey {
            encoding: EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
            jwk,
        }
    }

    fn keys() -> &'static (TestKey, TestKey) {
        static KEYS: OnceLock<(TestKey, TestKey)> = OnceLock::new();
        KEYS.get_or_init(|| (make_key("k1"), make_key("k2")))
    }

    fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn good_claims() -> Value {
        json!({
            "sub": "user-1", "email": "a@example.com", "iss": ISSUER, "aud": "client-1",
            "token_use": "id", "exp": now() + 600, "iat": now(), "nonce": "n1",
        })
    }

    fn sign(claims: &Value, key: &TestKey) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
    }

    fn check(claims: &Value, signer: &TestKey, nonce: Option<&str>) -> Result<IdClaims> {
        let expected = Expected {
            issuer: ISSUER,
            client_id: "client-1",
            nonce,
        };
        verify_with_key(&sign(claims, signer), &keys().0.jwk, &expected)
    }

    #[test]
    fn accepts_a_good_token_with_or_without_nonce_expectation() {
        let claims = check(&good_claims(), &keys().0, Some("n1")).unwrap();
        assert_eq!(claims.sub, "user-1");
        assert_eq!(claims.email.as_deref(), Some("a@example.com"));
        let mut refreshed = good_claims();
        refreshed.as_object_mut().unwrap().remove("nonce");
        check(&refreshed, &keys().0, None).unwrap();
    }

    #[test]
    fn rejects_each_broken_claim_with_its_reason() {
        let with = |field: &str, value: Value| {
            let mut claims = good_claims();
            claims[field] = value;
            claims
        };
        let cases = [
            (with("aud", json!("other-client")), "aud"),
            (with("iss", json!("http://evil/us-east-1_x")), "iss"),
            (with("exp", json!(now() - 3600)), "exp"),
            (with("token_use", json!("access")), "token_use"),
            (with("nonce", json!("n2")), "nonce"),
        ];
        for (claims, reason) in cases {
            let err = check(&claims, &keys().0, Some("n1")).unwrap_err();
            assert_eq!(err.code, ErrorCode::AuthIdTokenInvalid);
            assert!(err.message.contains(reason), "{reason}: {}", err.message);
        }
    }

    #[test]
    fn rejects_a_token_signed_by_another_key() {
        let err = check(&good_claims(), &keys().1, Some("n1")).unwrap_err();
        assert_eq!(err.code, ErrorCode::AuthIdTokenInvalid);
        assert!(err.message.contains("signature"), "{}", err.message);
    }

    #[test]
    fn rejects_garbage() {
        let expected = Expected {
            issuer: ISSUER,
            client_id: "client-1",
            nonce: None,
        };
        let err = verify_with_key("not.a.jwt", &keys().0.jwk, &expected).unwrap_err();
        assert_eq!(err.code, ErrorCode::AuthIdTokenInvalid);
    }
}
