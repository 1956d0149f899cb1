//! Whole folders: turning "these local files and folders" or "these remote paths" into one
//! transfer per file. Everything is worked out before the first byte moves: two sources for one
//! destination are refused then (see [`super::clash`]), and what cannot come across (symbolic
//! links not followed, remote names that are not clean paths) is left out and named.

use std::path::{Path, PathBuf};

use super::clash::Destinations;
use super::engine::{TransferHandle, Transfers};
use super::events::Direction;
use super::local_folder::LocalFolder;
use super::local_name::local_path_for;
use super::local_tree::{Links, LocalTree};
use super::skipped::Skipped;
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{EntryKind, RemotePath, Unusable};

/// The transfers a folder transfer queued, and what it left out.
#[derive(Debug)]
pub struct Queued {
    /// One per file, in no particular order.
    pub handles: Vec<TransferHandle>,
    /// What was left out; front ends show each.
    pub skipped: Vec<Skipped>,
}

impl Transfers {
    /// Queues uploads of local files and folders (recursively) into the remote folder `into`.
    /// Every path is checked before anything is queued; empty folders are created remotely
    /// (so they come back on download); symbolic links inside folders are followed only when
    /// `links` says so.
    pub async fn upload_paths(
        &self,
        locals: &[PathBuf],
        into: &RemotePath,
        links: Links,
    ) -> Result<Queued> {
        let mut tree = LocalTree::default();
        for local in locals {
            tree.add(local, into, links)?;
        }
        self.queue_tree(tree).await
    }

    /// Queues what a walk of local files found, once no two of them land on one name; empty
    /// folders are created first.
    pub(super) async fn queue_tree(&self, tree: LocalTree) -> Result<Queued> {
        let mut destinations = Destinations::new(false);
        for (local, remote) in &tree.files {
            let shown = remote.to_string();
            destinations.file(&local.display().to_string(), remote.as_str(), &shown);
        }
        for (local, remote) in &tree.empty_folders {
            destinations.folder(&local.display().to_string(), remote.as_str());
        }
        destinations.check()?;
        for (_, folder) in &tree.empty_folders {
            self.storage().create_folder(folder).await?;
        }
        Ok(Queued {
            handles: self.queue_all(
                tree.files
                    .into_iter()
                    .map(|(local, remote)| (Direction::Upload, local, remote))
                    .collect(),
            ),
            skipped: tree.skipped,
        })
    }

    /// Queues downloads of remote files and folders (recursively) into the local folder `into`.
    /// Empty remote folders are created locally. Nothing is written through a symbolic link
    /// inside `into`; remote names that are not clean paths are left out.
    pub async fn download_paths(
        &self,
        remotes: &[RemotePath],
        into: &LocalFolder,
    ) -> Result<Queued> {
        let mut files = Vec::new();
        let mut folders = Vec::new();
        let mut skipped = Vec::new();
        for remote in remotes {
            if !self.storage().stat(remote).await?.is_folder() {
                files.push((remote.clone(), local_path_for(into.path(), remote, None)?));
                continue;
            }
            let base = remote.parent().unwrap_or_default();
            for entry in self.storage().list_all(remote).await? {
                let local = || local_path_for(into.path(), &entry.path, Some(&base));
                match &entry.kind {
                    EntryKind::Unusable(unusable) => skipped.push(left_out(unusable)),
                    EntryKind::Folder => folders.push((entry.path.clone(), local()?)),
                    EntryKind::File { .. } => files.push((entry.path.clone(), local()?)),
                }
            }
        }
        check_download_destinations(into, &files, &folders)?;
        for (_, local) in &folders {
            std::fs::create_dir_all(local).map_err(|e| {
                Error::new(
                    ErrorCode::TransferLocalWrite,
                    format!("{}: {e}", local.display()),
                )
            })?;
        }
        Ok(Queued {
            handles: self.queue_all(
                files
                    .into_iter()
                    .map(|(remote, local)| (Direction::Download, local, remote))
                    .collect(),
            ),
            skipped,
        })
    }
}

/// A remote entry that is not a clean path, as a download leaves it out.
fn left_out(unusable: &Unusable) -> Skipped {
    Skipped {
        name: format!("/{}", unusable.key.readable()),
        reason: format!(
            "{}, so it cannot be saved; rename or delete it (cubby rm --key)",
            unusable.key.problem().explain()
        ),
    }
}

