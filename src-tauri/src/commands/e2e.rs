//! For the end-to-end tests only (debug builds, or release builds with the `e2e` feature for
//! bench/app.sh; either answers only when started with `CUBBY_E2E=1`): WebDriver cannot drop OS
//! files on a window, so this records a drop exactly as a real one is recorded and sends the web
//! view the events a real drop sends it; it can also stop at the hover (for a screenshot of the
//! drop overlay), then drop what it holds, or end it with a leave.

use std::path::PathBuf;

use cubby_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use tauri::{Emitter, EventTarget, PhysicalPosition, Runtime, State, Window};

use crate::state::AppState;

/// The events a drop gives the web view (what `onDragDropEvent` of @tauri-apps/api listens to).
pub const DRAG_ENTER: &str = "tauri://drag-enter";
/// See [`DRAG_ENTER`].
pub const DRAG_OVER: &str = "tauri://drag-over";
/// See [`DRAG_ENTER`].
pub const DRAG_DROP: &str = "tauri://drag-drop";
/// See [`DRAG_ENTER`].
pub const DRAG_LEAVE: &str = "tauri://drag-leave";

/// How far a pretended drag goes.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DragStage {
    /// Enters and hovers over (`x`, `y`), and stays.
    Hover,
    /// Enters, hovers and drops: the whole gesture.
    #[default]
    Drop,
    /// Drops where an earlier [`Self::Hover`] is held: only the drop, as the OS sends it when
    /// the button is let go (bench/app.sh times a drop from this moment).
    Release,
    /// Leaves the window without dropping.
    Leave,
}

/// What those events carry, as Tauri sends it: `{paths?, position: {x, y}}` in physical pixels.
#[derive(Debug, Serialize)]
pub struct DragPayload<'a> {
    /// The dragged paths (none in `drag-over`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paths: Option<&'a [PathBuf]>,
    /// Where the pointer is.
    pub position: PhysicalPosition<f64>,
}

/// Drops `paths` at (`x`, `y`) in physical pixels: `drag-enter`, `drag-over`, then
/// `drag-drop`, targeted at the window's web view as Tauri targets them; `stage` stops
/// earlier, sends only the drop of a held hover, or sends the leave instead.
#[tauri::command]
pub fn e2e_drop<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    paths: Vec<String>,
    x: f64,
    y: f64,
    stage: Option<DragStage>,
) -> Result<()> {
    if std::env::var("CUBBY_E2E").as_deref() != Ok("1") {
        return Err(Error::new(
            ErrorCode::Internal,
            "e2e_drop is for end-to-end tests: start the app with CUBBY_E2E=1",
        ));
    }
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
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
    let stage = stage.unwrap_or_default();
    if matches!(stage, DragStage::Drop | DragStage::Release) {
        state.drops.record(&paths);
    }
    let sent = match stage {
        DragStage::Leave => window.emit_to(target, DRAG_LEAVE, ()),
        DragStage::Release => window.emit_to(target, DRAG_DROP, &with_paths),
        DragStage::Hover | DragStage::Drop => window
            .emit_to(target.clone(), DRAG_ENTER, &with_paths)
            .and_then(|()| window.emit_to(target.clone(), DRAG_OVER, &without))
            .and_then(|()| match stage {
                DragStage::Drop => window.emit_to(target, DRAG_DROP, &with_paths),
                _ => Ok(()),
            }),
    };
    sent.map_err(|err| Error::internal(format!("the drop events were not sent: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_has_tauris_shape() {
        let paths = [PathBuf::from("/a")];
        let drop = DragPayload {
            paths: Some(&paths),
            position: PhysicalPosition::new(10.0, 20.5),
        };
        assert_eq!(
            serde_json::to_value(&drop).unwrap(),
            serde_json::json!({"paths": ["/a"], "position": {"x": 10.0, "y": 20.5}})
        );
        let over = DragPayload {
            paths: None,
            position: PhysicalPosition::new(1.0, 2.0),
        };
        assert_eq!(
            serde_json::to_value(&over).unwrap(),
            serde_json::json!({"position": {"x": 1.0, "y": 2.0}})
        );
    }
}
