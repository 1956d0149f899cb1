//! The commands through the real IPC and ACL on Tauri's mock runtime: each is allowed in the
//! main window and refused in any other, and answers with core's `{code, message}`.

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};
use tempfile::TempDir;

use super::*;

/// A command's name, and arguments it accepts.
type Command = (&'static str, fn() -> Value);

/// A channel argument as the web view sends one.
fn channel() -> Value {
    json!("__CHANNEL__:1")
}

/// The list's first order, as the page sends it.
fn by_name() -> Value {
    json!({ "column": "name", "descending": false })
}

/// Every command the app registers.
const COMMANDS: [Command; 54] = [
    ("app_info", || json!({})),
    ("startup", || json!({})),
    ("sign_in", || json!({})),
    ("cancel_sign_in", || json!({})),
    ("sign_out", || json!({})),
    (
        "list_folder",
        || json!({ "path": "", "view": { "order": by_name(), "filter": "" }, "refresh": false, "onUpdate": channel() }),
    ),
    (
        "search_folder",
        || json!({ "path": "", "query": "a", "order": by_name(), "onUpdate": channel() }),
    ),
    (
        "arrange_listing",
        || json!({ "order": by_name(), "filter": "a" }),
    ),
    (
        "listing_rows",
        || json!({ "generation": 1, "start": 0, "end": 10 }),
    ),
    (
        "listing_keys",
        || json!({ "generation": 1, "start": 0, "end": 10 }),
    ),
    (
        "listing_positions",
        || json!({ "generation": 1, "keys": ["a"] }),
    ),
    ("folder_usage", || json!({})),
    ("create_folder", || json!({ "path": "new" })),
    ("rename_entry", || json!({ "from": "a", "to": "b" })),
    ("move_entries", || json!({ "paths": ["a"], "to": "b" })),
    ("copy_entries", || json!({ "paths": ["a"], "to": "b" })),
    ("delete_entries", || json!({ "paths": ["a"] })),
    ("delete_unusable", || json!({ "exact": ["a//b"] })),
    ("share_link", || json!({ "path": "a", "seconds": 3600 })),
    ("preview_file", || json!({ "path": "a.txt" })),
    ("open_file", || json!({ "path": "a.txt" })),
    ("download_entries", || json!({ "paths": ["a.txt"] })),
    ("upload_drop", || json!({ "paths": ["/tmp/a"], "to": "" })),
    ("pick_upload", || json!({ "kind": "files", "to": "" })),
    (
        "start_upload",
        || json!({ "plan": 1, "decisions": { "a.txt": "keep_both" } }),
    ),
    ("discard_upload", || json!({ "plan": 1 })),
    ("watch_transfers", || json!({ "onBatch": channel() })),
    ("pause_transfer", || json!({ "id": 1 })),
    ("resume_transfer", || json!({ "id": 1 })),
    ("cancel_transfer", || json!({ "id": 1 })),
    ("retry_transfer", || json!({ "id": 1 })),
    ("pause_all_transfers", || json!({})),
    ("resume_all_transfers", || json!({})),
    ("clear_finished_transfers", || json!({})),
    (
        "e2e_drop",
        || json!({ "paths": ["/tmp/a"], "x": 10.0, "y": 20.0 }),
    ),
    ("list_profiles", || json!({})),
    ("select_profile", || json!({ "name": "work" })),
    ("get_profile", || json!({ "name": "work" })),
    (
        "save_profile",
        || json!({ "form": good_form(), "previous": null }),
    ),
    ("import_profile", || json!({})),
    ("remove_profile", || json!({ "name": "work" })),
    ("get_settings", || json!({})),
    (
        "set_settings",
        || json!({ "settings": { "concurrency": 4, "theme": "dark" } }),
    ),
    ("watch_sync", || json!({ "onSnapshot": channel() })),
    ("pick_sync_folder", || json!({})),
    (
        "add_sync_pair",
        || json!({ "local": "/tmp/a", "remoteDir": "a", "mode": "two-way" }),
    ),
    ("remove_sync_pair", || json!({ "id": 1 })),
    ("pause_sync_pair", || json!({ "id": 1 })),
    ("resume_sync_pair", || json!({ "id": 1 })),
    ("sync_pair_now", || json!({ "id": 1 })),
    ("allow_sync_deletions", || json!({ "id": 1 })),
    ("keep_sync_files", || json!({ "id": 1 })),
    ("open_sync_folder", || json!({ "id": 1 })),
    ("show_conflict", || json!({ "id": 1, "path": "a.txt" })),
];

/// A profile form the config file's checks accept.
fn good_form() -> Value {
    json!({
        "name": "work",
        "region": "eu-west-1",
        "user_pool_id": "eu-west-1_AbC123xyz",
        "client_id": "4jd8t1m2v9q0a7b3c5e6f8g2h1",
        "hosted_ui": "https://myapp.auth.eu-west-1.amazoncognito.com",
        "identity_pool_id": "eu-west-1:1b2c3d4e-0000-4000-8000-123456789abc",
        "bucket": "cubby-files",
        "folder": "{identity_id}/",
        "redirects": ["http://localhost:53682/callback"],
        "sign_out_url": null,
    })
}

/// A mock app with real state in a temporary directory, and a window labelled `label`.
struct TestApp {
    window: WebviewWindow<MockRuntime>,
    dir: TempDir,
}

impl TestApp {
    fn new(label: &str, config: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("config.toml"), config).expect("config written");
        let paths = AppPaths {
            config: dir.path().join("config.toml"),
            settings: dir.path().join("settings.toml"),
            sandbox: dir.path().join("sandbox"),
            open_cache: dir.path().join("opened"),
            transfer_state: dir.path().join("transfers.sqlite"),
            sync_db: dir.path().join("sync.sqlite"),
            sync_transfer_state: dir.path().join("sync-transfers.sqlite"),
            sync_locks: dir.path().join("sync-locks"),
            protected: vec![dir.path().join("app-data")],
        };
        let app = with_commands(mock_builder())
            .build(context())
            .expect("the app builds");
        app.manage(AppState::new(paths, SecretStore::memory()).0);
        let window = WebviewWindowBuilder::new(&app, label, WebviewUrl::default())
            .build()
            .expect("the window opens");
        Self { window, dir }
    }

    fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("a valid URL"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request)
            .map(|body| body.deserialize::<Value>().expect("a JSON response"))
    }
}

