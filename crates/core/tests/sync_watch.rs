//! A watched pair: a file saved in the local folder arrives in the remote folder without
//! anything but the watcher waking the sync, and stopping the watch ends it.

use std::time::Duration;

use cubby_core::sync::{Mode, RunReport, WatchOptions, watch};
use cubby_test_support::Backend;
use cubby_test_support::sync_folders::SyncFolders;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_file_arrives_through_the_watcher() {
    let folders = SyncFolders::new(Backend::localcloud("watch@example.com").await);
    let (pair, _events) = folders.open(folders.options(Mode::TwoWay)).unwrap();
    let (runs, mut ran) = mpsc::unbounded_channel::<RunReport>();
    let stop = CancellationToken::new();
    // Rescans are far apart: only the watcher can wake the second run in time.
    let options = WatchOptions {
        debounce: Duration::from_millis(100),
        rescan_every: Duration::from_secs(3600),
    };
    let watching = {
        let stop = stop.clone();
        async move {
            watch(&pair, options, stop, |result| {
                let _ = runs.send(result.unwrap());
            })
            .await
        }
    };
    let saving = async {
        let first = ran.recv().await.unwrap();
        assert!(first.plan.actions.is_empty(), "{:?}", first.plan.actions);
        folders.write_local("saved.txt", "hello");
        let deadline = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                let report = ran.recv().await.unwrap();
                if report.summary.uploaded == 1 {
                    return;
                }
            }
        });
        deadline.await.expect("the watcher syncs the saved file");
        stop.cancel();
    };
    let (watched, ()) = tokio::join!(watching, saving);
    watched.unwrap();
    assert_eq!(
        folders.remote_files().await,
        [("saved.txt".to_owned(), "hello".to_owned())]
    );
}
