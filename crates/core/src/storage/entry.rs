//! What a listing shows: files and folders of the person's folder, and their usage.

use std::time::SystemTime;

use serde::Serialize;

use super::listed_key::ListedKey;
use super::remote_path::RemotePath;

/// A file or folder in a listing. Serializes flat, in [`crate::wire`]'s conventions:
/// `{"path": "docs/a.txt", "type": "file", "size": 5, "modified": "2020-09-13T12:26:40Z"}` or
/// `{"path": "docs", "type": "folder"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Where it is in the person's folder.
    pub path: RemotePath,
    /// File, folder or unusable key, flattened into the entry.
    #[serde(flatten)]
    pub kind: EntryKind,
}

/// Whether an entry is a file, a folder or an unusable key; serialized as
/// `"type": "file" | "folder" | "unusable"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EntryKind {
    /// A file (an object).
    File {
        /// Its length in bytes.
        size: u64,
        /// The upload time in listings and the kept modification time from `stat`; `null`
        /// when unknown.
        #[serde(serialize_with = "crate::wire::optional_time")]
        modified: Option<SystemTime>,
    },
    /// A folder: a common prefix, or an empty folder's marker.
    Folder,
    /// A key that is not a clean path (another tool made it): it can be shown and deleted,
    /// nothing else. The entry's `path` is the deepest folder that holds it and has a clean
    /// path itself. Boxed: such keys are rare, and unboxed it would triple the size of every
    /// entry (a window keeps 100,000 of them for a big folder).
    Unusable(Box<Unusable>),
}

/// A listed key that is not a clean path, and what the listing knows of it. Serializes with
/// the key's fields (`readable`, `exact`, `problem`, `folder`; see [`ListedKey`]) beside
/// `size`, `modified` and `twin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unusable {
    /// The key, for showing and deleting.
    #[serde(flatten)]
    pub key: ListedKey,
    /// Size in bytes (0 for a folder).
    pub size: u64,
    /// When it was stored.
    #[serde(serialize_with = "crate::wire::optional_time")]
    pub modified: Option<SystemTime>,
    /// The usable entry a person reads as the same name (the composed spelling of a
    /// decomposed name), when the listing has one.
    pub twin: Option<RemotePath>,
}

impl Entry {
    /// Whether this is a folder.
    pub fn is_folder(&self) -> bool {
        self.kind == EntryKind::Folder
    }

    /// Bytes stored (0 for a folder).
    pub fn size(&self) -> u64 {
        match &self.kind {
            EntryKind::File { size, .. } => *size,
            EntryKind::Unusable(unusable) => unusable.size,
            EntryKind::Folder => 0,
        }
    }
}

/// What a folder holds: `{"bytes": 10, "files": 2}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// The files' bytes added up.
    pub bytes: u64,
    /// How many files (folder markers not counted).
    pub files: u64,
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use serde_json::json;

    use super::*;

    fn path(text: &str) -> RemotePath {
        RemotePath::parse(text).unwrap()
    }

    #[test]
    fn entries_serialize_flat_with_a_type() {
        let file = Entry {
            path: path("docs/a.txt"),
            kind: EntryKind::File {
                size: 5,
                modified: Some(UNIX_EPOCH + Duration::from_millis(1_600_000_000_250)),
            },
        };
        assert_eq!(
            serde_json::to_value(&file).unwrap(),
            json!({
                "path": "docs/a.txt",
                "type": "file",
                "size": 5,
                "modified": "2020-09-13T12:26:40Z",
            })
        );
        let unknown_time = Entry {
            path: path("b.bin"),
            kind: EntryKind::File {
                size: 0,
                modified: None,
            },
        };
        assert_eq!(
            serde_json::to_value(&unknown_time).unwrap(),
            json!({"path": "b.bin", "type": "file", "size": 0, "modified": null})
        );
        let folder = Entry {
            path: path("docs/empty"),
            kind: EntryKind::Folder,
        };
        assert_eq!(
            serde_json::to_value(&folder).unwrap(),
            json!({"path": "docs/empty", "type": "folder"})
        );
    }

    #[test]
    fn unusable_keys_serialize_with_the_key_flattened() {
        use crate::storage::listed_key::KeyProblem;
        let unusable = Entry {
            path: path("docs"),
            kind: EntryKind::Unusable(Box::new(Unusable {
                key: ListedKey::new("me/docs/e\u{301}.txt", 3, KeyProblem::Decomposed),
                size: 3,
                modified: None,
                twin: Some(path("docs/\u{e9}.txt")),
            })),
        };
        assert_eq!(
            serde_json::to_value(&unusable).unwrap(),
            json!({
                "path": "docs",
                "type": "unusable",
                "readable": "docs/\u{e9}.txt",
                "exact": "docs/e\\u{301}.txt",
                "problem": "decomposed",
                "folder": false,
                "size": 3,
                "modified": null,
                "twin": "docs/\u{e9}.txt",
            })
        );
    }

    #[test]
    fn usage_serializes_as_bytes_and_files() {
        let usage = Usage {
            bytes: 10,
            files: 2,
        };
        assert_eq!(
            serde_json::to_value(usage).unwrap(),
            json!({"bytes": 10, "files": 2})
        );
    }
}
