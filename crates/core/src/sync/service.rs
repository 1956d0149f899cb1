//! The pairs an app runs for the signed-in folder, each watched on a task of its own until it
//! is paused, removed or the service stops; which pairs run and which are paused is kept in
//! the state database, so a restart brings them back as they were. Their status is published
//! as whole snapshots on a `tokio::sync::watch` channel.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::sync::watch as latest;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::action::Action;
use super::guard::DeletionLimit;
use super::model::{BaseItem, Kind, Mode};
use super::pair::{RunReport, SyncOptions, SyncPair};
use super::report::SyncEvent;
use super::state_db::{PairRecord, PairSpec, SyncDb, WatchedPair};
use super::status::{ShownError, SyncPairStatus, SyncSnapshot, SyncState, now_ms};
use super::watch::{WatchOptions, watch};
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{RemotePath, Storage};
use crate::transfer::{StateDb, TransferOptions, Transfers};

/// How long [`SyncService::stop`] waits for the pairs to reach a safe point.
const STOP_WITHIN: Duration = Duration::from_secs(15);

/// What a service needs besides the folder.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// Who holds the pair locks, as `cubby sync` shows it ("the Cubby app").
    pub holder: String,
    /// Where pair locks live.
    pub locks: PathBuf,
    /// Folders no pair may be in (the app's own data).
    pub protected: Vec<PathBuf>,
    /// Every pair's options; the mode and the deletion limit are the pair's.
    pub sync: SyncOptions,
    /// How pairs wake up.
    pub watch: WatchOptions,
}

/// The pairs of one folder, running. Cheap to clone.
#[derive(Clone)]
pub struct SyncService {
    shared: Arc<Shared>,
}

struct Shared {
    storage: Storage,
    db: SyncDb,
    transfers: Transfers,
    options: ServiceOptions,
    stop: CancellationToken,
    pairs: Mutex<BTreeMap<i64, Running>>,
    statuses: Mutex<BTreeMap<i64, SyncPairStatus>>,
    snapshots: latest::Sender<SyncSnapshot>,
}

/// A pair's task and the way to reach it.
struct Running {
    control: UnboundedSender<Control>,
    task: JoinHandle<()>,
}

/// A pair, locked, and its events.
type Opened = (SyncPair, UnboundedReceiver<SyncEvent>);

/// What the person asked of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    Pause,
    Resume,
    SyncNow,
    Allow,
    Keep,
    Remove,
}

impl SyncService {
    /// Starts the pairs of `storage`'s folder that the app runs (paused ones stay paused).
    /// Contents move through one transfer queue with its state in `transfer_state`.
    pub fn start(
        storage: Storage,
        db: SyncDb,
        transfer_state: StateDb,
        options: ServiceOptions,
    ) -> Result<Self> {
        // A run plans again after a restart: the queue's own rows would never be read.
        let transfer_options = TransferOptions {
            record_queue: false,
            ..TransferOptions::default()
        };
        let (transfers, _events) =
            Transfers::new(storage.clone(), transfer_state, transfer_options);
        let (snapshots, _) = latest::channel(SyncSnapshot::of(Vec::new()));
        let service = Self {
            shared: Arc::new(Shared {
                storage,
                db,
                transfers,
                options,
                stop: CancellationToken::new(),
                pairs: Mutex::default(),
                statuses: Mutex::default(),
                snapshots,
            }),
        };
        for watched in service.shared.db.watched_pairs()? {
            if service.shared.owns(&watched.record) {
                service.launch(watched, None);
            }
        }
        Ok(service)
    }

    /// Every change of the status, whole; the current one at once.
    pub fn snapshots(&self) -> latest::Receiver<SyncSnapshot> {
        self.shared.snapshots.subscribe()
    }

    /// The status now.
    pub fn snapshot(&self) -> SyncSnapshot {
        self.shared.snapshots.borrow().clone()
    }

    /// Checks, records and starts the pair of `local` and `remote_dir` in `mode`; its first
    /// run never deletes anything.
    pub fn add(&self, local: &Path, remote_dir: &str, mode: Mode) -> Result<SyncPairStatus> {
        let remote_dir = RemotePath::parse(remote_dir)?;
        let local = self.shared.checked_folder(local)?;
        let pair = self
            .shared
            .open(&local, remote_dir, mode, DeletionLimit::Default)?;
        let record = pair.0.record().clone();
        self.shared.db.set_watched(record.id, true)?;
        let status = SyncPairStatus::new(&record, SyncState::Scanning);
        self.launch(
            WatchedPair {
                record,
                paused: false,
            },
            Some(pair),
        );
        Ok(status)
    }

