//! Taking turns at the saved sessions. Across processes the turn is an exclusive lock on one
//! file in the data directory (std's `File::lock`: `flock` on Unix, `LockFileEx` on Windows),
//! which the system releases when its holder closes the file or ends, even by a crash.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use tokio::sync::OwnedMutexGuard;

use crate::error::{Error, ErrorCode, Result};

/// A turn at the saved sessions (see [`super::SecretStore::take_turn`]); the next waiter goes
/// when it is dropped.
#[derive(Debug)]
pub struct Turn {
    _held: Held,
}

/// What keeps the others waiting.
#[derive(Debug)]
enum Held {
    File { _locked: File },
    Memory { _guard: OwnedMutexGuard<()> },
}

impl Turn {
    pub(super) fn in_memory(guard: OwnedMutexGuard<()>) -> Self {
        Self {
            _held: Held::Memory { _guard: guard },
        }
    }
}

/// The turn shared by every Cubby process of this user: `sessions.lock` in the data directory.
pub(super) async fn in_data_dir() -> Result<Turn> {
    let path = directories::ProjectDirs::from("app", "Cubby", "cubby")
        .map(|dirs| dirs.data_dir().join("sessions.lock"))
        .ok_or_else(|| {
            Error::new(
                ErrorCode::Io,
                "cannot find this user's data directory (is $HOME set?) for the session lock",
            )
        })?;
    locked_file(path).await
}

/// Waits for the exclusive lock on the file at `path`, creating it (and its folder) if needed.
async fn locked_file(path: PathBuf) -> Result<Turn> {
    tokio::task::spawn_blocking(move || {
        lock(&path).map_err(|err| {
            Error::new(
                ErrorCode::Io,
                format!("cannot take the session lock {}: {err}", path.display()),
            )
            .with_source(err)
        })
    })
    .await
    .map_err(|err| Error::internal(format!("session lock task failed: {err}")))?
    .map(|file| Turn {
        _held: Held::File { _locked: file },
    })
}

fn lock(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    file.lock()?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_second_holder_of_the_lock_file_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/sessions.lock");
        let first = locked_file(path.clone()).await.unwrap();
        let second = tokio::spawn(locked_file(path));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!second.is_finished(), "both held the lock at once");
        drop(first);
        tokio::time::timeout(Duration::from_secs(10), second)
            .await
            .expect("the second got the lock once the first let go")
            .unwrap()
            .unwrap();
    }
}
