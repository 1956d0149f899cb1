//! The Cubby desktop app: a thin Tauri shell. Commands only translate between the web view and
//! cubby-core; everything else (sign-in, storage, sync) lives in the core.

mod commands;
mod drops;
mod file_manager;
mod listings;
mod paths;
#[cfg(target_os = "linux")]
mod rendering;
mod sandbox;
mod session_folder;
mod state;
mod sync_feed;
mod sync_notices;
mod transfer_feed;
mod tray;

use cubby_core::logging::{self, LogOutput};
use std::sync::Arc;

use cubby_core::secrets::SecretStore;
use cubby_core::sync::{SyncDb, SyncService};
use tauri::{App, AppHandle, Builder, DragDropEvent, Manager, Runtime, WindowEvent};
use tauri_plugin_deep_link::DeepLinkExt;
use url::Url;

use crate::paths::AppPaths;
use crate::state::AppState;
use crate::transfer_feed::RunEnded;

/// The window `tauri.conf.json` declares; a second launch brings it to the front.
const MAIN_WINDOW: &str = "main";

/// The event that carries a problem the person should see but no command asked about (a
/// stale `cubby://` link, an unreadable settings file).
const NOTICE: &str = "notice";

/// The argument a start at login passes: the window starts hidden when pairs are synced.
const BACKGROUND_ARG: &str = "--background";

/// Builds and runs the app until its last window closes.
pub fn run() -> tauri::Result<()> {
    logging::init(LogOutput {
        env_var: Some("CUBBY_LOG"),
        default_level: "warn,cubby_core=info,cubby_desktop_lib=info",
        writer: std::io::stderr,
        colour: false,
    });
    let builder = Builder::default()
        // Registered first so a second launch (for example the OS opening a `cubby://` link) is
        // handed to this process, and its link to the deep-link plugin, before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            focus_main_window(app)
        }))
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![BACKGROUND_ARG]),
        ))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .on_window_event(|window, event| {
            match event {
                WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) => {
                    record_drop(window.app_handle(), paths);
                }
                // While pairs are synced, closing the window only hides it; the tray's Quit ends
                // the app. Without pairs, closing quits as it always did.
                WindowEvent::CloseRequested { api, .. } if window.label() == MAIN_WINDOW => {
                    let state = window.app_handle().state::<AppState>();
                    if state.syncing_in_background() {
                        api.prevent_close();
                        if let Err(err) = window.hide() {
                            tracing::warn!(%err, "the window could not be hidden");
                        }
                    }
                }
                _ => {}
            }
        })
        .on_webview_event(|webview, event| {
            if let tauri::WebviewEvent::DragDrop(DragDropEvent::Drop { paths, .. }) = event {
                record_drop(webview.app_handle(), paths);
            }
        })
        .setup(|app| {
            let (state, problem) = AppState::new(app_paths(app)?, SecretStore::Keyring);
            let handle = app.handle().clone();
            *state.on_run_ended.lock().expect("hook lock") =
                Some(Arc::new(move |ended| notify_in_background(&handle, ended)));
            let handle = app.handle().clone();
            *state.on_sync_started.lock().expect("hook lock") =
                Some(Arc::new(move |service| follow_sync(&handle, service)));
            let background = std::env::args().any(|arg| arg == BACKGROUND_ARG)
                && has_synced_pairs(&state.paths.sync_db);
            app.manage(state);
            #[cfg(target_os = "linux")]
            rendering::choose(app);
            tray::create(app.handle());
            if background && let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                // The web view still loads and signs in, so the pairs start.
                let _ = window.hide();
            }
            quit_on_signals(app.handle());
            if let Some(problem) = problem {
                commands::report(app.handle(), NOTICE, &problem);
            }
            listen_for_links(app)
        });
    let app = with_commands(builder).build(context())?;
    app.run(|app, event| {
        if let tauri::RunEvent::Exit = event {
            tauri::async_runtime::block_on(app.state::<AppState>().shut_down());
        }
    });
    Ok(())
}

/// The commands the web view can invoke, on any runtime (the mock one in tests).
fn with_commands<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    use commands::{app, auth, files, profiles, settings, sync, transfers, uploads};
    builder.invoke_handler(tauri::generate_handler![
        app::app_info,
        app::startup,
        auth::sign_in,
        auth::cancel_sign_in,
        auth::sign_out,
        files::list_folder,
        files::search_folder,
        files::arrange_listing,
        files::listing_rows,
        files::listing_keys,
        files::listing_positions,
        files::folder_usage,
        files::create_folder,
        files::rename_entry,
        files::move_entries,
        files::copy_entries,
        files::delete_entries,
        files::delete_unusable,
        files::share_link,
        files::preview_file,
        files::open_file,
        files::download_entries,
        uploads::upload_drop,
        uploads::pick_upload,
        uploads::start_upload,
        uploads::discard_upload,
        transfers::watch_transfers,
        transfers::pause_transfer,
        transfers::resume_transfer,
        transfers::cancel_transfer,
        transfers::retry_transfer,
        transfers::pause_all_transfers,
        transfers::resume_all_transfers,
        transfers::clear_finished_transfers,
        #[cfg(any(debug_assertions, feature = "e2e"))]
        commands::e2e::e2e_drop,
        profiles::list_profiles,
        profiles::select_profile,
        profiles::get_profile,
        profiles::save_profile,
        profiles::import_profile,
        profiles::remove_profile,
        settings::get_settings,
        settings::set_settings,
        sync::watch_sync,
        sync::pick_sync_folder,
        sync::add_sync_pair,
        sync::remove_sync_pair,
        sync::pause_sync_pair,
        sync::resume_sync_pair,
        sync::sync_pair_now,
        sync::allow_sync_deletions,
        sync::keep_sync_files,
        sync::open_sync_folder,
        sync::show_conflict,
    ])
}

