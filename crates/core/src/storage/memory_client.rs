//! [`ObjectClient`] as a map in memory: one bucket that behaves as S3 does where Cubby can tell
//! (listing pages and common prefixes, ETags, ranges, conditional reads, multipart rules), for
//! tests and simulations that run thousands of times and need no server. It runs the same
//! conformance suite as the SDK client against localcloud and moto.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Mutex;
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use crc_fast::{CrcAlgorithm, checksum};

use super::object_client::*;
use crate::error::{Error, ErrorCode, Result};

/// S3's smallest part, but for the last.
const MIN_PART_SIZE: usize = 5 << 20;
/// S3's largest object for CopyObject.
const MAX_COPY_SIZE: u64 = 5 << 30;
/// Keys on a listing page (and parts on a parts page) when the caller does not say.
const PAGE: usize = 1000;

/// A bucket in memory. Share it behind an `Arc`; every call is one step under a lock.
#[derive(Debug)]
pub struct MemoryClient {
    bucket: String,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    objects: BTreeMap<String, StoredObject>,
    uploads: HashMap<String, Upload>,
    next_upload: u64,
}

#[derive(Debug, Clone)]
struct StoredObject {
    data: Bytes,
    meta: ObjectMeta,
}

#[derive(Debug)]
struct Upload {
    key: String,
    metadata: Metadata,
    content_type: Option<String>,
    parts: BTreeMap<i32, (String, Bytes)>,
}

impl MemoryClient {
    /// An empty bucket named `bucket`.
    pub fn new(bucket: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            state: Mutex::default(),
        }
    }

    /// How many multipart uploads were started and neither completed nor aborted (what a
    /// lifecycle rule would clean up on S3).
    pub fn unfinished_uploads(&self) -> usize {
        self.state().uploads.len()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the map half-changed: every change is one insert.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    fn object(&self, key: &str) -> Result<&StoredObject> {
        self.objects
            .get(key)
            .ok_or_else(|| s3_error(404, "NoSuchKey"))
    }

    /// The object at `key`, if it is the version `if_match` names (when it names one).
    fn object_matching(&self, key: &str, if_match: Option<&String>) -> Result<&StoredObject> {
        let object = self.object(key)?;
        if if_match.is_some_and(|etag| Some(etag) != object.meta.etag.as_ref()) {
            return Err(s3_error(412, "PreconditionFailed"));
        }
        Ok(object)
    }

    fn upload(&mut self, key: &str, upload_id: &str) -> Result<&mut Upload> {
        self.uploads
            .get_mut(upload_id)
            .filter(|u| u.key == key)
            .ok_or_else(|| s3_error(404, "NoSuchUpload"))
    }

    fn store(&mut self, key: &str, data: Bytes, etag: String, meta: ObjectMeta) -> String {
        let meta = ObjectMeta {
            size: data.len() as u64,
            etag: Some(etag.clone()),
            last_modified: Some(SystemTime::now()),
            ..meta
        };
        self.objects
            .insert(key.to_owned(), StoredObject { data, meta });
        etag
    }
}

/// An error as the SDK client reports S3's answer with this status and code.
fn s3_error(status: u16, code: &str) -> Error {
    let (kind, problem) = match status {
        404 => (ErrorCode::StorageNotFound, "not found"),
        412 => (
            ErrorCode::StorageSourceChanged,
            "the object changed on the server meanwhile",
        ),
        _ => (
            ErrorCode::StorageRequestFailed,
            "the storage server refused the request",
        ),
    };
    Error::new(kind, format!("{problem} ({code})"))
}

fn etag_of(data: &[u8]) -> String {
    format!("\"{:016x}\"", checksum(CrcAlgorithm::Crc64Nvme, data))
}

/// The bytes of `range` within an object of `size`, clamped at the end as S3 does.
fn byte_range(range: &Range<u64>, size: u64) -> Result<Range<usize>> {
    if range.start >= size || range.end <= range.start {
        return Err(s3_error(416, "InvalidRange"));
    }
    Ok(range.start as usize..range.end.min(size) as usize)
}

#[async_trait::async_trait]
impl ObjectClient for MemoryClient {
    fn bucket(&self) -> &str {
        &self.bucket
    }

