//! The session store against the real OS keyring (on Linux: a Secret Service such as
//! gnome-keyring in a D-Bus session; see the README's test command).

use cubby_core::secrets::{SecretStore, StoredSession};
use cubby_test_support::keyring::require_secret_service;
use oauth2::RefreshToken;

#[tokio::test]
async fn the_os_keyring_keeps_and_forgets_a_session() {
    require_secret_service();
    let key = format!("test-{}", std::process::id());
    let store = SecretStore::Keyring;
    let session = StoredSession {
        refresh_token: RefreshToken::new("refresh-token-for-the-keyring-test".into()),
        identity_id: "us-east-1:00000000-0000-4000-8000-000000000001".into(),
    };
    store.save(&key, &session).await.unwrap();
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
