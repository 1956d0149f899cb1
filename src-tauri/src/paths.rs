//! Where the app keeps its files, worked out once at start.

use std::path::PathBuf;

/// Where the app reads and writes its files.
#[derive(Debug, Clone)]
pub struct AppPaths {
    /// The profiles, shared with the `cubby` CLI.
    pub config: PathBuf,
    /// The app's preferences.
    pub settings: PathBuf,
    /// The sandbox's users, keys and files.
    pub sandbox: PathBuf,
    /// Files downloaded to be opened with the default app, one folder per identity.
    pub open_cache: PathBuf,
    /// The transfer state database, the CLI's: either brings back what the other left.
    pub transfer_state: PathBuf,
}
