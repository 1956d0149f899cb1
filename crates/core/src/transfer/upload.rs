//! Uploading one file. Small files are read whole and sent with one PUT; larger ones go in
//! parts, read from disk part by part (memory stays within the queue's buffer budget).
//!
//! A file that changes while it is read is caught: a small file is read again (a few times),
//! a large one is hashed before the upload and the parts' hashes must add up to that hash and
//! the size and modification time must be unchanged before the upload is completed; otherwise
//! the upload is aborted and nothing replaces what was in the folder.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};

use super::blocking::blocking;
use super::checksum::{combine_all, crc64, crc64_file};
use super::job::Job;
use super::moved::{Moved, Uploaded};
use super::part_size::part_size_for;
use super::positional::read_exact_at;
use super::state_db::{PartRecord, UploadRecord};
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{
    CompleteMultipartUploadParams, CreateMultipartUploadParams, ListPartsParams, PutObjectParams,
    RemotePath, UploadPartParams, cubby_metadata, encode_crc64,
};

/// How often a small file that keeps changing is read again before giving up.
const SOURCE_READS: usize = 3;

/// Files up to this size are read on the async thread: such a read costs about what the
/// `stat` before it costs, less than the two thread wake-ups of a trip to the blocking pool
/// (a folder of thousands of small files spent a share of its upload on those trips).
const READ_INLINE_UP_TO: u64 = 64 << 10;

/// What a local file looked like: enough to notice that it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileState {
    size: u64,
    mtime: SystemTime,
}

impl FileState {
    fn mtime_ns(&self) -> i64 {
        self.mtime
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or_default()
    }

    /// The end of an upload of the file in this state, with `crc` and the server's `etag`.
    fn made(&self, crc: u64, etag: Option<String>) -> Moved {
        Moved {
            bytes: self.size,
            object: Some(Uploaded {
                size: self.size,
                mtime_ns: self.mtime_ns(),
                crc,
                etag,
            }),
        }
    }
}

/// Uploads `local` to `remote`; the bytes sent and the object made.
pub(crate) async fn run(job: &Job, local: &Path, remote: &RemotePath) -> Result<Moved> {
    let upload = FileUpload {
        job,
        local,
        remote,
        key: job.storage().key(remote)?,
    };
    let state = snapshot(local)?;
    job.reporter.started(state.size);
    if state.size <= job.context.options.multipart_threshold {
        upload.whole(state).await
    } else {
        upload.in_parts(state).await
    }
}

/// One file on its way up: what every step of its upload needs.
struct FileUpload<'a> {
    job: &'a Job,
    local: &'a Path,
    remote: &'a RemotePath,
    key: String,
}

