//! The sync state database (SQLite, WAL, a versioned schema): the pairs, and for each the merge
//! base, the last synced state of every path on both sides. A database that cannot be read is
//! moved aside and started afresh, and the caller is told: the next run rescans both sides
//! with an empty base, which never deletes anything.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};
use serde::Serialize;

use super::model::{BaseItem, Kind, Mode, Tree};
use crate::error::{Error, ErrorCode, Result};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS pairs (
    id          INTEGER PRIMARY KEY,
    local_path  TEXT NOT NULL,
    bucket      TEXT NOT NULL,
    folder      TEXT NOT NULL,
    remote_dir  TEXT NOT NULL,
    mode        TEXT NOT NULL,
    last_run_ms INTEGER,
    last_status TEXT,
    last_error  TEXT,
    UNIQUE (local_path, bucket, folder, remote_dir)
);
CREATE TABLE IF NOT EXISTS entries (
    pair_id     INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    inode       INTEGER,
    etag        TEXT,
    crc         INTEGER,
    PRIMARY KEY (pair_id, path)
) WITHOUT ROWID;
";

/// Version 2: which pairs the desktop app runs, and which of them the person paused.
const MIGRATE_TO_2: &str = "
ALTER TABLE pairs ADD COLUMN watched INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pairs ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
";

/// The schema's version in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 2;

/// Which two folders a pair joins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairSpec {
    /// The local folder (absolute).
    #[serde(serialize_with = "crate::wire::lossy_path")]
    pub local: PathBuf,
    /// The bucket of the person's folder.
    pub bucket: String,
    /// The person's folder in it (its key prefix).
    pub folder: String,
    /// The folder inside the person's folder, as a path (empty for the top).
    pub remote_dir: String,
    /// How the pair syncs.
    pub mode: Mode,
}

/// A pair and how its last run went: `{"id", "local", "bucket", "folder", "remote_dir",
/// "mode", "last_run_ms", "last_status", "last_error", "synced_paths"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairRecord {
    /// Names the pair in this database (and its lock).
    pub id: i64,
    /// The folders it joins.
    #[serde(flatten)]
    pub spec: PairSpec,
    /// When it last ran (ms since the Unix epoch).
    pub last_run_ms: Option<i64>,
    /// `ok`, `incomplete`, `stopped` or `failed`.
    pub last_status: Option<String>,
    /// What went wrong last, for people.
    pub last_error: Option<String>,
    /// Paths in its merge base.
    pub synced_paths: u64,
}

/// The sync state of every pair; cheap to clone, each call one short statement or transaction.
#[derive(Debug, Clone)]
pub struct SyncDb {
    conn: Arc<Mutex<Connection>>,
}

