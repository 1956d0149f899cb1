//! A downloaded file before it gets its name. On Linux it starts unnamed (`O_TMPFILE`) and is
//! linked into place once complete: one directory operation per file instead of a create and a
//! rename, and a crash leaves nothing behind. Where that is not possible (other systems, file
//! systems without unnamed files, a file already at the target) it is a hidden temporary file
//! beside the target, renamed over it. Either way nobody sees the file at the target's name
//! until `publish`, and dropping it unpublished removes it.
//!
//! A download of more than one range is worth resuming, so it can be *kept*: named
//! `.NAME.cubby-partial` beside the target, a name a restart can find again (temporary names
//! are random) that is hidden and says what it is and what it will become. A kept file stays
//! when dropped (a crash or an interruption leaves it for the resume) until `publish` or
//! `discard`.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use tempfile::TempPath;

pub(crate) struct StagedFile {
    file: File,
    name: Name,
}

enum Name {
    #[cfg(target_os = "linux")]
    Unnamed,
    /// Removed when dropped.
    Temporary(TempPath),
    /// Kept when dropped.
    Kept(PathBuf),
}

/// The kept partial file of a download to `target`: `.NAME.cubby-partial` beside it, or
/// `None` when the target has no usable file name.
pub(crate) fn partial_path(target: &Path) -> Option<PathBuf> {
    let name = target.file_name()?.to_str()?;
    Some(target.with_file_name(format!(".{name}.cubby-partial")))
}

impl StagedFile {
    /// A new empty file in `dir`, to become `target` (a path in `dir`); `replaces` says
    /// whether something is at `target` now.
    #[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
    pub(crate) fn create(dir: &Path, target: &Path, replaces: bool) -> io::Result<Self> {
        #[cfg(target_os = "linux")]
        if !replaces && let Some(file) = unnamed::create(dir) {
            return Ok(Self {
                file,
                name: Name::Unnamed,
            });
        }
        let (file, temp) = named_temp(target, |b| b.tempfile_in(dir))?.into_parts();
        Ok(Self {
            file,
            name: Name::Temporary(temp),
        })
    }

    /// The kept partial file at `partial`, as an earlier run left it.
    pub(crate) fn reopen_kept(partial: &Path) -> io::Result<Self> {
        let file = File::options().read(true).write(true).open(partial)?;
        Ok(Self {
            file,
            name: Name::Kept(partial.to_owned()),
        })
    }

    /// Names the file `partial` (replacing any file there) and keeps it from now on. On
    /// failure it stays as it was, removed when dropped.
    pub(crate) fn keep(&mut self, partial: &Path) -> io::Result<()> {
        match &self.name {
            #[cfg(target_os = "linux")]
            Name::Unnamed => match unnamed::link(&self.file, partial) {
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    std::fs::remove_file(partial)?;
                    unnamed::link(&self.file, partial)?;
                }
                linked => linked?,
            },
            Name::Temporary(temp) => std::fs::rename(temp, partial)?,
            Name::Kept(_) => return Ok(()),
        }
        let old = std::mem::replace(&mut self.name, Name::Kept(partial.to_owned()));
        if let Name::Temporary(mut temp) = old {
            // Renamed away already: dropping the old name must not remove whatever has it now.
            temp.disable_cleanup(true);
        }
        Ok(())
    }

    /// Whether the file stays when dropped.
    pub(crate) fn is_kept(&self) -> bool {
        matches!(self.name, Name::Kept(_))
    }

    /// Removes a kept file (a download given up); any other goes when dropped.
    pub(crate) fn discard(self) {
        if let Name::Kept(path) = &self.name {
            let _ = std::fs::remove_file(path);
        }
    }

    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// The path an error about writing the file should name.
    pub(crate) fn shown_path<'a>(&'a self, target: &'a Path) -> &'a Path {
        match &self.name {
            #[cfg(target_os = "linux")]
            Name::Unnamed => target,
            Name::Temporary(temp) => temp,
            Name::Kept(path) => path,
        }
    }

    /// Gives the complete file the name `target`, replacing what is there. A kept file is
    /// flushed to disk first: it held its bytes across restarts, and the rename must not
    /// publish a name whose bytes a power cut could still lose.
    #[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
    pub(crate) fn publish(self, dir: &Path, target: &Path) -> io::Result<()> {
        let temp = match self.name {
            Name::Temporary(temp) => temp,
            Name::Kept(partial) => {
                self.file.sync_all()?;
                return std::fs::rename(partial, target);
            }
            #[cfg(target_os = "linux")]
            Name::Unnamed => match unnamed::link(&self.file, target) {
                // Something took the name while the file downloaded: link it under a
                // temporary name and rename that over the newcomer, as a named file would.
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    named_temp(target, |b| {
                        b.make_in(dir, |path| unnamed::link(&self.file, path))
                    })?
                    .into_temp_path()
                }
                linked => return linked,
            },
        };
        temp.persist(target).map_err(|e| e.error)
    }
}

/// `make` with a builder of hidden temporary names `.NAME.XXXXXX.cubby-download` carrying the
/// permissions an ordinary new file gets (tempfile's default is owner-only, which the renamed
/// file would keep).
fn named_temp<R>(
    target: &Path,
    make: impl FnOnce(&tempfile::Builder) -> io::Result<R>,
) -> io::Result<R> {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("download");
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".cubby-download");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    make(&builder)
}

