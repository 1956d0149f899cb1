//! SigV4 secrets for s3s, looked up in the [`CredentialStore`]: unknown keys are
//! `InvalidAccessKeyId`, expired temporary credentials `ExpiredToken` (as AWS answers).

use std::sync::Arc;
use std::time::SystemTime;

use s3s::auth::{S3Auth, SecretKey};
use s3s::{S3Result, s3_error};

use crate::credentials::CredentialStore;

pub(crate) struct CredentialAuth {
    pub credentials: Arc<CredentialStore>,
}

#[async_trait::async_trait]
impl S3Auth for CredentialAuth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        let credential = self.credentials.lookup(access_key).ok_or_else(|| {
            s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )
        })?;
        if credential.is_expired(SystemTime::now()) {
            return Err(s3_error!(ExpiredToken, "The provided token has expired."));
        }
        Ok(SecretKey::from(credential.secret_access_key))
    }
}
