//! The listing of a whole tree for a sync: every object below a folder, with its ETag. A tree
//! of one page costs one request. A larger one whose first page spans only a few top-level
//! folders (large folders) is listed by those folders, several at once: page after page,
//! 20,000 files cost 20 round trips one after another, most of a sync that found nothing to do.
//! Each of those pages is read (its XML parsed, its keys made paths) on a task of its own, so
//! the pages of several folders are read on several threads: reading, not waiting, is most of
//! a listing's time on a fast network.

use futures::{FutureExt, Stream, StreamExt, TryStreamExt, stream};

use super::entry::Entry;
use super::folder::Storage;
use super::object_client::{ListObjectsParams, ListedObject};
use super::remote_path::RemotePath;
use crate::error::{Error, Result};

/// Top-level folders listed at once.
const FOLDERS_AT_ONCE: usize = 8;

/// A first page that spans at most this many top-level folders means folders of hundreds of
/// files or more: listing each on its own costs few more requests than paging through them.
/// Smaller folders are paged through in order (a request each would cost more than it saves).
const SPLIT_WHEN_PAGE_SPANS: usize = 4;

impl Storage {
    /// Every file and folder marker below `dir`, each file with its ETag, handed to `each` a
    /// page at a time (only a few pages are held at once), in no particular order: what a sync
    /// compares with the previous listing to find what changed without reading any object.
    pub async fn for_each_version(
        &self,
        dir: &RemotePath,
        mut each: impl FnMut(Entry, Option<String>),
    ) -> Result<()> {
        let prefix = self.folder().dir_prefix(dir)?;
        let doing = format!("listing {dir}");
        let first = self
            .list_objects_page(&prefix, None, None, None, &doing)
            .await?;
        let last = first.objects.last().map(|o| o.key.clone());
        let spanned = top_folders_spanned(&prefix, &first.objects);
        self.hand_over(&prefix, first.objects, &mut each)?;
        let (Some(token), Some(last)) = (first.next_continuation_token, last) else {
            return Ok(());
        };
        if spanned > SPLIT_WHEN_PAGE_SPANS {
            let rest = self.pages(&prefix, prefix.clone(), Some(token), None, &doing);
            return hand_over_all(rest, &mut each).await;
        }
        // What the first page did not reach: the top-level files and folders after its last
        // key (the folder it ended in from that key on).
        let folders = self
            .top_level_after(&prefix, Some(&last), &doing, &mut each)
            .await?;
        let below = folders.into_iter().map(|folder| {
            let after = last.starts_with(&folder).then(|| last.clone());
            Box::pin(self.pages(&prefix, folder, None, after, &doing))
        });
        let pages = stream::iter(below).flatten_unordered(FOLDERS_AT_ONCE);
        hand_over_all(pages, &mut each).await
    }

    /// One level of [`Self::for_each_version`]: the files directly in `dir`, each with its
    /// ETag, and its folders (as folder entries), handed to `each`; what a sync needs to see
    /// one folder that changed.
    pub async fn for_each_version_in(
        &self,
        dir: &RemotePath,
        mut each: impl FnMut(Entry, Option<String>),
    ) -> Result<()> {
        let prefix = self.folder().dir_prefix(dir)?;
        let doing = format!("listing {dir}");
        for folder in self
            .top_level_after(&prefix, None, &doing, &mut each)
            .await?
        {
            each(self.entry(&folder, 0, None)?, None);
        }
        Ok(())
    }

    /// Hands the files directly in `prefix` (after the key `after`, if given) to `each`; the
    /// top-level folders holding keys after `after`.
    async fn top_level_after(
        &self,
        prefix: &str,
        after: Option<&str>,
        doing: &str,
        each: &mut impl FnMut(Entry, Option<String>),
    ) -> Result<Vec<String>> {
        let mut folders = Vec::new();
        let mut cursor = (None, after.map(str::to_owned));
        loop {
            let params = ListObjectsParams {
                prefix: prefix.to_owned(),
                delimiter: Some("/".to_owned()),
                continuation_token: cursor.0,
                start_after: cursor.1,
                max_keys: None,
            };
            let page = self
                .send(doing, || self.client().list_objects(&params))
                .await?;
            self.hand_over(prefix, page.objects, each)?;
            folders.extend(page.common_prefixes);
            match page.next_continuation_token {
                Some(token) => cursor = (Some(token), None),
                None => return Ok(folders),
            }
        }
    }

