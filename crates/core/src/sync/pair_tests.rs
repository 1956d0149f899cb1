//! Runs of a pair against a bucket in memory, through the real transfer engine: the scenarios
//! of the issue that need no network.

use super::action::Action;
use super::model::Mode;
use super::test_folders::TestFolders;
use super::{DeletionLimit, GuardTripped};
use crate::error::ErrorCode;

fn pairs(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

#[tokio::test]
async fn a_first_sync_each_way_and_with_both_sides_full() {
    let folders = TestFolders::in_memory();
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

#[tokio::test]
async fn edits_and_deletions_travel_and_deletions_go_to_the_trash() {
    let folders = TestFolders::in_memory();
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

#[tokio::test]
async fn a_renamed_folder_is_moved_remotely_without_sending_bytes() {
    let folders = TestFolders::in_memory();
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

#[tokio::test]
async fn the_deletion_guard_stops_a_mass_deletion_and_a_dry_run_changes_nothing() {
    let folders = TestFolders::in_memory();
    for i in 0..4 {
        folders.write_local(&format!("f{i}"), "x");
    }
    folders.sync(Mode::TwoWay).await;
    for i in 0..3 {
        std::fs::remove_file(folders.local(&format!("f{i}"))).unwrap();
    }
    let dry = folders
        .sync_with(super::SyncOptions {
            dry_run: true,
            ..folders.options(Mode::TwoWay)
        })
        .await
        .unwrap();
    assert_eq!(dry.plan.file_deletions(), 3);
    assert_eq!(folders.remote_files().await.len(), 4);
    let guarded = super::SyncOptions {
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
    let allowed = super::SyncOptions {
        deletion_limit: DeletionLimit::AtMost(3),
        ..guarded
    };
    folders.sync_with(allowed).await.unwrap();
    assert_eq!(folders.remote_files().await, pairs(&[("f3", "x")]));
}

#[tokio::test]
async fn mirror_deletes_only_what_it_synced_and_backup_never_deletes() {
    let folders = TestFolders::in_memory();
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

#[tokio::test]
async fn a_second_sync_of_the_pair_is_told_who_holds_it() {
    let folders = TestFolders::in_memory();
    let (transfers, _events) = crate::transfer::Transfers::new(
        folders.storage.clone(),
        crate::transfer::StateDb::in_memory().unwrap(),
        Default::default(),
    );
    let (_held, _events) = super::SyncPair::open(
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

#[tokio::test]
async fn ignored_files_stay_where_they_are_on_both_sides() {
    let folders = TestFolders::in_memory();
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

#[tokio::test]
async fn a_type_change_travels_and_the_old_file_goes_to_the_trash() {
    let folders = TestFolders::in_memory();
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
            kind: super::Kind::File
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
