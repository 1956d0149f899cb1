//! Downloading one file: ranges fetched in parallel into a staged file beside the target,
//! each range hashed as it streams; the file is renamed into place only when every byte is
//! there and the content hash matches the one stored at upload. Until then the target (and any
//! file already there) is untouched.
//!
//! A file of one range is staged in a temporary file, removed on any failure. A file of more
//! ranges is kept as `.NAME.cubby-partial` and recorded in the state database with the object's
//! version and each range written, one row per range: when interrupted (a dropped connection, a
//! crash, a restart) the next download of the same key to the same file re-hashes the recorded
//! ranges on disk, keeps those that still match and asks the server only for the rest, of the
//! same version (`If-Match`); a changed object starts over. A download that fails for good
//! (the disk, the integrity check, a cancel, the object gone) removes its partial file.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, SystemTime};

use futures::{StreamExt, TryStreamExt, stream};

use super::blocking::blocking;
use super::checksum::{RunningCrc, combine_all};
use super::download_db::{DownloadRecord, RangeRecord};
use super::job::Job;
use super::positional::{read_exact_at, write_all_at};
use super::staged_file::{StagedFile, partial_path};
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{
    GetObjectParams, HeadObjectParams, ObjectBody, ObjectInfo, RemotePath, is_retryable,
};

/// What the ranges are checked against at the end, and what the finished file gets.
struct Expected {
    size: u64,
    etag: Option<String>,
    content_crc: Option<u64>,
    modified: Option<SystemTime>,
}

impl From<&ObjectInfo> for Expected {
    fn from(object: &ObjectInfo) -> Self {
        Self {
            size: object.size,
            etag: object.etag.clone(),
            content_crc: object.content_crc64,
            modified: object.modified,
        }
    }
}

/// Downloads `remote` to `local`; the number of bytes of the file.
pub(crate) async fn run(job: &Job, remote: &RemotePath, local: &Path) -> Result<u64> {
    let key = job.storage().key(remote)?;
    let existing = std::fs::metadata(local).ok();
    if existing.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(write_error_msg(
            local,
            "it is a folder; name a file, or download into the folder",
        ));
    }
    let state = &job.context.state;
    if let Some(record) = state.find_download(local, job.storage().bucket(), &key)?
        && let Some(size) = resume(job, remote, local, &key, record).await?
    {
        return Ok(size);
    }
    // The file's creation and naming stay on the runtime's own threads: handed to the blocking
    // pool, dozens of them at once contend for the folder's lock, and downloads of many small
    // files measured slower.
    let (mut staged, dir) = stage(local, existing.is_some())?;
    let fetched = fetch_fresh(job, remote, local, key, &mut staged).await;
    settle(job, fetched, staged, dir, local, remote)
}

/// Every range of a new download into `staged`, which is kept once the object proves to
/// have more than one range.
async fn fetch_fresh(
    job: &Job,
    remote: &RemotePath,
    local: &Path,
    key: String,
    staged: &mut StagedFile,
) -> Result<(Vec<RangeDone>, Expected)> {
    let range_size = job.context.options.part_size.max(1);
    let (first, object) = {
        let download = FileDownload::new(job, remote, &key, staged, local, None);
        job.cancellable(download.fetch_first()).await?
    };
    let expected = Expected::from(&object);
    let recorded = match object.size > range_size {
        true => keep(job, local, &key, staged, &expected, &first),
        false => None,
    };
    let starts: Vec<u64> = (range_size..object.size)
        .step_by(range_size as usize)
        .collect();
    let download = FileDownload::new(job, remote, &key, staged, local, recorded);
    let mut ranges = download.fetch_all(starts, &expected).await?;
    ranges.push(first);
    Ok((ranges, expected))
}

/// Names `staged` as the partial file and records the download; the path to record further
/// ranges under, or `None` when the download goes on unkept (no harm: it cannot resume). An
/// object without an ETag cannot be asked for by version, so it is not kept.
fn keep<'a>(
    job: &Job,
    local: &'a Path,
    key: &str,
    staged: &mut StagedFile,
    expected: &Expected,
    first: &RangeDone,
) -> Option<&'a Path> {
    let etag = expected.etag.as_deref()?;
    staged.keep(&partial_path(local)?).ok()?;
    let record = DownloadRecord {
        local_path: local.to_owned(),
        bucket: job.storage().bucket().to_owned(),
        key: key.to_owned(),
        size: expected.size,
        etag: etag.to_owned(),
        content_crc: expected.content_crc,
        modified_ns: expected.modified.and_then(unix_nanos),
        range_size: job.context.options.part_size.max(1),
        ranges: vec![first.record()],
    };
    job.context.state.start_download(&record).ok()?;
    Some(local)
}

