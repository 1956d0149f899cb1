//! Every S3 operation Cubby uses, as one small trait in the shape of mountpoint-s3's
//! `ObjectClient`: a parameter struct and one result type per operation, keys already made
//! from `RemotePath`s, the bucket fixed by the client.
//!
//! [`super::Storage`] is the only caller: it builds keys, runs each call under the retry
//! policy and says what was being done when a call fails. Implementations only speak S3:
//! [`super::SdkClient`] over the AWS SDK, and [`super::MemoryClient`], a map in memory for
//! tests and simulations that need thousands of runs. Errors carry a stable code and a message
//! that says what went wrong (`not found (NoSuchKey)`), without the operation: the caller
//! prefixes that.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::ops::Range;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::Stream;

use crate::error::Result;

/// User metadata of an object (`x-amz-meta-*`), without the prefix.
pub type Metadata = BTreeMap<String, String>;

/// The bytes of a GET, as they arrive. A broken connection ends it with `net.interrupted`.
pub type ObjectBody = Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>;

/// What the server says of one whole object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectMeta {
    /// Size of the whole object, also when only a range of it was asked for.
    pub size: u64,
    /// Names this version of the object (for conditional requests), never its content.
    pub etag: Option<String>,
    /// When the object was stored.
    pub last_modified: Option<SystemTime>,
    /// The object's `Content-Type`, if it has one.
    pub content_type: Option<String>,
    /// User metadata stored with the object.
    pub metadata: Metadata,
}

/// PutObject: one object from bytes in memory.
#[derive(Debug, Clone, Default)]
pub struct PutObjectParams {
    /// Key to write.
    pub key: String,
    /// The whole content.
    pub body: Bytes,
    /// User metadata to store with it.
    pub metadata: Metadata,
    /// CRC64-NVME of `body` (base64, big-endian) for the server to check the bytes against.
    pub checksum_crc64nvme: Option<String>,
}

/// The answer to PutObject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutObjectResult {
    /// ETag of the new object.
    pub etag: Option<String>,
}

/// HeadObject: what is known of one object, without its bytes.
#[derive(Debug, Clone)]
pub struct HeadObjectParams {
    /// Key to look at.
    pub key: String,
}

/// GetObject: an object's bytes, or a range of them.
#[derive(Debug, Clone, Default)]
pub struct GetObjectParams {
    /// Key to read.
    pub key: String,
    /// Bytes to read (end exclusive); `None` for all. A range starting at 0 of an empty object
    /// yields the empty object (S3 answers 416 to that; implementations hide it).
    pub range: Option<Range<u64>>,
    /// Read only this version: a different ETag fails with `storage.source_changed`.
    pub if_match: Option<String>,
}

/// The answer to GetObject.
pub struct GetObjectResult {
    /// The whole object's facts (size of the whole object, not of the range).
    pub object: ObjectMeta,
    /// The bytes asked for.
    pub body: ObjectBody,
}

impl Debug for GetObjectResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetObjectResult")
            .field("object", &self.object)
            .finish_non_exhaustive()
    }
}

/// ListObjectsV2: one page of the keys under a prefix.
#[derive(Debug, Clone, Default)]
pub struct ListObjectsParams {
    /// Only keys starting with this.
    pub prefix: String,
    /// Group keys by what follows the prefix up to this (usually `/`) into common prefixes.
    pub delimiter: Option<String>,
    /// Where the previous page ended.
    pub continuation_token: Option<String>,
    /// Only keys after this one (S3's StartAfter; a continuation token takes precedence).
    pub start_after: Option<String>,
    /// At most this many keys and common prefixes (the server's default, 1,000, when `None`).
    pub max_keys: Option<u32>,
}

/// One page of a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListObjectsResult {
    /// Objects on this page, in key order.
    pub objects: Vec<ListedObject>,
    /// Common prefixes on this page (each ends with the delimiter).
    pub common_prefixes: Vec<String>,
    /// Set when there is a next page.
    pub next_continuation_token: Option<String>,
}

/// An object as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    /// Its key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was stored.
    pub last_modified: Option<SystemTime>,
    /// Names this version of the object (for conditional requests).
    pub etag: Option<String>,
}

/// CopyObject: a server-side copy of one object of at most 5 GiB, with its metadata.
#[derive(Debug, Clone)]
pub struct CopyObjectParams {
    /// Key to copy from (in the same bucket).
    pub source_key: String,
    /// Key to write.
    pub key: String,
    /// Copy only this version of the source (`x-amz-copy-source-if-match`): a different ETag
    /// fails with `storage.source_changed`.
    pub source_if_match: Option<String>,
}

/// The answer to CopyObject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyObjectResult {
    /// ETag of the copy.
    pub etag: Option<String>,
}

/// DeleteObjects: up to 1,000 keys in one request.
#[derive(Debug, Clone)]
pub struct DeleteObjectsParams {
    /// Keys to delete; keys that do not exist count as deleted.
    pub keys: Vec<String>,
}

/// The answer to DeleteObjects: the keys that could not be deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteObjectsResult {
    /// One entry per key the server refused to delete.
    pub errors: Vec<DeleteObjectError>,
}

/// Why one key of a DeleteObjects was not deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteObjectError {
    /// The key.
    pub key: String,
    /// S3's error code, such as `AccessDenied`.
    pub code: Option<String>,
    /// S3's message.
    pub message: Option<String>,
}

