//! Checksums, read only where a decision needs them: a local file is hashed when it changed
//! and there is something to compare it with (the remote file, or a base file it may have
//! been renamed from); a remote file's stored CRC64-NVME is read (one HEAD) when it changed
//! and the local side changed too. Unchanged remote files take the base's checksum.

use std::collections::HashSet;
use std::path::Path;

use futures::{StreamExt, TryStreamExt, stream};

use super::change::{Change, local_change, remote_change};
use super::model::{Kind, Snapshot};
use super::paths::{local_path, remote_path};
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{RemotePath, Storage};
use crate::transfer::crc64_file;

/// A remote file's stored checksum and modification time.
type StoredFacts = (Option<u64>, Option<i64>);

/// Files hashed or HEADs sent at once.
const AT_ONCE: usize = 16;

/// Which checksums a plan of `snapshot` needs: (local paths to hash, remote paths to read).
pub(super) fn needed(snapshot: &Snapshot) -> (Vec<String>, Vec<String>) {
    let rename_sizes: HashSet<u64> = snapshot
        .base
        .iter()
        .filter(|(path, base)| {
            base.kind == Kind::File
                && !snapshot.local.contains_key(*path)
                && remote_change(snapshot.remote.get(*path), Some(base)) == Change::Unchanged
        })
        .map(|(_, base)| base.size)
        .collect();
    let mut local = Vec::new();
    let mut remote = Vec::new();
    for (path, item) in &snapshot.local {
        if item.kind != Kind::File {
            continue;
        }
        let base = snapshot.base.get(path);
        if !local_change(Some(item), base).is_edit() {
            continue;
        }
        match snapshot.remote.get(path) {
            Some(theirs) if theirs.kind == Kind::File => {
                local.push(path.clone());
                if remote_change(Some(theirs), base) != Change::Unchanged {
                    remote.push(path.clone());
                }
            }
            Some(_) => {}
            None if base.is_none() && rename_sizes.contains(&item.size) => {
                local.push(path.clone());
            }
            None => {}
        }
    }
    (local, remote)
}

/// Fills in the checksums [`needed`] names, and the base's for unchanged remote files.
pub(super) async fn fill(
    snapshot: &mut Snapshot,
    root: &Path,
    storage: &Storage,
    remote_dir: &RemotePath,
) -> Result<()> {
    for (path, item) in snapshot.remote.iter_mut() {
        if let Some(base) = snapshot.base.get(path)
            && remote_change(Some(item), Some(base)) == Change::Unchanged
        {
            item.crc = base.crc;
        }
    }
    let (local, remote) = needed(snapshot);
    let hashes: Vec<(String, Option<u64>)> = stream::iter(local)
        .map(|path| {
            let file = local_path(root, &path, snapshot.local[&path].on_disk.as_deref());
            async move {
                let hashed = tokio::task::spawn_blocking(move || crc64_file(&file))
                    .await
                    .map_err(|e| Error::internal(format!("hashing task: {e}")))?;
                // A file that vanished or cannot be read meanwhile has no known checksum;
                // an unknown checksum never counts as equal.
                Ok::<_, Error>((path, hashed.ok()))
            }
        })
        .buffer_unordered(AT_ONCE)
        .try_collect()
        .await?;
    for (path, crc) in hashes {
        if let Some(item) = snapshot.local.get_mut(&path) {
            item.crc = crc;
        }
    }
    let heads: Vec<(String, Option<StoredFacts>)> = stream::iter(remote)
        .map(|path| async move {
            let remote = remote_path(remote_dir, &path)?;
            match storage.head(&remote).await {
                Ok(info) => Ok((
                    path,
                    Some((
                        info.content_crc64,
                        info.modified
                            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                            .map(|d| d.as_nanos() as i64),
                    )),
                )),
                Err(err) if err.code == ErrorCode::StorageNotFound => Ok((path, None)),
                Err(err) => Err(err),
            }
        })
        .buffer_unordered(AT_ONCE)
        .try_collect()
        .await?;
    for (path, facts) in heads {
        if let Some(item) = snapshot.remote.get_mut(&path)
            && let Some((crc, mtime)) = facts
        {
            item.crc = crc;
            if let Some(mtime) = mtime {
                item.mtime_ns = mtime;
            }
        }
    }
    Ok(())
}
