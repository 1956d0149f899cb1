//! Two folders to sync in tests and simulations: a local temporary folder and a remote folder
//! in any bucket behind [`ObjectClient`] (in memory, or localcloud), with the trash in a
//! folder beside them so what went there can be checked.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;

use super::guard::DeletionLimit;
use super::model::Mode;
use super::names::NameRules;
use super::pair::{RunReport, SyncOptions, SyncPair};
use super::state_db::SyncDb;
use super::trash::Trash;
use crate::error::Result;
use crate::storage::{
    EntryKind, FolderRoot, MemoryClient, PutObjectParams, RemotePath, Storage, cubby_metadata,
    encode_crc64,
};
use crate::transfer::{StateDb, TransferOptions, Transfers, crc64};

/// A local folder, a remote folder and a state database, for as long as the value lives.
pub(crate) struct TestFolders {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) root: PathBuf,
    pub(crate) trash: PathBuf,
    pub(crate) locks: PathBuf,
    pub(crate) storage: Storage,
    pub(crate) remote_dir: RemotePath,
    pub(crate) db: SyncDb,
}

impl TestFolders {
    /// Empty folders over a bucket in memory.
    pub(crate) fn in_memory() -> Self {
        let storage = Storage::with_client(
            Arc::new(MemoryClient::new("bucket")),
            FolderRoot::new("me/").unwrap(),
        );
        Self::over(storage)
    }

    /// Empty folders over `storage`.
    pub(crate) fn over(storage: Storage) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("local");
        std::fs::create_dir(&root).unwrap();
        Self {
            root,
            trash: dir.path().join("trash"),
            locks: dir.path().join("locks"),
            _dir: dir,
            storage,
            remote_dir: RemotePath::parse("synced").unwrap(),
            db: SyncDb::in_memory().unwrap(),
        }
    }

    pub(crate) fn options(&self, mode: Mode) -> SyncOptions {
        SyncOptions {
            mode,
            deletion_limit: DeletionLimit::AtMost(usize::MAX),
            dry_run: false,
            stable_for: Duration::ZERO,
            trash: Trash::Folder(self.trash.clone()),
            names: Some(NameRules {
                windows: false,
                folds_case: false,
            }),
        }
    }

    /// One run with `options`.
    pub(crate) async fn sync_with(&self, options: SyncOptions) -> Result<RunReport> {
        let (transfers, _events) = Transfers::new(
            self.storage.clone(),
            StateDb::in_memory().unwrap(),
            TransferOptions::default(),
        );
        let (pair, _events) = SyncPair::open(
            &self.root,
            self.remote_dir.clone(),
            transfers,
            self.db.clone(),
            options,
            &self.locks,
            "a test",
        )?;
        pair.run_once().await
    }

    /// One run in `mode`, every deletion allowed.
    pub(crate) async fn sync(&self, mode: Mode) -> RunReport {
        self.sync_with(self.options(mode)).await.unwrap()
    }

    pub(crate) fn local(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    pub(crate) fn write_local(&self, path: &str, content: &str) {
        let file = self.local(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, content).unwrap();
    }

    /// Every local file as (path, content), ignoring folders.
    pub(crate) fn local_files(&self) -> Vec<(String, String)> {
        files_below(&self.root)
    }

    /// What went to the trash, as contents.
    pub(crate) fn trashed(&self) -> Vec<String> {
        files_below(&self.trash)
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    /// Writes a remote file as another Cubby would (with its checksum and time).
    pub(crate) async fn write_remote(&self, path: &str, content: &str) {
        let remote = self.remote_dir.join(path).unwrap();
        let body = Bytes::from(content.to_owned());
        let crc = crc64(&body);
        let params = PutObjectParams {
            key: self.storage.folder().object_key(&remote).unwrap(),
            metadata: cubby_metadata(std::time::SystemTime::now(), crc),
            checksum_crc64nvme: Some(encode_crc64(crc)),
            body,
        };
        self.storage.client().put_object(&params).await.unwrap();
    }

    pub(crate) async fn delete_remote(&self, path: &str) {
        let remote = self.remote_dir.join(path).unwrap();
        self.storage.delete(&[remote], true).await.unwrap();
    }

    /// Every remote file as (path, content).
    pub(crate) async fn remote_files(&self) -> Vec<(String, String)> {
        let entries: Vec<_> = match self
            .storage
            .list_recursive(&self.remote_dir)
            .try_concat()
            .await
        {
            Ok(entries) => entries,
            Err(_) => return Vec::new(),
        };
        let mut files = Vec::new();
        for entry in entries {
            if let EntryKind::File { .. } = entry.kind {
                let params = crate::storage::GetObjectParams {
                    key: self.storage.folder().object_key(&entry.path).unwrap(),
                    ..Default::default()
                };
                let got = self.storage.client().get_object(&params).await.unwrap();
                let body: Vec<Bytes> = got.body.try_collect().await.unwrap();
                let relative = entry.path.relative_to(&self.remote_dir).unwrap().to_owned();
                files.push((relative, String::from_utf8(body.concat()).unwrap()));
            }
        }
        files.sort();
        files
    }
}

fn files_below(root: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push((relative, std::fs::read_to_string(&path).unwrap_or_default()));
            }
        }
    }
    files.sort();
    files
}
