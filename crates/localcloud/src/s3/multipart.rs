//! Multipart uploads: `uploads/<upload id>/upload.json` (key, headers, metadata) and one
//! `part-NNNNN` file per part (bytes + trailer), concatenated into an object on completion.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;
use std::time::SystemTime;

use http::HeaderMap;
use s3s::crypto::{Checksum as _, Md5};
use s3s::dto::*;
use s3s::{S3Result, TrailingHeaders, s3_error};
use serde::{Deserialize, Serialize};

use super::backend::{Backend, internal, set_checksums, write_precondition};
use super::checksums::{self, RequestedChecksums};
use super::store::{self, ContentHeaders, ObjectMeta, StoredChecksum};

/// S3's limits: part numbers 1..=10000, every part but the last at least 5 MiB.
const MAX_PART_NUMBER: i32 = 10_000;
const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
const UPLOAD_INFO: &str = "upload.json";

/// What CreateMultipartUpload fixed for the object to be.
#[derive(Debug, Serialize, Deserialize)]
struct UploadInfo {
    key: String,
    initiated: SystemTime,
    content: ContentHeaders,
    user_metadata: BTreeMap<String, String>,
    checksum_algorithm: Option<String>,
}

/// The trailer of a part file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PartMeta {
    part_number: i32,
    size: u64,
    /// Hex MD5 of the part.
    etag: String,
    last_modified: SystemTime,
    checksum: Option<StoredChecksum>,
}

fn no_such_upload() -> s3s::S3Error {
    s3_error!(
        NoSuchUpload,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    )
}

fn part_file(dir: &std::path::Path, part_number: i32) -> PathBuf {
    dir.join(format!("part-{part_number:05}"))
}

fn check_part_number(part_number: i32) -> S3Result<()> {
    if (1..=MAX_PART_NUMBER).contains(&part_number) {
        Ok(())
    } else {
        Err(s3_error!(
            InvalidArgument,
            "Part number must be an integer between 1 and 10000, inclusive"
        ))
    }
}

/// Parses `bytes=first-last` of UploadPartCopy into a start and length within `size`.
fn copy_source_range(range: Option<&str>, size: u64) -> S3Result<(u64, u64)> {
    let Some(range) = range else {
        return Ok((0, size));
    };
    let invalid = || {
        s3_error!(
            InvalidArgument,
            "The x-amz-copy-source-range value must be of the form bytes=first-last"
        )
    };
    let (first, last) = range
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
        .ok_or_else(invalid)?;
    let first: u64 = first.parse().map_err(|_| invalid())?;
    let last: u64 = last.parse().map_err(|_| invalid())?;
    if first > last || last >= size {
        return Err(s3_error!(
            InvalidRange,
            "The x-amz-copy-source-range is outside the source object"
        ));
    }
    Ok((first, last - first + 1))
}

async fn read_upload_info(dir: PathBuf) -> io::Result<Option<UploadInfo>> {
    match tokio::fs::read(dir.join(UPLOAD_INFO)).await {
        Ok(json) => serde_json::from_slice(&json)
            .map(Some)
            .map_err(io::Error::other),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// All parts of an upload, by part number.
async fn read_parts(dir: PathBuf) -> io::Result<BTreeMap<i32, PartMeta>> {
    tokio::task::spawn_blocking(move || {
        let mut parts = BTreeMap::new();
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("part-"))
            {
                let meta: PartMeta = store::read_trailer(&mut std::fs::File::open(&path)?)?;
                parts.insert(meta.part_number, meta);
            }
        }
        Ok(parts)
    })
    .await
    .map_err(io::Error::other)?
}

impl Backend {
    /// The directory and info of an upload, checked against the key the request names.
    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> S3Result<(PathBuf, UploadInfo)> {
        self.check_bucket(bucket)?;
        // Upload ids are UUIDs; anything else never names a directory (no path tricks).
        let id = uuid::Uuid::parse_str(upload_id).map_err(|_| no_such_upload())?;
        let dir = self.store.uploads_dir().join(id.to_string());
        match read_upload_info(dir.clone()).await.map_err(internal)? {
            Some(info) if info.key == key => Ok((dir, info)),
            _ => Err(no_such_upload()),
        }
    }

