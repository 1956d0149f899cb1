//! The local folder a download goes into: whether its disk takes names equal but for case as
//! one name (so two remote files can clash there), and that nothing is written through a
//! symbolic link inside it: a link `target/sub -> /elsewhere` must not receive files.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, ErrorCode, Result};

/// A local folder downloads go into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFolder {
    path: PathBuf,
    folds_case: bool,
}

impl LocalFolder {
    /// `path`, with case folding found by trying its disk (or its nearest existing parent's);
    /// where that cannot be tried, as the system's usual disks do (macOS and Windows fold).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let folds_case =
            probe_case_folding(&path).unwrap_or(cfg!(any(windows, target_os = "macos")));
        Self { path, folds_case }
    }

    /// `path`, taken to fold case or not as told (tests, or a front end that knows).
    pub fn with_case_folding(path: impl Into<PathBuf>, folds_case: bool) -> Self {
        Self {
            path: path.into(),
            folds_case,
        }
    }

    /// Where downloads go.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `A.txt` and `a.txt` are one name here.
    pub fn folds_case(&self) -> bool {
        self.folds_case
    }

    /// Refuses `local` (a path inside this folder) when a folder on the way to it, below this
    /// folder, is a symbolic link. The folder itself may be one: the person chose it.
    pub(super) fn refuse_links_on_the_way(&self, local: &Path) -> Result<()> {
        let Ok(relative) = local.strip_prefix(&self.path) else {
            return Ok(());
        };
        let mut on_the_way = self.path.clone();
        let mut components = relative.components().peekable();
        while let Some(component) = components.next() {
            if components.peek().is_none() {
                break; // the file itself: a link there is replaced, not written through
            }
            let Component::Normal(name) = component else {
                continue;
            };
            on_the_way.push(name);
            match std::fs::symlink_metadata(&on_the_way) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(Error::new(
                        ErrorCode::TransferLocalWrite,
                        format!(
                            "{} is a symbolic link; Cubby does not download through links inside the download folder (nothing was written): download into the link's target itself, or remove the link",
                            on_the_way.display()
                        ),
                    ));
                }
                Ok(_) => {}
                // Missing from here on: the download creates real folders.
                Err(_) => break,
            }
        }
        Ok(())
    }
}

/// Whether the disk of `path` folds case: a hidden file made in its nearest existing folder
/// is looked up under its upper-case name. `None` when no file can be made there.
fn probe_case_folding(path: &Path) -> Option<bool> {
    let dir = path.ancestors().find(|p| p.is_dir())?;
    let probe = tempfile::Builder::new()
        .prefix(".cubby-case-probe-")
        .tempfile_in(dir)
        .ok()?;
    let name = probe.path().file_name()?.to_str()?;
    let upper = dir.join(name.to_uppercase());
    Some(std::fs::symlink_metadata(upper).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_disk_is_probed() {
        let dir = tempfile::tempdir().unwrap();
        let upper_twin = {
            std::fs::write(dir.path().join("probe"), "").unwrap();
            dir.path().join("PROBE").exists()
        };
        let folder = LocalFolder::new(dir.path().join("not/yet"));
        assert_eq!(folder.folds_case(), upper_twin);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "the probe is gone"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_below_the_folder_are_refused_and_the_folder_itself_may_be_one() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir_all(real.join("sub")).unwrap();
        std::os::unix::fs::symlink(dir.path(), real.join("link")).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("chosen")).unwrap();
        let folder = LocalFolder::with_case_folding(dir.path().join("chosen"), false);
        let inside = |p: &str| folder.path().join(p);
        folder
            .refuse_links_on_the_way(&inside("sub/a.txt"))
            .unwrap();
        folder
            .refuse_links_on_the_way(&inside("new/deeper/a.txt"))
            .unwrap();
        folder.refuse_links_on_the_way(&inside("link")).unwrap();
        let err = folder
            .refuse_links_on_the_way(&inside("link/a.txt"))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::TransferLocalWrite);
        assert!(err.message.contains("symbolic link"), "{}", err.message);
    }
}
