//! cubby-localcloud: what AWS runs for Cubby (Cognito hosted sign-in, the identity pool, S3),
//! on loopback, so the app works without an AWS account and every test talks real protocols.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cubby_localcloud::LocalCloudError> {
//! use cubby_localcloud::{LocalCloud, LocalCloudConfig};
//! let cloud = LocalCloud::start(LocalCloudConfig::new("/tmp/sandbox")).await?;
//! println!("{}", cloud.profile().to_toml("sandbox"));
//! cloud.shutdown().await;
//! # Ok(()) }
//! ```

mod admin;
mod auth;
mod cloud;
pub mod config;
pub mod credentials;
mod error;
pub mod faults;
mod identity;
mod keys;
mod operation;
pub mod robot;
mod s3;
mod server;
mod state;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cubby_core::config::{Endpoints, FolderTemplate, Profile, Redirect};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use url::Url;

pub use admin::ADMIN_HEADER;
pub use config::LocalCloudConfig;
pub use credentials::{IssuedCredential, Principal};
pub use error::LocalCloudError;
pub use faults::{FaultAction, FaultRule, Faults, Trigger};

use crate::cloud::Cloud;
use crate::credentials::CredentialStore;
use crate::keys::SigningKey;
use crate::state::StateStore;

/// The credential that may do everything on S3 (tests, benchmarks, inspection).
#[derive(Clone, serde::Serialize)]
pub struct AdminCredential {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for AdminCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminCredential")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .finish()
    }
}

/// A running localcloud. Dropping it stops the server; [`LocalCloud::shutdown`] also waits.
pub struct LocalCloud {
    cloud: Arc<Cloud>,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl LocalCloud {
    pub async fn start(config: LocalCloudConfig) -> Result<Self, LocalCloudError> {
        let data_dir = config.data_dir.clone();
        std::fs::create_dir_all(&data_dir).map_err(|source| LocalCloudError::DataDir {
            path: data_dir.clone(),
            source,
        })?;
        for callback in &config.callbacks {
            Redirect::parse(callback)
                .map_err(|problem| LocalCloudError::Config(format!("callback {problem}")))?;
        }
        for url in &config.sign_out_urls {
            Url::parse(url)
                .map_err(|err| LocalCloudError::Config(format!("sign-out URL {url:?}: {err}")))?;
        }
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|source| LocalCloudError::Bind {
                port: config.port,
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| LocalCloudError::Bind {
                port: config.port,
                source,
            })?
            .port();
        let base_url = Url::parse(&format!("http://127.0.0.1:{port}/")).expect("valid URL");

        let state = StateStore::open(&data_dir)?;
        let keys = SigningKey::load_or_generate(&data_dir)?;
        let (admin_key, admin_secret) = state.read(|s| {
            (
                s.admin_access_key_id.clone(),
                s.admin_secret_access_key.clone(),
            )
        });
        let credentials = Arc::new(CredentialStore::new(admin_key, admin_secret));
        let s3 = s3::service(&data_dir, &config.bucket, credentials.clone()).map_err(|source| {
            LocalCloudError::DataDir {
                path: data_dir.clone(),
                source,
            }
        })?;
        let cloud = Arc::new(Cloud {
            config: config.clone(),
            base_url,
            state,
            keys,
            credentials,
            faults: Arc::new(Faults::default()),
            codes: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
        });
        for (email, password) in &config.users {
            ensure_user(&cloud, email, password)?;
        }
        let stop = CancellationToken::new();
        let dispatcher = server::Dispatcher::new(cloud.clone(), s3);
        let task = tokio::spawn(server::run(listener, dispatcher, stop.clone()));
        tracing::info!(url = %cloud.base_url, "localcloud listening");
        Ok(Self {
            cloud,
            stop,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT/`: the hosted UI, the identity pool and S3 all answer here.
    pub fn endpoint(&self) -> Url {
        self.cloud.base_url.clone()
    }

    /// The profile that reaches this server, ready for `cubby` and the app.
    pub fn profile(&self) -> Profile {
        let cloud = &self.cloud;
        let base = cloud.base_url.clone();
        Profile {
            region: config::REGION.to_owned(),
            user_pool_id: config::USER_POOL_ID.to_owned(),
            client_id: cloud.client_id(),
            hosted_ui: base.clone(),
            identity_pool_id: cloud.state.read(|s| s.identity_pool_id.clone()),
            bucket: cloud.config.bucket.clone(),
            folder: FolderTemplate::default(),
            redirects: cloud
                .config
                .callbacks
                .iter()
                .map(|c| Redirect::parse(c).expect("callbacks were checked at start"))
                .collect(),
            sign_out_url: cloud
                .config
                .sign_out_urls
                .first()
                .map(|url| Url::parse(url).expect("sign-out URLs were checked at start")),
            scopes: cubby_core::config::DEFAULT_SCOPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            endpoints: Endpoints {
                identity: Some(base.clone()),
                s3: Some(base.clone()),
                issuer: Some(Url::parse(&cloud.issuer()).expect("valid URL")),
                discovery: cloud.config.issuer.as_ref().map(|_| {
                    base.join(&format!(
                        "{}/.well-known/openid-configuration",
                        config::USER_POOL_ID
                    ))
                    .expect("valid URL")
                }),
            },
        }
    }

    pub fn admin(&self) -> AdminCredential {
        let admin = self.cloud.credentials.admin();
        AdminCredential {
            access_key_id: admin.access_key_id.clone(),
            secret_access_key: admin.secret_access_key.clone(),
        }
    }

    pub fn faults(&self) -> &Faults {
        &self.cloud.faults
    }

    pub fn add_user(&self, email: &str, password: &str) -> Result<(), LocalCloudError> {
        ensure_user(&self.cloud, email, password)
    }

    /// Test shortcut that skips OAuth: the identity id of a user (created if missing, with a
    /// random password) and fresh temporary credentials for it.
    pub fn identity_credentials(
        &self,
        email: &str,
    ) -> Result<(String, IssuedCredential), LocalCloudError> {
        let email = email.trim().to_lowercase();
        if self.cloud.state.read(|s| !s.users.contains_key(&email)) {
            ensure_user(&self.cloud, &email, &cloud::random_token())?;
        }
        let sub = self.cloud.state.read(|s| s.users[&email].sub.clone());
        let identity_id = identity::identity_of(&self.cloud, &sub).map_err(|source| {
            LocalCloudError::DataDir {
                path: self.cloud.config.data_dir.clone(),
                source,
            }
        })?;
        let credential = self
            .cloud
            .credentials
            .issue(&identity_id, self.cloud.config.credentials_ttl);
        Ok((identity_id, credential))
    }

    /// Stops accepting, ends open connections and waits until the server is down.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for LocalCloud {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn ensure_user(cloud: &Cloud, email: &str, password: &str) -> Result<(), LocalCloudError> {
    let exists = cloud
        .state
        .read(|s| s.users.contains_key(&email.trim().to_lowercase()));
    if exists {
        return Ok(());
    }
    auth::create_user(cloud, email, password)
        .map(|_| ())
        .map_err(|reason| LocalCloudError::InvalidUser {
            email: email.to_owned(),
            reason,
        })
}
