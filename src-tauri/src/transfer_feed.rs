//! The transfer queue as the web view sees it: core's events read on a 150 ms timer (as the
//! CLI reads them) and sent through the window's channel in batches, never one IPC message per
//! event, except that the batch ending a run goes the moment the queue is idle (the panel says
//! "done" when it is, not up to a tick later); what every transfer last did is kept so a
//! (re)loaded window is caught up at once; and a run of transfers that took a while is told
//! about when it ends.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cubby_core::transfer::{EventKind, TransferEvent, TransferId, Transfers};
use serde::Serialize;
use tauri::ipc::Channel;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::mpsc::error::TryRecvError;

/// How often events are gathered and sent.
const BATCH_EVERY: Duration = Duration::from_millis(150);

/// A run of transfers shorter than this ends without a notification.
const LONG_RUN: Duration = Duration::from_secs(10);

/// What the transfers channel carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferBatch {
    /// In order; between two sends, a transfer's `progress` events in a row are only the last
    /// one, and a transfer that finished has only its `finished` after its `queued` (its row
    /// shows nothing the `started`, `progress`, `resumed` or `retrying` before it said; a
    /// folder of small files finishes most of its transfers between two sends).
    pub events: Vec<TransferEvent>,
    /// The whole queue is held.
    pub queue_paused: bool,
    /// Transfers forgotten since the last batch.
    pub removed: Vec<TransferId>,
}

/// A run of transfers (from the first queued while none ran to the last one ending) that
/// took long enough to tell the person about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunEnded {
    /// Transfers that ended in the run (finished or failed).
    pub ended: usize,
    /// How many of them failed.
    pub failed: usize,
}

impl RunEnded {
    /// The notification's text.
    pub fn describe(&self) -> String {
        let plural = |n: usize| if n == 1 { "transfer" } else { "transfers" };
        match self.failed {
            0 => format!("{} {} finished", self.ended, plural(self.ended)),
            failed => format!(
                "{failed} of {} {} failed; see the transfers panel",
                self.ended,
                plural(self.ended)
            ),
        }
    }
}

/// Told when a long run of transfers ends.
pub type RunEndedHook = Arc<dyn Fn(RunEnded) + Send + Sync>;

/// One transfer as last seen.
#[derive(Debug)]
struct Seen {
    queued: TransferEvent,
    latest: Option<TransferEvent>,
}

/// The run in progress.
#[derive(Debug)]
struct Run {
    since: Instant,
    ended: usize,
    failed: usize,
}

/// Every transfer's first and latest event, and what is waiting to be sent.
#[derive(Debug, Default)]
pub struct Ledger {
    seen: BTreeMap<TransferId, Seen>,
    /// What waits to be sent, in order; `None` where a later event made one needless.
    pending: Vec<Option<TransferEvent>>,
    /// Where in `pending` a transfer's events since its last `queued` or change of state are
    /// that its `finished` would make needless; the last one, when progress, is replaced by
    /// newer progress.
    passing: HashMap<TransferId, Vec<usize>>,
    removed: Vec<TransferId>,
    sent_paused: Option<bool>,
    active: HashSet<TransferId>,
    run: Option<Run>,
}

impl Ledger {
    /// Takes in one event of the queue.
    pub fn record(&mut self, event: TransferEvent, now: Instant) {
        let id = event.id;
        match &event.kind {
            EventKind::Queued { .. } => {
                self.seen.insert(
                    id,
                    Seen {
                        queued: event.clone(),
                        latest: None,
                    },
                );
                self.active.insert(id);
                self.run.get_or_insert(Run {
                    since: now,
                    ended: 0,
                    failed: 0,
                });
            }
            kind => {
                if let Some(seen) = self.seen.get_mut(&id) {
                    seen.latest = Some(event.clone());
                }
                let (ends, failed) = match kind {
                    EventKind::Finished { .. } => (true, false),
                    EventKind::Failed { .. } => (true, true),
                    EventKind::Cancelled | EventKind::Paused => (false, false),
                    _ => {
                        self.push(event);
                        return;
                    }
                };
                self.active.remove(&id);
                if let Some(run) = &mut self.run {
                    run.ended += usize::from(ends);
                    run.failed += usize::from(failed);
                }
            }
        }
        self.push(event);
    }

