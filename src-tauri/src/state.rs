//! What the app keeps between commands: where its files are, the profile in use with its
//! session and folder, the sandbox when that profile is the sandbox, and a sign-in in progress.

use std::sync::{Arc, Mutex as SyncMutex};

use cubby_core::auth::DeepLinkReceiver;
use cubby_core::config::{Config, Profile};
use cubby_core::secrets::SecretStore;
use cubby_core::session::Session;
use cubby_core::settings::Settings;
use cubby_core::storage::Storage;
use cubby_core::sync::SyncService;
use cubby_core::{Error, ErrorCode, Result};
use cubby_localcloud::LocalCloud;
use serde::Serialize;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::drops::Drops;
use crate::listings::Listings;
use crate::paths::AppPaths;
use crate::sandbox::{self, SANDBOX_PROFILE};
use crate::session_folder::SessionFolder;
use crate::transfer_feed::RunEndedHook;

/// A profile as the picker lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileSummary {
    /// The config file's name for it, or [`SANDBOX_PROFILE`].
    pub name: String,
    /// `sandbox` for the built-in one, `aws` for the config file's.
    pub kind: ProfileKind,
    /// Its AWS region.
    pub region: String,
    /// The bucket its folders live in.
    pub bucket: String,
    /// Whether it is the one in use.
    pub active: bool,
}

/// Where a profile comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// The sandbox in this process.
    Sandbox,
    /// A profile of the config file.
    Aws,
}

/// The profile in use, its session, and its folder once signed in.
pub struct Current {
    /// The picker's name for it.
    pub name: String,
    /// Signed in or not.
    pub session: Session,
    /// The person's folder and its transfers, while signed in.
    pub folder: Option<Arc<SessionFolder>>,
}

/// The app's state, managed by Tauri.
pub struct AppState {
    /// Where its files are.
    pub paths: AppPaths,
    /// Where its secrets are kept (the OS keyring in the app).
    pub store: SecretStore,
    /// The profile in use; `None` until the first command chooses one.
    pub current: Mutex<Option<Current>>,
    /// The sandbox, once started.
    pub sandbox: Mutex<Option<LocalCloud>>,
    /// Where `cubby://` links go while a deep-link sign-in waits.
    pub deep_links: DeepLinkReceiver,
    /// Cancels the sign-in in progress.
    pub sign_in: SyncMutex<Option<CancellationToken>>,
    /// The preferences in use.
    pub settings: SyncMutex<Settings>,
    /// What each window's file list shows.
    pub listings: Listings,
    /// The latest files and folders the OS dropped on the window.
    pub drops: Drops,
    /// Told when a long run of transfers ends (the app notifies when it is in the background).
    pub on_run_ended: SyncMutex<Option<RunEndedHook>>,
    /// The sync pairs of the signed-in folder, for the tray and the window's close button.
    pub sync: SyncMutex<Option<SyncService>>,
    /// Told when a folder's sync pairs start (the tray and notifications follow them).
    pub on_sync_started: SyncMutex<Option<SyncStartedHook>>,
}

/// Told when a folder's sync service starts.
pub type SyncStartedHook = Arc<dyn Fn(&SyncService) + Send + Sync>;

impl AppState {
    /// The state for files at `paths`, keeping secrets in `store`; nothing starts yet.
    pub fn new(paths: AppPaths, store: SecretStore) -> (Self, Option<Error>) {
        let (settings, problem) = Settings::load(&paths.settings);
        let state = Self {
            paths,
            store,
            current: Mutex::default(),
            sandbox: Mutex::default(),
            deep_links: DeepLinkReceiver::new(),
            sign_in: SyncMutex::default(),
            settings: SyncMutex::new(settings),
            listings: Listings::default(),
            drops: Drops::default(),
            on_run_ended: SyncMutex::default(),
            sync: SyncMutex::default(),
            on_sync_started: SyncMutex::default(),
        };
        (state, problem)
    }

    /// The config file's profiles.
    pub fn config(&self) -> Result<Config> {
        Config::load(&self.paths.config)
    }

    /// The profile the app starts with: the config's default, else its first profile, else
    /// the sandbox (a fresh machine has no AWS profile).
    pub fn startup_profile(&self) -> Result<String> {
        let config = self.config()?;
        Ok(config
            .default_profile
            .clone()
            .or_else(|| config.profiles.keys().next().cloned())
            .unwrap_or_else(|| SANDBOX_PROFILE.to_owned()))
    }

    /// Every profile, the sandbox first.
    pub async fn profiles(&self) -> Result<Vec<ProfileSummary>> {
        let config = self.config()?;
        let current = self.current.lock().await;
        let active = current.as_ref().map(|c| c.name.as_str());
        let sandbox = ProfileSummary {
            name: SANDBOX_PROFILE.to_owned(),
            kind: ProfileKind::Sandbox,
            region: cubby_localcloud::config::REGION.to_owned(),
            bucket: cubby_localcloud::config::DEFAULT_BUCKET.to_owned(),
            active: active == Some(SANDBOX_PROFILE),
        };
        let others = config
            .profiles
            .iter()
            .map(|(name, profile)| ProfileSummary {
                name: name.clone(),
                kind: ProfileKind::Aws,
                region: profile.region.clone(),
                bucket: profile.bucket.clone(),
                active: active == Some(name.as_str()),
            });
        Ok(std::iter::once(sandbox).chain(others).collect())
    }

