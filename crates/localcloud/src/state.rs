//! Everything localcloud must remember across restarts, in one JSON file written atomically:
//! the app client, the identity pool, users (argon2 password hashes), identity ids, refresh
//! tokens (stored as SHA-256 digests, never in clear) and the admin credential.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rand::Rng;
use rand::distributions::Alphanumeric;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::REGION;
use crate::error::LocalCloudError;

const STATE_FILE: &str = "localcloud.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub sub: String,
    pub email: String,
    pub password_hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshRecord {
    pub sub: String,
    /// Shared by every token of one sign-in (Cognito's `origin_jti`), so revoking the
    /// refresh token revokes the id and access tokens issued from it.
    pub origin_jti: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub auth_time: u64,
    pub expires_at: u64,
    pub revoked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PersistedState {
    pub client_id: String,
    pub identity_pool_id: String,
    pub admin_access_key_id: String,
    pub admin_secret_access_key: String,
    /// By lower-cased email.
    pub users: BTreeMap<String, User>,
    /// Identity id by user `sub`.
    pub identities: BTreeMap<String, String>,
    /// By SHA-256 (hex) of the refresh token.
    pub refresh_tokens: BTreeMap<String, RefreshRecord>,
}

impl PersistedState {
    fn fresh() -> Self {
        let (admin_access_key_id, admin_secret_access_key) =
            crate::credentials::CredentialStore::generate_admin_pair();
        Self {
            // Cognito app client ids: 26 lowercase alphanumerics.
            client_id: rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(26)
                .map(|b| (b as char).to_ascii_lowercase())
                .collect(),
            identity_pool_id: format!("{REGION}:{}", uuid::Uuid::new_v4()),
            admin_access_key_id,
            admin_secret_access_key,
            users: BTreeMap::new(),
            identities: BTreeMap::new(),
            refresh_tokens: BTreeMap::new(),
        }
    }

    pub fn user_by_sub(&self, sub: &str) -> Option<&User> {
        self.users.values().find(|u| u.sub == sub)
    }

    pub fn is_origin_revoked(&self, origin_jti: &str) -> bool {
        self.refresh_tokens
            .values()
            .any(|r| r.origin_jti == origin_jti && r.revoked)
    }
}

/// The state file and its in-memory copy. Every change is written before it is acknowledged.
#[derive(Debug)]
pub struct StateStore {
    path: PathBuf,
    state: Mutex<PersistedState>,
}

pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl StateStore {
    pub fn open(data_dir: &Path) -> Result<Self, LocalCloudError> {
        let path = data_dir.join(STATE_FILE);
        let state = match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|err| LocalCloudError::CorruptState {
                    path: path.clone(),
                    reason: err.to_string(),
                })?
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let fresh = PersistedState::fresh();
                write_atomically(&path, &fresh).map_err(|source| LocalCloudError::DataDir {
                    path: path.clone(),
                    source,
                })?;
                fresh
            }
            Err(source) => return Err(LocalCloudError::DataDir { path, source }),
        };
        Ok(Self {
            path,
            state: Mutex::new(state),
        })
    }

    pub fn read<R>(&self, f: impl FnOnce(&PersistedState) -> R) -> R {
        f(&self.state.lock().expect("state poisoned"))
    }

    /// Applies a change and persists it; on a write failure the change is rolled back.
    pub fn update<R>(&self, f: impl FnOnce(&mut PersistedState) -> R) -> std::io::Result<R> {
        let mut guard = self.state.lock().expect("state poisoned");
        let mut next = guard.clone();
        let result = f(&mut next);
        write_atomically(&self.path, &next)?;
        *guard = next;
        Ok(result)
    }
}

fn write_atomically(path: &Path, state: &PersistedState) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec_pretty(state).expect("state always serializes");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_survives_reopen_and_corruption_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(dir.path()).unwrap();
        let client_id = store.read(|s| s.client_id.clone());
        assert_eq!(client_id.len(), 26);
        store
            .update(|s| s.identities.insert("sub-1".into(), "us-east-1:x".into()))
            .unwrap();
        let reopened = StateStore::open(dir.path()).unwrap();
        assert_eq!(reopened.read(|s| s.client_id.clone()), client_id);
        assert_eq!(
            reopened.read(|s| s.identities["sub-1"].clone()),
            "us-east-1:x"
        );

        std::fs::write(dir.path().join(STATE_FILE), b"{ not json").unwrap();
        let err = StateStore::open(dir.path()).unwrap_err();
        assert!(err.to_string().contains("move it away"), "{err}");
    }
}
