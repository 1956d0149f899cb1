//! For the end-to-end tests only (debug builds started with `CUBBY_E2E=1`): WebDriver cannot
//! drop OS files on a window, so this records a drop exactly as a real one is recorded and
//! sends the web view the events a real drop sends it.

use std::path::PathBuf;

use cubby_core::{Error, ErrorCode, Result};
use tauri::{Emitter, EventTarget, PhysicalPosition, Runtime, State, Window};

use crate::drops::{DRAG_DROP, DRAG_ENTER, DRAG_OVER, DragPayload};
use crate::state::AppState;

/// Drops `paths` at (`x`, `y`) in physical pixels: `drag-enter`, `drag-over`, then
/// `drag-drop`, targeted at the window's web view as Tauri targets them.
#[tauri::command]
pub fn e2e_drop<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    paths: Vec<String>,
    x: f64,
    y: f64,
) -> Result<()> {
    if std::env::var("CUBBY_E2E").as_deref() != Ok("1") {
        return Err(Error::new(
            ErrorCode::Internal,
            "e2e_drop is for end-to-end tests: start the app with CUBBY_E2E=1",
        ));
    }
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    state.drops.record(&paths);
    let position = PhysicalPosition::new(x, y);
    let target = EventTarget::labeled(window.label());
    let with_paths = DragPayload {
        paths: Some(&paths),
        position,
    };
    let without = DragPayload {
        paths: None,
        position,
    };
    let sent = window
        .emit_to(target.clone(), DRAG_ENTER, &with_paths)
        .and_then(|()| window.emit_to(target.clone(), DRAG_OVER, &without))
        .and_then(|()| window.emit_to(target, DRAG_DROP, &with_paths));
    sent.map_err(|err| Error::internal(format!("the drop events were not sent: {err}")))
}