    /// Stops and forgets the pair; no file on either side is touched.
    pub fn remove(&self, id: i64) -> Result<()> {
        let running = self.shared.pairs.lock().expect("pairs lock").remove(&id);
        let running = running.ok_or_else(|| unknown(id))?;
        let _ = running.control.send(Control::Remove);
        self.shared.db.set_watched(id, false)?;
        self.shared
            .statuses
            .lock()
            .expect("status lock")
            .remove(&id);
        self.shared.publish();
        Ok(())
    }

    /// Holds the pair at once (a run in progress stops, its transfers with it; the next run
    /// goes on from what it recorded); it stays paused across restarts.
    pub fn pause(&self, id: i64) -> Result<()> {
        self.shared.db.set_paused(id, true)?;
        self.send(id, Control::Pause)
    }

    /// Lets a paused pair run again.
    pub fn resume(&self, id: i64) -> Result<()> {
        self.shared.db.set_paused(id, false)?;
        self.send(id, Control::Resume)
    }

    /// Pauses every pair.
    pub fn pause_all(&self) -> Result<()> {
        self.ids().into_iter().try_for_each(|id| self.pause(id))
    }

    /// Resumes every pair.
    pub fn resume_all(&self) -> Result<()> {
        self.ids().into_iter().try_for_each(|id| self.resume(id))
    }

    /// Runs the pair now rather than at its next change or rescan.
    pub fn sync_now(&self, id: i64) -> Result<()> {
        self.send(id, Control::SyncNow)
    }

    /// The deletion guard's "delete them": the held plan runs with exactly its deletions
    /// allowed (a plan that has grown since asks again).
    pub fn allow_deletions(&self, id: i64) -> Result<()> {
        self.answer(id, Control::Allow)
    }

    /// The deletion guard's "keep them": nothing is deleted; the files gone from one side are
    /// copied back from the other.
    pub fn keep_files(&self, id: i64) -> Result<()> {
        self.answer(id, Control::Keep)
    }

    /// The pair's local folder.
    pub fn local_folder(&self, id: i64) -> Result<PathBuf> {
        let statuses = self.shared.statuses.lock().expect("status lock");
        statuses
            .get(&id)
            .map(|status| status.local.clone())
            .ok_or_else(|| unknown(id))
    }

    /// Whether any pair runs (paused or not).
    pub fn has_pairs(&self) -> bool {
        !self.shared.pairs.lock().expect("pairs lock").is_empty()
    }

    /// Ends every pair at a safe point: transfers in flight stop, kept so the next run goes
    /// on from what they moved, and each pair's run ends with the state database
    /// consistent. Waits for that, at most 15 s.
    pub async fn stop(&self) {
        self.shared.stop.cancel();
        self.shared.transfers.stop_all();
        let running: Vec<Running> = {
            let mut pairs = self.shared.pairs.lock().expect("pairs lock");
            std::mem::take(&mut *pairs).into_values().collect()
        };
        let all = futures::future::join_all(running.into_iter().map(|r| r.task));
        if tokio::time::timeout(STOP_WITHIN, all).await.is_err() {
            tracing::warn!("sync pairs did not stop within 15 s; their next run picks up");
        }
    }

    fn ids(&self) -> Vec<i64> {
        self.shared
            .pairs
            .lock()
            .expect("pairs lock")
            .keys()
            .copied()
            .collect()
    }

    fn send(&self, id: i64, control: Control) -> Result<()> {
        let pairs = self.shared.pairs.lock().expect("pairs lock");
        let running = pairs.get(&id).ok_or_else(|| unknown(id))?;
        running
            .control
            .send(control)
            .map_err(|_| Error::internal(format!("sync pair {id} has stopped")))
    }

    fn answer(&self, id: i64, control: Control) -> Result<()> {
        let waiting = matches!(
            self.shared.statuses.lock().expect("status lock").get(&id),
            Some(SyncPairStatus {
                status: SyncState::Waiting { .. },
                ..
            })
        );
        if !waiting {
            return Err(Error::new(
                ErrorCode::SyncInvalidPair,
                format!(
                    "sync pair {id} is not waiting for an answer about deletions; nothing was done"
                ),
            ));
        }
        self.send(id, control)
    }

