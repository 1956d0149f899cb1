//! The identity pool's two unsigned calls, through the AWS SDK. They are small, so each
//! attempt and each whole call (retries included) has a time limit: a pool that accepted the
//! connection and never answers ends in `net.timeout`, not a wait without end.

use std::fmt;

use aws_credential_types::Credentials;
use aws_sdk_cognitoidentity::config::timeout::TimeoutConfig;
use aws_sdk_cognitoidentity::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentity::error::{ProvideErrorMetadata, SdkError};
use secrecy::{ExposeSecret, SecretString};

use crate::config::Profile;
use crate::error::{Error, ErrorCode, Result};
use crate::timeouts::Timeouts;

/// One profile's identity pool. `GetId` and `GetCredentialsForIdentity` need no AWS
/// credentials, so the client has none.
pub struct IdentityPool {
    client: aws_sdk_cognitoidentity::Client,
    pool_id: String,
    logins_key: String,
}

impl fmt::Debug for IdentityPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityPool")
            .field("pool_id", &self.pool_id)
            .finish_non_exhaustive()
    }
}

impl IdentityPool {
    /// The identity pool of `profile` (its region, pool id and endpoint), with the default
    /// [`Timeouts`].
    pub fn new(profile: &Profile) -> Self {
        Self::with_timeouts(profile, &Timeouts::default())
    }

    /// [`IdentityPool::new`] with other network time limits.
    pub fn with_timeouts(profile: &Profile, timeouts: &Timeouts) -> Self {
        let mut config = aws_sdk_cognitoidentity::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(profile.region.clone()))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(timeouts.connect)
                    .operation_attempt_timeout(timeouts.idle)
                    .operation_timeout(timeouts.call)
                    .build(),
            );
        if let Some(endpoint) = &profile.endpoints.identity {
            config = config.endpoint_url(endpoint.as_str());
        }
        Self {
            client: aws_sdk_cognitoidentity::Client::from_conf(config.build()),
            pool_id: profile.identity_pool_id.clone(),
            logins_key: profile.logins_key(),
        }
    }

    /// The person's identity id (their folder name); the same for the same user every time.
    pub async fn get_id(&self, id_token: &SecretString) -> Result<String> {
        let output = self
            .client
            .get_id()
            .identity_pool_id(&self.pool_id)
            .logins(&self.logins_key, id_token.expose_secret())
            .send()
            .await
            .map_err(pool_error)?;
        output.identity_id.ok_or_else(|| {
            Error::new(
                ErrorCode::IdentityRefused,
                "the identity pool returned no identity id; check the profile's identity_pool_id",
            )
        })
    }

    /// Temporary credentials limited to the identity's folder. A refused id token gives
    /// `auth.session_expired`.
    pub async fn credentials(
        &self,
        identity_id: &str,
        id_token: &SecretString,
    ) -> Result<Credentials> {
        let output = self
            .client
            .get_credentials_for_identity()
            .identity_id(identity_id)
            .logins(&self.logins_key, id_token.expose_secret())
            .send()
            .await
            .map_err(pool_error)?;
        let missing = || {
            Error::new(
                ErrorCode::IdentityRefused,
                "the identity pool returned incomplete credentials; check the identity pool's authenticated role",
            )
        };
        let credentials = output.credentials.ok_or_else(missing)?;
        let expiration = credentials
            .expiration
            .and_then(|at| std::time::SystemTime::try_from(at).ok());
        Ok(Credentials::new(
            credentials.access_key_id.ok_or_else(missing)?,
            credentials.secret_key.ok_or_else(missing)?,
            credentials.session_token,
            expiration,
            "cubby-identity-pool",
        ))
    }
}

fn pool_error<E, R>(err: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    match &err {
        SdkError::TimeoutError(_) => Error::new(
            ErrorCode::NetTimeout,
            "the identity pool did not answer in time; check the network connection and the profile's endpoints.identity",
        ),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => Error::new(
            ErrorCode::NetTimeout,
            "the identity pool did not answer in time; check the network connection and the profile's endpoints.identity",
        ),
        SdkError::DispatchFailure(_) => Error::new(
            ErrorCode::NetOffline,
            "cannot reach the identity pool; check the network connection and the profile's endpoints.identity",
        ),
        _ => match err.code() {
            Some("NotAuthorizedException") => Error::session_expired(),
            Some(code) => Error::new(
                ErrorCode::IdentityRefused,
                format!(
                    "the identity pool refused the request ({code}: {}); check the profile's identity_pool_id and the pool's sign-in providers",
                    err.message().unwrap_or("no details")
                ),
            ),
            None => Error::new(
                ErrorCode::IdentityRefused,
                "the identity pool sent an answer Cubby cannot read; check the profile's endpoints.identity",
            ),
        },
    }
    .with_source(err)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// A server that accepts connections and never answers.
    fn silent_server() -> (std::net::TcpListener, url::Url) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        (listener, url.parse().unwrap())
    }

    fn profile(identity: url::Url) -> Profile {
        let toml = format!(
            r#"
[profiles.test]
region = "us-east-1"
user_pool_id = "us-east-1_test"
client_id = "client"
hosted_ui = "https://auth.example.com"
identity_pool_id = "us-east-1:1b2c3d4e-0000-4000-8000-123456789abc"
bucket = "bucket"
redirect = "http://localhost:53682/callback"
[profiles.test.endpoints]
identity = "{identity}"
"#
        );
        let config = crate::config::Config::parse(&toml).unwrap();
        config.profiles["test"].clone()
    }

    #[tokio::test]
    async fn a_pool_that_never_answers_ends_in_a_timeout() {
        let (_listener, url) = silent_server();
        let short = Timeouts {
            connect: Duration::from_secs(1),
            idle: Duration::from_millis(500),
            call: Duration::from_secs(2),
        };
        let pool = IdentityPool::with_timeouts(&profile(url), &short);
        let started = Instant::now();
        let err = tokio::time::timeout(
            Duration::from_secs(30),
            pool.get_id(&SecretString::from("token")),
        )
        .await
        .expect("the call ends on its own")
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::NetTimeout, "{}", err.message);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
}