/// Continues the download `record` describes from its partial file; `None` when there is
/// nothing to continue from (the partial file is gone or the object changed), after
/// forgetting it.
async fn resume(
    job: &Job,
    remote: &RemotePath,
    local: &Path,
    key: &str,
    record: DownloadRecord,
) -> Result<Option<u64>> {
    let state = &job.context.state;
    let reopened = partial_path(local).and_then(|p| StagedFile::reopen_kept(&p).ok());
    let Some(staged) = reopened else {
        state.forget_download(local)?;
        return Ok(None);
    };
    let unchanged = match job
        .cancellable(still_there(job, remote, key, &record))
        .await
    {
        Ok(unchanged) => unchanged,
        Err(err) if worth_keeping(job, &err) => return Err(err),
        Err(err) => {
            staged.discard();
            state.forget_download(local)?;
            return Err(err);
        }
    };
    if !unchanged {
        staged.discard();
        state.forget_download(local)?;
        return Ok(None);
    }
    let verified = verified_ranges(staged.file(), record.ranges.clone()).await?;
    let expected = Expected {
        size: record.size,
        etag: Some(record.etag.clone()),
        content_crc: record.content_crc,
        modified: record.modified_ns.map(from_unix_nanos),
    };
    job.reporter.started(record.size);
    job.reporter
        .resumed(verified.len(), verified.iter().map(|r| r.len).sum());
    let missing: Vec<u64> = (0..record.size.max(1))
        .step_by(record.range_size.max(1) as usize)
        .filter(|start| !verified.iter().any(|r| r.start == *start))
        .collect();
    let download = FileDownload {
        // The ranges the partial file was cut into, whatever this queue's part size is.
        range_size: record.range_size.max(1),
        ..FileDownload::new(job, remote, key, &staged, local, Some(local))
    };
    let fetched = download
        .fetch_all(missing, &expected)
        .await
        .map(|mut ranges| {
            ranges.extend(verified);
            (ranges, expected)
        });
    match fetched {
        Err(err) if err.code == ErrorCode::StorageSourceChanged => {
            staged.discard();
            state.forget_download(local)?;
            Ok(None)
        }
        fetched => settle(job, fetched, staged, folder_of(local), local, remote).map(Some),
    }
}

/// Whether the object is still the version the partial file holds bytes of (the ranges'
/// `If-Match` guards the rest of the way, where the server honours it).
async fn still_there(
    job: &Job,
    remote: &RemotePath,
    key: &str,
    record: &DownloadRecord,
) -> Result<bool> {
    let params = HeadObjectParams {
        key: key.to_owned(),
    };
    let client = job.storage().client();
    let doing = format!("downloading {remote}");
    match job.send(&doing, || client.head_object(&params)).await {
        Ok(meta) => {
            let now = ObjectInfo::from(&meta);
            Ok(now.size == record.size && now.etag.as_deref() == Some(record.etag.as_str()))
        }
        Err(err) if err.code == ErrorCode::StorageNotFound => Ok(false),
        Err(err) => Err(err),
    }
}

/// The recorded ranges whose bytes in `file` still hash as recorded.
async fn verified_ranges(file: &File, ranges: Vec<RangeRecord>) -> Result<Vec<RangeDone>> {
    let file = file
        .try_clone()
        .map_err(|e| Error::internal(format!("reopening a partial download: {e}")))?;
    blocking("checking a partial download", move || {
        let mut buf = vec![0; 1 << 20];
        Ok(ranges
            .into_iter()
            .filter(|range| {
                let mut crc = RunningCrc::new();
                let mut offset = range.start;
                let end = range.start + range.len;
                while offset < end {
                    let chunk = &mut buf[..(end - offset).min(1 << 20) as usize];
                    if read_exact_at(&file, chunk, offset).is_err() {
                        return false;
                    }
                    crc.update(chunk);
                    offset += chunk.len() as u64;
                }
                crc.finish() == range.crc
            })
            .map(|range| RangeDone {
                start: range.start,
                crc: range.crc,
                len: range.len,
            })
            .collect())
    })
    .await
}

/// Checks the ranges against the object and puts the file in place; or, on failure, removes
/// a kept partial file unless the failure is one a later try can get past.
fn settle(
    job: &Job,
    fetched: Result<(Vec<RangeDone>, Expected)>,
    staged: StagedFile,
    dir: &Path,
    local: &Path,
    remote: &RemotePath,
) -> Result<u64> {
    let checked = fetched.and_then(|(ranges, expected)| {
        check(ranges, &expected, remote)?;
        Ok(expected)
    });
    // Only a kept download is in the database: many small files cost no writes there.
    let recorded = staged.is_kept();
    let forget = || match recorded {
        true => job.context.state.forget_download(local),
        false => Ok(()),
    };
    match checked {
        Ok(expected) => {
            finish(staged, dir, local, expected.modified)?;
            forget()?;
            Ok(expected.size)
        }
        Err(err) if worth_keeping(job, &err) => Err(err),
        Err(err) => {
            staged.discard();
            forget()?;
            Err(err)
        }
    }
}

