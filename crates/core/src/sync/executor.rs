//! Running a plan: every action through the folder operations of [`Storage`] or the transfer
//! engine, each recorded in the state database as soon as it completes, so a crash at any
//! point leaves a base the next run finishes from (an action done but not recorded shows up as
//! equal on both sides, and is recorded without moving anything).
//!
//! Order: moves and conflicts first (they free names), then deletions (files, then folders
//! deepest first), then new folders, then transfers. Uploads wait until a file is stable;
//! downloads land through the engine's staged files; local deletions go to the trash, and only
//! when the file is still what the scan saw.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::stream::FuturesUnordered;
use futures::{StreamExt, stream};
use tokio::sync::mpsc::UnboundedSender;

use super::action::Action;
use super::file_facts::{inode, mtime_ns};
use super::model::{BaseItem, Kind, LocalItem, Side, Snapshot};
use super::paths::{local_path, remote_path};
use super::report::{Summary, SyncEvent};
use super::state_db::SyncDb;
use super::trash::Trash;
use crate::error::{Error, ErrorCode, Result};
use crate::storage::RemotePath;
use crate::transfer::{Direction, Moved, TransferHandle, Transfers};

/// Remote requests (moves, deletions) at once.
const REMOTE_AT_ONCE: usize = 16;

/// How long transfers that end after one another are gathered into one write of the state
/// database. A transfer that ended but was not recorded when the run stopped is found equal
/// on both sides by the next run and recorded then, without moving anything; a shorter
/// window only costs more writes (one per file when a folder of small files goes up).
const RECORD_WINDOW: Duration = Duration::from_millis(20);

/// Everything a run's actions reach.
pub(super) struct Executor<'a> {
    pub(super) root: &'a Path,
    pub(super) remote_dir: &'a RemotePath,
    pub(super) transfers: &'a Transfers,
    pub(super) db: &'a SyncDb,
    pub(super) pair: i64,
    pub(super) snapshot: &'a Snapshot,
    pub(super) trash: &'a Trash,
    pub(super) stable_for: Duration,
    pub(super) events: &'a UnboundedSender<SyncEvent>,
}

/// A transfer the run queued, and what to record when it ends.
struct Queued {
    path: String,
    direction: Direction,
    local: PathBuf,
    remote: RemotePath,
    /// The local file's state the upload was decided on.
    scanned: Option<LocalItem>,
    /// The action it finishes (counted once, when its last transfer ends).
    action: Action,
}

