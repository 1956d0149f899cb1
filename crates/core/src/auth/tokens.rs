//! The tokens of a signed-in person. Only the refresh token is ever stored (in the keyring);
//! every type here redacts its secrets in `Debug`.

use std::fmt;
use std::time::SystemTime;

use oauth2::{AccessToken, RefreshToken};
use secrecy::SecretString;

use super::IdClaims;

/// What the token endpoint returned, after the id token passed its checks.
pub struct TokenSet {
    /// Cognito access token (sent only to revoke and userinfo).
    pub access_token: AccessToken,
    /// The id token the identity pool trades for credentials.
    pub id_token: SecretString,
    /// Present after the code grant, and after a refresh when the app client rotates tokens.
    pub refresh_token: Option<RefreshToken>,
    /// What the checked id token says.
    pub claims: IdClaims,
}

impl TokenSet {
    /// When the id token stops being accepted (its `exp`).
    pub fn id_token_expiry(&self) -> SystemTime {
        self.claims.expires_at()
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"[redacted]")
            .field("id_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("claims", &self.claims)
            .finish()
    }
}