    fn push(&mut self, event: TransferEvent) {
        let id = event.id;
        let at = self.pending.len();
        match event.kind {
            EventKind::Progress(_) => {
                let passing = self.passing.entry(id).or_default();
                if let Some(&last) = passing.last()
                    && let Some(TransferEvent {
                        kind: EventKind::Progress(_),
                        ..
                    }) = self.pending[last]
                {
                    self.pending[last] = Some(event);
                    return;
                }
                passing.push(at);
            }
            EventKind::Started { .. } | EventKind::Resumed { .. } | EventKind::Retrying { .. } => {
                self.passing.entry(id).or_default().push(at);
            }
            EventKind::Finished { .. } => {
                for needless in self.passing.remove(&id).unwrap_or_default() {
                    self.pending[needless] = None;
                }
            }
            EventKind::Queued { .. }
            | EventKind::Failed { .. }
            | EventKind::Cancelled
            | EventKind::Paused => {
                self.passing.remove(&id);
            }
        }
        self.pending.push(Some(event));
    }

    /// What changed since the last batch, if anything did.
    pub fn take_batch(&mut self, queue_paused: bool) -> Option<TransferBatch> {
        if self.pending.is_empty()
            && self.removed.is_empty()
            && self.sent_paused == Some(queue_paused)
        {
            return None;
        }
        self.sent_paused = Some(queue_paused);
        self.passing.clear();
        Some(TransferBatch {
            events: self.pending.drain(..).flatten().collect(),
            queue_paused,
            removed: std::mem::take(&mut self.removed),
        })
    }

    /// Every known transfer's `queued` event then its latest one, in the order they were
    /// queued; what was waiting to be sent is in it already.
    pub fn replay(&mut self, queue_paused: bool) -> TransferBatch {
        self.pending.clear();
        self.passing.clear();
        self.removed.clear();
        self.sent_paused = Some(queue_paused);
        let events = self
            .seen
            .values()
            .flat_map(|seen| std::iter::once(seen.queued.clone()).chain(seen.latest.clone()))
            .collect();
        TransferBatch {
            events,
            queue_paused,
            removed: Vec::new(),
        }
    }

    /// Drops transfers core forgot; the next batch names them in `removed`.
    pub fn forget(&mut self, ids: &[TransferId]) {
        for id in ids {
            self.seen.remove(id);
            self.active.remove(id);
        }
        self.removed.extend_from_slice(ids);
    }

    /// The run that just ended, when nothing is active any more and it lasted long enough.
    pub fn run_ended(&mut self, now: Instant) -> Option<RunEnded> {
        if !self.active.is_empty() {
            return None;
        }
        let run = self.run.take()?;
        (now.duration_since(run.since) >= LONG_RUN && run.ended > 0).then_some(RunEnded {
            ended: run.ended,
            failed: run.failed,
        })
    }
}

/// The ledger and the window's channel, shared by the pump and the commands.
#[derive(Default)]
struct Shared {
    ledger: Ledger,
    sink: Option<Channel<TransferBatch>>,
}

/// The feed of one session's queue; its pump stops when it is dropped.
pub struct TransferFeed {
    shared: Arc<Mutex<Shared>>,
    pump: tauri::async_runtime::JoinHandle<()>,
}

impl TransferFeed {
    /// Starts reading `events` of `transfers`; `on_run_ended` hears of long runs.
    pub fn start(
        transfers: Transfers,
        events: UnboundedReceiver<TransferEvent>,
        on_run_ended: Option<RunEndedHook>,
    ) -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let pump = tauri::async_runtime::spawn(pump(
            shared.clone(),
            transfers,
            events,
            on_run_ended,
            BATCH_EVERY,
        ));
        Self { shared, pump }
    }

    /// Sends the replay to `sink` and makes it the channel later batches go to.
    pub fn watch(&self, sink: Channel<TransferBatch>, queue_paused: bool) -> tauri::Result<()> {
        let mut shared = self.shared.lock().expect("feed lock");
        sink.send(shared.ledger.replay(queue_paused))?;
        shared.sink = Some(sink);
        Ok(())
    }

    /// Drops transfers core forgot.
    pub fn forget(&self, ids: &[TransferId]) {
        self.shared.lock().expect("feed lock").ledger.forget(ids);
    }
}

impl Drop for TransferFeed {
    fn drop(&mut self) {
        self.pump.abort();
    }
}

