//! Listing: one directory as a stream of pages (so the first entries show while the listing
//! goes on), a whole tree, stat of one path, and usage.
//!
//! A key that is not a clean path (another tool made it) never stops a listing: it is listed
//! as an [`EntryKind::Unusable`] entry. Those are held back to the last page, so a decomposed
//! name can be matched with its composed twin wherever in the listing that one is.

use std::collections::HashSet;

use futures::{Stream, TryStreamExt, stream};

use super::entry::{Entry, EntryKind, Unusable, Usage};
use super::folder::Storage;
use super::listed_key::{KeyProblem, Listed};
use super::metadata::ObjectInfo;
use super::object_client::{ListObjectsParams, ListObjectsResult, ListedObject};
use super::remote_path::RemotePath;
use crate::error::{Error, ErrorCode, Result};

/// Where a paged listing stands between two requests.
struct Cursor {
    token: Option<String>,
    done: bool,
    seen_folders: HashSet<String>,
    seen_any: bool,
    unusable: HeldBack,
}

/// One page of ListObjectsV2, already turned into entries.
struct Page {
    entries: Vec<Entry>,
    /// Whether any key (a marker included) lies under the prefix.
    any_key: bool,
    next: Option<String>,
}

/// The unusable entries of a listing until its end, and the clean paths that could be a
/// decomposed name's twin (those that are not plain ASCII).
#[derive(Default)]
struct HeldBack {
    held: Vec<Entry>,
    composed: HashSet<RemotePath>,
}

impl HeldBack {
    /// The clean entries of `entries`; the others are held back.
    fn pass(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        let mut clean = Vec::with_capacity(entries.len());
        for entry in entries {
            if matches!(entry.kind, EntryKind::Unusable(_)) {
                self.held.push(entry);
            } else {
                if !entry.path.as_str().is_ascii() {
                    self.composed.insert(entry.path.clone());
                }
                clean.push(entry);
            }
        }
        clean
    }

    /// The held entries, each decomposed name with its twin when the listing had one.
    fn release(&mut self) -> Vec<Entry> {
        let mut held = std::mem::take(&mut self.held);
        for entry in &mut held {
            if let EntryKind::Unusable(unusable) = &mut entry.kind
                && unusable.key.problem() == KeyProblem::Decomposed
            {
                unusable.twin = RemotePath::parse(&unusable.key.readable())
                    .ok()
                    .filter(|path| self.composed.contains(path));
            }
        }
        held
    }
}

/// What a stored object is, for [`Storage::stat_object`].
pub(super) enum Stat {
    File(ObjectInfo),
    Folder,
}

impl Storage {
    /// The entries directly inside `dir`, a page at a time. Folders come from common prefixes
    /// and from zero-byte `name/` markers, each once. Listing a file yields that file; listing
    /// a path with nothing under it fails with `storage.not_found`.
    pub fn list<'a>(&'a self, dir: &'a RemotePath) -> impl Stream<Item = Result<Vec<Entry>>> + 'a {
        let cursor = Cursor {
            token: None,
            done: false,
            seen_folders: HashSet::new(),
            seen_any: false,
            unusable: HeldBack::default(),
        };
        stream::try_unfold(cursor, move |mut cursor| async move {
            if cursor.done {
                return Ok(None);
            }
            let page = self.list_page(dir, cursor.token.take(), Some("/")).await?;
            cursor.seen_any |= page.any_key;
            cursor.done = page.next.is_none();
            cursor.token = page.next;
            let mut entries: Vec<Entry> = cursor
                .unusable
                .pass(page.entries)
                .into_iter()
                .filter(|e| {
                    !e.is_folder() || cursor.seen_folders.insert(e.path.as_str().to_owned())
                })
                .collect();
            if cursor.done {
                entries.extend(cursor.unusable.release());
                if !cursor.seen_any && !dir.is_root() {
                    entries.push(self.stat(dir).await?);
                }
            }
            Ok(Some((entries, cursor)))
        })
    }