/// Refuses two remote files for one local name, and any folder on the way that is a link.
fn check_download_destinations(
    into: &LocalFolder,
    files: &[(RemotePath, PathBuf)],
    folders: &[(RemotePath, PathBuf)],
) -> Result<()> {
    let relative = |local: &Path| {
        let inside = local.strip_prefix(into.path()).unwrap_or(local);
        inside
            .to_string_lossy()
            .replace(std::path::MAIN_SEPARATOR, "/")
    };
    let mut destinations = Destinations::new(into.folds_case());
    for (remote, local) in files {
        let shown = local.display().to_string();
        destinations.file(&remote.to_string(), &relative(local), &shown);
    }
    for (remote, local) in folders {
        destinations.folder(&remote.to_string(), &relative(local));
    }
    destinations.check()?;
    for (_, local) in files.iter().chain(folders) {
        into.refuse_links_on_the_way(local)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures::TryStreamExt;

    use super::*;
    use crate::storage::{FolderRoot, MemoryClient, Storage};
    use crate::transfer::{StateDb, TransferOptions};

    fn folder(path: &std::path::Path) -> LocalFolder {
        LocalFolder::with_case_folding(path, false)
    }

    fn queue() -> Transfers {
        let storage = Storage::with_client(
            Arc::new(MemoryClient::new("bucket")),
            FolderRoot::new("me/").unwrap(),
        );
        let state = StateDb::in_memory().unwrap();
        Transfers::new(storage, state, TransferOptions::default()).0
    }

    fn path(p: &str) -> RemotePath {
        RemotePath::parse(p).unwrap()
    }

    async fn remote_files(transfers: &Transfers) -> Vec<String> {
        let root = RemotePath::root();
        let pages: Vec<_> = transfers
            .storage()
            .list_recursive(&root)
            .try_collect()
            .await
            .unwrap();
        pages
            .into_iter()
            .flatten()
            .map(|e| e.path.as_str().to_owned())
            .collect()
    }

    async fn wait(handles: Vec<TransferHandle>) {
        for handle in handles {
            handle.wait().await.unwrap();
        }
    }

    #[tokio::test]
    async fn two_local_files_for_one_remote_name_are_refused_before_anything_moves() {
        let dir = tempfile::tempdir().unwrap();
        for d in ["d1", "d2"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
            std::fs::write(dir.path().join(d).join("x.txt"), d).unwrap();
        }
        let transfers = queue();
        let sources = [dir.path().join("d1/x.txt"), dir.path().join("d2/x.txt")];
        let err = transfers
            .upload_paths(&sources, &path("folder"), Links::Skip)
            .await
            .unwrap_err();
        assert_eq!(err.code.as_str(), "transfer.name_clash", "{}", err.message);
        assert!(err.message.contains("d1/x.txt"), "{}", err.message);
        assert!(err.message.contains("d2/x.txt"), "{}", err.message);
        assert!(remote_files(&transfers).await.is_empty());
    }

    #[tokio::test]
    async fn two_remote_files_for_one_local_name_are_refused_before_anything_moves() {
        let dir = tempfile::tempdir().unwrap();
        let transfers = queue();
        std::fs::write(dir.path().join("y.txt"), "y").unwrap();
        wait(vec![
            transfers.upload(dir.path().join("y.txt"), path("a/y.txt")),
            transfers.upload(dir.path().join("y.txt"), path("b/y.txt")),
        ])
        .await;
        let into = dir.path().join("down");
        let err = transfers
            .download_paths(&[path("a/y.txt"), path("b/y.txt")], &folder(&into))
            .await
            .unwrap_err();
        assert_eq!(err.code.as_str(), "transfer.name_clash", "{}", err.message);
        assert!(err.message.contains("/a/y.txt"), "{}", err.message);
        assert!(err.message.contains("/b/y.txt"), "{}", err.message);
        assert!(!into.exists());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn uploading_a_folder_does_not_follow_links_out_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("secret.txt"), "secret").unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("inside.txt"), "inside").unwrap();
        std::os::unix::fs::symlink(outside.join("secret.txt"), root.join("file-link")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("dir-link")).unwrap();
        let transfers = queue();
        let queued = transfers
            .upload_paths(
                std::slice::from_ref(&root),
                &RemotePath::root(),
                Links::Skip,
            )
            .await
            .unwrap();
        wait(queued.handles).await;
        assert_eq!(remote_files(&transfers).await, ["root/inside.txt"]);
        let mut skipped: Vec<String> = queued.skipped.into_iter().map(|s| s.name).collect();
        skipped.sort();
        let expected = [root.join("dir-link"), root.join("file-link")];
        assert_eq!(skipped, expected.map(|p| p.display().to_string()));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn downloads_never_write_through_a_linked_folder_in_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let transfers = queue();
        std::fs::write(dir.path().join("x.txt"), "x").unwrap();
        wait(vec![
            transfers.upload(dir.path().join("x.txt"), path("sub/x.txt")),
        ])
        .await;
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let target = dir.path().join("target");
        std::fs::create_dir(&target).unwrap();
        std::os::unix::fs::symlink(&elsewhere, target.join("sub")).unwrap();
        let result = match transfers
            .download_paths(&[path("sub")], &folder(&target))
            .await
        {
            Ok(queued) => {
                futures::future::try_join_all(queued.handles.into_iter().map(|h| h.wait()))
                    .await
                    .map(|_| ())
            }
            Err(err) => Err(err),
        };
        let err = result.unwrap_err();
        assert_eq!(err.code, ErrorCode::TransferLocalWrite, "{}", err.message);
        assert!(err.message.contains("link"), "{}", err.message);
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn names_equal_but_for_case_clash_where_the_target_folds_case() {
        let dir = tempfile::tempdir().unwrap();
        let transfers = queue();
        std::fs::write(dir.path().join("r"), "r").unwrap();
        wait(vec![
            transfers.upload(dir.path().join("r"), path("docs/Read.me")),
            transfers.upload(dir.path().join("r"), path("docs/read.ME")),
        ])
        .await;
        let into = dir.path().join("down");
        let folding = LocalFolder::with_case_folding(&into, true);
        let err = transfers
            .download_paths(&[path("docs")], &folding)
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::TransferNameClash, "{}", err.message);
        assert!(err.message.contains("/docs/Read.me"), "{}", err.message);
        assert!(err.message.contains("/docs/read.ME"), "{}", err.message);
        assert!(!into.exists());
        let queued = transfers
            .download_paths(&[path("docs")], &folder(&into))
            .await
            .unwrap();
        wait(queued.handles).await;
        assert!(into.join("docs/Read.me").is_file() && into.join("docs/read.ME").is_file());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn links_are_followed_when_asked_but_never_round_in_circles() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("shared.txt"), "shared").unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("linked")).unwrap();
        std::os::unix::fs::symlink(&root, root.join("sub/up")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("gone"), root.join("broken")).unwrap();
        let transfers = queue();
        let queued = transfers
            .upload_paths(
                std::slice::from_ref(&root),
                &RemotePath::root(),
                Links::Follow,
            )
            .await
            .unwrap();
        wait(queued.handles).await;
        // `sub` comes across as the empty folder it is without the link.
        assert_eq!(
            remote_files(&transfers).await,
            ["root/linked/shared.txt", "root/sub"]
        );
        let mut skipped: Vec<(String, String)> = queued
            .skipped
            .into_iter()
            .map(|s| (s.name, s.reason))
            .collect();
        skipped.sort();
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert_eq!(skipped[0].0, root.join("broken").display().to_string());
        assert_eq!(skipped[1].0, root.join("sub/up").display().to_string());
        assert!(skipped[1].1.contains("never end"), "{skipped:?}");
    }

    #[tokio::test]
    async fn downloads_leave_out_unusable_keys_and_name_them() {
        let dir = tempfile::tempdir().unwrap();
        let transfers = queue();
        std::fs::write(dir.path().join("x.txt"), "x").unwrap();
        wait(vec![
            transfers.upload(dir.path().join("x.txt"), path("docs/x.txt")),
        ])
        .await;
        for key in ["me/docs/a//b.txt", "me/docs/e\u{301}.txt"] {
            let params = crate::storage::PutObjectParams {
                key: key.to_owned(),
                body: bytes::Bytes::from_static(b"odd"),
                ..Default::default()
            };
            transfers
                .storage()
                .client()
                .put_object(&params)
                .await
                .unwrap();
        }
        let into = dir.path().join("down");
        let queued = transfers
            .download_paths(&[path("docs")], &folder(&into))
            .await
            .unwrap();
        let mut skipped: Vec<String> = queued.skipped.iter().map(|s| s.name.clone()).collect();
        skipped.sort();
        assert_eq!(skipped, ["/docs/a//b.txt", "/docs/\u{e9}.txt"]);
        assert!(queued.skipped[0].reason.contains("cannot be saved"));
        wait(queued.handles).await;
        let mut local: Vec<String> = std::fs::read_dir(into.join("docs"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        local.sort();
        assert_eq!(local, ["x.txt"]);
    }
}