/// CreateMultipartUpload: starts an upload in parts; metadata is given now, not at the end.
#[derive(Debug, Clone, Default)]
pub struct CreateMultipartUploadParams {
    /// Key the completed upload will have.
    pub key: String,
    /// User metadata of the completed object.
    pub metadata: Metadata,
    /// `Content-Type` of the completed object.
    pub content_type: Option<String>,
}

/// The answer to CreateMultipartUpload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateMultipartUploadResult {
    /// Names the upload in the calls that follow.
    pub upload_id: String,
}

/// UploadPart: one part's bytes.
#[derive(Debug, Clone)]
pub struct UploadPartParams {
    /// Key of the upload.
    pub key: String,
    /// The upload.
    pub upload_id: String,
    /// 1 to 10,000.
    pub part_number: i32,
    /// The part's bytes.
    pub body: Bytes,
}

/// UploadPartCopy: one part copied from a range of another object.
#[derive(Debug, Clone)]
pub struct UploadPartCopyParams {
    /// Key of the upload.
    pub key: String,
    /// The upload.
    pub upload_id: String,
    /// 1 to 10,000.
    pub part_number: i32,
    /// Key to copy from (in the same bucket).
    pub source_key: String,
    /// Bytes of the source (end exclusive).
    pub source_range: Range<u64>,
    /// Copy only from this version of the source (`x-amz-copy-source-if-match`): a different
    /// ETag fails with `storage.source_changed`.
    pub source_if_match: Option<String>,
}

/// The answer to UploadPart and UploadPartCopy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadPartResult {
    /// What CompleteMultipartUpload must name the part by.
    pub etag: String,
}

/// ListParts: one page of the parts the server holds for an upload.
#[derive(Debug, Clone)]
pub struct ListPartsParams {
    /// Key of the upload.
    pub key: String,
    /// The upload.
    pub upload_id: String,
    /// Parts after this number; `None` for the first page.
    pub part_number_marker: Option<String>,
}

/// One page of parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPartsResult {
    /// Parts on this page as (number, ETag).
    pub parts: Vec<(i32, String)>,
    /// Set when there is a next page.
    pub next_part_number_marker: Option<String>,
}

/// CompleteMultipartUpload: joins the parts into the object.
#[derive(Debug, Clone)]
pub struct CompleteMultipartUploadParams {
    /// Key of the upload.
    pub key: String,
    /// The upload.
    pub upload_id: String,
    /// Every part as (number, ETag), in order.
    pub parts: Vec<(i32, String)>,
}

/// The answer to CompleteMultipartUpload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteMultipartUploadResult {
    /// ETag of the new object.
    pub etag: Option<String>,
}

/// AbortMultipartUpload: drops an upload and its parts.
#[derive(Debug, Clone)]
pub struct AbortMultipartUploadParams {
    /// Key of the upload.
    pub key: String,
    /// The upload.
    pub upload_id: String,
}

/// A presigned GET: a link anyone can open until it expires.
#[derive(Debug, Clone)]
pub struct PresignGetParams {
    /// Key to share.
    pub key: String,
    /// How long the link works.
    pub expires_in: Duration,
}

/// The answer to a presigned GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedGet {
    /// The link.
    pub url: String,
}

/// The S3 operations of one bucket that Cubby uses. Every method is one request: callers
/// retry, and may call again with the same parameters.
#[async_trait::async_trait]
pub trait ObjectClient: Debug + Send + Sync {
    /// The bucket every call reaches (resume records name it).
    fn bucket(&self) -> &str;
    /// Stores one object.
    async fn put_object(&self, params: &PutObjectParams) -> Result<PutObjectResult>;
    /// Facts of one object; `storage.not_found` when there is none.
    async fn head_object(&self, params: &HeadObjectParams) -> Result<ObjectMeta>;
    /// Bytes of one object.
    async fn get_object(&self, params: &GetObjectParams) -> Result<GetObjectResult>;
    /// One page of keys.
    async fn list_objects(&self, params: &ListObjectsParams) -> Result<ListObjectsResult>;
    /// Copies one object within the bucket.
    async fn copy_object(&self, params: &CopyObjectParams) -> Result<CopyObjectResult>;
    /// Deletes up to 1,000 keys.
    async fn delete_objects(&self, params: &DeleteObjectsParams) -> Result<DeleteObjectsResult>;
    /// Starts an upload in parts.
    async fn create_multipart_upload(
        &self,
        params: &CreateMultipartUploadParams,
    ) -> Result<CreateMultipartUploadResult>;
    /// Sends one part.
    async fn upload_part(&self, params: &UploadPartParams) -> Result<UploadPartResult>;
    /// Copies one part from another object.
    async fn upload_part_copy(&self, params: &UploadPartCopyParams) -> Result<UploadPartResult>;
    /// One page of an upload's parts; `storage.not_found` when the upload is gone.
    async fn list_parts(&self, params: &ListPartsParams) -> Result<ListPartsResult>;
    /// Finishes an upload.
    async fn complete_multipart_upload(
        &self,
        params: &CompleteMultipartUploadParams,
    ) -> Result<CompleteMultipartUploadResult>;
    /// Drops an upload.
    async fn abort_multipart_upload(&self, params: &AbortMultipartUploadParams) -> Result<()>;
    /// Signs a link to GET one object (no request is sent).
    async fn presign_get(&self, params: &PresignGetParams) -> Result<PresignedGet>;
}
