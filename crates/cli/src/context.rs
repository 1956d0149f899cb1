//! What every command needs: the config file, the chosen profile, a session on the OS keyring,
//! the person's folder.

use std::path::PathBuf;

use cubby_core::config::{Config, Profile};
use cubby_core::secrets::SecretStore;
use cubby_core::session::{Session, SessionInfo};
use cubby_core::storage::Storage;
use cubby_core::{Error, ErrorCode, Result};

pub struct Context {
    config_path: Option<PathBuf>,
    profile_name: Option<String>,
}

impl Context {
    pub fn new(config_path: Option<PathBuf>, profile_name: Option<String>) -> Self {
        Self {
            config_path,
            profile_name,
        }
    }

    pub fn config_path(&self) -> Result<PathBuf> {
        match &self.config_path {
            Some(path) => Ok(path.clone()),
            None => Config::default_path(),
        }
    }

    pub fn load_config(&self) -> Result<Config> {
        Config::load(&self.config_path()?)
    }

    /// The profile named by `--profile`/`CUBBY_PROFILE`, or `name` when given.
    pub fn profile(&self, name: Option<&str>) -> Result<(String, Profile)> {
        let config = self.load_config()?;
        let (name, profile) = config.profile(name.or(self.profile_name.as_deref()))?;
        Ok((name.to_owned(), profile.clone()))
    }

    /// A session of the chosen profile, kept in the OS keyring.
    pub fn session(&self) -> Result<Session> {
        self.session_in(SecretStore::Keyring)
    }

    /// A session of the chosen profile, kept in `store` (memory, by explicit choice).
    pub fn session_in(&self, store: SecretStore) -> Result<Session> {
        let (_, profile) = self.profile(None)?;
        Session::new(profile, store)
    }

    /// The session saved by `cubby login`, restored; "not signed in" when there is none.
    /// Every command that reaches the person's folder starts here.
    pub async fn signed_in_session(&self) -> Result<Session> {
        let (session, _) = self.restored_session().await?;
        Ok(session)
    }

    /// The signed-in person's folder, reached with their renewing credentials. Keep the session
    /// alive as long as the storage is used: the credentials provider renews through it.
    pub async fn open_storage(&self) -> Result<(Session, Storage)> {
        let (session, info) = self.restored_session().await?;
        let storage = Storage::new(
            session.profile(),
            &info.identity_id,
            session.credentials_provider(),
        )?;
        Ok((session, storage))
    }

    async fn restored_session(&self) -> Result<(Session, SessionInfo)> {
        let session = self.session()?;
        let info = session.restore().await?.ok_or_else(not_signed_in)?;
        Ok((session, info))
    }
}

/// What a command that needs a sign-in answers when this profile has none.
pub fn not_signed_in() -> Error {
    Error::new(
        ErrorCode::AuthNotSignedIn,
        "not signed in with this profile",
    )
}
