//! The commands the web view may invoke (each one needs an `allow-*` permission in a capability).

use serde::Serialize;

/// What the UI shows about the running app, read from the build rather than written by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    /// `productName` from `tauri.conf.json`.
    pub name: String,
    /// The crate's version, which is the workspace version.
    pub version: String,
}

#[tauri::command]
pub fn app_info<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> AppInfo {
    let package = app.package_info();
    AppInfo {
        name: package.name.clone(),
        version: package.version.to_string(),
    }
}