    pub(crate) async fn create_upload(
        &self,
        input: CreateMultipartUploadInput,
    ) -> S3Result<CreateMultipartUploadOutput> {
        self.check_bucket(&input.bucket)?;
        let checksum_algorithm = match &input.checksum_algorithm {
            Some(alg) => RequestedChecksums::from_request(
                &HeaderMap::new(),
                Checksum::default(),
                Some(alg),
                None,
            )
            .map(|_| Some(alg.as_str().to_ascii_uppercase()))?,
            None => None,
        };
        let info = UploadInfo {
            key: input.key.clone(),
            initiated: SystemTime::now(),
            content: ContentHeaders {
                content_type: input.content_type,
                content_encoding: input.content_encoding,
                content_disposition: input.content_disposition,
                content_language: input.content_language,
                cache_control: input.cache_control,
            },
            user_metadata: input.metadata.unwrap_or_default().into_iter().collect(),
            checksum_algorithm,
        };
        let upload_id = uuid::Uuid::new_v4().to_string();
        // Prepared under tmp/ and renamed, so an upload directory always has its info.
        let staging = self.store.temp_path();
        let json = serde_json::to_vec(&info).map_err(|e| internal(io::Error::other(e)))?;
        let dest = self.store.uploads_dir().join(&upload_id);
        let prepared = async {
            tokio::fs::create_dir(&staging).await?;
            tokio::fs::write(staging.join(UPLOAD_INFO), json).await?;
            tokio::fs::rename(&staging, &dest).await
        }
        .await;
        if let Err(e) = prepared {
            let _ = tokio::fs::remove_dir_all(&staging).await;
            return Err(internal(e));
        }
        Ok(CreateMultipartUploadOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(upload_id),
            checksum_algorithm: info.checksum_algorithm.map(ChecksumAlgorithm::from),
            ..Default::default()
        })
    }

    pub(crate) async fn put_part(
        &self,
        input: UploadPartInput,
        headers: &HeaderMap,
        trailers: Option<TrailingHeaders>,
    ) -> S3Result<UploadPartOutput> {
        check_part_number(input.part_number)?;
        let (dir, info) = self
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
        let sent = checksums::checksum_fields!(input);
        let requested = RequestedChecksums::from_request(
            headers,
            sent,
            input.checksum_algorithm.as_ref(),
            info.checksum_algorithm.as_deref(),
        )?;
        let body = input
            .body
            .ok_or_else(|| s3_error!(IncompleteBody, "UploadPart needs a request body"))?;
        let written = self
            .write_hashed(body, requested.hasher(), checksums::body_error)
            .await?;
        checksums::verify_content_md5(input.content_md5.as_deref(), &written.md5)?;
        let checksum = requested.verify(&written.checksums, trailers.and_then(|t| t.take()))?;
        let part = PartMeta {
            part_number: input.part_number,
            size: written.writer.written(),
            etag: hex::encode(written.md5),
            last_modified: SystemTime::now(),
            checksum,
        };
        self.store_part(written.writer, &dir, &part).await?;
        let (checksum, _) = checksums::to_dto(part.checksum.as_ref());
        let mut output = UploadPartOutput {
            e_tag: Some(ETag::Strong(part.etag)),
            ..Default::default()
        };
        set_checksums!(output, checksum);
        Ok(output)
    }

    async fn store_part(
        &self,
        writer: store::DataWriter,
        dir: &std::path::Path,
        part: &PartMeta,
    ) -> S3Result<()> {
        let temp = writer.finish(part).await.map_err(internal)?;
        match temp.persist(&part_file(dir, part.part_number)) {
            Ok(()) => Ok(()),
            // The upload was aborted or completed while the part streamed in.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(no_such_upload()),
            Err(e) => Err(internal(e)),
        }
    }

    pub(crate) async fn copy_part(
        &self,
        input: UploadPartCopyInput,
    ) -> S3Result<UploadPartCopyOutput> {
        check_part_number(input.part_number)?;
        let (dir, info) = self
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
        let (file, source) = self
            .open_copy_source(&input.copy_source, input.copy_source_if_match.as_ref())
            .await?;
        let (start, len) = copy_source_range(input.copy_source_range.as_deref(), source.size)?;
        let algorithm = info.checksum_algorithm.map(ChecksumAlgorithm::from);
        let requested = RequestedChecksums::from_request(
            &HeaderMap::new(),
            Checksum::default(),
            algorithm.as_ref(),
            None,
        )?;
        let data = store::read_range(file, start, len)
            .await
            .map_err(internal)?;
        let written = self
            .write_hashed(data, requested.hasher(), internal)
            .await?;
        let part = PartMeta {
            part_number: input.part_number,
            size: written.writer.written(),
            etag: hex::encode(written.md5),
            last_modified: SystemTime::now(),
            checksum: requested.verify(&written.checksums, None)?,
        };
        self.store_part(written.writer, &dir, &part).await?;
        let (checksum, _) = checksums::to_dto(part.checksum.as_ref());
        let mut result = CopyPartResult {
            e_tag: Some(ETag::Strong(part.etag)),
            last_modified: Some(Timestamp::from(part.last_modified)),
            ..Default::default()
        };
        set_checksums!(result, checksum);
        Ok(UploadPartCopyOutput {
            copy_part_result: Some(result),
            ..Default::default()
        })
    }

    pub(crate) async fn parts(&self, input: ListPartsInput) -> S3Result<ListPartsOutput> {
        let (dir, info) = self
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
        let max_parts = input.max_parts.map_or(1000, |n| n.clamp(0, 1000)) as usize;
        let marker = input.part_number_marker.unwrap_or(0);
        let all = read_parts(dir).await.map_err(internal)?;
        let mut remaining = all
            .into_values()
            .filter(|p| p.part_number > marker)
            .peekable();
        let page: Vec<PartMeta> = remaining.by_ref().take(max_parts).collect();
        let truncated = remaining.peek().is_some();
        Ok(ListPartsOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(input.upload_id),
            max_parts: Some(max_parts as i32),
            part_number_marker: input.part_number_marker,
            is_truncated: Some(truncated),
            next_part_number_marker: page.last().filter(|_| truncated).map(|p| p.part_number),
            checksum_algorithm: info.checksum_algorithm.map(ChecksumAlgorithm::from),
            parts: Some(
                page.into_iter()
                    .map(|p| {
                        let (checksum, _) = checksums::to_dto(p.checksum.as_ref());
                        let mut part = Part {
                            part_number: Some(p.part_number),
                            size: Some(p.size as i64),
                            e_tag: Some(ETag::Strong(p.etag)),
                            last_modified: Some(Timestamp::from(p.last_modified)),
                            ..Default::default()
                        };
                        set_checksums!(part, checksum);
                        part
                    })
                    .collect(),
            ),
            ..Default::default()
        })
    }

    pub(crate) async fn complete_upload(
        &self,
        input: CompleteMultipartUploadInput,
    ) -> S3Result<CompleteMultipartUploadOutput> {
        let (dir, info) = self
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
        let requested: Vec<CompletedPart> = input
            .multipart_upload
            .and_then(|m| m.parts)
            .unwrap_or_default();
        if requested.is_empty() {
            return Err(s3_error!(
                MalformedXML,
                "CompleteMultipartUpload needs at least one part"
            ));
        }
        let stored = read_parts(dir.clone()).await.map_err(internal)?;
        let mut chosen: Vec<&PartMeta> = Vec::with_capacity(requested.len());
        for wanted in &requested {
            let number = wanted
                .part_number
                .ok_or_else(|| s3_error!(InvalidPart, "Every part needs a PartNumber"))?;
            if chosen.last().is_some_and(|prev| prev.part_number >= number) {
                return Err(s3_error!(
                    InvalidPartOrder,
                    "The list of parts was not in ascending order."
                ));
            }
            let part = stored
                .get(&number)
                .ok_or_else(|| s3_error!(InvalidPart, "Part {number} was not uploaded"))?;
            if wanted
                .e_tag
                .as_ref()
                .is_some_and(|e| e.value() != part.etag)
            {
                return Err(s3_error!(
                    InvalidPart,
                    "The ETag given for part {number} does not match the uploaded part"
                ));
            }
            let listed = wanted.clone();
            let given = checksums::checksum_fields!(listed);
            let (stored_checksum, _) = checksums::to_dto(part.checksum.as_ref());
            if !checksums::consistent(&given, &stored_checksum) {
                return Err(s3_error!(
                    InvalidPart,
                    "The checksum given for part {number} does not match the uploaded part"
                ));
            }
            chosen.push(part);
        }
        if let Some(small) = chosen[..chosen.len() - 1]
            .iter()
            .find(|p| p.size < MIN_PART_SIZE)
        {
            return Err(s3_error!(
                EntityTooSmall,
                "Part {} is smaller than the 5 MiB minimum for all but the last part",
                small.part_number
            ));
        }

        let mut writer = self.store.writer().await.map_err(internal)?;
        let mut md5_of_md5s = Md5::new();
        for part in &chosen {
            md5_of_md5s
                .update(&hex::decode(&part.etag).map_err(|e| internal(io::Error::other(e)))?);
            let (file, _): (tokio::fs::File, PartMeta) =
                store::open_with_trailer(part_file(&dir, part.part_number))
                    .await
                    .map_err(internal)?
                    .ok_or_else(no_such_upload)?;
            let data = store::read_range(file, 0, part.size)
                .await
                .map_err(internal)?;
            store::copy_stream(data, &mut writer, |_| {})
                .await
                .map_err(|e| match e {
                    store::CopyError::Source(e) | store::CopyError::Io(e) => internal(e),
                })?;
        }
        let algorithm = info.checksum_algorithm.clone().or_else(|| {
            chosen
                .first()
                .and_then(|p| p.checksum.as_ref())
                .map(|c| c.algorithm.clone())
        });
        let part_checksums: Vec<Option<&StoredChecksum>> =
            chosen.iter().map(|p| p.checksum.as_ref()).collect();
        let meta = ObjectMeta {
            key: info.key,
            size: writer.written(),
            etag: format!("{}-{}", hex::encode(md5_of_md5s.finalize()), chosen.len()),
            last_modified: SystemTime::now(),
            content: info.content,
            user_metadata: info.user_metadata,
            checksum: algorithm.and_then(|alg| checksums::composite(&alg, &part_checksums)),
            parts_count: Some(chosen.len() as u32),
        };
        let temp = writer.finish(&meta).await.map_err(internal)?;
        let meta = self
            .store
            .commit(
                temp,
                meta,
                write_precondition(input.if_match, input.if_none_match),
            )
            .map_err(|e| match e {
                store::CommitError::Precondition(e) => e,
                store::CommitError::Io(e) => internal(e),
            })?;
        if let Err(e) = tokio::fs::remove_dir_all(&dir).await {
            tracing::warn!(upload = %input.upload_id, error = %e, "completed upload left its parts behind");
        }
        let (checksum, checksum_type) = checksums::to_dto(meta.checksum.as_ref());
        let mut output = CompleteMultipartUploadOutput {
            bucket: Some(input.bucket),
            key: Some(meta.key.clone()),
            e_tag: Some(ETag::Strong(meta.etag.clone())),
            checksum_type,
            ..Default::default()
        };
        set_checksums!(output, checksum);
        Ok(output)
    }

    pub(crate) async fn abort_upload(
        &self,
        input: AbortMultipartUploadInput,
    ) -> S3Result<AbortMultipartUploadOutput> {
        let (dir, _) = self
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
        match tokio::fs::remove_dir_all(&dir).await {
            Ok(()) => Ok(AbortMultipartUploadOutput::default()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(no_such_upload()),
            Err(e) => Err(internal(e)),
        }
    }

    pub(crate) async fn uploads(
        &self,
        input: ListMultipartUploadsInput,
    ) -> S3Result<ListMultipartUploadsOutput> {
        self.check_bucket(&input.bucket)?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let max_uploads = input.max_uploads.map_or(1000, |n| n.clamp(0, 1000)) as usize;
        let mut found: Vec<(String, UploadInfo)> = Vec::new();
        let mut entries = tokio::fs::read_dir(self.store.uploads_dir())
            .await
            .map_err(internal)?;
        while let Some(entry) = entries.next_entry().await.map_err(internal)? {
            let id = entry.file_name().to_string_lossy().into_owned();
            if let Some(info) = read_upload_info(entry.path()).await.map_err(internal)?
                && info.key.starts_with(&prefix)
                && input
                    .key_marker
                    .as_deref()
                    .is_none_or(|marker| info.key.as_str() > marker)
            {
                found.push((id, info));
            }
        }
        found.sort_by(|a, b| (&a.1.key, a.1.initiated).cmp(&(&b.1.key, b.1.initiated)));
        let truncated = found.len() > max_uploads;
        found.truncate(max_uploads);
        let last = found
            .last()
            .filter(|_| truncated)
            .map(|(id, info)| (id.clone(), info.key.clone()));
        Ok(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: input.prefix,
            key_marker: input.key_marker,
            max_uploads: Some(max_uploads as i32),
            is_truncated: Some(truncated),
            next_key_marker: last.as_ref().map(|(_, key)| key.clone()),
            next_upload_id_marker: last.map(|(id, _)| id),
            uploads: Some(
                found
                    .into_iter()
                    .map(|(id, info)| MultipartUpload {
                        upload_id: Some(id),
                        key: Some(info.key),
                        initiated: Some(Timestamp::from(info.initiated)),
                        checksum_algorithm: info.checksum_algorithm.map(ChecksumAlgorithm::from),
                        storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_range_is_parsed_and_bounded() {
        assert_eq!(copy_source_range(None, 10).unwrap(), (0, 10));
        assert_eq!(copy_source_range(Some("bytes=2-5"), 10).unwrap(), (2, 4));
        assert_eq!(
            copy_source_range(Some("bytes=5-10"), 10)
                .unwrap_err()
                .code(),
            &s3s::S3ErrorCode::InvalidRange
        );
        assert_eq!(
            copy_source_range(Some("2-5"), 10).unwrap_err().code(),
            &s3s::S3ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn part_numbers_are_bounded() {
        assert!(check_part_number(1).is_ok());
        assert!(check_part_number(10_000).is_ok());
        assert!(check_part_number(0).is_err());
        assert!(check_part_number(10_001).is_err());
    }
}
