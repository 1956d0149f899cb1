//! The real app starts under Xvfb through tauri-driver and WebKitWebDriver, shows its page, can
//! be photographed and restarted: the mechanics every other app test stands on.
//!
//! Needs: `cargo build -p cubby-desktop` (after `npm run build` in ui/), tauri-driver on PATH,
//! and a desktop: run it as scripts/test does, `scripts/desktop-session cargo test -p cubby-e2e
//! --test app_launch`.

#![cfg(target_os = "linux")]

use cubby_e2e::app::{AppDriver, AppEnv};
use cubby_test_support::ALICE;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_opens_its_window_with_the_cubby_page_and_restarts() {
    let app = AppDriver::launch(AppEnv::new(ALICE)).await;

    assert_eq!(app.title().await, "Cubby");
    app.wait_for_text("Cubby").await;

    let shots = tempfile::tempdir().unwrap();
    let path = shots.path().join("first-screen.png");
    let shot = app.screenshot(&path).await;
    // The window's minimum size (tauri.conf.json) bounds what the page can be.
    assert!(
        shot.width >= 720 && shot.height >= 480,
        "the page is {}x{}",
        shot.width,
        shot.height
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), shot.bytes as u64);

    // Closing the window quits the app; it starts again in the same home.
    let app = app.restart().await;
    app.wait_for_text("Cubby").await;
}
