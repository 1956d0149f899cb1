//! One profile's session used by several processes at once (the desktop app and the CLI share
//! the keyring). With refresh-token rotation every refresh kills the token it used, so they
//! take turns and pick up each other's new token; a token the service refuses removes itself
//! and nothing else. Each `Session` on one store plays one process.

use std::time::Duration;

use cubby_core::ErrorCode;
use cubby_core::secrets::{SecretStore, session_key};
use cubby_core::session::Session;
use cubby_test_support::session::{sign_in, sign_in_as};
use cubby_test_support::{BOB, TestCloud};

/// Id tokens shorter-lived than the session's refresh margin: every credential fetch refreshes.
const SHORT_TOKENS: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_rotated_token_is_picked_up_by_the_other_process() {
    let cloud = TestCloud::start_with(|config| {
        config.rotate_refresh_tokens = true;
        config.token_ttl = SHORT_TOKENS;
    })
    .await;
    let store = SecretStore::memory();
    let app = cloud.session(&store);
    sign_in(&app).await;
    // The CLI starts and refreshes: the app's token in memory is dead from now on.
    let cli = cloud.session(&store);
    cli.restore().await.unwrap().unwrap();
    app.credentials()
        .await
        .expect("the app refreshes with the token the CLI stored");
    cli.credentials()
        .await
        .expect("the CLI refreshes with the token the app stored");
    assert!(
        cloud.session(&store).restore().await.unwrap().is_some(),
        "a session is still stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_starting_at_once_take_turns() {
    let cloud = TestCloud::start_with(|config| config.rotate_refresh_tokens = true).await;
    let store = SecretStore::memory();
    sign_in(&cloud.session(&store)).await;
    let starts = (0..4).map(|_| {
        let session = cloud.session(&store);
        tokio::spawn(async move { session.restore().await })
    });
    for started in futures::future::join_all(starts).await {
        started
            .unwrap()
            .unwrap()
            .expect("each start finds the session");
    }
    assert!(cloud.session(&store).restore().await.unwrap().is_some());
}

#[tokio::test]
async fn a_refused_token_removes_only_itself() {
    let cloud = TestCloud::start_with(|config| {
        config.token_ttl = SHORT_TOKENS;
    })
    .await;
    let store = SecretStore::memory();
    let key = session_key(&cloud.profile);
    let alice = cloud.session(&store);
    sign_in(&alice).await;
    let elsewhere = SecretStore::memory();
    elsewhere
        .save(&key, &store.load(&key).await.unwrap().unwrap())
        .await
        .unwrap();
    // Bob signs in with the same profile in another process; his session is the stored one.
    sign_in_as(&cloud.session(&store), &BOB).await;
    // Alice's token is revoked (signed out on another device): her session ends...
    cloud.session(&elsewhere).sign_out().await.unwrap();
    assert_eq!(
        alice.credentials().await.unwrap_err().code,
        ErrorCode::AuthSessionExpired
    );
    // ...and Bob's stays.
    let bob = cloud.session(&store).restore().await.unwrap();
    assert_eq!(
        bob.expect("Bob is still signed in").email.as_deref(),
        Some(BOB.email)
    );
}

#[tokio::test]
async fn profiles_differing_in_identity_pool_or_bucket_keep_their_own_sessions() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let profile = cloud.profile.clone();
    sign_in(&cloud.session(&store)).await;
    let mut other_bucket = profile.clone();
    other_bucket.bucket = "another-bucket".into();
    let mut other_pool = profile.clone();
    other_pool.identity_pool_id = "us-east-1:00000000-0000-4000-8000-00000000beef".into();
    for other in [other_bucket, other_pool] {
        assert_ne!(session_key(&other), session_key(&profile));
        let session = Session::new(other.clone(), store.clone()).unwrap();
        assert!(session.restore().await.unwrap().is_none());
        // What removing that profile does: forget its session.
        store.delete(&session_key(&other)).await.unwrap();
    }
    assert!(
        cloud.session(&store).restore().await.unwrap().is_some(),
        "removing the other profiles signed this one out"
    );
}

#[tokio::test]
async fn a_session_saved_under_the_old_key_is_moved_to_the_new_one() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let profile = cloud.profile.clone();
    let first = sign_in(&cloud.session(&store)).await;
    // Before sessions were keyed by the whole profile: user pool and app client only.
    let key = session_key(&profile);
    let old_key = format!("{}#{}", profile.logins_key(), profile.client_id);
    let saved = store.load(&key).await.unwrap().unwrap();
    store.delete(&key).await.unwrap();
    store.save(&old_key, &saved).await.unwrap();

    let restored = cloud.session(&store).restore().await.unwrap();
    assert_eq!(
        restored
            .expect("still signed in after the upgrade")
            .identity_id,
        first.identity_id
    );
    assert!(store.load(&key).await.unwrap().is_some());
    assert!(
        store.load(&old_key).await.unwrap().is_none(),
        "the old entry was moved, not copied"
    );
}
