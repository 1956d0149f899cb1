//! Signed-in sessions: a robot playing [`ALICE`] in the browser while the app's own sign-in
//! code runs, and checks on what the app kept.

use std::time::Duration;

use cubby_core::auth::AuthorizationRequest;
use cubby_core::config::Profile;
use cubby_core::secrets::{SecretStore, session_key};
use cubby_core::session::{Session, SessionInfo};
use tokio::task::JoinHandle;
use url::Url;

use crate::browser;
use crate::people::{ALICE, Person};

/// How long a test's sign-in waits for its browser.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(30);

/// What the robot browser does with the callback URL the hosted UI sent it to.
pub type Tamper = fn(Url) -> Url;

/// Runs in the background what a person does in the browser: sign in as [`ALICE`], follow the
/// redirect to the app's loopback callback (after `tamper`), and report the page's status.
pub fn browse(request: &AuthorizationRequest, tamper: Tamper) -> JoinHandle<u16> {
    browse_as(request, &ALICE, tamper)
}

/// [`browse`] as `person`.
pub fn browse_as(
    request: &AuthorizationRequest,
    person: &'static Person,
    tamper: Tamper,
) -> JoinHandle<u16> {
    let url = request.url().clone();
    tokio::spawn(async move {
        let callback = cubby_localcloud::robot::sign_in(&url, person.email, person.password)
            .await
            .expect("the robot signs in");
        browser::get(&tamper(callback))
            .await
            .expect("the callback answers")
    })
}

/// A full loopback sign-in as [`ALICE`], checking the callback page said yes.
pub async fn sign_in(session: &Session) -> SessionInfo {
    sign_in_as(session, &ALICE).await
}

/// A full loopback sign-in as `person`, checking the callback page said yes.
pub async fn sign_in_as(session: &Session, person: &'static Person) -> SessionInfo {
    let mut browser = None;
    let info = session
        .sign_in_with_loopback(
            |request, _| browser = Some(browse_as(request, person, |u| u)),
            SIGN_IN_TIMEOUT,
        )
        .await
        .expect("the sign-in succeeds");
    assert_eq!(browser.unwrap().await.unwrap(), 200);
    info
}

/// True when the store holds no session for `profile` (no half-signed-in state was left).
pub async fn store_is_empty(store: &SecretStore, profile: &Profile) -> bool {
    store
        .load(&session_key(profile))
        .await
        .expect("the store answers")
        .is_none()
}
