//! Captures every log line (all targets, TRACE, through the log set-up every front end uses) of a
//! full sign-in, credential fetch, restore and sign-out, and proves no token, code, secret key
//! or session token appears in them.

use std::io::Write;
use std::sync::{Arc, Mutex};

use cubby_core::logging::{self, LogOutput};
use cubby_core::secrets::{SecretStore, session_key};
use cubby_test_support::browser::{get, query_of};
use cubby_test_support::session::SIGN_IN_TIMEOUT;
use cubby_test_support::{ALICE, TestCloud};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    logging::init(LogOutput {
        env_var: None,
        default_level: "trace",
        writer: move || writer.clone(),
        colour: false,
    });

    let cloud = TestCloud::start().await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let seen_callback = Arc::new(Mutex::new(None));
    let mut browser = None;
    let info = session
        .sign_in_with_loopback(
            |request, _| {
                let url = request.url().clone();
                let seen = Arc::clone(&seen_callback);
                browser = Some(tokio::spawn(async move {
                    let callback =
                        cubby_localcloud::robot::sign_in(&url, ALICE.email, ALICE.password)
                            .await
                            .unwrap();
                    *seen.lock().unwrap() = Some(callback.clone());
                    get(&callback).await.unwrap()
                }));
            },
            SIGN_IN_TIMEOUT,
        )
        .await
        .unwrap();
    assert_eq!(browser.unwrap().await.unwrap(), 200);
    let credentials = session.credentials().await.unwrap();
    let stored = store
        .load(&session_key(&cloud.profile))
        .await
        .unwrap()
        .unwrap();
    // Debug output of everything that holds a secret goes to the log too.
    tracing::info!(
        ?session,
        ?info,
        ?stored,
        ?credentials,
        "state after sign-in"
    );
    let restored = cloud.session(&store);
    restored.restore().await.unwrap().unwrap();
    restored.credentials().await.unwrap();
    restored.sign_out().await.unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("signed in"),
        "the capture saw Cubby's own logs"
    );
    let callback = seen_callback.lock().unwrap().clone().unwrap();
    let code = query_of(&callback)["code"].clone();
    let secrets = [
        ("authorization code", code.as_str()),
        ("refresh token", stored.refresh_token.secret().as_str()),
        ("secret access key", credentials.secret_access_key()),
        ("session token", credentials.session_token().unwrap()),
        // Every JWT (id and access tokens) starts with the base64 of `{"`.
        ("a JWT", "eyJ"),
    ];
    for (what, secret) in secrets {
        let leaks: Vec<String> = logs
            .lines()
            .filter(|line| line.contains(secret))
            .map(|line| line.replace(secret, "<SECRET>"))
            .collect();
        assert!(leaks.is_empty(), "{what} appears in the logs: {leaks:#?}");
    }
}
