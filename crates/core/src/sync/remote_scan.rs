//! The remote scan: one recursive listing of the remote folder (no object is read), each file
//! with its ETag; folders are markers and the folders above every file. Keys that are not
//! clean paths are reported as issues and block their readable path.

use std::collections::BTreeSet;
use std::time::UNIX_EPOCH;

use super::action::Issue;
use super::filter::{Filter, Sieve};
use super::model::{Kind, RemoteItem, Side, Tree};
use super::scope::Scope;
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{Entry, EntryKind, RemotePath, Storage};

/// What the remote scan found.
#[derive(Debug, Default)]
pub struct RemoteScan {
    /// Every file and folder below the remote folder, by path relative to it.
    pub items: Tree<RemoteItem>,
    /// What cannot be synced, and why.
    pub issues: Vec<Issue>,
    /// Paths the planner must leave alone (with everything below them).
    pub blocked: BTreeSet<String>,
}

/// Lists everything below `dir`; a `dir` that does not exist yet is an empty folder.
pub async fn scan_remote(
    storage: &Storage,
    dir: &RemotePath,
    filter: &Filter,
) -> Result<RemoteScan> {
    scan_everything(storage, dir, filter).await
}

/// Lists what `scope` holds of `dir`: a one-level listing per folder whose entries are in
/// it, a recursive one per tree.
pub async fn scan_remote_within(
    storage: &Storage,
    dir: &RemotePath,
    filter: &Filter,
    scope: &Scope,
) -> Result<RemoteScan> {
    let Scope::Part { entries_of, trees } = scope else {
        return scan_everything(storage, dir, filter).await;
    };
    let below = |folder: &str| match folder {
        "" => Ok(dir.clone()),
        folder => dir.join(folder),
    };
    let mut scan = RemoteScan::default();
    let mut sieve = Sieve::new(filter);
    for folder in entries_of {
        storage
            .for_each_version_in(&below(folder)?, |entry, etag| {
                add_entry(&mut scan, dir, &mut sieve, entry, etag)
            })
            .await?;
    }
    for tree in trees {
        storage
            .for_each_version(&below(tree)?, |entry, etag| {
                add_entry(&mut scan, dir, &mut sieve, entry, etag)
            })
            .await?;
    }
    // The folders holding what was listed came in as parents: they are not part of the run.
    scan.items.retain(|path, _| scope.contains(path));
    scan.blocked.retain(|path| scope.contains(path));
    scan.issues.retain(|issue| scope.contains(&issue.path));
    Ok(scan)
}

/// Lists everything below `dir`, and checks that `dir` is not a file.
async fn scan_everything(
    storage: &Storage,
    dir: &RemotePath,
    filter: &Filter,
) -> Result<RemoteScan> {
    let mut scan = RemoteScan::default();
    let mut sieve = Sieve::new(filter);
    // The check that `dir` is no file goes along with the listing: one round trip fewer.
    let listing = storage.for_each_version(dir, |entry, etag| {
        add_entry(&mut scan, dir, &mut sieve, entry, etag)
    });
    let (is_file, ()) = futures::try_join!(is_a_file(storage, dir), listing)?;
    if is_file {
        return Err(Error::new(
            ErrorCode::SyncInvalidPair,
            format!("{dir} is a file in your folder; sync a folder, or rename the file"),
        ));
    }
    Ok(scan)
}

/// Whether `dir` names a file rather than a folder.
async fn is_a_file(storage: &Storage, dir: &RemotePath) -> Result<bool> {
    if dir.is_root() {
        return Ok(false);
    }
    match storage.head(dir).await {
        Ok(_) => Ok(true),
        Err(err) if err.code == ErrorCode::StorageNotFound => Ok(false),
        Err(err) => Err(err),
    }
}

