//! Folder sync in the real app, as a person sets it up: the Sync panel adds a pair through the
//! OS folder dialog, a file written locally arrives in the bucket and shows in the pair's
//! activity, both sides changing one file while the pair is paused shows a conflict (both
//! versions kept on both sides), and with the window closed the app keeps syncing.
//!
//! Needs what app_launch needs: `cargo build -p cubby-desktop`, tauri-driver on PATH, and
//! `scripts/desktop-session cargo test -p cubby-e2e --test app_sync`.

#![cfg(target_os = "linux")]

use std::path::Path;
use std::time::Duration;

use cubby_e2e::app::{AppDriver, AppEnv};
use cubby_test_support::aws::{admin_credentials, s3_client};
use cubby_test_support::bucket_admin::BucketAdmin;
use cubby_test_support::{ALICE, TestCloud};

/// How long a change gets to cross to the other side (a watcher wake, a run, an upload).
const SYNCED: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_folder_shows_its_work_and_syncs_with_the_window_closed() {
    let cloud = TestCloud::start().await;
    let admin = BucketAdmin::S3 {
        client: s3_client(&cloud.profile, admin_credentials(&cloud.cloud)),
        bucket: cloud.profile.bucket.clone(),
    };
    let env = AppEnv::new(ALICE).with_config(&cloud.profile.to_toml("cloud"));
    let local = env.dir().join("Work");
    std::fs::create_dir_all(&local).unwrap();
    let app = AppDriver::launch(env).await;
    app.wait_for_screen("sign-in").await;
    app.click("sign-in-button").await;
    app.wait_for_screen("folder").await;

    // A pair: the folder chosen in the OS dialog, the remote name it suggests, two-way.
    app.click("sync-tab").await;
    app.wait_for_screen("sync").await;
    app.assert_accessible("sync panel, no pairs").await;
    app.click("sync-add").await;
    app.click("sync-pick-folder").await;
    app.answer_file_dialog("Choose a folder to keep in sync", &local)
        .await;
    // The remote name the panel suggests is the chosen folder's (WebKitWebDriver reads no text
    // from inside a modal <dialog>, so the shown path is checked through its title). The
    // choice reaches the page a moment after the OS dialog closes.
    app.wait_for_script(
        "return document.querySelector('[data-testid=\"sync-local\"]')?.title",
        &serde_json::json!(local.to_str().unwrap()),
        "the chosen folder in the add dialog",
    )
    .await;
    assert_eq!(app.value("sync-remote").await, "Work");
    // GTK's folder chooser selects a typed folder with no files at once (it would open one
    // with files instead), so the first file arrives once the folder is chosen.
    std::fs::write(local.join("plan.txt"), "first draft").unwrap();
    app.click("sync-mode-two-way").await;
    app.assert_accessible("adding a pair").await;
    app.click("sync-add-confirm").await;
    app.shown(&pair_in("idle"), "the pair, synced").await;
    assert_eq!(
        wait_for_object(&admin, "/Work/plan.txt").await,
        b"first draft"
    );

    // A file written here arrives there, and the pair's activity says so.
    std::fs::write(local.join("notes.md"), "# Notes").unwrap();
    assert_eq!(wait_for_object(&admin, "/Work/notes.md").await, b"# Notes");
    app.shown(
        "[data-testid=\"sync-activity-item\"][data-kind=\"upload\"][data-path=\"notes.md\"]",
        "the upload of notes.md in the activity",
    )
    .await;

    // Both sides change plan.txt while the pair is paused: both versions are kept.
    app.click("sync-pause").await;
    app.shown(&pair_in("paused"), "the pair, paused").await;
    std::fs::write(local.join("plan.txt"), "edited here").unwrap();
    let remote_plan = key_ending(&admin, "/Work/plan.txt").await;
    admin.put(&remote_plan, b"edited there").await;
    app.click("sync-resume").await;
    app.shown(
        "[data-testid=\"sync-conflict\"][data-path=\"plan.txt\"]",
        "the conflict on plan.txt",
    )
    .await;
    app.shown(&pair_in("idle"), "the pair, synced after the conflict")
        .await;
    app.assert_accessible("sync panel with a conflict").await;
    panel_in_both_themes(&app).await;
    let copy = conflict_copy(&local);
    let mut versions = vec![
        std::fs::read_to_string(local.join("plan.txt")).unwrap(),
        std::fs::read_to_string(local.join(&copy)).unwrap(),
    ];
    versions.sort();
    assert_eq!(versions, ["edited here", "edited there"]);
    wait_for_object(&admin, &format!("/Work/{copy}")).await;

    // With the window closed the app stays, and keeps syncing.
    app.close_window().await;
    std::fs::write(local.join("after-close.txt"), "still syncing").unwrap();
    assert_eq!(
        wait_for_object(&admin, "/Work/after-close.txt").await,
        b"still syncing"
    );
    assert!(app.app_running(), "the app quit when its window closed");
}

/// Photographs the panel in the light theme, then in the dark one chosen in settings; the
/// pictures stay in the test's scratch folder to look at.
async fn panel_in_both_themes(app: &AppDriver) {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("app_sync");
    std::fs::create_dir_all(&shots).unwrap();
    let light = app.screenshot(&shots.join("sync-light.png")).await;
    app.click("account-menu").await;
    app.click("open-settings").await;
    app.wait_for_screen("settings").await;
    app.click("theme-dark").await;
    app.wait_for_script(
        "return document.documentElement.dataset.theme",
        &serde_json::json!("dark"),
        "the dark theme",
    )
    .await;
    app.click("close-settings").await;
    app.wait_for_screen("sync").await;
    app.shown(&pair_in("idle"), "the pair, after settings")
        .await;
    let dark = app.screenshot(&shots.join("sync-dark.png")).await;
    assert!(
        light.brightness > 160 && dark.brightness < 96,
        "the panel is not light, then dark (brightness {} then {}; see {})",
        light.brightness,
        dark.brightness,
        shots.display()
    );
}

/// The selector of the pair in `state` (the panel has one pair here).
fn pair_in(state: &str) -> String {
    format!("[data-testid=\"sync-pair\"][data-state=\"{state}\"]")
}

/// The conflict copy of plan.txt in `folder`.
fn conflict_copy(folder: &Path) -> String {
    std::fs::read_dir(folder)
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .find(|name| name.starts_with("plan (conflict "))
        .unwrap_or_else(|| panic!("no conflict copy of plan.txt in {}", folder.display()))
}

/// The one key ending in `suffix`, once there is one.
async fn key_ending(admin: &BucketAdmin, suffix: &str) -> String {
    let deadline = tokio::time::Instant::now() + SYNCED;
    loop {
        let keys = admin.all_keys().await;
        if let Some(key) = keys.iter().find(|key| key.ends_with(suffix)) {
            return key.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no key ends with {suffix:?} after {SYNCED:?}: {keys:?}"
        );
        // S3 has no change notification to wait on: the listing is asked again.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The bytes of the object ending in `suffix`, once it is there.
async fn wait_for_object(admin: &BucketAdmin, suffix: &str) -> Vec<u8> {
    let key = key_ending(admin, suffix).await;
    admin.get(&key).await
}
