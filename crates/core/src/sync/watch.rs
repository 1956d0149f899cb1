//! Watching a pair: a full run at the start, then a run over the changed folders whenever the
//! local folder changes (`notify` events, coalesced by `notify-debouncer-full`), and a full run
//! at a jittered interval anyway, which is also when remote changes are found. Full runs
//! rescan both sides, so a watcher that overflowed, missed events or could not start (out of
//! kernel watches) loses nothing: it is said, and a full run follows at once.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use notify_debouncer_full::notify::{self, EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::pair::{RunReport, SyncPair};
use super::scope::Scope;
use crate::error::Result;

/// How a watched pair wakes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchOptions {
    /// Local changes within this window make one run.
    pub debounce: Duration,
    /// A full run of both sides at least this often (±20%), local events or not.
    pub rescan_every: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            debounce: Duration::from_millis(200),
            rescan_every: Duration::from_secs(30),
        }
    }
}

/// Syncs `pair` until `stop`, handing each run's result to `on_run` (a failing run does not
/// end the watch: the next one tries again). A run in progress when `stop` comes is dropped.
pub async fn watch(
    pair: &SyncPair,
    options: WatchOptions,
    stop: CancellationToken,
    on_run: impl FnMut(Result<RunReport>),
) -> Result<()> {
    let (sender, events) = mpsc::unbounded_channel();
    let handler = move |result: DebounceEventResult| {
        if !matches!(&result, Ok(events) if events.is_empty()) {
            let _ = sender.send(result);
        }
    };
    let watcher = new_debouncer(options.debounce, None, handler).and_then(|mut debouncer| {
        debouncer.watch(pair.root(), RecursiveMode::Recursive)?;
        Ok(debouncer)
    });
    let _watcher = match watcher {
        Ok(watcher) => Some(watcher),
        Err(err) => {
            pair.note(format!(
                "cannot watch {} for changes ({}); it is rescanned every {} s instead",
                pair.root().display(),
                explain(&err),
                options.rescan_every.as_secs()
            ));
            None
        }
    };
    watch_events(pair, options, stop, events, on_run).await
}

/// [`watch`]'s loop, woken by `events` as the debouncer sends them (the seam through which
/// tests hand it an overflow or a watcher error, which no file system makes on demand).
pub async fn watch_events(
    pair: &SyncPair,
    options: WatchOptions,
    stop: CancellationToken,
    mut events: mpsc::UnboundedReceiver<DebounceEventResult>,
    mut on_run: impl FnMut(Result<RunReport>),
) -> Result<()> {
    let mut scope = Scope::Everything;
    let mut next_full_run = Instant::now();
    loop {
        tokio::select! {
            biased;
            // A stop (a pause, a removal, Ctrl-C, quitting) ends the run in progress at once,
            // its transfers with it: as after a crash, the next run rescans and goes on.
            () = stop.cancelled() => return Ok(()),
            result = pair.run_within(&scope) => {
                // A scoped run may have widened to a full one.
                if scope.is_everything() || result.as_ref().is_ok_and(|r| r.scope.is_everything()) {
                    next_full_run = Instant::now() + jittered(options.rescan_every);
                }
                on_run(result);
            }
        }
        let woken = loop {
            let batch = tokio::select! {
                () = stop.cancelled() => return Ok(()),
                () = tokio::time::sleep_until(next_full_run) => break None,
                Some(batch) = events.recv() => batch,
            };
            if let Some(changes) = changes_in(batch) {
                break Some(changes);
            }
        };
        // Everything the watcher said by now goes into the one next run.
        let mut batches: Vec<DebounceEventResult> = woken.into_iter().collect();
        while let Ok(batch) = events.try_recv() {
            batches.extend(changes_in(batch));
        }
        scope = if batches.is_empty() {
            Scope::Everything
        } else {
            scope_of(pair, &batches)
        };
    }
}

/// The changes in a watcher's `batch`, if any: reads are none. (A scan opens every folder it
/// walks; were those openings changes, every run would wake the next one.)
fn changes_in(batch: DebounceEventResult) -> Option<DebounceEventResult> {
    match batch {
        Ok(mut events) => {
            events.retain(|event| !matches!(event.kind, EventKind::Access(_)));
            (!events.is_empty()).then_some(Ok(events))
        }
        Err(errors) => Some(Err(errors)),
    }
}

/// What a run must look at after the watcher's `batches`: the folders that changed, or
/// everything (and why) when the watcher overflowed or failed.
fn scope_of(pair: &SyncPair, batches: &[DebounceEventResult]) -> Scope {
    let mut changed = Vec::new();
    for batch in batches {
        match batch {
            Ok(events) if events.iter().any(|e| e.need_rescan()) => {
                pair.note(
                    "the watcher missed events (its queue overflowed); both folders are rescanned"
                        .to_owned(),
                );
                return Scope::Everything;
            }
            Ok(events) => changed.extend(events.iter().flat_map(|e| e.paths.iter())),
            Err(errors) => {
                pair.note(format!(
                    "the watcher failed ({}); both folders are rescanned",
                    errors
                        .first()
                        .map_or_else(|| "unknown error".to_owned(), explain)
                ));
                return Scope::Everything;
            }
        }
    }
    Scope::of_changes(pair.root(), changed.into_iter().map(PathBuf::as_path))
}

/// A watcher error for people, with what to do when the OS ran out of watches.
fn explain(err: &notify::Error) -> String {
    match err.kind {
        notify::ErrorKind::MaxFilesWatch => format!(
            "{err} On Linux, raise fs.inotify.max_user_watches (sysctl); until then changes are found by rescans"
        ),
        _ => err.to_string(),
    }
}

/// `every`, give or take 20%, so that many pairs (or machines) do not rescan in step.
fn jittered(every: Duration) -> Duration {
    let noise = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos()
        % 1000;
    every.mul_f64(0.8 + 0.4 * f64::from(noise) / 1000.0)
}
