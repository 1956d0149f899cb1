//! One sign-in attempt: the URL to open and the secrets only this app knows (PKCE verifier,
//! state, nonce) that the answer must match.

use std::fmt;

use oauth2::{AuthorizationCode, CsrfToken, PkceCodeVerifier};
use secrecy::SecretString;
use url::Url;

use crate::error::Result;

/// A started sign-in, made by [`super::OAuthClient::authorization_request`]. Fresh `state`,
/// `nonce` and PKCE verifier each time; consumed by the token exchange, so it completes once.
pub struct AuthorizationRequest {
    pub(crate) url: Url,
    pub(crate) redirect: Url,
    pub(crate) state: CsrfToken,
    pub(crate) nonce: SecretString,
    pub(crate) verifier: PkceCodeVerifier,
}

impl AuthorizationRequest {
    /// The hosted UI page to open in the system browser.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The registered callback the answer will be sent to.
    pub fn redirect(&self) -> &Url {
        &self.redirect
    }

    /// The `state` value the answer must carry (deep-link receivers match on it).
    pub fn state(&self) -> &str {
        self.state.secret()
    }

    /// The authorization code in `callback`, if it answers this request.
    pub fn code_from(&self, callback: &Url) -> Result<AuthorizationCode> {
        super::authorization_code(callback, self.state())
    }
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("redirect", &self.redirect.as_str())
            .finish_non_exhaustive()
    }
}
