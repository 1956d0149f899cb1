//! A folder's listing as a window shows it: every listed entry is kept here, sorted by a column
//! and filtered by name as a person types, so a front end holds only the count of rows and the
//! few it draws, and asks for keys by place when a selection spans rows it has not read. (A web
//! view holding 100,000 entries took well over 100 MiB; holding their keys, still 60 MiB.)

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::entry::{Entry, EntryKind};
use super::search::{NameQuery, fold};

/// The column a listing is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    /// By name, as a person reads numbers ("file 2" before "file 10").
    #[default]
    Name,
    /// By size; ties by name.
    Size,
    /// By modification time, unknown times first; ties by name.
    Modified,
}

/// How a listing is sorted: `{"column": "size", "descending": true}`. Folders come first either
/// way, as in Finder and Nautilus.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortOrder {
    /// The column compared first.
    pub column: SortColumn,
    /// Largest, latest or last name first.
    pub descending: bool,
}

/// What a shown row is, in one letter: `d` a folder, `f` a file, `u` an unusable key.
fn kind_letter(kind: &EntryKind) -> char {
    match kind {
        EntryKind::Folder => 'd',
        EntryKind::File { .. } => 'f',
        EntryKind::Unusable(_) => 'u',
    }
}

/// A listed entry with what sorting and filtering compare, worked out once. Kept small: a
/// window keeps one per entry of the folder it shows.
#[derive(Debug)]
struct Row {
    entry: Entry,
    /// The name folded (no case, no accents), when folding changed it.
    folded: Option<Box<str>>,
}

/// What an unusable key's row key starts with.
const UNUSABLE: &str = "unusable:";

impl Row {
    fn new(entry: Entry) -> Self {
        let folded = match &entry.kind {
            EntryKind::Unusable(unusable) => {
                let readable = unusable.key.readable();
                let name = readable.rsplit('/').next().unwrap_or_default();
                Some(fold(name).into_boxed_str())
            }
            _ => {
                let name = entry.path.name().unwrap_or_default();
                let folded = fold(name);
                (folded != name).then(|| folded.into_boxed_str())
            }
        };
        Self { entry, folded }
    }

    /// The name folded (no case, no accents).
    fn folded(&self) -> &str {
        match &self.folded {
            Some(folded) => folded,
            None => self.entry.path.name().unwrap_or_default(),
        }
    }

    /// Unique per row: a clean entry's path, or `unusable:` and the key's exact form (an
    /// unusable key's path is the clean folder holding it, which others share).
    fn key(&self) -> Cow<'_, str> {
        match &self.entry.kind {
            EntryKind::Unusable(unusable) => {
                Cow::Owned(format!("{UNUSABLE}{}", unusable.key.exact()))
            }
            _ => Cow::Borrowed(self.entry.path.as_str()),
        }
    }

    /// Tells apart rows whose names fold alike, without building their keys: clean paths
    /// first, then unusable keys, each by its key.
    fn identity(&self) -> (bool, &str) {
        match &self.entry.kind {
            EntryKind::Unusable(unusable) => (true, unusable.key.key()),
            _ => (false, self.entry.path.as_str()),
        }
    }

    fn modified(&self) -> Option<SystemTime> {
        match &self.entry.kind {
            EntryKind::File { modified, .. } => *modified,
            EntryKind::Unusable(unusable) => unusable.modified,
            EntryKind::Folder => None,
        }
    }

    fn by(&self, other: &Self, order: SortOrder) -> Ordering {
        let folders_first = other.entry.is_folder().cmp(&self.entry.is_folder());
        let column = match order.column {
            SortColumn::Name => Ordering::Equal,
            SortColumn::Size => self.entry.size().cmp(&other.entry.size()),
            SortColumn::Modified => self.modified().cmp(&other.modified()),
        };
        let named = alphanumeric_sort::compare_str(self.folded(), other.folded())
            .then_with(|| self.identity().cmp(&other.identity()));
        let ordered = column.then(named);
        folders_first.then(match order.descending {
            true => ordered.reverse(),
            false => ordered,
        })
    }
}

/// A listing, its order and its filter; rows are addressed by their place in the shown order.
#[derive(Debug)]
pub struct ShownListing {
    rows: Vec<Row>,
    order: SortOrder,
    filter: NameQuery,
    /// Indexes into `rows`: those the filter keeps, in order.
    shown: Vec<u32>,
}

impl ShownListing {
    /// An empty listing that will be sorted by `order` and filtered by `filter` (names that
    /// contain it, case and accents ignored; empty keeps every row).
    pub fn new(order: SortOrder, filter: &str) -> Self {
        Self {
            rows: Vec::new(),
            order,
            filter: NameQuery::new(filter),
            shown: Vec::new(),
        }
    }

