//! What one running upload or download reaches: the folder, the queue's options and limits,
//! the resume state, its own progress reporter and cancel switch. The engine makes jobs and the
//! workers ([`super::upload`], [`super::download`]) run them, so imports go one way: engine →
//! workers → job.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio_util::sync::CancellationToken;

use super::events::Reporter;
use super::limiter::Limiter;
use super::options::TransferOptions;
use super::state_db::StateDb;
use crate::error::{Error, Result};
use crate::storage::Storage;

/// Shared by every job of one queue.
pub(crate) struct JobContext {
    pub(crate) storage: Storage,
    pub(crate) options: TransferOptions,
    pub(crate) limiter: Limiter,
    pub(crate) state: StateDb,
    /// Set when the queue stops for good (a sign-out, the app closing): its transfers stop
    /// keeping what moved, and stay recorded as they were for the next queue.
    pub(crate) stopping: AtomicBool,
}

/// One transfer while it runs.
pub(crate) struct Job {
    pub(crate) context: Arc<JobContext>,
    pub(crate) reporter: Reporter,
    pub(crate) cancel: CancellationToken,
    /// Set before `cancel` when the transfer is paused rather than cancelled: what it moved
    /// is kept for its resume.
    pub(crate) pausing: Arc<AtomicBool>,
}

impl Job {
    pub(crate) fn storage(&self) -> &Storage {
        &self.context.storage
    }

    /// Runs `op` under the retry policy, telling listeners about each retry.
    pub(crate) async fn retry<T, Fut>(&self, op: impl FnMut() -> Fut) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        self.storage()
            .retry_policy()
            .run(op, |err, delay| self.reporter.retrying(err, delay))
            .await
    }

    /// Sends one request through the folder (retried, failures naming `doing`), telling
    /// listeners about each retry.
    pub(crate) async fn send<T, Fut>(&self, doing: &str, request: impl FnMut() -> Fut) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        self.storage()
            .send_reporting(doing, request, |err, delay| {
                self.reporter.retrying(err, delay)
            })
            .await
    }

    /// Whether `err` is this transfer being paused or its queue stopping (a cancel that keeps
    /// what moved).
    pub(crate) fn paused_by(&self, err: &Error) -> bool {
        err.code == crate::error::ErrorCode::TransferCancelled
            && (self.pausing.load(Ordering::SeqCst) || self.stopped())
    }

    /// Whether the queue is stopping for good.
    pub(crate) fn stopped(&self) -> bool {
        self.context.stopping.load(Ordering::SeqCst)
    }

    /// `work`, or `transfer.cancelled` as soon as the transfer is cancelled.
    pub(crate) async fn cancellable<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        tokio::select! {
            result = work => result,
            () = self.cancel.cancelled() => Err(Error::cancelled()),
        }
    }
}
