//! What a run looks at: both whole sides, or only the part of the pair the watcher saw change.
//! A save in a watched tree of 100,000 files then costs a look at its own folder on each
//! side, not a walk and a listing of the whole tree; the periodic full runs still find what
//! the watcher missed.
//!
//! A part holds, for every path in it, exactly what a full scan would find at that path on
//! each side: whole folder listings (a path's siblings are there, for the checks of names
//! that clash) and whole trees below changed folders.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::paths::relative;

/// More parts than this, and a full run is cheaper than that many listings.
const MOST_PARTS: usize = 64;

/// The part of a pair a run scans and plans.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case", tag = "scope")]
pub enum Scope {
    /// Both sides, whole.
    #[default]
    Everything,
    /// Some folders' entries and some trees.
    Part {
        /// Folders whose direct entries (files, and folders without what they hold) are in
        /// the part; relative, `/`-separated, `""` for the top of the pair.
        entries_of: BTreeSet<String>,
        /// Folders that are in the part with everything below them.
        trees: BTreeSet<String>,
    },
}

impl Scope {
    /// The scope of a run for local changes at `paths` (absolute, as the watcher reports them)
    /// in the pair rooted at `root`: the entries of the folders holding them, and whatever is
    /// below those of them that are folders now. A change of the root itself, outside it, in
    /// a name that is not Unicode, or in too many places needs a full run.
    pub fn of_changes<'a>(root: &Path, paths: impl IntoIterator<Item = &'a Path>) -> Self {
        let mut entries_of = BTreeSet::new();
        let mut trees = BTreeSet::new();
        for path in paths {
            let Some(changed) = relative(root, path).filter(|rel| !rel.is_empty()) else {
                return Scope::Everything;
            };
            let parent = changed.rfind('/').map_or("", |at| &changed[..at]);
            entries_of.insert(parent.to_owned());
            if std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_dir()) {
                trees.insert(changed);
            }
        }
        Self::part(entries_of, trees)
    }

    /// The part of `entries_of` and `trees`, without what another tree already holds;
    /// [`Scope::Everything`] when it is empty or too large.
    fn part(entries_of: BTreeSet<String>, trees: BTreeSet<String>) -> Self {
        let mut outer_trees: BTreeSet<String> = BTreeSet::new();
        // Sorted, so a tree's ancestors come before it.
        for tree in trees {
            if !outer_trees.iter().any(|outer| at_or_below(&tree, outer)) {
                outer_trees.insert(tree);
            }
        }
        let entries_of: BTreeSet<String> = entries_of
            .into_iter()
            .filter(|folder| !outer_trees.iter().any(|tree| at_or_below(folder, tree)))
            .collect();
        let parts = entries_of.len() + outer_trees.len();
        if parts == 0 || parts > MOST_PARTS {
            return Scope::Everything;
        }
        Scope::Part {
            entries_of,
            trees: outer_trees,
        }
    }

    /// Whether the run sees `path` (relative to the pair's root).
    pub fn contains(&self, path: &str) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Part { entries_of, trees } => {
                let parent = path.rfind('/').map_or("", |at| &path[..at]);
                entries_of.contains(parent) || trees.iter().any(|tree| at_or_below(path, tree))
            }
        }
    }

    /// Whether this is a full run.
    pub fn is_everything(&self) -> bool {
        matches!(self, Scope::Everything)
    }
}

/// Whether `path` is `folder` or lies below it (not a sibling that merely starts with its
/// name).
fn at_or_below(path: &str, folder: &str) -> bool {
    path.strip_prefix(folder)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(entries_of: &[&str], trees: &[&str]) -> Scope {
        let set = |items: &[&str]| items.iter().map(|i| (*i).to_owned()).collect();
        Scope::Part {
            entries_of: set(entries_of),
            trees: set(trees),
        }
    }

    #[test]
    fn a_changed_file_brings_its_folder_s_entries_and_a_changed_folder_its_tree() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("a/new/deep")).unwrap();
        let changed = [
            root.path().join("a/b.txt"),
            root.path().join("a/new"),
            root.path().join("a/new/deep/c.txt"),
            root.path().join("top.txt"),
            root.path().join("gone/d.txt"),
        ];
        assert_eq!(
            Scope::of_changes(root.path(), changed.iter().map(|p| p.as_path())),
            part(&["", "a", "gone"], &["a/new"])
        );
    }

    #[test]
    fn the_root_itself_a_path_outside_or_too_many_need_everything() {
        let root = Path::new("/home/ada/Notes");
        let of = |paths: &[&str]| Scope::of_changes(root, paths.iter().map(Path::new));
        assert_eq!(of(&["/home/ada/Notes"]), Scope::Everything);
        assert_eq!(of(&["/home/ada/Other/x.txt"]), Scope::Everything);
        assert_eq!(of(&[]), Scope::Everything);
        let many: Vec<String> = (0..=MOST_PARTS)
            .map(|n| format!("/home/ada/Notes/f{n}/x.txt"))
            .collect();
        assert_eq!(
            Scope::of_changes(root, many.iter().map(Path::new)),
            Scope::Everything
        );
    }

    #[test]
    fn a_part_holds_its_folders_entries_and_its_trees() {
        let scope = part(&["", "a"], &["b/c"]);
        assert!(scope.contains("top.txt"));
        assert!(scope.contains("a"));
        assert!(scope.contains("a/x.txt"));
        assert!(scope.contains("a/sub"));
        assert!(!scope.contains("a/sub/y.txt"));
        assert!(scope.contains("b/c"));
        assert!(scope.contains("b/c/d/e.txt"));
        assert!(!scope.contains("b/cd/e.txt"));
        assert!(!scope.contains("b/other.txt"));
        assert!(Scope::Everything.contains("anything"));
    }

    #[test]
    fn what_a_tree_holds_is_not_listed_again() {
        let trees = ["a".to_owned(), "a/b".to_owned()].into();
        let entries_of = ["a/b".to_owned(), "c".to_owned()].into();
        assert_eq!(Scope::part(entries_of, trees), part(&["c"], &["a"]));
    }
}
