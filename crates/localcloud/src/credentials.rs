//! Temporary AWS credentials handed out by the identity pool, and the static admin credential.
//!
//! The S3 side looks every request's access key up here: the secret to check the signature
//! with, the session token the request must carry, when it expires, and whose it is.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use rand::Rng;
use rand::distributions::Alphanumeric;

/// Who a credential belongs to, which decides what the S3 policy lets it do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// May do everything: tests, benchmarks and inspection.
    Admin,
    /// An identity-pool identity: may touch only keys under `<identity id>/`.
    Identity(String),
}

/// One credential as the S3 side needs to check it.
#[derive(Clone)]
pub struct IssuedCredential {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// `None` for the admin credential, which is long-lived like an IAM user key.
    pub session_token: Option<String>,
    pub expiration: Option<SystemTime>,
    pub principal: Principal,
}

impl std::fmt::Debug for IssuedCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCredential")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("expiration", &self.expiration)
            .field("principal", &self.principal)
            .finish()
    }
}

impl IssuedCredential {
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expiration.is_some_and(|exp| exp <= now)
    }
}

/// All credentials this server has issued, by access key id.
#[derive(Debug)]
pub struct CredentialStore {
    by_access_key: Mutex<HashMap<String, IssuedCredential>>,
    admin: IssuedCredential,
}

fn random_string(len: usize, charset: &[u8]) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| charset[rng.gen_range(0..charset.len())] as char)
        .collect()
}

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

impl CredentialStore {
    /// A store with the given admin credential (kept across restarts by the caller).
    pub fn new(admin_access_key_id: String, admin_secret: String) -> Self {
        let admin = IssuedCredential {
            access_key_id: admin_access_key_id,
            secret_access_key: admin_secret,
            session_token: None,
            expiration: None,
            principal: Principal::Admin,
        };
        Self {
            by_access_key: Mutex::new(HashMap::new()),
            admin,
        }
    }

    /// A fresh admin credential pair in AWS's shapes (`AKIA...`, 40-character secret).
    pub fn generate_admin_pair() -> (String, String) {
        (
            format!("AKIA{}", random_string(16, UPPER_ALNUM)),
            rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(40)
                .map(char::from)
                .collect(),
        )
    }

    pub fn admin(&self) -> &IssuedCredential {
        &self.admin
    }

    /// Issues temporary credentials for one identity, valid for `ttl`.
    pub fn issue(&self, identity_id: &str, ttl: Duration) -> IssuedCredential {
        let token: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(256)
            .map(char::from)
            .collect();
        let credential = IssuedCredential {
            access_key_id: format!("ASIA{}", random_string(16, UPPER_ALNUM)),
            secret_access_key: rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(40)
                .map(char::from)
                .collect(),
            session_token: Some(format!("IQoJb3JpZ2luX2Vj{token}")),
            // Whole seconds, as the identity pool reports expiry in epoch seconds.
            expiration: Some(round_to_seconds(SystemTime::now() + ttl)),
            principal: Principal::Identity(identity_id.to_owned()),
        };
        let mut map = self
            .by_access_key
            .lock()
            .expect("credential store poisoned");
        let now = SystemTime::now();
        // Forget credentials long past expiry so the map does not grow without bound.
        map.retain(|_, c| {
            c.expiration
                .is_none_or(|exp| exp + Duration::from_secs(3600) > now)
        });
        map.insert(credential.access_key_id.clone(), credential.clone());
        credential
    }

    /// The credential with this access key id, expired or not (the caller reports expiry).
    pub fn lookup(&self, access_key_id: &str) -> Option<IssuedCredential> {
        if access_key_id == self.admin.access_key_id {
            return Some(self.admin.clone());
        }
        self.by_access_key
            .lock()
            .expect("credential store poisoned")
            .get(access_key_id)
            .cloned()
    }
}

fn round_to_seconds(t: SystemTime) -> SystemTime {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_credentials_are_found_and_expire() {
        let (ak, sk) = CredentialStore::generate_admin_pair();
        let store = CredentialStore::new(ak.clone(), sk);
        assert_eq!(store.lookup(&ak).unwrap().principal, Principal::Admin);
        let cred = store.issue("us-east-1:abc", Duration::from_secs(2));
        let found = store.lookup(&cred.access_key_id).unwrap();
        assert_eq!(found.principal, Principal::Identity("us-east-1:abc".into()));
        assert!(found.access_key_id.starts_with("ASIA"));
        assert!(!found.is_expired(SystemTime::now()));
        assert!(found.is_expired(SystemTime::now() + Duration::from_secs(3)));
        assert!(store.lookup("ASIANOTISSUED").is_none());
        assert!(!format!("{found:?}").contains(&found.secret_access_key));
    }
}
