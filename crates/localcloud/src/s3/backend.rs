//! The S3 operations on the one bucket localcloud serves, implemented over [`BucketStore`].
//! s3s parses requests and writes responses; access was checked by `policy.rs` before these run.

use std::collections::BTreeMap;
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use futures::Stream;
use s3s::checksum::ChecksumHasher;
use s3s::crypto::{Checksum as _, Md5};
use s3s::dto::*;
use s3s::{S3, S3Error, S3Request, S3Response, S3Result, s3_error};

use super::checksums::{self, RequestedChecksums};
use super::listing::{self, ListPage, ListQuery};
use super::policy::DeniedKeys;
use super::store::{BucketStore, CommitError, ContentHeaders, CopyError, DataWriter, ObjectMeta};

pub(crate) struct Backend {
    pub store: BucketStore,
}

/// A file written under `tmp/` with the digests of what went in.
pub(crate) struct Written {
    pub writer: DataWriter,
    pub md5: [u8; 16],
    pub checksums: Checksum,
}

pub(crate) fn internal(error: std::io::Error) -> S3Error {
    S3Error::internal_error(error)
}

/// Copies the five checksum fields of `c` into an output struct that has them.
macro_rules! set_checksums {
    ($out:expr, $c:expr) => {{
        let c: Checksum = $c;
        $out.checksum_crc32 = c.checksum_crc32;
        $out.checksum_crc32c = c.checksum_crc32c;
        $out.checksum_crc64nvme = c.checksum_crc64nvme;
        $out.checksum_sha1 = c.checksum_sha1;
        $out.checksum_sha256 = c.checksum_sha256;
    }};
}
pub(crate) use set_checksums;

/// `encoding-type=url` (the aws CLI and rclone ask for it): keys percent-encoded in listings.
fn encoder(encoding_type: Option<&EncodingType>) -> impl Fn(&str) -> String + use<> {
    let url = encoding_type.is_some_and(|e| e.as_str() == EncodingType::URL);
    move |s: &str| {
        if url {
            url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
        } else {
            s.to_owned()
        }
    }
}

fn max_keys(requested: Option<i32>) -> S3Result<usize> {
    match requested {
        None => Ok(listing::MAX_KEYS),
        Some(n) if n < 0 => Err(s3_error!(
            InvalidArgument,
            "max-keys must be between 0 and 1000"
        )),
        Some(n) => Ok((n as usize).min(listing::MAX_KEYS)),
    }
}

fn listed_objects(page: &ListPage, encode: &impl Fn(&str) -> String) -> Vec<Object> {
    page.objects
        .iter()
        .map(|m| listed_object(m, encode))
        .collect()
}

fn listed_prefixes(page: &ListPage, encode: &impl Fn(&str) -> String) -> Vec<CommonPrefix> {
    page.common_prefixes
        .iter()
        .map(|p| CommonPrefix {
            prefix: Some(encode(p)),
        })
        .collect()
}

fn listed_object(meta: &ObjectMeta, encode: &impl Fn(&str) -> String) -> Object {
    Object {
        key: Some(encode(&meta.key)),
        size: Some(meta.size as i64),
        e_tag: Some(ETag::Strong(meta.etag.clone())),
        last_modified: Some(Timestamp::from(meta.last_modified)),
        storage_class: Some(ObjectStorageClass::from_static(
            ObjectStorageClass::STANDARD,
        )),
        checksum_algorithm: meta
            .checksum
            .as_ref()
            .map(|c| vec![ChecksumAlgorithm::from(c.algorithm.clone())]),
        ..Default::default()
    }
}

fn content_headers(
    content_type: Option<String>,
    content_encoding: Option<String>,
    content_disposition: Option<String>,
    content_language: Option<String>,
    cache_control: Option<String>,
) -> ContentHeaders {
    ContentHeaders {
        content_type,
        content_encoding,
        content_disposition,
        content_language,
        cache_control,
    }
}

