//! What a listing shows: files and folders of the person's folder, and their usage.

use std::time::SystemTime;

use super::listed_key::ListedKey;
use super::remote_path::RemotePath;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: RemotePath,
    pub kind: EntryKind,
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// `modified` is the upload time in listings and the kept modification time from `stat`.
    File {
        size: u64,
        modified: Option<SystemTime>,
    },
    Folder,
    /// A key that is not a clean path (another tool made it): it can be shown and deleted,
    /// nothing else. The entry's `path` is the deepest folder that holds it and has a clean
    /// path itself.
    Unusable(Unusable),
}

/// A listed key that is not a clean path, and what the listing knows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable {
    /// The key, for showing and deleting.
    pub key: ListedKey,
    /// Size in bytes (0 for a folder).
    pub size: u64,
    /// When it was stored.
    pub modified: Option<SystemTime>,
    /// The usable entry a person reads as the same name (the composed spelling of a
    /// decomposed name), when the listing has one.
    pub twin: Option<RemotePath>,
}

impl Entry {
    pub fn is_folder(&self) -> bool {
        self.kind == EntryKind::Folder
    }

    /// Bytes stored (0 for a folder).
    pub fn size(&self) -> u64 {
        match &self.kind {
            EntryKind::File { size, .. } | EntryKind::Unusable(Unusable { size, .. }) => *size,
            EntryKind::Folder => 0,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub bytes: u64,
    pub files: u64,
}
