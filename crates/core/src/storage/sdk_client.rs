//! [`ObjectClient`] over the AWS SDK for S3: the client every real folder uses.

use std::collections::HashMap;
use std::time::SystemTime;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{BehaviorVersion, Region, StalledStreamProtectionConfig};
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier};
use futures::stream;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::idle_timeout::{self, Silence};
use super::object_client::*;
use super::sdk_error::from_sdk;
use crate::config::Profile;
use crate::error::{Error, ErrorCode, Result};
use crate::timeouts::Timeouts;

/// Characters kept as they are in the `x-amz-copy-source` header.
const COPY_SOURCE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// One bucket through the AWS SDK. The SDK's own retries are off: [`super::Storage`] retries
/// every call under one policy (and one set of tests). Its own timeouts are off too but for
/// connecting: an attempt ends after a silence (see [`idle_timeout`]), not after a set time,
/// so a large part on a slow link is never cut while it moves.
#[derive(Debug, Clone)]
pub struct SdkClient {
    s3: aws_sdk_s3::Client,
    bucket: String,
}

impl SdkClient {
    /// The profile's bucket, signed with `credentials` (usually the renewing identity-pool
    /// provider; tests pass static credentials), with the default [`Timeouts`].
    pub fn new(profile: &Profile, credentials: impl ProvideCredentials + 'static) -> Self {
        Self::with_timeouts(profile, credentials, &Timeouts::default())
    }

    /// [`SdkClient::new`] with other network time limits.
    pub fn with_timeouts(
        profile: &Profile,
        credentials: impl ProvideCredentials + 'static,
        timeouts: &Timeouts,
    ) -> Self {
        let mut config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(profile.region.clone()))
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .retry_config(RetryConfig::disabled())
            .http_client(idle_timeout::client(timeouts.idle))
            // The idle watch covers both directions; the SDK's own check would cut a request
            // whose one large piece takes more than a few seconds to send.
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(timeouts.connect)
                    .build(),
            );
        if let Some(endpoint) = &profile.endpoints.s3 {
            config = config
                .endpoint_url(endpoint.as_str().trim_end_matches('/'))
                .force_path_style(true);
        }
        Self {
            s3: aws_sdk_s3::Client::from_conf(config.build()),
            bucket: profile.bucket.clone(),
        }
    }

    fn copy_source(&self, key: &str) -> String {
        format!("{}/{}", self.bucket, utf8_percent_encode(key, COPY_SOURCE))
    }

    async fn get_request(
        &self,
        params: &GetObjectParams,
        ranged: bool,
    ) -> SdkResult<GetObjectOutput, GetObjectError> {
        self.s3
            .get_object()
            .bucket(&self.bucket)
            .key(&params.key)
            .set_range(
                params
                    .range
                    .as_ref()
                    .filter(|_| ranged)
                    .map(|r| format!("bytes={}-{}", r.start, r.end.saturating_sub(1))),
            )
            .set_if_match(params.if_match.clone())
            .send()
            .await
    }
}

type SdkResult<T, E> = std::result::Result<T, SdkError<E, HttpResponse>>;

