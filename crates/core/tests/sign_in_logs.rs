//! Captures every log line (all targets, TRACE, through the log filter every front end adds) of a
//! full sign-in, credential fetch, every kind of S3 request the commands make (list, head, small
//! and multipart uploads and downloads, copy, delete, a share link), restore and sign-out, and
//! proves no token, code, secret key or session token appears in them.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cubby_core::logging::{self, LogOutput};
use cubby_core::secrets::{SecretStore, session_key};
use cubby_core::session::Session;
use cubby_core::storage::{RemotePath, Storage};
use cubby_core::transfer::{StateDb, TransferOptions, Transfers};
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
    touch_every_s3_operation(&session, &info.identity_id).await;
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
    let leaks: Vec<String> = secrets
        .iter()
        .flat_map(|(what, secret)| {
            logs.lines()
                .filter(move |line| line.contains(secret))
                .map(move |line| format!("{what}: {}", line.replace(secret, "<SECRET>")))
        })
        .collect();
    assert!(leaks.is_empty(), "secrets appear in the logs: {leaks:#?}");
    // The share link was shortened to the credentials' life; Cubby says so in its own note.
    assert!(
        !logs.contains("Presigned request will expire"),
        "the SDK's presign warning reached the logs"
    );
}

/// What `ls`, `put`, `get`, `cp`, `mv`, `rm`, `mkdir`, `du` and `share` send to S3, through the
/// session's renewing credentials.
async fn touch_every_s3_operation(session: &Session, identity_id: &str) {
    let storage = Storage::new(
        session.profile(),
        identity_id,
        session.credentials_provider(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.txt");
    let big = dir.path().join("big.bin");
    std::fs::write(&small, b"a small file").unwrap();
    std::fs::write(&big, vec![7u8; 7 << 20]).unwrap();
    let remote = |p: &str| RemotePath::parse(p).unwrap();
    let options = TransferOptions {
        part_size: 5 << 20,
        multipart_threshold: 6 << 20,
        ..TransferOptions::default()
    };
    let (transfers, _events) =
        Transfers::new(storage.clone(), StateDb::in_memory().unwrap(), options);
    transfers
        .upload(small, remote("logs/small.txt"))
        .wait()
        .await
        .unwrap();
    transfers
        .upload(big, remote("logs/big.bin"))
        .wait()
        .await
        .unwrap();
    for name in ["small.txt", "big.bin"] {
        transfers
            .download(
                remote(&format!("logs/{name}")),
                dir.path().join(format!("back-{name}")),
            )
            .wait()
            .await
            .unwrap();
    }
    storage.create_folder(&remote("logs/folder")).await.unwrap();
    assert_eq!(storage.list_all(&remote("logs")).await.unwrap().len(), 3);
    storage.head(&remote("logs/small.txt")).await.unwrap();
    storage.usage(&remote("logs")).await.unwrap();
    storage
        .copy(&remote("logs/small.txt"), &remote("logs/copy.txt"))
        .await
        .unwrap();
    storage
        .rename(&remote("logs/copy.txt"), &remote("logs/moved.txt"))
        .await
        .unwrap();
    // Longer than the credentials live: the link is shortened, with Cubby's note.
    let link = storage
        .share_link(&remote("logs/small.txt"), Duration::from_secs(2 * 3600))
        .await
        .unwrap();
    assert!(link.limited_by.is_some());
    storage
        .delete(&[remote("logs")], true)
        .await
        .unwrap()
        .into_result()
        .unwrap();
}
