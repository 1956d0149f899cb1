//! The transfer queue: starts uploads and downloads as tasks within the queue's limits, reports
//! each one's life as events, and records it in the state database so that a new queue can
//! bring back what an earlier one left unfinished.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::events::{Direction, EventKind, Reporter, TransferEvent, TransferId};
use super::job::{Job, JobContext};
use super::kept::discard_kept;
use super::limiter::Limiter;
use super::moved::Moved;
use super::options::TransferOptions;
use super::queue_db::{QueueName, QueueState, Unfinished};
use super::state_db::StateDb;
use super::{download, upload};
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{RemotePath, Storage};

struct Inner {
    context: Arc<JobContext>,
    /// This folder's queue in the state database.
    queue: QueueName,
    events: UnboundedSender<TransferEvent>,
    next_id: AtomicU64,
    /// Transfers queued or running, and the signal that the count reached zero.
    active: AtomicU64,
    idle: Notify,
    /// Every transfer of this queue until it is forgotten, by id.
    known: Mutex<HashMap<TransferId, Known>>,
}

/// What the queue remembers of one transfer: enough to pause, resume, retry or cancel it.
struct Known {
    direction: Direction,
    local: PathBuf,
    remote: RemotePath,
    /// Its row in the state database, while it has one.
    row: Option<i64>,
    standing: Standing,
}

/// Where a known transfer stands.
enum Standing {
    /// Queued or running: its task stops through these.
    Running {
        cancel: CancellationToken,
        pausing: Arc<AtomicBool>,
    },
    /// Paused by itself; what it moved is kept.
    Held,
    /// Ended; failed and cancelled ones can be retried.
    Ended { retryable: bool },
}

/// Counts one transfer as active for as long as it lives, however its task ends.
struct Active(Arc<Inner>);

