//! The state every localcloud route shares: configuration, persistent state, signing key,
//! issued credentials, and the short-lived things kept in memory (codes, browser sessions).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use url::Url;

use crate::config::{LocalCloudConfig, USER_POOL_ID};
use crate::credentials::CredentialStore;
use crate::faults::Faults;
use crate::keys::SigningKey;
use crate::state::StateStore;

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub sub: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub auth_time: u64,
    pub expires_at: SystemTime,
}

/// A signed-in browser (the hosted UI's session cookie).
#[derive(Debug, Clone)]
pub struct BrowserSession {
    pub sub: String,
    pub auth_time: u64,
    pub expires_at: SystemTime,
}

/// Browser sessions last an hour, like Cognito's managed login cookie.
pub const BROWSER_SESSION_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug)]
pub struct Cloud {
    pub config: LocalCloudConfig,
    pub base_url: Url,
    pub state: StateStore,
    pub keys: SigningKey,
    pub credentials: Arc<CredentialStore>,
    pub faults: Arc<Faults>,
    pub codes: Mutex<HashMap<String, CodeGrant>>,
    pub sessions: Mutex<HashMap<String, BrowserSession>>,
}

impl Cloud {
    pub fn issuer(&self) -> String {
        match &self.config.issuer {
            Some(issuer) => issuer.trim_end_matches('/').to_owned(),
            None => format!("{}{USER_POOL_ID}", self.base_url),
        }
    }

    /// The `Logins` key of the identity pool: the issuer without its scheme.
    pub fn provider_name(&self) -> String {
        let issuer = self.issuer();
        issuer
            .split_once("://")
            .map(|(_, rest)| rest.to_owned())
            .unwrap_or(issuer)
    }

    pub fn client_id(&self) -> String {
        self.state.read(|s| s.client_id.clone())
    }
}

pub fn epoch_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

pub fn now_seconds() -> u64 {
    epoch_seconds(SystemTime::now())
}

/// A random, URL-safe token of 32 bytes of entropy.
pub fn random_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
