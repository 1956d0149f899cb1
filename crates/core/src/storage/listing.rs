//! Listing: one directory as a stream of pages (so the first entries show while the listing
//! goes on), a whole tree, stat of one path, and usage.

use std::collections::HashSet;

use futures::{Stream, TryStreamExt, stream};

use super::entry::{Entry, EntryKind, Usage};
use super::folder::Storage;
use super::object_client::ListObjectsParams;
use super::remote_path::RemotePath;
use crate::error::{Error, ErrorCode, Result};

/// Where a paged listing stands between two requests.
struct Cursor {
    token: Option<String>,
    done: bool,
    seen_folders: HashSet<String>,
    seen_any: bool,
}

/// One page of ListObjectsV2, already turned into entries.
struct Page {
    entries: Vec<Entry>,
    /// Whether any key (a marker included) lies under the prefix.
    any_key: bool,
    next: Option<String>,
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
        };
        stream::try_unfold(cursor, move |mut cursor| async move {
            if cursor.done {
                return Ok(None);
            }
            let page = self.list_page(dir, cursor.token.take(), Some("/")).await?;
            cursor.seen_any |= page.any_key;
            cursor.done = page.next.is_none();
            cursor.token = page.next;
            let mut entries: Vec<Entry> = page
                .entries
                .into_iter()
                .filter(|e| {
                    !e.is_folder() || cursor.seen_folders.insert(e.path.as_str().to_owned())
                })
                .collect();
            if cursor.done && !cursor.seen_any && !dir.is_root() {
                entries.push(self.stat(dir).await?);
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
            (None, false),
            move |(token, done): (Option<String>, bool)| async move {
                if done {
                    return Ok(None);
                }
                let page = self.list_page(dir, token, None).await?;
                let done = page.next.is_none();
                Ok(Some((page.entries, (page.next, done))))
            },
        )
    }

    /// Everything below `dir` at once (folder operations need the whole set before acting).
    pub async fn list_all(&self, dir: &RemotePath) -> Result<Vec<Entry>> {
        self.list_recursive(dir).try_concat().await
    }

    /// A file's size and kept modification time, or that a folder exists.
    pub async fn stat(&self, path: &RemotePath) -> Result<Entry> {
        if path.is_root() {
            return Ok(Entry {
                path: path.clone(),
                kind: EntryKind::Folder,
            });
        }
        match self.head(path).await {
            Ok(info) => Ok(Entry {
                path: path.clone(),
                kind: EntryKind::File {
                    size: info.size,
                    modified: info.modified,
                },
            }),
            Err(err) if err.code == ErrorCode::StorageNotFound => {
                let page = self.list_page_limited(path, 1).await?;
                if page.any_key {
                    Ok(Entry {
                        path: path.clone(),
                        kind: EntryKind::Folder,
                    })
                } else {
                    Err(Error::not_found(path))
                }
            }
            Err(err) => Err(err),
        }
    }

    /// Bytes and number of files below `path` (or of the file itself).
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
                for entry in page.iter().filter(|e| !e.is_folder()) {
                    usage.bytes += entry.size();
                    usage.files += 1;
                }
                Ok(usage)
            })
            .await
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
        let params = ListObjectsParams {
            prefix: self.folder().dir_prefix(dir)?,
            delimiter: delimiter.map(str::to_owned),
            continuation_token: token,
            max_keys,
        };
        let doing = format!("listing {dir}");
        let page = self
            .send(&doing, || self.client().list_objects(&params))
            .await?;
        let any_key = !page.common_prefixes.is_empty() || !page.objects.is_empty();
        let mut entries = Vec::new();
        for folder in &page.common_prefixes {
            entries.push(Entry {
                path: self.folder().path_of_key(folder)?,
                kind: EntryKind::Folder,
            });
        }
        for object in &page.objects {
            if object.key == params.prefix {
                continue; // the marker of the listed folder itself
            }
            let path = self.folder().path_of_key(&object.key)?;
            let kind = if object.key.ends_with('/') {
                EntryKind::Folder
            } else {
                EntryKind::File {
                    size: object.size,
                    modified: object.last_modified,
                }
            };
            entries.push(Entry { path, kind });
        }
        let next = page.next_continuation_token;
        Ok(Page {
            entries,
            any_key,
            next,
        })
    }
}
