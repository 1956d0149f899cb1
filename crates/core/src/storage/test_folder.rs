//! A folder in an in-memory bucket holding given keys, and listed entries, for core's unit
//! tests.

use std::sync::Arc;

use super::{Entry, EntryKind, FolderRoot, MemoryClient, PutObjectParams, RemotePath, Storage};

/// A listed file at `path` of `size` bytes, with no known time.
pub(crate) fn file_entry(path: &str, size: u64) -> Entry {
    Entry {
        path: RemotePath::parse(path).unwrap(),
        kind: EntryKind::File {
            size,
            modified: None,
        },
    }
}

/// The folder `me/` of a new in-memory bucket, holding `keys` (below the folder), each "data".
pub(crate) async fn storage_with(keys: &[&str]) -> Storage {
    let storage = Storage::with_client(
        Arc::new(MemoryClient::new("bucket")),
        FolderRoot::new("me/").unwrap(),
    );
    for key in keys {
        let params = PutObjectParams {
            key: format!("me/{key}"),
            body: bytes::Bytes::from_static(b"data"),
            ..PutObjectParams::default()
        };
        storage.client().put_object(&params).await.unwrap();
    }
    storage
}
