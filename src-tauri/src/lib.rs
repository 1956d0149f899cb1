//! The Cubby desktop app: a thin Tauri shell. Commands only translate between the web view and
//! cubby-core; everything else (sign-in, storage, sync) lives in the core.

mod commands;
mod sandbox;
mod state;

use cubby_core::logging::{self, LogOutput};
use cubby_core::secrets::SecretStore;
use tauri::{App, Builder, Manager, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;
use url::Url;

use crate::state::{AppPaths, AppState};

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
        .setup(|app| {
            let (state, problem) = AppState::new(app_paths(app)?, SecretStore::Keyring);
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
    use commands::{app, auth, files, profiles, settings};
    builder.invoke_handler(tauri::generate_handler![
        app::app_info,
        app::startup,
        auth::sign_in,
        auth::cancel_sign_in,
        auth::sign_out,
        files::list_folder,
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
    Ok(AppPaths {
        config,
        settings,
        sandbox,
    })
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
