//! The small SQLite database that lets interrupted transfers resume after a restart: its schema,
//! and for a multipart upload its upload id, what the file looked like when it started, and each
//! finished part. Downloads ([`super::download_db`]) and the queue ([`super::queue_db`]) keep
//! their rows in the same database.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, ErrorCode, Result};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS uploads (
    upload_id   TEXT PRIMARY KEY,
    local_path  TEXT NOT NULL,
    bucket      TEXT NOT NULL,
    key         TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    content_crc INTEGER NOT NULL,
    part_size   INTEGER NOT NULL,
    UNIQUE (local_path, bucket, key)
);
CREATE TABLE IF NOT EXISTS parts (
    upload_id   TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    etag        TEXT NOT NULL,
    crc         INTEGER NOT NULL,
    len         INTEGER NOT NULL,
    PRIMARY KEY (upload_id, number)
);
CREATE TABLE IF NOT EXISTS downloads (
    local_path  TEXT PRIMARY KEY,
    bucket      TEXT NOT NULL,
    key         TEXT NOT NULL,
    size        INTEGER NOT NULL,
    etag        TEXT NOT NULL,
    content_crc INTEGER,
    modified_ns INTEGER,
    range_size  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS download_ranges (
    local_path  TEXT NOT NULL REFERENCES downloads(local_path) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    len         INTEGER NOT NULL,
    crc         INTEGER NOT NULL,
    PRIMARY KEY (local_path, start)
);
CREATE TABLE IF NOT EXISTS queue (
    id          INTEGER PRIMARY KEY,
    direction   TEXT NOT NULL,
    local_path  TEXT NOT NULL,
    bucket      TEXT NOT NULL,
    folder      TEXT NOT NULL,
    remote      TEXT NOT NULL,
    state       TEXT NOT NULL,
    error       TEXT,
    UNIQUE (direction, local_path, bucket, folder, remote)
);
";

/// The schema's version in `PRAGMA user_version`. Version 0 (before this was kept) had only
/// `uploads` and `parts`; the schema only adds tables, created where missing, so opening any
/// older database brings it up to date and keeps what it holds.
const SCHEMA_VERSION: i64 = 1;

/// An unfinished multipart upload and the parts already on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRecord {
    /// The upload on the server.
    pub upload_id: String,
    /// The file being uploaded.
    pub local_path: PathBuf,
    /// Bucket of the upload.
    pub bucket: String,
    /// Key the upload completes to.
    pub key: String,
    /// Size of the file when the upload started.
    pub size: u64,
    /// Modification time of the file then (ns since the Unix epoch).
    pub mtime_ns: i64,
    /// CRC64-NVME of the whole file then.
    pub content_crc: u64,
    /// Size of every part but the last.
    pub part_size: u64,
    /// Parts the server confirmed, as recorded.
    pub parts: Vec<PartRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRecord {
    pub number: i32,
    pub etag: String,
    pub crc: u64,
    pub len: u64,
}

/// Shared by every transfer of a [`super::Transfers`]; each call is one short statement.
#[derive(Debug, Clone)]
pub struct StateDb {
    conn: Arc<Mutex<Connection>>,
}

impl StateDb {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| db_error(path, e))?;
        }
        let conn = Connection::open(path).map_err(|e| db_error(path, e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| db_error(path, e))?;
        // Each queued transfer costs a few writes; with a write-ahead log, NORMAL keeps every
        // one across a crash of the app without waiting for the disk (a power cut may lose the
        // last few, which then start over).
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| db_error(path, e))?;
        Self::init(conn, path)
    }

    /// A database that lasts as long as this value (no resume across restarts).
    pub fn in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(|e| db_error(Path::new(":memory:"), e))?;
        Self::init(conn, Path::new(":memory:"))
    }

    /// `transfers.sqlite` in the platform's data directory.
    pub fn default_path() -> Result<PathBuf> {
        directories::ProjectDirs::from("app", "Cubby", "cubby")
            .map(|dirs| dirs.data_dir().join("transfers.sqlite"))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::TransferStateDb,
                    "cannot find this user's data directory (is $HOME set?)",
                )
            })
    }

    fn init(conn: Connection, path: &Path) -> Result<Self> {
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(|e| db_error(path, e))?;
        conn.execute_batch(SCHEMA).map_err(|e| db_error(path, e))?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(|e| db_error(path, e))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    pub(super) fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| Error::internal("transfer state lock poisoned"))?;
        f(&conn).map_err(|e| db_error(Path::new("transfer state"), e))
    }

    /// The unfinished upload of this file to this key, if any.
    pub fn find_upload(
        &self,
        local_path: &Path,
        bucket: &str,
        key: &str,
    ) -> Result<Option<UploadRecord>> {
        self.with(|conn| {
            let record = conn
                .query_row(
                    "SELECT upload_id, size, mtime_ns, content_crc, part_size FROM uploads
                     WHERE local_path = ?1 AND bucket = ?2 AND key = ?3",
                    params![local_path.to_string_lossy(), bucket, key],
                    |row| {
                        Ok(UploadRecord {
                            upload_id: row.get(0)?,
                            local_path: local_path.to_owned(),
                            bucket: bucket.to_owned(),
                            key: key.to_owned(),
                            size: row.get::<_, i64>(1)? as u64,
                            mtime_ns: row.get(2)?,
                            content_crc: row.get::<_, i64>(3)? as u64,
                            part_size: row.get::<_, i64>(4)? as u64,
                            parts: Vec::new(),
                        })
                    },
                )
                .optional()?;
            let Some(mut record) = record else {
                return Ok(None);
            };
            let mut stmt = conn.prepare(
                "SELECT number, etag, crc, len FROM parts WHERE upload_id = ?1 ORDER BY number",
            )?;
            record.parts = stmt
                .query_map([&record.upload_id], |row| {
                    Ok(PartRecord {
                        number: row.get(0)?,
                        etag: row.get(1)?,
                        crc: row.get::<_, i64>(2)? as u64,
                        len: row.get::<_, i64>(3)? as u64,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(record))
        })
    }

    /// Every unfinished upload (for a front end to offer resuming or discarding them).
    pub fn unfinished_uploads(&self) -> Result<Vec<(PathBuf, String)>> {
        self.with(|conn| {
            let mut stmt =
                conn.prepare("SELECT local_path, key FROM uploads ORDER BY local_path")?;
            stmt.query_map([], |row| {
                Ok((PathBuf::from(row.get::<_, String>(0)?), row.get(1)?))
            })?
            .collect()
        })
    }

    /// Records a new upload, replacing any earlier one of the same file to the same key.
    pub(crate) fn start_upload(&self, record: &UploadRecord) -> Result<()> {
        self.with(|conn| {
            conn.execute(
                "DELETE FROM uploads WHERE local_path = ?1 AND bucket = ?2 AND key = ?3",
                params![record.local_path.to_string_lossy(), record.bucket, record.key],
            )?;
            conn.execute(
                "INSERT INTO uploads (upload_id, local_path, bucket, key, size, mtime_ns, content_crc, part_size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    record.upload_id,
                    record.local_path.to_string_lossy(),
                    record.bucket,
                    record.key,
                    record.size as i64,
                    record.mtime_ns,
                    record.content_crc as i64,
                    record.part_size as i64,
                ],
            )?;
            Ok(())
        })
    }

    pub(crate) fn record_part(&self, upload_id: &str, part: &PartRecord) -> Result<()> {
        self.with(|conn| {
            conn.execute(
                "INSERT OR REPLACE INTO parts (upload_id, number, etag, crc, len) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![upload_id, part.number, part.etag, part.crc as i64, part.len as i64],
            )?;
            Ok(())
        })
    }

    /// Forgets an upload (completed, aborted or no longer on the server).
    pub(crate) fn forget_upload(&self, upload_id: &str) -> Result<()> {
        self.with(|conn| {
            conn.execute("DELETE FROM uploads WHERE upload_id = ?1", [upload_id])?;
            Ok(())
        })
    }
}

fn db_error(path: &Path, err: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::new(
        ErrorCode::TransferStateDb,
        format!(
            "transfer state database {}: {err}; if it is damaged, delete it (unfinished uploads then start over)",
            path.display()
        ),
    )
    .with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(upload_id: &str) -> UploadRecord {
        UploadRecord {
            upload_id: upload_id.to_owned(),
            local_path: PathBuf::from("/home/a/big.iso"),
            bucket: "cubby".to_owned(),
            key: "id/big.iso".to_owned(),
            size: 100 << 20,
            mtime_ns: 1_700_000_000_123_456_789,
            content_crc: u64::MAX - 5,
            part_size: 8 << 20,
            parts: Vec::new(),
        }
    }

    fn part(number: i32) -> PartRecord {
        PartRecord {
            number,
            etag: format!("\"etag{number}\""),
            crc: u64::MAX - number as u64,
            len: 8 << 20,
        }
    }

    #[test]
    fn uploads_and_parts_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/transfers.sqlite");
        {
            let db = StateDb::open(&path).unwrap();
            db.start_upload(&record("u1")).unwrap();
            db.record_part("u1", &part(2)).unwrap();
            db.record_part("u1", &part(1)).unwrap();
            db.record_part("u1", &part(1)).unwrap();
        }
        let db = StateDb::open(&path).unwrap();
        let found = db
            .find_upload(Path::new("/home/a/big.iso"), "cubby", "id/big.iso")
            .unwrap()
            .unwrap();
        assert_eq!(
            found,
            UploadRecord {
                parts: vec![part(1), part(2)],
                ..record("u1")
            }
        );
        assert_eq!(
            db.unfinished_uploads().unwrap(),
            [(PathBuf::from("/home/a/big.iso"), "id/big.iso".to_owned())]
        );
        assert_eq!(
            db.find_upload(Path::new("/other"), "cubby", "id/big.iso")
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_new_upload_replaces_the_old_one_and_forgetting_drops_parts() {
        let db = StateDb::in_memory().unwrap();
        db.start_upload(&record("u1")).unwrap();
        db.record_part("u1", &part(1)).unwrap();
        db.start_upload(&record("u2")).unwrap();
        let found = db
            .find_upload(Path::new("/home/a/big.iso"), "cubby", "id/big.iso")
            .unwrap()
            .unwrap();
        assert_eq!((found.upload_id.as_str(), found.parts.len()), ("u2", 0));
        db.forget_upload("u2").unwrap();
        assert_eq!(db.unfinished_uploads().unwrap(), []);
        let count: i64 = db
            .with(|c| c.query_row("SELECT COUNT(*) FROM parts", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(count, 0);
    }

    /// A database as version 0 left it on people's machines: uploads and parts only.
    const SCHEMA_V0: &str = "
        CREATE TABLE uploads (
            upload_id TEXT PRIMARY KEY, local_path TEXT NOT NULL, bucket TEXT NOT NULL,
            key TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
            content_crc INTEGER NOT NULL, part_size INTEGER NOT NULL,
            UNIQUE (local_path, bucket, key)
        );
        CREATE TABLE parts (
            upload_id TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,
            number INTEGER NOT NULL, etag TEXT NOT NULL, crc INTEGER NOT NULL,
            len INTEGER NOT NULL, PRIMARY KEY (upload_id, number)
        );
        INSERT INTO uploads VALUES ('u1', '/home/a/big.iso', 'cubby', 'id/big.iso',
            104857600, 1700000000123456789, -6, 8388608);
        INSERT INTO parts VALUES ('u1', 1, '\"etag1\"', -2, 8388608);
    ";

    #[test]
    fn a_version_0_database_is_brought_up_to_date_and_keeps_its_uploads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("transfers.sqlite");
        Connection::open(&path)
            .unwrap()
            .execute_batch(SCHEMA_V0)
            .unwrap();
        let db = StateDb::open(&path).unwrap();
        let found = db
            .find_upload(Path::new("/home/a/big.iso"), "cubby", "id/big.iso")
            .unwrap()
            .unwrap();
        assert_eq!(
            found,
            UploadRecord {
                parts: vec![part(1)],
                ..record("u1")
            }
        );
        let version: i64 = db
            .with(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let queue = crate::transfer::queue_db::QueueName {
            bucket: "cubby".to_owned(),
            folder: "id/".to_owned(),
        };
        assert_eq!(db.unfinished(&queue).unwrap(), []);
        drop(db);
        StateDb::open(&path).expect("opening again changes nothing");
    }

    #[test]
    fn an_unreadable_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("transfers.sqlite");
        std::fs::write(
            &path,
            b"this is not a database, just some text that is long enough",
        )
        .unwrap();
        let err = StateDb::open(&path).unwrap_err();
        assert_eq!(err.code, ErrorCode::TransferStateDb);
        assert!(err.message.contains("delete it"), "{}", err.message);
    }
}
