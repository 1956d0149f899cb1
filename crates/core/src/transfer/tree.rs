//! Whole folders: turning "these local files and folders" or "these remote paths" into one
//! transfer per file.

use std::path::{Path, PathBuf};

use super::engine::{TransferHandle, Transfers};
use super::local_name::local_path_for;
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{EntryKind, RemotePath};

impl Transfers {
    /// Queues uploads of local files and folders (recursively) into the remote folder `into`.
    /// Every path is checked before anything is queued; empty folders are created remotely
    /// (so they come back on download). Symbolic links to folders are skipped.
    pub async fn upload_paths(
        &self,
        locals: &[PathBuf],
        into: &RemotePath,
    ) -> Result<Vec<TransferHandle>> {
        let mut files = Vec::new();
        let mut empty_folders = Vec::new();
        for local in locals {
            let meta = std::fs::metadata(local).map_err(|e| {
                Error::new(
                    ErrorCode::TransferLocalRead,
                    format!("{}: {e}; check the path", local.display()),
                )
            })?;
            let name = utf8_name(local)?;
            let remote = into.join(name)?;
            if meta.is_dir() {
                collect_files(local, &remote, &mut files, &mut empty_folders)?;
            } else {
                files.push((local.clone(), remote));
            }
        }
        for folder in &empty_folders {
            self.storage().create_folder(folder).await?;
        }
        Ok(files
            .into_iter()
            .map(|(local, remote)| self.upload(local, remote))
            .collect())
    }

    /// Queues downloads of remote files and folders (recursively) into the local folder `into`.
    /// Empty remote folders are created locally.
    pub async fn download_paths(
        &self,
        remotes: &[RemotePath],
        into: &Path,
    ) -> Result<Vec<TransferHandle>> {
        let mut files = Vec::new();
        for remote in remotes {
            match self.storage().stat(remote).await?.kind {
                EntryKind::File { .. } => {
                    files.push((remote.clone(), local_path_for(into, remote, None)?))
                }
                EntryKind::Folder => {
                    let base = remote.parent().unwrap_or_default();
                    for entry in self.storage().list_all(remote).await? {
                        let local = local_path_for(into, &entry.path, Some(&base))?;
                        if entry.is_folder() {
                            std::fs::create_dir_all(&local).map_err(|e| {
                                Error::new(
                                    ErrorCode::TransferLocalWrite,
                                    format!("{}: {e}", local.display()),
                                )
                            })?;
                        } else {
                            files.push((entry.path, local));
                        }
                    }
                }
            }
        }
        Ok(files
            .into_iter()
            .map(|(remote, local)| self.download(remote, local))
            .collect())
    }
}

/// The files under `dir`, and its folders that hold neither files nor folders.
fn collect_files(
    dir: &Path,
    remote: &RemotePath,
    files: &mut Vec<(PathBuf, RemotePath)>,
    empty_folders: &mut Vec<RemotePath>,
) -> Result<()> {
    let mut is_empty = true;
    let read_error = |e: std::io::Error| {
        Error::new(
            ErrorCode::TransferLocalRead,
            format!("{}: cannot list this folder: {e}", dir.display()),
        )
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let path = entry.path();
        let remote = remote.join(utf8_name(&path)?)?;
        let file_type = entry.file_type().map_err(read_error)?;
        if file_type.is_dir() {
            is_empty = false;
            collect_files(&path, &remote, files, empty_folders)?;
        } else if file_type.is_file() || (file_type.is_symlink() && path.is_file()) {
            is_empty = false;
            files.push((path, remote));
        }
    }
    if is_empty {
        empty_folders.push(remote.clone());
    }
    Ok(())
}

fn utf8_name(path: &Path) -> Result<&str> {
    let name = path.file_name().ok_or_else(|| {
        Error::new(
            ErrorCode::TransferLocalRead,
            format!("{} has no file name to upload under", path.display()),
        )
    })?;
    name.to_str().ok_or_else(|| {
        Error::new(
            ErrorCode::TransferInvalidLocalName,
            format!("{}: the name is not valid Unicode, so it cannot be a name in your folder; rename it", path.display()),
        )
    })
}
