//! An upload checked before it starts: what the dropped or picked files and folders hold (files,
//! folders, bytes, what is left out) and which of their names the target folder already has, so
//! a front end can ask replace, keep both or skip for each clash before anything moves.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use super::blocking::blocking;
use super::engine::Transfers;
use super::local_tree::{Links, LocalTree};
use super::tree::Queued;
use crate::error::{Error, ErrorCode, Result};
use crate::storage::{EntryKind, RemotePath, free_name};

/// Up to this many dropped or picked items are looked up in the target folder one by one
/// (a request or two each, at once, whatever the folder holds); more, and the folder is listed
/// once instead (a request per thousand names, and the server walks every key below it).
const LOOKED_UP_ONE_BY_ONE: usize = 16;

/// Whether a name is a file or a folder: `"file"` or `"folder"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A file.
    File,
    /// A folder.
    Folder,
}

/// How a clash is settled: `"replace"`, `"keep_both"` or `"skip"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClashDecision {
    /// Upload under the same name: files of that name are replaced, a folder's other files
    /// stay. A file cannot replace a folder, nor a folder a file.
    Replace,
    /// Upload under the first free name, `name (2).ext` style.
    KeepBoth,
    /// Leave it out.
    Skip,
}

/// A top-level item whose name the target folder already has:
/// `{"name", "incoming": "file" | "folder", "existing": "file" | "folder"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clash {
    /// The name in the target folder.
    pub name: String,
    /// What is being uploaded under that name.
    pub incoming: ItemKind,
    /// What is there already.
    pub existing: ItemKind,
}

/// A local item the upload leaves out, and why: `{"path", "reason"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedLocal {
    /// The local path.
    pub path: String,
    /// Why, for people.
    pub reason: String,
}

/// One dropped or picked file or folder.
#[derive(Debug)]
struct Item {
    name: String,
    kind: ItemKind,
    tree: LocalTree,
}

/// An upload checked and waiting to start; serializes as its summary (`to`, `files`,
/// `folders`, `bytes`, `clashes`, `skipped`).
#[derive(Debug, Serialize)]
pub struct UploadPlan {
    /// The target folder.
    pub to: RemotePath,
    /// Files to upload.
    pub files: u64,
    /// Folders created, the empty ones among them.
    pub folders: u64,
    /// The files' bytes added up.
    pub bytes: u64,
    /// Top-level names the target already has.
    pub clashes: Vec<Clash>,
    /// What is left out.
    pub skipped: Vec<SkippedLocal>,
    #[serde(skip)]
    items: Vec<Item>,
    /// The items' names the target folder had when it was checked, with what each is there.
    #[serde(skip)]
    existing: HashMap<String, ItemKind>,
}

impl Transfers {
    /// Checks an upload of local files and folders into the folder `to`: walks them (symbolic
    /// links inside folders are left out and named) while `to` is asked which of their names
    /// it has.
    pub async fn plan_upload(&self, locals: Vec<PathBuf>, to: RemotePath) -> Result<UploadPlan> {
        let names: Vec<String> = locals.iter().map(|local| item_name(local)).collect();
        let into = to.clone();
        let walked = blocking("reading the dropped files", move || walk(&locals, &into));
        let (walked, existing) = tokio::join!(walked, self.names_taken(&to, &names));
        let (items, bytes) = walked?;
        let existing = existing?;
        let clashes = items
            .iter()
            .filter_map(|item| {
                existing.get(&item.name).map(|existing| Clash {
                    name: item.name.clone(),
                    incoming: item.kind,
                    existing: *existing,
                })
            })
            .collect();
        let files = items.iter().map(|i| i.tree.files.len() as u64).sum();
        Ok(UploadPlan {
            files,
            folders: count_folders(&to, &items),
            bytes,
            clashes,
            skipped: items
                .iter()
                .flat_map(|i| &i.tree.skipped)
                .map(|s| SkippedLocal {
                    path: s.name.clone(),
                    reason: s.reason.clone(),
                })
                .collect(),
            to,
            items,
            existing,
        })
    }

    /// Queues a checked upload, each clash settled by `decisions` (a clash without one is
    /// skipped). Folders keep their structure; empty ones are created.
    pub async fn start_upload(
        &self,
        plan: UploadPlan,
        decisions: &HashMap<String, ClashDecision>,
    ) -> Result<Queued> {
        // A name kept beside another must be free among all the folder's names: only then is
        // the whole folder listed.
        let keeps_both = (plan.existing.keys())
            .any(|name| decisions.get(name) == Some(&ClashDecision::KeepBoth));
        let mut taken: HashSet<String> = match keeps_both {
            true => self.names_in(&plan.to).await?.into_keys().collect(),
            false => HashSet::new(),
        };
        taken.extend(plan.existing.keys().cloned());
        taken.extend(plan.items.iter().map(|i| i.name.clone()));
        let mut tree = LocalTree::default();
        for mut item in plan.items {
            if let Some(existing) = plan.existing.get(&item.name) {
                match decisions
                    .get(&item.name)
                    .copied()
                    .unwrap_or(ClashDecision::Skip)
                {
                    ClashDecision::Skip => continue,
                    ClashDecision::Replace if *existing != item.kind => {
                        return Err(Error::new(
                            ErrorCode::StorageAlreadyExists,
                            format!(
                                "{} is a {} in {}; a {} cannot replace it: keep both or skip",
                                item.name,
                                kind_name(*existing),
                                plan.to,
                                kind_name(item.kind)
                            ),
                        ));
                    }
                    ClashDecision::Replace => {}
                    ClashDecision::KeepBoth => {
                        let is_folder = item.kind == ItemKind::Folder;
                        let name = free_name(&item.name, is_folder, |n| taken.contains(n));
                        taken.insert(name.clone());
                        rename_top(&mut item.tree, &plan.to, &item.name, &name)?;
                    }
                }
            }
            tree.files.append(&mut item.tree.files);
            tree.empty_folders.append(&mut item.tree.empty_folders);
            tree.skipped.append(&mut item.tree.skipped);
        }
        self.queue_tree(tree).await
    }
}

