//! A folder in an in-memory bucket holding given keys, for core's unit tests.

use std::sync::Arc;

use super::{FolderRoot, MemoryClient, PutObjectParams, Storage};

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