    /// Adds a page of entries; they show after the next [`ShownListing::arrange`].
    pub fn push(&mut self, page: Vec<Entry>) {
        self.rows.extend(page.into_iter().map(Row::new));
    }

    /// Sorts and filters the rows into the shown order.
    pub fn arrange(&mut self) {
        let Self {
            rows,
            order,
            filter,
            shown,
        } = self;
        shown.clear();
        shown.extend(
            (0..rows.len())
                .filter(|&index| filter.matches_folded(rows[index].folded()))
                .map(|index| index as u32),
        );
        shown.sort_unstable_by(|&a, &b| rows[a as usize].by(&rows[b as usize], *order));
    }

    /// Shows the rows in `order`, keeping only names that contain `filter`.
    pub fn set_view(&mut self, order: SortOrder, filter: &str) {
        self.order = order;
        self.filter = NameQuery::new(filter);
        self.arrange();
    }

    /// Shows the rows in `other`'s order and through its filter (a refresh, listed while the
    /// person may have sorted or filtered the rows on show).
    pub fn arrange_as(&mut self, other: &Self) {
        self.order = other.order;
        self.filter = other.filter.clone();
        self.arrange();
    }

    /// The keys of the shown rows from `start` up to `end` (clamped): a clean entry's path, or
    /// `unusable:` and an unusable key's exact form.
    pub fn keys(&self, start: usize, end: usize) -> Vec<String> {
        self.shown_rows(start, end)
            .map(|row| row.key().into_owned())
            .collect()
    }

    /// One letter per shown row from `start` up to `end` (see [`kind_letter`]): enough to tell
    /// what a selection holds without its entries.
    pub fn kinds(&self, start: usize, end: usize) -> String {
        self.shown_rows(start, end)
            .map(|row| kind_letter(&row.entry.kind))
            .collect()
    }

    /// The shown rows from `start` up to `end` (clamped to the rows there are).
    pub fn rows(&self, start: usize, end: usize) -> Vec<Entry> {
        self.shown_rows(start, end)
            .map(|row| row.entry.clone())
            .collect()
    }

    /// Where each of `keys` shows now, if it does (a selection kept across a refresh or a new
    /// order).
    pub fn positions(&self, keys: &[String]) -> Vec<Option<usize>> {
        if keys.is_empty() {
            return Vec::new();
        }
        let wanted: HashMap<&str, usize> = keys
            .iter()
            .enumerate()
            .map(|(at, key)| (key.as_str(), at))
            .collect();
        let mut found = vec![None; keys.len()];
        for (place, row) in self.shown_rows(0, self.shown.len()).enumerate() {
            if let Some(&at) = wanted.get(row.key().as_ref()) {
                found[at] = Some(place);
            }
        }
        found
    }

    /// How many entries were listed, shown or not.
    pub fn listed(&self) -> usize {
        self.rows.len()
    }

    /// How many rows show through the filter.
    pub fn shown(&self) -> usize {
        self.shown.len()
    }

    /// The bytes of every listed entry.
    pub fn bytes(&self) -> u64 {
        self.rows.iter().map(|row| row.entry.size()).sum()
    }

    /// Whether entries `from` on hold `page`, in order (a refresh that, so far, finds the
    /// folder as it was).
    pub(super) fn holds_at(&self, from: usize, page: &[Entry]) -> bool {
        self.rows.get(from..from + page.len()).is_some_and(|rows| {
            rows.iter()
                .zip(page)
                .all(|(row, entry)| row.entry == *entry)
        })
    }

    /// The first `count` entries listed (the part a refresh found unchanged).
    pub(super) fn first_entries(&self, count: usize) -> Vec<Entry> {
        self.rows[..count]
            .iter()
            .map(|row| row.entry.clone())
            .collect()
    }

