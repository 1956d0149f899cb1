//! End-to-end tests of the S3 service with real clients (aws-sdk-s3, rclone) over a real hyper
//! server on 127.0.0.1. The helper server here is test-only; the product serves S3 through
//! `crate::server`.

mod access;
mod multipart;
mod objects;
mod rclone;
mod template_policy;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

use crate::credentials::{CredentialStore, IssuedCredential};

pub(super) const BUCKET: &str = "cubby";

/// The S3 service on a loopback port, with a fresh data directory. Stops when dropped.
pub(super) struct TestServer {
    pub endpoint: String,
    pub credentials: Arc<CredentialStore>,
    pub data_dir: tempfile::TempDir,
    accept_loop: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

impl TestServer {
    pub async fn start() -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let (key, secret) = CredentialStore::generate_admin_pair();
        let credentials = Arc::new(CredentialStore::new(key, secret));
        let service =
            super::service(data_dir.path(), BUCKET, credentials.clone()).expect("S3 service");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let endpoint = format!("http://{}", listener.local_addr().expect("local addr"));
        let accept_loop = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let service = service.clone();
                tokio::spawn(async move {
                    let builder =
                        hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            endpoint,
            credentials,
            data_dir,
            accept_loop,
        }
    }

    /// An identity's folder prefix and an SDK client with its fresh temporary credentials.
    pub fn identity(&self, identity_id: &str) -> (String, aws_sdk_s3::Client) {
        let issued = self
            .credentials
            .issue(identity_id, Duration::from_secs(3600));
        (format!("{identity_id}/"), self.client(&issued))
    }

    pub fn admin(&self) -> aws_sdk_s3::Client {
        self.client(self.credentials.admin())
    }

    pub fn client(&self, credential: &IssuedCredential) -> aws_sdk_s3::Client {
        self.client_with(
            &credential.access_key_id,
            &credential.secret_access_key,
            credential.session_token.clone(),
        )
    }

    /// A client as the SDK is configured by default, except for the loopback endpoint and
    /// path-style addressing, with exactly the given key, secret and session token.
    pub fn client_with(
        &self,
        key: &str,
        secret: &str,
        session_token: Option<String>,
    ) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .force_path_style(true)
            .credentials_provider(Credentials::new(key, secret, session_token, None, "test"))
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }
}

/// The S3 error code of a failed SDK call, e.g. `AccessDenied`.
pub(super) fn error_code<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> String {
    error.code().unwrap_or("<no code>").to_owned()
}

/// The HTTP status of a failed SDK call.
pub(super) fn error_status<E>(error: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> u16 {
    error.raw_response().map_or(0, |r| r.status().as_u16())
}

/// Deterministic test bytes of a given length.
pub(super) fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[0] ^ seed)
        .collect()
}