impl SyncDb {
    /// Opens (creating if needed) the database at `path`. When it cannot be read it is moved
    /// aside (`NAME.unreadable-TIME`) and a new one made; the second value then says so.
    pub fn open(path: &Path) -> Result<(Self, Option<String>)> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| db_error(path, e))?;
        }
        match Self::open_existing(path) {
            Ok(db) => Ok((db, None)),
            Err(Opening::Refused(err)) => Err(err),
            Err(Opening::Unreadable(err)) if path.exists() => {
                let stamp = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs();
                let aside = path.with_extension(format!("unreadable-{stamp}"));
                std::fs::rename(path, &aside).map_err(|e| db_error(path, e))?;
                for suffix in ["-wal", "-shm"] {
                    let mut side = path.as_os_str().to_owned();
                    side.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(side));
                }
                let db = Self::open_existing(path).map_err(Opening::into_error)?;
                let note = format!(
                    "the sync state database could not be read ({}); it was moved to {} and every pair will rescan both folders (nothing is deleted on a rescan)",
                    err.message,
                    aside.display()
                );
                Ok((db, Some(note)))
            }
            Err(other) => Err(other.into_error()),
        }
    }

    fn open_existing(path: &Path) -> std::result::Result<Self, Opening> {
        let unreadable = |e| Opening::Unreadable(db_error(path, e));
        let conn = Connection::open(path).map_err(unreadable)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(unreadable)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(unreadable)?;
        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
            .map_err(unreadable)?;
        if check != "ok" {
            return Err(Opening::Unreadable(db_error(path, SqliteCheck(check))));
        }
        Self::init(conn, path).map_err(Opening::Refused)
    }

    /// A database that lasts as long as this value.
    pub fn in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(|e| db_error(Path::new(":memory:"), e))?;
        Self::init(conn, Path::new(":memory:"))
    }

    /// `sync.sqlite` in the platform's data directory.
    pub fn default_path() -> Result<PathBuf> {
        Ok(data_dir()?.join("sync.sqlite"))
    }

    /// Where sync's transfer queue keeps its resume state: apart from `cubby put`/`get`'s, so
    /// that `cubby resume` never finishes a sync's transfer behind the planner's back (a sync
    /// resumes its own multipart uploads and partial downloads on its next run).
    pub fn transfer_state_path() -> Result<PathBuf> {
        Ok(data_dir()?.join("sync-transfers.sqlite"))
    }

    fn init(conn: Connection, path: &Path) -> Result<Self> {
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| db_error(path, e))?;
        if version > SCHEMA_VERSION {
            return Err(Error::new(
                ErrorCode::SyncStateDb,
                format!(
                    "the sync state database {} was written by a newer Cubby (schema {version}); update Cubby",
                    path.display()
                ),
            ));
        }
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(|e| db_error(path, e))?;
        conn.execute_batch(SCHEMA).map_err(|e| db_error(path, e))?;
        if version < 2 {
            // One transaction with the version, so a crash never leaves half a migration.
            let batch =
                format!("BEGIN; {MIGRATE_TO_2} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;");
            conn.execute_batch(&batch).map_err(|e| db_error(path, e))?;
        }
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| Error::internal("sync state lock poisoned"))?;
        f(&mut conn).map_err(|e| db_error(Path::new("sync state"), e))
    }

    /// The pair joining `spec`'s folders, made when new; its mode is `spec`'s from now on.
    pub fn pair(&self, spec: &PairSpec) -> Result<PairRecord> {
        let local = spec.local.to_string_lossy();
        let id = self.with(|conn| {
            conn.execute(
                "INSERT INTO pairs (local_path, bucket, folder, remote_dir, mode)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (local_path, bucket, folder, remote_dir) DO UPDATE SET mode = ?5",
                params![
                    local,
                    spec.bucket,
                    spec.folder,
                    spec.remote_dir,
                    spec.mode.as_str()
                ],
            )?;
            conn.query_row(
                "SELECT id FROM pairs
                 WHERE local_path = ?1 AND bucket = ?2 AND folder = ?3 AND remote_dir = ?4",
                params![local, spec.bucket, spec.folder, spec.remote_dir],
                |row| row.get::<_, i64>(0),
            )
        })?;
        self.pairs()?
            .into_iter()
            .find(|pair| pair.id == id)
            .ok_or_else(|| Error::internal("a pair just recorded is missing"))
    }

    /// Every pair, oldest first.
    pub fn pairs(&self) -> Result<Vec<PairRecord>> {
        self.with(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, local_path, bucket, folder, remote_dir, mode, last_run_ms,
                        last_status, last_error,
                        (SELECT COUNT(*) FROM entries WHERE pair_id = pairs.id)
                 FROM pairs ORDER BY id",
            )?;
            let rows = stmt.query_map([], |row| {
                let mode: String = row.get(5)?;
                Ok(PairRecord {
                    id: row.get(0)?,
                    spec: PairSpec {
                        local: PathBuf::from(row.get::<_, String>(1)?),
                        bucket: row.get(2)?,
                        folder: row.get(3)?,
                        remote_dir: row.get(4)?,
                        mode: Mode::parse(&mode).unwrap_or_default(),
                    },
                    last_run_ms: row.get(6)?,
                    last_status: row.get(7)?,
                    last_error: row.get(8)?,
                    synced_paths: row.get::<_, i64>(9)? as u64,
                })
            })?;
            rows.collect()
        })
    }

    /// The pair's merge base.
    pub fn base(&self, pair: i64) -> Result<Tree<BaseItem>> {
        self.with(|conn| {
            let mut stmt = conn.prepare(
                "SELECT path, kind, size, mtime_ns, inode, etag, crc FROM entries
                 WHERE pair_id = ?1",
            )?;
            let rows = stmt.query_map([pair], |row| {
                let kind: String = row.get(1)?;
                Ok((
                    row.get::<_, String>(0)?,
                    BaseItem {
                        kind: if kind == "folder" {
                            Kind::Folder
                        } else {
                            Kind::File
                        },
                        size: row.get::<_, i64>(2)? as u64,
                        mtime_ns: row.get(3)?,
                        inode: row.get::<_, Option<i64>>(4)?.map(|i| i as u64),
                        etag: row.get(5)?,
                        crc: row.get::<_, Option<i64>>(6)?.map(|c| c as u64),
                    },
                ))
            })?;
            rows.collect()
        })
    }

    /// Records what actions did, in one transaction: `Some` is the path's new base, `None`
    /// forgets it.
    pub fn update_base(&self, pair: i64, changes: &[(String, Option<BaseItem>)]) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        self.with(|conn| {
            let tx = conn.transaction()?;
            {
                let mut put = tx.prepare_cached(
                    "INSERT OR REPLACE INTO entries
                     (pair_id, path, kind, size, mtime_ns, inode, etag, crc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?;
                let mut forget =
                    tx.prepare_cached("DELETE FROM entries WHERE pair_id = ?1 AND path = ?2")?;
                for (path, item) in changes {
                    match item {
                        Some(item) => {
                            let kind = match item.kind {
                                Kind::File => "file",
                                Kind::Folder => "folder",
                            };
                            put.execute(params![
                                pair,
                                path,
                                kind,
                                item.size as i64,
                                item.mtime_ns,
                                item.inode.map(|i| i as i64),
                                item.etag,
                                item.crc.map(|c| c as i64),
                            ])?;
                        }
                        None => {
                            forget.execute(params![pair, path])?;
                        }
                    }
                }
            }
            tx.commit()
        })
    }

    /// Records how a run of the pair ended.
    pub fn finish_run(&self, pair: i64, status: &str, error: Option<&str>) -> Result<()> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as i64;
        self.with(|conn| {
            conn.execute(
                "UPDATE pairs SET last_run_ms = ?2, last_status = ?3, last_error = ?4 WHERE id = ?1",
                params![pair, now, status, error],
            )
            .map(|_| ())
        })
    }
}