impl FileUpload<'_> {
    async fn whole(&self, state: FileState) -> Result<Moved> {
        let job = self.job;
        let _slot = job
            .context
            .limiter
            .part_slot(state.size, &job.cancel)
            .await?;
        let (state, body) = if state.size <= READ_INLINE_UP_TO {
            read_stable(self.local, state)?
        } else {
            let path = self.local.to_owned();
            blocking("reading task", move || read_stable(&path, state)).await?
        };
        // S3 checks the bytes against the same hash that is stored with the file; a checksum
        // given up front also spares the SDK its own pass and the aws-chunked framing.
        let crc = crc64(&body);
        let params = PutObjectParams {
            key: self.key.clone(),
            body,
            metadata: cubby_metadata(state.mtime, crc),
            checksum_crc64nvme: Some(encode_crc64(crc)),
        };
        let doing = format!("uploading {}", self.remote);
        let client = job.storage().client();
        let sent = job
            .cancellable(job.send(&doing, || client.put_object(&params)))
            .await?;
        job.reporter.add(state.size);
        Ok(state.made(crc, sent.etag))
    }

    async fn in_parts(&self, state: FileState) -> Result<Moved> {
        let job = self.job;
        let part_size = part_size_for(state.size, job.context.options.part_size)?;
        let content_crc = hash_file(self.local).await?;
        if snapshot(self.local)? != state {
            return Err(source_changed(self.local));
        }
        let upload = self.resume_or_start(state, part_size, content_crc).await?;
        let parts = match job.cancellable(self.send_parts(&upload)).await {
            Ok(parts) => parts,
            // Paused: the parts sent stay on the server and in the state database.
            Err(err) if job.paused_by(&err) => return Err(err),
            Err(err)
                if matches!(
                    err.code,
                    ErrorCode::TransferCancelled | ErrorCode::TransferSourceChanged
                ) =>
            {
                self.discard(&upload).await;
                return Err(err);
            }
            // Kept in the state database: the next upload of this file resumes it.
            Err(err) => return Err(err),
        };
        let sent_crc = combine_all(parts.iter().map(|p| (p.crc, p.len)));
        if sent_crc != content_crc || snapshot(self.local)? != state {
            self.discard(&upload).await;
            return Err(source_changed(self.local));
        }
        let complete = CompleteMultipartUploadParams {
            key: upload.key.clone(),
            upload_id: upload.upload_id.clone(),
            parts: parts.iter().map(|p| (p.number, p.etag.clone())).collect(),
        };
        let doing = format!("finishing the upload of {}", self.remote);
        let completed = job
            .storage()
            .complete_multipart(&doing, &complete, |err, delay| {
                job.reporter.retrying(err, delay)
            })
            .await?;
        job.context.state.forget_upload(&upload.upload_id)?;
        Ok(state.made(content_crc, completed.etag))
    }

    /// The upload to continue: the recorded one when the file is unchanged and the server
    /// still has it (with the parts it confirms), else a new one.
    async fn resume_or_start(
        &self,
        state: FileState,
        part_size: u64,
        content_crc: u64,
    ) -> Result<UploadRecord> {
        let job = self.job;
        let storage = job.storage();
        let db = &job.context.state;
        if let Some(mut record) = db.find_upload(self.local, storage.bucket(), &self.key)? {
            let same_file = record.size == state.size
                && record.mtime_ns == state.mtime_ns()
                && record.content_crc == content_crc
                && record.part_size == part_size;
            if same_file {
                match self.server_parts(&record.upload_id).await {
                    Ok(on_server) => {
                        record
                            .parts
                            .retain(|p| on_server.get(&p.number) == Some(&p.etag));
                        let bytes = record.parts.iter().map(|p| p.len).sum();
                        job.reporter.resumed(record.parts.len(), bytes);
                        return Ok(record);
                    }
                    Err(err) if err.code == ErrorCode::StorageNotFound => {}
                    Err(err) => return Err(err),
                }
            } else {
                self.discard(&record).await;
            }
            db.forget_upload(&record.upload_id)?;
        }
        let params = CreateMultipartUploadParams {
            key: self.key.clone(),
            metadata: cubby_metadata(state.mtime, content_crc),
            content_type: None,
        };
        let doing = format!("starting the upload of {}", self.remote);
        let client = storage.client();
        let created = job
            .send(&doing, || client.create_multipart_upload(&params))
            .await?;
        let record = UploadRecord {
            upload_id: created.upload_id,
            local_path: self.local.to_owned(),
            bucket: storage.bucket().to_owned(),
            key: self.key.clone(),
            size: state.size,
            mtime_ns: state.mtime_ns(),
            content_crc,
            part_size,
            parts: Vec::new(),
        };
        db.start_upload(&record)?;
        Ok(record)
    }

    /// Part number -> ETag of the parts the server holds for an upload.
    async fn server_parts(&self, upload_id: &str) -> Result<HashMap<i32, String>> {
        let client = self.job.storage().client();
        let mut parts = HashMap::new();
        let mut params = ListPartsParams {
            key: self.key.clone(),
            upload_id: upload_id.to_owned(),
            part_number_marker: None,
        };
        loop {
            let page = self
                .job
                .send("checking an unfinished upload", || {
                    client.list_parts(&params)
                })
                .await?;
            parts.extend(page.parts);
            match page.next_part_number_marker {
                Some(next) => params.part_number_marker = Some(next),
                None => return Ok(parts),
            }
        }
    }

    /// Sends the parts not on the server yet; returns every part, in order.
    async fn send_parts(&self, upload: &UploadRecord) -> Result<Vec<PartRecord>> {
        let file = Arc::new(File::open(self.local).map_err(|e| read_error(self.local, e))?);
        let done: HashSet<i32> = upload.parts.iter().map(|p| p.number).collect();
        let count = upload.size.div_ceil(upload.part_size).max(1) as i32;
        let mut parts: Vec<PartRecord> = stream::iter((1..=count).filter(|n| !done.contains(n)))
            .map(|number| self.send_part(&file, upload, number))
            .buffer_unordered(self.job.context.options.parts_in_flight.max(1))
            .try_collect()
            .await?;
        parts.extend(upload.parts.iter().cloned());
        parts.sort_by_key(|p| p.number);
        Ok(parts)
    }

    async fn send_part(
        &self,
        file: &Arc<File>,
        upload: &UploadRecord,
        number: i32,
    ) -> Result<PartRecord> {
        let job = self.job;
        let offset = (number as u64 - 1) * upload.part_size;
        let len = upload.part_size.min(upload.size - offset);
        let _slot = job.context.limiter.part_slot(len, &job.cancel).await?;
        let reader = file.clone();
        let path = self.local.to_owned();
        let data = blocking("reading task", move || {
            let mut buf = vec![0; len as usize];
            read_exact_at(&reader, &mut buf, offset)
                .map(|()| buf)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::UnexpectedEof => source_changed(&path),
                    _ => read_error(&path, e),
                })
        })
        .await?;
        let crc = crc64(&data);
        let params = UploadPartParams {
            key: upload.key.clone(),
            upload_id: upload.upload_id.clone(),
            part_number: number,
            body: Bytes::from(data),
        };
        let doing = format!("uploading part {number} of {}", self.remote);
        let client = job.storage().client();
        let sent = job.send(&doing, || client.upload_part(&params)).await?;
        let part = PartRecord {
            number,
            etag: sent.etag,
            crc,
            len,
        };
        job.context.state.record_part(&upload.upload_id, &part)?;
        job.reporter.add(len);
        Ok(part)
    }

    /// Aborts an upload on the server and forgets it (best effort, see
    /// `Storage::abort_multipart`).
    async fn discard(&self, upload: &UploadRecord) {
        self.job
            .storage()
            .abort_multipart(&upload.key, &upload.upload_id)
            .await;
        let _ = self.job.context.state.forget_upload(&upload.upload_id);
    }
}

