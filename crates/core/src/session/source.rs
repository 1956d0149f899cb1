//! The session as a [`CredentialSource`]: id token (refreshed when due) -> identity pool.

use std::fmt;
use std::sync::Weak;

use aws_credential_types::Credentials;

use super::Inner;
use crate::error::{Error, ErrorCode, Result};
use crate::identity::CredentialSource;

/// Fetches fresh credentials for the session it came from; holds it weakly, so a provider kept
/// by an AWS client does not keep a dropped session alive.
#[derive(Clone)]
pub struct SessionCredentials {
    inner: Weak<Inner>,
}

impl SessionCredentials {
    pub(super) fn new(inner: Weak<Inner>) -> Self {
        Self { inner }
    }
}

impl fmt::Debug for SessionCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionCredentials")
    }
}

impl CredentialSource for SessionCredentials {
    async fn fetch(&self) -> Result<Credentials> {
        let inner = self.inner.upgrade().ok_or_else(|| {
            Error::new(
                ErrorCode::AuthNotSignedIn,
                "the session was closed; sign in again",
            )
        })?;
        inner.fetch_credentials().await
    }
}
