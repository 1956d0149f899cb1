//! Building the S3 client from a profile and a credentials provider.

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{BehaviorVersion, Region};
use std::future::Future;
use std::time::Duration;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use super::copy_move::CopyLimits;
use super::remote_path::{FolderRoot, RemotePath};
use super::retry::RetryPolicy;
use super::sdk_error::from_sdk;
use crate::config::Profile;
use crate::error::{Error, Result};

/// One person's folder on S3, reached with their temporary credentials.
#[derive(Debug, Clone)]
pub struct Storage {
    pub(crate) s3: aws_sdk_s3::Client,
    pub(crate) bucket: String,
    pub(crate) folder: FolderRoot,
    pub(crate) credentials: SharedCredentialsProvider,
    pub(crate) retry: RetryPolicy,
    pub(crate) copy_limits: CopyLimits,
}

impl Storage {
    /// The folder of `identity_id` in the profile's bucket. `credentials` is usually the
    /// renewing identity-pool provider; tests pass static credentials.
    ///
    /// The SDK's own retries are off: every request goes through [`RetryPolicy`], so one
    /// policy (and one set of tests) decides what is retried and how often.
    pub fn new(
        profile: &Profile,
        identity_id: &str,
        credentials: impl ProvideCredentials + 'static,
    ) -> Result<Self> {
        let folder = FolderRoot::new(profile.folder.for_identity(identity_id))?;
        let credentials = SharedCredentialsProvider::new(credentials);
        let mut config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(profile.region.clone()))
            .credentials_provider(credentials.clone())
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .build(),
            );
        if let Some(endpoint) = &profile.endpoints.s3 {
            config = config
                .endpoint_url(endpoint.as_str().trim_end_matches('/'))
                .force_path_style(true);
        }
        Ok(Self {
            s3: aws_sdk_s3::Client::from_conf(config.build()),
            bucket: profile.bucket.clone(),
            folder,
            credentials,
            retry: RetryPolicy::default(),
            copy_limits: CopyLimits::default(),
        })
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn with_copy_limits(mut self, limits: CopyLimits) -> Self {
        self.copy_limits = limits;
        self
    }

    pub fn folder(&self) -> &FolderRoot {
        &self.folder
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    pub(crate) fn key(&self, path: &RemotePath) -> Result<String> {
        self.folder.object_key(path)
    }

    /// Sends one SDK request (built afresh for each attempt) under the retry policy; a failure
    /// says what was being done.
    pub(crate) async fn send<T, E, Fut>(
        &self,
        doing: &str,
        request: impl FnMut() -> Fut,
    ) -> Result<T>
    where
        Fut: Future<Output = std::result::Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.send_reporting(doing, request, |_, _| {}).await
    }

    /// [`Storage::send`], telling `on_retry` about each retry and its delay.
    pub(crate) async fn send_reporting<T, E, Fut>(
        &self,
        doing: &str,
        mut request: impl FnMut() -> Fut,
        on_retry: impl FnMut(&Error, Duration),
    ) -> Result<T>
    where
        Fut: Future<Output = std::result::Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.retry
            .run(
                || {
                    let sent = request();
                    async move { sent.await.map_err(|e| from_sdk(e, doing)) }
                },
                on_retry,
            )
            .await
    }
}
