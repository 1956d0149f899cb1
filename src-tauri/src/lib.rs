//! The Cubby desktop app: a thin Tauri shell. Commands only translate between the web view and
//! cubby-core; everything else (sign-in, storage, sync) lives in the core.

mod commands;
mod drops;
mod paths;
mod sandbox;
mod session_folder;
mod state;
mod transfer_feed;

use cubby_core::logging::{self, LogOutput};
use std::sync::Arc;

use cubby_core::secrets::SecretStore;
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
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .on_window_event(|window, event| {
            if let WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) = event {
                record_drop(window.app_handle(), paths);
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
            app.manage(state);
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
    use commands::{app, auth, files, profiles, settings, transfers, uploads};
    builder.invoke_handler(tauri::generate_handler![
        app::app_info,
        app::startup,
        auth::sign_in,
        auth::cancel_sign_in,
        auth::sign_out,
        files::list_folder,
        files::search_folder,
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
    Ok(AppPaths {
        config,
        settings,
        sandbox,
        open_cache,
        transfer_state,
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

fn focus_main_window<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        // Best effort: a window manager may refuse focus, and there is nothing better to do then.
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests;
