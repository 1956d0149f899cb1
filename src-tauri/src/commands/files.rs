//! The person's folder.

use cubby_core::Result;
use cubby_core::storage::{Entry, RemotePath};
use tauri::{AppHandle, Runtime, State};

use super::watching_session;
use crate::state::AppState;

/// The entries of the folder at `path` (`""` is the root), as S3 lists them.
#[tauri::command]
pub async fn list_folder<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> Result<Vec<Entry>> {
    let listed = async {
        let storage = state.storage().await?;
        storage.list_all(&RemotePath::parse(&path)?).await
    };
    watching_session(&app, &state, listed.await).await
}
