//! What sync leaves out on both sides: the default ignores (system clutter, editor swap and
//! temporary files, Cubby's own temporary files) and the patterns of a `.cubbyignore` at the
//! top of the local folder, in gitignore syntax through the `ignore` crate (ripgrep's matcher).
//! One filter applies to the local scan, the remote scan and the base alike, so an ignored
//! path is never taken for a deletion on either side.

use std::collections::HashMap;
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

    /// [`Self::ignores`] for an entry of a walk that never enters a folder left out: the
    /// folders above it were asked about on the way down, so only its own name is.
    pub fn ignores_entry(&self, path: &str, is_folder: bool) -> bool {
        self.sets()
            .iter()
            .any(|set| own_verdict(set, path, is_folder) == Some(true))
    }

    fn sets(&self) -> [&Gitignore; 2] {
        [&self.defaults, &self.person]
    }
}

/// What `set`'s patterns say of `path` itself (its folders aside): left out (`true`), taken
/// back in by a `!` pattern (`false`), or nothing.
fn own_verdict(set: &Gitignore, path: &str, is_folder: bool) -> Option<bool> {
    match set.matched(path, is_folder) {
        Match::Ignore(_) => Some(true),
        Match::Whitelist(_) => Some(false),
        Match::None => None,
    }
}

/// [`Filter::ignores`] over many paths (a listing, a merge base), asking about each folder
/// above them once rather than once per path below it.
pub struct Sieve<'a> {
    filter: &'a Filter,
    /// Per folder, each pattern set's verdict on it or a folder above it.
    folders: HashMap<String, [bool; 2]>,
}

impl<'a> Sieve<'a> {
    /// A sieve of `filter`'s patterns.
    pub fn new(filter: &'a Filter) -> Self {
        Self {
            filter,
            folders: HashMap::new(),
        }
    }

    /// Whether `path` or a folder above it is left out: as [`Filter::ignores`], each pattern
    /// set deciding by the nearest of `path` and its folders that one of its patterns names.
    pub fn ignores(&mut self, path: &str, is_folder: bool) -> bool {
        self.verdicts(path, is_folder).contains(&true)
    }

    fn verdicts(&mut self, path: &str, is_folder: bool) -> [bool; 2] {
        let sets = self.filter.sets();
        let own = sets.map(|set| own_verdict(set, path, is_folder));
        let above = match (own, path.rfind('/')) {
            ([Some(_), Some(_)], _) | (_, None) => [false; 2],
            (_, Some(at)) => self.folder(&path[..at]),
        };
        [0, 1].map(|i| own[i].unwrap_or(above[i]))
    }

    fn folder(&mut self, folder: &str) -> [bool; 2] {
        if let Some(verdicts) = self.folders.get(folder) {
            return *verdicts;
        }
        let verdicts = self.verdicts(folder, true);
        self.folders.insert(folder.to_owned(), verdicts);
        verdicts
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

    #[test]
    fn a_sieve_and_a_walk_entry_decide_as_the_filter_does() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(IGNORE_FILE),
            "build/\n*.log\n!keep.log\n/top.txt\nout/*\n!out/kept/\n",
        )
        .unwrap();
        let filter = Filter::load(dir.path()).unwrap();
        let mut sieve = Sieve::new(&filter);
        let paths = [
            ("build", true),
            ("build/x.txt", false),
            ("build/keep.log", false),
            ("src/build/out.o", false),
            ("a/b.log", false),
            ("a/keep.log", false),
            ("top.txt", false),
            ("sub/top.txt", false),
            ("out/x", false),
            ("out/kept", true),
            ("out/kept/y", false),
            ("docs/.DS_Store", false),
            ("docs/.DS_Store/inner.txt", false),
            ("docs/a.txt", false),
        ];
        // Twice: the second time the folders' verdicts are remembered ones.
        for (path, is_folder) in paths.iter().chain(&paths) {
            let expected = filter.ignores(path, *is_folder);
            assert_eq!(sieve.ignores(path, *is_folder), expected, "{path}");
            let parent_entered = path
                .rfind('/')
                .is_none_or(|at| !filter.ignores(&path[..at], true));
            if parent_entered {
                assert_eq!(filter.ignores_entry(path, *is_folder), expected, "{path}");
            }
        }
        assert!(sieve.ignores("build/x.txt", false));
        assert!(!sieve.ignores("out/kept/y", false));
    }
}
