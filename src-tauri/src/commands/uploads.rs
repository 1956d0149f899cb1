//! Uploads: files and folders the OS dropped on the window, or the person picked in a dialog
//! the app opened; local paths come from nowhere else. Each is checked into a plan (what it
//! holds, what the target folder already has under its names) that starts once the person
//! settled the clashes.

use std::collections::HashMap;
use std::path::PathBuf;

use cubby_core::storage::RemotePath;
use cubby_core::transfer::{ClashDecision, UploadPlan};
use cubby_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tokio::sync::oneshot;

use super::watching_session;
use crate::state::AppState;

/// A checked upload as the web view sees it: its id beside core's summary.
#[derive(Debug, Serialize)]
pub struct PlanView<'a> {
    id: u64,
    #[serde(flatten)]
    plan: &'a UploadPlan,
}

/// What a picker picks.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickKind {
    /// One or more files.
    Files,
    /// One folder.
    Folder,
}

/// Checks an upload of paths the OS just dropped into the folder `to`.
#[tauri::command]
pub async fn upload_drop<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    paths: Vec<String>,
    to: String,
) -> Result<serde_json::Value> {
    let locals = state.drops.check(&paths)?;
    plan(&app, &state, locals, &to).await
}

/// Opens a file or folder picker for an upload into `to`, then checks it; `None` when the
/// person closes the picker.
#[tauri::command]
pub async fn pick_upload<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    kind: PickKind,
    to: String,
) -> Result<Option<serde_json::Value>> {
    let to_path = RemotePath::parse(&to)?;
    state.folder().await?; // signed in, before a picker opens
    let title = format!("Upload to {to_path}");
    let dialog = app.dialog().file().set_title(title);
    let (chosen, picked) = oneshot::channel();
    match kind {
        PickKind::Files => dialog.pick_files(move |files| {
            let _ = chosen.send(files.unwrap_or_default());
        }),
        PickKind::Folder => dialog.pick_folder(move |folder| {
            let _ = chosen.send(folder.into_iter().collect());
        }),
    }
    let picked = picked.await.unwrap_or_default();
    if picked.is_empty() {
        return Ok(None);
    }
    let locals = picked
        .into_iter()
        .map(|file| {
            file.into_path().map_err(|err| {
                Error::new(
                    ErrorCode::TransferLocalRead,
                    format!("cannot use the chosen item: {err}"),
                )
            })
        })
        .collect::<Result<Vec<PathBuf>>>()?;
    plan(&app, &state, locals, &to).await.map(Some)
}

async fn plan<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    locals: Vec<PathBuf>,
    to: &str,
) -> Result<serde_json::Value> {
    let planned = async {
        let folder = state.folder().await?;
        let plan = folder
            .transfers
            .plan_upload(locals, RemotePath::parse(to)?)
            .await?;
        let id = folder.plan_id();
        let view = serde_json::to_value(PlanView { id, plan: &plan })
            .map_err(|err| Error::internal(format!("an upload plan as JSON: {err}")))?;
        folder.keep_plan(id, plan);
        Ok(view)
    };
    watching_session(app, state, planned.await).await
}

/// Queues the checked upload `plan`, each clash settled by `decisions` (one without a
/// decision is skipped); the number of files queued.
#[tauri::command]
pub async fn start_upload<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    plan: u64,
    decisions: HashMap<String, ClashDecision>,
) -> Result<usize> {
    let started = async {
        let folder = state.folder().await?;
        let plan = folder.take_plan(plan)?;
        let queued = folder.transfers.start_upload(plan, &decisions).await?;
        Ok(queued.handles.len())
    };
    watching_session(&app, &state, started.await).await
}

/// Forgets a checked upload the person called off.
#[tauri::command]
pub async fn discard_upload(state: State<'_, AppState>, plan: u64) -> Result<()> {
    state.folder().await?.take_plan(plan).map(drop)
}