impl Transfers {
    /// Which of `names` the folder `to` has, and what each is there: each looked up, or for
    /// many names the folder listed.
    async fn names_taken(
        &self,
        to: &RemotePath,
        names: &[String],
    ) -> Result<HashMap<String, ItemKind>> {
        if names.len() > LOOKED_UP_ONE_BY_ONE {
            let wanted: HashSet<&String> = names.iter().collect();
            let mut existing = self.names_in(to).await?;
            existing.retain(|name, _| wanted.contains(name));
            return Ok(existing);
        }
        let lookups = names
            .iter()
            .filter(|name| !name.is_empty())
            .map(|name| async move {
                let kind = match self.storage().stat(&to.join(name)?).await {
                    Ok(entry) => item_kind(&entry.kind),
                    Err(err) if err.code == ErrorCode::StorageNotFound => None,
                    Err(err) => return Err(err),
                };
                Ok(kind.map(|kind| (name.clone(), kind)))
            });
        let found = futures::future::try_join_all(lookups).await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// Every name directly in the folder `to`, with what it is; none when it does not exist
    /// yet (a new folder has nothing to clash with).
    async fn names_in(&self, to: &RemotePath) -> Result<HashMap<String, ItemKind>> {
        let mut existing = HashMap::new();
        let mut pages = std::pin::pin!(self.storage().list(to));
        loop {
            let page = match pages.try_next().await {
                Ok(Some(page)) => page,
                Ok(None) => return Ok(existing),
                Err(err) if err.code == ErrorCode::StorageNotFound => return Ok(existing),
                Err(err) => return Err(err),
            };
            for entry in page {
                let Some(kind) = item_kind(&entry.kind) else {
                    continue;
                };
                if let Some(name) = entry.path.relative_to(to).filter(|n| !n.is_empty()) {
                    existing.insert(name.to_owned(), kind);
                }
            }
        }
    }
}

/// What an entry is as an item; none for a key that is not a clean path.
fn item_kind(kind: &EntryKind) -> Option<ItemKind> {
    match kind {
        EntryKind::File { .. } => Some(ItemKind::File),
        EntryKind::Folder => Some(ItemKind::Folder),
        EntryKind::Unusable(_) => None,
    }
}

/// The name a dropped or picked path has in the target folder.
fn item_name(local: &Path) -> String {
    local
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned()
}

fn kind_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::File => "file",
        ItemKind::Folder => "folder",
    }
}

/// Each local path as one item, checked before anything else, and the files' bytes added up
/// (blocking: it reads the disk).
fn walk(locals: &[PathBuf], into: &RemotePath) -> Result<(Vec<Item>, u64)> {
    let mut names = HashSet::new();
    let mut items = Vec::with_capacity(locals.len());
    for local in locals {
        let mut tree = LocalTree::default();
        tree.add(local, into, Links::Skip)?;
        let is_folder = std::fs::metadata(local).is_ok_and(|m| m.is_dir());
        let name = item_name(local);
        if !names.insert(name.clone()) {
            return Err(Error::new(
                ErrorCode::TransferNameClash,
                format!("two of the items are named {name}; upload them one at a time"),
            ));
        }
        items.push(Item {
            name,
            kind: if is_folder {
                ItemKind::Folder
            } else {
                ItemKind::File
            },
            tree,
        });
    }
    let bytes = items
        .iter()
        .flat_map(|i| &i.tree.files)
        .map(|(local, _)| std::fs::metadata(local).map(|m| m.len()).unwrap_or(0))
        .sum();
    Ok((items, bytes))
}

/// The folders the upload creates below `to`: every folder on the way to a file, and the
/// empty ones.
fn count_folders(to: &RemotePath, items: &[Item]) -> u64 {
    let mut folders = BTreeSet::new();
    for item in items {
        let parents = item
            .tree
            .files
            .iter()
            .filter_map(|(_, remote)| remote.parent());
        let empty = item.tree.empty_folders.iter().map(|(_, r)| r.clone());
        for mut folder in parents.chain(empty) {
            while folder != *to && !folder.is_root() && folders.insert(folder.clone()) {
                match folder.parent() {
                    Some(parent) => folder = parent,
                    None => break,
                }
            }
        }
    }
    folders.len() as u64
}

