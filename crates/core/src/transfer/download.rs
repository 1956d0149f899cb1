//! Downloading one file: ranges fetched in parallel into a temporary file beside the target,
//! each range hashed as it streams; the file is renamed into place only when every byte is
//! there and the content hash matches the one stored at upload. Until then the target (and any
//! file already there) is untouched; the temporary file is removed on any failure.

use std::fs::File;
use std::path::Path;
use std::time::SystemTime;

use aws_sdk_s3::operation::get_object::GetObjectOutput;
use futures::{StreamExt, TryStreamExt, stream};

use super::checksum::{RunningCrc, combine_all};
use super::engine::Job;
use super::positional::write_all_at;
use super::staged_file::StagedFile;
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{
    CONTENT_HASH_KEY, MTIME_KEY, RemotePath, decode_crc64, from_sdk, parse_mtime,
};

/// What the first response says about the whole object.
struct ObjectFacts {
    size: u64,
    etag: Option<String>,
    modified: Option<SystemTime>,
    content_crc: Option<u64>,
}

/// One range written: its hash and length, in file order once sorted by `start`.
struct RangeDone {
    start: u64,
    crc: u64,
    len: u64,
}

/// Downloads `remote` to `local`; the number of bytes received.
pub(crate) async fn run(job: &Job, remote: &RemotePath, local: &Path) -> Result<u64> {
    let key = job.inner.storage.key(remote)?;
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
    let (file, temp) = (staged.file(), staged.shown_path(local));
    let range_size = job.inner.options.part_size.max(1);

    let (first, facts) = job
        .cancellable(fetch_first(job, remote, &key, file, temp, range_size))
        .await?;
    let mut ranges = vec![first];
    let starts: Vec<u64> = (range_size..facts.size)
        .step_by(range_size as usize)
        .collect();
    let rest: Vec<RangeDone> = job
        .cancellable(
            stream::iter(starts)
                .map(|start| {
                    let end = (start + range_size).min(facts.size);
                    fetch_range(
                        job,
                        remote,
                        &key,
                        file,
                        temp,
                        start,
                        end,
                        facts.etag.as_deref(),
                    )
                })
                .buffer_unordered(job.inner.options.parts_in_flight.max(1))
                .try_collect(),
        )
        .await?;
    ranges.extend(rest);
    ranges.sort_by_key(|r| r.start);
    let received: u64 = ranges.iter().map(|r| r.len).sum();
    if received != facts.size {
        return Err(Error::new(
            ErrorCode::TransferIntegrity,
            format!(
                "{remote}: received {received} of {} bytes; download it again",
                facts.size
            ),
        ));
    }
    if let Some(expected) = facts.content_crc
        && combine_all(ranges.iter().map(|r| (r.crc, r.len))) != expected
    {
        return Err(Error::new(
            ErrorCode::TransferIntegrity,
            format!(
                "{remote}: the downloaded bytes do not match the content hash stored with the file; download it again"
            ),
        ));
    }
    finish(staged, dir, local, facts.modified)?;
    Ok(facts.size)
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

/// The first range, which also tells the object's size and metadata. An empty object has no
/// first byte to ask for (the server answers 416), so it is fetched without a range.
async fn fetch_first(
    job: &Job,
    remote: &RemotePath,
    key: &str,
    file: &File,
    temp: &Path,
    range_size: u64,
) -> Result<(RangeDone, ObjectFacts)> {
    let storage = &job.inner.storage;
    let _slot = job.inner.queue.part_slot(0, &job.cancel).await?;
    let doing = format!("downloading {remote}");
    let out: GetObjectOutput = job
        .retry(|| async {
            let ranged = storage
                .s3
                .get_object()
                .bucket(&storage.bucket)
                .key(key)
                .range(format!("bytes=0-{}", range_size - 1))
                .send()
                .await;
            match ranged {
                Err(err)
                    if err
                        .raw_response()
                        .is_some_and(|r| r.status().as_u16() == 416) =>
                {
                    storage
                        .s3
                        .get_object()
                        .bucket(&storage.bucket)
                        .key(key)
                        .send()
                        .await
                        .map_err(|e| from_sdk(e, &doing))
                }
                other => other.map_err(|e| from_sdk(e, &doing)),
            }
        })
        .await?;
    let facts = ObjectFacts {
        size: out
            .content_range()
            .and_then(|r| r.rsplit_once('/'))
            .and_then(|(_, total)| total.parse().ok())
            .unwrap_or(out.content_length().unwrap_or(0).max(0) as u64),
        etag: out.e_tag().map(str::to_owned),
        modified: out
            .metadata()
            .and_then(|m| m.get(MTIME_KEY))
            .and_then(|v| parse_mtime(v))
            .or_else(|| {
                out.last_modified()
                    .and_then(|t| SystemTime::try_from(*t).ok())
            }),
        content_crc: out
            .metadata()
            .and_then(|m| m.get(CONTENT_HASH_KEY))
            .and_then(|v| decode_crc64(v)),
    };
    job.reporter.started(facts.size);
    let expected = facts.size.min(range_size);
    let first = match write_body(job, out, file, temp, 0, expected, remote).await {
        Ok(done) => done,
        // The body broke off: fetch the same range again like any other (under the policy).
        Err(err) if crate::storage::is_retryable(&err) => {
            job.reporter.retrying(&err, std::time::Duration::ZERO);
            drop(_slot);
            fetch_range(
                job,
                remote,
                key,
                file,
                temp,
                0,
                expected,
                facts.etag.as_deref(),
            )
            .await?
        }
        Err(err) => return Err(err),
    };
    Ok((first, facts))
}

/// Bytes `start..end` of the object, retried as a whole when the connection breaks.
#[allow(clippy::too_many_arguments)]
async fn fetch_range(
    job: &Job,
    remote: &RemotePath,
    key: &str,
    file: &File,
    temp: &Path,
    start: u64,
    end: u64,
    etag: Option<&str>,
) -> Result<RangeDone> {
    let storage = &job.inner.storage;
    let _slot = job.inner.queue.part_slot(0, &job.cancel).await?;
    let doing = format!("downloading {remote}");
    job.retry(|| async {
        let out = storage
            .s3
            .get_object()
            .bucket(&storage.bucket)
            .key(key)
            .range(format!("bytes={start}-{}", end - 1))
            .set_if_match(etag.map(str::to_owned))
            .send()
            .await
            .map_err(|e| from_sdk(e, &doing))?;
        write_body(job, out, file, temp, start, end - start, remote).await
    })
    .await
}

/// Streams a response body into the file at `start`, hashing as it goes.
async fn write_body(
    job: &Job,
    out: GetObjectOutput,
    file: &File,
    temp: &Path,
    start: u64,
    expected: u64,
    remote: &RemotePath,
) -> Result<RangeDone> {
    let mut body = out.body;
    let mut crc = RunningCrc::new();
    let mut offset = start;
    let result = async {
        while let Some(chunk) = body.try_next().await.map_err(|e| {
            Error::new(
                ErrorCode::NetInterrupted,
                format!("downloading {remote}: the connection broke off ({e})"),
            )
        })? {
            write_all_at(file, &chunk, offset).map_err(|e| write_error(temp, e))?;
            crc.update(&chunk);
            offset += chunk.len() as u64;
            job.reporter.add(chunk.len() as u64);
        }
        if offset - start != expected {
            return Err(Error::new(
                ErrorCode::NetInterrupted,
                format!(
                    "downloading {remote}: the server sent {} of {expected} bytes",
                    offset - start
                ),
            ));
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        job.reporter.take_back(offset - start);
        return Err(err);
    }
    Ok(RangeDone {
        start,
        crc: crc.finish(),
        len: expected,
    })
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
