//! The transfer queue: starts uploads and downloads as tasks within the queue's limits, and
//! reports each one's life as events.

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
use super::state_db::StateDb;
use super::{download, upload};
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{RemotePath, Storage};

struct Inner {
    context: Arc<JobContext>,
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
        let inner = Inner {
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
        self.spawn(Direction::Upload, local, remote)
    }

    /// Queues the download of the file at `remote` to the local path `local`.
    pub fn download(&self, remote: RemotePath, local: PathBuf) -> TransferHandle {
        self.spawn(Direction::Download, local, remote)
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

    /// Holds new files and parts; those in flight finish.
    pub fn pause(&self) {
        self.inner.context.limiter.pause();
    }

    /// Lets held files and parts move again.
    pub fn resume(&self) {
        self.inner.context.limiter.resume();
    }

    fn spawn(&self, direction: Direction, local: PathBuf, remote: RemotePath) -> TransferHandle {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
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
                let _slot = job.context.limiter.file_slot(&job.cancel).await?;
                // Boxed once the slot is held: a queued transfer then weighs a few words,
                // not the tens of kilobytes of a running one's request futures.
                match direction {
                    Direction::Upload => Box::pin(upload::run(&job, &local, &remote)).await,
                    Direction::Download => Box::pin(download::run(&job, &remote, &local)).await,
                }
            }
            .await;
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
