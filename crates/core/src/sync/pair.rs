//! One pair of folders being synced: [`SyncPair::run_once`] scans both sides, plans, checks the
//! deletion guard and runs the plan. Every run rescans both sides, so an interrupted run, a
//! lost state database or a missed watcher event needs nothing but the next run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::action::Plan;
use super::checksums;
use super::conflict_name::ConflictStamp;
use super::executor::Executor;
use super::filter::Filter;
use super::guard::DeletionLimit;
use super::local_scan::scan_local;
use super::lock::PairLock;
use super::model::{Kind, Mode, Snapshot};
use super::names::NameRules;
use super::plan::{PlanOptions, plan};
use super::remote_scan::scan_remote;
use super::report::{Summary, SyncEvent};
use super::state_db::{PairRecord, PairSpec, SyncDb, data_dir};
use super::trash::Trash;
use crate::error::{Error, ErrorCode, Result};
use crate::storage::RemotePath;
use crate::transfer::{LocalFolder, Transfers};

/// How a pair syncs; the defaults are the CLI's.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Backup, mirror or two-way.
    pub mode: Mode,
    /// How many deletions run without asking.
    pub deletion_limit: DeletionLimit,
    /// Plan only: nothing changes on either side, nothing is recorded.
    pub dry_run: bool,
    /// A file is uploaded once unchanged for this long.
    pub stable_for: Duration,
    /// Where local deletions go.
    pub trash: Trash,
    /// The local disk's naming rules; `None`: this system's, case folding found on the disk.
    pub names: Option<NameRules>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            mode: Mode::TwoWay,
            deletion_limit: DeletionLimit::Default,
            dry_run: false,
            stable_for: Duration::from_millis(300),
            trash: Trash::System,
            names: None,
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The plan it made (all of it, also on a dry run).
    pub plan: Plan,
    /// What was done.
    pub summary: Summary,
    /// Whether the pair had no merge base (nothing is deleted then).
    pub first_run: bool,
}

/// A pair of folders, locked for this process while the value lives.
pub struct SyncPair {
    root: PathBuf,
    remote_dir: RemotePath,
    transfers: Transfers,
    db: SyncDb,
    record: PairRecord,
    options: SyncOptions,
    names: NameRules,
    events: UnboundedSender<SyncEvent>,
    _lock: PairLock,
}

/// Where pair locks live: `sync-locks` in the data directory.
pub fn default_lock_dir() -> Result<PathBuf> {
    Ok(data_dir()?.join("sync-locks"))
}

