//! Showing files selected in the file manager: the freedesktop `FileManager1.ShowItems` call
//! on the session bus (Nautilus, Dolphin, Nemo, Caja, Thunar answer it), where there is one.

use std::path::PathBuf;

/// Asks the file manager to show `files` selected in their folder; whether one answered.
/// Blocks on D-Bus: call it off the async runtime.
#[cfg(target_os = "linux")]
pub fn show_items(files: &[PathBuf]) -> bool {
    let uris: Vec<String> = files
        .iter()
        .filter_map(|file| url::Url::from_file_path(file).ok())
        .map(String::from)
        .collect();
    let shown = zbus::blocking::Connection::session().and_then(|bus| {
        bus.call_method(
            Some("org.freedesktop.FileManager1"),
            "/org/freedesktop/FileManager1",
            Some("org.freedesktop.FileManager1"),
            "ShowItems",
            &(uris, ""),
        )
    });
    match shown {
        Ok(_) => true,
        Err(err) => {
            tracing::info!(%err, "no file manager answered ShowItems; opening the folder");
            false
        }
    }
}

/// Elsewhere the folder is opened instead.
#[cfg(not(target_os = "linux"))]
pub fn show_items(_files: &[PathBuf]) -> bool {
    false
}