    /// The pages of the recursive listing of `prefix` (below the listed folder's `top`), from
    /// `token` or after the key `after`, as entries.
    fn pages<'a>(
        &'a self,
        top: &'a str,
        prefix: String,
        token: Option<String>,
        after: Option<String>,
        doing: &'a str,
    ) -> impl Stream<Item = Result<Vec<(Entry, Option<String>)>>> + 'a {
        stream::try_unfold(Some((token, after)), move |cursor| {
            let prefix = prefix.clone();
            async move {
                let Some((continuation_token, start_after)) = cursor else {
                    return Ok(None);
                };
                let params = ListObjectsParams {
                    prefix,
                    delimiter: None,
                    continuation_token,
                    start_after,
                    max_keys: None,
                };
                let (entries, token) = self.read_page(top, params, doing).await?;
                Ok(Some((entries, token.map(|token| (Some(token), None)))))
            }
        })
    }

    /// One page of `params`' listing as entries (below the listed folder's `top`) and the
    /// token of the next, fetched and read on a task of its own (stopped when dropped).
    async fn read_page(
        &self,
        top: &str,
        params: ListObjectsParams,
        doing: &str,
    ) -> Result<(Vec<(Entry, Option<String>)>, Option<String>)> {
        let (storage, top, doing) = (self.clone(), top.to_owned(), doing.to_owned());
        let (read, page) = async move {
            let page = storage
                .send(&doing, || storage.client().list_objects(&params))
                .await?;
            let mut entries = Vec::with_capacity(page.objects.len());
            storage.hand_over(&top, page.objects, &mut |entry, etag| {
                entries.push((entry, etag))
            })?;
            Ok::<_, Error>((entries, page.next_continuation_token))
        }
        .remote_handle();
        tokio::spawn(read);
        page.await
    }

    /// Hands each listed object below `prefix` to `each` (not the folder's own marker).
    fn hand_over(
        &self,
        prefix: &str,
        objects: Vec<ListedObject>,
        each: &mut impl FnMut(Entry, Option<String>),
    ) -> Result<()> {
        for object in objects {
            if object.key == prefix {
                continue;
            }
            each(
                self.entry(&object.key, object.size, object.last_modified)?,
                object.etag,
            );
        }
        Ok(())
    }
}

/// Hands the entries of each of `pages` to `each`.
async fn hand_over_all(
    pages: impl Stream<Item = Result<Vec<(Entry, Option<String>)>>>,
    each: &mut impl FnMut(Entry, Option<String>),
) -> Result<()> {
    let mut pages = std::pin::pin!(pages);
    while let Some(entries) = pages.try_next().await? {
        for (entry, etag) in entries {
            each(entry, etag);
        }
    }
    Ok(())
}

