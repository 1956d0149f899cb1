//! The transfer queue: starts uploads and downloads as tasks within the queue's limits, reports
//! each one's life as events, and records it in the state database so that a new queue can
//! bring back what an earlier one left unfinished.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Notify;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::events::{Direction, EventKind, Reporter, TransferEvent, TransferId};
use super::job::{Job, JobContext};
use super::limiter::Limiter;
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
    task: JoinHandle<Result<u64>>,
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
            }),
            events,
            next_id: AtomicU64::new(1),
            active: AtomicU64::new(0),
            idle: Notify::new(),
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
    /// paused, this one is paused too, so they come back as they were.
    pub fn restore(&self) -> Result<Vec<TransferHandle>> {
        let unfinished = self.unfinished()?;
        if unfinished.iter().any(|u| u.state == QueueState::Paused) {
            self.pause();
        }
        Ok(self.queue_all(
            unfinished
                .into_iter()
                .map(|u| (u.direction, u.local, u.remote))
                .collect(),
        ))
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
        // The queue pauses either way; at worst a restart brings it back running.
        if let Err(err) = (self.inner.context.state).set_queue_paused(&self.inner.queue, paused) {
            tracing::warn!("recording the queue's pause: {}", err.message);
        }
    }

    /// Records `transfers` in the state database (one transaction for all of them, so a folder
    /// of many files costs one write to queue) and starts them.
    pub(crate) fn queue_all(
        &self,
        transfers: Vec<(Direction, PathBuf, RemotePath)>,
    ) -> Vec<TransferHandle> {
        let state = match self.inner.context.limiter.is_paused() {
            true => QueueState::Paused,
            false => QueueState::Queued,
        };
        let rows: Vec<_> = transfers
            .iter()
            .map(|(direction, local, remote)| (*direction, local.as_path(), remote))
            .collect();
        let recorded = self
            .inner
            .context
            .state
            .enqueue(&self.inner.queue, state, &rows);
        transfers
            .into_iter()
            .enumerate()
            .map(|(i, (direction, local, remote))| {
                let row = match &recorded {
                    Ok(ids) => Ok(ids[i]),
                    Err(err) => Err(Error::new(err.code, err.message.clone())),
                };
                self.spawn(direction, local, remote, row)
            })
            .collect()
    }

    fn spawn(
        &self,
        direction: Direction,
        local: PathBuf,
        remote: RemotePath,
        row: Result<i64>,
    ) -> TransferHandle {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (row, unrecorded) = match row {
            Ok(row) => (Some(row), None),
            Err(err) => (None, Some(err)),
        };
        let cancel = CancellationToken::new();
        let job = Job {
            context: self.inner.context.clone(),
            reporter: Reporter::new(id, self.inner.events.clone()),
            cancel: cancel.clone(),
        };
        job.reporter.send(EventKind::Queued {
            direction,
            local: local.clone(),
            remote: remote.clone(),
        });
        let active = Active::new(self.inner.clone());
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
                    Direction::Download => Box::pin(download::run(&job, &remote, &local)).await,
                }
            }
            .await;
            let result = match row {
                Some(row) => record_end(&job.context.state, row, result),
                None => result,
            };
            job.reporter.send(match &result {
                Ok(bytes) => EventKind::Finished { bytes: *bytes },
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

/// Records how the transfer in `row` ended: gone from the queue when it finished or was
/// cancelled, failed (and so brought back) otherwise.
fn record_end(state: &StateDb, row: i64, result: Result<u64>) -> Result<u64> {
    match &result {
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
