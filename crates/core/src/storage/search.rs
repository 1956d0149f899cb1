//! Searching a folder by name, at any depth: the recursive listing filtered as it streams, so
//! the first matches show while the rest of a large folder is still being listed. Names match
//! when the query is part of them with case and accents ignored ("resume" finds "Résumé.pdf").

use std::collections::HashSet;

use futures::{Stream, StreamExt};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::entry::{Entry, EntryKind};
use super::folder::Storage;
use super::remote_path::RemotePath;
use crate::error::Result;

/// A search query, folded once for comparing with every listed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameQuery {
    folded: String,
}

impl NameQuery {
    /// The query `text`; surrounding spaces do not count.
    pub fn new(text: &str) -> Self {
        Self {
            folded: fold(text.trim()),
        }
    }

    /// Whether `name` contains the query, case and accents ignored. An empty query matches
    /// every name.
    pub fn matches(&self, name: &str) -> bool {
        self.matches_folded(&fold(name))
    }

    /// Whether a name already folded (see [`NameQuery::matches`]) contains the query.
    pub(super) fn matches_folded(&self, folded: &str) -> bool {
        folded.contains(&self.folded)
    }
}

/// `text` without accents (decomposed, combining marks dropped) and in lower case.
pub(super) fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Storage {
    /// The files and folders below `dir`, at any depth, whose name matches `query`, a page of
    /// the recursive listing at a time (pages may be empty). Folders that exist only through
    /// the files in them are found too, each once. Unusable keys match by their readable name.
    pub fn search<'a>(
        &'a self,
        dir: &'a RemotePath,
        query: &'a NameQuery,
    ) -> impl Stream<Item = Result<Vec<Entry>>> + 'a {
        let mut folders_seen: HashSet<RemotePath> = HashSet::new();
        self.list_recursive(dir).map(move |page| {
            let mut found = Vec::new();
            for entry in page? {
                for folder in folders_between(dir, &entry) {
                    if folders_seen.insert(folder.clone())
                        && folder.name().is_some_and(|name| query.matches(name))
                    {
                        found.push(Entry {
                            path: folder,
                            kind: EntryKind::Folder,
                        });
                    }
                }
                if matches!(entry.kind, EntryKind::Folder) {
                    continue; // a marker: reported above, as its own folder
                }
                if entry_name(&entry).is_some_and(|name| query.matches(&name)) {
                    found.push(entry);
                }
            }
            Ok(found)
        })
    }
}

/// The folders strictly below `dir` on the way to `entry`, and the entry itself when it is a
/// folder marker.
fn folders_between(dir: &RemotePath, entry: &Entry) -> Vec<RemotePath> {
    let Some(relative) = entry.path.relative_to(dir) else {
        return Vec::new();
    };
    let mut segments: Vec<&str> = relative.split('/').filter(|s| !s.is_empty()).collect();
    if matches!(entry.kind, EntryKind::File { .. }) {
        segments.pop();
    }
    let mut folders = Vec::with_capacity(segments.len());
    let mut path = dir.clone();
    for segment in segments {
        match path.join(segment) {
            Ok(next) => path = next,
            Err(_) => break,
        }
        folders.push(path.clone());
    }
    folders
}

/// The name an entry shows under: a file's last segment, an unusable key's readable one.
fn entry_name(entry: &Entry) -> Option<String> {
    match &entry.kind {
        EntryKind::Unusable(unusable) => {
            let readable = unusable.key.readable();
            let trimmed = readable.trim_end_matches('/');
            Some(trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned())
        }
        _ => entry.path.name().map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures::TryStreamExt;

    use super::*;
    use crate::storage::{FolderRoot, MemoryClient, PutObjectParams};

    #[test]
    fn names_match_ignoring_case_and_accents() {
        let query = NameQuery::new(" resume ");
        assert!(query.matches("Résumé.pdf"));
        assert!(query.matches("RESUME.txt"));
        assert!(
            query.matches("my-re\u{301}sume\u{301}"),
            "decomposed accents"
        );
        assert!(!query.matches("resum.pdf"));
        assert!(NameQuery::new("ÉTÉ").matches("photos été 2024"));
        assert!(NameQuery::new("").matches("anything"));
        assert!(NameQuery::new("été").matches("Ete"));
    }

    #[tokio::test]
    async fn search_finds_files_and_folders_at_any_depth_once() {
        let storage = Storage::with_client(
            Arc::new(MemoryClient::new("bucket")),
            FolderRoot::new("me/").unwrap(),
        );
        for key in [
            "docs/Résumé.pdf",
            "docs/old/resume-2019.txt",
            "docs/old/other.txt",
            "docs/resumes/a.txt",
            "docs/resumes/b.txt",
            "docs/empty-resume/",
            "photos/resume.jpg",
        ] {
            let params = PutObjectParams {
                key: format!("me/{key}"),
                body: bytes::Bytes::from_static(b"x"),
                ..PutObjectParams::default()
            };
            storage.client().put_object(&params).await.unwrap();
        }
        let docs = RemotePath::parse("docs").unwrap();
        let query = NameQuery::new("RESUME");
        let found: Vec<Entry> = storage.search(&docs, &query).try_concat().await.unwrap();
        let mut paths: Vec<(&str, bool)> = found
            .iter()
            .map(|e| (e.path.as_str(), e.is_folder()))
            .collect();
        paths.sort_unstable();
        assert_eq!(
            paths,
            [
                ("docs/Résumé.pdf", false),
                ("docs/empty-resume", true),
                ("docs/old/resume-2019.txt", false),
                ("docs/resumes", true),
            ]
        );
    }
}
