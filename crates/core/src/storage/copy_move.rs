//! Copying and moving files and folders. S3 has no rename: a move is a copy of every object,
//! then a delete of the sources once all copies exist, so a failure part way leaves the source
//! whole. Objects above 5 GiB are copied in parts (UploadPartCopy). Every copy, and every part
//! of one, names the version of the source that was planned (`x-amz-copy-source-if-match`):
//! a source written meanwhile fails the copy, so a move never deletes a file it did not copy
//! and a copy in parts is never a mix of two versions.

use futures::{StreamExt, TryStreamExt, stream};

use super::folder::Storage;
use super::listed_key::Listed;
use super::listing::Stat;
use super::object_client::{
    CompleteMultipartUploadParams, CopyObjectParams, CreateMultipartUploadParams, HeadObjectParams,
    PutObjectParams, UploadPartCopyParams,
};
use super::remote_path::RemotePath;
use crate::error::{Error, ErrorCode, Result};

/// Server-side copies running at once for a folder.
const COPIES_IN_FLIGHT: usize = 16;

/// One object to copy.
struct CopyItem {
    from: String,
    to: String,
    size: u64,
    /// The version of `from` planned for.
    etag: Option<String>,
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
        self.run_copies(&plan).await.map_err(|err| {
            if err.code == ErrorCode::StorageSourceChanged {
                Error::new(
                    err.code,
                    format!(
                        "{from} changed while it was being moved, so nothing was deleted; move it again ({})",
                        err.message
                    ),
                )
            } else {
                err
            }
        })?;
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
        let source = self.stat_object(from).await?;
        let destination = match self.stat(to).await {
            Ok(entry) if entry.is_folder() => to.join(from.name().unwrap_or_default())?,
            Ok(_) if matches!(source, Stat::Folder) => {
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
        match source {
            Stat::File(info) => Ok(CopyPlan {
                items: vec![CopyItem {
                    from: self.key(from)?,
                    to: self.key(&destination)?,
                    size: info.size,
                    etag: info.etag,
                }],
                marker: None,
                sources: vec![self.key(from)?],
                destination,
            }),
            Stat::Folder => self.plan_folder_copy(from, destination).await,
        }
    }

    /// Every object below the folder `from`, to go below `destination`. A folder holding keys
    /// that are not clean paths is refused: their copies could not be named from paths.
    async fn plan_folder_copy(
        &self,
        from: &RemotePath,
        destination: RemotePath,
    ) -> Result<CopyPlan> {
        let prefix = self.folder().dir_prefix(from)?;
        let mut plan = CopyPlan {
            items: Vec::new(),
            marker: Some(self.folder().dir_prefix(&destination)?),
            sources: vec![prefix.clone()],
            destination,
        };
        let mut unusable = Vec::new();
        for object in self
            .objects_below(&prefix, &format!("listing {from}"))
            .await?
        {
            if object.key == prefix {
                continue; // the folder's own marker: the plan makes one at the destination
            }
            let path = match Listed::of(self.folder(), &object.key)? {
                Listed::Path(path) => path,
                Listed::Unclean(key) => {
                    unusable.push(key.exact());
                    continue;
                }
            };
            let relative = path
                .relative_to(from)
                .ok_or_else(|| Error::not_found(from))?;
            let target = plan.destination.join(relative)?;
            let (source_key, target_key) = if object.key.ends_with('/') {
                (
                    self.folder().dir_prefix(&path)?,
                    self.folder().dir_prefix(&target)?,
                )
            } else {
                (self.key(&path)?, self.key(&target)?)
            };
            plan.sources.push(source_key.clone());
            plan.items.push(CopyItem {
                from: source_key,
                to: target_key,
                size: object.size,
                etag: object.etag,
            });
        }
        if !unusable.is_empty() {
            return Err(Error::new(
                ErrorCode::StorageInvalidPath,
                format!(
                    "{from} holds keys that are not clean paths, which Cubby cannot copy: {}; delete them first (cubby rm --key), or rename them with another S3 tool",
                    unusable.join(", ")
                ),
            ));
        }
        Ok(plan)
    }

    async fn run_copies(&self, plan: &CopyPlan) -> Result<()> {
        // By index: a closure taking `&CopyItem` would be generic over its lifetime, and the
        // future would then not be `Send` for a caller that needs it (a desktop command).
        stream::iter(0..plan.items.len())
            .map(|i| self.copy_object(&plan.items[i]))
            .buffer_unordered(COPIES_IN_FLIGHT)
            .try_collect::<()>()
            .await?;
        if let Some(marker) = &plan.marker {
            let params = PutObjectParams {
                key: marker.clone(),
                ..PutObjectParams::default()
            };
            let doing = format!("creating folder {}", plan.destination);
            self.send(&doing, || self.client().put_object(&params))
                .await?;
        }
        Ok(())
    }

    async fn copy_object(&self, item: &CopyItem) -> Result<()> {
        if item.size > self.copy_limits().single_copy_max {
            return self.copy_in_parts(item).await;
        }
        let params = CopyObjectParams {
            source_key: item.from.clone(),
            key: item.to.clone(),
            source_if_match: item.etag.clone(),
        };
        let doing = format!("copying {}", item.from);
        self.send(&doing, || self.client().copy_object(&params))
            .await?;
        Ok(())
    }

    /// A copy above CopyObject's limit: a multipart upload whose parts are ranges of the
    /// source, with the source's metadata. Aborted on failure so no parts are left behind.
    async fn copy_in_parts(&self, item: &CopyItem) -> Result<()> {
        let doing = format!("copying {}", item.from);
        let head = HeadObjectParams {
            key: item.from.clone(),
        };
        let source = self
            .send(&doing, || self.client().head_object(&head))
            .await?;
        if item.etag.is_some() && source.etag != item.etag {
            return Err(Error::new(
                ErrorCode::StorageSourceChanged,
                format!("{doing}: the object changed on the server meanwhile"),
            ));
        }
        let create = CreateMultipartUploadParams {
            key: item.to.clone(),
            metadata: source.metadata,
            content_type: source.content_type,
        };
        let created = self
            .send(&doing, || self.client().create_multipart_upload(&create))
            .await?;
        let result = self.copy_parts(item, &created.upload_id, &doing).await;
        if result.is_err() {
            self.abort_multipart(&item.to, &created.upload_id).await;
        }
        result
    }

    async fn copy_parts(&self, item: &CopyItem, upload_id: &str, doing: &str) -> Result<()> {
        let part_size = self.copy_limits().part_size.max(1);
        let parts: Vec<UploadPartCopyParams> = (0..item.size.div_ceil(part_size))
            .map(|i| {
                let start = i * part_size;
                UploadPartCopyParams {
                    key: item.to.clone(),
                    upload_id: upload_id.to_owned(),
                    part_number: i as i32 + 1,
                    source_key: item.from.clone(),
                    source_range: start..(start + part_size).min(item.size),
                    source_if_match: item.etag.clone(),
                }
            })
            .collect();
        let mut done: Vec<(i32, String)> = stream::iter(0..parts.len())
            .map(|i| {
                let part = &parts[i];
                async move {
                    let out = self
                        .send(doing, || self.client().upload_part_copy(part))
                        .await?;
                    Ok::<_, Error>((part.part_number, out.etag))
                }
            })
            .buffer_unordered(4)
            .try_collect()
            .await?;
        done.sort_by_key(|(number, _)| *number);
        let complete = CompleteMultipartUploadParams {
            key: item.to.clone(),
            upload_id: upload_id.to_owned(),
            parts: done,
        };
        self.complete_multipart(doing, &complete, |_, _| {})
            .await
            .map(|_| ())
    }
}