    async fn put_object(&self, params: &PutObjectParams) -> Result<PutObjectResult> {
        if let Some(expected) = &params.checksum_crc64nvme {
            let actual = checksum(CrcAlgorithm::Crc64Nvme, &params.body);
            if *expected != STANDARD.encode(actual.to_be_bytes()) {
                return Err(s3_error(400, "BadDigest"));
            }
        }
        let meta = ObjectMeta {
            metadata: params.metadata.clone(),
            ..ObjectMeta::default()
        };
        let etag = etag_of(&params.body);
        let etag = self
            .state()
            .store(&params.key, params.body.clone(), etag, meta);
        Ok(PutObjectResult { etag: Some(etag) })
    }

    async fn head_object(&self, params: &HeadObjectParams) -> Result<ObjectMeta> {
        Ok(self.state().object(&params.key)?.meta.clone())
    }

    async fn get_object(&self, params: &GetObjectParams) -> Result<GetObjectResult> {
        let object = self
            .state()
            .object_matching(&params.key, params.if_match.as_ref())?
            .clone();
        let data = match &params.range {
            Some(range) if !(range.start == 0 && object.data.is_empty()) => {
                object.data.slice(byte_range(range, object.meta.size)?)
            }
            _ => object.data,
        };
        Ok(GetObjectResult {
            object: object.meta,
            body: Box::pin(futures::stream::iter([Ok(data)])),
        })
    }

    async fn list_objects(&self, params: &ListObjectsParams) -> Result<ListObjectsResult> {
        let state = self.state();
        let max = params.max_keys.map_or(PAGE, |n| (n as usize).min(PAGE));
        // The token names the last key (`k…`) or common prefix (`p…`) returned: resume past
        // it, and past everything under a prefix.
        let (after_key, after_prefix) = match params.continuation_token.as_deref() {
            Some(token) if token.starts_with('p') => (&token[1..], true),
            Some(token) if token.starts_with('k') => (&token[1..], false),
            Some(_) => return Err(s3_error(400, "InvalidArgument")),
            None => (params.start_after.as_deref().unwrap_or(""), false),
        };
        let mut page = ListObjectsResult::default();
        let mut last = None;
        for (key, object) in state.objects.range(params.prefix.clone()..) {
            if !key.starts_with(&params.prefix) {
                break;
            }
            if key.as_str() <= after_key || (after_prefix && key.starts_with(after_key)) {
                continue;
            }
            let rest = &key[params.prefix.len()..];
            let common = params
                .delimiter
                .as_deref()
                .filter(|d| !d.is_empty())
                .and_then(|d| {
                    rest.find(d)
                        .map(|at| &key[..params.prefix.len() + at + d.len()])
                });
            if let Some(common) = common
                && page.common_prefixes.last().map(String::as_str) == Some(common)
            {
                continue;
            }
            if page.objects.len() + page.common_prefixes.len() == max {
                page.next_continuation_token = last;
                break;
            }
            match common {
                Some(common) => {
                    page.common_prefixes.push(common.to_owned());
                    last = Some(format!("p{common}"));
                }
                None => {
                    page.objects.push(ListedObject {
                        key: key.clone(),
                        size: object.meta.size,
                        last_modified: object.meta.last_modified,
                        etag: object.meta.etag.clone(),
                    });
                    last = Some(format!("k{key}"));
                }
            }
        }
        Ok(page)
    }

    async fn copy_object(&self, params: &CopyObjectParams) -> Result<CopyObjectResult> {
        let mut state = self.state();
        let source = state
            .object_matching(&params.source_key, params.source_if_match.as_ref())?
            .clone();
        if source.meta.size > MAX_COPY_SIZE {
            return Err(s3_error(400, "InvalidRequest"));
        }
        let etag = etag_of(&source.data);
        let etag = state.store(&params.key, source.data, etag, source.meta);
        Ok(CopyObjectResult { etag: Some(etag) })
    }

    async fn delete_objects(&self, params: &DeleteObjectsParams) -> Result<DeleteObjectsResult> {
        if params.keys.len() > PAGE {
            return Err(s3_error(400, "MalformedXML"));
        }
        let mut state = self.state();
        for key in &params.keys {
            state.objects.remove(key);
        }
        Ok(DeleteObjectsResult::default())
    }