/// The whole file, read until a look at its size and time before and after the read agree
/// (blocking: call from `spawn_blocking` unless the file is small). The file may not grow
/// past what was budgeted.
fn read_stable(local: &Path, budgeted: FileState) -> Result<(FileState, Bytes)> {
    let mut state = budgeted;
    for _ in 0..SOURCE_READS {
        let data = std::fs::read(local).map_err(|e| read_error(local, e))?;
        let after = snapshot(local)?;
        if after == state && data.len() as u64 == state.size {
            return Ok((state, Bytes::from(data)));
        }
        if after.size > budgeted.size {
            break;
        }
        state = after;
    }
    Err(source_changed(local))
}

async fn hash_file(local: &Path) -> Result<u64> {
    let path = local.to_owned();
    blocking("hashing task", move || {
        crc64_file(&path).map_err(|e| read_error(&path, e))
    })
    .await
}

/// Blocking, but one `stat`: cheaper than a trip to the blocking pool.
fn snapshot(local: &Path) -> Result<FileState> {
    let meta = std::fs::metadata(local).map_err(|e| read_error(local, e))?;
    if meta.is_dir() {
        return Err(Error::new(
            ErrorCode::TransferLocalRead,
            format!(
                "{} is a folder; upload it with `cubby put`, which goes through folders",
                local.display()
            ),
        ));
    }
    let mtime = meta.modified().map_err(|e| read_error(local, e))?;
    Ok(FileState {
        size: meta.len(),
        mtime,
    })
}

fn read_error(local: &Path, err: std::io::Error) -> Error {
    let problem = match err.kind() {
        std::io::ErrorKind::NotFound => "it does not exist (was it moved or deleted?)".to_owned(),
        std::io::ErrorKind::PermissionDenied => {
            "permission denied; check the file's permissions".to_owned()
        }
        _ => format!("cannot read it: {err}"),
    };
    Error::new(
        ErrorCode::TransferLocalRead,
        format!("{}: {problem}", local.display()),
    )
    .with_source(err)
}

fn source_changed(local: &Path) -> Error {
    Error::new(
        ErrorCode::TransferSourceChanged,
        format!(
            "{} changed while it was being uploaded; nothing was replaced in your folder. Upload it again once it is no longer being written",
            local.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_file_that_grew_past_its_reservation_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("log.txt");
        std::fs::write(&file, b"0123456789").unwrap();
        let reserved = snapshot(&file).unwrap();
        std::fs::write(&file, b"01234567890123456789").unwrap();
        let err = read_stable(&file, reserved).unwrap_err();
        assert_eq!(
            err.code,
            ErrorCode::TransferSourceChanged,
            "{}",
            err.message
        );
    }

    #[test]
    fn a_small_file_that_shrank_is_read_again_as_it_is_now() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, b"0123456789").unwrap();
        let reserved = snapshot(&file).unwrap();
        std::fs::write(&file, b"01234").unwrap();
        let (state, body) = read_stable(&file, reserved).unwrap();
        assert_eq!((state.size, &body[..]), (5, &b"01234"[..]));
    }
}
