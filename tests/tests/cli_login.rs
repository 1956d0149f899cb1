//! The `cubby` binary end to end against an in-process localcloud: `login` through `$BROWSER`
//! (a test helper that fills the sign-in form over HTTP), `whoami --json` in a new process with
//! the session from the real OS keyring, and the AWS CLI using `cubby credentials` as its
//! `credential_process` to list the person's own folder and be denied another's.
//!
//! Needs: `cargo build -p cubby-cli` first, the `aws` CLI on PATH, and a Secret Service in a
//! D-Bus session (`scripts/desktop-session cargo test -p cubby-e2e --test cli_login`).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use cubby_e2e::{Setup, cubby_binary, login_by_pasting, run, stderr_of, without_keyring};
use cubby_test_support::keyring::require_secret_service;
use cubby_test_support::{ALICE, BOB};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_whoami_and_aws_cli_through_credential_process() {
    require_secret_service();
    let setup = Setup::start().await;
    let login = setup.login(ALICE).await;
    assert!(String::from_utf8_lossy(&login.stdout).contains("Signed in as alice@example.com"));

    // A new process, profile and config from the environment: the session is in the keyring.
    let whoami = run(Command::new(cubby_binary())
        .args(["whoami", "--json"])
        .env("CUBBY_CONFIG", &setup.config)
        .env("CUBBY_PROFILE", "local"))
    .await;
    assert!(whoami.status.success(), "{}", stderr_of(&whoami));
    let me: Value = serde_json::from_slice(&whoami.stdout).unwrap();
    assert_eq!(me["email"], ALICE.email);
    assert_eq!(me["bucket"], "cubby");
    let identity_id = me["identity_id"].as_str().unwrap().to_owned();
    assert_eq!(me["folder"], format!("{identity_id}/"));
    assert!(me["credentials_expiry"].is_string(), "{me}");

    // The AWS CLI signs with the person's temporary credentials from `cubby credentials`.
    let (bob_id, _) = setup.cloud.identity_credentials(BOB.email).unwrap();
    let aws_config = setup.dir.path().join("aws-config");
    std::fs::write(
        &aws_config,
        format!(
            "[profile cubby]\nregion = us-east-1\ncredential_process = {} --config {} --profile local credentials\nendpoint_url = {}\ns3 =\n    addressing_style = path\n",
            cubby_binary().display(),
            setup.config.display(),
            setup.cloud.endpoint().as_str().trim_end_matches('/'),
        ),
    )
    .unwrap();
    let file = setup.dir.path().join("hello.txt");
    std::fs::write(&file, "hello from the aws cli").unwrap();
    let upload = run(aws(&aws_config, setup.dir.path()).args([
        "s3",
        "cp",
        file.to_str().unwrap(),
        &format!("s3://cubby/{identity_id}/hello.txt"),
    ]))
    .await;
    assert!(upload.status.success(), "aws s3 cp: {}", stderr_of(&upload));
    let own = run(aws(&aws_config, setup.dir.path()).args([
        "s3",
        "ls",
        &format!("s3://cubby/{identity_id}/"),
    ]))
    .await;
    assert!(
        own.status.success(),
        "aws s3 ls own folder: {}",
        stderr_of(&own)
    );
    assert!(String::from_utf8_lossy(&own.stdout).contains("hello.txt"));
    let other = run(aws(&aws_config, setup.dir.path()).args([
        "s3",
        "ls",
        &format!("s3://cubby/{bob_id}/"),
    ]))
    .await;
    assert!(
        !other.status.success(),
        "listing another's folder must fail"
    );
    assert!(
        stderr_of(&other).contains("AccessDenied"),
        "{}",
        stderr_of(&other)
    );

    // Sign out: revoked and forgotten; the next whoami says what to do, on one line.
    let logout = run(&mut setup.cubby(&["logout"])).await;
    assert!(logout.status.success(), "{}", stderr_of(&logout));
    let after = run(&mut setup.cubby(&["whoami"])).await;
    assert_eq!(after.status.code(), Some(1));
    let message = stderr_of(&after);
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert!(
        message.contains("cubby login") && message.contains("[auth.not_signed_in]"),
        "{message}"
    );
}

/// The `aws` CLI with only the given config: no keys, profiles or endpoints from the machine.
fn aws(config: &Path, home: &Path) -> Command {
    let mut command = Command::new("aws");
    command
        .args(["--profile", "cubby"])
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .kill_on_drop(true);
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_CA_BUNDLE",
    ] {
        command.env_remove(name);
    }
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_without_browser_takes_the_pasted_address() {
    require_secret_service();
    let setup = Setup::start().await;
    let status = login_by_pasting(
        &mut setup.cubby(&["login", "--no-browser"]),
        ALICE.email,
        ALICE.password,
    )
    .await;
    assert!(status.success());
    let whoami = run(&mut setup.cubby(&["whoami", "--json"])).await;
    assert!(whoami.status.success(), "{}", stderr_of(&whoami));
    let me: Value = serde_json::from_slice(&whoami.stdout).unwrap();
    assert_eq!(me["email"], ALICE.email);
    let logout = run(&mut setup.cubby(&["logout"])).await;
    assert!(logout.status.success(), "{}", stderr_of(&logout));
}

