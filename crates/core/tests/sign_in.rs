//! Sign-in through the loopback receiver and deep links against an in-process localcloud:
//! the happy path, and every bad answer ending in its own error code with nothing kept.

use std::net::{Ipv4Addr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use cubby_core::ErrorCode;
use cubby_core::auth::{AuthorizationRequest, DeepLinkReceiver};
use cubby_core::secrets::{SecretStore, session_key};
use cubby_core::session::Session;
use cubby_localcloud::{LocalCloud, LocalCloudConfig};
use cubby_test_support::browser::{get, get_page, query_of, with_param};
use cubby_test_support::session::{SIGN_IN_TIMEOUT, browse, sign_in, store_is_empty};
use cubby_test_support::{ALICE, TestCloud};
use url::Url;

#[tokio::test]
async fn loopback_sign_in_restore_credentials_and_sign_out() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let mut browser = None;
    let info = session
        .sign_in_with_loopback(
            |request, receiver| {
                assert_eq!(request.redirect(), receiver.redirect());
                assert!(receiver.busy_ports().is_empty());
                let request_url = request.url().clone();
                let redirect = receiver.redirect().clone();
                browser = Some(tokio::spawn(async move {
                    // Stray requests get a page and do not end the sign-in.
                    assert_eq!(
                        get(&redirect.join("/favicon.ico").unwrap()).await.unwrap(),
                        404
                    );
                    assert_eq!(get(&redirect).await.unwrap(), 404);
                    let callback =
                        cubby_localcloud::robot::sign_in(&request_url, ALICE.email, ALICE.password)
                            .await
                            .unwrap();
                    assert_eq!(get(&callback).await.unwrap(), 200);
                    // The receiver closed after the one answer: a replay reaches no one.
                    assert!(
                        get(&callback).await.is_err(),
                        "replayed callback was answered"
                    );
                }));
            },
            SIGN_IN_TIMEOUT,
        )
        .await
        .unwrap();
    browser.unwrap().await.unwrap();
    assert_eq!(info.email.as_deref(), Some(ALICE.email));
    assert_eq!(info.folder, format!("{}/", info.identity_id));
    assert_eq!(info.bucket, "cubby");

    let credentials = session.credentials().await.unwrap();
    assert!(credentials.session_token().is_some());
    assert!(session.info().await.unwrap().credentials_expiry.is_some());

    // A new process: the session comes back from the store, same identity, no browser.
    let restored = cloud.session(&store);
    let again = restored.restore().await.unwrap().unwrap();
    assert_eq!(again.identity_id, info.identity_id);
    restored.credentials().await.unwrap();

    let signed_out = restored.sign_out().await.unwrap();
    assert!(signed_out.revoked);
    let logout = signed_out.logout_url;
    assert_eq!(logout.path(), "/logout");
    assert!(logout.query().unwrap().contains("logout_uri="), "{logout}");
    assert!(store_is_empty(&store, &cloud.profile).await);
    assert!(cloud.session(&store).restore().await.unwrap().is_none());
}

/// Runs a loopback sign-in whose browser step is replaced by `answer(request, redirect)`,
/// returning the error and the page status, and checking nothing was kept.
async fn failed_sign_in(
    cloud: &TestCloud,
    answer: impl FnOnce(&AuthorizationRequest, Url) -> tokio::task::JoinHandle<u16>,
) -> (cubby_core::Error, u16) {
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let mut browser = None;
    let err = session
        .sign_in_with_loopback(
            |request, receiver| browser = Some(answer(request, receiver.redirect().clone())),
            SIGN_IN_TIMEOUT,
        )
        .await
        .unwrap_err();
    let status = browser.unwrap().await.unwrap();
    assert!(
        session.info().await.is_none(),
        "half-signed-in after {err:?}"
    );
    assert!(store_is_empty(&store, &cloud.profile).await);
    (err, status)
}

/// A browser that goes straight to the callback with `query` (`{state}` filled in).
fn answer_with(
    query: &'static str,
) -> impl FnOnce(&AuthorizationRequest, Url) -> tokio::task::JoinHandle<u16> {
    move |request, mut redirect| {
        redirect.set_query(Some(
            &query.replace("{state}", &query_of(request.url())["state"]),
        ));
        tokio::spawn(async move { get(&redirect).await.unwrap() })
    }
}