/// A pair the desktop app runs: `watched` in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedPair {
    /// The pair.
    pub record: PairRecord,
    /// Whether the person paused it (it stays paused across restarts).
    pub paused: bool,
}

impl SyncDb {
    /// The pairs the desktop app runs, oldest first.
    pub fn watched_pairs(&self) -> Result<Vec<WatchedPair>> {
        let flags: std::collections::HashMap<i64, bool> = self.with(|conn| {
            let mut stmt = conn.prepare("SELECT id, paused FROM pairs WHERE watched = 1")?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get::<_, bool>(1)?)))?;
            rows.collect()
        })?;
        Ok(self
            .pairs()?
            .into_iter()
            .filter_map(|record| {
                let paused = *flags.get(&record.id)?;
                Some(WatchedPair { record, paused })
            })
            .collect())
    }

    /// Makes the app run the pair (`true`, running) or no longer run it (`false`); its merge
    /// base stays, so adding it again never starts from nothing.
    pub fn set_watched(&self, pair: i64, watched: bool) -> Result<()> {
        self.with(|conn| {
            conn.execute(
                "UPDATE pairs SET watched = ?2, paused = 0 WHERE id = ?1",
                params![pair, watched],
            )
            .map(drop)
        })
    }

    /// Records whether the person paused the pair.
    pub fn set_paused(&self, pair: i64, paused: bool) -> Result<()> {
        self.with(|conn| {
            conn.execute(
                "UPDATE pairs SET paused = ?2 WHERE id = ?1",
                params![pair, paused],
            )
            .map(drop)
        })
    }
}

/// Cubby's data directory, where the sync database and pair locks live.
pub(super) fn data_dir() -> Result<PathBuf> {
    directories::ProjectDirs::from("app", "Cubby", "cubby")
        .map(|dirs| dirs.data_dir().to_owned())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::SyncStateDb,
                "cannot find this user's data directory (is $HOME set?)",
            )
        })
}

/// Why a database could not be opened: unreadable ones are replaced, others are not.
enum Opening {
    Unreadable(Error),
    Refused(Error),
}