impl SyncPair {
    /// The pair of `root` and `remote_dir` (in the folder `transfers` reaches), recorded in
    /// `db` and locked in `locks` as `holder`; its events arrive on the receiver.
    pub fn open(
        root: &Path,
        remote_dir: RemotePath,
        transfers: Transfers,
        db: SyncDb,
        options: SyncOptions,
        locks: &Path,
        holder: &str,
    ) -> Result<(Self, UnboundedReceiver<SyncEvent>)> {
        let root = std::fs::canonicalize(root)
            .ok()
            .filter(|p| p.is_dir())
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::SyncInvalidPair,
                    format!(
                        "{} is not a folder; name an existing folder to sync",
                        root.display()
                    ),
                )
            })?;
        let storage = transfers.storage();
        let spec = PairSpec {
            local: root.clone(),
            bucket: storage.bucket().to_owned(),
            folder: storage.folder().prefix().to_owned(),
            remote_dir: remote_dir.as_str().to_owned(),
            mode: options.mode,
        };
        let record = db.pair(&spec)?;
        let lock = PairLock::acquire(locks, record.id, holder)?;
        let names = options
            .names
            .unwrap_or_else(|| NameRules::for_this_system(LocalFolder::new(&root).folds_case()));
        let (events, receiver) = mpsc::unbounded_channel();
        let pair = Self {
            root,
            remote_dir,
            transfers,
            db,
            record,
            options,
            names,
            events,
            _lock: lock,
        };
        Ok((pair, receiver))
    }

    /// The pair as recorded.
    pub fn record(&self) -> &PairRecord {
        &self.record
    }

    /// The local folder (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Holds transfers (those in flight finish); see [`Transfers::pause`].
    pub fn pause(&self) {
        self.transfers.pause();
    }

    /// Lets transfers move again.
    pub fn resume(&self) {
        self.transfers.resume();
    }

    pub(super) fn note(&self, message: String) {
        let _ = self.events.send(SyncEvent::Note { message });
    }

    /// Scans both sides, plans, and (unless a dry run) runs the plan. Fails when a scan
    /// fails, when the deletion guard stops the plan, or when the state cannot be recorded;
    /// actions that fail are reported as events and counted, and tried again next run.
    pub async fn run_once(&self) -> Result<RunReport> {
        let id = self.record.id;
        let interrupted = self
            .db
            .pairs()?
            .into_iter()
            .any(|p| p.id == id && p.last_status.as_deref() == Some("running"));
        if interrupted {
            self.note(
                "the last run of this pair was interrupted; both folders were rescanned and the sync goes on from where it stopped".to_owned(),
            );
        }
        if !self.options.dry_run {
            self.db.finish_run(id, "running", None)?;
        }
        let result = self.run().await;
        if !self.options.dry_run {
            let (status, error) = match &result {
                Ok(report) if report.summary.complete() && report.plan.issues.is_empty() => {
                    ("ok", None)
                }
                Ok(_) => ("incomplete", None),
                Err(err) if err.code == ErrorCode::SyncDeletionGuard => {
                    ("stopped", Some(err.message.as_str()))
                }
                Err(err) => ("failed", Some(err.message.as_str())),
            };
            self.db.finish_run(id, status, error)?;
        }
        result
    }

    async fn run(&self) -> Result<RunReport> {
        let storage = self.transfers.storage();
        let filter = Filter::load(&self.root)?;
        // The local walk, the remote listing and the read of the base all at once.
        let local = {
            let (root, filter) = (self.root.clone(), filter.clone());
            tokio::task::spawn_blocking(move || scan_local(&root, &filter))
        };
        let base = {
            let (db, pair, filter) = (self.db.clone(), self.record.id, filter.clone());
            tokio::task::spawn_blocking(move || {
                let mut base = db.base(pair)?;
                base.retain(|path, item| !filter.ignores(path, item.kind == Kind::Folder));
                Ok::<_, Error>(base)
            })
        };
        let remote = scan_remote(storage, &self.remote_dir, &filter).await?;
        let local = local
            .await
            .map_err(|e| Error::internal(format!("local scan task: {e}")))??;
        let base = base
            .await
            .map_err(|e| Error::internal(format!("base reading task: {e}")))??;
        let first_run = base.is_empty();
        let mut snapshot = Snapshot {
            local: local.items,
            remote: remote.items,
            base,
        };
        checksums::fill(&mut snapshot, &self.root, storage, &self.remote_dir).await?;
        let blocked: BTreeSet<String> = local.blocked.into_iter().chain(remote.blocked).collect();
        let options = PlanOptions {
            mode: self.options.mode,
            names: self.names,
            stamp: ConflictStamp::now(),
        };
        let mut plan = plan(&snapshot, &blocked, &options);
        let mut issues = local.issues;
        issues.extend(remote.issues);
        issues.append(&mut plan.issues);
        plan.issues = issues;
        for issue in &plan.issues {
            let _ = self.events.send(SyncEvent::Issue(issue.clone()));
        }
        for left in &plan.left {
            let _ = self.events.send(SyncEvent::Left(left.clone()));
        }
        let mut summary = Summary {
            issues: plan.issues.len(),
            left: plan.left.len(),
            ..Summary::default()
        };
        if self.options.dry_run {
            return Ok(RunReport {
                plan,
                summary,
                first_run,
            });
        }
        let synced_files = snapshot
            .base
            .values()
            .filter(|b| b.kind == Kind::File)
            .count();
        self.options
            .deletion_limit
            .check(plan.file_deletions(), synced_files)
            .map_err(Error::from)?;
        let _ = self.events.send(SyncEvent::Planned {
            actions: plan.actions.iter().filter(|a| a.changes_anything()).count(),
            deletions: plan.file_deletions(),
        });
        let executor = Executor {
            root: &self.root,
            remote_dir: &self.remote_dir,
            transfers: &self.transfers,
            db: &self.db,
            pair: self.record.id,
            snapshot: &snapshot,
            trash: &self.options.trash,
            stable_for: self.options.stable_for,
            events: &self.events,
        };
        let done = executor.run(plan.actions.clone()).await?;
        summary = Summary {
            issues: summary.issues,
            left: summary.left,
            ..done
        };
        Ok(RunReport {
            plan,
            summary,
            first_run,
        })
    }
}