#[tokio::test]
async fn bad_callbacks_end_in_their_error_codes() {
    let cloud = TestCloud::start().await;
    let cases = [
        (
            "error=access_denied&state={state}",
            ErrorCode::AuthCancelled,
            400,
        ),
        ("state={state}", ErrorCode::AuthCallbackInvalid, 400),
        (
            "error=invalid_scope&error_description=nope&state={state}",
            ErrorCode::AuthProviderError,
            400,
        ),
        // Well-formed, so the page says "received"; the token endpoint then refuses the code.
        (
            "code=not-a-real-code&state={state}",
            ErrorCode::AuthCodeRejected,
            200,
        ),
    ];
    for (query, code, page_status) in cases {
        let (err, status) = failed_sign_in(&cloud, answer_with(query)).await;
        assert_eq!(err.code, code, "{query}: {err:?}");
        assert_eq!(status, page_status, "{query}");
    }
}

/// A request sent to the listener: its URL, and a `Host` header other than the URL's own.
type Stray = (Url, Option<String>);

/// A loopback sign-in whose browser signs in, then first sends the requests
/// `strays(redirect, callback)` gives (URL and `Host` header; each must be answered `status`),
/// then the real callback. The strays must change nothing: the sign-in completes.
async fn signs_in_after(strays: fn(&Url, &Url) -> Vec<Stray>, status: u16) {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let mut browser = None;
    let info = session
        .sign_in_with_loopback(
            |request, receiver| {
                let url = request.url().clone();
                let redirect = receiver.redirect().clone();
                browser = Some(tokio::spawn(async move {
                    let callback =
                        cubby_localcloud::robot::sign_in(&url, ALICE.email, ALICE.password)
                            .await
                            .unwrap();
                    for (stray, host) in strays(&redirect, &callback) {
                        let (got, page) = get_page(&stray, host.as_deref()).await.unwrap();
                        assert_eq!(got, status, "{stray} (Host {host:?}): {page}");
                    }
                    get(&callback).await.unwrap()
                }));
            },
            SIGN_IN_TIMEOUT,
        )
        .await
        .expect("the real answer after the strays signs in");
    assert_eq!(browser.unwrap().await.unwrap(), 200);
    assert_eq!(info.email.as_deref(), Some(ALICE.email));
}

/// `redirect` with `query`, sent with the browser's own `Host`.
fn to_redirect(redirect: &Url, query: &str) -> Stray {
    let mut url = redirect.clone();
    url.set_query(Some(query));
    (url, None)
}

#[tokio::test]
async fn forged_callbacks_do_not_end_the_sign_in() {
    signs_in_after(
        |redirect, _| {
            [
                "code=abc&state=forged",
                "code=abc",
                "error=access_denied",
                "error=access_denied&state=forged",
                "error=server_error&error_description=stop",
                "state=",
            ]
            .iter()
            .map(|query| to_redirect(redirect, query))
            .collect()
        },
        400,
    )
    .await;
}

#[tokio::test]
async fn a_real_answer_with_a_tampered_state_is_refused() {
    signs_in_after(
        |_, callback| {
            vec![
                (with_param(callback, "state", Some("tampered")), None),
                (with_param(callback, "state", None), None),
            ]
        },
        400,
    )
    .await;
}

#[tokio::test]
async fn only_loopback_hosts_on_the_listener_port_are_answered() {
    signs_in_after(
        |_, callback| {
            let port = callback.port().unwrap();
            [
                format!("attacker.example:{port}"),
                format!("localhost.attacker.example:{port}"),
                format!("localhost:{}", port + 1),
                "localhost".to_owned(),
            ]
            .into_iter()
            .map(|host| (callback.clone(), Some(host)))
            .collect()
        },
        421,
    )
    .await;
}

#[tokio::test]
async fn forged_callbacks_leave_the_sign_in_to_its_timeout() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let mut browser = None;
    let err = session
        .sign_in_with_loopback(
            |request, receiver| {
                browser = Some(answer_with("code=abc&state=forged")(
                    request,
                    receiver.redirect().clone(),
                ))
            },
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
    assert_eq!(browser.unwrap().await.unwrap(), 400);
    assert_eq!(err.code, ErrorCode::AuthTimeout, "{err:?}");
    assert!(store_is_empty(&store, &cloud.profile).await);
}

#[tokio::test]
async fn provider_text_is_shown_without_control_characters() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let mut browser = None;
    let err = session
        .sign_in_with_loopback(
            |request, receiver| {
                let mut callback = receiver.redirect().clone();
                callback
                    .query_pairs_mut()
                    .append_pair("error", "invalid_scope\u{1b}[2J")
                    .append_pair(
                        "error_description",
                        "\u{1b}[31mred\r\nforged line <b>bold</b>\u{7}",
                    )
                    .append_pair("state", &query_of(request.url())["state"]);
                browser = Some(tokio::spawn(async move {
                    get_page(&callback, None).await.unwrap()
                }));
            },
            SIGN_IN_TIMEOUT,
        )
        .await
        .unwrap_err();
    let (status, page) = browser.unwrap().await.unwrap();
    assert_eq!(err.code, ErrorCode::AuthProviderError);
    assert_eq!(status, 400);
    assert!(
        !err.message.chars().any(char::is_control),
        "{:?}",
        err.message
    );
    assert!(err.message.contains("red forged line"), "{}", err.message);
    assert!(
        !page.contains(['\u{1b}', '\r', '\u{7}']),
        "control characters in the page: {page:?}"
    );
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"), "{page}");
}

