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

/// `path` below `root`, `/`-separated; `None` when it is not valid Unicode.
pub(super) fn relative(root: &Path, path: &Path) -> Option<String> {
    slashed(path.strip_prefix(root).ok()?)
}

/// A walked relative path is `/`-separated already here: one copy, no list of parts.
#[cfg(unix)]
fn slashed(rel: &Path) -> Option<String> {
    rel.to_str().map(str::to_owned)
}

#[cfg(not(unix))]
fn slashed(rel: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}
