//! Progress as typed events: one channel that any front end (a progress bar, the desktop UI,
//! a JSON stream) can consume. Serialized in [`crate::wire`]'s conventions, flat, with the
//! variant in an `event` field as in `cubby put --json`: `{"id": 7, "event": "progress",
//! "bytes_done": 250, "total_bytes": 1000, "bytes_per_second": 50.0, "eta_ms": 15000}`.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use crate::error::{Error, ErrorCode};
use crate::storage::RemotePath;

/// Names one transfer in events; unique within one [`super::Transfers`].
pub type TransferId = u64;

/// Which way a transfer goes: `"upload"` or `"download"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From this machine to the folder.
    Upload,
    /// From the folder to this machine.
    Download,
}

/// Something that happened to one transfer: its id beside the flattened [`EventKind`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferEvent {
    /// The transfer it happened to.
    pub id: TransferId,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened, named in an `event` field: `"queued"`, `"started"`, `"resumed"`,
/// `"progress"`, `"retrying"`, `"paused"`, `"finished"`, `"failed"` or `"cancelled"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// Accepted into the queue; the first event of every transfer, naming both ends.
    Queued {
        /// Which way it goes.
        direction: Direction,
        /// The file on this machine.
        #[serde(serialize_with = "crate::wire::lossy_path")]
        local: PathBuf,
        /// The file in the folder.
        remote: RemotePath,
    },
    /// Bytes started moving.
    Started {
        /// The file's length.
        total_bytes: u64,
    },
    /// An interrupted multipart upload picked up where it stopped.
    Resumed {
        /// Parts already uploaded before.
        parts_done: usize,
        /// The bytes of those parts.
        bytes_done: u64,
    },
    /// Bytes moved, at most every 100 ms.
    Progress(Progress),
    /// A request failed in a way worth trying again, after `delay_ms`.
    Retrying {
        /// 1 for the first retry of this transfer.
        attempt: usize,
        /// The wait before trying again.
        #[serde(rename = "delay_ms", serialize_with = "crate::wire::millis")]
        delay: Duration,
        /// What failed, for people.
        reason: String,
    },
    /// Done: the file is complete at the other end.
    Finished {
        /// The file's length.
        bytes: u64,
    },
    /// Ended with an error; `code` as in [`crate::Error`].
    Failed {
        /// The stable dotted code.
        code: ErrorCode,
        /// What went wrong, for people.
        message: String,
    },
    /// Paused by itself: stopped with what it moved kept, until it is resumed under its id.
    Paused,
    /// Stopped on request.
    Cancelled,
}

/// How far a transfer is: `{"bytes_done", "total_bytes", "bytes_per_second", "eta_ms"}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    /// Bytes moved so far, resumed ones included.
    pub bytes_done: u64,
    /// The file's length.
    pub total_bytes: u64,
    /// The average rate since the transfer started.
    pub bytes_per_second: f64,
    /// The time left at that rate; `null` before any byte moved.
    #[serde(rename = "eta_ms", serialize_with = "crate::wire::optional_millis")]
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
    use serde_json::json;

    use super::*;

    fn json_of(kind: EventKind) -> serde_json::Value {
        serde_json::to_value(TransferEvent { id: 7, kind }).unwrap()
    }

    #[test]
    fn events_serialize_flat_with_the_event_named() {
        assert_eq!(
            json_of(EventKind::Queued {
                direction: Direction::Upload,
                local: PathBuf::from("tree/docs/a.txt"),
                remote: RemotePath::parse("backup/docs/a.txt").unwrap(),
            }),
            json!({
                "id": 7,
                "event": "queued",
                "direction": "upload",
                "local": "tree/docs/a.txt",
                "remote": "backup/docs/a.txt",
            })
        );
        assert_eq!(
            json_of(EventKind::Started { total_bytes: 1000 }),
            json!({"id": 7, "event": "started", "total_bytes": 1000})
        );
        assert_eq!(
            json_of(EventKind::Resumed {
                parts_done: 2,
                bytes_done: 500
            }),
            json!({"id": 7, "event": "resumed", "parts_done": 2, "bytes_done": 500})
        );
        assert_eq!(
            json_of(EventKind::Retrying {
                attempt: 1,
                delay: Duration::from_millis(250),
                reason: "SlowDown".to_owned(),
            }),
            json!({"id": 7, "event": "retrying", "attempt": 1, "delay_ms": 250, "reason": "SlowDown"})
        );
        assert_eq!(
            json_of(EventKind::Finished { bytes: 1000 }),
            json!({"id": 7, "event": "finished", "bytes": 1000})
        );
        assert_eq!(
            json_of(EventKind::Failed {
                code: ErrorCode::StorageNotFound,
                message: "gone".to_owned(),
            }),
            json!({"id": 7, "event": "failed", "code": "storage.not_found", "message": "gone"})
        );
        assert_eq!(
            json_of(EventKind::Paused),
            json!({"id": 7, "event": "paused"})
        );
        assert_eq!(
            json_of(EventKind::Cancelled),
            json!({"id": 7, "event": "cancelled"})
        );
        assert_eq!(
            serde_json::to_value(Direction::Download).unwrap(),
            "download"
        );
    }

    #[test]
    fn progress_serializes_eta_in_milliseconds() {
        let progress = Progress {
            bytes_done: 250,
            total_bytes: 1000,
            bytes_per_second: 50.0,
            eta: Some(Duration::from_secs(15)),
        };
        assert_eq!(
            json_of(EventKind::Progress(progress)),
            json!({
                "id": 7,
                "event": "progress",
                "bytes_done": 250,
                "total_bytes": 1000,
                "bytes_per_second": 50.0,
                "eta_ms": 15000,
            })
        );
        let unknown = Progress {
            eta: None,
            ..progress
        };
        assert_eq!(
            serde_json::to_value(unknown).unwrap()["eta_ms"],
            json!(null)
        );
    }

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
