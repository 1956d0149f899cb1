//! Copying and moving files and folders. S3 has no rename: a move is a copy of every object,
//! then a delete of the sources once all copies exist, so a failure part way leaves the source
//! whole. Objects above 5 GiB are copied in parts (UploadPartCopy).

use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use futures::{StreamExt, TryStreamExt, stream};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::client::Storage;
use super::entry::EntryKind;
use super::remote_path::RemotePath;
use crate::error::{Error, ErrorCode, Result};

/// Characters kept as they are in the `x-amz-copy-source` header.
const COPY_SOURCE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Server-side copies running at once for a folder.
const COPIES_IN_FLIGHT: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyLimits {
    /// Largest object copied with one CopyObject (S3 allows 5 GiB).
    pub single_copy_max: u64,
    /// Part size of larger copies.
    pub part_size: u64,
}

impl Default for CopyLimits {
    fn default() -> Self {
        Self {
            single_copy_max: 5 << 30,
            part_size: 512 << 20,
        }
    }
}

/// One object to copy.
struct CopyItem {
    from: String,
    to: String,
    size: u64,
}

/// Everything a copy or move will do, worked out before the first request that changes anything.
struct CopyPlan {
    items: Vec<CopyItem>,
    /// Folder marker to create at the destination (so empty folders survive a move).
    marker: Option<String>,
    /// Keys a move deletes afterwards.
    sources: Vec<String>,
    destination: RemotePath,
}

impl Storage {
    /// Copies a file or folder. When `to` is an existing folder the copy goes inside it.
    /// Returns where the copy is.
    pub async fn copy(&self, from: &RemotePath, to: &RemotePath) -> Result<RemotePath> {
        let plan = self.plan_copy(from, to).await?;
        self.run_copies(&plan).await?;
        Ok(plan.destination)
    }

    /// Moves (renames) a file or folder; the source is deleted only after every copy exists.
    pub async fn rename(&self, from: &RemotePath, to: &RemotePath) -> Result<RemotePath> {
        let plan = self.plan_copy(from, to).await?;
        self.run_copies(&plan).await?;
        self.delete_keys(plan.sources.clone())
            .await?
            .into_result()
            .map_err(|err| {
                err.prefixed(format!(
                    "copied {from} to {} but could not remove the source",
                    plan.destination
                ))
            })?;
        Ok(plan.destination)
    }

    async fn plan_copy(&self, from: &RemotePath, to: &RemotePath) -> Result<CopyPlan> {
        if from.is_root() {
            return Err(Error::new(
                ErrorCode::StorageInvalidPath,
                "cannot copy or move your whole folder; name something inside it",
            ));
        }
        let source = self.stat(from).await?;
        let destination = match self.stat(to).await {
            Ok(entry) if entry.is_folder() => to.join(from.name().unwrap_or_default())?,
            Ok(_) if source.is_folder() => {
                return Err(Error::new(
                    ErrorCode::StorageAlreadyExists,
                    format!("{to} is a file; a folder cannot replace it"),
                ));
            }
            Ok(_) => to.clone(),
            Err(err) if err.code == ErrorCode::StorageNotFound => to.clone(),
            Err(err) => return Err(err),
        };
        if destination == *from || destination.relative_to(from).is_some() {
            return Err(Error::new(
                ErrorCode::StorageInvalidPath,
                format!("cannot copy or move {from} onto or into itself ({destination})"),
            ));
        }
        match source.kind {
            EntryKind::File { size, .. } => Ok(CopyPlan {
                items: vec![CopyItem {
                    from: self.key(from)?,
                    to: self.key(&destination)?,
                    size,
                }],
                marker: None,
                sources: vec![self.key(from)?],
                destination,
            }),
            EntryKind::Folder => {
                let mut plan = CopyPlan {
                    items: Vec::new(),
                    marker: Some(self.folder.dir_prefix(&destination)?),
                    sources: vec![self.folder.dir_prefix(from)?],
                    destination,
                };
                for entry in self.list_all(from).await? {
                    let relative = entry
                        .path
                        .relative_to(from)
                        .ok_or_else(|| Error::not_found(from))?;
                    let target = plan.destination.join(relative)?;
                    let (source_key, target_key) = if entry.is_folder() {
                        (
                            self.folder.dir_prefix(&entry.path)?,
                            self.folder.dir_prefix(&target)?,
                        )
                    } else {
                        (self.key(&entry.path)?, self.key(&target)?)
                    };
                    plan.sources.push(source_key.clone());
                    plan.items.push(CopyItem {
                        from: source_key,
                        to: target_key,
                        size: entry.size(),
                    });
                }
                Ok(plan)
            }
        }
    }

