//! The transfers panel: the queue streamed through a channel, and what can be done to one
//! transfer or to all of them.

use cubby_core::Result;
use cubby_core::transfer::TransferId;
use tauri::State;
use tauri::ipc::Channel;

use crate::state::AppState;
use crate::transfer_feed::TransferBatch;

/// Sends every known transfer to `on_batch` at once, then what changes, at most every 150 ms,
/// until the window goes (or calls this again).
#[tauri::command]
pub async fn watch_transfers(
    state: State<'_, AppState>,
    on_batch: Channel<TransferBatch>,
) -> Result<()> {
    let folder = state.folder().await?;
    let paused = folder.transfers.is_paused();
    folder.feed.watch(on_batch, paused).map_err(|err| {
        cubby_core::Error::internal(format!("the transfers could not be sent: {err}"))
    })
}

/// Stops one transfer, keeping what it moved; `resume_transfer` continues it.
#[tauri::command]
pub async fn pause_transfer(state: State<'_, AppState>, id: TransferId) -> Result<()> {
    state.folder().await?.transfers.pause_transfer(id)
}

/// Continues a paused transfer under its id.
#[tauri::command]
pub async fn resume_transfer(state: State<'_, AppState>, id: TransferId) -> Result<()> {
    state
        .folder()
        .await?
        .transfers
        .resume_transfer(id)
        .map(drop)
}

/// Stops one transfer and drops what it moved.
#[tauri::command]
pub async fn cancel_transfer(state: State<'_, AppState>, id: TransferId) -> Result<()> {
    state.folder().await?.transfers.cancel_transfer(id).await
}

/// Queues a failed or cancelled transfer again, under its id.
#[tauri::command]
pub async fn retry_transfer(state: State<'_, AppState>, id: TransferId) -> Result<()> {
    state.folder().await?.transfers.retry_transfer(id).map(drop)
}

/// Holds the whole queue: files and parts in flight finish, nothing new starts.
#[tauri::command]
pub async fn pause_all_transfers(state: State<'_, AppState>) -> Result<()> {
    state.folder().await?.transfers.pause();
    Ok(())
}

/// Lets the queue move again.
#[tauri::command]
pub async fn resume_all_transfers(state: State<'_, AppState>) -> Result<()> {
    state.folder().await?.transfers.resume();
    Ok(())
}

/// Forgets finished, failed and cancelled transfers; the next batch names them in `removed`.
#[tauri::command]
pub async fn clear_finished_transfers(state: State<'_, AppState>) -> Result<()> {
    let folder = state.folder().await?;
    let forgotten = folder.transfers.forget_ended()?;
    folder.feed.forget(&forgotten);
    Ok(())
}
