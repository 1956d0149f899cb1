//! A watched pair: a file saved in the local folder arrives in the remote folder without
//! anything but the watcher waking the sync, and stopping the watch ends it. A watcher that
//! overflowed or ran out of kernel watches (events handed in by the test, as no file system
//! makes them on demand) wakes a full rescan that finds what it missed, and says so.

use std::time::{Duration, Instant};

use cubby_core::sync::{Mode, RunReport, Scope, SyncEvent, WatchOptions, watch, watch_events};
use cubby_test_support::Backend;
use cubby_test_support::sync_folders::SyncFolders;
use notify_debouncer_full::notify::event::{AccessKind, AccessMode, Event, EventKind, Flag};
use notify_debouncer_full::notify::{self};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent};
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

/// Watches `folders` with `events` as the only wake-up (rescans an hour apart), until the test
/// is done; each run's report goes to the returned receiver.
async fn watched_by_hand(
    folders: &SyncFolders,
    scenario: impl AsyncFnOnce(
        &mpsc::UnboundedSender<DebounceEventResult>,
        &mut mpsc::UnboundedReceiver<RunReport>,
        &mut mpsc::UnboundedReceiver<SyncEvent>,
    ),
) {
    let (pair, mut sync_events) = folders.open(folders.options(Mode::TwoWay)).unwrap();
    let (runs, mut ran) = mpsc::unbounded_channel::<RunReport>();
    let (events, woken) = mpsc::unbounded_channel();
    let stop = CancellationToken::new();
    let options = WatchOptions {
        debounce: Duration::from_millis(100),
        rescan_every: Duration::from_secs(3600),
    };
    let watching = watch_events(&pair, options, stop.clone(), woken, |result| {
        let _ = runs.send(result.unwrap());
    });
    let driving = async {
        let first = ran.recv().await.unwrap();
        assert!(first.plan.actions.is_empty(), "{:?}", first.plan.actions);
        scenario(&events, &mut ran, &mut sync_events).await;
        stop.cancel();
    };
    let (watched, ()) = tokio::join!(watching, driving);
    watched.unwrap();
}

/// The next run's report, and the notes said until then.
async fn next_run(
    ran: &mut mpsc::UnboundedReceiver<RunReport>,
    sync_events: &mut mpsc::UnboundedReceiver<SyncEvent>,
) -> (RunReport, Vec<String>) {
    let report = tokio::time::timeout(Duration::from_secs(20), ran.recv())
        .await
        .expect("the event woke a run")
        .unwrap();
    let notes = std::iter::from_fn(|| sync_events.try_recv().ok())
        .filter_map(|e| match e {
            SyncEvent::Note { message } => Some(message),
            _ => None,
        })
        .collect();
    (report, notes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overflowed_watcher_rescans_both_folders_and_says_so() {
    let folders = SyncFolders::new(Backend::localcloud("overflow@example.com").await);
    watched_by_hand(&folders, async |events, ran, sync_events| {
        // A file the watcher never reported: only a full rescan finds it.
        folders.write_local("missed.txt", "missed");
        let overflow = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        events
            .send(Ok(vec![DebouncedEvent::new(overflow, Instant::now())]))
            .unwrap();
        let (report, notes) = next_run(ran, sync_events).await;
        assert_eq!(report.summary.uploaded, 1, "{:?}", report.summary);
        assert!(
            notes
                .iter()
                .any(|n| n.contains("overflowed") && n.contains("rescanned")),
            "{notes:?}"
        );
    })
    .await;
    assert_eq!(
        folders.remote_files().await,
        [("missed.txt".to_owned(), "missed".to_owned())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_out_of_kernel_watches_rescans_and_says_what_to_raise() {
    let folders = SyncFolders::new(Backend::localcloud("watches@example.com").await);
    watched_by_hand(&folders, async |events, ran, sync_events| {
        // inotify ran out of watches when a new folder appeared: its files are found by the
        // rescan the error wakes.
        folders.write_local("new folder/unwatched.txt", "unwatched");
        let out_of_watches = notify::Error::new(notify::ErrorKind::MaxFilesWatch)
            .add_path(folders.root.join("new folder"));
        events.send(Err(vec![out_of_watches])).unwrap();
        let (report, notes) = next_run(ran, sync_events).await;
        assert_eq!(report.summary.uploaded, 1, "{:?}", report.summary);
        assert!(
            notes.iter().any(|n| n.contains("watcher failed")
                && n.contains("fs.inotify.max_user_watches")
                && n.contains("rescanned")),
            "{notes:?}"
        );
    })
    .await;
    assert_eq!(
        folders.remote_files().await,
        [(
            "new folder/unwatched.txt".to_owned(),
            "unwatched".to_owned()
        )]
    );
}

/// What the watcher reports for a file created or changed at `path` of `folders`.
fn changed(folders: &SyncFolders, path: &str) -> DebounceEventResult {
    let event = Event::new(EventKind::Any).add_path(folders.local(path));
    Ok(vec![DebouncedEvent::new(event, Instant::now())])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_synced_by_a_run_over_its_folder_and_a_deletion_by_a_full_one() {
    let folders = SyncFolders::new(Backend::localcloud("scope@example.com").await);
    folders.write_local("docs/plan.txt", "plan");
    folders.write_local("music/list.txt", "list");
    folders.sync(Mode::TwoWay).await;
    watched_by_hand(&folders, async |events, ran, sync_events| {
        // Changed elsewhere meanwhile: a run over docs/ does not look there.
        folders.write_remote("music/list.txt", "list, edited").await;

        // The watcher also reports reads, such as the walk of a full run opening every folder:
        // those are no changes (taken as changes, the top folder's would need a full run).
        let read = Event::new(EventKind::Access(AccessKind::Open(AccessMode::Any)))
            .add_path(folders.root.clone());
        events
            .send(Ok(vec![DebouncedEvent::new(read, Instant::now())]))
            .unwrap();
        folders.write_local("docs/notes.txt", "notes");
        events.send(changed(&folders, "docs/notes.txt")).unwrap();
        let (report, _) = next_run(ran, sync_events).await;
        assert_eq!(
            report.scope,
            Scope::Part {
                entries_of: ["docs".to_owned()].into(),
                trees: Default::default(),
            },
            "{:?}",
            report.plan.actions
        );
        assert_eq!((report.summary.uploaded, report.summary.downloaded), (1, 0));

        // At the top: the top's own entries, not what its folders hold.
        folders.write_local("top.txt", "top");
        events.send(changed(&folders, "top.txt")).unwrap();
        let (report, _) = next_run(ran, sync_events).await;
        assert_eq!(
            report.scope,
            Scope::Part {
                entries_of: ["".to_owned()].into(),
                trees: Default::default(),
            }
        );
        assert_eq!((report.summary.uploaded, report.summary.downloaded), (1, 0));

        // A deletion is decided over both whole sides: the run widens, and finds the edit too.
        std::fs::remove_file(folders.local("docs/plan.txt")).unwrap();
        events.send(changed(&folders, "docs/plan.txt")).unwrap();
        let (report, _) = next_run(ran, sync_events).await;
        assert_eq!(report.scope, Scope::Everything);
        assert_eq!(
            (report.summary.deleted, report.summary.downloaded),
            (1, 1),
            "{:?}",
            report.summary
        );
    })
    .await;
    assert_eq!(
        folders.remote_files().await,
        [
            ("docs/notes.txt".to_owned(), "notes".to_owned()),
            ("music/list.txt".to_owned(), "list, edited".to_owned()),
            ("top.txt".to_owned(), "top".to_owned()),
        ]
    );
}
