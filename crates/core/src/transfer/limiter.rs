//! The limits of a transfer queue: how many files and how many parts move at once, how much
//! memory part buffers may hold, and the pause switch. Waiting for any of these also ends when the transfer is
//! cancelled.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

const KIB: u64 = 1024;

#[derive(Debug)]
pub(crate) struct Limiter {
    files: Arc<Semaphore>,
    parts: Arc<Semaphore>,
    /// Part buffer memory, in KiB.
    buffers: Arc<Semaphore>,
    buffer_budget_kib: u32,
    paused: watch::Sender<bool>,
}

/// Permission to move one part (or one small file) holding `bytes` of buffer.
#[derive(Debug)]
pub(crate) struct PartSlot {
    _part: OwnedSemaphorePermit,
    _buffer: OwnedSemaphorePermit,
}

impl Limiter {
    pub(crate) fn new(files_in_flight: usize, parts_in_flight: usize, buffer_budget: u64) -> Self {
        let buffer_budget_kib = u32::try_from(buffer_budget / KIB)
            .unwrap_or(u32::MAX)
            .max(1);
        Self {
            files: Arc::new(Semaphore::new(files_in_flight.max(1))),
            parts: Arc::new(Semaphore::new(parts_in_flight.max(1))),
            buffers: Arc::new(Semaphore::new(buffer_budget_kib as usize)),
            buffer_budget_kib,
            paused: watch::Sender::new(false),
        }
    }

    pub(crate) fn pause(&self) {
        self.paused.send_replace(true);
    }

    pub(crate) fn is_paused(&self) -> bool {
        *self.paused.borrow()
    }

    pub(crate) fn resume(&self) {
        self.paused.send_replace(false);
    }

    /// Waits for a file slot (and for the queue to run).
    pub(crate) async fn file_slot(
        &self,
        cancel: &CancellationToken,
    ) -> Result<OwnedSemaphorePermit> {
        self.wait_running(cancel).await?;
        acquire(self.files.clone(), 1, cancel).await
    }

    /// Waits for a part slot and `bytes` of buffer budget (a buffer larger than the whole budget
    /// takes all of it, so it waits until it runs alone rather than forever).
    pub(crate) async fn part_slot(
        &self,
        bytes: u64,
        cancel: &CancellationToken,
    ) -> Result<PartSlot> {
        self.wait_running(cancel).await?;
        let part = acquire(self.parts.clone(), 1, cancel).await?;
        let kib = u32::try_from(bytes.div_ceil(KIB))
            .unwrap_or(u32::MAX)
            .min(self.buffer_budget_kib);
        let buffer = acquire(self.buffers.clone(), kib, cancel).await?;
        Ok(PartSlot {
            _part: part,
            _buffer: buffer,
        })
    }

    async fn wait_running(&self, cancel: &CancellationToken) -> Result<()> {
        let mut paused = self.paused.subscribe();
        tokio::select! {
            waited = paused.wait_for(|paused| !paused) => {
                waited.map(|_| ()).map_err(|_| Error::internal("the transfer queue was dropped"))
            }
            () = cancel.cancelled() => Err(Error::cancelled()),
        }
    }
}

async fn acquire(
    semaphore: Arc<Semaphore>,
    n: u32,
    cancel: &CancellationToken,
) -> Result<OwnedSemaphorePermit> {
    tokio::select! {
        permit = semaphore.acquire_many_owned(n) => {
            permit.map_err(|_| Error::internal("the transfer queue was closed"))
        }
        () = cancel.cancelled() => Err(Error::cancelled()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::error::ErrorCode;

    /// Runs `jobs` tasks that each hold a file slot while they yield a few times; returns the
    /// most that ran at once.
    async fn peak_concurrency(limiter: Arc<Limiter>, jobs: usize) -> usize {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..jobs)
            .map(|_| {
                let (limiter, running, peak) = (limiter.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    let _slot = limiter.file_slot(&CancellationToken::new()).await.unwrap();
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    for _ in 0..5 {
                        tokio::task::yield_now().await;
                    }
                    running.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        peak.load(Ordering::SeqCst)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn files_in_flight_are_limited() {
        let limiter = Arc::new(Limiter::new(3, 8, 1 << 20));
        assert_eq!(peak_concurrency(limiter, 20).await, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn buffer_budget_bounds_parts_and_oversized_parts_still_run() {
        let limiter = Limiter::new(4, 8, 10 * KIB);
        let cancel = CancellationToken::new();
        let first = limiter.part_slot(6 * KIB, &cancel).await.unwrap();
        let blocked =
            tokio::time::timeout(Duration::from_secs(60), limiter.part_slot(6 * KIB, &cancel))
                .await;
        assert!(
            blocked.is_err(),
            "a second 6 KiB part must wait within a 10 KiB budget"
        );
        drop(first);
        let huge = limiter.part_slot(1 << 30, &cancel).await.unwrap();
        drop(huge);
        let _small = limiter.part_slot(KIB, &cancel).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn pause_holds_new_work_until_resume() {
        let limiter = Arc::new(Limiter::new(4, 8, 1 << 20));
        limiter.pause();
        let waiting = {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                limiter
                    .part_slot(KIB, &CancellationToken::new())
                    .await
                    .map(|_| ())
            })
        };
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(
            !waiting.is_finished(),
            "a paused limiter must not hand out slots"
        );
        limiter.resume();
        waiting.await.unwrap().unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_ends_a_wait() {
        let limiter = Limiter::new(1, 1, 1 << 20);
        let cancel = CancellationToken::new();
        let _held = limiter.file_slot(&cancel).await.unwrap();
        let other = CancellationToken::new();
        other.cancel();
        let err = limiter.file_slot(&other).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::TransferCancelled);
        limiter.pause();
        assert_eq!(
            limiter.part_slot(1, &other).await.unwrap_err().code,
            ErrorCode::TransferCancelled
        );
    }
}