/// A config file that cannot be read: commands that need it fail at once with core's error,
/// so the allowed side of the ACL is proven without a browser or a network.
const BROKEN_CONFIG: &str = "this is not toml";

#[test]
fn every_command_is_allowed_in_the_main_window() {
    let app = TestApp::new(MAIN_WINDOW, BROKEN_CONFIG);
    for (command, args) in COMMANDS {
        match app.invoke(command, args()) {
            Ok(_) => {}
            Err(err) => {
                assert!(
                    err["code"].is_string() && err["message"].is_string(),
                    "{command} was refused by the ACL or failed outside core: {err}"
                );
            }
        }
    }
}

#[test]
fn no_command_is_allowed_in_another_window() {
    let app = TestApp::new("elsewhere", BROKEN_CONFIG);
    for (command, args) in COMMANDS {
        let refusal = app
            .invoke(command, args())
            .expect_err("no capability grants it");
        assert!(
            refusal.to_string().contains("not allowed"),
            "{command}: unexpected refusal: {refusal}"
        );
    }
}

#[test]
fn app_info_names_the_product_from_the_root_config_and_the_crate_version() {
    let app = TestApp::new(MAIN_WINDOW, "");
    let info = app.invoke("app_info", json!({})).expect("app_info answers");
    assert_eq!(
        info,
        json!({ "name": "Cubby", "version": env!("CARGO_PKG_VERSION") })
    );
}

#[test]
fn settings_are_checked_saved_and_read_back() {
    let app = TestApp::new(MAIN_WINDOW, "");
    let saved = app
        .invoke(
            "set_settings",
            json!({ "settings": { "concurrency": 3, "theme": "light" } }),
        )
        .expect("valid settings save");
    assert_eq!(
        saved,
        json!({ "concurrency": 3, "theme": "light", "start_at_login": false })
    );
    assert_eq!(app.invoke("get_settings", json!({})).unwrap(), saved);
    assert!(app.dir.path().join("settings.toml").is_file());
    let err = app
        .invoke(
            "set_settings",
            json!({ "settings": { "concurrency": 0, "theme": "light" } }),
        )
        .expect_err("out of range");
    assert_eq!(err["code"], "config.invalid");
}