#[tokio::test]
async fn a_replayed_code_is_refused() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let redirect = Url::parse(&format!("http://localhost:{}/callback", cloud.ports[0])).unwrap();
    let first = session.begin_sign_in(&redirect);
    let callback = cubby_localcloud::robot::sign_in(first.url(), ALICE.email, ALICE.password)
        .await
        .unwrap();
    let code = callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    session.complete_sign_in(first, &callback).await.unwrap();

    // The same code presented to a second sign-in (with that sign-in's own state).
    let second_store = SecretStore::memory();
    let second_session = cloud.session(&second_store);
    let second = second_session.begin_sign_in(&redirect);
    let state = query_of(second.url())["state"].clone();
    let mut replay = redirect.clone();
    replay
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state);
    let err = second_session
        .complete_sign_in(second, &replay)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthCodeRejected, "{err:?}");
    assert!(second_session.info().await.is_none());
    assert!(store_is_empty(&second_store, &cloud.profile).await);
    // The old callback, with the first sign-in's state, does not fit a new sign-in either.
    let third = second_session.begin_sign_in(&redirect);
    let err = second_session
        .complete_sign_in(third, &callback)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthStateMismatch);
}

#[tokio::test]
async fn no_answer_times_out() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let err = session
        .sign_in_with_loopback(|_, _| {}, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthTimeout);
    assert!(err.message.contains("redirect_mismatch"), "{}", err.message);
    assert!(store_is_empty(&store, &cloud.profile).await);
}

