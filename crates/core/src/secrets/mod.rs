//! Where a session survives between runs: the refresh token and identity id, in the OS keyring
//! (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through the `keyring`
//! crate. Access and id tokens and AWS credentials never leave memory. Without a keyring the
//! caller may explicitly choose [`SecretStore::memory`]: the session then ends with the process.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use oauth2::RefreshToken;
use serde::{Deserialize, Serialize};

use crate::config::Profile;
use crate::error::{Error, ErrorCode, Result};

/// The keyring service name every Cubby entry is filed under.
const SERVICE: &str = "cubby";

/// What is kept of a session between runs.
#[derive(Clone)]
pub struct StoredSession {
    /// Trades for fresh tokens while the session lives.
    pub refresh_token: RefreshToken,
    /// Cached so `GetId` runs once per user, not at every start.
    pub identity_id: String,
}

impl fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredSession")
            .field("refresh_token", &"[redacted]")
            .field("identity_id", &self.identity_id)
            .finish()
    }
}

/// The serialized form: one keyring entry per profile, written in one go.
#[derive(Serialize, Deserialize)]
struct Stored {
    refresh_token: String,
    identity_id: String,
}

/// The place secrets go.
#[derive(Clone)]
pub enum SecretStore {
    /// The OS keyring.
    Keyring,
    /// Memory only, by explicit choice; shared between clones.
    Memory(Arc<Mutex<HashMap<String, String>>>),
}

impl fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Keyring => "SecretStore::Keyring",
            Self::Memory(_) => "SecretStore::Memory([redacted])",
        })
    }
}

/// The keyring entry name of a profile's session: its user pool and app client, so two
/// profiles pointing at the same pool and client share a session and no others do.
pub fn session_key(profile: &Profile) -> String {
    format!("{}#{}", profile.logins_key(), profile.client_id)
}

impl SecretStore {
    /// A store that keeps sessions only in this process (tests, and sign-ins that must not persist).
    pub fn memory() -> Self {
        Self::Memory(Arc::default())
    }

    /// The session stored under `key`, if any.
    pub async fn load(&self, key: &str) -> Result<Option<StoredSession>> {
        let text = match self {
            Self::Keyring => {
                let key = key.to_owned();
                blocking(
                    move || match keyring::Entry::new(SERVICE, &key)?.get_password() {
                        Ok(text) => Ok(Some(text)),
                        Err(keyring::Error::NoEntry) => Ok(None),
                        Err(err) => Err(err),
                    },
                )
                .await?
            }
            Self::Memory(map) => map.lock().expect("memory store lock").get(key).cloned(),
        };
        text.map(|text| {
            let stored: Stored = serde_json::from_str(&text).map_err(|_| {
                Error::new(
                    ErrorCode::SecretsCorrupt,
                    "the saved session in the keyring is unreadable; sign in again",
                )
            })?;
            Ok(StoredSession {
                refresh_token: RefreshToken::new(stored.refresh_token),
                identity_id: stored.identity_id,
            })
        })
        .transpose()
    }

    /// Stores `session` under `key`, replacing what was there.
    pub async fn save(&self, key: &str, session: &StoredSession) -> Result<()> {
        let text = serde_json::to_string(&Stored {
            refresh_token: session.refresh_token.secret().clone(),
            identity_id: session.identity_id.clone(),
        })
        .map_err(|err| Error::internal(format!("cannot encode the session: {err}")))?;
        match self {
            Self::Keyring => {
                let key = key.to_owned();
                blocking(move || keyring::Entry::new(SERVICE, &key)?.set_password(&text)).await
            }
            Self::Memory(map) => {
                map.lock()
                    .expect("memory store lock")
                    .insert(key.to_owned(), text);
                Ok(())
            }
        }
    }

    /// Forgets the session; forgetting one that is not there is fine.
    pub async fn delete(&self, key: &str) -> Result<()> {
        match self {
            Self::Keyring => {
                let key = key.to_owned();
                blocking(
                    move || match keyring::Entry::new(SERVICE, &key)?.delete_credential() {
                        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                        Err(err) => Err(err),
                    },
                )
                .await
            }
            Self::Memory(map) => {
                map.lock().expect("memory store lock").remove(key);
                Ok(())
            }
        }
    }
}

/// Keyring calls block on D-Bus / OS APIs: keep them off the async workers.
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|err| Error::internal(format!("keyring task failed: {err}")))?
        .map_err(keyring_error)
}

fn keyring_error(err: keyring::Error) -> Error {
    let message = match &err {
        keyring::Error::BadEncoding(_) => {
            return Error::new(
                ErrorCode::SecretsCorrupt,
                "the saved session in the keyring is unreadable; sign in again",
            )
            .with_source(err);
        }
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => format!(
            "the OS keyring is not available ({err}); unlock or start it (on Linux a Secret Service such as gnome-keyring in a D-Bus session), or choose to keep the session in memory only"
        ),
        _ => format!("the OS keyring refused the request ({err})"),
    };
    Error::new(ErrorCode::SecretsUnavailable, message).with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredSession {
        StoredSession {
            refresh_token: RefreshToken::new("refresh-secret-123".into()),
            identity_id: "us-east-1:abc".into(),
        }
    }

    #[test]
    fn debug_hides_the_refresh_token() {
        let text = format!("{:?} {:?}", sample(), SecretStore::memory());
        assert!(!text.contains("refresh-secret-123"), "{text}");
        assert!(text.contains("us-east-1:abc"));
    }

    #[tokio::test]
    async fn memory_store_round_trips_and_forgets() {
        let store = SecretStore::memory();
        assert!(store.load("k").await.unwrap().is_none());
        store.save("k", &sample()).await.unwrap();
        let loaded = store.clone().load("k").await.unwrap().unwrap();
        assert_eq!(loaded.refresh_token.secret(), "refresh-secret-123");
        assert_eq!(loaded.identity_id, "us-east-1:abc");
        store.delete("k").await.unwrap();
        store.delete("k").await.unwrap();
        assert!(store.load("k").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn unreadable_entry_is_reported_as_corrupt() {
        let store = SecretStore::memory();
        if let SecretStore::Memory(map) = &store {
            map.lock().unwrap().insert("k".into(), "not json".into());
        }
        assert_eq!(
            store.load("k").await.unwrap_err().code,
            ErrorCode::SecretsCorrupt
        );
    }
}
