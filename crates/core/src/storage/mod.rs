//! The person's folder on S3: naming things in it ([`RemotePath`]), every folder operation
//! (list, stat, create, delete, copy, move, share, usage) on [`Storage`], and the S3 calls
//! beneath them behind one trait ([`ObjectClient`]) with an SDK and an in-memory
//! implementation. Transfers of file contents live in [`crate::transfer`].

mod copy_move;
mod delete;
mod entry;
mod folder;
mod free_name;
mod idle_timeout;
mod into_folder;
mod listed_key;
mod listing;
mod memory_client;
mod metadata;
mod mkdir;
mod object_client;
mod preview;
mod relisting;
mod remote_path;
mod retry;
mod sdk_client;
mod sdk_error;
mod search;
mod share;
mod shown_listing;
#[cfg(test)]
pub(crate) mod test_folder;
mod tree_listing;
mod unusable_keys;

pub use delete::{DeleteFailure, DeleteReport};
pub use entry::{Entry, EntryKind, Unusable, Usage};
pub use folder::{CopyLimits, Storage};
pub use free_name::free_name;
pub use listed_key::{KeyProblem, ListedKey};
pub use memory_client::MemoryClient;
pub use metadata::ObjectInfo;
pub use object_client::{
    AbortMultipartUploadParams, CompleteMultipartUploadParams, CompleteMultipartUploadResult,
    CopyObjectParams, CopyObjectResult, CreateMultipartUploadParams, CreateMultipartUploadResult,
    DeleteObjectError, DeleteObjectsParams, DeleteObjectsResult, GetObjectParams, GetObjectResult,
    HeadObjectParams, ListObjectsParams, ListObjectsResult, ListPartsParams, ListPartsResult,
    ListedObject, Metadata, ObjectBody, ObjectClient, ObjectMeta, PresignGetParams, PresignedGet,
    PutObjectParams, PutObjectResult, UploadPartCopyParams, UploadPartParams, UploadPartResult,
};
pub use preview::{IMAGE_PREVIEW_MAX, Preview, TEXT_PREVIEW_MAX};
pub use relisting::Relisting;
pub use remote_path::{FolderRoot, MAX_KEY_BYTES, RemotePath};
pub use retry::{RetryPolicy, is_retryable};
pub use sdk_client::SdkClient;
pub use search::NameQuery;
pub use share::{ShareLimit, ShareLink};
pub use shown_listing::{ShownListing, SortColumn, SortOrder};

pub(crate) use metadata::{cubby_metadata, encode_crc64};