    fn launch(&self, watched: WatchedPair, opened: Option<Opened>) {
        let id = watched.record.id;
        let state = match watched.paused {
            true => SyncState::Paused,
            false => SyncState::Scanning,
        };
        self.shared
            .statuses
            .lock()
            .expect("status lock")
            .insert(id, SyncPairStatus::new(&watched.record, state));
        self.shared.publish();
        let (control, controls) = mpsc::unbounded_channel();
        let task = tokio::spawn(run_pair(self.shared.clone(), watched, opened, controls));
        self.shared
            .pairs
            .lock()
            .expect("pairs lock")
            .insert(id, Running { control, task });
    }
}

fn unknown(id: i64) -> Error {
    Error::new(
        ErrorCode::SyncInvalidPair,
        format!("there is no sync pair {id} (it was removed); reload the list of pairs"),
    )
}

impl Shared {
    /// Whether `record` is a pair of this service's folder.
    fn owns(&self, record: &PairRecord) -> bool {
        record.spec.bucket == self.storage.bucket()
            && record.spec.folder == self.storage.folder().prefix()
    }

    /// `local`, canonical, once it is a folder that no pair and no app data overlaps.
    fn checked_folder(&self, local: &Path) -> Result<PathBuf> {
        let invalid = |message: String| Error::new(ErrorCode::SyncInvalidPair, message);
        let folder = std::fs::canonicalize(local)
            .ok()
            .filter(|p| p.is_dir())
            .ok_or_else(|| {
                invalid(format!(
                    "{} is not a folder; choose an existing folder to sync",
                    local.display()
                ))
            })?;
        for protected in &self.options.protected {
            let protected = std::fs::canonicalize(protected).unwrap_or_else(|_| protected.clone());
            if folder.starts_with(&protected) {
                return Err(invalid(format!(
                    "{} holds Cubby's own data ({}); choose a folder outside it",
                    folder.display(),
                    protected.display()
                )));
            }
        }
        for other in self.db.watched_pairs()? {
            let other = &other.record.spec.local;
            if folder.starts_with(other) {
                return Err(invalid(format!(
                    "{} is inside {}, which is already synced; choose a folder outside it or remove that pair first",
                    folder.display(),
                    other.display()
                )));
            }
            if other.starts_with(&folder) {
                return Err(invalid(format!(
                    "{} holds {}, which is already synced; choose another folder or remove that pair first",
                    folder.display(),
                    other.display()
                )));
            }
        }
        Ok(folder)
    }

    fn options(&self, mode: Mode, deletion_limit: DeletionLimit, dry_run: bool) -> SyncOptions {
        SyncOptions {
            mode,
            deletion_limit,
            dry_run,
            ..self.options.sync.clone()
        }
    }

    fn open(
        &self,
        local: &Path,
        remote_dir: RemotePath,
        mode: Mode,
        limit: DeletionLimit,
    ) -> Result<Opened> {
        self.open_with(local, remote_dir, self.options(mode, limit, false))
    }

    fn open_with(
        &self,
        local: &Path,
        remote_dir: RemotePath,
        options: SyncOptions,
    ) -> Result<Opened> {
        SyncPair::open(
            local,
            remote_dir,
            self.transfers.clone(),
            self.db.clone(),
            options,
            &self.options.locks,
            &self.options.holder,
        )
    }

    fn update(&self, id: i64, change: impl FnOnce(&mut SyncPairStatus)) {
        {
            let mut statuses = self.statuses.lock().expect("status lock");
            match statuses.get_mut(&id) {
                Some(status) => change(status),
                None => return,
            }
        }
        self.publish();
    }

    fn set_state(&self, id: i64, state: SyncState) {
        self.update(id, |status| status.status = state);
    }

    fn publish(&self) {
        let pairs = self
            .statuses
            .lock()
            .expect("status lock")
            .values()
            .cloned()
            .collect();
        self.snapshots.send_replace(SyncSnapshot::of(pairs));
    }

    /// The record as stored now.
    fn record(&self, id: i64) -> Option<PairRecord> {
        self.db
            .pairs()
            .ok()?
            .into_iter()
            .find(|record| record.id == id)
    }
}

/// How a round of watching ended.
enum RoundEnd {
    /// The service stops.
    Stopped,
    /// The person asked for something.
    Asked(Control),
    /// The deletion guard stopped a run.
    Guarded,
}

