//! An upload checked before it starts, then started with the person's answers to its name
//! clashes: replace, keep both (the next free name) or skip; folders keep their structure and
//! empty folders are created.

use std::collections::HashMap;

use cubby_core::storage::RemotePath;
use cubby_core::transfer::{Clash, ClashDecision, ItemKind};
use cubby_test_support::Backend;
use cubby_test_support::transfers::{small_parts, wait_all, write_file};

fn path(p: &str) -> RemotePath {
    RemotePath::parse(p).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clashes_are_found_and_settled_as_decided() {
    let backend = Backend::localcloud("plan@example.com").await;
    let (transfers, _events) = backend.transfers(small_parts());
    let storage = transfers.storage().clone();
    let prefix = |name: &str| format!("{}/up/{name}", backend.identity_id);
    for name in ["report.pdf", "notes.txt", "photos/old.jpg", "kept.txt"] {
        backend.admin.put(&prefix(name), b"old").await;
    }
    let local = backend.local_dir("local");
    let report = write_file(&local.join("report.pdf"), 10, 1);
    write_file(&local.join("notes.txt"), 20, 2);
    let photo = write_file(&local.join("photos/new.jpg"), 30, 3);
    std::fs::create_dir_all(local.join("photos/empty")).unwrap();
    let fresh = write_file(&local.join("fresh.txt"), 40, 4);
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc", local.join("photos/link")).unwrap();

    let locals = ["report.pdf", "notes.txt", "photos", "fresh.txt"].map(|n| local.join(n));
    let plan = transfers
        .plan_upload(locals.to_vec(), path("up"))
        .await
        .unwrap();
    assert_eq!((plan.files, plan.bytes), (4, 100));
    assert_eq!(plan.folders, 2, "photos and photos/empty");
    let mut clashes = plan.clashes.clone();
    clashes.sort_by(|a, b| a.name.cmp(&b.name));
    let file = |name: &str| Clash {
        name: name.to_owned(),
        incoming: ItemKind::File,
        existing: ItemKind::File,
    };
    assert_eq!(
        clashes,
        [
            file("notes.txt"),
            Clash {
                name: "photos".to_owned(),
                incoming: ItemKind::Folder,
                existing: ItemKind::Folder
            },
            file("report.pdf"),
        ]
    );
    #[cfg(unix)]
    assert_eq!(
        plan.skipped.len(),
        1,
        "the symbolic link: {:?}",
        plan.skipped
    );

    let decisions = HashMap::from([
        ("report.pdf".to_owned(), ClashDecision::Replace),
        ("photos".to_owned(), ClashDecision::KeepBoth),
        // notes.txt has no decision: skipped.
    ]);
    let queued = transfers.start_upload(plan, &decisions).await.unwrap();
    assert_eq!(queued.handles.len(), 3);
    wait_all(queued.handles).await;

    assert_eq!(backend.admin.get(&prefix("report.pdf")).await, report);
    assert_eq!(backend.admin.get(&prefix("notes.txt")).await, b"old");
    assert_eq!(backend.admin.get(&prefix("photos/old.jpg")).await, b"old");
    assert_eq!(
        backend.admin.get(&prefix("photos (2)/new.jpg")).await,
        photo
    );
    assert_eq!(backend.admin.get(&prefix("fresh.txt")).await, fresh);
    assert!(
        storage
            .stat(&path("up/photos (2)/empty"))
            .await
            .unwrap()
            .is_folder(),
        "the empty folder was created"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_cannot_replace_a_folder() {
    let backend = Backend::localcloud("plan-kinds@example.com").await;
    let (transfers, _events) = backend.transfers(small_parts());
    backend
        .admin
        .put(&format!("{}/docs/inside.txt", backend.identity_id), b"x")
        .await;
    let local = backend.local_dir("local");
    write_file(&local.join("docs"), 5, 1);
    let plan = transfers
        .plan_upload(vec![local.join("docs")], RemotePath::root())
        .await
        .unwrap();
    let decisions = HashMap::from([("docs".to_owned(), ClashDecision::Replace)]);
    let err = transfers.start_upload(plan, &decisions).await.unwrap_err();
    assert_eq!(err.code, cubby_core::ErrorCode::StorageAlreadyExists);
}