/// What `If-Match` / `If-None-Match` on a write demand of the object it would replace.
pub(crate) fn write_precondition(
    if_match: Option<ETagCondition>,
    if_none_match: Option<ETagCondition>,
) -> impl FnOnce(Option<&ObjectMeta>) -> S3Result<()> {
    move |current| {
        if let Some(condition) = if_none_match
            && let Some(current) = current
            && (condition.is_any()
                || condition
                    .as_etag()
                    .is_some_and(|e| e.value() == current.etag))
        {
            return Err(s3_error!(
                PreconditionFailed,
                "At least one of the pre-conditions you specified did not hold"
            ));
        }
        if let Some(condition) = if_match {
            let Some(current) = current else {
                return Err(s3_error!(
                    NoSuchKey,
                    "If-Match was given but the object does not exist"
                ));
            };
            if !condition.is_any()
                && condition
                    .as_etag()
                    .is_none_or(|e| e.value() != current.etag)
            {
                return Err(s3_error!(
                    PreconditionFailed,
                    "At least one of the pre-conditions you specified did not hold"
                ));
            }
        }
        Ok(())
    }
}

fn commit_error(error: CommitError<S3Error>) -> S3Error {
    match error {
        CommitError::Precondition(e) => e,
        CommitError::Io(e) => internal(e),
    }
}

fn output_checksum(
    meta: &ObjectMeta,
    mode: Option<&ChecksumMode>,
    whole: bool,
) -> (Checksum, Option<ChecksumType>) {
    let enabled = mode.is_some_and(|m| m.as_str() == ChecksumMode::ENABLED);
    if enabled && whole {
        checksums::to_dto(meta.checksum.as_ref())
    } else {
        (Checksum::default(), None)
    }
}

fn user_metadata(metadata: Option<Metadata>) -> BTreeMap<String, String> {
    metadata.unwrap_or_default().into_iter().collect()
}

fn metadata_out(meta: &ObjectMeta) -> Option<Metadata> {
    (!meta.user_metadata.is_empty()).then(|| meta.user_metadata.clone().into_iter().collect())
}

impl Backend {
    pub(crate) fn check_bucket(&self, bucket: &str) -> S3Result<()> {
        if bucket == self.store.name() {
            Ok(())
        } else {
            Err(s3_error!(
                NoSuchBucket,
                "The specified bucket does not exist: localcloud serves only \"{}\"",
                self.store.name()
            ))
        }
    }

    /// Writes `stream` to a new temporary file, computing MD5 and the checksums `hasher` enables.
    pub(crate) async fn write_hashed<S, E>(
        &self,
        stream: S,
        mut hasher: ChecksumHasher,
        source_error: impl FnOnce(E) -> S3Error,
    ) -> S3Result<Written>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let mut writer = self.store.writer().await.map_err(internal)?;
        let mut md5 = Md5::new();
        let copied = super::store::copy_stream(stream, &mut writer, |chunk| {
            md5.update(chunk);
            hasher.update(chunk);
        })
        .await;
        match copied {
            Ok(()) => Ok(Written {
                writer,
                md5: md5.finalize(),
                checksums: hasher.finalize(),
            }),
            Err(CopyError::Source(e)) => Err(source_error(e)),
            Err(CopyError::Io(e)) => Err(internal(e)),
        }
    }

    /// Opens the source of a copy: it must be an object of this bucket.
    /// The source of a copy, if it is the version `if_match` names (`x-amz-copy-source-if-match`;
    /// S3 answers 412 otherwise).
    pub(crate) async fn open_copy_source(
        &self,
        source: &CopySource,
        if_match: Option<&ETagCondition>,
    ) -> S3Result<(tokio::fs::File, ObjectMeta)> {
        let CopySource::Bucket { bucket, key, .. } = source else {
            return Err(s3_error!(
                NotImplemented,
                "Copy sources other than bucket/key are not supported"
            ));
        };
        self.check_bucket(bucket)?;
        let (file, meta) = self
            .store
            .open_object(key)
            .await
            .map_err(internal)?
            .ok_or_else(|| s3_error!(NoSuchKey, "The copy source {key:?} does not exist"))?;
        if let Some(condition) = if_match
            && !condition.is_any()
            && condition.as_etag().is_none_or(|e| e.value() != meta.etag)
        {
            return Err(s3_error!(
                PreconditionFailed,
                "At least one of the pre-conditions you specified did not hold"
            ));
        }
        Ok((file, meta))
    }
}

