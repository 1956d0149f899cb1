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

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};

use super::blocking::blocking;
use super::checksum::{combine_all, crc64, crc64_file};
use super::engine::Job;
use super::part_size::part_size_for;
use super::positional::read_exact_at;
use super::state_db::{PartRecord, UploadRecord};
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{CONTENT_HASH_KEY, MTIME_KEY, RemotePath, encode_crc64, format_mtime};

/// How often a small file that keeps changing is read again before giving up.
const SOURCE_READS: usize = 3;

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
}

/// Uploads `local` to `remote`; the number of bytes sent.
pub(crate) async fn run(job: &Job, local: &Path, remote: &RemotePath) -> Result<u64> {
    let key = job.inner.storage.key(remote)?;
    let state = snapshot(local)?;
    job.reporter.started(state.size);
    if state.size <= job.inner.options.multipart_threshold {
        upload_whole(job, local, remote, &key, state).await
    } else {
        upload_in_parts(job, local, remote, &key, state).await
    }
}

async fn upload_whole(
    job: &Job,
    local: &Path,
    remote: &RemotePath,
    key: &str,
    state: FileState,
) -> Result<u64> {
    let storage = &job.inner.storage;
    let _slot = job.inner.queue.part_slot(state.size, &job.cancel).await?;
    let path = local.to_owned();
    let (state, body) = blocking("reading task", move || read_stable(&path, state)).await?;
    // S3 checks the bytes against the same hash that is stored with the file; a checksum given
    // up front also spares the SDK its own pass and the aws-chunked framing.
    let crc = encode_crc64(crc64(&body));
    let doing = format!("uploading {remote}");
    job.cancellable(job.send(&doing, || {
        storage
            .s3
            .put_object()
            .bucket(&storage.bucket)
            .key(key)
            .metadata(MTIME_KEY, format_mtime(state.mtime))
            .metadata(CONTENT_HASH_KEY, &crc)
            .checksum_crc64_nvme(&crc)
            .body(ByteStream::from(body.clone()))
            .send()
    }))
    .await?;
    job.reporter.add(state.size);
    Ok(state.size)
}

/// The whole file, read until a look at its size and time before and after the read agree
/// (blocking: call from `spawn_blocking`). The file may not grow past what was budgeted.
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

async fn upload_in_parts(
    job: &Job,
    local: &Path,
    remote: &RemotePath,
    key: &str,
    state: FileState,
) -> Result<u64> {
    let part_size = part_size_for(state.size, job.inner.options.part_size)?;
    let content_crc = hash_file(local).await?;
    if snapshot(local)? != state {
        return Err(source_changed(local));
    }
    let upload = resume_or_start(job, local, remote, key, state, part_size, content_crc).await?;
    let sent = job
        .cancellable(send_parts(job, local, remote, &upload))
        .await;
    let parts = match sent {
        Ok(parts) => parts,
        Err(err)
            if matches!(
                err.code,
                ErrorCode::TransferCancelled | ErrorCode::TransferSourceChanged
            ) =>
        {
            discard(job, &upload).await;
            return Err(err);
        }
        // Kept in the state database: the next upload of this file resumes it.
        Err(err) => return Err(err),
    };
    let sent_crc = combine_all(parts.iter().map(|p| (p.crc, p.len)));
    if sent_crc != content_crc || snapshot(local)? != state {
        discard(job, &upload).await;
        return Err(source_changed(local));
    }
    complete(job, remote, &upload, &parts).await?;
    job.inner.state.forget_upload(&upload.upload_id)?;
    Ok(state.size)
}

async fn hash_file(local: &Path) -> Result<u64> {
    let path = local.to_owned();
    blocking("hashing task", move || {
        crc64_file(&path).map_err(|e| read_error(&path, e))
    })
    .await
}

