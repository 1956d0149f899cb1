//! Where local deletions go: the OS trash (the `trash` crate), never an unlink, so a deletion
//! that came from the other side can always be undone here.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, ErrorCode, Result};

/// Where deleted local files go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Trash {
    /// The system's trash (the desktop's Trash, the Recycle Bin).
    #[default]
    System,
    /// A folder of the caller's choosing on the same disk (tests and simulations, which must
    /// not fill the person's trash and must see what went there).
    Folder(PathBuf),
}

/// Makes names in a trash folder unique.
static DISCARDED: AtomicU64 = AtomicU64::new(0);

impl Trash {
    /// Moves `file` to the trash.
    pub fn discard(&self, file: &Path) -> Result<()> {
        let failed = |e: &dyn std::fmt::Display| {
            Error::new(
                ErrorCode::TransferLocalWrite,
                format!(
                    "could not move {} to the trash ({e}); it was left where it is",
                    file.display()
                ),
            )
        };
        match self {
            Self::System => trash::delete(file).map_err(|e| failed(&e)),
            Self::Folder(folder) => {
                std::fs::create_dir_all(folder).map_err(|e| failed(&e))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let n = DISCARDED.fetch_add(1, Ordering::Relaxed);
                let into = folder.join(format!("{}-{n}-{name}", std::process::id()));
                std::fs::rename(file, into).map_err(|e| failed(&e))
            }
        }
    }
}
