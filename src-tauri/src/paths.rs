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
    /// The sync state database, the CLI's (a pair's merge base is the same for both).
    pub sync_db: PathBuf,
    /// Where sync's transfer queue keeps its resume state.
    pub sync_transfer_state: PathBuf,
    /// Where pair locks live, the CLI's: a pair runs in one of them at a time.
    pub sync_locks: PathBuf,
    /// Folders no sync pair may be in: the app's and the CLI's own data.
    pub protected: Vec<PathBuf>,
}
