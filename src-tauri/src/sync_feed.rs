//! The sync status as the web view sees it: the service's whole snapshots, the current one at
//! once when a window starts watching, then at most one every 250 ms (changes in between are
//! only their latest state), never one IPC message per event.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cubby_core::sync::SyncSnapshot;
use tauri::async_runtime::JoinHandle;
use tauri::ipc::Channel;
use tokio::sync::watch;

/// At most one snapshot this often.
const SEND_EVERY: Duration = Duration::from_millis(250);

/// Where snapshots go: the channel of the window that watches last.
pub type Sink = Arc<Mutex<Option<Channel<SyncSnapshot>>>>;

/// Sends a service's snapshots to the watching window.
pub struct SyncFeed {
    sink: Sink,
    snapshots: watch::Receiver<SyncSnapshot>,
    pump: JoinHandle<()>,
}

impl SyncFeed {
    /// Starts sending what `snapshots` carries (to no one until a window watches).
    pub fn start(snapshots: watch::Receiver<SyncSnapshot>) -> Self {
        let sink = Sink::default();
        let pump = tauri::async_runtime::spawn(pump(snapshots.clone(), sink.clone(), SEND_EVERY));
        Self {
            sink,
            snapshots,
            pump,
        }
    }

    /// Sends the current snapshot to `sink` and makes it the channel later ones go to.
    pub fn watch(&self, sink: Channel<SyncSnapshot>) -> tauri::Result<()> {
        let mut current = self.sink.lock().expect("sync feed lock");
        sink.send(self.snapshots.borrow().clone())?;
        *current = Some(sink);
        Ok(())
    }
}

impl Drop for SyncFeed {
    fn drop(&mut self) {
        self.pump.abort();
    }
}

/// Sends each change to the sink, then waits `every` (changes meanwhile coalesce into the
/// latest); ends when the service is gone. What `snapshots` has seen is not sent again (a
/// watching window gets the current snapshot from [`SyncFeed::watch`]).
pub async fn pump(mut snapshots: watch::Receiver<SyncSnapshot>, sink: Sink, every: Duration) {
    while snapshots.changed().await.is_ok() {
        let snapshot = snapshots.borrow_and_update().clone();
        let sent = match sink.lock().expect("sync feed lock").as_ref() {
            Some(channel) => channel.send(snapshot),
            None => Ok(()),
        };
        if let Err(err) = sent {
            tracing::info!(%err, "the sync status could not be sent to the window");
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cubby_core::sync::SyncOverall;
    use tauri::ipc::InvokeResponseBody;

    fn snapshot(overall: SyncOverall) -> SyncSnapshot {
        SyncSnapshot {
            pairs: Vec::new(),
            overall,
        }
    }

    #[tokio::test]
    async fn changes_within_the_interval_arrive_as_their_latest_snapshot() {
        let (sender, receiver) = watch::channel(snapshot(SyncOverall::Idle));
        let (sent, mut arrived) = tokio::sync::mpsc::unbounded_channel::<String>();
        let channel = Channel::new(move |body| {
            if let InvokeResponseBody::Json(json) = body {
                let _ = sent.send(json);
            }
            Ok(())
        });
        let sink = Sink::new(Mutex::new(Some(channel)));
        let pumping = tokio::spawn(pump(receiver, sink, SEND_EVERY));
        sender.send_replace(snapshot(SyncOverall::Syncing));
        let first = arrived.recv().await.unwrap();
        assert!(first.contains("syncing"), "{first}");
        sender.send_replace(snapshot(SyncOverall::Paused));
        sender.send_replace(snapshot(SyncOverall::Error));
        let second = arrived.recv().await.unwrap();
        assert!(second.contains("error"), "only the latest: {second}");
        drop(sender);
        pumping.await.unwrap();
        assert!(arrived.try_recv().is_err(), "nothing else was sent");
    }
}