fn time(t: Option<&DateTime>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

fn metadata(m: Option<&HashMap<String, String>>) -> Metadata {
    m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn non_negative(n: Option<i64>) -> u64 {
    n.unwrap_or(0).max(0) as u64
}

/// A response without a field S3 always sends.
fn missing(what: &str) -> Error {
    Error::new(
        ErrorCode::StorageRequestFailed,
        format!("the storage server's answer had no {what}"),
    )
}

#[async_trait::async_trait]
impl ObjectClient for SdkClient {
    fn bucket(&self) -> &str {
        &self.bucket
    }

    async fn put_object(&self, params: &PutObjectParams) -> Result<PutObjectResult> {
        let out = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(&params.key)
            .set_metadata(Some(params.metadata.clone().into_iter().collect()))
            .set_checksum_crc64_nvme(params.checksum_crc64nvme.clone())
            .body(ByteStream::from(params.body.clone()))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(PutObjectResult {
            etag: out.e_tag().map(str::to_owned),
        })
    }

    async fn head_object(&self, params: &HeadObjectParams) -> Result<ObjectMeta> {
        let out = self
            .s3
            .head_object()
            .bucket(&self.bucket)
            .key(&params.key)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(ObjectMeta {
            size: non_negative(out.content_length()),
            etag: out.e_tag().map(str::to_owned),
            last_modified: time(out.last_modified()),
            content_type: out.content_type().map(str::to_owned),
            metadata: metadata(out.metadata()),
        })
    }

    async fn get_object(&self, params: &GetObjectParams) -> Result<GetObjectResult> {
        let out = match self.get_request(params, true).await {
            // An empty object has no first byte to ask for.
            Err(err)
                if params.range.as_ref().is_some_and(|r| r.start == 0)
                    && err
                        .raw_response()
                        .is_some_and(|r| r.status().as_u16() == 416) =>
            {
                self.get_request(params, false).await
            }
            other => other,
        }
        .map_err(from_sdk)?;
        let size = out
            .content_range()
            .and_then(|r| r.rsplit_once('/'))
            .and_then(|(_, total)| total.parse().ok())
            .unwrap_or(non_negative(out.content_length()));
        let object = ObjectMeta {
            size,
            etag: out.e_tag().map(str::to_owned),
            last_modified: time(out.last_modified()),
            content_type: out.content_type().map(str::to_owned),
            metadata: metadata(out.metadata()),
        };
        let body = stream::try_unfold(out.body, |mut body| async move {
            match body.try_next().await {
                Ok(Some(chunk)) => Ok(Some((chunk, body))),
                Ok(None) => Ok(None),
                Err(err) => Err(match Silence::in_chain(&err) {
                    Some(silence) => Error::new(
                        ErrorCode::NetTimeout,
                        format!("the storage server went silent ({silence})"),
                    ),
                    None => Error::new(
                        ErrorCode::NetInterrupted,
                        format!("the connection broke off ({err})"),
                    ),
                }),
            }
        });
        Ok(GetObjectResult {
            object,
            body: Box::pin(body),
        })
    }

    async fn list_objects(&self, params: &ListObjectsParams) -> Result<ListObjectsResult> {
        let out = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(&params.prefix)
            .set_delimiter(params.delimiter.clone())
            .set_continuation_token(params.continuation_token.clone())
            .set_start_after(params.start_after.clone())
            .set_max_keys(params.max_keys.map(|n| n.min(i32::MAX as u32) as i32))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(ListObjectsResult {
            objects: out
                .contents()
                .iter()
                .filter_map(|object| {
                    Some(ListedObject {
                        key: object.key()?.to_owned(),
                        size: non_negative(object.size()),
                        last_modified: time(object.last_modified()),
                        etag: object.e_tag().map(str::to_owned),
                    })
                })
                .collect(),
            common_prefixes: out
                .common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_owned))
                .collect(),
            next_continuation_token: out
                .is_truncated()
                .unwrap_or(false)
                .then(|| out.next_continuation_token().map(str::to_owned))
                .flatten(),
        })
    }

    async fn copy_object(&self, params: &CopyObjectParams) -> Result<CopyObjectResult> {
        let out = self
            .s3
            .copy_object()
            .bucket(&self.bucket)
            .copy_source(self.copy_source(&params.source_key))
            .set_copy_source_if_match(params.source_if_match.clone())
            .key(&params.key)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(CopyObjectResult {
            etag: out
                .copy_object_result()
                .and_then(|r| r.e_tag())
                .map(str::to_owned),
        })
    }

    async fn delete_objects(&self, params: &DeleteObjectsParams) -> Result<DeleteObjectsResult> {
        let objects = params
            .keys
            .iter()
            .map(|key| ObjectIdentifier::builder().key(key).build())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::internal(format!("building a delete request: {e}")))?;
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|e| Error::internal(format!("building a delete request: {e}")))?;
        let out = self
            .s3
            .delete_objects()
            .bucket(&self.bucket)
            .delete(delete)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(DeleteObjectsResult {
            errors: out
                .errors()
                .iter()
                .map(|e| DeleteObjectError {
                    key: e.key().unwrap_or_default().to_owned(),
                    code: e.code().map(str::to_owned),
                    message: e.message().map(str::to_owned),
                })
                .collect(),
        })
    }

    async fn create_multipart_upload(
        &self,
        params: &CreateMultipartUploadParams,
    ) -> Result<CreateMultipartUploadResult> {
        let out = self
            .s3
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(&params.key)
            .set_metadata(Some(params.metadata.clone().into_iter().collect()))
            .set_content_type(params.content_type.clone())
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(CreateMultipartUploadResult {
            upload_id: out
                .upload_id()
                .ok_or_else(|| missing("upload id for the new upload"))?
                .to_owned(),
        })
    }

    async fn upload_part(&self, params: &UploadPartParams) -> Result<UploadPartResult> {
        let out = self
            .s3
            .upload_part()
            .bucket(&self.bucket)
            .key(&params.key)
            .upload_id(&params.upload_id)
            .part_number(params.part_number)
            .body(ByteStream::from(params.body.clone()))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(UploadPartResult {
            etag: out
                .e_tag()
                .ok_or_else(|| missing("ETag for an uploaded part"))?
                .to_owned(),
        })
    }

    async fn upload_part_copy(&self, params: &UploadPartCopyParams) -> Result<UploadPartResult> {
        let range = &params.source_range;
        let out = self
            .s3
            .upload_part_copy()
            .bucket(&self.bucket)
            .key(&params.key)
            .upload_id(&params.upload_id)
            .part_number(params.part_number)
            .copy_source(self.copy_source(&params.source_key))
            .copy_source_range(format!(
                "bytes={}-{}",
                range.start,
                range.end.saturating_sub(1)
            ))
            .set_copy_source_if_match(params.source_if_match.clone())
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(UploadPartResult {
            etag: out
                .copy_part_result()
                .and_then(|r| r.e_tag())
                .ok_or_else(|| missing("ETag for a copied part"))?
                .to_owned(),
        })
    }

    async fn list_parts(&self, params: &ListPartsParams) -> Result<ListPartsResult> {
        let out = self
            .s3
            .list_parts()
            .bucket(&self.bucket)
            .key(&params.key)
            .upload_id(&params.upload_id)
            .set_part_number_marker(params.part_number_marker.clone())
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(ListPartsResult {
            parts: out
                .parts()
                .iter()
                .filter_map(|p| Some((p.part_number()?, p.e_tag()?.to_owned())))
                .collect(),
            next_part_number_marker: out
                .next_part_number_marker()
                .filter(|_| out.is_truncated() == Some(true))
                .map(str::to_owned),
        })
    }

    async fn complete_multipart_upload(
        &self,
        params: &CompleteMultipartUploadParams,
    ) -> Result<CompleteMultipartUploadResult> {
        let parts = params
            .parts
            .iter()
            .map(|(number, etag)| {
                CompletedPart::builder()
                    .part_number(*number)
                    .e_tag(etag)
                    .build()
            })
            .collect();
        let out = self
            .s3
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&params.key)
            .upload_id(&params.upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(CompleteMultipartUploadResult {
            etag: out.e_tag().map(str::to_owned),
        })
    }

    async fn abort_multipart_upload(&self, params: &AbortMultipartUploadParams) -> Result<()> {
        self.s3
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(&params.key)
            .upload_id(&params.upload_id)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    async fn presign_get(&self, params: &PresignGetParams) -> Result<PresignedGet> {
        let config = PresigningConfig::expires_in(params.expires_in).map_err(|e| {
            Error::internal(format!("share link lifetime {:?}: {e}", params.expires_in))
        })?;
        let request = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(&params.key)
            .presigned(config)
            .await
            .map_err(|e| Error::internal(format!("signing a share link: {e}")))?;
        Ok(PresignedGet {
            url: request.uri().to_owned(),
        })
    }
}
