//! What every command needs: the config file, the chosen profile, a session on the OS keyring.

use std::path::PathBuf;

use cubby_core::config::{Config, Profile};
use cubby_core::secrets::SecretStore;
use cubby_core::session::Session;
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
        let session = self.session()?;
        match session.restore().await? {
            Some(_) => Ok(session),
            None => Err(Error::new(
                ErrorCode::AuthNotSignedIn,
                "not signed in with this profile",
            )),
        }
    }
}
