//! The person's folder: listing and searching (into the window's list, whose rows the page
//! reads as it draws them), usage, the file operations, share links, previews, opening a file
//! with the default app and downloading to a chosen folder.

use std::time::Duration;

use cubby_core::storage::{
    DeleteReport, Entry, NameQuery, Preview, RemotePath, ShareLink, SortOrder, Usage,
};
use cubby_core::transfer::{LocalFolder, local_path_for};
use cubby_core::{Error, ErrorCode, Result};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State, Window};
use tauri_plugin_dialog::DialogExt;
use tokio::sync::oneshot;

use super::watching_session;
use crate::listings::{ListView, ListingUpdate, ShownKeys};
use crate::state::AppState;

/// Lists the folder at `path` (`""` is the root) into the window's list, shown as `view` asks;
/// each new state goes to `on_update`. A `refresh` keeps the rows on show until it ends, and
/// sends nothing when the folder is as it was. Ends the window's earlier listing or search
/// (which fails with `transfer.cancelled`).
#[tauri::command]
pub async fn list_folder<R: Runtime>(
    app: AppHandle<R>,
    window: Window<R>,
    state: State<'_, AppState>,
    path: String,
    view: ListView,
    refresh: bool,
    on_update: Channel<ListingUpdate>,
) -> Result<()> {
    let listed = async {
        let storage = state.storage().await?;
        let dir = RemotePath::parse(&path)?;
        let pages = storage.list(&dir);
        (state.listings)
            .show(window.label(), &view, refresh, pages, &on_update)
            .await
    };
    watching_session(&app, &state, listed.await).await
}

/// Lists every entry below `path` whose name contains `query` (case and accents ignored) into
/// the window's list, like a fresh [`list_folder`].
#[tauri::command]
pub async fn search_folder<R: Runtime>(
    app: AppHandle<R>,
    window: Window<R>,
    state: State<'_, AppState>,
    path: String,
    query: String,
    order: SortOrder,
    on_update: Channel<ListingUpdate>,
) -> Result<()> {
    let searched = async {
        let storage = state.storage().await?;
        let dir = RemotePath::parse(&path)?;
        let query = NameQuery::new(&query);
        let pages = storage.search(&dir, &query);
        let view = ListView {
            order,
            filter: String::new(),
        };
        (state.listings)
            .show(window.label(), &view, false, pages, &on_update)
            .await
    };
    watching_session(&app, &state, searched.await).await
}

/// Shows the window's list in `order` and through `filter`; `null` before its first listing.
/// (Like every command here it runs off the main thread, which draws the window.)
#[tauri::command(async)]
pub fn arrange_listing<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    order: SortOrder,
    filter: String,
) -> Option<ListingUpdate> {
    state.listings.set_view(window.label(), order, &filter)
}

/// The shown rows from `start` up to `end` of the list's state `generation`; `null` once the
/// list shows another.
#[tauri::command(async)]
pub fn listing_rows<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    generation: u64,
    start: usize,
    end: usize,
) -> Option<Vec<Entry>> {
    state.listings.rows(window.label(), generation, start, end)
}

/// The keys of the shown rows from `start` up to `end` of the list's state `generation` (a
/// selection over rows the page has not read); `null` once the list shows another.
#[tauri::command(async)]
pub fn listing_keys<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    generation: u64,
    start: usize,
    end: usize,
) -> Option<ShownKeys> {
    state.listings.keys(window.label(), generation, start, end)
}

/// Where each of `keys` shows in the list's state `generation` (a selection kept across a
/// refresh); `null` once the list shows another.
#[tauri::command(async)]
pub fn listing_positions<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    generation: u64,
    keys: Vec<String>,
) -> Option<Vec<Option<usize>>> {
    state.listings.positions(window.label(), generation, &keys)
}

/// The whole folder's files and bytes.
#[tauri::command]
pub async fn folder_usage<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Usage> {
    let usage = async { state.storage().await?.usage(&RemotePath::root()).await };
    watching_session(&app, &state, usage.await).await
}

/// Creates an empty folder; `storage.already_exists` when the name is taken.
#[tauri::command]
pub async fn create_folder<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> Result<()> {
    let created = async {
        let storage = state.storage().await?;
        storage.create_new_folder(&RemotePath::parse(&path)?).await
    };
    watching_session(&app, &state, created.await).await
}

/// Renames (or moves) one file or folder to the full path `to`, which must be free.
#[tauri::command]
pub async fn rename_entry<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<RemotePath> {
    let renamed = async {
        let storage = state.storage().await?;
        let (from, to) = (RemotePath::parse(&from)?, RemotePath::parse(&to)?);
        storage.rename_to_free(&from, &to).await
    };
    watching_session(&app, &state, renamed.await).await
}