#[tokio::test]
async fn a_busy_port_moves_to_the_next_registered_callback() {
    let cloud = TestCloud::start().await;
    let _squatter = TcpListener::bind((Ipv4Addr::LOCALHOST, cloud.ports[0])).unwrap();
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let mut used = None;
    let mut browser = None;
    session
        .sign_in_with_loopback(
            |request, receiver| {
                used = Some((receiver.redirect().clone(), receiver.busy_ports().to_vec()));
                browser = Some(browse(request, |u| u));
            },
            SIGN_IN_TIMEOUT,
        )
        .await
        .unwrap();
    assert_eq!(browser.unwrap().await.unwrap(), 200);
    let (redirect, busy) = used.unwrap();
    assert_eq!(redirect.port(), Some(cloud.ports[1]));
    assert_eq!(busy, [cloud.ports[0]]);

    let _second_squatter = TcpListener::bind((Ipv4Addr::LOCALHOST, cloud.ports[1])).unwrap();
    let err = cloud
        .session(&SecretStore::memory())
        .sign_in_with_loopback(
            |_, _| panic!("no browser when no port is free"),
            SIGN_IN_TIMEOUT,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthPortBusy);
    assert!(
        err.message.contains(&cloud.ports[0].to_string()),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn deep_link_sign_in_refuses_forged_links() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let receiver = Arc::new(DeepLinkReceiver::new());
    let forged = Url::parse("cubby://auth/callback?code=forged&state=forged").unwrap();
    assert_eq!(
        receiver.deliver(&forged).unwrap_err().code,
        ErrorCode::AuthNoPendingSignIn
    );
    let mut shell = None;
    let info = session
        .sign_in_with_deep_link(
            &receiver,
            |request| {
                let url = request.url().clone();
                let receiver = Arc::clone(&receiver);
                shell = Some(tokio::spawn(async move {
                    assert_eq!(
                        receiver.deliver(&forged).unwrap_err().code,
                        ErrorCode::AuthStateMismatch
                    );
                    let link = cubby_localcloud::robot::sign_in(&url, ALICE.email, ALICE.password)
                        .await
                        .unwrap();
                    assert_eq!(link.scheme(), "cubby");
                    receiver.deliver(&link).unwrap();
                    link
                }));
            },
            SIGN_IN_TIMEOUT,
        )
        .await
        .unwrap();
    assert_eq!(info.email.as_deref(), Some(ALICE.email));
    let link = shell.unwrap().await.unwrap();
    assert_eq!(
        receiver.deliver(&link).unwrap_err().code,
        ErrorCode::AuthNoPendingSignIn,
        "a replayed deep link completes nothing"
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_means_signed_out() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    sign_in(&session).await;
    // Another device kept a copy of the saved session; this one signs out (revokes).
    let key = session_key(&cloud.profile);
    let copy = SecretStore::memory();
    copy.save(&key, &store.load(&key).await.unwrap().unwrap())
        .await
        .unwrap();
    session.sign_out().await.unwrap();

    let other = cloud.session(&copy);
    let err = other.restore().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthSessionExpired);
    assert!(
        store_is_empty(&copy, &cloud.profile).await,
        "the dead session is forgotten"
    );
    assert_eq!(
        other.credentials().await.unwrap_err().code,
        ErrorCode::AuthNotSignedIn
    );
}

#[tokio::test]
async fn an_expired_refresh_token_ends_the_running_session_once() {
    let cloud = TestCloud::start_with(|config| {
        config.token_ttl = Duration::from_secs(1);
        config.refresh_token_ttl = Duration::from_secs(1);
    })
    .await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    sign_in(&session).await;
    // Token lifetimes are wall-clock: nothing to await but the clock.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let err = session.credentials().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthSessionExpired, "{err:?}");
    assert!(session.info().await.is_none());
    assert!(store_is_empty(&store, &cloud.profile).await);
    // Terminal: no retry loop, later calls fail at once without asking the server.
    assert_eq!(
        session.credentials().await.unwrap_err().code,
        ErrorCode::AuthNotSignedIn
    );
}

#[tokio::test]
async fn rotated_refresh_tokens_are_stored() {
    let cloud = TestCloud::start_with(|config| config.rotate_refresh_tokens = true).await;
    let store = SecretStore::memory();
    let key = session_key(&cloud.profile);
    let first = sign_in(&cloud.session(&store)).await;
    let issued = store.load(&key).await.unwrap().unwrap().refresh_token;
    // Each restore refreshes; with rotation the old token dies, so the next start works only
    // if the new one was saved.
    for _ in 0..2 {
        let info = cloud.session(&store).restore().await.unwrap().unwrap();
        assert_eq!(info.identity_id, first.identity_id);
    }
    let current = store.load(&key).await.unwrap().unwrap().refresh_token;
    assert_ne!(current.secret(), issued.secret());
}

#[tokio::test]
async fn a_restore_that_keeps_its_token_writes_nothing() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let key = session_key(&cloud.profile);
    sign_in(&cloud.session(&store)).await;
    let SecretStore::Memory { entries, .. } = &store else {
        unreachable!("a memory store")
    };
    // The same session written differently from how a save writes it: a save would show.
    let saved: serde_json::Value = serde_json::from_str(&entries.lock().unwrap()[&key]).unwrap();
    let marked = serde_json::to_string_pretty(&saved).unwrap();
    entries.lock().unwrap().insert(key.clone(), marked.clone());

    cloud.session(&store).restore().await.unwrap().unwrap();
    assert_eq!(entries.lock().unwrap()[&key], marked);
}

#[tokio::test]
async fn signing_in_again_revokes_the_session_it_replaces() {
    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    sign_in(&session).await;
    let key = session_key(&cloud.profile);
    let before = SecretStore::memory();
    before
        .save(&key, &store.load(&key).await.unwrap().unwrap())
        .await
        .unwrap();

    sign_in(&session).await;
    session.credentials().await.expect("the new session works");
    let err = cloud.session(&before).restore().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthSessionExpired, "{err:?}");
    assert!(cloud.session(&store).restore().await.unwrap().is_some());
}

/// The app's sandbox restarts on whatever port is free; with a fixed issuer name the session
/// saved under one port still restores under another, as the same person.
#[tokio::test]
async fn a_fixed_issuer_keeps_the_session_across_ports() {
    const ISSUER: &str = "http://localhost/cubby-sandbox";
    let first = TestCloud::start_with(|config| config.issuer = Some(ISSUER.to_owned())).await;
    let store = SecretStore::memory();
    let info = sign_in(&first.session(&store)).await;
    let mut config = LocalCloudConfig::new(first.data_dir());
    config.issuer = Some(ISSUER.to_owned());
    let TestCloud {
        cloud,
        profile: first_profile,
        dir: _kept,
        ..
    } = first;
    cloud.shutdown().await;
    let moved = LocalCloud::start(config).await.unwrap();
    let profile = moved.profile();
    assert_ne!(
        profile.endpoints.s3, first_profile.endpoints.s3,
        "another port"
    );
    assert_eq!(session_key(&profile), session_key(&first_profile));

    let session = Session::new(profile, store.clone()).unwrap();
    let again = session.restore().await.unwrap().expect("still signed in");
    assert_eq!(again.identity_id, info.identity_id);
    session
        .credentials()
        .await
        .expect("credentials on the new port");
}
