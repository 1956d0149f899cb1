//! The half of a full run's scan that needs no storage: the local walk and the read of the
//! merge base. A front end can start it while the session is still being restored (the keyring,
//! the sign-in service), which otherwise leaves the computer idle, and hand it to
//! [`super::SyncPair::open_prescanned`]. It runs under the lock of the pair it was started for,
//! like any scan: no other run can change the local folder or the base between it and the
//! listing. A pair that turns out to be another one (another account's) scans as usual.

use std::path::{Path, PathBuf};

use tokio::task::JoinHandle;

use super::filter::{Filter, Sieve};
use super::local_scan::{LocalScan, scan_local_within};
use super::lock::PairLock;
use super::model::{BaseItem, Kind, Tree};
use super::scope::Scope;
use super::state_db::SyncDb;
use crate::error::{Error, Result};
use crate::storage::RemotePath;

/// A full scan's local walk and base read, running on blocking tasks.
pub(super) struct Scans {
    /// The filter both use (the run's filter, for the listing too).
    pub(super) filter: Filter,
    local: JoinHandle<Result<LocalScan>>,
    base: JoinHandle<Result<Tree<BaseItem>>>,
}

impl Scans {
    /// Starts the walk of what `scope` holds of `root` and the read of `pair`'s base.
    pub(super) fn start(
        root: &Path,
        db: &SyncDb,
        pair: i64,
        filter: Filter,
        scope: &Scope,
    ) -> Self {
        let local = {
            let (root, filter, scope) = (root.to_owned(), filter.clone(), scope.clone());
            tokio::task::spawn_blocking(move || scan_local_within(&root, &filter, &scope))
        };
        let base = {
            let (db, filter) = (db.clone(), filter.clone());
            tokio::task::spawn_blocking(move || {
                let mut base = db.base(pair)?;
                let mut sieve = Sieve::new(&filter);
                base.retain(|path, item| !sieve.ignores(path, item.kind == Kind::Folder));
                Ok::<_, Error>(base)
            })
        };
        Self {
            filter,
            local,
            base,
        }
    }

    /// What the walk found and the base (what the filter leaves of it).
    pub(super) async fn finish(self) -> Result<(LocalScan, Tree<BaseItem>)> {
        let local = self
            .local
            .await
            .map_err(|e| Error::internal(format!("local scan task: {e}")))??;
        let base = self
            .base
            .await
            .map_err(|e| Error::internal(format!("base reading task: {e}")))??;
        Ok((local, base))
    }
}

/// A local walk and base read begun for the pair of a local folder and a remote folder before
/// the storage is reached, under that pair's lock.
pub struct Prescan {
    /// The local folder.
    pub(super) root: PathBuf,
    /// Where pair locks live, and who takes them.
    pub(super) locks: PathBuf,
    pub(super) holder: String,
    /// The pair the scans are of, its lock, and the scans; `None` when none could start.
    pub(super) begun: Option<(i64, PairLock, Scans)>,
}

impl Prescan {
    /// Starts the scans of the pair of `local` and `remote_dir` that `db` records, when it
    /// records exactly one (one account's) and its lock in `locks` is free: the pair a sync of
    /// them opens unless the person signed in to another account. Otherwise nothing starts
    /// and the run scans as usual; an error here is the run's to report. Needs a Tokio runtime.
    pub fn start(
        db: &SyncDb,
        local: &Path,
        remote_dir: &RemotePath,
        locks: &Path,
        holder: &str,
    ) -> Self {
        let root = std::fs::canonicalize(local).unwrap_or_else(|_| local.to_owned());
        let begun = Self::candidate(db, &root, remote_dir).and_then(|pair| {
            let lock = PairLock::acquire(locks, pair, holder).ok()?;
            let filter = Filter::load(&root).ok()?;
            let scans = Scans::start(&root, db, pair, filter, &Scope::Everything);
            Some((pair, lock, scans))
        });
        Self {
            begun,
            ..Self::nothing(&root, locks, holder)
        }
    }

    /// A prescan that begins nothing: the pair opens and scans as usual. For a watched pair,
    /// whose first walk must come after its watcher started, or no change in between is seen
    /// until the next full rescan.
    pub fn nothing(local: &Path, locks: &Path, holder: &str) -> Self {
        Self {
            root: local.to_owned(),
            locks: locks.to_owned(),
            holder: holder.to_owned(),
            begun: None,
        }
    }

    fn candidate(db: &SyncDb, root: &Path, remote_dir: &RemotePath) -> Option<i64> {
        let pairs = db.pairs().ok()?;
        let mut same = pairs
            .iter()
            .filter(|p| p.spec.local == root && p.spec.remote_dir == remote_dir.as_str());
        match (same.next(), same.next()) {
            (Some(only), None) => Some(only.id),
            _ => None,
        }
    }
}
