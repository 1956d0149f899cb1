//! One pair of folders being synced: [`SyncPair::run_once`] scans both sides, plans, checks the
//! deletion guard and runs the plan. Every full run rescans both sides, so an interrupted run, a
//! lost state database or a missed watcher event needs nothing but the next one; a run after a
//! local change ([`SyncPair::run_within`]) looks at the folders that changed only.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::action::{Action, Issue, Plan};
use super::checksums;
use super::conflict_name::ConflictStamp;
use super::executor::Executor;
use super::filter::Filter;
use super::guard::DeletionLimit;
use super::lock::PairLock;
use super::model::{Kind, Mode, Snapshot};
use super::names::NameRules;
use super::plan::{PlanOptions, plan};
use super::prescan::{Prescan, Scans};
use super::remote_scan::scan_remote_within;
use super::report::{Summary, SyncEvent};
use super::scope::Scope;
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
    /// What it looked at: the plan and its issues are about this part of the pair.
    pub scope: Scope,
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
    /// Scans begun before the pair was opened, for its first full run.
    prescanned: Mutex<Option<Scans>>,
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
        let prescan = Prescan::nothing(root, locks, holder);
        Self::open_prescanned(prescan, remote_dir, transfers, db, options)
    }

    /// [`Self::open`] of the folder `prescan` was started for (locked where it says, as whom
    /// it says); its first full run takes the local walk and the base read from `prescan`
    /// when they are of this pair.
    pub fn open_prescanned(
        prescan: Prescan,
        remote_dir: RemotePath,
        transfers: Transfers,
        db: SyncDb,
        options: SyncOptions,
    ) -> Result<(Self, UnboundedReceiver<SyncEvent>)> {
        let root = std::fs::canonicalize(&prescan.root)
            .ok()
            .filter(|p| p.is_dir())
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::SyncInvalidPair,
                    format!(
                        "{} is not a folder; name an existing folder to sync",
                        prescan.root.display()
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
        let (lock, prescanned) = match prescan.begun {
            Some((pair, lock, scans)) if pair == record.id => (lock, Some(scans)),
            // Another pair's: its lock goes before this one's is taken.
            begun => {
                drop(begun);
                let lock = PairLock::acquire(&prescan.locks, record.id, &prescan.holder)?;
                (lock, None)
            }
        };
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
            prescanned: Mutex::new(prescanned),
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
        self.run_within(&Scope::Everything).await
    }

    /// [`Self::run_once`] over what `scope` holds only (what the watcher saw change). A run
    /// that would delete or move anything is done over everything instead: a deletion is
    /// only ever decided on both whole sides, where a move's other end is seen.
    pub async fn run_within(&self, scope: &Scope) -> Result<RunReport> {
        let id = self.record.id;
        let previous = self.db.pairs()?.into_iter().find(|p| p.id == id);
        let (last_status, last_error) = previous
            .map(|p| (p.last_status, p.last_error))
            .unwrap_or_default();
        if last_status.as_deref() == Some("running") {
            self.note(
                "the last run of this pair was interrupted; both folders were rescanned and the sync goes on from where it stopped".to_owned(),
            );
        }
        if !self.options.dry_run {
            self.db.finish_run(id, "running", None)?;
        }
        let result = self.run(scope).await;
        if !self.options.dry_run {
            let (status, error) = match &result {
                Ok(report) if report.summary.complete() && report.plan.issues.is_empty() => {
                    match last_status.as_deref() {
                        // A part found clean says nothing of the rest: the last full run's
                        // verdict stands.
                        Some(verdict) if !report.scope.is_everything() && verdict != "running" => {
                            (verdict, last_error.as_deref())
                        }
                        _ => ("ok", None),
                    }
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

    async fn run(&self, scope: &Scope) -> Result<RunReport> {
        let prescanned = self.prescanned.lock().expect("prescan lock").take();
        let prescanned = prescanned.filter(|_| scope.is_everything());
        let filter = match &prescanned {
            Some(scans) => scans.filter.clone(),
            None => Filter::load(&self.root)?,
        };
        if !scope.is_everything() {
            let scans = Scans::start(&self.root, &self.db, self.record.id, filter.clone(), scope);
            let scanned = self.scan(scans, scope).await?;
            let plan = self.plan(&scanned);
            if !plan.actions.iter().any(Action::deletes_or_moves) {
                return self.carry_out(scanned, plan, scope.clone()).await;
            }
        }
        let scans = prescanned.unwrap_or_else(|| {
            Scans::start(
                &self.root,
                &self.db,
                self.record.id,
                filter,
                &Scope::Everything,
            )
        });
        let scanned = self.scan(scans, &Scope::Everything).await?;
        let plan = self.plan(&scanned);
        self.carry_out(scanned, plan, Scope::Everything).await
    }

    /// Both sides and the merge base, as far as `scope` reaches: the remote listing while
    /// `scans` (of `scope`) walk the local folder and read the base.
    async fn scan(&self, scans: Scans, scope: &Scope) -> Result<Scanned> {
        let storage = self.transfers.storage();
        let remote = scan_remote_within(storage, &self.remote_dir, &scans.filter, scope).await?;
        let (local, mut base) = scans.finish().await?;
        // The guard counts against every synced file, not the scope's.
        let first_run = base.is_empty();
        let synced_files = base.values().filter(|b| b.kind == Kind::File).count();
        base.retain(|path, _| scope.contains(path));
        let mut snapshot = Snapshot {
            local: local.items,
            remote: remote.items,
            base,
        };
        checksums::fill(&mut snapshot, &self.root, storage, &self.remote_dir).await?;
        let mut issues = local.issues;
        issues.extend(remote.issues);
        Ok(Scanned {
            snapshot,
            blocked: local.blocked.into_iter().chain(remote.blocked).collect(),
            issues,
            first_run,
            synced_files,
        })
    }

    fn plan(&self, scanned: &Scanned) -> Plan {
        let options = PlanOptions {
            mode: self.options.mode,
            names: self.names,
            stamp: ConflictStamp::now(),
        };
        let mut plan = plan(&scanned.snapshot, &scanned.blocked, &options);
        let mut issues = scanned.issues.clone();
        issues.append(&mut plan.issues);
        plan.issues = issues;
        plan
    }

    /// Reports `plan`, checks it against the deletion guard and (unless a dry run) runs it.
    async fn carry_out(&self, scanned: Scanned, plan: Plan, scope: Scope) -> Result<RunReport> {
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
        let first_run = scanned.first_run;
        if self.options.dry_run {
            return Ok(RunReport {
                plan,
                summary,
                first_run,
                scope,
            });
        }
        self.options
            .deletion_limit
            .check(plan.file_deletions(), scanned.synced_files)
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
            snapshot: &scanned.snapshot,
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
            scope,
        })
    }
}

/// What a run's scan found, before planning.
struct Scanned {
    snapshot: Snapshot,
    blocked: BTreeSet<String>,
    issues: Vec<Issue>,
    first_run: bool,
    /// Files in the whole merge base, whatever the scope.
    synced_files: usize,
}
