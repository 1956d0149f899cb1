//! Sync scenarios through the real transfer engine, each on a bucket in memory and on
//! localcloud: first syncs each way and with both sides full, edits and deletions, a renamed
//! folder, the deletion guard and dry run, mirror and backup, the pair lock, the ignore file,
//! type changes, names the disk cannot hold, and a file being written while synced.

use std::time::Duration;

use cubby_core::ErrorCode;
use cubby_core::storage::{FolderRoot, Storage};
use cubby_core::sync::{
    Action, DeletionLimit, GuardTripped, Kind, Mode, NameRules, Prescan, SyncEvent, SyncOptions,
    SyncPair,
};
use cubby_core::transfer::{StateDb, Transfers};
use cubby_test_support::Backend;
use cubby_test_support::sync_folders::SyncFolders;

/// The scenario on a bucket in memory, then on localcloud.
macro_rules! on_both_backends {
    ($($scenario:ident => $test:ident,)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            $scenario(SyncFolders::new(Backend::memory("sync@example.com").await)).await;
            $scenario(SyncFolders::new(Backend::localcloud("sync@example.com").await)).await;
        }
    )*};
}

on_both_backends! {
    a_first_sync_each_way_and_with_both_sides_full => a_first_sync_each_way_and_with_both_sides_full_on_both,
    edits_and_deletions_travel_and_deletions_go_to_the_trash => edits_and_deletions_travel_and_deletions_go_to_the_trash_on_both,
    a_renamed_folder_is_moved_remotely_without_sending_bytes => a_renamed_folder_is_moved_remotely_without_sending_bytes_on_both,
    the_deletion_guard_stops_a_mass_deletion_and_a_dry_run_changes_nothing => the_deletion_guard_stops_a_mass_deletion_and_a_dry_run_changes_nothing_on_both,
    mirror_deletes_only_what_it_synced_and_backup_never_deletes => mirror_deletes_only_what_it_synced_and_backup_never_deletes_on_both,
    a_second_sync_of_the_pair_is_told_who_holds_it => a_second_sync_of_the_pair_is_told_who_holds_it_on_both,
    ignored_files_stay_where_they_are_on_both_sides => ignored_files_stay_where_they_are_on_both_sides_on_both,
    a_type_change_travels_and_the_old_file_goes_to_the_trash => a_type_change_travels_and_the_old_file_goes_to_the_trash_on_both,
    names_the_disk_cannot_hold_are_reported => names_the_disk_cannot_hold_are_reported_on_both,
    a_file_being_written_waits_until_it_settles => a_file_being_written_waits_until_it_settles_on_both,
    a_paused_pair_moves_nothing_until_resumed => a_paused_pair_moves_nothing_until_resumed_on_both,
}

