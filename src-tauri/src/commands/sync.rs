//! The sync panel: the pairs of the signed-in folder streamed through a channel, and what can
//! be done to each (core's `SyncService` does it all).

use std::path::Path;

use cubby_core::sync::{Mode, SyncPairStatus, SyncSnapshot};
use cubby_core::{Error, ErrorCode, Result};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tokio::sync::oneshot;

use crate::state::AppState;

/// Sends every pair's status to `on_snapshot` at once, then on every change (at most every
/// 250 ms), until the window goes or calls this again.
#[tauri::command]
pub async fn watch_sync(
    state: State<'_, AppState>,
    on_snapshot: Channel<SyncSnapshot>,
) -> Result<()> {
    let folder = state.folder().await?;
    folder
        .sync_feed()?
        .watch(on_snapshot)
        .map_err(|err| Error::internal(format!("the sync status could not be sent: {err}")))
}

/// Asks for a local folder; `None` when the person closes the picker.
#[tauri::command]
pub async fn pick_sync_folder<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<String>> {
    state.folder().await?; // signed in, before a picker opens
    let (chosen, picked) = oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Choose a folder to keep in sync");
    // The folders people sync live in their home; without a start GTK opens on Recent files,
    // where no folder can be chosen.
    if let Ok(home) = app.path().home_dir() {
        dialog = dialog.set_directory(home);
    }
    dialog.pick_folder(move |folder| {
        let _ = chosen.send(folder);
    });
    let Some(folder) = picked.await.ok().flatten() else {
        return Ok(None);
    };
    let path = folder.into_path().map_err(|err| {
        Error::new(
            ErrorCode::SyncInvalidPair,
            format!("cannot use the chosen folder: {err}; choose a folder on this computer"),
        )
    })?;
    Ok(Some(path.to_string_lossy().into_owned()))
}

/// Adds the pair of `local` and `remote_dir` in `mode` and starts it.
#[tauri::command]
pub async fn add_sync_pair(
    state: State<'_, AppState>,
    local: String,
    remote_dir: String,
    mode: Mode,
) -> Result<SyncPairStatus> {
    state
        .folder()
        .await?
        .sync()?
        .add(Path::new(&local), &remote_dir, mode)
}

/// Stops and forgets the pair; no file is touched.
#[tauri::command]
pub async fn remove_sync_pair(state: State<'_, AppState>, id: i64) -> Result<()> {
    state.folder().await?.sync()?.remove(id)
}

/// Holds the pair at once (a run in progress stops); it stays paused across restarts.
#[tauri::command]
pub async fn pause_sync_pair(state: State<'_, AppState>, id: i64) -> Result<()> {
    state.folder().await?.sync()?.pause(id)
}

/// Lets a paused pair run again.
#[tauri::command]
pub async fn resume_sync_pair(state: State<'_, AppState>, id: i64) -> Result<()> {
    state.folder().await?.sync()?.resume(id)
}

/// Runs the pair now.
#[tauri::command]
pub async fn sync_pair_now(state: State<'_, AppState>, id: i64) -> Result<()> {
    state.folder().await?.sync()?.sync_now(id)
}

/// The deletion guard's "delete them".
#[tauri::command]
pub async fn allow_sync_deletions(state: State<'_, AppState>, id: i64) -> Result<()> {
    state.folder().await?.sync()?.allow_deletions(id)
}

/// The deletion guard's "keep them".
#[tauri::command]
pub async fn keep_sync_files(state: State<'_, AppState>, id: i64) -> Result<()> {
    state.folder().await?.sync()?.keep_files(id)
}

/// Opens the pair's local folder in the file manager.
#[tauri::command]
pub async fn open_sync_folder(state: State<'_, AppState>, id: i64) -> Result<()> {
    let folder = state.folder().await?.sync()?.local_folder(id)?;
    open_in_file_manager(&folder)
}

/// Opens the folder of the conflict at `path` with both versions selected where the file
/// manager allows it, else the folder.
#[tauri::command]
pub async fn show_conflict(state: State<'_, AppState>, id: i64, path: String) -> Result<()> {
    let service = state.folder().await?.sync()?;
    let root = service.local_folder(id)?;
    let conflict = service
        .snapshot()
        .pairs
        .into_iter()
        .find(|pair| pair.id == id)
        .and_then(|pair| pair.conflicts.into_iter().find(|c| c.path == path))
        .ok_or_else(|| {
            Error::new(
                ErrorCode::StorageNotFound,
                format!("{path} is not one of this pair's conflicts; reload the sync panel"),
            )
        })?;
    let files = [
        cubby_core::sync::local_path(&root, &conflict.path, None),
        cubby_core::sync::local_path(&root, &conflict.copy, None),
    ];
    let parent = files[0].parent().map_or(root.clone(), Path::to_path_buf);
    let shown = tokio::task::spawn_blocking(move || crate::file_manager::show_items(&files))
        .await
        .unwrap_or(false);
    match shown {
        true => Ok(()),
        false => open_in_file_manager(&parent),
    }
}

fn open_in_file_manager(folder: &Path) -> Result<()> {
    open::that_detached(folder).map_err(|err| {
        Error::new(
            ErrorCode::Io,
            format!(
                "cannot open {} in the file manager: {err}; open it yourself",
                folder.display()
            ),
        )
    })
}
