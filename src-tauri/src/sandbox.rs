//! The "Local sandbox" profile: localcloud in this process, its data in the app's data
//! directory, so a newcomer can sign up and use every feature without an AWS account.

use std::path::Path;

use cubby_core::{Error, ErrorCode, Result};
use cubby_localcloud::{LocalCloud, LocalCloudConfig, LocalCloudError};

/// The name the sandbox has in the profile picker; not a config-file profile name (it has a
/// space), so it can never collide with one.
pub const SANDBOX_PROFILE: &str = "Local sandbox";

/// The port the sandbox prefers, so its pages keep one address; any free port when taken.
const PREFERRED_PORT: u16 = 53690;

/// The issuer its tokens name whatever port it got: the identities, the identity pool's
/// `Logins` key and so the keyring entry stay the same across restarts.
const ISSUER: &str = "http://localhost/cubby-sandbox";

/// Starts the sandbox with its data in `data_dir`.
pub async fn start(data_dir: &Path) -> Result<LocalCloud> {
    let config = |port| {
        let mut config = LocalCloudConfig::new(data_dir);
        config.port = port;
        config.issuer = Some(ISSUER.to_owned());
        config
    };
    match LocalCloud::start(config(PREFERRED_PORT)).await {
        Err(LocalCloudError::Bind { .. }) => {
            tracing::info!(
                port = PREFERRED_PORT,
                "the sandbox's port is taken; using another"
            );
            LocalCloud::start(config(0)).await
        }
        started => started,
    }
    .map_err(|err| {
        Error::new(
            ErrorCode::Io,
            format!(
                "the local sandbox did not start: {err}; check that {} is writable",
                data_dir.display()
            ),
        )
    })
}