impl Executor<'_> {
    /// Runs `actions`; what was done is in the summary, what failed is reported and retried on
    /// the next run. Fails only when the state database cannot record.
    pub(super) async fn run(&self, actions: Vec<Action>) -> Result<Summary> {
        let mut summary = Summary::default();
        let mut transfers: Vec<Queued> = Vec::new();
        let mut remote_folders: Vec<String> = Vec::new();
        let mut local_folders: Vec<String> = Vec::new();
        let mut deletions = Vec::new();
        let mut moves = Vec::new();
        let mut records = Vec::new();
        for action in actions {
            match &action {
                Action::Record { path } => {
                    let item =
                        BaseItem::synced(&self.snapshot.local[path], &self.snapshot.remote[path]);
                    records.push((path.clone(), Some(item)));
                    summary.count(&action);
                }
                Action::Forget { path } => {
                    records.push((path.clone(), None));
                    summary.count(&action);
                }
                Action::MoveRemote { .. } | Action::Conflict { .. } => moves.push(action),
                Action::DeleteLocal { .. } | Action::DeleteRemote { .. } => deletions.push(action),
                Action::CreateLocalFolder { path } => local_folders.push(path.clone()),
                Action::CreateRemoteFolder { path } => remote_folders.push(path.clone()),
                Action::Upload { path } => transfers.push(self.upload(path, action.clone())?),
                Action::Download { path } => transfers.push(self.download(path, action.clone())?),
            }
        }
        self.db.update_base(self.pair, &records)?;
        for action in moves {
            match self.move_or_conflict(&action).await {
                Ok(more) => {
                    transfers.extend(more);
                    if matches!(action, Action::MoveRemote { .. }) {
                        self.done(&action, &mut summary);
                    } else {
                        summary.count(&action);
                    }
                }
                Err(err) => self.failed(action.path(), &err, &mut summary),
            }
        }
        self.delete(deletions, &mut summary).await?;
        self.create_folders(local_folders, remote_folders, &transfers, &mut summary)
            .await?;
        self.transfer(transfers, &mut summary).await?;
        Ok(summary)
    }

    fn done(&self, action: &Action, summary: &mut Summary) {
        summary.count(action);
        let _ = self.events.send(SyncEvent::Done {
            action: action.clone(),
        });
    }

    fn failed(&self, path: &str, err: &Error, summary: &mut Summary) {
        summary.failed += 1;
        let _ = self.events.send(SyncEvent::Failed {
            path: path.to_owned(),
            code: err.code,
            message: err.message.clone(),
        });
    }

    fn record(&self, path: &str, item: Option<BaseItem>) -> Result<()> {
        self.db.update_base(self.pair, &[(path.to_owned(), item)])
    }

    fn local(&self, path: &str) -> PathBuf {
        let on_disk = self
            .snapshot
            .local
            .get(path)
            .and_then(|i| i.on_disk.as_deref());
        local_path(self.root, path, on_disk)
    }

    fn remote(&self, path: &str) -> Result<RemotePath> {
        remote_path(self.remote_dir, path)
    }

    fn upload(&self, path: &str, action: Action) -> Result<Queued> {
        Ok(Queued {
            path: path.to_owned(),
            direction: Direction::Upload,
            local: self.local(path),
            remote: self.remote(path)?,
            scanned: self.snapshot.local.get(path).cloned(),
            action,
        })
    }

    fn download(&self, path: &str, action: Action) -> Result<Queued> {
        Ok(Queued {
            path: path.to_owned(),
            direction: Direction::Download,
            local: self.local(path),
            remote: self.remote(path)?,
            scanned: self.snapshot.local.get(path).cloned(),
            action,
        })
    }

    /// A move, or a conflict's renaming; the transfers that finish a conflict.
    async fn move_or_conflict(&self, action: &Action) -> Result<Vec<Queued>> {
        let storage = self.transfers.storage();
        match action {
            Action::MoveRemote {
                from,
                to,
                keep_source,
            } => {
                let (source, target) = (self.remote(from)?, self.remote(to)?);
                match keep_source {
                    true => storage.copy(&source, &target).await?,
                    false => storage.rename(&source, &target).await?,
                };
                let info = storage.head(&target).await?;
                let local = &self.snapshot.local[to];
                let mut base = BaseItem::synced(local, &self.snapshot.remote[from]);
                base.etag = info.etag;
                base.crc = info.content_crc64.or(base.crc);
                let mut changes = vec![(to.clone(), Some(base))];
                if !keep_source {
                    changes.push((from.clone(), None));
                }
                self.db.update_base(self.pair, &changes)?;
                Ok(Vec::new())
            }
            Action::Conflict {
                path,
                loser,
                copy,
                copy_to_both,
            } => {
                let mut queued = Vec::new();
                let remote_kind = self.snapshot.remote[path].kind;
                let local_kind = self.snapshot.local[path].kind;
                match loser {
                    Side::Local => {
                        let (from, into) = (self.local(path), local_path(self.root, copy, None));
                        rename_no_clobber(&from, &into)?;
                        if *copy_to_both {
                            queued.push(Queued {
                                scanned: Some(self.snapshot.local[path].clone()),
                                ..self.upload(copy, action.clone())?
                            });
                        }
                        match remote_kind {
                            Kind::File => {
                                queued.push(Queued {
                                    scanned: None,
                                    ..self.download(path, action.clone())?
                                });
                            }
                            Kind::Folder => {
                                std::fs::create_dir(&from).map_err(|e| local_error(&from, e))?;
                                self.record(path, Some(folder_base()))?;
                            }
                        }
                    }
                    Side::Remote => {
                        storage
                            .rename(&self.remote(path)?, &self.remote(copy)?)
                            .await?;
                        if *copy_to_both {
                            queued.push(Queued {
                                scanned: None,
                                ..self.download(copy, action.clone())?
                            });
                        }
                        match local_kind {
                            Kind::File => queued.push(self.upload(path, action.clone())?),
                            Kind::Folder => self.record(path, Some(folder_base()))?,
                        }
                    }
                }
                let _ = self.events.send(SyncEvent::Done {
                    action: action.clone(),
                });
                Ok(queued)
            }
            _ => Err(Error::internal("not a move or conflict")),
        }
    }

    /// Deletes files (local ones to the trash, each only while it is what the scan saw; remote
    /// ones only while their ETag is the scanned one), then folders, deepest first, once empty.
    async fn delete(&self, deletions: Vec<Action>, summary: &mut Summary) -> Result<()> {
        let (mut folders, files): (Vec<Action>, Vec<Action>) =
            deletions.into_iter().partition(|a| {
                matches!(
                    a,
                    Action::DeleteLocal {
                        kind: Kind::Folder,
                        ..
                    } | Action::DeleteRemote {
                        kind: Kind::Folder,
                        ..
                    }
                )
            });
        let results: Vec<(Action, Result<()>)> = stream::iter(files)
            .map(|action| async move {
                let result = match &action {
                    Action::DeleteLocal { path, .. } => self.delete_local_file(path),
                    Action::DeleteRemote { path, .. } => self.delete_remote_file(path).await,
                    _ => Ok(()),
                };
                (action, result)
            })
            .buffer_unordered(REMOTE_AT_ONCE)
            .collect()
            .await;
        for (action, result) in results {
            match result {
                Ok(()) => {
                    self.record(action.path(), None)?;
                    self.done(&action, summary);
                }
                Err(err) => self.failed(action.path(), &err, summary),
            }
        }
        folders.sort_by(|a, b| b.path().cmp(a.path()));
        for action in folders {
            let result = match &action {
                Action::DeleteLocal { path, .. } => {
                    let dir = self.local(path);
                    match std::fs::remove_dir(&dir) {
                        Ok(()) => Ok(true),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
                        // Something new is inside: it is synced, and the folder with it.
                        Err(_) if dir.is_dir() => Ok(false),
                        Err(e) => Err(local_error(&dir, e)),
                    }
                }
                Action::DeleteRemote { path, .. } => {
                    let storage = self.transfers.storage();
                    let marker = storage.folder().dir_prefix(&self.remote(path)?)?;
                    storage
                        .delete_keys(vec![marker])
                        .await?
                        .into_result()
                        .map(|_| true)
                }
                _ => Ok(false),
            };
            match result {
                Ok(true) => {
                    self.record(action.path(), None)?;
                    self.done(&action, summary);
                }
                Ok(false) => {}
                Err(err) => self.failed(action.path(), &err, summary),
            }
        }
        Ok(())
    }

    fn delete_local_file(&self, path: &str) -> Result<()> {
        let file = self.local(path);
        let scanned = &self.snapshot.local[path];
        match std::fs::symlink_metadata(&file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(local_error(&file, e)),
            Ok(meta) if !same_as_scanned(&meta, scanned) => {
                return Err(Error::new(
                    ErrorCode::TransferSourceChanged,
                    format!(
                        "{} changed since the scan, so it was not deleted; it is synced on the next pass",
                        file.display()
                    ),
                ));
            }
            Ok(_) => {}
        }
        self.trash.discard(&file)
    }

    async fn delete_remote_file(&self, path: &str) -> Result<()> {
        let storage = self.transfers.storage();
        let remote = self.remote(path)?;
        let info = match storage.head(&remote).await {
            Ok(info) => info,
            Err(err) if err.code == ErrorCode::StorageNotFound => return Ok(()),
            Err(err) => return Err(err),
        };
        if info.etag != self.snapshot.remote[path].etag {
            return Err(Error::new(
                ErrorCode::StorageSourceChanged,
                format!(
                    "{remote} changed since the scan, so it was not deleted; it is synced on the next pass"
                ),
            ));
        }
        storage
            .delete_keys(vec![storage.folder().object_key(&remote)?])
            .await?
            .into_result()
            .map(|_| ())
    }

    /// Makes new folders, shallowest first. A remote folder that files are about to go into
    /// exists through them, so only empty ones get a marker.
    async fn create_folders(
        &self,
        mut local: Vec<String>,
        remote: Vec<String>,
        transfers: &[Queued],
        summary: &mut Summary,
    ) -> Result<()> {
        local.sort();
        for path in local {
            let dir = self.local(&path);
            let result = match std::fs::create_dir_all(&dir) {
                Ok(()) => self.record(&path, Some(folder_base())),
                Err(e) => Err(local_error(&dir, e)),
            };
            let action = Action::CreateLocalFolder { path };
            match result {
                Ok(()) => self.done(&action, summary),
                Err(err) => self.failed(action.path(), &err, summary),
            }
        }
        let filled: BTreeSet<&str> = transfers
            .iter()
            .filter(|t| t.direction == Direction::Upload)
            .flat_map(|t| ancestors(&t.path))
            .collect();
        for path in remote {
            let result = if filled.contains(path.as_str()) {
                Ok(())
            } else {
                self.transfers
                    .storage()
                    .create_folder(&self.remote(&path)?)
                    .await
            };
            let action = Action::CreateRemoteFolder { path };
            match result {
                Ok(()) => {
                    self.record(action.path(), Some(folder_base()))?;
                    self.done(&action, summary);
                }
                Err(err) => self.failed(action.path(), &err, summary),
            }
        }
        Ok(())
    }

    /// Uploads (once stable) and downloads through the engine, each recorded as it ends.
    async fn transfer(&self, queued: Vec<Queued>, summary: &mut Summary) -> Result<()> {
        let (uploads, downloads): (Vec<Queued>, Vec<Queued>) = queued
            .into_iter()
            .partition(|q| q.direction == Direction::Upload);
        let mut ready = self.stable(uploads, summary).await;
        for download in downloads {
            match self.download_allowed(&download) {
                Ok(()) => ready.push(download),
                Err(err) => self.failed(&download.path, &err, summary),
            }
        }
        let handles = self.transfers.queue_all(
            ready
                .iter()
                .map(|q| (q.direction, q.local.clone(), q.remote.clone()))
                .collect(),
        );
        // A run that is dropped (stopped, or its process ending) stops its transfers too.
        let _stop_when_dropped: Vec<_> = handles
            .iter()
            .map(|h| h.cancel_switch().drop_guard())
            .collect();
        let mut running: FuturesUnordered<_> = ready
            .into_iter()
            .zip(handles)
            .map(|(queued, handle): (Queued, TransferHandle)| async move {
                let result = handle.wait_moved().await;
                (queued, result)
            })
            .collect();
        while let Some(first) = running.next().await {
            // Transfers that end within the window are recorded in the same transaction.
            let mut ended = vec![first];
            let window = tokio::time::sleep(RECORD_WINDOW);
            tokio::pin!(window);
            loop {
                tokio::select! {
                    biased;
                    more = running.next() => match more {
                        Some(more) => ended.push(more),
                        None => break,
                    },
                    () = &mut window => break,
                }
            }
            let mut records = Vec::with_capacity(ended.len());
            let mut finished = Vec::with_capacity(ended.len());
            for (queued, result) in ended {
                let base = match result {
                    Ok(moved) => self.base_after(&queued, moved).await,
                    Err(err) => Err(err),
                };
                match base {
                    Ok(base) => {
                        if let Some(item) = base {
                            records.push((queued.path.clone(), Some(item)));
                        }
                        finished.push(queued);
                    }
                    Err(err) => self.failed(&queued.path, &err, summary),
                }
            }
            self.db.update_base(self.pair, &records)?;
            for queued in finished {
                if !matches!(queued.action, Action::Conflict { .. }) {
                    self.done(&queued.action, summary);
                }
            }
        }
        Ok(())
    }

    /// The uploads whose files are what the scan saw and have not changed for `stable_for`;
    /// the others are deferred to the next pass.
    async fn stable(&self, uploads: Vec<Queued>, summary: &mut Summary) -> Vec<Queued> {
        let now = SystemTime::now();
        let youngest = uploads
            .iter()
            .filter_map(|q| q.scanned.as_ref())
            .map(|item| {
                let mtime = UNIX_EPOCH + Duration::from_nanos(item.mtime_ns.max(0) as u64);
                now.duration_since(mtime).unwrap_or_default()
            })
            .min();
        if let Some(age) = youngest
            && age < self.stable_for
        {
            tokio::time::sleep(self.stable_for - age).await;
        }
        let mut ready = Vec::with_capacity(uploads.len());
        for upload in uploads {
            let unchanged = upload.scanned.as_ref().is_some_and(|scanned| {
                std::fs::symlink_metadata(&upload.local).is_ok_and(|m| same_as_scanned(&m, scanned))
            });
            if unchanged {
                ready.push(upload);
            } else {
                summary.deferred += 1;
                let _ = self.events.send(SyncEvent::Deferred { path: upload.path });
            }
        }
        ready
    }

    /// A download may replace only what the scan saw there (or nothing).
    fn download_allowed(&self, download: &Queued) -> Result<()> {
        if let Some(parent) = download.local.parent() {
            std::fs::create_dir_all(parent).map_err(|e| local_error(parent, e))?;
        }
        let now = std::fs::symlink_metadata(&download.local);
        let same = match (&download.scanned, &now) {
            (None, Err(e)) => e.kind() == std::io::ErrorKind::NotFound,
            (Some(scanned), Ok(meta)) => same_as_scanned(meta, scanned),
            _ => false,
        };
        match same {
            true => Ok(()),
            false => Err(Error::new(
                ErrorCode::TransferSourceChanged,
                format!(
                    "{} changed since the scan, so it was not replaced; it is synced on the next pass",
                    download.local.display()
                ),
            )),
        }
    }

    /// The base to record for a transfer that ended well; `None` when what moved is not what
    /// the scan saw (the next run compares it).
    async fn base_after(&self, queued: &Queued, moved: Moved) -> Result<Option<BaseItem>> {
        match queued.direction {
            Direction::Upload => {
                let scanned = queued.scanned.as_ref().expect("uploads are scanned");
                let uploaded = moved.object.ok_or_else(|| {
                    Error::internal(format!("the upload of {} made no object", queued.path))
                })?;
                // Only the file as scanned is recorded: one that changed before it was read is
                // left for the next run to compare. The ETag is the one our upload was given,
                // so a later write by someone else shows up as a remote change.
                if uploaded.size != scanned.size || uploaded.mtime_ns != scanned.mtime_ns {
                    return Ok(None);
                }
                Ok(Some(BaseItem {
                    kind: Kind::File,
                    size: scanned.size,
                    mtime_ns: scanned.mtime_ns,
                    inode: scanned.inode,
                    etag: uploaded.etag,
                    crc: Some(uploaded.crc),
                }))
            }
            Direction::Download => {
                let meta = std::fs::symlink_metadata(&queued.local)
                    .map_err(|e| local_error(&queued.local, e))?;
                // A conflict copy was made on the server during this run: its version is asked.
                let (etag, crc) = match self.snapshot.remote.get(&queued.path) {
                    Some(remote) => (remote.etag.clone(), remote.crc),
                    None => {
                        let info = self.transfers.storage().head(&queued.remote).await?;
                        (info.etag, info.content_crc64)
                    }
                };
                Ok(Some(BaseItem {
                    kind: Kind::File,
                    size: meta.len(),
                    mtime_ns: mtime_ns(&meta),
                    inode: inode(&meta),
                    etag,
                    crc,
                }))
            }
        }
    }
}

