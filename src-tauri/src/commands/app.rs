//! What the first screen needs.

use cubby_core::session::SessionInfo;
use cubby_core::{Error, Result};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use crate::state::{AppState, ProfileSummary};

/// What the UI shows about the running app, read from the build rather than written by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    /// `productName` from `tauri.conf.json`.
    pub name: String,
    /// The crate's version, which is the workspace version.
    pub version: String,
}

/// The app, its profiles, and who is signed in after the silent restore.
#[derive(Debug, Serialize)]
pub struct Startup {
    app: AppInfo,
    profiles: Vec<ProfileSummary>,
    session: Option<SessionInfo>,
    /// Why no one is signed in when a restore failed, or a settings file was unreadable.
    notice: Option<Error>,
}

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> AppInfo {
    let package = app.package_info();
    AppInfo {
        name: package.name.clone(),
        version: package.version.to_string(),
    }
}

#[tauri::command]
pub async fn startup<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<Startup> {
    let (session, notice) = match state.select(&state.startup_profile()?).await {
        Ok(session) => (session, None),
        Err(err) => (None, Some(err)),
    };
    Ok(Startup {
        app: app_info(app),
        profiles: state.profiles().await?,
        session,
        notice,
    })
}
