//! Local paths reach the app only from the OS: files dropped on the window and the pickers'
//! answers. The latest drop is recorded here, and an upload of dropped paths is accepted only
//! for paths it holds, so a web view cannot name any other file on the disk.

use std::path::PathBuf;
use std::sync::Mutex;

use cubby_core::{Error, ErrorCode, Result};

/// The paths of the latest drop on the window.
#[derive(Debug, Default)]
pub struct Drops {
    latest: Mutex<Vec<PathBuf>>,
}

impl Drops {
    /// Records what the OS just dropped; the earlier drop is no longer accepted.
    pub fn record(&self, paths: &[PathBuf]) {
        *self.latest.lock().expect("drops lock") = paths.to_vec();
    }

    /// `paths` when the latest drop holds every one of them.
    pub fn check(&self, paths: &[String]) -> Result<Vec<PathBuf>> {
        if paths.is_empty() {
            return Err(Error::new(
                ErrorCode::TransferLocalRead,
                "nothing was dropped; drag files or folders onto the window",
            ));
        }
        let latest = self.latest.lock().expect("drops lock");
        paths
            .iter()
            .map(|path| {
                let path = PathBuf::from(path);
                match latest.contains(&path) {
                    true => Ok(path),
                    false => Err(Error::new(
                        ErrorCode::TransferLocalRead,
                        format!(
                            "{} was not dropped on this window; drag it onto the window again",
                            path.display()
                        ),
                    )),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_the_latest_drop_are_accepted() {
        let drops = Drops::default();
        let err = drops.check(&["/etc/passwd".to_owned()]).unwrap_err();
        assert_eq!(err.code, ErrorCode::TransferLocalRead);
        drops.record(&[PathBuf::from("/home/a/x.txt"), PathBuf::from("/home/a/dir")]);
        assert_eq!(
            drops.check(&["/home/a/dir".to_owned()]).unwrap(),
            [PathBuf::from("/home/a/dir")]
        );
        assert!(drops.check(&["/home/a/dir/../../b".to_owned()]).is_err());
        assert!(drops.check(&[]).is_err());
        drops.record(&[PathBuf::from("/home/a/y.txt")]);
        assert!(
            drops.check(&["/home/a/x.txt".to_owned()]).is_err(),
            "an older drop"
        );
    }
}
