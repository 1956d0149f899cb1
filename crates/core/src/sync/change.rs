//! Each side's change against the merge base, found per side before the two are joined (as
//! rclone bisync does): new, modified, deleted, type changed, unchanged, or absent all along.
//! A local file is unchanged while its inode, size and modification time are; a remote one
//! while its ETag is.

use serde::Serialize;

use super::model::{BaseItem, Kind, LocalItem, RemoteItem};

/// What happened to a path on one side since the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Not there, and not in the base.
    Absent,
    /// There, and not in the base.
    New,
    /// The same as in the base.
    Unchanged,
    /// A file whose content may have changed.
    Modified,
    /// In the base, gone now.
    Deleted,
    /// A file that became a folder, or a folder that became a file.
    TypeChanged,
}

impl Change {
    /// Whether the side holds something the base does not know.
    pub fn is_edit(self) -> bool {
        matches!(self, Self::New | Self::Modified | Self::TypeChanged)
    }
}

/// The local side's change. Another file moved into a path (an editor's save through a
/// temporary file, a rename over it) has another inode: modified, even when its size and its
/// time, which the disk keeps only to a few milliseconds, are the old file's.
pub fn local_change(item: Option<&LocalItem>, base: Option<&BaseItem>) -> Change {
    classify(item.map(|i| i.kind), base, |base| {
        let item = item.expect("classified as present");
        let same_file = match (item.inode, base.inode) {
            (Some(now), Some(then)) => now == then,
            _ => true,
        };
        same_file && item.size == base.size && item.mtime_ns == base.mtime_ns
    })
}

/// The remote side's change.
pub fn remote_change(item: Option<&RemoteItem>, base: Option<&BaseItem>) -> Change {
    classify(item.map(|i| i.kind), base, |base| {
        let item = item.expect("classified as present");
        item.etag.is_some() && item.etag == base.etag
    })
}

fn classify(
    kind: Option<Kind>,
    base: Option<&BaseItem>,
    file_unchanged: impl FnOnce(&BaseItem) -> bool,
) -> Change {
    match (kind, base) {
        (None, None) => Change::Absent,
        (Some(_), None) => Change::New,
        (None, Some(_)) => Change::Deleted,
        (Some(kind), Some(base)) if kind != base.kind => Change::TypeChanged,
        (Some(Kind::Folder), Some(_)) => Change::Unchanged,
        (Some(Kind::File), Some(base)) if file_unchanged(base) => Change::Unchanged,
        (Some(Kind::File), Some(_)) => Change::Modified,
    }
}

/// Whether both sides hold the same thing: two folders, or two files whose sizes and known
/// checksums are equal. An unknown checksum is never taken as equal.
pub fn same_content(local: &LocalItem, remote: &RemoteItem) -> bool {
    match (local.kind, remote.kind) {
        (Kind::Folder, Kind::Folder) => true,
        (Kind::File, Kind::File) => {
            local.size == remote.size && local.crc.is_some() && local.crc == remote.crc
        }
        _ => false,
    }
}
