//! Signing in and out of the real app, the way a person does: on the app's own "Local sandbox"
//! (the robot browser signs up on its hosted page), through a `cubby://` link that a second
//! launch of the app hands to the running one, and back to sign-in when the session expired.
//!
//! Needs what app_launch needs: `cargo build -p cubby-desktop`, tauri-driver on PATH, and
//! `scripts/desktop-session cargo test -p cubby-e2e --test app_session`.

#![cfg(target_os = "linux")]

use std::path::Path;
use std::time::Duration;

use cubby_e2e::app::{AppDriver, AppEnv};
use cubby_localcloud::config::DEFAULT_DEEP_LINK;
use cubby_test_support::{ALICE, TestCloud};
use tokio::time::{Instant, sleep_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_on_the_sandbox_restart_signed_in_then_sign_out() {
    let app = AppDriver::launch(AppEnv::new(ALICE).with_idle_browser()).await;
    app.wait_for_screen("sign-in").await;
    app.wait_for_visible("profile-picker").await;
    app.assert_accessible("sign-in").await;

    // Nobody has an account on a new sandbox: the browser signs up, and the app is signed in.
    app.click("sign-in-button").await;
    app.wait_for_screen("waiting").await;
    app.assert_accessible("waiting").await;
    app.finish_sign_in_in_browser().await;
    app.wait_for_screen("folder").await;
    app.wait_for_visible("folder-empty").await;
    let identity_id = open_account(&app).await;

    // The session comes back from the keyring without the browser.
    let opened_before = browser_openings(&app);
    let app = app.restart().await;
    app.wait_for_screen("folder").await;
    assert_eq!(open_account(&app).await, identity_id);
    assert_eq!(
        browser_openings(&app),
        opened_before,
        "the browser opened again"
    );

    app.click("account-menu").await;
    app.click("sign-out").await;
    app.wait_for_screen("sign-in").await;
    let app = app.restart().await;
    app.wait_for_screen("sign-in").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_link_from_the_browser_reaches_the_running_app() {
    // A profile whose only callback is the deep link: the hosted page sends the browser to
    // `cubby://auth/callback?...`, which the desktop opens with a second launch of the app.
    let cloud = TestCloud::start_with(|config| {
        config.callbacks = vec![DEFAULT_DEEP_LINK.to_owned()];
    })
    .await;
    let env = AppEnv::new(ALICE).with_config(&cloud.profile.to_toml("cloud"));
    let app = AppDriver::launch(env).await;
    app.wait_for_screen("sign-in").await;

    app.click("sign-in-button").await;
    app.wait_for_screen("folder").await;
    open_account(&app).await;
    let browser_log = std::fs::read_to_string(app.env().browser_log()).unwrap();
    assert!(
        browser_log.contains("handed cubby to"),
        "the callback did not go through a second launch: {browser_log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_leads_back_to_sign_in_with_a_notice() {
    const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(5);
    let cloud = TestCloud::start_with(|config| {
        config.refresh_token_ttl = REFRESH_TOKEN_LIFETIME;
    })
    .await;
    let env = AppEnv::new(ALICE).with_config(&cloud.profile.to_toml("cloud"));
    let app = AppDriver::launch(env).await;
    app.wait_for_screen("sign-in").await;
    app.click("sign-in-button").await;
    app.wait_for_screen("folder").await;
    let refresh_token_expired = Instant::now() + REFRESH_TOKEN_LIFETIME + Duration::from_secs(1);

    // Away longer than the refresh token lives: the saved session cannot be renewed.
    sleep_until(refresh_token_expired).await;
    let app = app.restart().await;
    app.wait_for_screen("sign-in").await;
    let notice = app.text("notice").await;
    assert!(!notice.trim().is_empty(), "the sign-in screen says nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_file_is_imported_through_the_file_dialog() {
    let cloud = TestCloud::start().await;
    let app = AppDriver::launch(AppEnv::new(ALICE)).await;
    app.wait_for_screen("sign-in").await;
    app.click("sign-in-button").await;
    app.wait_for_screen("folder").await;
    let file = app.env().dir().join("work.toml");
    std::fs::write(&file, cloud.profile.to_toml("work")).unwrap();

    app.click("account-menu").await;
    app.click("open-settings").await;
    app.click("import-profile").await;
    app.answer_file_dialog("Import a Cubby profile", &file)
        .await;
    app.wait_for_text_of("profile-list", "work", str::to_owned)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_at_login_is_a_switch_for_the_desktop_s_login_entry() {
    let app = AppDriver::launch(AppEnv::new(ALICE)).await;
    app.wait_for_screen("sign-in").await;
    app.click("sign-in-button").await;
    app.wait_for_screen("folder").await;
    let autostart = app.env().home().join(".config/autostart");
    assert_eq!(
        login_entries(&autostart),
        Vec::<String>::new(),
        "off by default: no login entry before the switch"
    );

    app.click("account-menu").await;
    app.click("open-settings").await;
    app.wait_for_screen("settings").await;
    app.click("start-at-login").await;
    let entries = wait_for_login_entries(&autostart, 1).await;
    let exec = entries[0]
        .lines()
        .find_map(|line| line.strip_prefix("Exec="))
        .unwrap_or_default();
    assert!(
        exec.contains("cubby-desktop") && exec.ends_with(" --background"),
        "the login entry starts {exec:?}"
    );

    app.click("start-at-login").await;
    wait_for_login_entries(&autostart, 0).await;
}

/// The desktop entries in the XDG autostart folder `dir`.
fn login_entries(dir: &Path) -> Vec<String> {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    listing
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "desktop"))
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect()
}

/// The desktop entries in `dir` once there are `count` of them (the switch saves through the
/// shell; the file system announces nothing the test could await).
async fn wait_for_login_entries(dir: &Path, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let entries = login_entries(dir);
        if entries.len() == count {
            return entries;
        }
        assert!(
            Instant::now() < deadline,
            "{} login entries in {} after 10 s, not {count}",
            entries.len(),
            dir.display()
        );
        sleep_until(Instant::now() + Duration::from_millis(100)).await;
    }
}

/// Opens Account & settings from the account menu; checks the signed-in person, closes it
/// again and returns the identity id shown.
async fn open_account(app: &AppDriver) -> String {
    app.click("account-menu").await;
    app.click("open-settings").await;
    app.wait_for_screen("settings").await;
    app.assert_accessible("settings").await;
    assert_eq!(app.text("account-email").await.trim(), ALICE.email);
    let identity_id = app.text("identity-id").await.trim().to_owned();
    assert!(
        identity_id.starts_with("us-east-1:"),
        "not an identity id: {identity_id:?}"
    );
    app.click("close-settings").await;
    app.wait_for_screen("folder").await;
    identity_id
}

/// How many times the app has sent the browser somewhere.
fn browser_openings(app: &AppDriver) -> usize {
    std::fs::read_to_string(app.env().browser_log())
        .unwrap_or_default()
        .lines()
        .filter(|line| line.starts_with("test-browser: opened "))
        .count()
}
