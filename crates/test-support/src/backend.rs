//! The S3 servers the storage suite runs against, each with one person's identity on it:
//! localcloud for everything, or moto's S3 for the objects with localcloud for the profile and
//! the identity, or an in-memory bucket (for the objects) with localcloud's identity naming the
//! folder.

use std::path::PathBuf;
use std::sync::Arc;

use aws_credential_types::Credentials;
use cubby_core::config::Profile;
use cubby_core::storage::{FolderRoot, MemoryClient, ObjectClient, SdkClient, Storage};
use cubby_core::timeouts::Timeouts;
use cubby_core::transfer::{StateDb, TransferEvent, TransferOptions, Transfers};
use cubby_localcloud::LocalCloud;
use tempfile::TempDir;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::aws::{admin_credentials, s3_client};
use crate::bucket_admin::BucketAdmin;
use crate::cloud::TestCloud;
use crate::moto::Moto;
use crate::transfers::fast_retry;

/// An S3 server with one person's identity and temporary credentials on it, and an admin view
/// of its bucket.
pub struct Backend {
    /// The localcloud that issued the identity (and, but for moto, serves S3).
    pub cloud: LocalCloud,
    /// The profile whose S3 endpoint is this backend's.
    pub profile: Profile,
    /// The person's identity id, the top of their folder.
    pub identity_id: String,
    /// The person's temporary credentials.
    pub credentials: Credentials,
    /// The whole bucket, seen from outside.
    pub admin: BucketAdmin,
    /// The test's temporary directory.
    pub dir: TempDir,
    /// moto's server, kept running while the backend lives.
    moto: Option<Moto>,
    /// The in-memory bucket, when the backend is one.
    memory: Option<Arc<MemoryClient>>,
}

impl Backend {
    /// localcloud alone, with `email`'s identity.
    pub async fn localcloud(email: &str) -> Self {
        let test_cloud = TestCloud::start().await;
        let admin = BucketAdmin::S3 {
            client: s3_client(&test_cloud.profile, admin_credentials(&test_cloud.cloud)),
            bucket: test_cloud.profile.bucket.clone(),
        };
        Self::with_identity(test_cloud, admin, email, None, None)
    }

    /// An in-memory bucket for the objects; localcloud for the profile and `email`'s identity.
    pub async fn memory(email: &str) -> Self {
        let test_cloud = TestCloud::start().await;
        let client = Arc::new(MemoryClient::new(test_cloud.profile.bucket.clone()));
        let admin = BucketAdmin::Memory(client.clone());
        Self::with_identity(test_cloud, admin, email, None, Some(client))
    }

    /// moto's S3 for the objects; localcloud for the profile and `email`'s identity.
    pub async fn moto(email: &str) -> Self {
        let mut test_cloud = TestCloud::start().await;
        let moto = Moto::start().await;
        test_cloud.profile.endpoints.s3 = Some(moto.endpoint.clone());
        let admin = s3_client(
            &test_cloud.profile,
            Credentials::new("moto", "moto", None, None, "moto"),
        );
        admin
            .create_bucket()
            .bucket(&test_cloud.profile.bucket)
            .send()
            .await
            .expect("moto creates the bucket");
        let admin = BucketAdmin::S3 {
            client: admin,
            bucket: test_cloud.profile.bucket.clone(),
        };
        Self::with_identity(test_cloud, admin, email, Some(moto), None)
    }

    fn with_identity(
        test_cloud: TestCloud,
        admin: BucketAdmin,
        email: &str,
        moto: Option<Moto>,
        memory: Option<Arc<MemoryClient>>,
    ) -> Self {
        let TestCloud {
            cloud,
            profile,
            dir,
            ..
        } = test_cloud;
        let (identity_id, issued) = cloud.identity_credentials(email).expect("identity");
        let credentials = Credentials::new(
            issued.access_key_id.clone(),
            issued.secret_access_key.clone(),
            issued.session_token.clone(),
            issued.expiration,
            "localcloud-identity",
        );
        Self {
            cloud,
            profile,
            identity_id,
            credentials,
            admin,
            dir,
            moto,
            memory,
        }
    }

    /// The person's storage, with retries quick enough for tests.
    pub fn storage(&self) -> Storage {
        match &self.memory {
            Some(client) => Storage::with_client(client.clone(), self.folder()),
            None => Storage::new(&self.profile, &self.identity_id, self.credentials.clone())
                .expect("storage"),
        }
        .with_retry(fast_retry())
    }

    /// [`Backend::storage`] through an SDK client with other network time limits; for the
    /// S3 backends only (the in-memory bucket has no network to wait on).
    pub fn storage_with(&self, timeouts: Timeouts) -> Storage {
        assert!(
            self.memory.is_none(),
            "network time limits need an S3 backend"
        );
        let client = SdkClient::with_timeouts(&self.profile, self.credentials.clone(), &timeouts);
        Storage::with_client(Arc::new(client), self.folder()).with_retry(fast_retry())
    }

    /// The client [`Backend::storage`] sends through, for tests of single requests (keys are
    /// whole bucket keys: `{identity_id}/...`).
    pub fn object_client(&self) -> Arc<dyn ObjectClient> {
        match &self.memory {
            Some(client) => client.clone(),
            None => Arc::new(SdkClient::new(&self.profile, self.credentials.clone())),
        }
    }

    /// Whether the server honours `x-amz-copy-source-if-match` (AWS, localcloud and the
    /// in-memory bucket do; moto 5.1 ignores it and copies whatever version is there).
    pub fn honours_copy_source_if_match(&self) -> bool {
        self.moto.is_none()
    }

    fn folder(&self) -> FolderRoot {
        FolderRoot::new(self.profile.folder.for_identity(&self.identity_id))
            .expect("the folder of an identity")
    }

    /// Whether the storage signs its requests with [`Backend::credentials`] (every backend but
    /// the in-memory one), so share links cannot outlive them.
    pub fn signs_requests(&self) -> bool {
        self.memory.is_none()
    }

    /// A transfer queue over [`Backend::storage`] with its state in memory, and its events.
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
}