    async fn create_multipart_upload(
        &self,
        params: &CreateMultipartUploadParams,
    ) -> Result<CreateMultipartUploadResult> {
        let mut state = self.state();
        state.next_upload += 1;
        let upload_id = format!("memory-upload-{}", state.next_upload);
        state.uploads.insert(
            upload_id.clone(),
            Upload {
                key: params.key.clone(),
                metadata: params.metadata.clone(),
                content_type: params.content_type.clone(),
                parts: BTreeMap::new(),
            },
        );
        Ok(CreateMultipartUploadResult { upload_id })
    }

    async fn upload_part(&self, params: &UploadPartParams) -> Result<UploadPartResult> {
        let etag = etag_of(&params.body);
        self.state()
            .upload(&params.key, &params.upload_id)?
            .parts
            .insert(params.part_number, (etag.clone(), params.body.clone()));
        Ok(UploadPartResult { etag })
    }

    async fn upload_part_copy(&self, params: &UploadPartCopyParams) -> Result<UploadPartResult> {
        let mut state = self.state();
        let source = state.object_matching(&params.source_key, params.source_if_match.as_ref())?;
        let data = source
            .data
            .slice(byte_range(&params.source_range, source.meta.size)?);
        let etag = etag_of(&data);
        state
            .upload(&params.key, &params.upload_id)?
            .parts
            .insert(params.part_number, (etag.clone(), data));
        Ok(UploadPartResult { etag })
    }

    async fn list_parts(&self, params: &ListPartsParams) -> Result<ListPartsResult> {
        let mut state = self.state();
        let upload = state.upload(&params.key, &params.upload_id)?;
        let after: i32 = match &params.part_number_marker {
            Some(marker) => marker
                .parse()
                .map_err(|_| s3_error(400, "InvalidArgument"))?,
            None => 0,
        };
        let mut parts: Vec<(i32, String)> = upload
            .parts
            .range(after + 1..)
            .map(|(number, (etag, _))| (*number, etag.clone()))
            .take(PAGE + 1)
            .collect();
        let next_part_number_marker = (parts.len() > PAGE).then(|| {
            parts.truncate(PAGE);
            parts[PAGE - 1].0.to_string()
        });
        Ok(ListPartsResult {
            parts,
            next_part_number_marker,
        })
    }

    async fn complete_multipart_upload(
        &self,
        params: &CompleteMultipartUploadParams,
    ) -> Result<CompleteMultipartUploadResult> {
        let mut state = self.state();
        let upload = state.upload(&params.key, &params.upload_id)?;
        if params.parts.is_empty() || !params.parts.is_sorted_by_key(|(n, _)| *n) {
            return Err(s3_error(400, "InvalidPartOrder"));
        }
        let mut chunks = Vec::with_capacity(params.parts.len());
        for (i, (number, etag)) in params.parts.iter().enumerate() {
            let (stored_etag, data) = upload
                .parts
                .get(number)
                .filter(|(stored, _)| stored == etag)
                .ok_or_else(|| s3_error(400, "InvalidPart"))?;
            if data.len() < MIN_PART_SIZE && i + 1 < params.parts.len() {
                return Err(s3_error(400, "EntityTooSmall"));
            }
            chunks.push((stored_etag.clone(), data.clone()));
        }
        let upload = state
            .uploads
            .remove(&params.upload_id)
            .expect("the upload was found above");
        let data: Bytes = chunks
            .iter()
            .flat_map(|(_, d)| d.iter().copied())
            .collect::<Vec<u8>>()
            .into();
        let etag = format!(
            "\"{}-{}\"",
            etag_of(
                chunks
                    .iter()
                    .map(|(e, _)| e.as_str())
                    .collect::<String>()
                    .as_bytes()
            )
            .trim_matches('"'),
            chunks.len()
        );
        let meta = ObjectMeta {
            metadata: upload.metadata,
            content_type: upload.content_type,
            ..ObjectMeta::default()
        };
        let etag = state.store(&params.key, data, etag, meta);
        Ok(CompleteMultipartUploadResult { etag: Some(etag) })
    }

    async fn abort_multipart_upload(&self, params: &AbortMultipartUploadParams) -> Result<()> {
        let mut state = self.state();
        state.upload(&params.key, &params.upload_id)?;
        state.uploads.remove(&params.upload_id);
        Ok(())
    }

    async fn presign_get(&self, params: &PresignGetParams) -> Result<PresignedGet> {
        Ok(PresignedGet {
            url: format!(
                "memory:///{}?expires-in={}",
                params.key,
                params.expires_in.as_secs()
            ),
        })
    }
}
