//! Where a pair's relative paths are on each side.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::storage::RemotePath;

/// The local file of `path` (its on-disk spelling when that differs) below `root`.
pub fn local_path(root: &Path, path: &str, on_disk: Option<&str>) -> PathBuf {
    let mut local = root.to_path_buf();
    local.extend(on_disk.unwrap_or(path).split('/'));
    local
}

/// The remote path of `path` below `dir`.
pub fn remote_path(dir: &RemotePath, path: &str) -> Result<RemotePath> {
    dir.join(path)
}
