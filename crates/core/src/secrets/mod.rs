//! Where a session survives between runs: the refresh token and identity id, in the OS keyring
//! (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through the `keyring`
//! crate. Access and id tokens and AWS credentials never leave memory. Without a keyring the
//! caller may explicitly choose [`SecretStore::memory`]: the session then ends with the process.
//! Every Cubby process of the user shares the keyring, so they take turns ([`Turn`]) at it.

mod turn;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use oauth2::RefreshToken;
use serde::{Deserialize, Serialize};

pub use turn::Turn;

use crate::config::Profile;
use crate::error::{Error, ErrorCode, Result};

/// The keyring service name every Cubby entry is filed under.
const SERVICE: &str = "cubby";

/// An entry name no session has, looked up to learn whether the keyring answers.
const AVAILABILITY_PROBE: &str = "availability check";

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
    /// The OS keyring, shared by every Cubby process of this user.
    Keyring,
    /// Memory only, by explicit choice; shared between clones.
    Memory {
        /// The saved sessions, as their serialized text by key.
        entries: Arc<Mutex<HashMap<String, String>>>,
        /// The turn at the saved sessions, for sessions sharing this store.
        turn: Arc<tokio::sync::Mutex<()>>,
    },
}

impl fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Keyring => "SecretStore::Keyring",
            Self::Memory { .. } => "SecretStore::Memory([redacted])",
        })
    }
}

/// The keyring entry name of a profile's session: all that sets its sign-in and its folder
/// (user pool, app client, identity pool, bucket). Only profiles alike in all four share a
/// session, so removing a profile never signs out another.
pub fn session_key(profile: &Profile) -> String {
    format!(
        "{}#{}#{}",
        legacy_session_key(profile),
        profile.identity_pool_id,
        profile.bucket
    )
}

/// The entry name sessions were saved under before [`session_key`] named the whole profile:
/// user pool and app client only.
pub(crate) fn legacy_session_key(profile: &Profile) -> String {
    format!("{}#{}", profile.logins_key(), profile.client_id)
}

impl SecretStore {
    /// A store in this process's memory; the session ends with the process.
    pub fn memory() -> Self {
        Self::Memory {
            entries: Arc::default(),
            turn: Arc::default(),
        }
    }

    /// Waits for this caller's turn at the saved sessions, to hold while it reads a saved
    /// refresh token, uses it and saves what replaces it: a rotating refresh token dies at its
    /// first use, so two holders must never refresh from the same one. For the keyring the
    /// turn is a lock file in the data directory, shared by every Cubby process of this user
    /// (the app and the CLI). Not reentrant: a holder must not ask again before dropping it.
    pub async fn take_turn(&self) -> Result<Turn> {
        match self {
            Self::Keyring => turn::in_data_dir().await,
            Self::Memory { turn, .. } => Ok(Turn::in_memory(Arc::clone(turn).lock_owned().await)),
        }
    }

    /// Fails with `secrets.unavailable` when a session could not be saved: sign-ins ask before
    /// the browser opens. Looks up an entry no one saves, which needs no unlocking.
    pub async fn check_available(&self) -> Result<()> {
        match self {
            Self::Keyring => {
                blocking(|| {
                    match keyring::Entry::new(SERVICE, AVAILABILITY_PROBE)?.get_password() {
                        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
                        Err(err) => Err(err),
                    }
                })
                .await
            }
            Self::Memory { .. } => Ok(()),
        }
    }

    /// The session saved under `key`; one saved under `old_key` by an earlier version is
    /// moved to `key` first. Call it during a [`Turn`].
    pub(crate) async fn load_moving(
        &self,
        key: &str,
        old_key: &str,
    ) -> Result<Option<StoredSession>> {
        if let Some(stored) = self.load(key).await? {
            return Ok(Some(stored));
        }
        let Some(stored) = self.load(old_key).await? else {
            return Ok(None);
        };
        self.save(key, &stored).await?;
        self.delete(old_key).await?;
        tracing::info!("moved the saved session to its profile's own keyring entry");
        Ok(Some(stored))
    }