#[cfg(target_os = "linux")]
mod unnamed {
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;
    use std::path::Path;
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicBool, Ordering};

    use rustix::fs::{AtFlags, CWD, Mode, OFlags};
    use rustix::io::Errno;

    /// An unnamed file in `dir`, or `None` when one cannot be made or later named there (the
    /// caller then uses a named temporary file, which also reports any real error).
    pub(super) fn create(dir: &Path) -> Option<File> {
        // Naming goes through /proc (linking by descriptor alone needs a capability).
        static CAN_LINK: OnceLock<bool> = OnceLock::new();
        if !*CAN_LINK.get_or_init(|| Path::new("/proc/self/fd").is_dir()) {
            return None;
        }
        let fd = rustix::fs::openat(
            CWD,
            dir,
            OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        )
        .ok()?;
        Some(File::from(fd))
    }

    /// Gives the unnamed `file` the name `target`; `AlreadyExists` if the name is taken.
    pub(super) fn link(file: &File, target: &Path) -> io::Result<()> {
        // Straight from the descriptor where the kernel allows it (to the file's opener since
        // Linux 6.10; before, only with CAP_DAC_READ_SEARCH): naming through /proc walks
        // /proc/self/fd for every file. Once refused, always through /proc.
        static BY_DESCRIPTOR: AtomicBool = AtomicBool::new(true);
        if BY_DESCRIPTOR.load(Ordering::Relaxed) {
            match rustix::fs::linkat(file, "", CWD, target, AtFlags::EMPTY_PATH) {
                Err(Errno::NOENT | Errno::PERM) => {}
                linked => return linked.map_err(io::Error::from),
            }
        }
        let linked = link_through_proc(file, target);
        if linked.is_ok() {
            BY_DESCRIPTOR.store(false, Ordering::Relaxed);
        }
        linked
    }

    pub(super) fn link_through_proc(file: &File, target: &Path) -> io::Result<()> {
        let source = format!("/proc/self/fd/{}", file.as_raw_fd());
        rustix::fs::linkat(CWD, source.as_str(), CWD, target, AtFlags::SYMLINK_FOLLOW)
            .map_err(io::Error::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::positional::write_all_at;
    use std::io::Write;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn nothing_is_at_the_target_until_published() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        let staged = StagedFile::create(dir.path(), &target, target.exists()).unwrap();
        staged.file().write_all(b"hello").unwrap();
        assert!(!target.exists());
        #[cfg(target_os = "linux")]
        assert!(
            entries(dir.path()).is_empty(),
            "on Linux the file starts unnamed"
        );
        staged.publish(dir.path(), &target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");
        assert_eq!(entries(dir.path()), ["a.txt"]);
    }

    #[test]
    fn an_unpublished_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        let staged = StagedFile::create(dir.path(), &target, target.exists()).unwrap();
        staged.file().write_all(b"partial").unwrap();
        drop(staged);
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn a_kept_file_stays_until_published_under_the_target_name() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        for replaces in [false, true] {
            if replaces {
                std::fs::write(&target, b"old").unwrap();
            }
            let partial = partial_path(&target).unwrap();
            let mut staged = StagedFile::create(dir.path(), &target, replaces).unwrap();
            staged.file().write_all(b"first half").unwrap();
            staged.keep(&partial).unwrap();
            drop(staged);
            let mut expected = vec![".a.txt.cubby-partial"];
            if replaces {
                expected.push("a.txt");
            }
            assert_eq!(entries(dir.path()), expected, "replaces: {replaces}");

            let staged = StagedFile::reopen_kept(&partial).unwrap();
            assert!(staged.is_kept());
            write_all_at(staged.file(), b", second", 10).unwrap();
            staged.publish(dir.path(), &target).unwrap();
            assert_eq!(std::fs::read(&target).unwrap(), b"first half, second");
            assert_eq!(entries(dir.path()), ["a.txt"]);
            std::fs::remove_file(&target).unwrap();
        }
    }

    #[test]
    fn a_discarded_kept_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        let mut staged = StagedFile::create(dir.path(), &target, false).unwrap();
        staged.keep(&partial_path(&target).unwrap()).unwrap();
        staged.discard();
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn publishing_replaces_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        std::fs::write(&target, b"old").unwrap();
        let staged = StagedFile::create(dir.path(), &target, target.exists()).unwrap();
        staged.file().write_all(b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        staged.publish(dir.path(), &target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(entries(dir.path()), ["a.txt"]);
    }

    #[test]
    fn a_file_that_appears_at_the_target_meanwhile_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        let staged = StagedFile::create(dir.path(), &target, target.exists()).unwrap();
        staged.file().write_all(b"downloaded").unwrap();
        std::fs::write(&target, b"newcomer").unwrap();
        staged.publish(dir.path(), &target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"downloaded");
        assert_eq!(entries(dir.path()), ["a.txt"]);
    }

    /// Where the kernel lets the opener name the file by its descriptor (as it does for root,
    /// and for anyone since Linux 6.10), `publish` takes that way; this checks the other.
    #[cfg(target_os = "linux")]
    #[test]
    fn an_unnamed_file_can_be_named_through_proc() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        let mut file = unnamed::create(dir.path()).expect("O_TMPFILE on this file system");
        file.write_all(b"through proc").unwrap();
        unnamed::link_through_proc(&file, &target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"through proc");
        let err = unnamed::link_through_proc(&file, &target).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    }

    #[cfg(unix)]
    #[test]
    fn the_published_file_has_ordinary_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        for existing in [false, true] {
            let target = dir.path().join(format!("f{existing}"));
            if existing {
                std::fs::write(&target, b"old").unwrap();
            }
            let staged = StagedFile::create(dir.path(), &target, target.exists()).unwrap();
            staged.publish(dir.path(), &target).unwrap();
            let ordinary = {
                let probe = dir.path().join(format!("probe{existing}"));
                std::fs::write(&probe, b"").unwrap();
                std::fs::metadata(&probe).unwrap().permissions().mode()
            };
            let mode = std::fs::metadata(&target).unwrap().permissions().mode();
            assert_eq!(mode, ordinary, "existing target: {existing}");
        }
    }
}
