//! Shared by the sign-in tests: an in-process localcloud with its own callback ports, and a
//! robot playing the person in the browser.

#![allow(dead_code)] // each test binary uses its own subset

use std::time::Duration;

use cubby_core::auth::AuthorizationRequest;
use cubby_core::config::Profile;
use cubby_core::secrets::SecretStore;
use cubby_core::session::{Session, SessionInfo};
use cubby_localcloud::{LocalCloud, LocalCloudConfig};
use tempfile::TempDir;
use url::Url;

pub const EMAIL: &str = "alice@example.com";
pub const PASSWORD: &str = "correct horse battery";
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct TestCloud {
    pub cloud: LocalCloud,
    pub ports: Vec<u16>,
    _dir: TempDir,
}

/// A localcloud with alice, two loopback callbacks on free ports and the deep link.
pub async fn start(configure: impl FnOnce(&mut LocalCloudConfig)) -> TestCloud {
    let dir = tempfile::tempdir().unwrap();
    let mut config = LocalCloudConfig::new(dir.path().join("cloud"));
    let ports = config.callbacks_on_free_ports(2).unwrap();
    config.callbacks.push("cubby://auth/callback".to_owned());
    config.users = vec![(EMAIL.into(), PASSWORD.into())];
    configure(&mut config);
    let cloud = LocalCloud::start(config).await.unwrap();
    TestCloud {
        cloud,
        ports,
        _dir: dir,
    }
}

impl TestCloud {
    pub fn profile(&self) -> Profile {
        self.cloud.profile()
    }

    pub fn session(&self, store: &SecretStore) -> Session {
        Session::new(self.profile(), store.clone()).unwrap()
    }
}

/// The `state` a request carries in its URL.
pub fn state_of(request: &AuthorizationRequest) -> String {
    request
        .url()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned()
}

/// What the robot browser does with the callback URL the hosted UI sent it to.
pub type Tamper = fn(Url) -> Url;

/// Runs in the background what a person does in the browser: sign in, follow the redirect to
/// the loopback callback (after `tamper`), and report the page status.
pub fn browse(request: &AuthorizationRequest, tamper: Tamper) -> tokio::task::JoinHandle<u16> {
    browse_as(request, (EMAIL, PASSWORD), tamper)
}

/// [`browse`] as another user, given as `(email, password)`.
pub fn browse_as(
    request: &AuthorizationRequest,
    user: (&'static str, &'static str),
    tamper: Tamper,
) -> tokio::task::JoinHandle<u16> {
    let url = request.url().clone();
    tokio::spawn(async move {
        let callback = cubby_localcloud::robot::sign_in(&url, user.0, user.1)
            .await
            .unwrap();
        get(&tamper(callback)).await.unwrap()
    })
}

/// GETs a loopback URL like a browser, returning the status.
pub async fn get(url: &Url) -> reqwest::Result<u16> {
    Ok(get_page(url, None).await?.0)
}

/// GETs a loopback URL like a browser, with another `Host` header when given; the status and
/// the page.
pub async fn get_page(url: &Url, host: Option<&str>) -> reqwest::Result<(u16, String)> {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = client.get(url.clone());
    if let Some(host) = host {
        request = request.header(reqwest::header::HOST, host);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

/// A full loopback sign-in as alice.
pub async fn sign_in(session: &Session) -> SessionInfo {
    sign_in_as(session, (EMAIL, PASSWORD)).await
}

/// A full loopback sign-in as `user`, given as `(email, password)`.
pub async fn sign_in_as(session: &Session, user: (&'static str, &'static str)) -> SessionInfo {
    let mut browser = None;
    let info = session
        .sign_in_with_loopback(
            |request, _| browser = Some(browse_as(request, user, |u| u)),
            TIMEOUT,
        )
        .await
        .unwrap();
    assert_eq!(browser.unwrap().await.unwrap(), 200);
    info
}

pub fn with_param(mut url: Url, name: &str, value: Option<&str>) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut query = url.query_pairs_mut();
    query.clear();
    for (k, v) in &pairs {
        query.append_pair(k, v);
    }
    if let Some(value) = value {
        query.append_pair(name, value);
    }
    drop(query);
    url
}

/// True when the store holds no session (no half-signed-in state was left).
pub async fn store_is_empty(store: &SecretStore, profile: &Profile) -> bool {
    store
        .load(&cubby_core::secrets::session_key(profile))
        .await
        .unwrap()
        .is_none()
}
