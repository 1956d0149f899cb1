//! A pair of folders to sync in scenario tests: a local folder in the test's directory and a
//! remote folder of the person on a [`Backend`], with the trash in a folder beside them so
//! what went there can be checked. Remote files are written as another Cubby writes them:
//! uploaded through the transfer engine.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cubby_core::Result;
use cubby_core::storage::{RemotePath, Storage};
use cubby_core::sync::{
    DeletionLimit, Mode, NameRules, RunReport, SyncDb, SyncEvent, SyncOptions, SyncPair, Trash,
};
use cubby_core::transfer::{StateDb, TransferOptions, Transfers};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::Backend;

/// The pair, its state database and its trash, for as long as the value lives.
pub struct SyncFolders {
    /// The S3 server and the person's identity on it.
    pub backend: Backend,
    /// The local folder.
    pub root: PathBuf,
    /// Where local deletions go.
    pub trash: PathBuf,
    /// Where pair locks go.
    pub locks: PathBuf,
    /// The person's folder.
    pub storage: Storage,
    /// The remote folder of the pair.
    pub remote_dir: RemotePath,
    /// The pair's state.
    pub db: SyncDb,
}

impl SyncFolders {
    /// Empty folders on `backend`.
    pub fn new(backend: Backend) -> Self {
        let root = backend.local_dir("local");
        Self {
            trash: backend.dir.path().join("trash"),
            locks: backend.dir.path().join("locks"),
            storage: backend.storage(),
            remote_dir: RemotePath::parse("synced").unwrap(),
            db: SyncDb::in_memory().unwrap(),
            root,
            backend,
        }
    }

    /// Options for a test: every deletion allowed, no stability wait, the trash beside, a
    /// case-sensitive disk without Windows' rules.
    pub fn options(&self, mode: Mode) -> SyncOptions {
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

    /// The pair with `options`, on a transfer queue of its own, and its events.
    pub fn open(&self, options: SyncOptions) -> Result<(SyncPair, UnboundedReceiver<SyncEvent>)> {
        let (transfers, _events) = Transfers::new(
            self.storage.clone(),
            StateDb::in_memory().unwrap(),
            TransferOptions {
                record_queue: false,
                ..TransferOptions::default()
            },
        );
        SyncPair::open(
            &self.root,
            self.remote_dir.clone(),
            transfers,
            self.db.clone(),
            options,
            &self.locks,
            "a test",
        )
    }

    /// One run with `options`.
    pub async fn sync_with(&self, options: SyncOptions) -> Result<RunReport> {
        self.open(options)?.0.run_once().await
    }

    /// One run in `mode`, every deletion allowed.
    pub async fn sync(&self, mode: Mode) -> RunReport {
        self.sync_with(self.options(mode)).await.unwrap()
    }

    /// The local file at `path`.
    pub fn local(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    /// Writes a local file (and the folders above it).
    pub fn write_local(&self, path: &str, content: &str) {
        let file = self.local(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, content).unwrap();
    }

    /// Every local file as (path, content).
    pub fn local_files(&self) -> Vec<(String, String)> {
        files_below(&self.root)
    }

    /// The contents that went to the trash.
    pub fn trashed(&self) -> Vec<String> {
        files_below(&self.trash)
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    /// Writes a remote file as another Cubby would: uploaded through the engine.
    pub async fn write_remote(&self, path: &str, content: &str) {
        let source = self.backend.local_dir("elsewhere").join("upload");
        std::fs::write(&source, content).unwrap();
        let (transfers, _events) = self.backend.transfers(TransferOptions::default());
        transfers
            .upload(source, self.remote_dir.join(path).unwrap())
            .wait()
            .await
            .unwrap();
    }

    /// Deletes a remote file or folder.
    pub async fn delete_remote(&self, path: &str) {
        let remote = self.remote_dir.join(path).unwrap();
        self.storage.delete(&[remote], true).await.unwrap();
    }

    /// Every remote file as (path, content), read from outside.
    pub async fn remote_files(&self) -> Vec<(String, String)> {
        let prefix = format!(
            "{}{}/",
            self.storage.folder().prefix(),
            self.remote_dir.as_str()
        );
        let mut files = Vec::new();
        for key in self.backend.admin.all_keys().await {
            if let Some(relative) = key.strip_prefix(&prefix)
                && !key.ends_with('/')
            {
                let body = self.backend.admin.get(&key).await;
                files.push((relative.to_owned(), String::from_utf8(body).unwrap()));
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
        for entry in entries.flatten() {
            let path = entry.path();
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