/// The config (the repository-root `tauri.conf.json`), ACL and embedded `ui/dist`, made at compile time.
fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!("../tauri.conf.json")
}

/// The CLI's config file (so profiles added there appear here), and the app's own files.
fn app_paths<R: Runtime>(app: &App<R>) -> Result<AppPaths, Box<dyn std::error::Error>> {
    let config = cubby_core::config::Config::default_path()?;
    let settings = cubby_core::settings::Settings::default_path()?;
    let sandbox = app.path().app_data_dir()?.join("sandbox");
    let open_cache = app.path().app_cache_dir()?.join("opened");
    let transfer_state = cubby_core::transfer::StateDb::default_path()?;
    let sync_db = SyncDb::default_path()?;
    let mut protected = vec![app.path().app_data_dir()?, app.path().app_cache_dir()?];
    protected.extend(sync_db.parent().map(std::path::Path::to_path_buf));
    protected.extend(config.parent().map(std::path::Path::to_path_buf));
    Ok(AppPaths {
        config,
        settings,
        sandbox,
        open_cache,
        transfer_state,
        sync_transfer_state: SyncDb::transfer_state_path()?,
        sync_locks: cubby_core::sync::default_lock_dir()?,
        sync_db,
        protected,
    })
}

/// Keeps what the OS dropped on the window: the only dropped paths an upload accepts.
fn record_drop<R: Runtime>(app: &AppHandle<R>, paths: &[std::path::PathBuf]) {
    if let Some(state) = app.try_state::<AppState>() {
        state.drops.record(paths);
    }
}

/// Tells the person a long run of transfers ended, when the window is in the background. A
/// system without a notification service (a bare X server) only gets a log line.
fn notify_in_background<R: Runtime>(app: &AppHandle<R>, ended: RunEnded) {
    use tauri_plugin_notification::NotificationExt;
    let focused = app
        .get_webview_window(MAIN_WINDOW)
        .and_then(|window| window.is_focused().ok())
        .unwrap_or(false);
    if focused {
        return;
    }
    let shown = app
        .notification()
        .builder()
        .title("Cubby")
        .body(ended.describe())
        .show();
    if let Err(err) = shown {
        tracing::info!(%err, "no notification shown");
    }
}

/// Hands `cubby://` links (from a cold start or a second launch) to the sign-in waiting for
/// them; a link no sign-in waits for is reported, never acted on.
fn listen_for_links<R: Runtime>(app: &App<R>) -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(any(target_os = "linux", windows))]
    if let Err(err) = app.deep_link().register_all() {
        // The app still works through the loopback listener; only links from the browser fail.
        tracing::warn!(%err, "cubby:// links are not registered with the system");
    }
    let handle = app.handle().clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            deliver_link(&handle, &url);
        }
        focus_main_window(&handle);
    });
    Ok(())
}

fn deliver_link<R: Runtime>(app: &tauri::AppHandle<R>, url: &Url) {
    // The hosted sign-out's way back (`cubby://auth/signed-out`): there is nothing to do.
    if url.path() == "/signed-out" {
        return;
    }
    if let Err(err) = app.state::<AppState>().deep_links.deliver(url) {
        tracing::info!(%err, "a cubby:// link no sign-in waits for");
        commands::report(app, NOTICE, &err);
    }
}

/// Whether the app syncs pairs (a start at login then keeps the window hidden).
fn has_synced_pairs(sync_db: &std::path::Path) -> bool {
    sync_db.exists()
        && SyncDb::open(sync_db)
            .and_then(|(db, _)| db.watched_pairs())
            .is_ok_and(|pairs| !pairs.is_empty())
}

/// SIGTERM and SIGINT quit as the tray's Quit does: the pairs stop at a safe point first.
fn quit_on_signals<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                tracing::warn!("cannot listen for SIGTERM and SIGINT");
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        tracing::info!("asked to quit by a signal");
        app.exit(0);
    });
}

/// Follows a folder's sync pairs until the service ends: the tray shows their state, and the
/// news (a first sync, conflicts, a failure) is told in batched notifications.
fn follow_sync<R: Runtime>(app: &AppHandle<R>, service: &SyncService) {
    let app = app.clone();
    let mut snapshots = service.snapshots();
    tauri::async_runtime::spawn(async move {
        let mut shown = tray::Shown::default();
        let mut notices = sync_notices::SyncNotices::default();
        loop {
            let snapshot = snapshots.borrow_and_update().clone();
            tray::show(&app, &snapshot, &mut shown);
            notices.observe(&snapshot, std::time::Instant::now());
            let due = notices.due_at();
            let told = async {
                match due {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                changed = snapshots.changed() => if changed.is_err() { break },
                () = told => {
                    if let Some(text) = notices.take_due(std::time::Instant::now()) {
                        notify(&app, &text);
                    }
                }
            }
        }
        tray::show(
            &app,
            &cubby_core::sync::SyncSnapshot::of(Vec::new()),
            &mut shown,
        );
    });
}

/// Shows a notification; a system without a notification service only gets a log line.
fn notify<R: Runtime>(app: &AppHandle<R>, text: &str) {
    use tauri_plugin_notification::NotificationExt;
    let shown = app
        .notification()
        .builder()
        .title("Cubby")
        .body(text)
        .show();
    if let Err(err) = shown {
        tracing::info!(%err, text, "no notification shown");
    }
}

fn focus_main_window<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        // Best effort: a window manager may refuse focus, and there is nothing better to do then.
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod sample_pair;
#[cfg(test)]
mod tests;
