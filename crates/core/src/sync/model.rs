//! What the planner reasons about: each side's view of a path and the merge base, keyed by the
//! path relative to the pair's two folders (`/`-separated, NFC, as a [`RemotePath`] spells it).
//!
//! [`RemotePath`]: crate::storage::RemotePath

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A file or a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A file (an object, remotely).
    File,
    /// A folder (a directory, or a prefix or marker remotely).
    Folder,
}

/// One side of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The local folder.
    Local,
    /// The remote folder.
    Remote,
}

/// How a pair syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Local to remote; never deletes anything remotely.
    Backup,
    /// Local to remote; deletes a remote file only when it was synced from this folder and
    /// then deleted locally.
    Mirror,
    /// Both ways; conflicts keep both versions.
    #[default]
    TwoWay,
}

impl Mode {
    /// `backup`, `mirror` or `two-way`, as the CLI and the state database spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Backup => "backup",
            Self::Mirror => "mirror",
            Self::TwoWay => "two-way",
        }
    }

    /// The mode `text` names (see [`Self::as_str`]).
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Backup, Self::Mirror, Self::TwoWay]
            .into_iter()
            .find(|mode| mode.as_str() == text)
    }
}

/// A path as the local scan saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalItem {
    /// File or folder.
    pub kind: Kind,
    /// Bytes (0 for a folder).
    pub size: u64,
    /// Modification time, ns since the Unix epoch.
    pub mtime_ns: i64,
    /// The file's inode (or file index), where the system has one: renames keep it.
    pub inode: Option<u64>,
    /// CRC64-NVME of the content, when it was worth reading (see [`super::checksums`]).
    pub crc: Option<u64>,
    /// The name on disk when it is not the key's spelling (a decomposed name on disk).
    pub on_disk: Option<String>,
}

/// A path as the remote scan saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteItem {
    /// File or folder.
    pub kind: Kind,
    /// Bytes (0 for a folder).
    pub size: u64,
    /// The kept modification time (or the upload time), ns since the Unix epoch.
    pub mtime_ns: i64,
    /// Names this version of the object; `None` for folders.
    pub etag: Option<String>,
    /// CRC64-NVME Cubby stored with the object, when it was read (see [`super::checksums`]).
    pub crc: Option<u64>,
}

/// The last synced state of a path on both sides: the merge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseItem {
    /// File or folder.
    pub kind: Kind,
    /// Bytes (0 for a folder).
    pub size: u64,
    /// The local file's modification time then.
    pub mtime_ns: i64,
    /// The local file's inode then.
    pub inode: Option<u64>,
    /// The remote object's ETag then.
    pub etag: Option<String>,
    /// CRC64-NVME of the content both sides held.
    pub crc: Option<u64>,
}

/// Every path of one side (or of the base), in path order.
pub type Tree<T> = BTreeMap<String, T>;

/// The three inputs of the planner.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// What the local folder holds.
    pub local: Tree<LocalItem>,
    /// What the remote folder holds.
    pub remote: Tree<RemoteItem>,
    /// What both held when they were last in step.
    pub base: Tree<BaseItem>,
}

impl BaseItem {
    /// The base both sides are in once `local` and `remote` are known to hold one content.
    pub fn synced(local: &LocalItem, remote: &RemoteItem) -> Self {
        Self {
            kind: local.kind,
            size: local.size,
            mtime_ns: local.mtime_ns,
            inode: local.inode,
            etag: remote.etag.clone(),
            crc: local.crc.or(remote.crc),
        }
    }
}
