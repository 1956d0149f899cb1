//! Downloading one file: ranges fetched in parallel into a temporary file beside the target,
//! each range hashed as it streams; the file is renamed into place only when every byte is
//! there and the content hash matches the one stored at upload. Until then the target (and any
//! file already there) is untouched; the temporary file is removed on any failure.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, SystemTime};

use futures::{StreamExt, TryStreamExt, stream};

use super::checksum::{RunningCrc, combine_all};
use super::job::Job;
use super::positional::write_all_at;
use super::staged_file::StagedFile;
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{GetObjectParams, ObjectBody, ObjectInfo, RemotePath, is_retryable};

/// One range written: its hash and length, in file order once sorted by `start`.
struct RangeDone {
    start: u64,
    crc: u64,
    len: u64,
}

/// Downloads `remote` to `local`; the number of bytes received.
pub(crate) async fn run(job: &Job, remote: &RemotePath, local: &Path) -> Result<u64> {
    let key = job.storage().key(remote)?;
    let existing = std::fs::metadata(local).ok();
    if existing.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(write_error_msg(
            local,
            "it is a folder; name a file, or download into the folder",
        ));
    }
    // The file's creation and naming stay on the runtime's own threads: handed to the blocking
    // pool, dozens of them at once contend for the folder's lock, and downloads of many small
    // files measured slower.
    let (staged, dir) = stage(local, existing.is_some())?;
    let download = FileDownload {
        job,
        remote,
        key,
        file: staged.file(),
        temp: staged.shown_path(local),
        range_size: job.context.options.part_size.max(1),
    };

    let (first, object) = job.cancellable(download.fetch_first()).await?;
    let mut ranges = vec![first];
    let starts: Vec<u64> = (download.range_size..object.size)
        .step_by(download.range_size as usize)
        .collect();
    let rest: Vec<RangeDone> = job
        .cancellable(
            stream::iter(starts)
                .map(|start| {
                    let end = (start + download.range_size).min(object.size);
                    download.fetch_range(start, end, object.etag.as_deref())
                })
                .buffer_unordered(job.context.options.parts_in_flight.max(1))
                .try_collect(),
        )
        .await?;
    ranges.extend(rest);
    ranges.sort_by_key(|r| r.start);
    let received: u64 = ranges.iter().map(|r| r.len).sum();
    if received != object.size {
        return Err(Error::new(
            ErrorCode::TransferIntegrity,
            format!(
                "{remote}: received {received} of {} bytes; download it again",
                object.size
            ),
        ));
    }
    if let Some(expected) = object.content_crc64
        && combine_all(ranges.iter().map(|r| (r.crc, r.len))) != expected
    {
        return Err(Error::new(
            ErrorCode::TransferIntegrity,
            format!(
                "{remote}: the downloaded bytes do not match the content hash stored with the file; download it again"
            ),
        ));
    }
    finish(staged, dir, local, object.modified)?;
    Ok(object.size)
}

/// The staged file for `local` in its folder (created if need be). The folder is made only
/// when the file cannot be: a download of many files into one folder then costs one directory
/// operation per file.
fn stage(local: &Path, replaces: bool) -> Result<(StagedFile, &Path)> {
    let dir = match local.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let staged = match StagedFile::create(dir, local, replaces) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
            StagedFile::create(dir, local, replaces)
        }
        created => created,
    }
    .map_err(|e| write_error(dir, e))?;
    Ok((staged, dir))
}

/// Gives the complete file its modification time and puts it in place of the target.
fn finish(
    staged: StagedFile,
    dir: &Path,
    local: &Path,
    modified: Option<SystemTime>,
) -> Result<()> {
    if let Some(modified) = modified {
        staged
            .file()
            .set_modified(modified)
            .map_err(|e| write_error(staged.shown_path(local), e))?;
    }
    staged
        .publish(dir, local)
        .map_err(|e| write_error(local, e))
}