    async fn run_copies(&self, plan: &CopyPlan) -> Result<()> {
        stream::iter(&plan.items)
            .map(|item| self.copy_object(item))
            .buffer_unordered(COPIES_IN_FLIGHT)
            .try_collect::<()>()
            .await?;
        if let Some(marker) = &plan.marker {
            let doing = format!("creating folder {}", plan.destination);
            self.send(&doing, || {
                self.s3
                    .put_object()
                    .bucket(&self.bucket)
                    .key(marker)
                    .body(Vec::new().into())
                    .send()
            })
            .await?;
        }
        Ok(())
    }

    async fn copy_object(&self, item: &CopyItem) -> Result<()> {
        if item.size > self.copy_limits.single_copy_max {
            return self.copy_in_parts(item).await;
        }
        let doing = format!("copying {}", item.from);
        self.send(&doing, || {
            self.s3
                .copy_object()
                .bucket(&self.bucket)
                .copy_source(self.copy_source(&item.from))
                .key(&item.to)
                .send()
        })
        .await?;
        Ok(())
    }

    /// A copy above CopyObject's limit: a multipart upload whose parts are ranges of the
    /// source, with the source's metadata. Aborted on failure so no parts are left behind.
    async fn copy_in_parts(&self, item: &CopyItem) -> Result<()> {
        let doing = format!("copying {}", item.from);
        let head = self
            .send(&doing, || {
                self.s3
                    .head_object()
                    .bucket(&self.bucket)
                    .key(&item.from)
                    .send()
            })
            .await?;
        let created = self
            .send(&doing, || {
                self.s3
                    .create_multipart_upload()
                    .bucket(&self.bucket)
                    .key(&item.to)
                    .set_metadata(head.metadata().cloned())
                    .set_content_type(head.content_type().map(str::to_owned))
                    .send()
            })
            .await?;
        let upload_id = created.upload_id().ok_or_else(|| {
            Error::internal("the server started a multipart copy without an upload id")
        })?;
        let result = self.copy_parts(item, upload_id, &doing).await;
        if result.is_err() {
            // Best effort: the copy already failed; an unaborted upload only costs storage.
            let _ = self
                .s3
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(&item.to)
                .upload_id(upload_id)
                .send()
                .await;
        }
        result
    }

    async fn copy_parts(&self, item: &CopyItem, upload_id: &str, doing: &str) -> Result<()> {
        let part_size = self.copy_limits.part_size.max(1);
        let ranges: Vec<(i32, u64, u64)> = (0..item.size.div_ceil(part_size))
            .map(|i| {
                let start = i * part_size;
                (i as i32 + 1, start, (start + part_size).min(item.size) - 1)
            })
            .collect();
        let mut parts: Vec<CompletedPart> = stream::iter(ranges)
            .map(|(number, first, last)| async move {
                let out = self
                    .send(doing, || {
                        self.s3
                            .upload_part_copy()
                            .bucket(&self.bucket)
                            .key(&item.to)
                            .upload_id(upload_id)
                            .part_number(number)
                            .copy_source(self.copy_source(&item.from))
                            .copy_source_range(format!("bytes={first}-{last}"))
                            .send()
                    })
                    .await?;
                let etag = out
                    .copy_part_result()
                    .and_then(|r| r.e_tag())
                    .map(str::to_owned);
                Ok::<_, Error>(
                    CompletedPart::builder()
                        .part_number(number)
                        .set_e_tag(etag)
                        .build(),
                )
            })
            .buffer_unordered(4)
            .try_collect()
            .await?;
        parts.sort_by_key(|p| p.part_number());
        let completed = CompletedMultipartUpload::builder()
            .set_parts(Some(parts))
            .build();
        self.send(doing, || {
            self.s3
                .complete_multipart_upload()
                .bucket(&self.bucket)
                .key(&item.to)
                .upload_id(upload_id)
                .multipart_upload(completed.clone())
                .send()
        })
        .await?;
        Ok(())
    }

    fn copy_source(&self, key: &str) -> String {
        format!("{}/{}", self.bucket, utf8_percent_encode(key, COPY_SOURCE))
    }
}
