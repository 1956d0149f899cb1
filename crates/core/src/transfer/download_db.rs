//! Downloads as the state database keeps them: for a download of more than one range, the
//! object's version and each range already written to its kept partial file (one row per
//! range, never per chunk), so a later run can continue from those bytes.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use super::state_db::StateDb;
use crate::error::Result;

/// An unfinished download of more than one range into its kept partial file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DownloadRecord {
    pub(crate) local_path: PathBuf,
    pub(crate) bucket: String,
    pub(crate) key: String,
    /// The object's size and version when the download started; a resume asks for exactly
    /// this version.
    pub(crate) size: u64,
    pub(crate) etag: String,
    /// The content hash stored at upload, when there is one.
    pub(crate) content_crc: Option<u64>,
    /// The object's modification time (ns since the Unix epoch), given to the finished file.
    pub(crate) modified_ns: Option<i64>,
    /// Size of every range but the last.
    pub(crate) range_size: u64,
    /// Ranges written to the partial file, as recorded.
    pub(crate) ranges: Vec<RangeRecord>,
}

/// One range of a download written to the partial file: where, how long, and its CRC64-NVME.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RangeRecord {
    pub(crate) start: u64,
    pub(crate) len: u64,
    pub(crate) crc: u64,
}

impl StateDb {
    /// The unfinished download of this key to this file, if any.
    pub(crate) fn find_download(
        &self,
        local_path: &Path,
        bucket: &str,
        key: &str,
    ) -> Result<Option<DownloadRecord>> {
        let local = local_path.to_string_lossy();
        self.with(|conn| {
            let record = conn
                .query_row(
                    "SELECT size, etag, content_crc, modified_ns, range_size FROM downloads
                     WHERE local_path = ?1 AND bucket = ?2 AND key = ?3",
                    params![local, bucket, key],
                    |row| {
                        Ok(DownloadRecord {
                            local_path: local_path.to_owned(),
                            bucket: bucket.to_owned(),
                            key: key.to_owned(),
                            size: row.get::<_, i64>(0)? as u64,
                            etag: row.get(1)?,
                            content_crc: row.get::<_, Option<i64>>(2)?.map(|c| c as u64),
                            modified_ns: row.get(3)?,
                            range_size: row.get::<_, i64>(4)? as u64,
                            ranges: Vec::new(),
                        })
                    },
                )
                .optional()?;
            let Some(mut record) = record else {
                return Ok(None);
            };
            let mut stmt = conn.prepare(
                "SELECT start, len, crc FROM download_ranges WHERE local_path = ?1 ORDER BY start",
            )?;
            record.ranges = stmt
                .query_map([&local], |row| {
                    Ok(RangeRecord {
                        start: row.get::<_, i64>(0)? as u64,
                        len: row.get::<_, i64>(1)? as u64,
                        crc: row.get::<_, i64>(2)? as u64,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(record))
        })
    }

    /// Records a new download into a kept partial file (its ranges so far included),
    /// replacing any earlier one to the same file.
    pub(crate) fn start_download(&self, record: &DownloadRecord) -> Result<()> {
        let local = record.local_path.to_string_lossy();
        self.with(|conn| {
            let tx = conn.unchecked_transaction()?;
            tx.execute("DELETE FROM downloads WHERE local_path = ?1", [&local])?;
            tx.execute(
                "INSERT INTO downloads (local_path, bucket, key, size, etag, content_crc, modified_ns, range_size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    local,
                    record.bucket,
                    record.key,
                    record.size as i64,
                    record.etag,
                    record.content_crc.map(|c| c as i64),
                    record.modified_ns,
                    record.range_size as i64,
                ],
            )?;
            for range in &record.ranges {
                insert_range(&tx, &local, range)?;
            }
            tx.commit()
        })
    }

    /// Records one more range written to the partial file of the download to `local_path`.
    pub(crate) fn record_range(&self, local_path: &Path, range: &RangeRecord) -> Result<()> {
        self.with(|conn| insert_range(conn, &local_path.to_string_lossy(), range))
    }

    /// Forgets the download to `local_path` (finished, given up, or started over).
    pub(crate) fn forget_download(&self, local_path: &Path) -> Result<()> {
        self.with(|conn| {
            conn.execute(
                "DELETE FROM downloads WHERE local_path = ?1",
                [local_path.to_string_lossy()],
            )?;
            Ok(())
        })
    }
}

fn insert_range(conn: &Connection, local: &str, range: &RangeRecord) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO download_ranges (local_path, start, len, crc) VALUES (?1, ?2, ?3, ?4)",
        params![local, range.start as i64, range.len as i64, range.crc as i64],
    )?;
    Ok(())
}
