//! The commands the web view may invoke, one file per area; each needs an `allow-*` permission
//! in a capability. They translate to cubby-core and back, nothing more: errors cross as core's
//! `{code, message}`.

pub mod app;
pub mod auth;
#[cfg(any(debug_assertions, feature = "e2e"))]
pub mod e2e;
pub mod files;
pub mod profiles;
pub mod settings;
pub mod sync;
pub mod transfers;
pub mod uploads;

use cubby_core::{Error, ErrorCode, Result};
use tauri::{AppHandle, Emitter, Runtime};

use crate::state::AppState;

/// The event that tells the web view its session ended while the app ran.
pub const SESSION_ENDED: &str = "session-ended";

/// Passes `result` on; when it says the session expired or is gone, first drops the folder
/// and tells the web view, which goes back to the sign-in screen with the message.
pub async fn watching_session<R: Runtime, T>(
    app: &AppHandle<R>,
    state: &AppState,
    result: Result<T>,
) -> Result<T> {
    if let Err(err) = &result
        && matches!(
            err.code,
            ErrorCode::AuthSessionExpired | ErrorCode::AuthNotSignedIn
        )
    {
        state.signed_out().await;
        report(app, SESSION_ENDED, err);
    }
    result
}

/// Sends `err` to the web view as the payload of `event`.
pub fn report<R: Runtime>(app: &AppHandle<R>, event: &str, err: &Error) {
    if let Err(emit) = app.emit(event, err) {
        tracing::warn!(%emit, event, "could not tell the window");
    }
}
