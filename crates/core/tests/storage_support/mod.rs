//! Test servers for the storage and transfer tests: an in-process localcloud, and moto's S3
//! server (an independent implementation) paired with localcloud's identities. Also an admin
//! view of the bucket to check the object layout from outside.

#![allow(dead_code)] // each test binary uses part of this module

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_s3::config::{BehaviorVersion, Region};
use cubby_core::config::Profile;
use cubby_core::storage::{FolderRoot, RetryPolicy, SdkClient, Storage};
use cubby_core::timeouts::Timeouts;
use cubby_core::transfer::{StateDb, TransferEvent, TransferOptions, Transfers};
use cubby_localcloud::{LocalCloud, LocalCloudConfig};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc::UnboundedReceiver;
use url::Url;

pub const MIB: u64 = 1 << 20;

/// An S3 server to run the suite against, with one person's identity on it.
pub struct Backend {
    pub name: &'static str,
    pub cloud: LocalCloud,
    pub profile: Profile,
    pub identity_id: String,
    pub credentials: Credentials,
    pub admin: aws_sdk_s3::Client,
    pub dir: tempfile::TempDir,
    _moto: Option<Child>,
}

/// Retries quick enough for tests that inject faults.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        max_timeouts: 3,
        first_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
    }
}

/// Small parts so multipart paths run with files of a few MiB.
pub fn small_parts() -> TransferOptions {
    TransferOptions {
        part_size: 5 * MIB,
        multipart_threshold: 6 * MIB,
        ..TransferOptions::default()
    }
}

impl Backend {
    pub async fn localcloud(email: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let cloud = LocalCloud::start(LocalCloudConfig::new(dir.path().join("cloud")))
            .await
            .expect("localcloud starts");
        let admin = cloud.admin();
        let admin = s3_client(
            &cloud.endpoint(),
            Credentials::new(
                admin.access_key_id,
                admin.secret_access_key,
                None,
                None,
                "admin",
            ),
        );
        Self::with_identity(
            "localcloud",
            cloud,
            cloud_profile_s3(None),
            admin,
            dir,
            email,
            None,
        )
    }

    /// moto's S3 for the objects; localcloud for the profile and the identity.
    pub async fn moto(email: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let cloud = LocalCloud::start(LocalCloudConfig::new(dir.path().join("cloud")))
            .await
            .expect("localcloud starts");
        let (moto, endpoint) = start_moto().await;
        let admin = s3_client(
            &endpoint,
            Credentials::new("moto", "moto", None, None, "moto"),
        );
        admin
            .create_bucket()
            .bucket(cloud.profile().bucket)
            .send()
            .await
            .expect("moto creates the bucket");
        Self::with_identity(
            "moto",
            cloud,
            cloud_profile_s3(Some(endpoint)),
            admin,
            dir,
            email,
            Some(moto),
        )
    }

    fn with_identity(
        name: &'static str,
        cloud: LocalCloud,
        s3: impl FnOnce(&LocalCloud) -> Profile,
        admin: aws_sdk_s3::Client,
        dir: tempfile::TempDir,
        email: &str,
        moto: Option<Child>,
    ) -> Self {
        let profile = s3(&cloud);
        let (identity_id, issued) = cloud.identity_credentials(email).expect("identity");
        let credentials = Credentials::new(
            issued.access_key_id.clone(),
            issued.secret_access_key.clone(),
            issued.session_token.clone(),
            issued.expiration,
            "localcloud-identity",
        );
        Self {
            name,
            cloud,
            profile,
            identity_id,
            credentials,
            admin,
            dir,
            _moto: moto,
        }
    }

    pub fn storage(&self) -> Storage {
        Storage::new(&self.profile, &self.identity_id, self.credentials.clone())
            .expect("storage")
            .with_retry(fast_retry())
    }

    /// [`Backend::storage`] with other network time limits.
    pub fn storage_with(&self, timeouts: Timeouts) -> Storage {
        let client = SdkClient::with_timeouts(&self.profile, self.credentials.clone(), &timeouts);
        let folder = FolderRoot::new(self.profile.folder.for_identity(&self.identity_id)).unwrap();
        Storage::with_client(std::sync::Arc::new(client), folder).with_retry(fast_retry())
    }

    pub fn transfers(
        &self,
        options: TransferOptions,
    ) -> (Transfers, UnboundedReceiver<TransferEvent>) {
        Transfers::new(self.storage(), StateDb::in_memory().unwrap(), options)
    }

    /// A fresh local folder inside the test's temporary directory.
    pub fn local_dir(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    /// Every key in the bucket, seen with the admin credential.
    pub async fn all_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        let mut pages = self
            .admin
            .list_objects_v2()
            .bucket(&self.profile.bucket)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            keys.extend(
                page.unwrap()
                    .contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
        }
        keys
    }

    pub async fn admin_get(&self, key: &str) -> Vec<u8> {
        let out = self
            .admin
            .get_object()
            .bucket(&self.profile.bucket)
            .key(key)
            .send()
            .await
            .unwrap();
        out.body.collect().await.unwrap().to_vec()
    }

    pub async fn unfinished_multipart_uploads(&self) -> usize {
        let out = self
            .admin
            .list_multipart_uploads()
            .bucket(&self.profile.bucket)
            .send()
            .await
            .unwrap();
        out.uploads().len()
    }
}

fn cloud_profile_s3(endpoint: Option<Url>) -> impl FnOnce(&LocalCloud) -> Profile {
    move |cloud| {
        let mut profile = cloud.profile();
        if let Some(endpoint) = endpoint {
            profile.endpoints.s3 = Some(endpoint);
        }
        profile
    }
}

pub fn s3_client(endpoint: &Url, credentials: Credentials) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials)
        .endpoint_url(endpoint.as_str().trim_end_matches('/'))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// Starts `moto_server` on a free loopback port and waits for its "Running on" line.
async fn start_moto() -> (Child, Url) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("moto_server runs (pip install 'moto[server]')");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let ready = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("Running on") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(ready, Ok(true), "moto_server did not start");
    // Keep draining its log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (
        child,
        Url::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
    )
}

/// Writes `len` bytes of a pattern that differs by `seed` (so swapped files are noticed).
pub fn write_file(path: &Path, len: usize, seed: u8) -> Vec<u8> {
    let data: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, &data).unwrap();
    data
}

/// Waits for every handle; panics with the first error.
/// Uploads a local folder (recursively) to the top of the person's folder; the bytes sent.
pub async fn upload_tree(transfers: &Transfers, dir: PathBuf) -> u64 {
    let queued = transfers
        .upload_paths(
            &[dir],
            &cubby_core::storage::RemotePath::root(),
            cubby_core::transfer::Links::Skip,
        )
        .await
        .unwrap();
    wait_all(queued.handles).await
}

pub async fn wait_all(handles: Vec<cubby_core::transfer::TransferHandle>) -> u64 {
    let mut total = 0;
    for handle in handles {
        total += handle.wait().await.expect("transfer");
    }
    total
}