fn pairs(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

async fn a_first_sync_each_way_and_with_both_sides_full(folders: SyncFolders) {
    folders.write_local("a.txt", "local a");
    folders.write_local("docs/b.txt", "local b");
    folders.write_remote("c.txt", "remote c").await;
    folders.write_remote("same.txt", "same").await;
    folders.write_local("same.txt", "same");
    folders.write_remote("both.txt", "remote both").await;
    folders.write_local("both.txt", "local both");
    let report = folders.sync(Mode::TwoWay).await;
    assert!(report.first_run);
    assert_eq!(report.plan.file_deletions(), 0);
    let summary = report.summary;
    assert_eq!(
        (summary.uploaded, summary.downloaded),
        (2, 1),
        "{summary:?}"
    );
    assert_eq!((summary.recorded, summary.conflicts), (1, 1), "{summary:?}");
    let local = folders.local_files();
    assert_eq!(local, folders.remote_files().await);
    assert_eq!(local.len(), 6, "{local:?}");
    let copies: Vec<_> = local
        .iter()
        .filter(|(p, _)| p.contains("(conflict "))
        .collect();
    assert_eq!(copies.len(), 1);
    // The second run has nothing to do and moves nothing.
    let again = folders.sync(Mode::TwoWay).await;
    assert!(
        again.plan.actions.iter().all(|a| !a.changes_anything()),
        "{:?}",
        again.plan
    );
}

async fn edits_and_deletions_travel_and_deletions_go_to_the_trash(folders: SyncFolders) {
    folders.write_local("keep.txt", "v1");
    folders.write_local("gone-here.txt", "x");
    folders.write_local("gone-there.txt", "y");
    folders.sync(Mode::TwoWay).await;
    std::fs::remove_file(folders.local("gone-here.txt")).unwrap();
    folders.delete_remote("gone-there.txt").await;
    folders.write_remote("keep.txt", "v2 from elsewhere").await;
    let report = folders.sync(Mode::TwoWay).await;
    assert_eq!(report.summary.deleted, 2, "{report:?}");
    assert_eq!(
        folders.local_files(),
        pairs(&[("keep.txt", "v2 from elsewhere")])
    );
    assert_eq!(folders.remote_files().await, folders.local_files());
    assert_eq!(folders.trashed(), ["y"]);
}

async fn a_renamed_folder_is_moved_remotely_without_sending_bytes(folders: SyncFolders) {
    for i in 0..5 {
        folders.write_local(&format!("old/f{i}.txt"), &format!("content {i}"));
    }
    folders.sync(Mode::TwoWay).await;
    std::fs::rename(folders.local("old"), folders.local("new")).unwrap();
    let report = folders.sync(Mode::TwoWay).await;
    assert_eq!(report.summary.renamed, 5, "{report:?}");
    assert_eq!(report.summary.uploaded, 0);
    assert_eq!(report.plan.file_deletions(), 0);
    let remote = folders.remote_files().await;
    assert_eq!(remote, folders.local_files());
    assert!(
        remote.iter().all(|(p, _)| p.starts_with("new/")),
        "{remote:?}"
    );
}

async fn the_deletion_guard_stops_a_mass_deletion_and_a_dry_run_changes_nothing(
    folders: SyncFolders,
) {
    for i in 0..4 {
        folders.write_local(&format!("f{i}"), "x");
    }
    folders.sync(Mode::TwoWay).await;
    for i in 0..3 {
        std::fs::remove_file(folders.local(&format!("f{i}"))).unwrap();
    }
    let dry = folders
        .sync_with(SyncOptions {
            dry_run: true,
            ..folders.options(Mode::TwoWay)
        })
        .await
        .unwrap();
    assert_eq!(dry.plan.file_deletions(), 3);
    assert_eq!(folders.remote_files().await.len(), 4);
    let guarded = SyncOptions {
        deletion_limit: DeletionLimit::Default,
        ..folders.options(Mode::TwoWay)
    };
    let err = folders.sync_with(guarded.clone()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::SyncDeletionGuard, "{}", err.message);
    assert!(err.message.contains("3 of 4"), "{}", err.message);
    assert_eq!(folders.remote_files().await.len(), 4, "nothing was deleted");
    assert_eq!(
        DeletionLimit::Default.check(3, 4),
        Err(GuardTripped {
            deletions: 3,
            synced: 4
        })
    );
    let allowed = SyncOptions {
        deletion_limit: DeletionLimit::AtMost(3),
        ..guarded
    };
    folders.sync_with(allowed).await.unwrap();
    assert_eq!(folders.remote_files().await, pairs(&[("f3", "x")]));
}

async fn mirror_deletes_only_what_it_synced_and_backup_never_deletes(folders: SyncFolders) {
    folders.write_local("mine.txt", "m");
    folders.write_remote("theirs.txt", "t").await;
    let first = folders.sync(Mode::Mirror).await;
    assert_eq!(first.summary.left, 1, "{first:?}");
    std::fs::remove_file(folders.local("mine.txt")).unwrap();
    folders.sync(Mode::Backup).await;
    assert_eq!(folders.remote_files().await.len(), 2);
    folders.sync(Mode::Mirror).await;
    assert_eq!(folders.remote_files().await, pairs(&[("theirs.txt", "t")]));
    assert!(folders.local_files().is_empty(), "a mirror never downloads");
}

/// A prescan (the local walk and base read a front end starts before the session is back)
/// serves the pair it was started for; the same folders as another account's pair are scanned
/// afresh: that pair has no base yet, so its run is a first one, which deletes nothing (with
/// the first pair's base, the files missing from the other account would be deleted here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prescan_serves_only_the_pair_it_was_started_for() {
    let folders = SyncFolders::new(Backend::memory("sync@example.com").await);
    folders.write_local("a.txt", "a");
    folders.write_local("docs/b.txt", "b");
    folders.sync(Mode::TwoWay).await;
    let open_prescanned = |storage: Storage| {
        let prescan = Prescan::start(
            &folders.db,
            &folders.root,
            &folders.remote_dir,
            &folders.locks,
            "a test",
        );
        let (transfers, _events) =
            Transfers::new(storage, StateDb::in_memory().unwrap(), Default::default());
        SyncPair::open_prescanned(
            prescan,
            folders.remote_dir.clone(),
            transfers,
            folders.db.clone(),
            folders.options(Mode::TwoWay),
        )
        .unwrap()
        .0
    };
    let same = open_prescanned(folders.storage.clone())
        .run_once()
        .await
        .unwrap();
    assert!(!same.first_run);
    assert!(
        !same.plan.actions.iter().any(Action::changes_anything),
        "{same:?}"
    );
    let elsewhere = Storage::with_client(
        folders.backend.object_client(),
        FolderRoot::new("someone-else/").unwrap(),
    );
    let other = open_prescanned(elsewhere).run_once().await.unwrap();
    assert!(other.first_run, "{other:?}");
    assert_eq!(other.summary.uploaded, 2, "{other:?}");
    assert_eq!(other.plan.file_deletions(), 0);
    assert!(folders.trashed().is_empty());
    assert_eq!(folders.local_files().len(), 2);
}

