//! [`Storage`]: one person's folder, the only caller of the [`ObjectClient`]. It makes every key
//! from a [`RemotePath`], runs every request under one [`RetryPolicy`] and names what was being
//! done when one fails.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

use super::object_client::{
    AbortMultipartUploadParams, CompleteMultipartUploadParams, CompleteMultipartUploadResult,
    ObjectClient,
};
use super::remote_path::{FolderRoot, RemotePath};
use super::retry::RetryPolicy;
use super::sdk_client::SdkClient;
use crate::config::Profile;
use crate::error::{Error, Result};

/// Limits of server-side copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyLimits {
    /// Largest object copied with one CopyObject (S3 allows 5 GiB).
    pub single_copy_max: u64,
    /// Part size of larger copies.
    pub part_size: u64,
}

impl Default for CopyLimits {
    fn default() -> Self {
        Self {
            single_copy_max: 5 << 30,
            part_size: 512 << 20,
        }
    }
}

/// One person's folder on S3, reached with their temporary credentials. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Storage {
    client: Arc<dyn ObjectClient>,
    folder: FolderRoot,
    /// What signs requests, when the client signs them: share links cannot outlive it.
    credentials: Option<SharedCredentialsProvider>,
    retry: RetryPolicy,
    copy_limits: CopyLimits,
}

impl Storage {
    /// The folder of `identity_id` in the profile's bucket through the AWS SDK. `credentials`
    /// is usually the renewing identity-pool provider; tests pass static credentials.
    pub fn new(
        profile: &Profile,
        identity_id: &str,
        credentials: impl ProvideCredentials + 'static,
    ) -> Result<Self> {
        let credentials = SharedCredentialsProvider::new(credentials);
        let folder = FolderRoot::new(profile.folder.for_identity(identity_id))?;
        let mut storage = Self::with_client(
            Arc::new(SdkClient::new(profile, credentials.clone())),
            folder,
        );
        storage.credentials = Some(credentials);
        Ok(storage)
    }

    /// The folder `folder` of the bucket `client` reaches (an in-memory bucket in tests and
    /// simulations).
    pub fn with_client(client: Arc<dyn ObjectClient>, folder: FolderRoot) -> Self {
        Self {
            client,
            folder,
            credentials: None,
            retry: RetryPolicy::default(),
            copy_limits: CopyLimits::default(),
        }
    }

    /// The same folder with another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same folder with other copy limits.
    pub fn with_copy_limits(mut self, limits: CopyLimits) -> Self {
        self.copy_limits = limits;
        self
    }

    /// Where the person's folder lies in the bucket.
    pub fn folder(&self) -> &FolderRoot {
        &self.folder
    }

    /// The bucket the folder lies in.
    pub fn bucket(&self) -> &str {
        self.client.bucket()
    }

    /// The policy every request runs under.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    pub(crate) fn copy_limits(&self) -> CopyLimits {
        self.copy_limits
    }

    pub(crate) fn credentials(&self) -> Option<&SharedCredentialsProvider> {
        self.credentials.as_ref()
    }

    /// The S3 operations; call them through [`Storage::send`].
    pub(crate) fn client(&self) -> &dyn ObjectClient {
        self.client.as_ref()
    }

    pub(crate) fn key(&self, path: &RemotePath) -> Result<String> {
        self.folder.object_key(path)
    }

    /// Runs one request (made afresh for each attempt) under the retry policy; a failure says
    /// what was being done (`doing`, e.g. "uploading /docs/a.txt").
    pub(crate) async fn send<T, Fut>(&self, doing: &str, request: impl FnMut() -> Fut) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        self.send_reporting(doing, request, |_, _| {}).await
    }

    /// [`Storage::send`], telling `on_retry` about each retry and its delay.
    pub(crate) async fn send_reporting<T, Fut>(
        &self,
        doing: &str,
        mut request: impl FnMut() -> Fut,
        on_retry: impl FnMut(&Error, Duration),
    ) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        self.retry
            .run(
                || {
                    let sent = request();
                    async move { sent.await.map_err(|e| e.prefixed(doing)) }
                },
                on_retry,
            )
            .await
    }

    /// Joins the parts of a multipart upload (or copy) into its object.
    pub(crate) async fn complete_multipart(
        &self,
        doing: &str,
        params: &CompleteMultipartUploadParams,
        on_retry: impl FnMut(&Error, Duration),
    ) -> Result<CompleteMultipartUploadResult> {
        self.send_reporting(
            doing,
            || self.client.complete_multipart_upload(params),
            on_retry,
        )
        .await
    }

    /// Drops an unfinished multipart upload (or copy). Best effort and tried once: it runs when
    /// the upload has already failed or was cancelled, and a leftover upload only costs
    /// storage until the bucket's lifecycle rule removes it.
    pub(crate) async fn abort_multipart(&self, key: &str, upload_id: &str) {
        let params = AbortMultipartUploadParams {
            key: key.to_owned(),
            upload_id: upload_id.to_owned(),
        };
        if let Err(err) = self.client.abort_multipart_upload(&params).await {
            tracing::debug!(key, "could not abort an unfinished upload: {err}");
        }
    }
}
