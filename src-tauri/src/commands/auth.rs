//! Signing in and out. The system browser (`$BROWSER` first, as for the CLI) shows the hosted
//! page; its answer comes back through the loopback listener or a `cubby://` deep link, and
//! never passes through the web view.

use cubby_core::auth::{AuthorizationRequest, SIGN_IN_TIMEOUT, open_in_browser};
use cubby_core::session::SessionInfo;
use cubby_core::{Error, ErrorCode, Result};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

/// How long the browser may take to come back from the hosted sign-out.
const SIGN_OUT_PAGE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Where a sign-in is, for the waiting screen.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case", tag = "stage")]
enum SignInStage {
    /// The hosted page is open in the browser.
    BrowserOpened,
}

#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<SessionInfo> {
    let session = state.session().await?;
    let cancel = CancellationToken::new();
    if let Some(earlier) = state
        .sign_in
        .lock()
        .expect("sign-in lock")
        .replace(cancel.clone())
    {
        earlier.cancel();
    }
    let open = |request: &AuthorizationRequest| match open_in_browser(request.url()) {
        Ok(()) => {
            let _ = app.emit("sign-in-progress", SignInStage::BrowserOpened);
        }
        Err(err) => tracing::warn!(%err, "no browser opened for the sign-in"),
    };
    let signing_in = async {
        if session.profile().loopback_redirects().next().is_some() {
            session
                .sign_in_with_loopback(|request, _| open(request), SIGN_IN_TIMEOUT)
                .await
        } else {
            session
                .sign_in_with_deep_link(&state.deep_links, open, SIGN_IN_TIMEOUT)
                .await
        }
    };
    let result = tokio::select! {
        result = signing_in => result,
        () = cancel.cancelled() => Err(Error::new(ErrorCode::AuthCancelled, "the sign-in was cancelled")),
    };
    let info = result?;
    state.signed_in(&info).await?;
    Ok(info)
}

#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) {
    if let Some(pending) = state.sign_in.lock().expect("sign-in lock").take() {
        pending.cancel();
    }
}

/// Revokes and forgets the session, then ends the browser's own sign-in on the hosted page,
/// which comes back to a page that says the person is signed out.
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<()> {
    let session = state.session().await?;
    state.signed_out().await;
    session.sign_out().await?;
    tauri::async_runtime::spawn(async move {
        let shown = session
            .sign_out_in_browser(open_in_browser, SIGN_OUT_PAGE_TIMEOUT)
            .await;
        tracing::info!(?shown, "browser sign-out");
    });
    Ok(())
}
