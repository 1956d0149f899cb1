//! A localcloud for one test: its own data in a temporary directory, loopback callbacks on
//! ports free at start (tests run side by side), the deep link, and [`ALICE`] and [`BOB`].

use std::path::PathBuf;

use cubby_core::config::Profile;
use cubby_core::secrets::SecretStore;
use cubby_core::session::Session;
use cubby_localcloud::config::DEFAULT_DEEP_LINK;
use cubby_localcloud::{LocalCloud, LocalCloudConfig};
use tempfile::TempDir;

use crate::people::{ALICE, BOB, Person};

/// A running localcloud and the temporary directory it lives in; dropping it stops the server
/// before the directory goes.
pub struct TestCloud {
    /// The server.
    pub cloud: LocalCloud,
    /// The profile that reaches it.
    pub profile: Profile,
    /// The loopback callback ports registered, in the order the app tries them.
    pub ports: Vec<u16>,
    /// The test's temporary directory; the cloud keeps its data in [`TestCloud::data_dir`].
    pub dir: TempDir,
}

impl TestCloud {
    /// A localcloud as [`TestCloud::start_with`] sets it up, unchanged.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Two loopback callbacks on free ports (the sign-out page beside the first) and the deep
    /// link, [`ALICE`] and [`BOB`]; then `configure` changes what the test needs.
    pub async fn start_with(configure: impl FnOnce(&mut LocalCloudConfig)) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut config = LocalCloudConfig::new(dir.path().join("cloud"));
        let ports = config
            .callbacks_on_free_ports(2)
            .expect("free loopback ports");
        config.callbacks.push(DEFAULT_DEEP_LINK.to_owned());
        config.users = [ALICE, BOB].iter().map(Person::account).collect();
        configure(&mut config);
        let cloud = LocalCloud::start(config).await.expect("localcloud starts");
        let profile = cloud.profile();
        Self {
            cloud,
            profile,
            ports,
            dir,
        }
    }

    /// Where the cloud keeps its users, keys and objects.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("cloud")
    }

    /// A new session with this cloud's profile, as a fresh start of the app makes it.
    pub fn session(&self, store: &SecretStore) -> Session {
        Session::new(self.profile.clone(), store.clone()).expect("a session for the profile")
    }
}
