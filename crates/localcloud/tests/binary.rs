//! The `cubby-localcloud` binary's command line: what it prints, and how it refuses bad input.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use cubby_core::config::Config;
use cubby_core::secrets::{SecretStore, session_key};
use cubby_core::session::Session;

fn localcloud() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cubby-localcloud"))
}

#[test]
fn bad_arguments_are_usage_errors_that_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    for (args, expected) in [
        (vec!["--data", data, "--user", "no-colon"], "EMAIL:PASSWORD"),
        (
            vec!["--data", data, "--credentials-ttl", "0"],
            "credentials-ttl",
        ),
        (vec!["--port", "1"], "--data"),
    ] {
        let output = localcloud().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let output = localcloud()
        .args(["--data", data, "--user", "ada@example.com:short"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 8 characters"));
}

/// Starts the binary on `data` with `args`; the running child and what it printed up to
/// "Press Ctrl-C".
fn start(data: &Path, args: &[&str]) -> (Child, String) {
    let mut child = localcloud()
        .arg("--data")
        .arg(data)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("# Press Ctrl-C");
        printed.push_str(&line);
        printed.push('\n');
        if done {
            break;
        }
    }
    (child, printed)
}

fn stop(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn prints_a_profile_toml_and_the_admin_credential() {
    let dir = tempfile::tempdir().unwrap();
    let (child, printed) = start(dir.path(), &[]);
    stop(child);
    let config = Config::parse(&printed).unwrap();
    let profile = &config.profiles["sandbox"];
    assert_eq!(profile.bucket, "cubby");
    assert!(profile.endpoints.s3.is_some());
    assert!(printed.contains("access_key_id     = AKIA"), "{printed}");
}

/// `--rotate-refresh-tokens`: a refresh hands out a new refresh token, which the session keeps.
#[tokio::test]
async fn rotates_refresh_tokens_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (email, password) = ("ada@example.com", "correct-horse");
    let (child, printed) = start(
        dir.path(),
        &[
            "--rotate-refresh-tokens",
            "--user",
            &format!("{email}:{password}"),
        ],
    );
    let profile = Config::parse(&printed).unwrap().profiles["sandbox"].clone();
    let store = SecretStore::memory();
    let session = Session::new(profile.clone(), store.clone()).unwrap();
    let request = session.begin_sign_in(profile.redirects[0].url());
    let callback = cubby_localcloud::robot::sign_in(request.url(), email, password)
        .await
        .unwrap();
    session.complete_sign_in(request, &callback).await.unwrap();
    let key = session_key(&profile);
    let issued = store.load(&key).await.unwrap().unwrap().refresh_token;
    let restored = Session::new(profile, store.clone())
        .unwrap()
        .restore()
        .await;
    let current = store.load(&key).await.unwrap().unwrap().refresh_token;
    stop(child);
    restored.unwrap().expect("signed in");
    assert_ne!(current.secret(), issued.secret(), "no new refresh token");
}