    /// The session saved under `key`, if any.
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
            Self::Memory { entries, .. } => {
                entries.lock().expect("memory store lock").get(key).cloned()
            }
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

    /// Saves `session` under `key`, replacing what was there.
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
            Self::Memory { entries, .. } => {
                entries
                    .lock()
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
            Self::Memory { entries, .. } => {
                entries.lock().expect("memory store lock").remove(key);
                Ok(())
            }
        }
    }
}

/// Keyring calls block on D-Bus / OS APIs: keep them off the async workers.
async fn blocking<T: Send + 'static>(
    call: impl Fn() -> keyring::Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(move || again_after_platform_failure(call))
        .await
        .map_err(|err| Error::internal(format!("keyring task failed: {err}")))?
        .map_err(keyring_error)
}

/// Makes a call the platform failed once more. The Secret Service may end in the middle of a
/// call (gnome-keyring aborts now and then under many short-lived clients, an upstream bug)
/// and the session bus starts it again for the next one. Every keyring call here is whole and
/// may be repeated: a read, a replace or a delete.
fn again_after_platform_failure<T>(call: impl Fn() -> keyring::Result<T>) -> keyring::Result<T> {
    match call() {
        Err(keyring::Error::PlatformFailure(err)) => {
            tracing::warn!("the OS keyring failed ({err}); asking it once more");
            call()
        }
        answer => answer,
    }
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
            "the OS keyring is not available ({err}); a session is kept only there: unlock or start it (on Linux a Secret Service such as gnome-keyring in a D-Bus session)"
        ),
        _ => format!("the OS keyring refused the request ({err})"),
    };
    Error::new(ErrorCode::SecretsUnavailable, message).with_source(err)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

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

    /// A call that fails with `failures` in turn, then answers; `calls` counts the calls.
    fn failing<'a>(
        failures: &'a [fn() -> keyring::Error],
        calls: &'a Cell<usize>,
    ) -> impl Fn() -> keyring::Result<&'static str> + 'a {
        move || {
            let made = calls.replace(calls.get() + 1);
            failures
                .get(made)
                .map_or(Ok("answer"), |failure| Err(failure()))
        }
    }

    fn platform_failure() -> keyring::Error {
        keyring::Error::PlatformFailure("Message recipient disconnected".into())
    }

    #[test]
    fn a_platform_failure_is_asked_once_more() {
        let calls = Cell::new(0);
        let answer = again_after_platform_failure(failing(&[platform_failure], &calls));
        assert_eq!((answer.unwrap(), calls.get()), ("answer", 2));

        let calls = Cell::new(0);
        let twice: [fn() -> keyring::Error; 2] = [platform_failure, platform_failure];
        let answer = again_after_platform_failure(failing(&twice, &calls));
        assert!(matches!(answer, Err(keyring::Error::PlatformFailure(_))));
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn other_keyring_answers_are_not_asked_again() {
        let calls = Cell::new(0);
        let answer = again_after_platform_failure(failing(&[|| keyring::Error::NoEntry], &calls));
        assert!(matches!(answer, Err(keyring::Error::NoEntry)));
        assert_eq!(calls.get(), 1);

        let calls = Cell::new(0);
        let locked = || keyring::Error::NoStorageAccess("locked".into());
        let answer = again_after_platform_failure(failing(&[locked], &calls));
        assert!(matches!(answer, Err(keyring::Error::NoStorageAccess(_))));
        assert_eq!(calls.get(), 1);
    }

    #[tokio::test]
    async fn unreadable_entry_is_reported_as_corrupt() {
        let store = SecretStore::memory();
        if let SecretStore::Memory { entries, .. } = &store {
            entries
                .lock()
                .unwrap()
                .insert("k".into(), "not json".into());
        }
        assert_eq!(
            store.load("k").await.unwrap_err().code,
            ErrorCode::SecretsCorrupt
        );
    }
}
