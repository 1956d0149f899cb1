//! One sync of a pair at a time: a lock file per pair that the CLI and the app both take. The
//! holder writes who it is into the file, so a second one can say who holds it. The OS drops
//! the lock when the holder exits, however it exits.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use crate::error::{Error, ErrorCode, Result};

/// The lock of one pair, held until dropped.
#[derive(Debug)]
pub struct PairLock {
    _file: File,
}

impl PairLock {
    /// Takes the lock of pair `pair` in `dir` as `holder` (e.g. `cubby sync (pid 42)`), or
    /// fails with `sync.locked` naming who holds it.
    pub fn acquire(dir: &Path, pair: i64, holder: &str) -> Result<Self> {
        let io = |path: &Path, e: std::io::Error| {
            Error::new(ErrorCode::Io, format!("sync lock {}: {e}", path.display()))
        };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let path = dir.join(format!("pair-{pair}.lock"));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut held_by = String::new();
                let _ = file.read_to_string(&mut held_by);
                let held_by = match held_by.trim() {
                    "" => "another Cubby process",
                    named => named,
                };
                return Err(Error::new(
                    ErrorCode::SyncLocked,
                    format!(
                        "this pair is being synced by {held_by}; wait for it to finish, or stop it first"
                    ),
                ));
            }
            Err(TryLockError::Error(e)) => return Err(io(&path, e)),
        }
        file.set_len(0).map_err(|e| io(&path, e))?;
        file.rewind().map_err(|e| io(&path, e))?;
        file.write_all(holder.as_bytes())
            .map_err(|e| io(&path, e))?;
        Ok(Self { _file: file })
    }
}

/// `NAME (pid N) on HOST`: who a lock holder is, for the one who finds it held.
pub fn holder_name(program: &str) -> String {
    format!(
        "{program} (pid {}) on {}",
        std::process::id(),
        gethostname::gethostname().to_string_lossy()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_told_who_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let first = PairLock::acquire(dir.path(), 1, "the Cubby app (pid 7)").unwrap();
        let err = PairLock::acquire(dir.path(), 1, "cubby sync").unwrap_err();
        assert_eq!(err.code, ErrorCode::SyncLocked);
        assert!(
            err.message.contains("the Cubby app (pid 7)"),
            "{}",
            err.message
        );
        PairLock::acquire(dir.path(), 2, "cubby sync").unwrap();
        drop(first);
        PairLock::acquire(dir.path(), 1, "cubby sync").unwrap();
    }
}
