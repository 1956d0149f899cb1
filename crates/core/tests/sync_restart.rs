//! A sync stopped in the middle of a large first run (its run dropped as a killed process
//! stops, after some files went up) resumes: the next run finishes, says the last one was
//! interrupted, sends no file twice and leaves a state database that matches both sides.

use cubby_core::sync::{Mode, SyncEvent, SyncPair};
use cubby_core::transfer::{EventKind, StateDb, TransferEvent, TransferOptions, Transfers};
use cubby_test_support::Backend;
use cubby_test_support::sync_folders::SyncFolders;
use tokio::sync::mpsc::UnboundedReceiver;

const FILES: usize = 120;

fn finished(events: &mut UnboundedReceiver<TransferEvent>) -> usize {
    std::iter::from_fn(|| events.try_recv().ok())
        .filter(|e| matches!(e.kind, EventKind::Finished { .. }))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_stopped_midway_finishes_without_sending_anything_twice() {
    let folders = SyncFolders::new(Backend::localcloud("restart@example.com").await);
    for i in 0..FILES {
        folders.write_local(
            &format!("dir{}/file{i:03}.txt", i % 7),
            &format!("content {i}"),
        );
    }
    let open = || {
        let options = TransferOptions {
            files_in_flight: 4,
            record_queue: false,
            ..TransferOptions::default()
        };
        let (transfers, events) = Transfers::new(
            folders.storage.clone(),
            StateDb::in_memory().unwrap(),
            options,
        );
        let (pair, sync_events) = SyncPair::open(
            &folders.root,
            folders.remote_dir.clone(),
            transfers.clone(),
            folders.db.clone(),
            folders.options(Mode::TwoWay),
            &folders.locks,
            "a test",
        )
        .unwrap();
        (pair, transfers, events, sync_events)
    };

    let (pair, transfers, mut events, _) = open();
    let mut run = Box::pin(pair.run_once());
    let mut sent_before = 0;
    // Runs until a third of the files went up, then stops it.
    while sent_before < FILES / 3 {
        tokio::select! {
            biased;
            Some(event) = events.recv() => {
                if matches!(event.kind, EventKind::Finished { .. }) {
                    sent_before += 1;
                }
            }
            _ = &mut run => panic!("the run ended before it was stopped"),
        }
    }
    drop(run);
    transfers.idle().await;
    sent_before += finished(&mut events);
    drop(pair);
    assert!(sent_before < FILES, "{sent_before}");

    let (pair, _transfers, mut events, mut sync_events) = open();
    let report = pair.run_once().await.unwrap();
    let sent_after = finished(&mut events);
    // A transfer stopped after its last request went through never says it finished; the
    // next run finds that file equal on both sides and records it without sending it again.
    assert!(
        sent_before + sent_after <= FILES,
        "no file was sent twice: {sent_before} + {sent_after}"
    );
    assert!(report.summary.complete(), "{:?}", report.summary);
    let notes: Vec<String> = std::iter::from_fn(|| sync_events.try_recv().ok())
        .filter_map(|e| match e {
            SyncEvent::Note { message } => Some(message),
            _ => None,
        })
        .collect();
    assert!(notes.iter().any(|n| n.contains("interrupted")), "{notes:?}");
    assert_eq!(folders.remote_files().await, folders.local_files());
    // The state database now holds every file and folder, and a run has nothing to do.
    let base = folders.db.base(pair.record().id).unwrap();
    assert_eq!(base.len(), FILES + 7);
    drop(pair);
    let again = folders.sync(Mode::TwoWay).await;
    assert!(again.plan.actions.is_empty(), "{:?}", again.plan.actions);
}
