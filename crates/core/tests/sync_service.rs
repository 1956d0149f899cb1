//! The app's sync service through the real engine on localcloud: a pair added runs and shows
//! what it did, conflicts and the deletion guard's question show in its status, both answers
//! do what they say, a pause stops a run at once and survives a restart of the service,
//! removing a pair touches no file, and folders that overlap a pair or the app's data are
//! refused.

use std::path::Path;
use std::time::Duration;

use cubby_core::ErrorCode;
use cubby_core::sync::{
    Mode, NameRules, ServiceOptions, SyncOptions, SyncService, SyncSnapshot, SyncState, Trash,
    WatchOptions,
};
use cubby_core::transfer::StateDb;
use cubby_localcloud::{FaultAction, FaultRule, Trigger};
use cubby_test_support::Backend;
use cubby_test_support::sync_folders::SyncFolders;
use tokio::sync::watch::Receiver;

/// Every wait of these tests ends by then, whatever happens.
const DEADLINE: Duration = Duration::from_secs(60);

fn service(folders: &SyncFolders) -> SyncService {
    let options = ServiceOptions {
        holder: "the Cubby app".to_owned(),
        locks: folders.locks.clone(),
        protected: vec![folders.backend.dir.path().join("app-data")],
        sync: SyncOptions {
            stable_for: Duration::ZERO,
            trash: Trash::Folder(folders.trash.clone()),
            names: Some(NameRules {
                windows: false,
                folds_case: false,
            }),
            ..SyncOptions::default()
        },
        // Only the watcher and the service's own requests wake a run in time.
        watch: WatchOptions {
            debounce: Duration::from_millis(100),
            rescan_every: Duration::from_secs(3600),
        },
    };
    SyncService::start(
        folders.storage.clone(),
        folders.db.clone(),
        StateDb::in_memory().unwrap(),
        options,
    )
    .unwrap()
}

/// Waits for a snapshot `done` accepts (the current one counts); fails at the deadline,
/// saying what was last seen.
async fn until(
    snapshots: &mut Receiver<SyncSnapshot>,
    what: &str,
    done: impl Fn(&SyncSnapshot) -> bool,
) -> SyncSnapshot {
    let waited = tokio::time::timeout(DEADLINE, snapshots.wait_for(|s| done(s)))
        .await
        .map(|seen| seen.map(|snapshot| snapshot.clone()));
    match waited {
        Ok(Ok(snapshot)) => snapshot,
        _ => panic!("{what}: not seen; last snapshot {:#?}", *snapshots.borrow()),
    }
}

fn state(snapshot: &SyncSnapshot) -> &SyncState {
    &snapshot.pairs[0].status
}

fn idle(snapshot: &SyncSnapshot) -> bool {
    snapshot.pairs.len() == 1 && *state(snapshot) == SyncState::Idle
}

