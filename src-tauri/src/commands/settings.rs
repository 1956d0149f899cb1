//! The person's preferences.

use cubby_core::settings::Settings;
use cubby_core::{Error, ErrorCode, Result};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_autostart::AutoLaunchManager;

use crate::state::AppState;

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.settings.lock().expect("settings lock").clone()
}

/// Checks and saves `settings`, turning the OS's start at login on or off to match; the
/// settings now in use.
#[tauri::command]
pub fn set_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings> {
    if let Some(autostart) = app.try_state::<AutoLaunchManager>() {
        start_at_login(&autostart, settings.start_at_login)?;
    }
    let saved = settings.save(&state.paths.settings)?;
    *state.settings.lock().expect("settings lock") = saved.clone();
    Ok(saved)
}

/// Makes the OS start the app at login (hidden, with `--background`), or not.
fn start_at_login(autostart: &AutoLaunchManager, on: bool) -> Result<()> {
    let result = match (on, autostart.is_enabled().unwrap_or(!on)) {
        (true, false) => autostart.enable(),
        (false, true) => autostart.disable(),
        _ => Ok(()),
    };
    result.map_err(|err| {
        Error::new(
            ErrorCode::Io,
            format!(
                "could not turn {} starting at login: {err}; the other settings were not saved either, try again",
                if on { "on" } else { "off" }
            ),
        )
    })
}