async fn a_second_sync_of_the_pair_is_told_who_holds_it(folders: SyncFolders) {
    let (transfers, _events) = Transfers::new(
        folders.storage.clone(),
        StateDb::in_memory().unwrap(),
        Default::default(),
    );
    let (_held, _events) = SyncPair::open(
        &folders.root,
        folders.remote_dir.clone(),
        transfers,
        folders.db.clone(),
        folders.options(Mode::TwoWay),
        &folders.locks,
        "the Cubby app (pid 1)",
    )
    .unwrap();
    let err = folders
        .sync_with(folders.options(Mode::TwoWay))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SyncLocked);
    assert!(
        err.message.contains("the Cubby app (pid 1)"),
        "{}",
        err.message
    );
}

async fn ignored_files_stay_where_they_are_on_both_sides(folders: SyncFolders) {
    folders.write_local(".cubbyignore", "*.log\n");
    folders.write_local("app.log", "noise");
    folders.write_local(".DS_Store", "noise");
    folders.write_local("note.txt", "n");
    folders.write_remote("server.log", "remote noise").await;
    folders.sync(Mode::TwoWay).await;
    let remote: Vec<String> = folders
        .remote_files()
        .await
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(remote, [".cubbyignore", "note.txt", "server.log"]);
    assert!(!folders.local("server.log").exists());
    // Deleting an ignored file locally deletes nothing remotely.
    std::fs::remove_file(folders.local("app.log")).unwrap();
    let report = folders.sync(Mode::TwoWay).await;
    assert!(report.plan.actions.is_empty(), "{:?}", report.plan.actions);
}

async fn a_type_change_travels_and_the_old_file_goes_to_the_trash(folders: SyncFolders) {
    folders.write_local("thing", "a file");
    folders.sync(Mode::TwoWay).await;
    folders.delete_remote("thing").await;
    folders
        .write_remote("thing/inside.txt", "now a folder")
        .await;
    let report = folders.sync(Mode::TwoWay).await;
    assert!(
        report.plan.actions.contains(&Action::DeleteLocal {
            path: "thing".into(),
            kind: Kind::File
        }),
        "{:?}",
        report.plan.actions
    );
    assert_eq!(
        folders.local_files(),
        pairs(&[("thing/inside.txt", "now a folder")])
    );
    assert_eq!(folders.trashed(), ["a file"]);
}

async fn names_the_disk_cannot_hold_are_reported(folders: SyncFolders) {
    folders.write_remote("CON.txt", "reserved").await;
    folders.write_remote("Read.me", "one").await;
    folders.write_remote("read.ME", "two").await;
    folders.write_remote("fine.txt", "fine").await;
    let windows = SyncOptions {
        names: Some(NameRules {
            windows: true,
            folds_case: true,
        }),
        ..folders.options(Mode::TwoWay)
    };
    let report = folders.sync_with(windows).await.unwrap();
    let issues: Vec<&str> = report.plan.issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(issues, ["CON.txt", "read.ME"], "{:?}", report.plan.issues);
    assert_eq!(report.summary.issues, 2);
    let local: Vec<String> = folders.local_files().into_iter().map(|(p, _)| p).collect();
    assert_eq!(local, ["Read.me", "fine.txt"]);
    assert_eq!(
        folders.remote_files().await.len(),
        4,
        "nothing remote is touched"
    );
}

async fn a_file_being_written_waits_until_it_settles(folders: SyncFolders) {
    folders.write_local("settled.txt", "done");
    folders.write_local("growing.log.txt", "part 1");
    let (pair, mut events) = folders
        .open(SyncOptions {
            stable_for: Duration::from_secs(1),
            ..folders.options(Mode::TwoWay)
        })
        .unwrap();
    // The file is written to again once the plan is made, within its stability window.
    let writer = {
        let file = folders.local("growing.log.txt");
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                if matches!(event, SyncEvent::Planned { .. }) {
                    std::fs::write(&file, "part 1, part 2").unwrap();
                    return;
                }
            }
        })
    };
    let report = pair.run_once().await.unwrap();
    drop(pair);
    writer.await.unwrap();
    assert_eq!(report.summary.deferred, 1, "{:?}", report.summary);
    assert_eq!(report.summary.uploaded, 1);
    let next = folders.sync(Mode::TwoWay).await;
    assert_eq!(next.summary.uploaded, 1);
    assert_eq!(folders.remote_files().await, folders.local_files());
}

async fn a_paused_pair_moves_nothing_until_resumed(folders: SyncFolders) {
    folders.write_local("a.txt", "a");
    folders.write_local("b.txt", "b");
    let (pair, mut events) = folders.open(folders.options(Mode::TwoWay)).unwrap();
    pair.pause();
    let resuming = async {
        while let Some(event) = events.recv().await {
            if matches!(event, SyncEvent::Planned { .. }) {
                break;
            }
        }
        assert!(
            folders.remote_files().await.is_empty(),
            "paused: nothing moved"
        );
        pair.resume();
    };
    let (report, ()) = tokio::join!(pair.run_once(), resuming);
    assert_eq!(report.unwrap().summary.uploaded, 2);
    assert_eq!(folders.remote_files().await, folders.local_files());
}