fn folder_base() -> BaseItem {
    BaseItem {
        kind: Kind::Folder,
        size: 0,
        mtime_ns: 0,
        inode: None,
        etag: None,
        crc: None,
    }
}

/// `path` and each folder above it.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut end = Some(path.len());
    std::iter::from_fn(move || {
        let at = end?;
        let found = &path[..at];
        end = found.rfind('/');
        Some(found)
    })
}

fn same_as_scanned(meta: &std::fs::Metadata, scanned: &LocalItem) -> bool {
    let kind = if meta.is_dir() {
        Kind::Folder
    } else {
        Kind::File
    };
    kind == scanned.kind
        && (kind == Kind::Folder
            || (meta.len() == scanned.size && mtime_ns(meta) == scanned.mtime_ns))
}

/// Renames `from` to `into`, refusing to replace anything at `into`.
fn rename_no_clobber(from: &Path, into: &Path) -> Result<()> {
    if std::fs::symlink_metadata(into).is_ok() {
        return Err(Error::new(
            ErrorCode::TransferLocalWrite,
            format!(
                "{} already exists; the conflict is kept for the next pass",
                into.display()
            ),
        ));
    }
    std::fs::rename(from, into).map_err(|e| local_error(from, e))
}

fn local_error(path: &Path, err: std::io::Error) -> Error {
    Error::new(
        ErrorCode::TransferLocalWrite,
        format!("{}: {err}", path.display()),
    )
}
