//! The hosted UI's OAuth endpoints through the `oauth2` crate: the authorization URL, the code
//! and refresh grants, and revocation. Every token that comes back passes [`IdTokenVerifier`].

use std::fmt;
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, HttpClientError, PkceCodeChallenge, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

use super::http::unreachable;
use super::id_token::IdTokenVerifier;
use super::{AuthorizationRequest, TokenSet};
use crate::config::Profile;
use crate::error::{Error, ErrorCode, Result};

/// Cognito's token response adds `id_token` to the standard fields.
#[derive(Clone, Deserialize, Serialize)]
struct IdTokenField {
    id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenField {}

impl fmt::Debug for IdTokenField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdTokenField([redacted])")
    }
}

type CognitoTokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

type CognitoClient = Client<
    BasicErrorResponse,
    CognitoTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

type TokenError = RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>;

/// The OAuth side of one profile (a public client: no secret, PKCE instead).
pub struct OAuthClient {
    oauth: CognitoClient,
    http: reqwest::Client,
    client_id: String,
    token_url: Url,
    revoke_url: Url,
    scopes: Vec<String>,
    verifier: IdTokenVerifier,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("token_url", &self.token_url.as_str())
            .finish_non_exhaustive()
    }
}

/// The HTTP client for the sign-in service: never follows redirects (a token endpoint that
/// redirects is misconfigured, and following it could leak the code).
pub(crate) fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|err| {
            Error::internal(format!("cannot build the HTTP client: {err}")).with_source(err)
        })
}

impl OAuthClient {
    /// The hosted UI's endpoints of `profile`.
    pub fn new(profile: &Profile) -> Result<Self> {
        let http = http_client()?;
        let token_url = profile.hosted_ui_url("oauth2/token");
        let oauth = Client::new(ClientId::new(profile.client_id.clone()))
            .set_auth_uri(AuthUrl::from_url(profile.hosted_ui_url("oauth2/authorize")))
            .set_token_uri(TokenUrl::from_url(token_url.clone()));
        Ok(Self {
            oauth,
            verifier: IdTokenVerifier::new(profile, http.clone()),
            http,
            client_id: profile.client_id.clone(),
            token_url,
            revoke_url: profile.hosted_ui_url("oauth2/revoke"),
            scopes: profile.scopes.clone(),
        })
    }

    /// A fresh sign-in whose answer goes to `redirect` (one of the profile's registered callbacks).
    pub fn authorization_request(&self, redirect: &Url) -> AuthorizationRequest {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = CsrfToken::new_random().into_secret();
        let (url, state) = self
            .oauth
            .authorize_url(CsrfToken::new_random)
            .set_redirect_uri(std::borrow::Cow::Owned(RedirectUrl::from_url(
                redirect.clone(),
            )))
            .add_scopes(self.scopes.iter().map(|s| Scope::new(s.clone())))
            .add_extra_param("nonce", nonce.clone())
            .set_pkce_challenge(challenge)
            .url();
        AuthorizationRequest {
            url,
            redirect: redirect.clone(),
            state,
            nonce: SecretString::from(nonce),
            verifier,
        }
    }

    /// Trades the code for tokens; the request is consumed, so one sign-in completes at most once.
    pub async fn exchange_code(
        &self,
        request: AuthorizationRequest,
        code: AuthorizationCode,
    ) -> Result<TokenSet> {
        let response = self
            .oauth
            .exchange_code(code)
            .set_redirect_uri(std::borrow::Cow::Owned(RedirectUrl::from_url(
                request.redirect.clone(),
            )))
            .set_pkce_verifier(request.verifier)
            .request_async(&self.http)
            .await
            .map_err(|err| {
                self.token_error(err, || {
                    Error::new(
                        ErrorCode::AuthCodeRejected,
                        "the sign-in service refused the authorization code (already used, expired, or from another sign-in); sign in again",
                    )
                })
            })?;
        let nonce = request.nonce;
        self.checked(response, Some(secrecy::ExposeSecret::expose_secret(&nonce)))
            .await
    }

    /// New tokens from the refresh token. `invalid_grant` (expired or revoked) means signed out.
    pub async fn refresh(&self, refresh_token: &RefreshToken) -> Result<TokenSet> {
        let response = self
            .oauth
            .exchange_refresh_token(refresh_token)
            .request_async(&self.http)
            .await
            .map_err(|err| self.token_error(err, Error::session_expired))?;
        self.checked(response, None).await
    }

    /// Revokes the refresh token and the tokens issued from it (RFC 7009). Sent by hand: the
    /// `oauth2` crate refuses revocation endpoints that are not https, and localcloud is http.
    pub async fn revoke(&self, refresh_token: &RefreshToken) -> Result<()> {
        let response = self
            .http
            .post(self.revoke_url.clone())
            .form(&[
                ("token", refresh_token.secret().as_str()),
                ("client_id", self.client_id.as_str()),
            ])
            .send()
            .await
            .map_err(|err| unreachable(&self.revoke_url, err))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::AuthUnexpectedResponse,
                format!(
                    "the sign-in service answered {} to the sign-out request at {}",
                    response.status(),
                    self.revoke_url
                ),
            ))
        }
    }

    async fn checked(
        &self,
        response: CognitoTokenResponse,
        nonce: Option<&str>,
    ) -> Result<TokenSet> {
        let id_token = response.extra_fields().id_token.clone().ok_or_else(|| {
            Error::new(
                ErrorCode::AuthUnexpectedResponse,
                "the sign-in service returned no id token; the profile's scopes must include \"openid\"",
            )
        })?;
        let claims = self.verifier.verify(&id_token, nonce).await?;
        Ok(TokenSet {
            access_token: response.access_token().clone(),
            id_token: SecretString::from(id_token),
            refresh_token: response.refresh_token().cloned(),
            claims,
        })
    }

    fn token_error(&self, err: TokenError, on_invalid_grant: impl FnOnce() -> Error) -> Error {
        match err {
            RequestTokenError::ServerResponse(response)
                if *response.error() == BasicErrorResponseType::InvalidGrant =>
            {
                on_invalid_grant()
            }
            RequestTokenError::ServerResponse(response) => Error::new(
                ErrorCode::AuthProviderError,
                format!(
                    "the sign-in service refused the request: {}; check the profile's client_id (it must be a public app client without a secret)",
                    super::callback::provider_text(response.error().as_ref())
                ),
            ),
            RequestTokenError::Request(HttpClientError::Reqwest(err)) => {
                unreachable(&self.token_url, *err)
            }
            other => Error::new(
                ErrorCode::AuthUnexpectedResponse,
                format!(
                    "the token endpoint {} sent an answer Cubby cannot read ({other}); check the profile's hosted_ui",
                    self.token_url
                ),
            ),
        }
    }
}
