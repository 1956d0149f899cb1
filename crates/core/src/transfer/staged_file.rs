//! A downloaded file before it gets its name. On Linux it starts unnamed (`O_TMPFILE`) and is
//! linked into place once complete: one directory operation per file instead of a create and a
//! rename, and a crash leaves nothing behind. Where that is not possible (other systems, file
//! systems without unnamed files, a file already at the target) it is a hidden temporary file
//! beside the target, renamed over it. Either way nobody sees the file at the target's name
//! until `publish`, and dropping it unpublished removes it.

use std::fs::File;
use std::io;
use std::path::Path;

use tempfile::TempPath;

pub(crate) struct StagedFile {
    file: File,
    /// The hidden temporary name, or `None` while the file is unnamed.
    temp: Option<TempPath>,
}

impl StagedFile {
    /// A new empty file in `dir`, to become `target` (a path in `dir`); `replaces` says
    /// whether something is at `target` now.
    #[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
    pub(crate) fn create(dir: &Path, target: &Path, replaces: bool) -> io::Result<Self> {
        #[cfg(target_os = "linux")]
        if !replaces && let Some(file) = unnamed::create(dir) {
            return Ok(Self { file, temp: None });
        }
        let (file, temp) = named_temp(target, |b| b.tempfile_in(dir))?.into_parts();
        Ok(Self {
            file,
            temp: Some(temp),
        })
    }

    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// The path an error about writing the file should name.
    pub(crate) fn shown_path<'a>(&'a self, target: &'a Path) -> &'a Path {
        self.temp.as_deref().unwrap_or(target)
    }

    /// Gives the complete file the name `target`, replacing what is there.
    #[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
    pub(crate) fn publish(self, dir: &Path, target: &Path) -> io::Result<()> {
        let temp = match self.temp {
            Some(temp) => temp,
            #[cfg(target_os = "linux")]
            None => match unnamed::link(&self.file, target) {
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
            #[cfg(not(target_os = "linux"))]
            None => unreachable!("files are unnamed only on Linux"),
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