/// The upload to continue: the recorded one when the file is unchanged and the server still
/// has it (with the parts it confirms), else a new one.
async fn resume_or_start(
    job: &Job,
    local: &Path,
    remote: &RemotePath,
    key: &str,
    state: FileState,
    part_size: u64,
    content_crc: u64,
) -> Result<UploadRecord> {
    let storage = &job.inner.storage;
    let db = &job.inner.state;
    if let Some(mut record) = db.find_upload(local, &storage.bucket, key)? {
        let same_file = record.size == state.size
            && record.mtime_ns == state.mtime_ns()
            && record.content_crc == content_crc
            && record.part_size == part_size;
        if same_file {
            match server_parts(job, key, &record.upload_id).await {
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
            discard(job, &record).await;
        }
        db.forget_upload(&record.upload_id)?;
    }
    let doing = format!("starting the upload of {remote}");
    let crc = encode_crc64(content_crc);
    let created = job
        .send(&doing, || {
            storage
                .s3
                .create_multipart_upload()
                .bucket(&storage.bucket)
                .key(key)
                .metadata(MTIME_KEY, format_mtime(state.mtime))
                .metadata(CONTENT_HASH_KEY, &crc)
                .send()
        })
        .await?;
    let upload_id = created.upload_id().ok_or_else(|| {
        Error::internal("the server started a multipart upload without an upload id")
    })?;
    let record = UploadRecord {
        upload_id: upload_id.to_owned(),
        local_path: local.to_owned(),
        bucket: storage.bucket.clone(),
        key: key.to_owned(),
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
async fn server_parts(job: &Job, key: &str, upload_id: &str) -> Result<HashMap<i32, String>> {
    let storage = &job.inner.storage;
    let mut parts = HashMap::new();
    let mut marker: Option<String> = None;
    loop {
        let doing = "checking an unfinished upload";
        let out = job
            .send(doing, || {
                storage
                    .s3
                    .list_parts()
                    .bucket(&storage.bucket)
                    .key(key)
                    .upload_id(upload_id)
                    .set_part_number_marker(marker.clone())
                    .send()
            })
            .await?;
        for part in out.parts() {
            if let (Some(number), Some(etag)) = (part.part_number(), part.e_tag()) {
                parts.insert(number, etag.to_owned());
            }
        }
        match out
            .next_part_number_marker()
            .filter(|_| out.is_truncated() == Some(true))
        {
            Some(next) => marker = Some(next.to_owned()),
            None => return Ok(parts),
        }
    }
}

/// Sends the parts not on the server yet; returns every part, in order.
async fn send_parts(
    job: &Job,
    local: &Path,
    remote: &RemotePath,
    upload: &UploadRecord,
) -> Result<Vec<PartRecord>> {
    let file = Arc::new(File::open(local).map_err(|e| read_error(local, e))?);
    let done: HashSet<i32> = upload.parts.iter().map(|p| p.number).collect();
    let count = upload.size.div_ceil(upload.part_size).max(1) as i32;
    let mut parts: Vec<PartRecord> = stream::iter((1..=count).filter(|n| !done.contains(n)))
        .map(|number| send_part(job, &file, local, remote, upload, number))
        .buffer_unordered(job.inner.options.parts_in_flight.max(1))
        .try_collect()
        .await?;
    parts.extend(upload.parts.iter().cloned());
    parts.sort_by_key(|p| p.number);
    Ok(parts)
}

async fn send_part(
    job: &Job,
    file: &Arc<File>,
    local: &Path,
    remote: &RemotePath,
    upload: &UploadRecord,
    number: i32,
) -> Result<PartRecord> {
    let storage = &job.inner.storage;
    let offset = (number as u64 - 1) * upload.part_size;
    let len = upload.part_size.min(upload.size - offset);
    let _slot = job.inner.queue.part_slot(len, &job.cancel).await?;
    let reader = file.clone();
    let path = local.to_owned();
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
    let body = Bytes::from(data);
    let doing = format!("uploading part {number} of {remote}");
    let out = job
        .send(&doing, || {
            storage
                .s3
                .upload_part()
                .bucket(&storage.bucket)
                .key(&upload.key)
                .upload_id(&upload.upload_id)
                .part_number(number)
                .body(ByteStream::from(body.clone()))
                .send()
        })
        .await?;
    let etag = out.e_tag().ok_or_else(|| {
        Error::internal(format!("the server accepted part {number} without an ETag"))
    })?;
    let part = PartRecord {
        number,
        etag: etag.to_owned(),
        crc,
        len,
    };
    job.inner.state.record_part(&upload.upload_id, &part)?;
    job.reporter.add(len);
    Ok(part)
}

async fn complete(
    job: &Job,
    remote: &RemotePath,
    upload: &UploadRecord,
    parts: &[PartRecord],
) -> Result<()> {
    let storage = &job.inner.storage;
    let completed = CompletedMultipartUpload::builder()
        .set_parts(Some(
            parts
                .iter()
                .map(|p| {
                    CompletedPart::builder()
                        .part_number(p.number)
                        .e_tag(&p.etag)
                        .build()
                })
                .collect(),
        ))
        .build();
    let doing = format!("finishing the upload of {remote}");
    job.send(&doing, || {
        storage
            .s3
            .complete_multipart_upload()
            .bucket(&storage.bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .multipart_upload(completed.clone())
            .send()
    })
    .await?;
    Ok(())
}

/// Aborts an upload on the server and forgets it. Best effort: this runs when the upload has
/// already failed or was cancelled, and a leftover upload only costs storage until the
/// bucket's lifecycle rule removes it.
async fn discard(job: &Job, upload: &UploadRecord) {
    let storage = &job.inner.storage;
    let _ = storage
        .s3
        .abort_multipart_upload()
        .bucket(&storage.bucket)
        .key(&upload.key)
        .upload_id(&upload.upload_id)
        .send()
        .await;
    let _ = job.inner.state.forget_upload(&upload.upload_id);
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
