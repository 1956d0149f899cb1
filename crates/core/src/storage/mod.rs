//! The person's folder on S3: naming things in it ([`RemotePath`]) and every folder operation
//! (list, stat, create, delete, copy, move, share, usage). Transfers of file contents live in
//! [`crate::transfer`].

mod client;
mod copy_move;
mod delete;
mod entry;
mod listing;
mod metadata;
mod mkdir;
mod remote_path;
mod retry;
mod sdk_error;
mod share;

pub use client::Storage;
pub use copy_move::CopyLimits;
pub use delete::{DeleteFailure, DeleteReport};
pub use entry::{Entry, EntryKind, Usage};
pub use metadata::ObjectInfo;
pub use remote_path::{FolderRoot, MAX_KEY_BYTES, RemotePath};
pub use retry::{RetryPolicy, is_retryable};
pub use share::{ShareLimit, ShareLink};

pub(crate) use metadata::{
    CONTENT_HASH_KEY, MTIME_KEY, decode_crc64, encode_crc64, format_mtime, parse_mtime,
};
pub(crate) use sdk_error::from_sdk;