#[test]
fn profiles_are_added_edited_and_removed_with_the_clis_messages() {
    let app = TestApp::new(MAIN_WINDOW, "");
    let form = good_form();
    let listed = app
        .invoke("save_profile", json!({ "form": form, "previous": null }))
        .expect("a good profile saves");
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Local sandbox", "work"]);
    assert_eq!(listed[0]["kind"], "sandbox");

    let mut bad = form.clone();
    bad["bucket"] = json!("Not_A_Bucket");
    let err = app
        .invoke("save_profile", json!({ "form": bad, "previous": "work" }))
        .expect_err("a bad bucket");
    assert_eq!(err["code"], "config.invalid");
    assert!(
        err["message"].as_str().unwrap().contains("field `bucket`"),
        "{err}"
    );

    let mut renamed = form.clone();
    renamed["name"] = json!("office");
    app.invoke(
        "save_profile",
        json!({ "form": renamed, "previous": "work" }),
    )
    .expect("a rename saves");
    let draft = app
        .invoke("get_profile", json!({ "name": "office" }))
        .expect("the renamed profile reads back");
    assert_eq!(draft["bucket"], "cubby-files");
    let err = app
        .invoke("get_profile", json!({ "name": "work" }))
        .expect_err("the old name is gone");
    assert_eq!(err["code"], "config.profile_not_found");

    let listed = app
        .invoke("remove_profile", json!({ "name": "office" }))
        .expect("removed");
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let err = app
        .invoke("remove_profile", json!({ "name": "Local sandbox" }))
        .expect_err("the sandbox is built in");
    assert_eq!(err["code"], "config.invalid");
}

/// The TypeScript list of error codes the UI branches on is core's, code for code.
#[test]
fn the_uis_error_codes_are_cores() {
    let source = include_str!("../../ui/src/ipc/error-codes.ts");
    // One `'code',` per line inside the array literal.
    let mut ui: Vec<&str> = source
        .lines()
        .filter_map(|line| line.trim().strip_prefix('\'')?.strip_suffix("',"))
        .collect();
    let mut core: Vec<&str> = cubby_core::ErrorCode::ALL
        .iter()
        .map(|code| code.as_str())
        .collect();
    ui.sort_unstable();
    core.sort_unstable();
    assert_eq!(
        ui, core,
        "ui/src/ipc/error-codes.ts differs from core's ErrorCode"
    );
}

#[test]
fn an_upload_takes_only_paths_the_os_dropped() {
    let app = TestApp::new(MAIN_WINDOW, "");
    let err = app
        .invoke("upload_drop", json!({ "paths": ["/etc/passwd"], "to": "" }))
        .expect_err("nothing was dropped");
    assert_eq!(err["code"], "transfer.local_read_failed", "{err}");
    app.window
        .state::<AppState>()
        .drops
        .record(&[std::path::PathBuf::from("/home/me/a.txt")]);
    let err = app
        .invoke(
            "upload_drop",
            json!({ "paths": ["/home/me/a.txt"], "to": "" }),
        )
        .expect_err("no one is signed in");
    assert_eq!(err["code"], "auth.not_signed_in", "the drop passed: {err}");
}

#[test]
fn the_end_to_end_drop_is_refused_outside_an_end_to_end_run() {
    if std::env::var_os("CUBBY_E2E").is_some() {
        return; // this process is an end-to-end run: the refusal cannot be seen here
    }
    let app = TestApp::new(MAIN_WINDOW, "");
    let err = app
        .invoke(
            "e2e_drop",
            json!({ "paths": ["/etc/passwd"], "x": 1.0, "y": 1.0 }),
        )
        .expect_err("CUBBY_E2E is not set");
    assert!(
        err["message"].as_str().unwrap().contains("CUBBY_E2E=1"),
        "{err}"
    );
    let err = app
        .invoke("upload_drop", json!({ "paths": ["/etc/passwd"], "to": "" }))
        .expect_err("the refused drop was not recorded");
    assert_eq!(err["code"], "transfer.local_read_failed");
}

