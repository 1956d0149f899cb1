//! The local scan: a parallel walk of the local folder (the `ignore` crate's walker, which is
//! ripgrep's) that never follows symbolic links. Links, special files, unreadable folders and
//! names that cannot be remote paths are reported as issues, and their paths are blocked so
//! that what could not be seen is never taken for deleted.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use unicode_normalization::{UnicodeNormalization, is_nfc};

use super::action::Issue;
use super::file_facts::{inode, mtime_ns};
use super::filter::Filter;
use super::model::{Kind, LocalItem, Side, Tree};
use super::paths::relative;
use super::scope::Scope;
use crate::error::{Error, ErrorCode, Result};
use crate::storage::RemotePath;

/// What the local scan found.
#[derive(Debug, Default)]
pub struct LocalScan {
    /// Every file and folder, by its key (NFC).
    pub items: Tree<LocalItem>,
    /// What cannot be synced, and why.
    pub issues: Vec<Issue>,
    /// Paths the planner must leave alone (with everything below them).
    pub blocked: BTreeSet<String>,
}

/// One walked entry before the names are checked against each other.
enum Found {
    Item(String, LocalItem),
    Issue(String, String),
}

/// Scans `root` (blocking: call from a blocking task).
pub fn scan_local(root: &Path, filter: &Filter) -> Result<LocalScan> {
    scan_local_within(root, filter, &Scope::Everything)
}

/// Scans what `scope` holds of `root` (blocking: call from a blocking task). A folder of the
/// scope that is gone, ignored, or no longer a folder holds nothing here.
pub fn scan_local_within(root: &Path, filter: &Filter, scope: &Scope) -> Result<LocalScan> {
    let meta = std::fs::metadata(root).map_err(|e| {
        Error::new(
            ErrorCode::SyncInvalidPair,
            format!("{}: {e}; name an existing folder", root.display()),
        )
    })?;
    if !meta.is_dir() {
        return Err(Error::new(
            ErrorCode::SyncInvalidPair,
            format!("{} is not a folder; name a folder to sync", root.display()),
        ));
    }
    let found = Mutex::new(Vec::new());
    match scope {
        Scope::Everything => walk(root, &[root.to_owned()], None, filter, &found)?,
        Scope::Part { entries_of, trees } => {
            let entered = |folders: &BTreeSet<String>| -> Vec<PathBuf> {
                folders
                    .iter()
                    .filter(|folder| entered_by_a_full_walk(root, filter, folder))
                    .map(|folder| root.join(folder))
                    .collect()
            };
            walk(root, &entered(entries_of), Some(1), filter, &found)?;
            walk(root, &entered(trees), None, filter, &found)?;
        }
    }
    Ok(collect(found.into_inner().expect("scan lock")))
}

/// Walks `starts` (below `root`) down to `max_depth`, adding what it finds below each start
/// to `found`.
fn walk(
    root: &Path,
    starts: &[PathBuf],
    max_depth: Option<usize>,
    filter: &Filter,
    found: &Mutex<Vec<Found>>,
) -> Result<()> {
    let Some((first, others)) = starts.split_first() else {
        return Ok(());
    };
    let fatal = Mutex::new(None);
    let mut walker = WalkBuilder::new(first);
    for start in others {
        walker.add(start);
    }
    let walker = walker
        .max_depth(max_depth)
        .standard_filters(false)
        .follow_links(false)
        .threads(std::thread::available_parallelism().map_or(2, |n| n.get().min(8)))
        .filter_entry({
            let root = root.to_owned();
            let filter = filter.clone();
            move |entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                match relative(&root, entry.path()) {
                    Some(rel) if !rel.is_empty() => !filter.ignores_entry(&rel, is_dir),
                    _ => true,
                }
            }
        })
        .build_parallel();
    walker.run(|| {
        Box::new(|entry| {
            let found_now = match entry {
                Ok(entry) if entry.depth() == 0 => return WalkState::Continue,
                Ok(entry) => examine(root, &entry),
                Err(err) => match error_path(&err).and_then(|p| relative(root, p)) {
                    Some(rel) => Some(Found::Issue(
                        rel,
                        format!("could not be read ({err}); check its permissions"),
                    )),
                    None => {
                        *fatal.lock().expect("scan lock") = Some(err.to_string());
                        return WalkState::Quit;
                    }
                },
            };
            if let Some(found_now) = found_now {
                found.lock().expect("scan lock").push(found_now);
            }
            WalkState::Continue
        })
    });
    match fatal.into_inner().expect("scan lock") {
        Some(err) => Err(Error::new(
            ErrorCode::TransferLocalRead,
            format!("scanning {}: {err}", root.display()),
        )),
        None => Ok(()),
    }
}