/// A pair's life: rounds of watching, between which it is paused, waits for the deletion
/// guard's answer, or is opened again with other options.
async fn run_pair(
    shared: Arc<Shared>,
    watched: WatchedPair,
    mut opened: Option<Opened>,
    mut controls: UnboundedReceiver<Control>,
) {
    let id = watched.record.id;
    let spec = watched.record.spec.clone();
    let mut paused = watched.paused;
    let mut limit = DeletionLimit::Default;
    loop {
        if paused {
            opened = None;
            shared.set_state(id, SyncState::Paused);
            match next(&shared, &mut controls).await {
                Some(Control::Resume) => paused = false,
                Some(Control::Remove) | None => return,
                Some(_) => continue,
            }
        }
        let pair = match opened.take() {
            Some(pair) => Ok(pair),
            None => RemotePath::parse(&spec.remote_dir)
                .and_then(|dir| shared.open(&spec.local, dir, spec.mode, limit)),
        };
        limit = DeletionLimit::Default;
        let (pair, mut events) = match pair {
            Ok(opened) => opened,
            Err(err) => {
                shared.set_state(id, error_state(&err));
                match retry_or(&shared, &mut controls).await {
                    Some(Control::Pause) => paused = true,
                    Some(Control::Remove) | None => return,
                    Some(_) => {}
                }
                continue;
            }
        };
        shared.set_state(id, SyncState::Scanning);
        let end = run_round(&shared, &pair, &mut events, &mut controls).await;
        drop(pair);
        match end {
            RoundEnd::Stopped | RoundEnd::Asked(Control::Remove) => return,
            RoundEnd::Asked(Control::Pause) => {
                shared.paused_mid_run(id);
                paused = true;
            }
            RoundEnd::Asked(_) => {}
            RoundEnd::Guarded => match guarded(&shared, &spec, id, &mut controls).await {
                Some(Control::Pause) => paused = true,
                Some(Control::Remove) | None => return,
                Some(Control::Allow) => {
                    // Exactly the deletions the person saw; a plan that has grown asks again.
                    if let SyncState::Waiting { deletions, .. } = shared.state(id) {
                        limit = DeletionLimit::AtMost(deletions);
                    }
                }
                Some(_) => {}
            },
        }
    }
}

impl Shared {
    /// A run the person paused is not a crash: its record says "paused", so the next run does
    /// not report an interrupted one.
    fn paused_mid_run(&self, id: i64) {
        let running = self
            .record(id)
            .is_some_and(|record| record.last_status.as_deref() == Some("running"));
        if running && let Err(err) = self.db.finish_run(id, "paused", None) {
            tracing::warn!(%err, "the paused run could not be recorded; the next run rescans");
        }
    }

    fn state(&self, id: i64) -> SyncState {
        self.statuses
            .lock()
            .expect("status lock")
            .get(&id)
            .map_or(SyncState::Idle, |s| s.status.clone())
    }
}

/// The next thing the person asks; `None` when the service stops.
async fn next(shared: &Shared, controls: &mut UnboundedReceiver<Control>) -> Option<Control> {
    tokio::select! {
        () = shared.stop.cancelled() => None,
        control = controls.recv() => control,
    }
}

/// After a pair could not be opened (locked by `cubby sync`, a missing folder): the next
/// thing asked, or a retry at the next rescan.
async fn retry_or(shared: &Shared, controls: &mut UnboundedReceiver<Control>) -> Option<Control> {
    tokio::select! {
        () = tokio::time::sleep(shared.options.watch.rescan_every) => Some(Control::SyncNow),
        control = next(shared, controls) => control,
    }
}