    fn shown_rows(&self, start: usize, end: usize) -> impl Iterator<Item = &Row> {
        let end = end.min(self.shown.len());
        let start = start.min(end);
        self.shown[start..end]
            .iter()
            .map(|&index| &self.rows[index as usize])
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::storage::RemotePath;

    fn file(path: &str, size: u64, modified: Option<u64>) -> Entry {
        Entry {
            path: RemotePath::parse(path).unwrap(),
            kind: EntryKind::File {
                size,
                modified: modified.map(|secs| UNIX_EPOCH + Duration::from_secs(secs)),
            },
        }
    }

    fn folder(path: &str) -> Entry {
        Entry {
            path: RemotePath::parse(path).unwrap(),
            kind: EntryKind::Folder,
        }
    }

    fn names(listing: &ShownListing) -> Vec<String> {
        listing
            .keys(0, usize::MAX)
            .iter()
            .map(|key| key.rsplit('/').next().unwrap().to_owned())
            .collect()
    }

    fn listing(order: SortOrder, filter: &str, entries: Vec<Entry>) -> ShownListing {
        let mut listing = ShownListing::new(order, filter);
        listing.push(entries);
        listing.arrange();
        listing
    }

    #[test]
    fn folders_come_first_then_names_as_a_person_reads_them() {
        let shown = listing(
            SortOrder::default(),
            "",
            vec![
                file("b.txt", 1, None),
                folder("zeta"),
                file("File 10.txt", 1, None),
                folder("Alpha"),
                file("file 2.txt", 1, None),
                file("a.txt", 1, None),
                file("Été.txt", 1, None),
                file("ete 1.txt", 1, None),
            ],
        );
        assert_eq!(
            names(&shown),
            [
                "Alpha",
                "zeta",
                "a.txt",
                "b.txt",
                "ete 1.txt",
                "Été.txt",
                "file 2.txt",
                "File 10.txt"
            ]
        );
        assert_eq!(shown.kinds(0, 99), "ddffffff");
        assert_eq!(shown.kinds(1, 3), "df");
        assert_eq!(shown.keys(7, 9), ["File 10.txt"]);
    }

    #[test]
    fn size_and_date_sort_either_way_with_folders_first_and_ties_by_name() {
        let entries = || {
            vec![
                file("big", 900, Some(1_000)),
                file("small", 10, Some(3_000)),
                folder("dir"),
                file("also small", 10, None),
            ]
        };
        let by = |column, descending| SortOrder { column, descending };
        assert_eq!(
            names(&listing(by(SortColumn::Size, false), "", entries())),
            ["dir", "also small", "small", "big"]
        );
        assert_eq!(
            names(&listing(by(SortColumn::Size, true), "", entries())),
            ["dir", "big", "small", "also small"]
        );
        assert_eq!(
            names(&listing(by(SortColumn::Modified, true), "", entries())),
            ["dir", "small", "big", "also small"]
        );
    }

    #[test]
    fn the_filter_keeps_names_containing_it_without_case_or_accents() {
        let mut shown = listing(
            SortOrder::default(),
            " resume ",
            vec![
                file("Résumé.pdf", 1, None),
                file("notes/resume-old.txt", 1, None),
                file("cv.pdf", 1, None),
            ],
        );
        assert_eq!(names(&shown), ["resume-old.txt", "Résumé.pdf"]);
        assert_eq!((shown.listed(), shown.shown()), (3, 2));
        shown.set_view(SortOrder::default(), "");
        assert_eq!(shown.shown(), 3);
    }

    #[test]
    fn rows_are_cut_from_the_shown_order_and_clamped() {
        let shown = listing(
            SortOrder::default(),
            "",
            vec![file("c", 3, None), file("a", 1, None), file("b", 2, None)],
        );
        let sizes = |rows: Vec<Entry>| rows.iter().map(Entry::size).collect::<Vec<_>>();
        assert_eq!(sizes(shown.rows(1, 3)), [2, 3]);
        assert_eq!(sizes(shown.rows(2, 99)), [3]);
        assert!(shown.rows(7, 9).is_empty());
        assert_eq!(shown.bytes(), 6);
    }

    #[test]
    fn positions_say_where_keys_show_now_and_none_for_those_that_do_not() {
        let mut shown = listing(
            SortOrder::default(),
            "",
            vec![file("c", 3, None), file("a", 1, None), file("b", 2, None)],
        );
        let keys = ["c", "gone", "a"].map(String::from);
        assert_eq!(shown.positions(&keys), [Some(2), None, Some(0)]);
        shown.set_view(
            SortOrder {
                column: SortColumn::Size,
                descending: true,
            },
            "",
        );
        assert_eq!(shown.positions(&keys), [Some(0), None, Some(2)]);
        shown.set_view(SortOrder::default(), "b");
        assert_eq!(shown.positions(&keys), [None, None, None]);
        assert!(shown.positions(&[]).is_empty());
    }

    #[test]
    fn an_unusable_key_is_named_by_its_readable_form_and_keyed_by_its_exact_one() {
        use crate::storage::{KeyProblem, ListedKey, Unusable};
        let key = ListedKey::new("home/docs/bad\u{1}name", 5, KeyProblem::ControlCharacter);
        let unusable = Entry {
            path: RemotePath::parse("docs").unwrap(),
            kind: EntryKind::Unusable(Box::new(Unusable {
                key,
                size: 3,
                modified: None,
                twin: None,
            })),
        };
        let shown = listing(
            SortOrder::default(),
            "BAD",
            vec![unusable, file("docs/badge.txt", 1, None), folder("docs")],
        );
        let keys = shown.keys(0, 2);
        assert_eq!(keys, ["unusable:docs/bad\\u{1}name", "docs/badge.txt"]);
        assert_eq!(shown.kinds(0, 2), "uf");
        assert_eq!(shown.positions(&keys), [Some(0), Some(1)]);
    }
}