impl Active {
    fn new(inner: Arc<Inner>) -> Self {
        inner.active.fetch_add(1, Ordering::SeqCst);
        Self(inner)
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        if self.0.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// The transfer queue of one folder. Cheap to clone; clones share the queue.
#[derive(Clone)]
pub struct Transfers {
    inner: Arc<Inner>,
}

/// A queued or running transfer.
#[derive(Debug)]
pub struct TransferHandle {
    /// Names the transfer in events.
    pub id: TransferId,
    cancel: CancellationToken,
    task: JoinHandle<Result<Moved>>,
}

impl TransferHandle {
    /// Stops the transfer; an unfinished multipart upload is aborted on the server.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A switch that cancels the transfer (for a caller that stops it when it is itself
    /// dropped: `cancel_switch().drop_guard()`).
    pub(crate) fn cancel_switch(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Waits for the end; the number of bytes moved.
    pub async fn wait(self) -> Result<u64> {
        Ok(self.wait_moved().await?.bytes)
    }

    /// Waits for the end; what moved, with the object an upload made.
    pub async fn wait_moved(self) -> Result<Moved> {
        self.task
            .await
            .map_err(|e| Error::internal(format!("transfer task {} stopped: {e}", self.id)))?
    }
}

impl Transfers {
    /// A queue over `storage`, keeping resume state in `state`; events arrive on the receiver.
    pub fn new(
        storage: Storage,
        state: StateDb,
        options: TransferOptions,
    ) -> (Self, UnboundedReceiver<TransferEvent>) {
        let (events, receiver) = mpsc::unbounded_channel();
        let limiter = Limiter::new(
            options.files_in_flight,
            options.parts_in_flight,
            options.buffer_budget,
        );
        let queue = QueueName {
            bucket: storage.bucket().to_owned(),
            folder: storage.folder().prefix().to_owned(),
        };
        let inner = Inner {
            queue,
            context: Arc::new(JobContext {
                storage,
                options,
                limiter,
                state,
                stopping: AtomicBool::new(false),
            }),
            events,
            next_id: AtomicU64::new(1),
            active: AtomicU64::new(0),
            idle: Notify::new(),
            known: Mutex::new(HashMap::new()),
        };
        (
            Self {
                inner: Arc::new(inner),
            },
            receiver,
        )
    }

    /// The folder the queue moves files to and from.
    pub fn storage(&self) -> &Storage {
        &self.inner.context.storage
    }

    /// Queues the upload of one local file to `remote` (replacing what is there).
    pub fn upload(&self, local: PathBuf, remote: RemotePath) -> TransferHandle {
        self.queue_all(vec![(Direction::Upload, local, remote)])
            .pop()
            .expect("one handle per transfer")
    }

    /// Queues the download of the file at `remote` to the local path `local`.
    pub fn download(&self, remote: RemotePath, local: PathBuf) -> TransferHandle {
        self.queue_all(vec![(Direction::Download, local, remote)])
            .pop()
            .expect("one handle per transfer")
    }

    /// The transfers of this folder that queues before this one left unfinished (a crash, a
    /// quit, a failure), as recorded in the state database.
    pub fn unfinished(&self) -> Result<Vec<Unfinished>> {
        self.inner.context.state.unfinished(&self.inner.queue)
    }

    /// Queues again every unfinished transfer of this folder; call it before queueing anything
    /// else. They continue from what they moved before (a multipart upload's parts, a
    /// download's partial file); failed ones are tried again. When the earlier queue was
    /// paused, this one is paused too, and a transfer paused by itself comes back paused (with
    /// a `paused` event, and no handle), so they come back as they were.
    pub fn restore(&self) -> Result<Vec<TransferHandle>> {
        let unfinished = self.unfinished()?;
        if unfinished.iter().any(|u| u.state == QueueState::Paused) {
            self.pause();
        }
        let (held, others): (Vec<_>, Vec<_>) = unfinished
            .into_iter()
            .partition(|u| u.state == QueueState::Held);
        for transfer in held {
            self.bring_back_held(transfer.direction, transfer.local, transfer.remote);
        }
        Ok(self.queue_all(
            others
                .into_iter()
                .map(|u| (u.direction, u.local, u.remote))
                .collect(),
        ))
    }

    /// Registers a transfer a restart found held, as held: it keeps its row and its kept bytes.
    fn bring_back_held(&self, direction: Direction, local: PathBuf, remote: RemotePath) {
        let row = self
            .record_queued(QueueState::Held, &[(direction, local.as_path(), &remote)])
            .ok()
            .and_then(|ids| ids.first().copied().flatten());
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let reporter = Reporter::new(id, self.inner.events.clone());
        reporter.send(EventKind::Queued {
            direction,
            local: local.clone(),
            remote: remote.clone(),
        });
        reporter.send(EventKind::Paused);
        self.known().insert(
            id,
            Known {
                direction,
                local,
                remote,
                row,
                standing: Standing::Held,
            },
        );
    }

    /// Pauses one transfer: it stops, keeping what it moved (a multipart upload's parts, a
    /// download's partial file), and a `paused` event follows. Nothing happens to a transfer
    /// that already ended or is held.
    pub fn pause_transfer(&self, id: TransferId) -> Result<()> {
        let known = self.known();
        let transfer = known.get(&id).ok_or_else(|| unknown(id))?;
        if let Standing::Running { cancel, pausing } = &transfer.standing {
            pausing.store(true, Ordering::SeqCst);
            cancel.cancel();
        }
        Ok(())
    }

    /// Starts a held transfer again under its id, from what it kept; a `queued` event
    /// follows. A transfer not held is left as it is.
    pub fn resume_transfer(&self, id: TransferId) -> Result<Option<TransferHandle>> {
        self.restart(id, |standing| matches!(standing, Standing::Held))
    }

    /// Starts every held transfer again (what `cubby resume` asks for); their handles.
    pub fn resume_held(&self) -> Vec<TransferHandle> {
        let held: Vec<TransferId> = self
            .known()
            .iter()
            .filter(|(_, t)| matches!(t.standing, Standing::Held))
            .map(|(id, _)| *id)
            .collect();
        held.into_iter()
            .filter_map(|id| self.resume_transfer(id).ok().flatten())
            .collect()
    }

    /// Queues a failed or cancelled transfer again under its id; a `queued` event follows.
    pub fn retry_transfer(&self, id: TransferId) -> Result<Option<TransferHandle>> {
        self.restart(id, |standing| {
            matches!(standing, Standing::Ended { retryable: true })
        })
    }

    /// Spawns the known transfer `id` again when `may` allows its standing.
    fn restart(
        &self,
        id: TransferId,
        may: impl Fn(&Standing) -> bool,
    ) -> Result<Option<TransferHandle>> {
        let (direction, local, remote) = {
            let known = self.known();
            let transfer = known.get(&id).ok_or_else(|| unknown(id))?;
            if !may(&transfer.standing) {
                return Ok(None);
            }
            (
                transfer.direction,
                transfer.local.clone(),
                transfer.remote.clone(),
            )
        };
        let state = self.waiting_state();
        let row = self
            .record_queued(state, &[(direction, local.as_path(), &remote)])
            .map(|ids| ids[0]);
        Ok(Some(self.spawn(id, direction, local, remote, row)))
    }

    /// Cancels one transfer: a running one stops (its multipart upload aborted, its partial
    /// file removed); a held one drops what it kept. A `cancelled` event follows either way.
    pub async fn cancel_transfer(&self, id: TransferId) -> Result<()> {
        let held = {
            let mut known = self.known();
            let transfer = known.get_mut(&id).ok_or_else(|| unknown(id))?;
            match &transfer.standing {
                Standing::Running { cancel, pausing } => {
                    // A cancel after a pause that has not landed yet wins: nothing is kept.
                    pausing.store(false, Ordering::SeqCst);
                    cancel.cancel();
                    None
                }
                Standing::Held => {
                    transfer.standing = Standing::Ended { retryable: true };
                    Some((
                        transfer.direction,
                        transfer.local.clone(),
                        transfer.remote.clone(),
                        transfer.row.take(),
                    ))
                }
                Standing::Ended { .. } => None,
            }
        };
        if let Some((direction, local, remote, row)) = held {
            discard_kept(&self.inner.context, direction, &local, &remote).await;
            if let Some(row) = row {
                self.inner.context.state.dequeue(row)?;
            }
            Reporter::new(id, self.inner.events.clone()).send(EventKind::Cancelled);
        }
        Ok(())
    }

    /// Forgets the transfers that ended (finished, failed or cancelled): a failed one no
    /// longer comes back after a restart. Their ids.
    pub fn forget_ended(&self) -> Result<Vec<TransferId>> {
        let mut known = self.known();
        let ended: Vec<TransferId> = known
            .iter()
            .filter(|(_, t)| matches!(t.standing, Standing::Ended { .. }))
            .map(|(id, _)| *id)
            .collect();
        for id in &ended {
            if let Some(row) = known.remove(id).and_then(|t| t.row) {
                self.inner.context.state.dequeue(row)?;
            }
        }
        Ok(ended)
    }

    /// Stops every transfer for good, as a quit would but cleanly: what they moved is kept
    /// and the state database keeps them as they were, so the next queue of this folder
    /// brings them back with [`Transfers::restore`]. No event follows.
    pub fn stop_all(&self) {
        self.inner.context.stopping.store(true, Ordering::SeqCst);
        for transfer in self.known().values() {
            if let Standing::Running { cancel, .. } = &transfer.standing {
                cancel.cancel();
            }
        }
    }

    /// Whether the whole queue is paused ([`Transfers::pause`]).
    pub fn is_paused(&self) -> bool {
        self.inner.context.limiter.is_paused()
    }

    fn known(&self) -> std::sync::MutexGuard<'_, HashMap<TransferId, Known>> {
        self.inner.known.lock().expect("transfer registry lock")
    }

    fn waiting_state(&self) -> QueueState {
        match self.inner.context.limiter.is_paused() {
            true => QueueState::Paused,
            false => QueueState::Queued,
        }
    }

    /// Waits until no transfer is queued or running; every event of those that ended has been
    /// sent by then. One wake-up at the end, however many transfers there were: a front end
    /// can read events at its own pace instead of being woken for each one.
    pub async fn idle(&self) {
        loop {
            let ended = self.inner.idle.notified();
            if self.inner.active.load(Ordering::SeqCst) == 0 {
                return;
            }
            ended.await;
        }
    }

    /// Holds new files and parts; those in flight finish. Recorded, so a queue brought back
    /// after a restart starts paused.
    pub fn pause(&self) {
        self.inner.context.limiter.pause();
        self.record_paused(true);
    }

    /// Lets held files and parts move again.
    pub fn resume(&self) {
        self.inner.context.limiter.resume();
        self.record_paused(false);
    }

    fn record_paused(&self, paused: bool) {
        if !self.inner.context.options.record_queue {
            return;
        }
        // The queue pauses either way; at worst a restart brings it back running.
        if let Err(err) = (self.inner.context.state).set_queue_paused(&self.inner.queue, paused) {
            tracing::warn!("recording the queue's pause: {}", err.message);
        }
    }

    /// Records `transfers` as queued in `state` (one transaction for all of them, so a folder
    /// of many files costs one write to queue): each one's row, or `None` for a queue that is
    /// not recorded ([`TransferOptions::record_queue`]).
    fn record_queued(
        &self,
        state: QueueState,
        transfers: &[(Direction, &std::path::Path, &RemotePath)],
    ) -> Result<Vec<Option<i64>>> {
        if !self.inner.context.options.record_queue {
            return Ok(vec![None; transfers.len()]);
        }
        let ids = (self.inner.context.state).enqueue(&self.inner.queue, state, transfers)?;
        Ok(ids.into_iter().map(Some).collect())
    }

    /// Records `transfers` in the state database (unless the queue is not recorded) and
    /// starts them.
    pub(crate) fn queue_all(
        &self,
        transfers: Vec<(Direction, PathBuf, RemotePath)>,
    ) -> Vec<TransferHandle> {
        let state = self.waiting_state();
        let rows: Vec<_> = transfers
            .iter()
            .map(|(direction, local, remote)| (*direction, local.as_path(), remote))
            .collect();
        let recorded = self.record_queued(state, &rows);
        transfers
            .into_iter()
            .enumerate()
            .map(|(i, (direction, local, remote))| {
                let row = match &recorded {
                    Ok(ids) => Ok(ids[i]),
                    Err(err) => Err(Error::new(err.code, err.message.clone())),
                };
                let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
                self.spawn(id, direction, local, remote, row)
            })
            .collect()
    }

    /// Starts (or starts again) the transfer `id`, announcing it with a `queued` event.
    fn spawn(
        &self,
        id: TransferId,
        direction: Direction,
        local: PathBuf,
        remote: RemotePath,
        row: Result<Option<i64>>,
    ) -> TransferHandle {
        let (row, unrecorded) = match row {
            Ok(row) => (row, None),
            Err(err) => (None, Some(err)),
        };
        let cancel = CancellationToken::new();
        let pausing = Arc::new(AtomicBool::new(false));
        let job = Job {
            context: self.inner.context.clone(),
            reporter: Reporter::new(id, self.inner.events.clone()),
            cancel: cancel.clone(),
            pausing: pausing.clone(),
        };
        job.reporter.send(EventKind::Queued {
            direction,
            local: local.clone(),
            remote: remote.clone(),
        });
        self.known().insert(
            id,
            Known {
                direction,
                local: local.clone(),
                remote: remote.clone(),
                row,
                standing: Standing::Running {
                    cancel: cancel.clone(),
                    pausing,
                },
            },
        );
        let active = Active::new(self.inner.clone());
        let inner = self.inner.clone();
        let task = tokio::spawn(async move {
            let _active = active;
            let result = async {
                if let Some(err) = unrecorded {
                    return Err(err);
                }
                let _slot = job.context.limiter.file_slot(&job.cancel).await?;
                if let Some(row) = row {
                    (job.context.state).set_queue_state(row, QueueState::Running, None)?;
                }
                // Boxed once the slot is held: a queued transfer then weighs a few words,
                // not the tens of kilobytes of a running one's request futures.
                match direction {
                    Direction::Upload => Box::pin(upload::run(&job, &local, &remote)).await,
                    Direction::Download => Box::pin(download::run(&job, &remote, &local))
                        .await
                        .map(Moved::downloaded),
                }
            }
            .await;
            if job.stopped() && result.is_err() {
                return result; // recorded as it was, for the next queue
            }
            let paused = matches!(&result, Err(err) if job.paused_by(err));
            let result = match row {
                Some(row) => record_end(&job.context.state, row, result, paused),
                None => result,
            };
            let retryable = result.is_err();
            if let Some(known) = inner
                .known
                .lock()
                .expect("transfer registry lock")
                .get_mut(&id)
            {
                known.standing = match paused {
                    true => Standing::Held,
                    false => Standing::Ended { retryable },
                };
                if !paused
                    && (result.is_ok()
                        || matches!(&result, Err(e) if e.code == ErrorCode::TransferCancelled))
                {
                    known.row = None;
                }
            }
            job.reporter.send(match &result {
                _ if paused => EventKind::Paused,
                Ok(moved) => EventKind::Finished { bytes: moved.bytes },
                Err(err) if err.code == ErrorCode::TransferCancelled => EventKind::Cancelled,
                Err(err) => EventKind::Failed {
                    code: err.code,
                    message: err.message.clone(),
                },
            });
            result
        });
        TransferHandle { id, cancel, task }
    }
}

fn unknown(id: TransferId) -> Error {
    Error::new(
        ErrorCode::StorageNotFound,
        format!("transfer {id} is not in the queue (it was cleared); refresh the transfers list"),
    )
}

/// Records how the transfer in `row` ended: gone from the queue when it finished or was
/// cancelled, held when it was paused, failed (and so brought back) otherwise.
fn record_end(state: &StateDb, row: i64, result: Result<Moved>, paused: bool) -> Result<Moved> {
    match &result {
        Err(_) if paused => {
            state.set_queue_state(row, QueueState::Held, None)?;
            result
        }
        Ok(_) => state.dequeue(row).and(result),
        Err(err) if err.code == ErrorCode::TransferCancelled => {
            state.dequeue(row)?;
            result
        }
        Err(err) => {
            state.set_queue_state(row, QueueState::Failed, Some(&err.message))?;
            result
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::storage::{FolderRoot, MemoryClient};

    fn queue(record_queue: bool) -> Transfers {
        let storage = Storage::with_client(
            Arc::new(MemoryClient::new("bucket")),
            FolderRoot::new("me/").unwrap(),
        );
        let options = TransferOptions {
            record_queue,
            ..TransferOptions::default()
        };
        Transfers::new(storage, StateDb::in_memory().unwrap(), options).0
    }

    /// A failed upload of a file that is not there; what the queue recorded afterwards.
    async fn unfinished_after_a_failure(transfers: &Transfers) -> Vec<Unfinished> {
        let dir = tempfile::tempdir().unwrap();
        let handle = transfers.upload(
            dir.path().join("missing.txt"),
            RemotePath::parse("missing.txt").unwrap(),
        );
        assert!(handle.wait().await.is_err());
        transfers.unfinished().unwrap()
    }

    #[tokio::test]
    async fn a_recorded_queue_keeps_a_failed_transfer_for_the_next_queue() {
        let unfinished = unfinished_after_a_failure(&queue(true)).await;
        assert_eq!(unfinished.len(), 1);
        assert_eq!(unfinished[0].state, QueueState::Failed);
    }

    #[tokio::test]
    async fn a_queue_that_is_not_recorded_leaves_no_rows() {
        let transfers = queue(false);
        assert!(unfinished_after_a_failure(&transfers).await.is_empty());
        transfers.pause();
        transfers.resume();
        assert!(transfers.unfinished().unwrap().is_empty());
    }
}
