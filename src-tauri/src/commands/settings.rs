//! The person's preferences.

use cubby_core::Result;
use cubby_core::settings::Settings;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.settings.lock().expect("settings lock").clone()
}

/// Checks and saves `settings`; the settings now in use.
#[tauri::command]
pub fn set_settings(state: State<'_, AppState>, settings: Settings) -> Result<Settings> {
    let saved = settings.save(&state.paths.settings)?;
    *state.settings.lock().expect("settings lock") = saved.clone();
    Ok(saved)
}