async fn pump(
    shared: Arc<Mutex<Shared>>,
    transfers: Transfers,
    mut events: UnboundedReceiver<TransferEvent>,
    on_run_ended: Option<RunEndedHook>,
    batch_every: Duration,
) {
    let mut timer = tokio::time::interval(batch_every);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // While transfers run, events wait for the tick, and the moment the queue goes idle the
    // batch ending them is sent (the panel says "done" when it is, not up to a tick later).
    // While none run, the first event wakes the pump: a run's start is sent at once, and the
    // pump then knows to wait for the run's end. So a run costs two wake-ups beyond the ticks,
    // however many transfers it has.
    let mut awaiting_idle = false;
    loop {
        let (went_idle, first) = tokio::select! {
            _ = timer.tick() => (false, None),
            () = transfers.idle(), if awaiting_idle => (true, None),
            event = events.recv(), if !awaiting_idle => (false, event),
        };
        let now = Instant::now();
        let (batch, ended, sink, closed, queued) = {
            let mut shared = shared.lock().expect("feed lock");
            let mut queued = false;
            let mut take = |shared: &mut Shared, event: TransferEvent| {
                queued |= matches!(event.kind, EventKind::Queued { .. });
                shared.ledger.record(event, now);
            };
            if let Some(event) = first {
                take(&mut shared, event);
            }
            let closed = loop {
                match events.try_recv() {
                    Ok(event) => take(&mut shared, event),
                    Err(TryRecvError::Empty) => break false,
                    Err(TryRecvError::Disconnected) => break true,
                }
            };
            let batch = shared.ledger.take_batch(transfers.is_paused());
            let ended = shared.ledger.run_ended(now);
            (batch, ended, shared.sink.clone(), closed, queued)
        };
        awaiting_idle = queued || (awaiting_idle && !went_idle);
        if let (Some(batch), Some(sink)) = (batch, sink)
            && let Err(err) = sink.send(batch)
        {
            tracing::info!(%err, "the transfers window stopped listening");
            shared.lock().expect("feed lock").sink = None;
        }
        if let (Some(ended), Some(hook)) = (ended, &on_run_ended) {
            hook(ended);
        }
        if closed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use cubby_core::storage::RemotePath;
    use cubby_core::transfer::{Direction, Progress};

    use super::*;

    fn queued(id: TransferId) -> TransferEvent {
        TransferEvent {
            id,
            kind: EventKind::Queued {
                direction: Direction::Upload,
                local: PathBuf::from(format!("/l/{id}")),
                remote: RemotePath::parse(&format!("r/{id}")).unwrap(),
            },
        }
    }

    fn progress(id: TransferId, bytes_done: u64) -> TransferEvent {
        TransferEvent {
            id,
            kind: EventKind::Progress(Progress {
                bytes_done,
                total_bytes: 100,
                bytes_per_second: 1.0,
                eta: None,
            }),
        }
    }

    fn event(id: TransferId, kind: EventKind) -> TransferEvent {
        TransferEvent { id, kind }
    }

    #[test]
    fn a_batch_keeps_order_only_the_last_progress_in_a_row_and_no_steps_of_a_finished_one() {
        let mut ledger = Ledger::default();
        let now = Instant::now();
        for e in [
            queued(1),
            progress(1, 10),
            queued(2),
            progress(1, 20),
            progress(2, 5),
            progress(1, 30),
            event(1, EventKind::Finished { bytes: 100 }),
            progress(2, 6),
        ] {
            ledger.record(e, now);
        }
        let batch = ledger.take_batch(false).unwrap();
        assert_eq!(
            batch.events,
            [
                queued(1),
                queued(2),
                progress(2, 6),
                event(1, EventKind::Finished { bytes: 100 }),
            ]
        );
        assert!(ledger.take_batch(false).is_none(), "nothing new");

        let started = || event(3, EventKind::Started { total_bytes: 100 });
        let finished = || event(3, EventKind::Finished { bytes: 100 });
        for e in [
            queued(3),
            started(),
            progress(3, 50),
            event(3, EventKind::Paused),
        ] {
            ledger.record(e, now);
        }
        ledger.record(progress(2, 7), now);
        ledger.record(started(), now);
        ledger.record(finished(), now);
        assert_eq!(
            ledger.take_batch(false).unwrap().events,
            [
                queued(3),
                started(),
                progress(3, 50),
                event(3, EventKind::Paused),
                progress(2, 7),
                finished()
            ],
            "what came before the pause is still what the row showed; the start after it is not"
        );

        assert_eq!(
            ledger.take_batch(true).unwrap(),
            TransferBatch {
                events: Vec::new(),
                queue_paused: true,
                removed: Vec::new()
            },
            "the queue's pause is news"
        );
    }

    #[test]
    fn the_replay_is_each_transfers_queued_then_latest_event() {
        let mut ledger = Ledger::default();
        let now = Instant::now();
        for e in [
            queued(1),
            queued(2),
            progress(2, 50),
            event(1, EventKind::Paused),
            queued(3),
        ] {
            ledger.record(e, now);
        }
        let replay = ledger.replay(true);
        assert_eq!(
            replay.events,
            [
                queued(1),
                event(1, EventKind::Paused),
                queued(2),
                progress(2, 50),
                queued(3)
            ]
        );
        assert!(replay.queue_paused);
        assert!(ledger.take_batch(true).is_none(), "the replay had it all");
        ledger.forget(&[1]);
        let batch = ledger.take_batch(true).unwrap();
        assert_eq!(batch.removed, [1]);
        assert_eq!(ledger.replay(true).events.len(), 3);
    }

    #[test]
    fn only_a_long_run_is_told_about_once_everything_ended() {
        let start = Instant::now();
        let mut ledger = Ledger::default();
        ledger.record(queued(1), start);
        ledger.record(queued(2), start);
        ledger.record(event(1, EventKind::Finished { bytes: 1 }), start);
        assert_eq!(ledger.run_ended(start + LONG_RUN), None, "2 still runs");
        let failed = EventKind::Failed {
            code: cubby_core::ErrorCode::NetOffline,
            message: "offline".into(),
        };
        ledger.record(event(2, failed), start);
        assert_eq!(
            ledger.run_ended(start + LONG_RUN),
            Some(RunEnded {
                ended: 2,
                failed: 1
            })
        );
        assert_eq!(ledger.run_ended(start + LONG_RUN), None, "told once");

        ledger.record(queued(3), start);
        ledger.record(event(3, EventKind::Finished { bytes: 1 }), start);
        assert_eq!(
            ledger.run_ended(start + Duration::from_secs(2)),
            None,
            "a short run ends quietly"
        );
        assert_eq!(
            RunEnded {
                ended: 2,
                failed: 1
            }
            .describe(),
            "1 of 2 transfers failed; see the transfers panel"
        );
    }

    /// The batch that ends a run leaves when the queue goes idle, not at the next tick (here an
    /// hour away, after the one at the start).
    #[tokio::test]
    async fn the_batch_ending_a_run_is_sent_when_the_queue_goes_idle() {
        use cubby_core::storage::{FolderRoot, MemoryClient, Storage};
        use cubby_core::transfer::{StateDb, TransferOptions};

        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("a.txt");
        std::fs::write(&local, b"hello").unwrap();
        let storage = Storage::with_client(
            Arc::new(MemoryClient::new("bucket")),
            FolderRoot::new("me/").unwrap(),
        );
        let state = StateDb::open(&dir.path().join("state.db")).unwrap();
        let (transfers, events) = Transfers::new(storage, state, TransferOptions::default());
        let (sent, mut batches) = tokio::sync::mpsc::unbounded_channel();
        let sink = Channel::new(move |body| {
            let tauri::ipc::InvokeResponseBody::Json(json) = body else {
                panic!("a batch is JSON");
            };
            let _ = sent.send(json);
            Ok(())
        });
        let shared = Arc::new(Mutex::new(Shared {
            ledger: Ledger::default(),
            sink: Some(sink),
        }));
        let hour = Duration::from_secs(3600);
        let pump = tokio::spawn(pump(shared, transfers.clone(), events, None, hour));
        batches
            .recv()
            .await
            .expect("the first tick's batch (the queue's state)");

        let upload = transfers.upload(local, RemotePath::parse("a.txt").unwrap());
        assert_eq!(upload.wait().await.unwrap(), 5);
        let finished = async {
            while let Some(json) = batches.recv().await {
                if json.contains(r#""event":"finished""#) {
                    return;
                }
            }
            panic!("the pump stopped");
        };
        tokio::time::timeout(Duration::from_secs(30), finished)
            .await
            .expect("the batch with the finished upload was sent before the next tick");
        pump.abort();
    }
}