async fn added(folders: &SyncFolders) -> (SyncService, Receiver<SyncSnapshot>, i64) {
    let service = service(folders);
    let mut snapshots = service.snapshots();
    let pair = service
        .add(&folders.root, "synced", Mode::TwoWay)
        .expect("the folder can be synced");
    until(&mut snapshots, "the first run", idle).await;
    (service, snapshots, pair.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_file_arrives_remotely_and_shows_in_the_activity() {
    let folders = SyncFolders::new(Backend::localcloud("service-add@example.com").await);
    std::fs::create_dir_all(&folders.root).unwrap();
    let (service, mut snapshots, _) = added(&folders).await;
    folders.write_local("notes.txt", "hello");
    let seen = until(&mut snapshots, "the upload in the activity", |s| {
        s.pairs[0]
            .activity
            .iter()
            .any(|a| a.kind == "upload" && a.path == "notes.txt")
    })
    .await;
    assert_eq!(seen.pairs[0].activity[0].text, "Uploaded notes.txt");
    until(&mut snapshots, "idle again", idle).await;
    assert_eq!(
        folders.remote_files().await,
        [("notes.txt".to_owned(), "hello".to_owned())]
    );
    let last = service.snapshot();
    assert!(last.pairs[0].last_sync_ms.is_some(), "{last:#?}");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_shows_in_the_status() {
    let folders = SyncFolders::new(Backend::localcloud("service-conflict@example.com").await);
    std::fs::create_dir_all(&folders.root).unwrap();
    let (service, mut snapshots, id) = added(&folders).await;
    service.pause(id).unwrap();
    until(&mut snapshots, "paused", |s| *state(s) == SyncState::Paused).await;
    folders.write_local("plan.txt", "mine");
    folders.write_remote("plan.txt", "theirs").await;
    service.resume(id).unwrap();
    let seen = until(&mut snapshots, "the conflict", |s| {
        !s.pairs[0].conflicts.is_empty()
    })
    .await;
    let conflict = &seen.pairs[0].conflicts[0];
    assert_eq!(conflict.path, "plan.txt");
    assert!(conflict.copy.contains("conflict"), "{conflict:?}");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_waits_then_keep_copies_back_and_allow_deletes() {
    let folders = SyncFolders::new(Backend::localcloud("service-guard@example.com").await);
    for name in ["a", "b", "c", "d"] {
        folders.write_local(&format!("{name}.txt"), name);
    }
    let (service, mut snapshots, id) = added(&folders).await;
    assert_eq!(folders.remote_files().await.len(), 4);
    let remove_three = || {
        for name in ["a", "b", "c"] {
            std::fs::remove_file(folders.local(&format!("{name}.txt"))).unwrap();
        }
    };
    remove_three();
    let waiting = SyncState::Waiting {
        deletions: 3,
        synced: 4,
        local: 0,
        remote: 3,
    };
    until(&mut snapshots, "the guard's question", |s| {
        *state(s) == waiting
    })
    .await;
    assert_eq!(folders.remote_files().await.len(), 4, "nothing deleted yet");

    service.keep_files(id).unwrap();
    until(&mut snapshots, "the files copied back", |s| {
        idle(s) && folders.local_files().len() == 4
    })
    .await;
    assert_eq!(folders.remote_files().await.len(), 4);

    remove_three();
    until(&mut snapshots, "the question again", |s| {
        *state(s) == waiting
    })
    .await;
    service.allow_deletions(id).unwrap();
    until(&mut snapshots, "the deletions done", idle).await;
    assert_eq!(
        folders.remote_files().await,
        [("d.txt".to_owned(), "d".to_owned())]
    );
    assert!(service.keep_files(id).is_err(), "no question is open");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_pair_stays_paused_after_a_restart() {
    let folders = SyncFolders::new(Backend::localcloud("service-pause@example.com").await);
    std::fs::create_dir_all(&folders.root).unwrap();
    let (service, mut snapshots, id) = added(&folders).await;
    service.pause(id).unwrap();
    until(&mut snapshots, "paused", |s| *state(s) == SyncState::Paused).await;
    service.stop().await;

    folders.write_local("while-away.txt", "x");
    let again = service_restarted(&folders);
    let snapshot = again.snapshot();
    assert_eq!(snapshot.pairs.len(), 1);
    assert_eq!(*state(&snapshot), SyncState::Paused);
    let mut snapshots = again.snapshots();
    again.resume(id).unwrap();
    until(&mut snapshots, "the file synced after resuming", |s| {
        idle(s) && s.pairs[0].activity.iter().any(|a| a.kind == "upload")
    })
    .await;
    again.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_stops_the_run_in_progress_at_once() {
    let folders = SyncFolders::new(Backend::localcloud("service-pause-now@example.com").await);
    std::fs::create_dir_all(&folders.root).unwrap();
    let (service, mut snapshots, id) = added(&folders).await;
    // The server holds the upload for a minute: only a pause that stops the run ends sooner.
    let faults = folders.backend.cloud.faults();
    let held = faults
        .add(FaultRule::new(
            Some("PutObject"),
            Trigger::Nth { n: 1 },
            FaultAction::Delay { millis: 60_000 },
        ))
        .unwrap();
    folders.write_local("news.txt", "held up");
    tokio::time::timeout(DEADLINE, faults.fired(held, 1))
        .await
        .expect("the upload reached the server");

    service.pause(id).unwrap();
    let paused = snapshots.wait_for(|s| *state(s) == SyncState::Paused);
    tokio::time::timeout(Duration::from_secs(10), paused)
        .await
        .expect("paused within 10 s, not once the held upload ends")
        .unwrap();
    faults.clear();
    service.resume(id).unwrap();
    until(&mut snapshots, "the file synced after resuming", |s| {
        idle(s)
            && s.pairs[0]
                .activity
                .iter()
                .any(|a| a.kind == "upload" && a.path == "news.txt")
    })
    .await;
    assert_eq!(
        folders.remote_files().await,
        [("news.txt".to_owned(), "held up".to_owned())]
    );
    let notes: Vec<String> = service.snapshot().pairs[0]
        .activity
        .iter()
        .filter(|a| a.kind == "note")
        .map(|a| a.text.clone())
        .collect();
    assert!(
        notes.iter().all(|note| !note.contains("interrupted")),
        "a pause is no interruption: {notes:?}"
    );
    service.stop().await;
}

fn service_restarted(folders: &SyncFolders) -> SyncService {
    service(folders)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_pair_leaves_every_file_alone() {
    let folders = SyncFolders::new(Backend::localcloud("service-remove@example.com").await);
    folders.write_local("kept.txt", "kept");
    let (service, mut snapshots, id) = added(&folders).await;
    service.remove(id).unwrap();
    until(&mut snapshots, "no pairs", |s| s.pairs.is_empty()).await;
    assert!(!service.has_pairs());
    assert_eq!(
        folders.local_files(),
        [("kept.txt".to_owned(), "kept".to_owned())]
    );
    assert_eq!(
        folders.remote_files().await,
        [("kept.txt".to_owned(), "kept".to_owned())]
    );
    assert!(folders.db.watched_pairs().unwrap().is_empty());
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_folders_and_the_apps_data_are_refused() {
    let folders = SyncFolders::new(Backend::localcloud("service-nested@example.com").await);
    std::fs::create_dir_all(folders.root.join("inner")).unwrap();
    let (service, _snapshots, _) = added(&folders).await;
    let refused = |local: &Path, said: &str| {
        let err = service.add(local, "other", Mode::TwoWay).unwrap_err();
        assert_eq!(err.code, ErrorCode::SyncInvalidPair, "{err}");
        assert!(err.message.contains(said), "{}", err.message);
    };
    refused(&folders.root.join("inner"), "is inside");
    refused(folders.root.parent().unwrap(), "holds");
    let app_data = folders.backend.dir.path().join("app-data");
    std::fs::create_dir_all(app_data.join("x")).unwrap();
    refused(&app_data.join("x"), "Cubby's own data");
    refused(&folders.root.join("missing"), "not a folder");
    service.stop().await;
}