/// Failures a later try of the same download can get past, so its partial file is kept; a
/// pause keeps it too.
fn worth_keeping(job: &Job, err: &Error) -> bool {
    job.paused_by(err)
        || !matches!(
            err.code,
            ErrorCode::TransferLocalWrite
                | ErrorCode::TransferIntegrity
                | ErrorCode::TransferCancelled
                | ErrorCode::StorageNotFound
                | ErrorCode::StorageSourceChanged
        )
}

/// Every byte of the object, hashing as the content hash stored at upload says.
fn check(mut ranges: Vec<RangeDone>, expected: &Expected, remote: &RemotePath) -> Result<()> {
    ranges.sort_by_key(|r| r.start);
    let received: u64 = ranges.iter().map(|r| r.len).sum();
    if received != expected.size {
        return Err(Error::new(
            ErrorCode::TransferIntegrity,
            format!(
                "{remote}: received {received} of {} bytes; download it again",
                expected.size
            ),
        ));
    }
    if let Some(content_crc) = expected.content_crc
        && combine_all(ranges.iter().map(|r| (r.crc, r.len))) != content_crc
    {
        return Err(Error::new(
            ErrorCode::TransferIntegrity,
            format!(
                "{remote}: the downloaded bytes do not match the content hash stored with the file; download it again"
            ),
        ));
    }
    Ok(())
}

fn unix_nanos(time: SystemTime) -> Option<i64> {
    let since = time.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_nanos()).ok()
}

fn from_unix_nanos(nanos: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_nanos(nanos.max(0) as u64)
}

/// The staged file for `local` in its folder (created if need be). The folder is made only
/// when the file cannot be: a download of many files into one folder then costs one directory
/// operation per file.
fn stage(local: &Path, replaces: bool) -> Result<(StagedFile, &Path)> {
    let dir = folder_of(local);
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

fn folder_of(local: &Path) -> &Path {
    match local.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
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

/// One range written: its hash and length, in file order once sorted by `start`.
struct RangeDone {
    start: u64,
    crc: u64,
    len: u64,
}

impl RangeDone {
    fn record(&self) -> RangeRecord {
        RangeRecord {
            start: self.start,
            len: self.len,
            crc: self.crc,
        }
    }
}

/// One file on its way down: what every range of it needs.
struct FileDownload<'a> {
    job: &'a Job,
    remote: &'a RemotePath,
    key: &'a str,
    /// The staged file the ranges are written into, and its name for messages.
    file: &'a File,
    temp: &'a Path,
    range_size: u64,
    /// The download's name in the state database, when each range is recorded there.
    recorded: Option<&'a Path>,
}

impl<'a> FileDownload<'a> {
    fn new(
        job: &'a Job,
        remote: &'a RemotePath,
        key: &'a str,
        staged: &'a StagedFile,
        local: &'a Path,
        recorded: Option<&'a Path>,
    ) -> Self {
        Self {
            job,
            remote,
            key,
            file: staged.file(),
            temp: staged.shown_path(local),
            range_size: job.context.options.part_size.max(1),
            recorded,
        }
    }

    /// The ranges starting at `starts`, in parallel, of the object version `expected` names.
    async fn fetch_all(&self, starts: Vec<u64>, expected: &Expected) -> Result<Vec<RangeDone>> {
        let job = self.job;
        job.cancellable(
            stream::iter(starts)
                .map(|start| {
                    let end = (start + self.range_size).min(expected.size);
                    self.fetch_range(start, end, expected.etag.as_deref())
                })
                .buffer_unordered(job.context.options.parts_in_flight.max(1))
                .try_collect(),
        )
        .await
    }

    /// The first range, which also tells the object's size and metadata (an empty object
    /// comes whole).
    async fn fetch_first(&self) -> Result<(RangeDone, ObjectInfo)> {
        let job = self.job;
        let slot = job.context.limiter.part_slot(0, &job.cancel).await?;
        let params = GetObjectParams {
            key: self.key.to_owned(),
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

    /// Bytes `start..end` of the object, retried as a whole when the connection breaks;
    /// recorded in the state database once written, when the download is kept.
    async fn fetch_range(&self, start: u64, end: u64, etag: Option<&str>) -> Result<RangeDone> {
        let job = self.job;
        let _slot = job.context.limiter.part_slot(0, &job.cancel).await?;
        let params = GetObjectParams {
            key: self.key.to_owned(),
            range: Some(start..end),
            if_match: etag.map(str::to_owned),
        };
        let doing = self.doing();
        let client = job.storage().client();
        let done = job
            .retry(|| async {
                let got = client
                    .get_object(&params)
                    .await
                    .map_err(|e| e.prefixed(&doing))?;
                self.write_body(got.body, start, end - start).await
            })
            .await?;
        if let Some(local) = self.recorded {
            job.context.state.record_range(local, &done.record())?;
        }
        Ok(done)
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