/// Signs `app` in to a folder in an in-memory bucket (no network, no browser).
fn signed_in(app: &TestApp) -> std::sync::Arc<crate::session_folder::SessionFolder> {
    use cubby_core::config::ProfileDraft;
    use cubby_core::session::Session;
    use cubby_core::storage::{FolderRoot, MemoryClient, Storage};

    let state = app.window.state::<AppState>();
    let storage = Storage::with_client(
        std::sync::Arc::new(MemoryClient::new("bucket")),
        FolderRoot::new("me/").unwrap(),
    );
    let draft: ProfileDraft = serde_json::from_value(good_form()).unwrap();
    let (name, profile) = draft.check(None).unwrap();
    let session = Session::new(profile, SecretStore::memory()).unwrap();
    let folder = tauri::async_runtime::block_on(async {
        crate::session_folder::SessionFolder::open(storage, "eu-west-1:me", &state.paths, 4, None)
    })
    .map(std::sync::Arc::new)
    .unwrap();
    *state.current.blocking_lock() = Some(crate::state::Current {
        name,
        session,
        folder: Some(folder.clone()),
    });
    folder
}

#[test]
fn the_folder_commands_answer_in_the_contracts_shapes() {
    let app = TestApp::new(MAIN_WINDOW, "");
    let folder = signed_in(&app);
    assert_eq!(
        app.invoke("create_folder", json!({ "path": "docs" }))
            .unwrap(),
        json!(null)
    );
    let err = app
        .invoke("create_folder", json!({ "path": "docs" }))
        .expect_err("taken");
    assert_eq!(err["code"], "storage.already_exists");

    let local = app.dir.path().join("local");
    std::fs::create_dir_all(local.join("photos/empty")).unwrap();
    std::fs::write(local.join("a.txt"), "hello").unwrap();
    std::fs::write(local.join("photos/p.png"), b"\x89PNG\r\n\x1a\nrest").unwrap();
    let dropped = [local.join("a.txt"), local.join("photos")];
    app.window.state::<AppState>().drops.record(&dropped);
    let paths: Vec<String> = dropped.iter().map(|p| p.display().to_string()).collect();
    let plan = app
        .invoke("upload_drop", json!({ "paths": paths, "to": "docs" }))
        .expect("a drop is checked");
    assert_eq!(
        plan,
        json!({ "id": plan["id"], "to": "docs", "files": 2, "folders": 2, "bytes": 17,
                "clashes": [], "skipped": [] })
    );
    let queued = app
        .invoke(
            "start_upload",
            json!({ "plan": plan["id"], "decisions": {} }),
        )
        .unwrap();
    assert_eq!(queued, json!(2));
    let err = app
        .invoke("discard_upload", json!({ "plan": plan["id"] }))
        .expect_err("already started");
    assert_eq!(err["code"], "storage.not_found");
    tauri::async_runtime::block_on(folder.transfers.idle());

    let again = app
        .invoke("upload_drop", json!({ "paths": paths, "to": "docs" }))
        .unwrap();
    assert_eq!(
        again["clashes"],
        json!([
            { "name": "a.txt", "incoming": "file", "existing": "file" },
            { "name": "photos", "incoming": "folder", "existing": "folder" },
        ])
    );
    app.invoke("discard_upload", json!({ "plan": again["id"] }))
        .unwrap();

    for (command, args) in [
        (
            "list_folder",
            json!({ "path": "docs", "view": { "order": by_name(), "filter": "" }, "refresh": false, "onUpdate": channel() }),
        ),
        (
            "search_folder",
            json!({ "path": "", "query": "A", "order": by_name(), "onUpdate": channel() }),
        ),
        ("watch_transfers", json!({ "onBatch": channel() })),
    ] {
        assert_eq!(app.invoke(command, args).unwrap(), json!(null), "{command}");
    }
    let err = app
        .invoke(
            "list_folder",
            json!({ "path": "nothing/here", "view": { "order": by_name(), "filter": "" }, "refresh": false, "onUpdate": channel() }),
        )
        .expect_err("no such folder");
    assert_eq!(err["code"], "storage.not_found");

    let listed = json!({ "path": "docs", "view": { "order": by_name(), "filter": "" }, "refresh": false, "onUpdate": channel() });
    app.invoke("list_folder", listed).unwrap();
    let descending = json!({ "column": "name", "descending": true });
    let arranged = app
        .invoke(
            "arrange_listing",
            json!({ "order": descending, "filter": "" }),
        )
        .unwrap();
    assert_eq!(arranged["shown"], 2);
    let generation = arranged["generation"].clone();
    let keys = json!({ "generation": generation, "start": 0, "end": 9 });
    let keys = app.invoke("listing_keys", keys).unwrap();
    assert_eq!(
        keys,
        json!({ "keys": ["docs/photos", "docs/a.txt"], "kinds": "df" })
    );
    let wanted = json!({ "generation": generation, "keys": ["docs/a.txt", "docs/gone"] });
    let places = app.invoke("listing_positions", wanted).unwrap();
    assert_eq!(places, json!([1, null]));
    let rows = json!({ "generation": generation, "start": 1, "end": 9 });
    let rows = app.invoke("listing_rows", rows).unwrap();
    assert_eq!(rows[0]["path"], "docs/a.txt");
    assert_eq!(rows.as_array().map(Vec::len), Some(1));
    let filtered = json!({ "order": descending, "filter": "PHOTO" });
    let filtered = app.invoke("arrange_listing", filtered).unwrap();
    assert_eq!(
        (&filtered["shown"], &filtered["listed"]),
        (&json!(1), &json!(2))
    );
    let stale = json!({ "generation": generation, "start": 0, "end": 9 });
    assert_eq!(app.invoke("listing_rows", stale).unwrap(), json!(null));

    let renamed = app
        .invoke(
            "rename_entry",
            json!({ "from": "docs/a.txt", "to": "docs/b.txt" }),
        )
        .unwrap();
    assert_eq!(renamed, json!("docs/b.txt"));
    let copies = app
        .invoke(
            "copy_entries",
            json!({ "paths": ["docs/b.txt"], "to": "docs" }),
        )
        .unwrap();
    assert_eq!(copies, json!(["docs/b (2).txt"]));
    let moved = app
        .invoke(
            "move_entries",
            json!({ "paths": ["docs/b (2).txt"], "to": "docs/photos" }),
        )
        .unwrap();
    assert_eq!(moved, json!(["docs/photos/b (2).txt"]));
    assert_eq!(
        app.invoke("preview_file", json!({ "path": "docs/b.txt" }))
            .unwrap(),
        json!({ "kind": "text", "text": "hello", "truncated": false, "size": 5 })
    );
    let image = app
        .invoke("preview_file", json!({ "path": "docs/photos/p.png" }))
        .unwrap();
    assert_eq!(
        (image["kind"].as_str(), image["mime"].as_str()),
        (Some("image"), Some("image/png"))
    );
    assert_eq!(
        app.invoke("folder_usage", json!({})).unwrap(),
        json!({ "files": 3, "bytes": 22 })
    );
    let report = app
        .invoke("delete_entries", json!({ "paths": ["docs/photos"] }))
        .unwrap();
    assert_eq!(report["failed"], json!([]));
    let left: Vec<String> = tauri::async_runtime::block_on(
        folder
            .storage
            .list_all(&cubby_core::storage::RemotePath::root()),
    )
    .unwrap()
    .into_iter()
    .map(|entry| entry.path.as_str().to_owned())
    .collect();
    assert_eq!(
        left,
        ["docs", "docs/b.txt"],
        "the folder went with all it held"
    );
    let err = app
        .invoke("pause_transfer", json!({ "id": 999 }))
        .expect_err("no such transfer");
    assert_eq!(err["code"], "storage.not_found");
    assert_eq!(
        app.invoke("clear_finished_transfers", json!({})).unwrap(),
        json!(null)
    );
}