/// Moves files and folders into the folder `to`; their new paths.
#[tauri::command]
pub async fn move_entries<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    paths: Vec<String>,
    to: String,
) -> Result<Vec<RemotePath>> {
    let moved = async {
        let storage = state.storage().await?;
        storage
            .move_into(&parse_all(&paths)?, &RemotePath::parse(&to)?)
            .await
    };
    watching_session(&app, &state, moved.await).await
}

/// Copies files and folders into the folder `to` (server-side); the copies' paths.
#[tauri::command]
pub async fn copy_entries<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    paths: Vec<String>,
    to: String,
) -> Result<Vec<RemotePath>> {
    let copied = async {
        let storage = state.storage().await?;
        storage
            .copy_into(&parse_all(&paths)?, &RemotePath::parse(&to)?)
            .await
    };
    watching_session(&app, &state, copied.await).await
}

/// Deletes files, and folders with everything in them.
#[tauri::command]
pub async fn delete_entries<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    paths: Vec<String>,
) -> Result<DeleteReport> {
    let deleted = async {
        let storage = state.storage().await?;
        storage.delete(&parse_all(&paths)?, true).await
    };
    watching_session(&app, &state, deleted.await).await
}

/// Deletes keys a listing flagged unusable, by their exact form, each only as a fresh listing
/// shows it (a folder-like key with what is below it).
#[tauri::command]
pub async fn delete_unusable<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    exact: Vec<String>,
) -> Result<DeleteReport> {
    let deleted = async {
        let storage = state.storage().await?;
        let mut keys = Vec::with_capacity(exact.len());
        for key in &exact {
            keys.push(storage.find_listed(key).await?);
        }
        storage.delete_listed(&keys, true).await
    };
    watching_session(&app, &state, deleted.await).await
}

/// A link to download the file, valid for `seconds` or less.
#[tauri::command]
pub async fn share_link<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    seconds: u64,
) -> Result<ShareLink> {
    let link = async {
        let storage = state.storage().await?;
        let wanted = Duration::from_secs(seconds);
        storage.share_link(&RemotePath::parse(&path)?, wanted).await
    };
    watching_session(&app, &state, link.await).await
}

/// What the preview pane shows of the file at `path`.
#[tauri::command]
pub async fn preview_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> Result<Preview> {
    let preview = async {
        let storage = state.storage().await?;
        storage.preview(&RemotePath::parse(&path)?).await
    };
    watching_session(&app, &state, preview.await).await
}

/// Downloads the file through the queue (so it shows in the transfers panel) into the cache,
/// then hands it to the system's default app.
#[tauri::command]
pub async fn open_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> Result<()> {
    let opened = async {
        let folder = state.folder().await?;
        let remote = RemotePath::parse(&path)?;
        let local = local_path_for(&folder.cache, &remote, None)?;
        if let Some(parent) = local.parent() {
            std::fs::create_dir_all(parent).map_err(|err| {
                Error::new(
                    ErrorCode::TransferLocalWrite,
                    format!("cannot create the cache folder {}: {err}", parent.display()),
                )
            })?;
        }
        folder
            .transfers
            .download(remote, local.clone())
            .wait()
            .await?;
        open::that_detached(&local).map_err(|err| {
            Error::new(
                ErrorCode::Io,
                format!(
                    "downloaded to {}, but no app opened it: {err}; open it from there",
                    local.display()
                ),
            )
        })
    };
    watching_session(&app, &state, opened.await).await
}

/// Asks for a local folder, then queues the downloads of `paths` into it (folders with what
/// they hold); the number of files queued, or `None` when the person closes the picker.
#[tauri::command]
pub async fn download_entries<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    paths: Vec<String>,
) -> Result<Option<usize>> {
    let remotes = parse_all(&paths)?;
    let folder = state.folder().await?;
    let (chosen, picked) = oneshot::channel();
    app.dialog()
        .file()
        .set_title("Download to")
        .pick_folder(move |folder| {
            let _ = chosen.send(folder);
        });
    let Some(into) = picked.await.ok().flatten() else {
        return Ok(None);
    };
    let into = into.into_path().map_err(|err| {
        Error::new(
            ErrorCode::Io,
            format!("cannot use the chosen folder: {err}"),
        )
    })?;
    let queued = folder
        .transfers
        .download_paths(&remotes, &LocalFolder::new(into))
        .await;
    let queued = watching_session(&app, &state, queued).await?;
    for skipped in &queued.skipped {
        tracing::info!(
            name = skipped.name,
            reason = skipped.reason,
            "left out of a download"
        );
    }
    Ok(Some(queued.handles.len()))
}

fn parse_all(paths: &[String]) -> Result<Vec<RemotePath>> {
    paths.iter().map(|p| RemotePath::parse(p)).collect()
}