/// Every failure: exit code 1 (2 for usage) and one error line on stderr ending in the code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_one_line_with_exit_codes() {
    require_secret_service();
    let setup = Setup::start().await;
    let cases: [(&[&str], Option<&str>, i32, &str); 6] = [
        (&["frobnicate"], None, 2, "unrecognized subcommand"),
        (
            &["login", "--no-browser"],
            Some("not a url\n"),
            1,
            "[auth.callback_invalid]",
        ),
        (&["login", "--timeout", "1"], None, 1, "[auth.timeout]"),
        (
            &["profile", "show", "nope"],
            None,
            1,
            "[config.profile_not_found]",
        ),
        (&["whoami"], None, 1, "[secrets.unavailable]"),
        (&["login"], None, 1, "[secrets.unavailable]"),
    ];
    for (args, stdin, code, expected) in cases {
        let mut command = setup.cubby(args);
        if expected == "[secrets.unavailable]" {
            // No Secret Service here: the keyring is unavailable and must say so.
            without_keyring(&mut command);
        }
        command
            .env("BROWSER", "true")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).await.unwrap();
        }
        drop(input);
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let message = stderr_of(&output);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {message}");
        assert!(message.contains(expected), "{args:?}: {message}");
        if code == 1 {
            // Progress lines may come first; the error is the one last line.
            let last = message.trim_end().lines().last().unwrap_or_default();
            assert!(
                last.starts_with("cubby: ") && last.contains(expected),
                "{args:?}: {message}"
            );
            assert_eq!(message.matches("cubby: ").count(), 1, "{args:?}: {message}");
        }
    }
}

/// Several commands (or the app and a command) starting at once, with a refresh token that
/// rotates at every use: they take turns, each picking up the token the one before stored, and
/// nobody is signed out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_started_at_once_share_a_rotating_session() {
    require_secret_service();
    let setup = Setup::start_with(|config| config.rotate_refresh_tokens = true).await;
    setup.login(ALICE).await;
    let mut commands = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let mut whoami = setup.cubby(&["whoami", "--json"]);
        commands.spawn(async move { run(&mut whoami).await });
    }
    while let Some(output) = commands.join_next().await {
        let output = output.unwrap();
        assert!(output.status.success(), "{}", stderr_of(&output));
    }
    let after = run(&mut setup.cubby(&["whoami"])).await;
    assert!(after.status.success(), "signed out: {}", stderr_of(&after));
    let logout = run(&mut setup.cubby(&["logout"])).await;
    assert!(logout.status.success(), "{}", stderr_of(&logout));
}

/// Two profiles on the same sign-in service and app client, with different buckets, keep
/// separate sessions: removing one leaves the other signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_another_profile_keeps_this_one_signed_in() {
    require_secret_service();
    let setup = Setup::start().await;
    setup.login(ALICE).await;
    let mut other = setup.cloud.profile();
    other.bucket = "another-bucket".into();
    let source = setup.dir.path().join("other.toml");
    std::fs::write(&source, other.to_toml("other")).unwrap();
    let source = source.to_str().unwrap();
    for args in [
        &["profile", "add", "other", "--from", source][..],
        &["profile", "remove", "other"],
    ] {
        let output = run(&mut setup.cubby(args)).await;
        assert!(output.status.success(), "{args:?}: {}", stderr_of(&output));
    }
    let whoami = run(&mut setup.cubby(&["whoami"])).await;
    assert!(
        whoami.status.success(),
        "removing `other` signed `local` out: {}",
        stderr_of(&whoami)
    );
    let logout = run(&mut setup.cubby(&["logout"])).await;
    assert!(logout.status.success(), "{}", stderr_of(&logout));
}

/// With no keyring to keep the session, `cubby login` says so before any browser opens or any
/// sign-in address is shown, and names the one thing that works without a keyring.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_without_a_keyring_stops_before_the_browser() {
    let setup = Setup::start().await;
    for args in [
        &["login", "--timeout", "60"][..],
        &["login", "--no-browser"],
    ] {
        let mut login = setup.with_browser(setup.cubby(args), ALICE);
        let output = run(without_keyring(&mut login).stdin(Stdio::null())).await;
        let message = stderr_of(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {message}");
        assert!(
            message.contains("[secrets.unavailable]")
                && message.contains("cubby credentials --no-keyring"),
            "{args:?}: {message}"
        );
        assert!(
            !message.contains("/oauth2/authorize"),
            "{args:?}: the sign-in address was shown: {message}"
        );
        assert!(
            !setup.browser_log().exists(),
            "{args:?}: the browser was opened: {}",
            std::fs::read_to_string(setup.browser_log()).unwrap_or_default()
        );
    }
}

/// `cubby credentials --no-keyring`: signs in through the browser, prints one set of temporary
/// credentials and keeps nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_without_a_keyring_sign_in_for_that_command_only() {
    require_secret_service();
    let setup = Setup::start().await;
    let mut credentials = setup.with_browser(
        setup.cubby(&["credentials", "--no-keyring", "--timeout", "60"]),
        ALICE,
    );
    let output = run(without_keyring(&mut credentials)).await;
    assert!(
        output.status.success(),
        "{} / browser: {}",
        stderr_of(&output),
        std::fs::read_to_string(setup.browser_log()).unwrap_or_default()
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["Version"], 1);
    assert!(printed["SessionToken"].is_string(), "{printed}");
    // Nothing was kept in the (running) keyring: the next command is not signed in.
    let whoami = run(&mut setup.cubby(&["whoami"])).await;
    assert!(
        stderr_of(&whoami).contains("[auth.not_signed_in]"),
        "{}",
        stderr_of(&whoami)
    );
}
