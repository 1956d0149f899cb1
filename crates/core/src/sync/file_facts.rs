//! What sync reads of a local file's metadata: its modification time in nanoseconds and its
//! inode, the same way in the scan and after a transfer.

use std::fs::Metadata;
use std::time::UNIX_EPOCH;

/// Modification time, ns since the Unix epoch (0 when unknown).
pub(super) fn mtime_ns(meta: &Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64)
}

/// The inode, where the system has one (renames keep it).
#[cfg(unix)]
pub(super) fn inode(meta: &Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.ino())
}

/// The inode, where the system has one (renames keep it).
#[cfg(not(unix))]
pub(super) fn inode(_meta: &Metadata) -> Option<u64> {
    None
}