/// Adds one listed entry (and the folders above it) to `scan`, unless `filter` ignores it.
fn add_entry(
    scan: &mut RemoteScan,
    dir: &RemotePath,
    filter: &mut Sieve,
    entry: Entry,
    etag: Option<String>,
) {
    let relative = |path: &RemotePath| path.relative_to(dir).unwrap_or(path.as_str()).to_owned();
    match entry.kind {
        EntryKind::Unusable(unusable) => {
            let readable = unusable.key.readable();
            let path = match dir.as_str() {
                "" => readable,
                prefix => readable
                    .strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('/'))
                    .unwrap_or(&readable)
                    .to_owned(),
            };
            if filter.ignores(&path, unusable.key.is_folder()) {
                return;
            }
            scan.blocked.insert(path.clone());
            scan.issues.push(Issue {
                path,
                side: Side::Remote,
                problem: format!(
                    "{}, so it cannot be synced; rename or delete it in your folder (cubby rm --key '{}')",
                    unusable.key.problem().explain(),
                    unusable.key.exact()
                ),
            });
        }
        EntryKind::Folder => {
            let path = relative(&entry.path);
            if !filter.ignores(&path, true) {
                add_folders(&mut scan.items, &path, true);
            }
        }
        EntryKind::File { size, modified } => {
            let path = relative(&entry.path);
            if filter.ignores(&path, false) {
                return;
            }
            add_folders(&mut scan.items, &path, false);
            scan.items.insert(
                path,
                RemoteItem {
                    kind: Kind::File,
                    size,
                    mtime_ns: modified
                        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos() as i64),
                    etag,
                    crc: None,
                },
            );
        }
    }
}

/// Records the folders above `path` (and `path` itself when `itself` is set) as folders,
/// unless the listing holds a file of that name too (that file is the item then).
fn add_folders(items: &mut Tree<RemoteItem>, path: &str, itself: bool) {
    let mut end = if itself {
        Some(path.len())
    } else {
        path.rfind('/')
    };
    while let Some(at) = end {
        let folder = &path[..at];
        if items.contains_key(folder) {
            break;
        }
        items.insert(
            folder.to_owned(),
            RemoteItem {
                kind: Kind::Folder,
                size: 0,
                mtime_ns: 0,
                etag: None,
                crc: None,
            },
        );
        end = folder.rfind('/');
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::storage::{FolderRoot, MemoryClient, ObjectClient, PutObjectParams};

    #[tokio::test]
    async fn files_folders_and_unusable_keys_are_found() {
        let client = Arc::new(MemoryClient::new("bucket"));
        for key in [
            "me/sync/a.txt",
            "me/sync/deep/er/b.txt",
            "me/sync/empty/",
            "me/sync/e\u{301}.txt",
            "me/sync/.DS_Store",
            "me/other.txt",
        ] {
            let params = PutObjectParams {
                key: key.into(),
                body: bytes::Bytes::from_static(b"abc"),
                ..Default::default()
            };
            client.put_object(&params).await.unwrap();
        }
        let storage = Storage::with_client(client, FolderRoot::new("me/").unwrap());
        let dir = tempfile::tempdir().unwrap();
        let filter = Filter::load(dir.path()).unwrap();
        let sync = RemotePath::parse("sync").unwrap();
        let scan = scan_remote(&storage, &sync, &filter).await.unwrap();
        let keys: Vec<(&str, Kind)> = scan
            .items
            .iter()
            .map(|(p, i)| (p.as_str(), i.kind))
            .collect();
        assert_eq!(
            keys,
            [
                ("a.txt", Kind::File),
                ("deep", Kind::Folder),
                ("deep/er", Kind::Folder),
                ("deep/er/b.txt", Kind::File),
                ("empty", Kind::Folder),
            ]
        );
        assert!(scan.items["a.txt"].etag.is_some());
        assert_eq!(scan.blocked, BTreeSet::from(["\u{e9}.txt".to_owned()]));
        assert!(
            scan.issues[0].problem.contains("decomposed"),
            "{:?}",
            scan.issues
        );
        let missing = RemotePath::parse("nothing-yet").unwrap();
        assert!(
            scan_remote(&storage, &missing, &filter)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        let file = RemotePath::parse("other.txt").unwrap();
        let err = scan_remote(&storage, &file, &filter).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::SyncInvalidPair);
    }
}