/// One file on its way down: what every range of it needs.
struct FileDownload<'a> {
    job: &'a Job,
    remote: &'a RemotePath,
    key: String,
    /// The staged file the ranges are written into, and its name for messages.
    file: &'a File,
    temp: &'a Path,
    range_size: u64,
}

impl FileDownload<'_> {
    /// The first range, which also tells the object's size and metadata (an empty object
    /// comes whole).
    async fn fetch_first(&self) -> Result<(RangeDone, ObjectInfo)> {
        let job = self.job;
        let slot = job.context.limiter.part_slot(0, &job.cancel).await?;
        let params = GetObjectParams {
            key: self.key.clone(),
            range: Some(0..self.range_size),
            if_match: None,
        };
        let doing = self.doing();
        let client = job.storage().client();
        let got = job.send(&doing, || client.get_object(&params)).await?;
        let object = ObjectInfo::from(&got.object);
        job.reporter.started(object.size);
        let expected = object.size.min(self.range_size);
        let first = match self.write_body(got.body, 0, expected).await {
            Ok(done) => done,
            // The body broke off: fetch the same range again like any other (under the policy).
            Err(err) if is_retryable(&err) => {
                job.reporter.retrying(&err, Duration::ZERO);
                drop(slot);
                self.fetch_range(0, expected, object.etag.as_deref())
                    .await?
            }
            Err(err) => return Err(err),
        };
        Ok((first, object))
    }

    /// Bytes `start..end` of the object, retried as a whole when the connection breaks.
    async fn fetch_range(&self, start: u64, end: u64, etag: Option<&str>) -> Result<RangeDone> {
        let job = self.job;
        let _slot = job.context.limiter.part_slot(0, &job.cancel).await?;
        let params = GetObjectParams {
            key: self.key.clone(),
            range: Some(start..end),
            if_match: etag.map(str::to_owned),
        };
        let doing = self.doing();
        let client = job.storage().client();
        job.retry(|| async {
            let got = client
                .get_object(&params)
                .await
                .map_err(|e| e.prefixed(&doing))?;
            self.write_body(got.body, start, end - start).await
        })
        .await
    }

    /// Streams a response body into the file at `start`, hashing as it goes.
    async fn write_body(
        &self,
        mut body: ObjectBody,
        start: u64,
        expected: u64,
    ) -> Result<RangeDone> {
        let reporter = &self.job.reporter;
        let mut crc = RunningCrc::new();
        let mut offset = start;
        let result = async {
            while let Some(chunk) = body
                .try_next()
                .await
                .map_err(|e| e.prefixed(self.doing()))?
            {
                write_all_at(self.file, &chunk, offset).map_err(|e| write_error(self.temp, e))?;
                crc.update(&chunk);
                offset += chunk.len() as u64;
                reporter.add(chunk.len() as u64);
            }
            if offset - start != expected {
                return Err(Error::new(
                    ErrorCode::NetInterrupted,
                    format!(
                        "{}: the server sent {} of {expected} bytes",
                        self.doing(),
                        offset - start
                    ),
                ));
            }
            Ok(())
        }
        .await;
        if let Err(err) = result {
            reporter.take_back(offset - start);
            return Err(err);
        }
        Ok(RangeDone {
            start,
            crc: crc.finish(),
            len: expected,
        })
    }

    fn doing(&self) -> String {
        format!("downloading {}", self.remote)
    }
}

fn write_error(path: &Path, err: std::io::Error) -> Error {
    let problem = match err.kind() {
        std::io::ErrorKind::StorageFull => {
            "the disk is full; free some space and download again".to_owned()
        }
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            "cannot write there (permission denied or read-only); choose another folder".to_owned()
        }
        std::io::ErrorKind::NotADirectory => {
            "a parent of this path is a file, not a folder".to_owned()
        }
        _ => format!("cannot write: {err}"),
    };
    write_error_msg(path, &problem).with_source(err)
}

fn write_error_msg(path: &Path, problem: &str) -> Error {
    Error::new(
        ErrorCode::TransferLocalWrite,
        format!(
            "{}: {problem} (nothing was changed at the target)",
            path.display()
        ),
    )
}
