//! Takes the app's screenshots for the README (`scripts/screenshots` runs it in a desktop
//! session): sign-in, waiting for the browser, an empty folder, the browser with files and its
//! transfers, a preview, the drop overlay and settings, in the light and the dark theme, and
//! the sandbox's hosted sign-in page; the real app on its own sandbox, through the same harness
//! as the app tests.
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
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use cubby_e2e::app::{AppDriver, AppEnv, Key, row_selector};
    use cubby_test_support::ALICE;

    /// What the person has on their desktop to drop: folders, documents, a photo, notes.
    const NOTES: &str = "# Notes\n\n- Book the train to Lyon (before Friday)\n- Renew the passport: \
        the form is in Documents\n- Ask Grace about the budget spreadsheet\n\nIdeas for the \
        garden: tomatoes along the south wall, herbs by the kitchen door.\n";

    /// One launch: the light theme (a fresh home follows the desktop, which is light under
    /// Xvfb) through sign-in and the file browser, then the dark one chosen in settings, back
    /// to sign-in, then the hosted page.
    pub async fn take_all(out: &Path) {
        let app = AppDriver::launch(AppEnv::new(ALICE).with_idle_browser()).await;
        let desk = desk_items(&app.env().dir().join("desk"));
        let shoot = |name: &str| {
            let app = &app;
            let path = out.join(format!("{name}.png"));
            async move {
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

        let dropped: Vec<&Path> = desk.iter().map(PathBuf::as_path).collect();
        app.drop_files(&dropped, "[data-testid=\"folder-view\"]")
            .await;
        browser_shots(&app, &desk, "light", &shoot).await;

        app.click("account-menu").await;
        app.click("open-settings").await;
        app.wait_for_screen("settings").await;
        shoot("settings-light").await;
        app.click("theme-dark").await;
        app.scroll_to_top().await;
        shoot("settings-dark").await;
        app.click("close-settings").await;
        app.wait_for_screen("folder").await;
        browser_shots(&app, &desk, "dark", &shoot).await;

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

    /// The browser with files and its transfers, a preview, and the drop overlay, in `theme`.
    async fn browser_shots<F, Fut>(app: &AppDriver, desk: &[PathBuf], theme: &str, shoot: &F)
    where
        F: Fn(&str) -> Fut,
        Fut: Future<Output = ()>,
    {
        let name = |shot: &str| format!("{shot}-{theme}");
        // The folder shows again after settings: its rows are read a moment later.
        for item in desk {
            app.row(&item.file_name().unwrap().to_string_lossy()).await;
        }
        app.wait_for_visible("transfers-panel").await;
        shoot(&name("browser")).await;

        app.click_row("garden.png").await;
        app.press(Key::Space, false).await;
        app.wait_for_visible("preview-pane").await;
        app.shown("[data-testid=\"preview-pane\"] img", "the image preview")
            .await;
        shoot(&name("preview")).await;
        app.press(Key::Escape, false).await;

        let notes = desk.iter().find(|p| p.ends_with("notes.md")).unwrap();
        app.hover_files(&[notes], &row_selector("Photos")).await;
        app.wait_for_visible("drop-overlay").await;
        shoot(&name("drop")).await;
        app.leave_with_files().await;
    }

    /// Writes the items of a person's desktop under `desk`; the top-level ones, to drop.
    fn desk_items(desk: &Path) -> Vec<PathBuf> {
        let write = |relative: &str, bytes: &[u8]| {
            let path = desk.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
        };
        write("Documents/Passport renewal form.pdf", &[7; 182_000]);
        write("Documents/Lease 2025.pdf", &[8; 96_000]);
        write(
            "Projects/Analytical Engine/plans.txt",
            b"Mill, store, reader.\n",
        );
        write("Taxes 2024.pdf", &[1; 482_113]);
        write("Budget 2025.xlsx", &[2; 38_400]);
        write("notes.md", NOTES.as_bytes());
        std::fs::create_dir_all(desk.join("Photos")).unwrap();
        let garden = desk.join("garden.png");
        let drawn = Command::new("convert")
            .args([
                "-size",
                "960x640",
                "gradient:#7fb77e-#2f5d50",
                "-fill",
                "#f3d36b",
            ])
            .args(["-draw", "circle 700,180 760,180", "-fill", "#3f7f4f"])
            .args(["-draw", "ellipse 300,640 420,180 180,360"])
            .arg(&garden)
            .status()
            .expect("imagemagick's convert runs (apt install imagemagick)");
        assert!(
            drawn.success(),
            "convert could not draw {}",
            garden.display()
        );
        std::fs::copy(&garden, desk.join("Photos/garden at dusk.png")).unwrap();
        [
            "Documents",
            "Photos",
            "Projects",
            "Taxes 2024.pdf",
            "Budget 2025.xlsx",
            "notes.md",
            "garden.png",
        ]
        .iter()
        .map(|name| desk.join(name))
        .collect()
    }
}
