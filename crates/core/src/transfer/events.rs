//! Progress as typed events: one channel that any front end (a progress bar, the desktop UI,
//! a JSON stream) can consume.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use crate::error::{Error, ErrorCode};
use crate::storage::RemotePath;

/// Names one transfer in events; unique within one [`super::Transfers`].
pub type TransferId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Upload,
    Download,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransferEvent {
    pub id: TransferId,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Queued {
        direction: Direction,
        local: PathBuf,
        remote: RemotePath,
    },
    Started {
        total_bytes: u64,
    },
    /// An interrupted multipart upload picked up where it stopped.
    Resumed {
        parts_done: usize,
        bytes_done: u64,
    },
    Progress(Progress),
    Retrying {
        attempt: usize,
        delay: Duration,
        reason: String,
    },
    Finished {
        bytes: u64,
    },
    Failed {
        code: ErrorCode,
        message: String,
    },
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub bytes_done: u64,
    pub total_bytes: u64,
    pub bytes_per_second: f64,
    pub eta: Option<Duration>,
}

/// How often a transfer reports progress between its start and end.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Sends one transfer's events; counts its bytes and paces progress reports.
pub(crate) struct Reporter {
    id: TransferId,
    events: UnboundedSender<TransferEvent>,
    total: AtomicU64,
    done: AtomicU64,
    started: Instant,
    last_report: Mutex<Instant>,
    retries: AtomicU64,
}

impl Reporter {
    pub(crate) fn new(id: TransferId, events: UnboundedSender<TransferEvent>) -> Self {
        let now = Instant::now();
        Self {
            id,
            events,
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
            started: now,
            last_report: Mutex::new(now),
            retries: AtomicU64::new(0),
        }
    }

    pub(crate) fn send(&self, kind: EventKind) {
        // A front end that stopped listening does not stop the transfer.
        let _ = self.events.send(TransferEvent { id: self.id, kind });
    }

    pub(crate) fn started(&self, total_bytes: u64) {
        self.total.store(total_bytes, Ordering::Relaxed);
        self.send(EventKind::Started { total_bytes });
    }

    pub(crate) fn resumed(&self, parts_done: usize, bytes_done: u64) {
        self.done.fetch_add(bytes_done, Ordering::Relaxed);
        self.send(EventKind::Resumed {
            parts_done,
            bytes_done,
        });
    }

    /// Counts `bytes` more; reports progress when the last report is old enough.
    pub(crate) fn add(&self, bytes: u64) {
        self.done.fetch_add(bytes, Ordering::Relaxed);
        let now = Instant::now();
        let due = {
            let mut last = self.last_report.lock().expect("progress lock");
            let due = now.duration_since(*last) >= PROGRESS_INTERVAL;
            if due {
                *last = now;
            }
            due
        };
        if due {
            self.send(EventKind::Progress(self.progress(now)));
        }
    }

    /// Takes back bytes counted for an attempt that failed and will be sent again.
    pub(crate) fn take_back(&self, bytes: u64) {
        self.done.fetch_sub(bytes, Ordering::Relaxed);
    }

    pub(crate) fn retrying(&self, err: &Error, delay: Duration) {
        let attempt = self.retries.fetch_add(1, Ordering::Relaxed) as usize + 1;
        self.send(EventKind::Retrying {
            attempt,
            delay,
            reason: err.message.clone(),
        });
    }

    pub(crate) fn progress(&self, now: Instant) -> Progress {
        let bytes_done = self.done.load(Ordering::Relaxed);
        let total_bytes = self.total.load(Ordering::Relaxed);
        let elapsed = now.duration_since(self.started).as_secs_f64();
        let bytes_per_second = if elapsed > 0.0 {
            bytes_done as f64 / elapsed
        } else {
            0.0
        };
        let eta = (bytes_per_second > 0.0).then(|| {
            Duration::from_secs_f64(
                total_bytes.saturating_sub(bytes_done) as f64 / bytes_per_second,
            )
        });
        Progress {
            bytes_done,
            total_bytes,
            bytes_per_second,
            eta,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_has_rate_and_eta() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let reporter = Reporter::new(7, tx);
        reporter.started(1000);
        reporter.done.store(250, Ordering::Relaxed);
        let progress = reporter.progress(reporter.started + Duration::from_secs(5));
        assert_eq!(progress.bytes_done, 250);
        assert_eq!(progress.bytes_per_second, 50.0);
        assert_eq!(progress.eta, Some(Duration::from_secs(15)));
        assert_eq!(
            rx.try_recv().unwrap(),
            TransferEvent {
                id: 7,
                kind: EventKind::Started { total_bytes: 1000 }
            }
        );
    }
}
