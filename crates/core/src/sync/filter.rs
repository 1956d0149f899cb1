//! What sync leaves out on both sides: the default ignores (system clutter, editor swap and
//! temporary files, Cubby's own temporary files) and the patterns of a `.cubbyignore` at the
//! top of the local folder, in gitignore syntax through the `ignore` crate (ripgrep's matcher).
//! One filter applies to the local scan, the remote scan and the base alike, so an ignored
//! path is never taken for a deletion on either side.

use std::path::Path;

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::error::{Error, ErrorCode, Result};

/// The file whose patterns a pair also ignores.
pub const IGNORE_FILE: &str = ".cubbyignore";

/// Left out everywhere, whatever the ignore file says.
const DEFAULT_IGNORES: &[&str] = &[
    ".DS_Store",
    "Thumbs.db",
    "ehthumbs.db",
    "desktop.ini",
    "~$*",
    "*.swp",
    "*.swo",
    "*.swx",
    "*~",
    ".#*",
    "#*#",
    ".~lock.*#",
    "*.tmp",
    ".*.cubby-partial",
    ".*.cubby-download",
    ".cubby-*",
];

/// The patterns of one pair.
#[derive(Debug, Clone)]
pub struct Filter {
    defaults: Gitignore,
    person: Gitignore,
}

impl Filter {
    /// The default ignores and those of `root/.cubbyignore`, if there is one.
    pub fn load(root: &Path) -> Result<Self> {
        let mut defaults = GitignoreBuilder::new(root);
        for pattern in DEFAULT_IGNORES {
            defaults
                .add_line(None, pattern)
                .map_err(|e| Error::internal(format!("default ignore {pattern}: {e}")))?;
        }
        let defaults = defaults
            .build()
            .map_err(|e| Error::internal(format!("default ignores: {e}")))?;
        let file = root.join(IGNORE_FILE);
        let mut person = GitignoreBuilder::new(root);
        if file.is_file()
            && let Some(err) = person.add(&file)
        {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!(
                    "{}: {err}; fix the pattern (gitignore syntax)",
                    file.display()
                ),
            ));
        }
        let person = person.build().map_err(|e| {
            Error::new(
                ErrorCode::ConfigInvalid,
                format!(
                    "{}: {e}; fix the pattern (gitignore syntax)",
                    file.display()
                ),
            )
        })?;
        Ok(Self { defaults, person })
    }

    /// Whether `path` (relative, `/`-separated) or a folder above it is left out.
    pub fn ignores(&self, path: &str, is_folder: bool) -> bool {
        let ignored = |set: &Gitignore| {
            matches!(
                set.matched_path_or_any_parents(path, is_folder),
                Match::Ignore(_)
            )
        };
        ignored(&self.defaults) || ignored(&self.person)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_the_ignore_file_apply() {
        let dir = tempfile::tempdir().unwrap();
        let none = Filter::load(dir.path()).unwrap();
        for ignored in [
            ".DS_Store",
            "docs/Thumbs.db",
            "~$report.docx",
            "a/.notes.txt.swp",
            "a/.big.iso.cubby-partial",
            "a/.x.AbC123.cubby-download",
            ".cubby-case-probe-x1",
            "draft.txt~",
        ] {
            assert!(none.ignores(ignored, false), "{ignored}");
        }
        for kept in ["report.docx", "docs/a.txt", ".cubbyignore", ".config/x"] {
            assert!(!none.ignores(kept, false), "{kept}");
        }
        std::fs::write(
            dir.path().join(IGNORE_FILE),
            "build/\n*.log\n!keep.log\n/top.txt\n",
        )
        .unwrap();
        let filter = Filter::load(dir.path()).unwrap();
        assert!(filter.ignores("build", true));
        assert!(filter.ignores("src/build/out.o", false));
        assert!(filter.ignores("a/b.log", false));
        assert!(!filter.ignores("a/keep.log", false));
        assert!(filter.ignores("top.txt", false));
        assert!(!filter.ignores("sub/top.txt", false));
        assert!(!filter.ignores("build", false), "build/ names folders only");
    }
}
