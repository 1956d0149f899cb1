//! Takes the app's screenshots for the README (`scripts/screenshots` runs it in a desktop
//! session): sign-in, waiting for the browser, signed in and settings, in the light and the dark
//! theme, and the sandbox's hosted sign-in page; the real app on its own sandbox, through the
//! same harness as the app tests.
//!
//!   app-screenshots OUTPUT_FOLDER

#[cfg(target_os = "linux")]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    use std::path::PathBuf;

    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: app-screenshots OUTPUT_FOLDER");
        return std::process::ExitCode::FAILURE;
    };
    std::fs::create_dir_all(&out).expect("the output folder can be made");
    shots::take_all(&out).await;
    std::process::ExitCode::SUCCESS
}

#[cfg(not(target_os = "linux"))]
fn main() -> std::process::ExitCode {
    eprintln!("app-screenshots drives the app through tauri-driver, which needs Linux");
    std::process::ExitCode::FAILURE
}

#[cfg(target_os = "linux")]
mod shots {
    use std::path::Path;

    use cubby_e2e::app::{AppDriver, AppEnv};
    use cubby_test_support::ALICE;

    /// One launch: the light theme (a fresh home follows the desktop, which is light under
    /// Xvfb) through sign-in, then the dark one chosen in settings back to sign-in, then the
    /// hosted page.
    pub async fn take_all(out: &Path) {
        let app = AppDriver::launch(AppEnv::new(ALICE).with_idle_browser()).await;
        let shoot = |name: &'static str| {
            let app = &app;
            async move {
                let path = out.join(format!("{name}.png"));
                let shot = app.screenshot(&path).await;
                println!("{} ({}x{})", path.display(), shot.width, shot.height);
            }
        };

        app.wait_for_screen("sign-in").await;
        shoot("sign-in-light").await;
        app.click("sign-in-button").await;
        app.wait_for_screen("waiting").await;
        shoot("waiting-light").await;
        app.finish_sign_in_in_browser().await;
        app.wait_for_screen("folder").await;
        app.wait_for_visible("folder-empty").await;
        shoot("signed-in-light").await;
        app.click("account-menu").await;
        app.click("open-settings").await;
        app.wait_for_screen("settings").await;
        shoot("settings-light").await;

        app.click("theme-dark").await;
        app.scroll_to_top().await;
        shoot("settings-dark").await;
        app.click("close-settings").await;
        app.wait_for_screen("folder").await;
        shoot("signed-in-dark").await;
        app.click("account-menu").await;
        app.click("sign-out").await;
        app.wait_for_screen("sign-in").await;
        shoot("sign-in-dark").await;
        app.click("sign-in-button").await;
        app.wait_for_screen("waiting").await;
        shoot("waiting-dark").await;

        app.show_page(&app.last_browser_address()).await;
        app.wait_for_text("Sign in to Cubby").await;
        shoot("hosted-sign-in").await;
    }
}