/// Moves every destination of `tree` from `to/old` to `to/new`.
fn rename_top(tree: &mut LocalTree, to: &RemotePath, old: &str, new: &str) -> Result<()> {
    let from = to.join(old)?;
    let into = to.join(new)?;
    let moved = |remote: &RemotePath| -> Result<RemotePath> {
        match remote.relative_to(&from) {
            Some("") | None => Ok(into.clone()),
            Some(rest) => into.join(rest),
        }
    };
    for (_, remote) in tree.files.iter_mut().chain(tree.empty_folders.iter_mut()) {
        *remote = moved(remote)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::test_folder::storage_with;
    use crate::transfer::{StateDb, TransferOptions};

    /// A queue over the folder `me/` of an in-memory bucket holding `keys`.
    async fn queue_with(keys: &[&str]) -> Transfers {
        let storage = storage_with(keys).await;
        Transfers::new(
            storage,
            StateDb::in_memory().unwrap(),
            TransferOptions::default(),
        )
        .0
    }

    /// `count` local files `f0.txt`, `f1.txt`, …, then `a.txt` and the folder `photos`.
    fn dropped(dir: &Path, count: usize) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = (0..count).map(|i| dir.join(format!("f{i}.txt"))).collect();
        paths.push(dir.join("a.txt"));
        paths.push(dir.join("photos"));
        std::fs::create_dir_all(dir.join("photos")).unwrap();
        for path in &paths[..count + 1] {
            std::fs::write(path, "x").unwrap();
        }
        std::fs::write(dir.join("photos/p.png"), "x").unwrap();
        paths
    }

    #[tokio::test]
    async fn clashes_are_the_same_whether_looked_up_or_listed() {
        let keys = ["a.txt/", "photos", "f0.txt", "other.txt", "sub/f1.txt"];
        for count in [1, LOOKED_UP_ONE_BY_ONE + 1] {
            let dir = tempfile::tempdir().unwrap();
            let transfers = queue_with(&keys).await;
            let plan = transfers
                .plan_upload(dropped(dir.path(), count), RemotePath::root())
                .await
                .unwrap();
            let clash = |name: &str, incoming, existing| Clash {
                name: name.into(),
                incoming,
                existing,
            };
            assert_eq!(
                plan.clashes,
                [
                    clash("f0.txt", ItemKind::File, ItemKind::File),
                    clash("a.txt", ItemKind::File, ItemKind::Folder),
                    clash("photos", ItemKind::Folder, ItemKind::File),
                ],
                "{} items",
                count + 2
            );
        }
    }

    #[tokio::test]
    async fn keep_both_takes_a_name_free_among_all_the_folders_names() {
        let dir = tempfile::tempdir().unwrap();
        let transfers = queue_with(&["a.txt", "a (2).txt"]).await;
        let local = dir.path().join("a.txt");
        std::fs::write(&local, "new").unwrap();
        let plan = transfers
            .plan_upload(vec![local], RemotePath::root())
            .await
            .unwrap();
        let decisions = HashMap::from([("a.txt".to_owned(), ClashDecision::KeepBoth)]);
        let queued = transfers.start_upload(plan, &decisions).await.unwrap();
        for handle in queued.handles {
            handle.wait().await.unwrap();
        }
        let names: BTreeSet<String> = (transfers.names_in(&RemotePath::root()).await)
            .unwrap()
            .into_keys()
            .collect();
        assert_eq!(
            names,
            BTreeSet::from(["a.txt".into(), "a (2).txt".into(), "a (3).txt".into()])
        );
    }

    #[test]
    fn keep_both_moves_a_whole_folder_under_its_new_name() {
        let to = RemotePath::parse("docs").unwrap();
        let mut tree = LocalTree::default();
        tree.files
            .push(("/l/photos/a.jpg".into(), to.join("photos/a.jpg").unwrap()));
        tree.empty_folders
            .push(("/l/photos/e".into(), to.join("photos/e").unwrap()));
        rename_top(&mut tree, &to, "photos", "photos (2)").unwrap();
        assert_eq!(tree.files[0].1.as_str(), "docs/photos (2)/a.jpg");
        assert_eq!(tree.empty_folders[0].1.as_str(), "docs/photos (2)/e");
    }

    #[test]
    fn folders_count_every_level_once() {
        let to = RemotePath::parse("up").unwrap();
        let mut tree = LocalTree::default();
        for file in ["up/a/b/1", "up/a/b/2", "up/a/3", "up/top.txt"] {
            tree.files
                .push(("/x".into(), RemotePath::parse(file).unwrap()));
        }
        tree.empty_folders
            .push(("/x".into(), RemotePath::parse("up/a/empty").unwrap()));
        let item = Item {
            name: "a".into(),
            kind: ItemKind::Folder,
            tree,
        };
        assert_eq!(count_folders(&to, &[item]), 3, "a, a/b and a/empty");
    }
}