    /// Every file and folder marker below `dir`, a page at a time.
    pub fn list_recursive<'a>(
        &'a self,
        dir: &'a RemotePath,
    ) -> impl Stream<Item = Result<Vec<Entry>>> + 'a {
        stream::try_unfold(
            (None, false, HeldBack::default()),
            move |(token, done, mut unusable): (Option<String>, bool, HeldBack)| async move {
                if done {
                    return Ok(None);
                }
                let page = self.list_page(dir, token, None).await?;
                let done = page.next.is_none();
                let mut entries = unusable.pass(page.entries);
                if done {
                    entries.extend(unusable.release());
                }
                Ok(Some((entries, (page.next, done, unusable))))
            },
        )
    }

    /// Everything below `dir` at once (folder operations need the whole set before acting).
    pub async fn list_all(&self, dir: &RemotePath) -> Result<Vec<Entry>> {
        self.list_recursive(dir).try_concat().await
    }

    /// A file's size and kept modification time, or that a folder exists.
    pub async fn stat(&self, path: &RemotePath) -> Result<Entry> {
        let kind = match self.stat_object(path).await? {
            Stat::File(info) => EntryKind::File {
                size: info.size,
                modified: info.modified,
            },
            Stat::Folder => EntryKind::Folder,
        };
        Ok(Entry {
            path: path.clone(),
            kind,
        })
    }

    /// A file with what is stored with it, or that a folder exists.
    pub(super) async fn stat_object(&self, path: &RemotePath) -> Result<Stat> {
        if path.is_root() {
            return Ok(Stat::Folder);
        }
        match self.head(path).await {
            Ok(info) => Ok(Stat::File(info)),
            Err(err) if err.code == ErrorCode::StorageNotFound => {
                let page = self.list_page_limited(path, 1).await?;
                if page.any_key {
                    Ok(Stat::Folder)
                } else {
                    Err(Error::not_found(path))
                }
            }
            Err(err) => Err(err),
        }
    }

    /// Bytes and number of files below `path` (or of the file itself); unusable keys count,
    /// since they are stored all the same.
    pub async fn usage(&self, path: &RemotePath) -> Result<Usage> {
        if let Entry {
            kind: EntryKind::File { size, .. },
            ..
        } = self.stat(path).await?
        {
            return Ok(Usage {
                bytes: size,
                files: 1,
            });
        }
        self.list_recursive(path)
            .try_fold(Usage::default(), |mut usage, page| async move {
                for entry in &page {
                    let counts = match &entry.kind {
                        EntryKind::File { .. } => true,
                        EntryKind::Unusable(unusable) => !unusable.key.is_folder(),
                        EntryKind::Folder => false,
                    };
                    if counts {
                        usage.bytes += entry.size();
                        usage.files += 1;
                    }
                }
                Ok(usage)
            })
            .await
    }

    /// Every object whose key starts with `prefix` (a folder's prefix or a listed key), as
    /// listed: for operations on everything under a prefix, clean or not.
    pub(super) async fn objects_below(
        &self,
        prefix: &str,
        doing: &str,
    ) -> Result<Vec<ListedObject>> {
        let mut objects = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .list_objects_page(prefix, token, None, None, doing)
                .await?;
            objects.extend(page.objects);
            match page.next_continuation_token {
                Some(next) => token = Some(next),
                None => return Ok(objects),
            }
        }
    }

    /// The first key starting with `prefix`, if there is one.
    pub(super) async fn first_key_below(
        &self,
        prefix: &str,
        doing: &str,
    ) -> Result<Option<String>> {
        let page = self
            .list_objects_page(prefix, None, None, Some(1), doing)
            .await?;
        Ok(page.objects.into_iter().next().map(|object| object.key))
    }

    async fn list_page_limited(&self, dir: &RemotePath, max_keys: u32) -> Result<Page> {
        self.request_page(dir, None, Some("/"), Some(max_keys))
            .await
    }

    async fn list_page(
        &self,
        dir: &RemotePath,
        token: Option<String>,
        delimiter: Option<&str>,
    ) -> Result<Page> {
        self.request_page(dir, token, delimiter, None).await
    }

    async fn request_page(
        &self,
        dir: &RemotePath,
        token: Option<String>,
        delimiter: Option<&str>,
        max_keys: Option<u32>,
    ) -> Result<Page> {
        let prefix = self.folder().dir_prefix(dir)?;
        let doing = format!("listing {dir}");
        let page = self
            .list_objects_page(&prefix, token, delimiter, max_keys, &doing)
            .await?;
        let any_key = !page.common_prefixes.is_empty() || !page.objects.is_empty();
        let mut entries = Vec::new();
        for folder in &page.common_prefixes {
            entries.push(self.entry(folder, 0, None)?);
        }
        for object in &page.objects {
            if object.key == prefix {
                continue; // the marker of the listed folder itself
            }
            entries.push(self.entry(&object.key, object.size, object.last_modified)?);
        }
        Ok(Page {
            entries,
            any_key,
            next: page.next_continuation_token,
        })
    }

    /// The entry a listed key (an object, or a common prefix ending in `/`) stands for.
    pub(super) fn entry(
        &self,
        key: &str,
        size: u64,
        modified: Option<std::time::SystemTime>,
    ) -> Result<Entry> {
        Ok(match Listed::of(self.folder(), key)? {
            Listed::Path(path) if key.ends_with('/') => Entry {
                path,
                kind: EntryKind::Folder,
            },
            Listed::Path(path) => Entry {
                path,
                kind: EntryKind::File { size, modified },
            },
            Listed::Unclean(key) => Entry {
                path: key.holder(),
                kind: EntryKind::Unusable(Box::new(Unusable {
                    key,
                    size,
                    modified,
                    twin: None,
                })),
            },
        })
    }

    pub(super) async fn list_objects_page(
        &self,
        prefix: &str,
        token: Option<String>,
        delimiter: Option<&str>,
        max_keys: Option<u32>,
        doing: &str,
    ) -> Result<ListObjectsResult> {
        let params = ListObjectsParams {
            prefix: prefix.to_owned(),
            delimiter: delimiter.map(str::to_owned),
            continuation_token: token,
            max_keys,
            start_after: None,
        };
        self.send(doing, || self.client().list_objects(&params))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::test_folder::storage_with;

    const UNCLEAN: [&str; 5] = [
        "docs/e\u{301}t\u{e9}.txt",
        "docs/a//b.txt",
        "docs/../x.txt",
        "docs/back\\slash.txt",
        "docs/sub\\dir/c.txt",
    ];

    fn unusable(entries: &[Entry]) -> Vec<(String, &str, KeyProblem, Option<&str>)> {
        let mut found: Vec<_> = entries
            .iter()
            .filter_map(|e| match &e.kind {
                EntryKind::Unusable(u) => Some((
                    u.key.exact(),
                    e.path.as_str(),
                    u.key.problem(),
                    u.twin.as_ref().map(RemotePath::as_str),
                )),
                _ => None,
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    #[tokio::test]
    async fn a_folder_with_unclean_keys_still_lists() {
        let mut keys = vec!["docs/ok.txt", "docs/\u{e9}t\u{e9}.txt"];
        keys.extend(UNCLEAN);
        let storage = storage_with(&keys).await;
        let docs = RemotePath::parse("docs").unwrap();
        let listed: Vec<Entry> = storage.list(&docs).try_concat().await.unwrap();
        assert_eq!(listed.len(), 7, "{listed:#?}");
        let clean: Vec<&str> = listed
            .iter()
            .filter(|e| !matches!(e.kind, EntryKind::Unusable(_)))
            .map(|e| e.path.as_str())
            .collect();
        assert_eq!(clean, ["docs/a", "docs/ok.txt", "docs/\u{e9}t\u{e9}.txt"]);
        assert_eq!(
            unusable(&listed),
            [
                ("docs/../".to_owned(), "docs", KeyProblem::DotSegment, None),
                (
                    "docs/back\\\\slash.txt".to_owned(),
                    "docs",
                    KeyProblem::Backslash,
                    None
                ),
                (
                    "docs/e\\u{301}t\\u{e9}.txt".to_owned(),
                    "docs",
                    KeyProblem::Decomposed,
                    Some("docs/\u{e9}t\u{e9}.txt")
                ),
                (
                    "docs/sub\\\\dir/".to_owned(),
                    "docs",
                    KeyProblem::Backslash,
                    None
                ),
            ]
        );

        let all = storage.list_all(&docs).await.unwrap();
        assert_eq!(all.len(), 7, "{all:#?}");
        assert_eq!(unusable(&all).len(), 5);
        assert!(unusable(&all).contains(&(
            "docs/a//b.txt".to_owned(),
            "docs/a",
            KeyProblem::EmptySegment,
            None
        )));
        let usage = storage.usage(&docs).await.unwrap();
        assert_eq!((usage.bytes, usage.files), (28, 7));

        storage
            .delete(std::slice::from_ref(&docs), true)
            .await
            .unwrap();
        assert!(
            storage
                .list_all(&RemotePath::root())
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn an_unusable_key_is_deleted_only_as_a_fresh_listing_shows_it() {
        let storage = storage_with(&["e\u{301}.txt", "\u{e9}.txt", "a//b/c.txt", "a//d.txt"]).await;
        let nfd = storage.find_listed("e\\u{301}.txt").await.unwrap();
        assert_eq!(nfd.readable(), "\u{e9}.txt");
        let clean = storage.find_listed("\\u{e9}.txt").await.unwrap_err();
        assert_eq!(
            clean.code,
            ErrorCode::StorageInvalidPath,
            "{}",
            clean.message
        );
        for missing in ["e\\u{301}", "nope.txt", "a//b/c", ""] {
            let err = storage.find_listed(missing).await.unwrap_err();
            assert_eq!(err.code, ErrorCode::StorageNotFound, "{missing}");
        }
        storage.delete_listed(&[nfd], false).await.unwrap();

        let folder = storage.find_listed("a//").await.unwrap();
        assert!(folder.is_folder());
        let err = storage
            .delete_listed(std::slice::from_ref(&folder), false)
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::StorageIsFolder);
        let report = storage.delete_listed(&[folder], true).await.unwrap();
        assert_eq!(
            report.deleted, 3,
            "the keys below, and a marker if there were one"
        );
        let left: Vec<String> = storage
            .list_all(&RemotePath::root())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.path.as_str().to_owned())
            .collect();
        assert_eq!(left, ["\u{e9}.txt"]);
    }
}