/// How many top-level folders below `prefix` the keys of `objects` (in key order) lie in.
fn top_folders_spanned(prefix: &str, objects: &[ListedObject]) -> usize {
    let mut spanned = 0;
    let mut current: Option<&str> = None;
    for object in objects {
        let rest = object.key.strip_prefix(prefix).unwrap_or(&object.key);
        if let Some(at) = rest.find('/') {
            let folder = &rest[..at];
            if current != Some(folder) {
                spanned += 1;
                current = Some(folder);
            }
        }
    }
    spanned
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::storage::{FolderRoot, MemoryClient, ObjectClient, PutObjectParams};

    async fn storage_holding(keys: &[String]) -> Storage {
        let client = Arc::new(MemoryClient::new("bucket"));
        for key in keys {
            let params = PutObjectParams {
                key: key.clone(),
                body: bytes::Bytes::from_static(b"abc"),
                ..Default::default()
            };
            client.put_object(&params).await.unwrap();
        }
        Storage::with_client(client, FolderRoot::new("me/").unwrap())
    }

    async fn listed(storage: &Storage, dir: &str) -> BTreeMap<String, Option<String>> {
        let mut found = BTreeMap::new();
        let dir = RemotePath::parse(dir).unwrap();
        storage
            .for_each_version(&dir, |entry, etag| {
                let path = entry
                    .path
                    .relative_to(&dir)
                    .expect("listed below the folder");
                let fresh = found.insert(path.to_owned(), etag).is_none();
                assert!(fresh, "{} listed twice", entry.path);
            })
            .await
            .unwrap();
        found
    }

    /// Large folders (listed apart) and small ones (paged through), each with files directly
    /// inside too: every key once, with its ETag, and nothing from beside the folder.
    #[tokio::test]
    async fn every_key_is_listed_once_whichever_way_the_tree_is_split() {
        for (folders, per_folder) in [(3, 900), (40, 60), (1, 2500)] {
            let mut keys = vec!["me/sync/".to_owned(), "me/other/x.txt".to_owned()];
            keys.extend((0..5).map(|i| format!("me/sync/top{i}.txt")));
            for f in 0..folders {
                keys.push(format!("me/sync/d{f:03}/"));
                keys.extend((0..per_folder).map(|i| format!("me/sync/d{f:03}/f{i:05}.bin")));
            }
            keys.push("me/sync/zz-last.txt".to_owned());
            let storage = storage_holding(&keys).await;
            let found = listed(&storage, "sync").await;
            let expected: Vec<String> = keys
                .iter()
                .filter_map(|k| k.strip_prefix("me/sync/"))
                .filter(|k| !k.is_empty())
                .map(|k| k.trim_end_matches('/').to_owned())
                .collect();
            assert_eq!(found.len(), expected.len(), "{folders} x {per_folder}");
            for path in expected {
                let etag = found.get(&path).unwrap_or_else(|| panic!("{path} missing"));
                assert!(etag.is_some(), "{path} without its ETag");
            }
        }
    }

    /// One level: the files directly in the folder with their ETags, and each folder once
    /// (with a marker or only files below it); nothing deeper, nothing beside.
    #[tokio::test]
    async fn one_level_is_the_folder_s_own_files_and_folders() {
        let keys = [
            "me/sync/",
            "me/sync/a.txt",
            "me/sync/b/",
            "me/sync/b/x.txt",
            "me/sync/c/deep/y.txt",
            "me/synced.txt",
            "me/other/z.txt",
        ]
        .map(str::to_owned);
        let storage = storage_holding(&keys).await;
        let dir = RemotePath::parse("sync").unwrap();
        let mut found = BTreeMap::new();
        storage
            .for_each_version_in(&dir, |entry, etag| {
                let is_folder = matches!(entry.kind, crate::storage::EntryKind::Folder);
                let path = entry.path.relative_to(&dir).unwrap().to_owned();
                found.insert(path, (is_folder, etag.is_some()));
            })
            .await
            .unwrap();
        let expected = [
            ("a.txt", (false, true)),
            ("b", (true, false)),
            ("c", (true, false)),
        ]
        .map(|(path, seen)| (path.to_owned(), seen));
        assert_eq!(found, BTreeMap::from(expected));
    }

    #[test]
    fn the_folders_a_page_spans_are_counted_in_order() {
        let objects: Vec<ListedObject> = ["p/a.txt", "p/d1/x", "p/d1/y", "p/d2/x", "p/d3/z/w"]
            .into_iter()
            .map(|key| ListedObject {
                key: key.to_owned(),
                size: 0,
                last_modified: None,
                etag: None,
            })
            .collect();
        assert_eq!(top_folders_spanned("p/", &objects), 3);
    }
}