#[async_trait::async_trait]
impl S3 for Backend {
    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.check_bucket(&req.input.bucket)?;
        Ok(S3Response::new(HeadBucketOutput {
            bucket_region: Some("us-east-1".into()),
            ..Default::default()
        }))
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.check_bucket(&req.input.bucket)?;
        // us-east-1 is reported as an empty location constraint.
        Ok(S3Response::new(GetBucketLocationOutput::default()))
    }

    async fn list_buckets(
        &self,
        _req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(vec![Bucket {
                name: Some(self.store.name().to_owned()),
                bucket_region: Some("us-east-1".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }))
    }

    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.check_bucket(&req.input.bucket).map_err(|_| {
            s3_error!(
                InvalidRequest,
                "localcloud serves only the bucket \"{}\"",
                self.store.name()
            )
        })?;
        Err(s3_error!(BucketAlreadyOwnedByYou))
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let input = req.input;
        self.check_bucket(&input.bucket)?;
        let sent = checksums::checksum_fields!(input);
        let requested = RequestedChecksums::from_request(
            &req.headers,
            sent,
            input.checksum_algorithm.as_ref(),
            None,
        )?;
        let body = input
            .body
            .ok_or_else(|| s3_error!(IncompleteBody, "PutObject needs a request body"))?;
        let written = self
            .write_hashed(body, requested.hasher(), checksums::body_error)
            .await?;
        checksums::verify_content_md5(input.content_md5.as_deref(), &written.md5)?;
        let checksum = requested.verify(
            &written.checksums,
            req.trailing_headers.and_then(|t| t.take()),
        )?;

        let meta = ObjectMeta {
            key: input.key,
            size: written.writer.written(),
            etag: hex::encode(written.md5),
            last_modified: SystemTime::now(),
            content: content_headers(
                input.content_type,
                input.content_encoding,
                input.content_disposition,
                input.content_language,
                input.cache_control,
            ),
            user_metadata: user_metadata(input.metadata),
            checksum,
            parts_count: None,
        };
        let temp = written.writer.finish(&meta).await.map_err(internal)?;
        let meta = self
            .store
            .commit(
                temp,
                meta,
                write_precondition(input.if_match, input.if_none_match),
            )
            .map_err(commit_error)?;

        let (checksum, checksum_type) = checksums::to_dto(meta.checksum.as_ref());
        let mut output = PutObjectOutput {
            e_tag: Some(ETag::Strong(meta.etag.clone())),
            size: Some(meta.size as i64),
            checksum_type,
            ..Default::default()
        };
        set_checksums!(output, checksum);
        Ok(S3Response::new(output))
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let input = req.input;
        self.check_bucket(&input.bucket)?;
        if input.part_number.is_some() {
            return Err(s3_error!(
                NotImplemented,
                "GetObject with partNumber is not supported by localcloud"
            ));
        }
        let (file, meta) = self
            .store
            .open_object(&input.key)
            .await
            .map_err(internal)?
            .ok_or_else(|| s3_error!(NoSuchKey))?;
        let range = input.range.map(|r| r.check(meta.size)).transpose()?;
        let (start, len) = range
            .as_ref()
            .map_or((0, meta.size), |r| (r.start, r.end - r.start));
        let content_range = range
            .as_ref()
            .map(|r| format!("bytes {}-{}/{}", r.start, r.end - 1, meta.size));
        let body = super::store::read_range(file, start, len)
            .await
            .map_err(internal)?;

        let (checksum, checksum_type) =
            output_checksum(&meta, input.checksum_mode.as_ref(), len == meta.size);
        let mut output = GetObjectOutput {
            body: Some(StreamingBlob::wrap(body)),
            accept_ranges: Some("bytes".into()),
            content_length: Some(len as i64),
            content_range,
            content_type: input
                .response_content_type
                .or_else(|| meta.content.content_type.clone()),
            content_encoding: input
                .response_content_encoding
                .or_else(|| meta.content.content_encoding.clone()),
            content_disposition: input
                .response_content_disposition
                .or_else(|| meta.content.content_disposition.clone()),
            content_language: input
                .response_content_language
                .or_else(|| meta.content.content_language.clone()),
            cache_control: input
                .response_cache_control
                .or_else(|| meta.content.cache_control.clone()),
            e_tag: Some(ETag::Strong(meta.etag.clone())),
            last_modified: Some(Timestamp::from(meta.last_modified)),
            metadata: metadata_out(&meta),
            checksum_type,
            ..Default::default()
        };
        set_checksums!(output, checksum);
        Ok(S3Response::new(output))
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let input = req.input;
        self.check_bucket(&input.bucket)?;
        let meta = self
            .store
            .head(&input.key)
            .ok_or_else(|| s3_error!(NoSuchKey))?;
        let (checksum, checksum_type) = output_checksum(&meta, input.checksum_mode.as_ref(), true);
        let mut output = HeadObjectOutput {
            accept_ranges: Some("bytes".into()),
            content_length: Some(meta.size as i64),
            content_type: meta.content.content_type.clone(),
            content_encoding: meta.content.content_encoding.clone(),
            content_disposition: meta.content.content_disposition.clone(),
            content_language: meta.content.content_language.clone(),
            cache_control: meta.content.cache_control.clone(),
            e_tag: Some(ETag::Strong(meta.etag.clone())),
            last_modified: Some(Timestamp::from(meta.last_modified)),
            metadata: metadata_out(&meta),
            checksum_type,
            ..Default::default()
        };
        set_checksums!(output, checksum);
        Ok(S3Response::new(output))
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.check_bucket(&req.input.bucket)?;
        self.store.delete(&req.input.key).map_err(internal)?;
        Ok(S3Response::new(DeleteObjectOutput::default()))
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let input = req.input;
        self.check_bucket(&input.bucket)?;
        let denied = req
            .extensions
            .get::<DeniedKeys>()
            .cloned()
            .unwrap_or_default();
        if input.delete.objects.len() + denied.0.len() > 1000 {
            return Err(s3_error!(
                MalformedXML,
                "DeleteObjects takes at most 1000 keys"
            ));
        }
        let quiet = input.delete.quiet.unwrap_or(false);
        let mut deleted = Vec::new();
        let mut errors: Vec<Error> = denied
            .0
            .into_iter()
            .map(|key| Error {
                code: Some("AccessDenied".into()),
                message: Some("Access Denied".into()),
                key: Some(key),
                ..Default::default()
            })
            .collect();
        for object in input.delete.objects {
            match self.store.delete(&object.key) {
                Ok(_) if quiet => {}
                Ok(_) => deleted.push(DeletedObject {
                    key: Some(object.key),
                    ..Default::default()
                }),
                Err(e) => errors.push(Error {
                    code: Some("InternalError".into()),
                    message: Some(e.to_string()),
                    key: Some(object.key),
                    ..Default::default()
                }),
            }
        }
        Ok(S3Response::new(DeleteObjectsOutput {
            deleted: Some(deleted),
            errors: Some(errors),
            ..Default::default()
        }))
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        let input = req.input;
        self.check_bucket(&input.bucket)?;
        let (file, source) = self
            .open_copy_source(&input.copy_source, input.copy_source_if_match.as_ref())
            .await?;
        let replace = input
            .metadata_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == MetadataDirective::REPLACE);
        if !replace && source.key == input.key {
            return Err(s3_error!(
                InvalidRequest,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata."
            ));
        }
        let algorithm = match &input.checksum_algorithm {
            Some(alg) => Some(alg.as_str().to_owned()),
            None => source.checksum.as_ref().map(|c| c.algorithm.clone()),
        };
        let requested = RequestedChecksums::from_request(
            &http::HeaderMap::new(),
            Checksum::default(),
            algorithm.map(ChecksumAlgorithm::from).as_ref(),
            None,
        )?;
        let data = super::store::read_range(file, 0, source.size)
            .await
            .map_err(internal)?;
        let written = self
            .write_hashed(data, requested.hasher(), internal)
            .await?;
        let checksum = requested.verify(&written.checksums, None)?;
        let (content, user_metadata) = if replace {
            let content = content_headers(
                input.content_type,
                input.content_encoding,
                input.content_disposition,
                input.content_language,
                input.cache_control,
            );
            (content, user_metadata(input.metadata))
        } else {
            (source.content, source.user_metadata)
        };
        let meta = ObjectMeta {
            key: input.key,
            size: written.writer.written(),
            etag: hex::encode(written.md5),
            last_modified: SystemTime::now(),
            content,
            user_metadata,
            checksum,
            parts_count: None,
        };
        let temp = written.writer.finish(&meta).await.map_err(internal)?;
        let meta = self
            .store
            .commit(temp, meta, |_| Ok(()))
            .map_err(commit_error)?;
        let (checksum, checksum_type) = checksums::to_dto(meta.checksum.as_ref());
        let mut result = CopyObjectResult {
            e_tag: Some(ETag::Strong(meta.etag.clone())),
            last_modified: Some(Timestamp::from(meta.last_modified)),
            checksum_type,
            ..Default::default()
        };
        set_checksums!(result, checksum);
        Ok(S3Response::new(CopyObjectOutput {
            copy_object_result: Some(result),
            ..Default::default()
        }))
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = req.input;
        self.check_bucket(&input.bucket)?;
        let max_keys = max_keys(input.max_keys)?;
        let resume = input
            .continuation_token
            .as_deref()
            .map(|token| {
                URL_SAFE_NO_PAD
                    .decode(token)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(|| {
                        s3_error!(
                            InvalidArgument,
                            "The continuation token provided is incorrect"
                        )
                    })
            })
            .transpose()?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let query = ListQuery {
            prefix: &prefix,
            delimiter: input.delimiter.as_deref(),
            after: resume.as_deref().or(input.start_after.as_deref()),
            resuming: resume.is_some(),
            max_keys,
        };
        let page = self.store.with_index(|index| listing::list(index, &query));
        let encode = encoder(input.encoding_type.as_ref());
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(self.store.name().to_owned()),
            prefix: Some(encode(&prefix)),
            delimiter: input.delimiter.as_deref().map(&encode),
            start_after: input.start_after.as_deref().map(&encode),
            encoding_type: input.encoding_type,
            max_keys: Some(max_keys as i32),
            key_count: Some((page.objects.len() + page.common_prefixes.len()) as i32),
            continuation_token: input.continuation_token,
            is_truncated: Some(page.truncated),
            next_continuation_token: page.next_marker.as_ref().map(|m| URL_SAFE_NO_PAD.encode(m)),
            contents: Some(listed_objects(&page, &encode)),
            common_prefixes: Some(listed_prefixes(&page, &encode)),
            ..Default::default()
        }))
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        let input = req.input;
        self.check_bucket(&input.bucket)?;
        let max_keys = max_keys(input.max_keys)?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let query = ListQuery {
            prefix: &prefix,
            delimiter: input.delimiter.as_deref(),
            after: input.marker.as_deref().filter(|m| !m.is_empty()),
            resuming: true,
            max_keys,
        };
        let page = self.store.with_index(|index| listing::list(index, &query));
        let encode = encoder(input.encoding_type.as_ref());
        Ok(S3Response::new(ListObjectsOutput {
            name: Some(self.store.name().to_owned()),
            prefix: Some(encode(&prefix)),
            delimiter: input.delimiter.as_deref().map(&encode),
            marker: input.marker.as_deref().map(&encode),
            encoding_type: input.encoding_type,
            max_keys: Some(max_keys as i32),
            is_truncated: Some(page.truncated),
            next_marker: page.next_marker.as_deref().map(&encode),
            contents: Some(listed_objects(&page, &encode)),
            common_prefixes: Some(listed_prefixes(&page, &encode)),
            ..Default::default()
        }))
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        self.create_upload(req.input).await.map(S3Response::new)
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        self.put_part(req.input, &req.headers, req.trailing_headers)
            .await
            .map(S3Response::new)
    }

    async fn upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        self.copy_part(req.input).await.map(S3Response::new)
    }

    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        self.parts(req.input).await.map(S3Response::new)
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        self.complete_upload(req.input).await.map(S3Response::new)
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        self.abort_upload(req.input).await.map(S3Response::new)
    }

    async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        self.uploads(req.input).await.map(S3Response::new)
    }
}