    /// Makes `name` the profile in use (starting the sandbox for it) and restores its saved
    /// session silently; who is signed in, if anyone.
    pub async fn select(&self, name: &str) -> Result<Option<cubby_core::session::SessionInfo>> {
        let profile = self.profile(name).await?;
        let session = Session::new(profile, self.store.clone())?;
        let restored = session.restore().await;
        let mut current = self.current.lock().await;
        let earlier = current.take().and_then(|c| c.folder);
        let folder = match &restored {
            Ok(Some(info)) => Some(self.open_folder(&session, info, earlier)?),
            _ => None,
        };
        *current = Some(Current {
            name: name.to_owned(),
            session,
            folder,
        });
        restored
    }

    async fn profile(&self, name: &str) -> Result<Profile> {
        if name != SANDBOX_PROFILE {
            let config = self.config()?;
            let (_, profile) = config.profile(Some(name))?;
            return Ok(profile.clone());
        }
        let mut sandbox = self.sandbox.lock().await;
        if sandbox.is_none() {
            *sandbox = Some(sandbox::start(&self.paths.sandbox).await?);
        }
        Ok(sandbox.as_ref().expect("started above").profile())
    }

    /// The session of the profile in use.
    pub async fn session(&self) -> Result<Session> {
        let current = self.current.lock().await;
        current
            .as_ref()
            .map(|c| c.session.clone())
            .ok_or_else(no_profile)
    }

    /// The signed-in person's folder.
    pub async fn storage(&self) -> Result<Storage> {
        Ok(self.folder().await?.storage.clone())
    }

    /// The signed-in person's folder with its transfers.
    pub async fn folder(&self) -> Result<Arc<SessionFolder>> {
        let current = self.current.lock().await;
        current
            .as_ref()
            .and_then(|c| c.folder.clone())
            .ok_or_else(|| Error::new(ErrorCode::AuthNotSignedIn, "not signed in; sign in first"))
    }

    /// The folder of the person `info` names, with its transfer queue (what an earlier queue
    /// left unfinished comes back). The `earlier` folder goes on when it is the same one (a
    /// reloaded window selects its profile again): its transfers keep running, once.
    fn open_folder(
        &self,
        session: &Session,
        info: &cubby_core::session::SessionInfo,
        earlier: Option<Arc<SessionFolder>>,
    ) -> Result<Arc<SessionFolder>> {
        let storage = Storage::new(
            session.profile(),
            &info.identity_id,
            session.credentials_provider(),
        )?;
        if let Some(earlier) = earlier.filter(|folder| folder.is_for(&storage)) {
            return Ok(earlier);
        }
        let concurrency = self.settings.lock().expect("settings lock").concurrency;
        let hook = self.on_run_ended.lock().expect("hook lock").clone();
        let folder =
            SessionFolder::open(storage, &info.identity_id, &self.paths, concurrency, hook)?;
        let service = folder.sync().ok();
        if let (Some(service), Some(started)) = (
            &service,
            self.on_sync_started.lock().expect("hook lock").clone(),
        ) {
            started(service);
        }
        *self.sync.lock().expect("sync lock") = service;
        Ok(Arc::new(folder))
    }

    /// Whether sync pairs run for the signed-in folder (closing the window then only hides it).
    pub fn syncing_in_background(&self) -> bool {
        self.sync
            .lock()
            .expect("sync lock")
            .as_ref()
            .is_some_and(SyncService::has_pairs)
    }

    /// After a sign-in: the folder of the person now signed in.
    pub async fn signed_in(&self, info: &cubby_core::session::SessionInfo) -> Result<()> {
        let mut current = self.current.lock().await;
        let current = current.as_mut().ok_or_else(no_profile)?;
        let earlier = current.folder.take();
        current.folder = Some(self.open_folder(&current.session, info, earlier)?);
        Ok(())
    }

    /// After a sign-out or a session that ended: no folder until the next sign-in.
    pub async fn signed_out(&self) {
        self.listings.clear();
        let service = self.sync.lock().expect("sync lock").take();
        if let Some(service) = service {
            service.stop().await;
        }
        if let Some(current) = self.current.lock().await.as_mut() {
            current.folder = None;
        }
    }

    /// Stops the sync pairs at a safe point and the sandbox, waiting for both.
    pub async fn shut_down(&self) {
        let service = self.sync.lock().expect("sync lock").take();
        if let Some(service) = service {
            service.stop().await;
        }
        if let Some(sandbox) = self.sandbox.lock().await.take() {
            sandbox.shutdown().await;
        }
    }
}

fn no_profile() -> Error {
    Error::new(
        ErrorCode::ConfigProfileNotFound,
        "no profile is chosen yet; pick one on the sign-in screen",
    )
}