impl Opening {
    fn into_error(self) -> Error {
        match self {
            Self::Unreadable(err) | Self::Refused(err) => err,
        }
    }
}

#[derive(Debug)]
struct SqliteCheck(String);

impl std::fmt::Display for SqliteCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "integrity check failed: {}", self.0)
    }
}

impl std::error::Error for SqliteCheck {}

fn db_error(path: &Path, err: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::new(
        ErrorCode::SyncStateDb,
        format!("sync state database {}: {err}", path.display()),
    )
    .with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(local: &str) -> PairSpec {
        PairSpec {
            local: PathBuf::from(local),
            bucket: "bucket".into(),
            folder: "me/".into(),
            remote_dir: "docs".into(),
            mode: Mode::TwoWay,
        }
    }

    fn item(size: u64) -> BaseItem {
        BaseItem {
            kind: Kind::File,
            size,
            mtime_ns: -5,
            inode: Some(u64::MAX),
            etag: Some("\"e\"".into()),
            crc: Some(u64::MAX - 1),
        }
    }

    #[test]
    fn pairs_and_their_bases_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.sqlite");
        let (db, note) = SyncDb::open(&path).unwrap();
        assert_eq!(note, None);
        let pair = db.pair(&spec("/home/a")).unwrap();
        let other = db.pair(&spec("/home/b")).unwrap();
        assert_ne!(pair.id, other.id);
        db.update_base(
            pair.id,
            &[("x".into(), Some(item(3))), ("y".into(), Some(item(4)))],
        )
        .unwrap();
        db.update_base(pair.id, &[("y".into(), None)]).unwrap();
        drop(db);
        let (db, _) = SyncDb::open(&path).unwrap();
        let again = db
            .pair(&PairSpec {
                mode: Mode::Mirror,
                ..spec("/home/a")
            })
            .unwrap();
        assert_eq!(again.id, pair.id);
        assert_eq!(again.spec.mode, Mode::Mirror);
        assert_eq!(again.synced_paths, 1);
        assert_eq!(
            db.base(pair.id).unwrap(),
            Tree::from([("x".into(), item(3))])
        );
        assert!(db.base(other.id).unwrap().is_empty());
        db.finish_run(pair.id, "failed", Some("offline")).unwrap();
        let listed = db.pairs().unwrap();
        assert_eq!(listed[0].last_status.as_deref(), Some("failed"));
        assert_eq!(listed[0].last_error.as_deref(), Some("offline"));
    }

    #[test]
    fn an_unreadable_database_is_moved_aside_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.sqlite");
        std::fs::write(
            &path,
            b"this is not a database, not at all, not even close ....",
        )
        .unwrap();
        let (db, note) = SyncDb::open(&path).unwrap();
        let note = note.expect("the loss is said");
        assert!(note.contains("rescan"), "{note}");
        assert!(db.pairs().unwrap().is_empty());
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.contains("unreadable"))
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
    }

    #[test]
    fn a_version_1_database_migrates_keeping_its_pairs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.execute(
            "INSERT INTO pairs (local_path, bucket, folder, remote_dir, mode, last_status)
             VALUES ('/home/a', 'bucket', 'me/', 'docs', 'two-way', 'ok')",
            [],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        drop(conn);
        let (db, note) = SyncDb::open(&path).unwrap();
        assert_eq!(note, None);
        let pairs = db.pairs().unwrap();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].last_status.as_deref(), Some("ok"));
        assert!(
            db.watched_pairs().unwrap().is_empty(),
            "nothing is watched after the migration"
        );
        db.set_watched(pairs[0].id, true).unwrap();
        db.set_paused(pairs[0].id, true).unwrap();
        drop(db);
        let (db, _) = SyncDb::open(&path).unwrap();
        let watched = db.watched_pairs().unwrap();
        assert_eq!(watched.len(), 1);
        assert!(watched[0].paused);
        let version: i64 = db
            .with(|conn| conn.query_row("PRAGMA user_version", [], |row| row.get(0)))
            .unwrap();
        assert_eq!(version, 2);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = SyncDb::open(&path).unwrap_err();
        assert!(err.message.contains("newer Cubby"), "{}", err.message);
    }
}