/// Watches the pair until the person asks for something, the guard stops a run, or the
/// service stops; every event and run result goes into the pair's status.
async fn run_round(
    shared: &Shared,
    pair: &SyncPair,
    events: &mut UnboundedReceiver<SyncEvent>,
    controls: &mut UnboundedReceiver<Control>,
) -> RoundEnd {
    let id = pair.record().id;
    let round = shared.stop.child_token();
    let (runs, mut ran) = mpsc::unbounded_channel::<Result<RunReport>>();
    let ended = round.clone();
    let watching = watch(pair, shared.options.watch, round.clone(), move |result| {
        if matches!(&result, Err(err) if err.code == ErrorCode::SyncDeletionGuard) {
            ended.cancel();
        }
        let _ = runs.send(result);
    });
    tokio::pin!(watching);
    let mut asked = None;
    let mut guarded = false;
    loop {
        tokio::select! {
            biased;
            Some(event) = events.recv() => shared.update(id, |s| s.apply(&event, now_ms())),
            Some(result) = ran.recv() => {
                // Every event of the run was sent before its result.
                while let Ok(event) = events.try_recv() {
                    shared.update(id, |s| s.apply(&event, now_ms()));
                }
                guarded |= finished(shared, id, result);
            }
            control = controls.recv(), if asked.is_none() => {
                let control = control.unwrap_or(Control::Remove);
                // "Sync now" during a run: that run is the sync asked for; ending the round
                // would drop it.
                let running = matches!(
                    shared.state(id),
                    SyncState::Scanning | SyncState::Syncing { .. }
                );
                if control == Control::SyncNow && running {
                    continue;
                }
                asked = Some(control);
                round.cancel();
            }
            result = &mut watching => {
                if let Err(err) = result {
                    shared.set_state(id, error_state(&err));
                }
                break;
            }
        }
    }
    while let Ok(event) = events.try_recv() {
        shared.update(id, |s| s.apply(&event, now_ms()));
    }
    while let Ok(result) = ran.try_recv() {
        guarded |= finished(shared, id, result);
    }
    match (asked, guarded) {
        (Some(control), _) => RoundEnd::Asked(control),
        (None, true) => RoundEnd::Guarded,
        (None, false) => RoundEnd::Stopped,
    }
}

/// Takes in a run's result; whether the deletion guard stopped it.
fn finished(shared: &Shared, id: i64, result: Result<RunReport>) -> bool {
    let record = shared.record(id);
    match result {
        Ok(report) => {
            shared.update(id, |status| {
                status.status = SyncState::Idle;
                // A run over part of the pair replaces the issues of that part only.
                status
                    .issues
                    .retain(|issue| !report.scope.contains(&issue.path));
                status.issues.extend(report.plan.issues.iter().cloned());
                if let Some(record) = &record {
                    status.synced_files = record.synced_paths;
                    if report.summary.failed == 0 {
                        status.last_sync_ms = record.last_run_ms;
                    }
                }
            });
            false
        }
        Err(err) if err.code == ErrorCode::SyncDeletionGuard => true,
        Err(err) => {
            shared.set_state(id, error_state(&err));
            false
        }
    }
}

fn error_state(err: &Error) -> SyncState {
    SyncState::Error {
        error: ShownError::from(err),
    }
}

/// The guard stopped a run: finds what the plan would delete (a dry run), shows the
/// question and waits for the answer. "Keep" forgets the merge base of those paths, so the
/// next run copies them back instead of deleting them.
async fn guarded(
    shared: &Shared,
    spec: &PairSpec,
    id: i64,
    controls: &mut UnboundedReceiver<Control>,
) -> Option<Control> {
    let plan = async {
        let dir = RemotePath::parse(&spec.remote_dir)?;
        let options = shared.options(spec.mode, DeletionLimit::Default, true);
        let (pair, _events) = shared.open_with(&spec.local, dir, options)?;
        let base = shared.db.base(id)?;
        let synced = base.values().filter(|b| b.kind == Kind::File).count();
        Ok::<_, Error>((pair.run_once().await?.plan, synced))
    };
    let (plan, synced) = match plan.await {
        Ok(found) => found,
        Err(err) => {
            shared.set_state(id, error_state(&err));
            return retry_or(shared, controls).await;
        }
    };
    let local = plan
        .actions
        .iter()
        .filter(|a| a.deletes_a_file() && matches!(a, Action::DeleteLocal { .. }))
        .count();
    let deletions = plan.file_deletions();
    shared.set_state(
        id,
        SyncState::Waiting {
            deletions,
            synced,
            local,
            remote: deletions - local,
        },
    );
    let answer = next(shared, controls).await;
    if answer == Some(Control::Keep) {
        let forgotten: Vec<(String, Option<BaseItem>)> = plan
            .actions
            .iter()
            .filter_map(|action| match action {
                Action::DeleteLocal { path, .. } | Action::DeleteRemote { path, .. } => {
                    Some((path.clone(), None))
                }
                _ => None,
            })
            .collect();
        if let Err(err) = shared.db.update_base(id, &forgotten) {
            shared.set_state(id, error_state(&err));
        }
    }
    answer
}
