//! The files an upload of local files and folders takes. A symbolic link inside a folder may
//! lead anywhere on the disk (a home folder, a system folder), so links are left out and named
//! unless the person asks to follow them; followed, a link back to a folder it lies in is left
//! out too, since the walk would never end.

use std::path::{Path, PathBuf};

use super::skipped::Skipped;
use crate::error::{Error, ErrorCode, Result};
use crate::storage::RemotePath;

/// Whether an upload of a folder follows the symbolic links inside it. A link named as a
/// source itself is always followed: the person chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Links {
    /// Leave them out, and say which.
    #[default]
    Skip,
    /// Upload what they point to.
    Follow,
}

/// What a walk of local files and folders found.
#[derive(Debug, Default)]
pub(super) struct LocalTree {
    /// Each file and where it goes.
    pub(super) files: Vec<(PathBuf, RemotePath)>,
    /// Folders with nothing to upload in them, created remotely so they come back on download.
    pub(super) empty_folders: Vec<(PathBuf, RemotePath)>,
    pub(super) skipped: Vec<Skipped>,
}

impl LocalTree {
    /// Adds the file or folder (recursively) `local`, to go into the remote folder `into`.
    pub(super) fn add(&mut self, local: &Path, into: &RemotePath, links: Links) -> Result<()> {
        let meta = std::fs::metadata(local).map_err(|e| {
            Error::new(
                ErrorCode::TransferLocalRead,
                format!("{}: {e}; check the path", local.display()),
            )
        })?;
        let remote = into.join(utf8_name(local)?)?;
        if !meta.is_dir() {
            self.files.push((local.to_owned(), remote));
            return Ok(());
        }
        let mut walked = Vec::new();
        if links == Links::Follow {
            walked.push(canonical(local)?);
        }
        self.walk(local, &remote, links, &mut walked)
    }

    /// `dir`'s files and folders; `walked` holds the folders it lies in when links are
    /// followed (to see a link back to one of them).
    fn walk(
        &mut self,
        dir: &Path,
        remote: &RemotePath,
        links: Links,
        walked: &mut Vec<PathBuf>,
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
            let mut file_type = entry.file_type().map_err(read_error)?;
            if file_type.is_symlink() {
                if links == Links::Skip {
                    self.skip(
                        &path,
                        "a symbolic link, not followed (--follow-links follows links)",
                    );
                    continue;
                }
                match std::fs::metadata(&path) {
                    Ok(meta) => file_type = meta.file_type(),
                    Err(_) => {
                        self.skip(&path, "a symbolic link to nothing");
                        continue;
                    }
                }
            }
            if file_type.is_dir() {
                if links == Links::Skip {
                    self.walk(&path, &remote, links, walked)?;
                } else {
                    let target = canonical(&path)?;
                    if walked.contains(&target) {
                        self.skip(
                            &path,
                            "a link to a folder it lies in; following it would never end",
                        );
                        continue;
                    }
                    walked.push(target);
                    self.walk(&path, &remote, links, walked)?;
                    walked.pop();
                }
                is_empty = false;
            } else if file_type.is_file() {
                is_empty = false;
                self.files.push((path, remote));
            }
            // Sockets, pipes and devices are not files to upload.
        }
        if is_empty {
            self.empty_folders.push((dir.to_owned(), remote.clone()));
        }
        Ok(())
    }

    fn skip(&mut self, path: &Path, reason: &str) {
        self.skipped.push(Skipped {
            name: path.display().to_string(),
            reason: reason.to_owned(),
        });
    }
}

fn canonical(path: &Path) -> Result<PathBuf> {
    path.canonicalize().map_err(|e| {
        Error::new(
            ErrorCode::TransferLocalRead,
            format!("{}: cannot resolve this folder: {e}", path.display()),
        )
    })
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