/// Whether a walk of all of `root` would enter `folder` (relative; `""` is the root): it and
/// every folder holding it are folders, not links, and not ignored.
fn entered_by_a_full_walk(root: &Path, filter: &Filter, folder: &str) -> bool {
    folder.is_empty()
        || folder
            .match_indices('/')
            .map(|(at, _)| &folder[..at])
            .chain([folder])
            .all(|prefix| {
                !filter.ignores(prefix, true)
                    && std::fs::symlink_metadata(root.join(prefix)).is_ok_and(|m| m.is_dir())
            })
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

fn examine(root: &Path, entry: &ignore::DirEntry) -> Option<Found> {
    let Some(rel) = relative(root, entry.path()) else {
        let lossy = entry.path().strip_prefix(root).unwrap_or(entry.path());
        return Some(Found::Issue(
            lossy.to_string_lossy().replace('\\', "/"),
            "its name is not valid Unicode, so it cannot be a name in your folder; rename it"
                .to_owned(),
        ));
    };
    let file_type = entry.file_type()?;
    if file_type.is_symlink() {
        return Some(Found::Issue(
            rel,
            "is a symbolic link, which sync does not follow; move what it points to into the folder, or remove the link".to_owned(),
        ));
    }
    let kind = if file_type.is_dir() {
        Kind::Folder
    } else if file_type.is_file() {
        Kind::File
    } else {
        return Some(Found::Issue(
            rel,
            "is not a file or folder (a device, socket or pipe)".to_owned(),
        ));
    };
    let meta = match entry.metadata() {
        Ok(meta) => meta,
        Err(err) => return Some(Found::Issue(rel, format!("could not be read ({err})"))),
    };
    Some(Found::Item(
        rel,
        LocalItem {
            kind,
            size: if kind == Kind::File { meta.len() } else { 0 },
            mtime_ns: mtime_ns(&meta),
            inode: inode(&meta),
            crc: None,
            on_disk: None,
        },
    ))
}

/// Keys every found name by its NFC spelling; two names with one key, or a name that is not a
/// clean remote path, become issues. Sorted once and built in bulk: no map of lists on the way,
/// and a compact tree (a watched folder keeps one per run).
fn collect(found: Vec<Found>) -> LocalScan {
    let mut scan = LocalScan::default();
    // (key, the name on disk when it is not the key, item)
    let mut keyed: Vec<(String, Option<String>, LocalItem)> = Vec::with_capacity(found.len());
    for found in found {
        match found {
            Found::Issue(path, problem) => scan.issue(path, problem),
            // Most names are NFC already and are their own key.
            Found::Item(name, item) if is_nfc(&name) => keyed.push((name, None, item)),
            Found::Item(name, item) => keyed.push((name.nfc().collect(), Some(name), item)),
        }
    }
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut items = Vec::with_capacity(keyed.len());
    let mut keyed = keyed.into_iter().peekable();
    while let Some((key, on_disk, mut item)) = keyed.next() {
        if keyed.next_if(|next| next.0 == key).is_some() {
            while keyed.next_if(|next| next.0 == key).is_some() {}
            scan.issue(
                key,
                "two names in this folder are the same name in Unicode (composed and decomposed spellings); rename one of them".to_owned(),
            );
            continue;
        }
        match RemotePath::parse(&key) {
            Ok(path) if path.as_str() == key => {
                item.on_disk = on_disk;
                items.push((key, item));
            }
            Ok(_) => scan.issue(key, "its name cannot be a path in your folder".to_owned()),
            Err(err) => scan.issue(key, err.message),
        }
    }
    scan.items = Tree::from_iter(items);
    scan
}

impl LocalScan {
    fn issue(&mut self, path: String, problem: String) {
        self.blocked.insert(path.clone());
        self.issues.push(Issue {
            path,
            side: Side::Local,
            problem,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_folders_and_issues_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs/empty")).unwrap();
        std::fs::write(root.join("docs/a.txt"), "abc").unwrap();
        std::fs::write(root.join(".DS_Store"), "x").unwrap();
        std::fs::write(root.join("docs/back\\slash.txt"), "x").unwrap();
        std::fs::write(root.join("e\u{301}.txt"), "nfd").unwrap();
        std::fs::write(root.join("twin\u{e9}"), "nfc").unwrap();
        std::fs::write(root.join("twine\u{301}"), "nfd").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("docs"), root.join("link")).unwrap();
        let scan = scan_local(root, &Filter::load(root).unwrap()).unwrap();
        let keys: Vec<&str> = scan.items.keys().map(String::as_str).collect();
        assert_eq!(keys, ["docs", "docs/a.txt", "docs/empty", "\u{e9}.txt"]);
        assert_eq!(scan.items["docs/a.txt"].size, 3);
        assert_eq!(scan.items["docs/a.txt"].kind, Kind::File);
        assert_eq!(scan.items["docs"].kind, Kind::Folder);
        assert_eq!(
            scan.items["\u{e9}.txt"].on_disk.as_deref(),
            Some("e\u{301}.txt")
        );
        let blocked: Vec<&str> = scan.blocked.iter().map(String::as_str).collect();
        #[cfg(unix)]
        assert_eq!(blocked, ["docs/back\\slash.txt", "link", "twin\u{e9}"]);
        assert_eq!(scan.issues.len(), blocked.len());
    }
}
