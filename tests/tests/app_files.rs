//! The file browser of the real app, as a person uses it: files dropped from the desktop, a new
//! folder, rename, a move by dragging a row onto a folder, a share link that downloads the
//! bytes, delete, an upload and a download through the OS file dialogs, a folder of 20,000
//! files scrolled to its end, and an upload cut short by quitting that finishes after the
//! restart. Each screen is scanned with axe-core on the way.
//!
//! Needs what app_launch needs: `cargo build -p cubby-desktop`, tauri-driver on PATH, and
//! `scripts/desktop-session cargo test -p cubby-e2e --test app_files`.

#![cfg(target_os = "linux")]

use std::time::Duration;

use cubby_e2e::app::{AppDriver, AppEnv, Key, row_selector};
use cubby_localcloud::faults::{FaultAction, FaultRule, Trigger};
use cubby_test_support::aws::{admin_credentials, s3_client};
use cubby_test_support::bucket_admin::BucketAdmin;
use cubby_test_support::transfers::write_file;
use cubby_test_support::{ALICE, TestCloud};
use futures::{StreamExt, stream};

/// Files in the big folder: enough that only a virtual list can show it.
const BIG_FOLDER_FILES: usize = 20_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_rename_move_share_and_delete() {
    let cloud = TestCloud::start().await;
    let admin = admin_of(&cloud);
    let app = signed_in_app(&cloud).await;
    app.wait_for_visible("folder-empty").await;
    app.assert_accessible("empty folder").await;

    // A new folder, named in place.
    app.click("new-folder").await;
    app.type_and_enter("name-input", "Projects").await;
    app.row("Projects").await;

    // Two files and a folder (with an empty folder inside) dropped from the desktop.
    let desk = app.env().dir().join("desk");
    let report = write_file(&desk.join("report.pdf"), 300_000, 1);
    let notes = write_file(&desk.join("notes.txt"), 2_000, 2);
    let photo = write_file(&desk.join("Album/photo.jpg"), 70_000, 3);
    std::fs::create_dir_all(desk.join("Album/Empty")).unwrap();
    app.drop_files(
        &[
            &desk.join("report.pdf"),
            &desk.join("notes.txt"),
            &desk.join("Album"),
        ],
        "[data-testid=\"folder-view\"]",
    )
    .await;
    for path in ["report.pdf", "notes.txt", "Album"] {
        app.row(path).await;
    }
    app.wait_for_absent("[data-testid=\"drop-overlay\"]", "the drop overlay")
        .await;
    app.assert_accessible("folder with files").await;
    assert_eq!(admin.object_ending("/report.pdf").await, report);
    assert_eq!(admin.object_ending("/Album/photo.jpg").await, photo);
    assert!(
        admin.has_key_ending("/Album/Empty/").await,
        "the empty folder was not kept"
    );

    // Rename with F2.
    app.click_row("notes.txt").await;
    app.press(Key::F2, false).await;
    app.type_and_enter("name-input", "ideas.txt").await;
    app.row("ideas.txt").await;
    app.wait_for_no_row("notes.txt").await;
    assert_eq!(admin.object_ending("/ideas.txt").await, notes);

    // Move by dragging the row onto a folder.
    app.drag_row_onto("ideas.txt", &row_selector("Projects"))
        .await;
    app.wait_for_no_row("ideas.txt").await;
    app.double_click_row("Projects").await;
    app.row("Projects/ideas.txt").await;
    assert_eq!(admin.object_ending("/Projects/ideas.txt").await, notes);
    app.press(Key::Backspace, false).await;
    app.row("report.pdf").await;

    // A share link downloads the file's bytes.
    app.context_menu("report.pdf").await;
    app.assert_accessible("context menu").await;
    app.click("menu-share").await;
    let url = app.value("share-url").await;
    assert!(
        !app.text("share-expiry").await.trim().is_empty(),
        "the share dialog does not say when the link expires"
    );
    app.assert_accessible("share dialog").await;
    assert_eq!(admin.fetch_link(url.trim()).await, report);
    app.press(Key::Escape, false).await;

    // Delete asks first, then the file is gone on both sides.
    app.click_row("report.pdf").await;
    app.press(Key::Delete, false).await;
    app.wait_for_visible("confirm-dialog").await;
    app.assert_accessible("delete confirmation").await;
    app.click("confirm").await;
    app.wait_for_no_row("report.pdf").await;
    assert!(
        !admin.has_key_ending("/report.pdf").await,
        "report.pdf is still in the bucket"
    );

    // The uploads opened the transfers panel; each is listed as done.
    app.wait_for_visible("transfers-panel").await;
    app.shown(
        "[data-testid=\"transfer-row\"][data-state=\"finished\"]",
        "a finished transfer",
    )
    .await;
    app.assert_accessible("transfers panel").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_of_20_000_files_scrolls_to_its_end() {
    let cloud = TestCloud::start().await;
    let admin = admin_of(&cloud);
    let app = signed_in_app(&cloud).await;
    app.click("new-folder").await;
    app.type_and_enter("name-input", "big").await;
    app.row("big").await;
    let folder = admin
        .key_ending("/big/")
        .await
        .strip_suffix("big/")
        .unwrap()
        .to_owned();
    admin
        .put_many((0..BIG_FOLDER_FILES).map(|i| format!("{folder}big/file-{i:05}.txt")))
        .await;

    app.double_click_row("big").await;
    app.row("big/file-00000.txt").await;
    // Exact once the listing is complete, whatever the digit grouping.
    app.wait_for_text_of("folder-count", &BIG_FOLDER_FILES.to_string(), |text| {
        text.chars().filter(char::is_ascii_digit).collect()
    })
    .await;
    scroll_list_to_end(&app).await;
    app.row(&format!("big/file-{:05}.txt", BIG_FOLDER_FILES - 1))
        .await;
    let drawn = app.drawn_rows().await.len();
    assert!(
        drawn < 500,
        "{drawn} rows are drawn for {BIG_FOLDER_FILES}: the list is not virtual"
    );

    // Selecting all, and going to the first row, reach rows the page never read: their keys
    // come from the shell.
    app.click_row(&format!("big/file-{:05}.txt", BIG_FOLDER_FILES - 1))
        .await;
    app.press('a', true).await;
    let selected = format!("{BIG_FOLDER_FILES}selected");
    app.wait_for_text_of("status-bar", &selected, |text| {
        text.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
    })
    .await;
    app.press(Key::Home, false).await;
    app.shown(
        &format!(
            "{}[aria-selected=\"true\"]",
            row_selector("big/file-00000.txt")
        ),
        "the first row, selected alone",
    )
    .await;
    app.wait_for_text_of("status-bar", "1selected", |text| {
        text.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_cut_short_by_quitting_finishes_after_the_restart() {
    const SIZE: usize = 48 << 20;
    let cloud = TestCloud::start().await;
    let admin = admin_of(&cloud);
    // The second part hangs, so the upload cannot complete before the app quits, whatever the
    // machine's speed.
    cloud
        .cloud
        .faults()
        .add(FaultRule::new(
            Some("UploadPart"),
            Trigger::Nth { n: 2 },
            FaultAction::Delay { millis: 120_000 },
        ))
        .unwrap();
    let app = signed_in_app(&cloud).await;
    let big = app.env().dir().join("desk/big.bin");
    let bytes = write_file(&big, SIZE, 9);
    app.drop_files(&[&big], "[data-testid=\"folder-view\"]")
        .await;
    app.wait_for_visible("transfers-panel").await;
    app.shown(
        "[data-testid=\"transfer-row\"][data-state=\"running\"]",
        "a running transfer",
    )
    .await;
    wait_for_parts(&admin, 1).await;

    // The hung part is dropped with the app; after the restart the parts go through.
    cloud.cloud.faults().clear();
    let app = app.restart().await;
    app.wait_for_screen("folder").await;
    app.wait_for_visible("transfers-panel").await;
    app.shown(
        "[data-testid=\"transfer-row\"][data-state=\"finished\"]",
        "the upload finished after the restart",
    )
    .await;
    app.row("big.bin").await;
    assert_eq!(admin.object_ending("/big.bin").await, bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_with_the_button_and_download_to_a_chosen_folder() {
    let cloud = TestCloud::start().await;
    let app = signed_in_app(&cloud).await;
    let desk = app.env().dir().join("desk");
    let letter = write_file(&desk.join("letter.txt"), 5_000, 4);

    app.click("upload-files").await;
    app.answer_file_dialog("Upload to", &desk.join("letter.txt"))
        .await;
    app.row("letter.txt").await;

    let downloads = app.env().dir().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    app.context_menu("letter.txt").await;
    app.click("menu-download").await;
    app.answer_file_dialog("Download to", &downloads).await;
    let downloaded = downloads.join("letter.txt");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while std::fs::read(&downloaded).ok().as_ref() != Some(&letter) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} does not hold the uploaded bytes after 30 s",
            downloaded.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_opens_in_the_desktop_s_default_app() {
    let cloud = TestCloud::start().await;
    let env = AppEnv::new(ALICE)
        .with_config(&cloud.profile.to_toml("cloud"))
        .with_default_app("text/plain");
    let opened = env.opened_log();
    let app = signed_in_app_in(env).await;
    let desk = app.env().dir().join("desk");
    // Plain text without commas: `file`, which xdg-open asks, takes lines with commas for CSV.
    let letter = "Dear Grace\n".repeat(250).into_bytes();
    std::fs::create_dir_all(&desk).unwrap();
    std::fs::write(desk.join("letter.txt"), &letter).unwrap();
    app.drop_files(&[&desk.join("letter.txt")], "[data-testid=\"folder-view\"]")
        .await;
    app.row("letter.txt").await;
    // Opening downloads the file: the upload must have landed first.
    app.shown(
        "[data-testid=\"transfer-row\"][data-state=\"finished\"]",
        "the upload of letter.txt, finished",
    )
    .await;

    app.context_menu("letter.txt").await;
    app.click("menu-open").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let path = loop {
        let log = std::fs::read_to_string(&opened).unwrap_or_default();
        if let Some(path) = log.lines().next() {
            break path.to_owned();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the default app was not started in 30 s; the app's log:\n{}",
            std::fs::read_to_string(app.env().app_log()).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        std::fs::read(&path).unwrap(),
        letter,
        "{path} is not the file"
    );
}

/// The app on `cloud`, signed in as [`ALICE`] through the browser, showing her folder.
async fn signed_in_app(cloud: &TestCloud) -> AppDriver {
    signed_in_app_in(AppEnv::new(ALICE).with_config(&cloud.profile.to_toml("cloud"))).await
}

/// The app launched in `env`, signed in as its person through the browser, showing her folder.
async fn signed_in_app_in(env: AppEnv) -> AppDriver {
    let app = AppDriver::launch(env).await;
    app.wait_for_screen("sign-in").await;
    app.click("sign-in-button").await;
    app.wait_for_screen("folder").await;
    app
}

/// Scrolls the file list to its last row, as dragging its scroll bar down would.
async fn scroll_list_to_end(app: &AppDriver) {
    app.run_script(
        "const view = document.querySelector('[data-testid=\"folder-view\"]');\
         const scrolled = [...view.querySelectorAll('*')].filter(e => e.scrollHeight > e.clientHeight + 1);\
         for (const e of scrolled) e.scrollTop = e.scrollHeight;\
         return scrolled.length;",
    )
    .await;
}

/// Waits until the server holds `parts` parts of an unfinished multipart upload.
async fn wait_for_parts(admin: &Admin, parts: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if admin.uploaded_parts().await >= parts {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no part of the upload reached the server in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The whole bucket, past the folder policy, to check what the app did.
struct Admin(BucketAdmin);

fn admin_of(cloud: &TestCloud) -> Admin {
    Admin(BucketAdmin::S3 {
        client: s3_client(&cloud.profile, admin_credentials(&cloud.cloud)),
        bucket: cloud.profile.bucket.clone(),
    })
}

impl Admin {
    /// Parts of unfinished multipart uploads the server holds.
    async fn uploaded_parts(&self) -> usize {
        let BucketAdmin::S3 { client, bucket } = &self.0 else {
            unreachable!("the app tests run on localcloud")
        };
        let uploads = client
            .list_multipart_uploads()
            .bucket(bucket)
            .send()
            .await
            .expect("the admin lists multipart uploads");
        let mut parts = 0;
        for upload in uploads.uploads() {
            parts += client
                .list_parts()
                .bucket(bucket)
                .key(upload.key().unwrap_or_default())
                .upload_id(upload.upload_id().unwrap_or_default())
                .send()
                .await
                .expect("the admin lists an upload's parts")
                .parts()
                .len();
        }
        parts
    }

    async fn key_ending(&self, suffix: &str) -> String {
        let keys = self.0.all_keys().await;
        keys.iter()
            .find(|key| key.ends_with(suffix))
            .cloned()
            .unwrap_or_else(|| panic!("no key ends with {suffix:?}: {keys:?}"))
    }

    async fn has_key_ending(&self, suffix: &str) -> bool {
        self.0.all_keys().await.iter().any(|k| k.ends_with(suffix))
    }

    async fn object_ending(&self, suffix: &str) -> Vec<u8> {
        let key = self.key_ending(suffix).await;
        self.0.get(&key).await
    }

    async fn fetch_link(&self, url: &str) -> Vec<u8> {
        self.0.fetch_link(url).await
    }

    async fn put_many(&self, keys: impl Iterator<Item = String>) {
        stream::iter(keys)
            .for_each_concurrent(32, |key| async move { self.0.put(&key, b"x").await })
            .await;
    }
}
