//! The S3 servers the storage suite runs against, each with one person's identity on it:
//! localcloud for everything, or moto's S3 for the objects with localcloud for the profile and
//! the identity.

use std::path::PathBuf;

use aws_credential_types::Credentials;
use cubby_core::config::Profile;
use cubby_core::storage::Storage;
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
    _moto: Option<Moto>,
}

impl Backend {
    /// localcloud alone, with `email`'s identity.
    pub async fn localcloud(email: &str) -> Self {
        let test_cloud = TestCloud::start().await;
        let admin = s3_client(&test_cloud.profile, admin_credentials(&test_cloud.cloud));
        Self::with_identity(test_cloud, admin, email, None)
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
        Self::with_identity(test_cloud, admin, email, Some(moto))
    }

    fn with_identity(
        test_cloud: TestCloud,
        admin: aws_sdk_s3::Client,
        email: &str,
        moto: Option<Moto>,
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
        let admin = BucketAdmin {
            client: admin,
            bucket: profile.bucket.clone(),
        };
        Self {
            cloud,
            profile,
            identity_id,
            credentials,
            admin,
            dir,
            _moto: moto,
        }
    }

    /// The person's storage, with retries quick enough for tests.
    pub fn storage(&self) -> Storage {
        Storage::new(&self.profile, &self.identity_id, self.credentials.clone())
            .expect("storage")
            .with_retry(fast_retry())
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
