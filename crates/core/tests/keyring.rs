//! The session store against the real OS keyring (on Linux: a Secret Service such as
//! gnome-keyring in a D-Bus session; see the README's test command).

use cubby_core::secrets::{SecretStore, StoredSession};
use cubby_test_support::keyring::require_secret_service;
use oauth2::RefreshToken;

/// Saves a session in the real keyring under a key of test `test`'s own; returns both.
async fn saved(test: &str, identity_id: &str) -> (String, StoredSession) {
    require_secret_service();
    let key = format!("{test}-{}", std::process::id());
    let session = StoredSession {
        refresh_token: RefreshToken::new(format!("refresh-token-for-{test}")),
        identity_id: identity_id.into(),
    };
    SecretStore::Keyring.save(&key, &session).await.unwrap();
    (key, session)
}

#[tokio::test]
async fn the_os_keyring_keeps_and_forgets_a_session() {
    let (key, session) = saved("keeps", "us-east-1:00000000-0000-4000-8000-000000000001").await;
    let store = SecretStore::Keyring;
    let loaded = store.load(&key).await.unwrap().expect("saved session");
    assert_eq!(
        loaded.refresh_token.secret(),
        session.refresh_token.secret()
    );
    assert_eq!(loaded.identity_id, session.identity_id);
    store.delete(&key).await.unwrap();
    assert!(store.load(&key).await.unwrap().is_none());
    store.delete(&key).await.unwrap();
}

/// A Secret Service that ends (gnome-keyring aborts now and then under many short-lived
/// clients) is started again by the session bus at the next request; the session is still there.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_session_outlives_the_secret_service_ending() {
    use std::process::Command;

    let (key, session) = saved("restart", "us-east-1:00000000-0000-4000-8000-000000000002").await;

    let owner = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply=literal",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
        ])
        .output()
        .expect("dbus-send runs (package dbus-bin)");
    assert!(owner.status.success(), "{owner:?}");
    let pid = String::from_utf8_lossy(&owner.stdout)
        .split_whitespace()
        .last()
        .expect("a pid")
        .to_owned();
    let killed = Command::new("kill").args(["-KILL", &pid]).status().unwrap();
    assert!(killed.success(), "the Secret Service (pid {pid}) ends");

    let store = SecretStore::Keyring;
    let loaded = store.load(&key).await.unwrap().expect("the session kept");
    assert_eq!(loaded.identity_id, session.identity_id);
    store.delete(&key).await.unwrap();
}
