//! ListObjects / ListObjectsV2 paging over the sorted key index: prefix, delimiter (common
//! prefixes), resume marker, max-keys. Pure, so its edge cases are unit tested.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use super::store::ObjectMeta;

/// S3 never returns more than this many entries in one page.
pub(crate) const MAX_KEYS: usize = 1000;

pub(crate) struct ListQuery<'a> {
    pub prefix: &'a str,
    pub delimiter: Option<&'a str>,
    /// List only entries after this key (StartAfter, or the marker/continuation of a previous page).
    pub after: Option<&'a str>,
    /// `after` came from a previous page: if it was a common prefix, skip everything under it.
    pub resuming: bool,
    pub max_keys: usize,
}

#[derive(Debug, Default)]
pub(crate) struct ListPage {
    pub objects: Vec<Arc<ObjectMeta>>,
    pub common_prefixes: Vec<String>,
    /// The last entry (key or common prefix) returned, when more remain.
    pub next_marker: Option<String>,
    pub truncated: bool,
}

/// Whether `marker` is a common prefix this listing could have returned (it ends at its first
/// delimiter after `prefix`), in which case every key under it was already accounted for.
fn is_common_prefix(marker: &str, prefix: &str, delimiter: Option<&str>) -> bool {
    let Some(delimiter) = delimiter.filter(|d| !d.is_empty()) else {
        return false;
    };
    let Some(rest) = marker.strip_prefix(prefix) else {
        return false;
    };
    rest.find(delimiter)
        .is_some_and(|at| at + delimiter.len() == rest.len())
}

pub(crate) fn list(index: &BTreeMap<String, Arc<ObjectMeta>>, query: &ListQuery<'_>) -> ListPage {
    let mut page = ListPage::default();
    if query.max_keys == 0 {
        return page;
    }
    let skip_under = query
        .after
        .filter(|m| query.resuming && is_common_prefix(m, query.prefix, query.delimiter));
    let start = match query.after {
        Some(after) if after >= query.prefix => Bound::Excluded(after),
        _ => Bound::Included(query.prefix),
    };
    let delimiter = query.delimiter.filter(|d| !d.is_empty());
    let mut emitted = 0usize;
    let mut last: Option<String> = None;
    for (key, meta) in index.range::<str, _>((start, Bound::Unbounded)) {
        if !key.starts_with(query.prefix) {
            break;
        }
        if skip_under.is_some_and(|cp| key.starts_with(cp)) {
            continue;
        }
        let rest = &key[query.prefix.len()..];
        let common = delimiter.and_then(|d| {
            rest.find(d)
                .map(|at| &key[..query.prefix.len() + at + d.len()])
        });
        if let Some(cp) = common
            && page.common_prefixes.last().is_some_and(|prev| prev == cp)
        {
            continue;
        }
        if emitted == query.max_keys {
            page.truncated = true;
            page.next_marker = last;
            break;
        }
        emitted += 1;
        match common {
            Some(cp) => {
                page.common_prefixes.push(cp.to_owned());
                last = Some(cp.to_owned());
            }
            None => {
                page.objects.push(meta.clone());
                last = Some(key.clone());
            }
        }
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::store::ContentHeaders;
    use std::time::SystemTime;

    fn index(keys: &[&str]) -> BTreeMap<String, Arc<ObjectMeta>> {
        keys.iter()
            .map(|k| {
                let meta = ObjectMeta {
                    key: (*k).to_owned(),
                    size: 1,
                    etag: "e".into(),
                    last_modified: SystemTime::now(),
                    content: ContentHeaders::default(),
                    user_metadata: BTreeMap::new(),
                    checksum: None,
                    parts_count: None,
                };
                ((*k).to_owned(), Arc::new(meta))
            })
            .collect()
    }

    fn keys(page: &ListPage) -> Vec<&str> {
        page.objects.iter().map(|m| m.key.as_str()).collect()
    }

    fn query<'a>(
        prefix: &'a str,
        delimiter: Option<&'a str>,
        after: Option<&'a str>,
        max_keys: usize,
    ) -> ListQuery<'a> {
        ListQuery {
            prefix,
            delimiter,
            after,
            resuming: true,
            max_keys,
        }
    }

    #[test]
    fn delimiter_folds_folders_and_paging_resumes_after_a_common_prefix() {
        let idx = index(&["u/a.txt", "u/d/1", "u/d/2", "u/e/1", "u/z", "v/x"]);
        let first = list(&idx, &query("u/", Some("/"), None, 2));
        assert_eq!(keys(&first), ["u/a.txt"]);
        assert_eq!(first.common_prefixes, ["u/d/"]);
        assert!(first.truncated);
        assert_eq!(first.next_marker.as_deref(), Some("u/d/"));

        let second = list(
            &idx,
            &query("u/", Some("/"), first.next_marker.as_deref(), 2),
        );
        assert_eq!(second.common_prefixes, ["u/e/"]);
        assert_eq!(keys(&second), ["u/z"]);
        assert!(!second.truncated);
    }

    #[test]
    fn without_delimiter_every_key_under_the_prefix_is_listed_in_order() {
        let idx = index(&["a", "a/b", "a:c", "b", "ü"]);
        let page = list(&idx, &query("", None, None, 1000));
        assert_eq!(keys(&page), ["a", "a/b", "a:c", "b", "ü"]);
        let after = list(&idx, &query("a", None, Some("a/b"), 1000));
        assert_eq!(keys(&after), ["a:c"]);
    }

    #[test]
    fn start_after_a_folder_name_does_not_skip_its_contents() {
        let idx = index(&["d/1", "d/2"]);
        let q = ListQuery {
            resuming: false,
            ..query("", None, Some("d/"), 10)
        };
        assert_eq!(keys(&list(&idx, &q)), ["d/1", "d/2"]);
    }

    #[test]
    fn zero_max_keys_returns_an_empty_untruncated_page() {
        let idx = index(&["a"]);
        let page = list(&idx, &query("", None, None, 0));
        assert!(page.objects.is_empty() && !page.truncated);
    }

    #[test]
    fn exactly_full_page_is_not_truncated() {
        let idx = index(&["a", "b"]);
        let page = list(&idx, &query("", None, None, 2));
        assert_eq!(keys(&page), ["a", "b"]);
        assert!(!page.truncated);
    }
}
