//! Two sources of one transfer that would land on one destination: both would be reported
//! finished and one silently lost. Found before anything moves, with the names, so the person
//! can rename one or move them separately. A destination that folds case (macOS and Windows
//! disks by default) takes `A.txt` and `a.txt` as one name; a file and a folder cannot share
//! one name either.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::error::{Error, ErrorCode, Result};

/// Clashes shown in the message; the rest are counted.
const SHOWN: usize = 5;

/// The destinations of one transfer, checked as they are added.
pub(super) struct Destinations {
    folds_case: bool,
    /// Destination (folded) -> (source, destination as shown) of every file.
    files: HashMap<String, (String, String)>,
    /// Destination (folded) -> source of every folder the transfer writes into or creates.
    folders: HashMap<String, String>,
    clashes: Vec<String>,
}

impl Destinations {
    /// Destinations on a side that takes names equal but for case as one when `folds_case`.
    pub(super) fn new(folds_case: bool) -> Self {
        Self {
            folds_case,
            files: HashMap::new(),
            folders: HashMap::new(),
            clashes: Vec::new(),
        }
    }

    /// A file from `source` to `destination` (`/`-separated, relative to where the transfer
    /// goes); `shown` names the destination in messages.
    pub(super) fn file(&mut self, source: &str, destination: &str, shown: &str) {
        let key = self.fold(destination);
        if let Some(folder_source) = self.folders.get(&key) {
            self.clashes.push(format!(
                "{source} would be saved as {shown}, where {folder_source} needs a folder"
            ));
            return;
        }
        match self.files.entry(key) {
            Entry::Occupied(first) => {
                let (first_source, first_shown) = first.get();
                let same = if first_shown == shown {
                    format!("as {shown}")
                } else {
                    format!("as {first_shown} and {shown}, one name there")
                };
                self.clashes.push(format!(
                    "{first_source} and {source} would both be saved {same}"
                ));
                return;
            }
            Entry::Vacant(slot) => {
                slot.insert((source.to_owned(), shown.to_owned()));
            }
        }
        let mut parent = destination;
        while let Some((above, _)) = parent.rsplit_once('/') {
            self.folder_of(source, above);
            parent = above;
        }
    }

    /// A folder the transfer creates (an empty one, so it comes across too).
    pub(super) fn folder(&mut self, source: &str, destination: &str) {
        self.folder_of(source, destination);
    }

    /// Fails with `transfer.name_clash` naming the clashes, if there are any.
    pub(super) fn check(self) -> Result<()> {
        if self.clashes.is_empty() {
            return Ok(());
        }
        let more = self.clashes.len().saturating_sub(SHOWN);
        let mut listed = self.clashes[..self.clashes.len().min(SHOWN)].join("; ");
        if more > 0 {
            listed.push_str(&format!("; and {more} more"));
        }
        Err(Error::new(
            ErrorCode::TransferNameClash,
            format!(
                "{listed}; nothing was transferred: rename one of each, or transfer them separately"
            ),
        ))
    }

    fn folder_of(&mut self, source: &str, destination: &str) {
        let key = self.fold(destination);
        if let Some((file_source, shown)) = self.files.get(&key) {
            self.clashes.push(format!(
                "{file_source} would be saved as {shown}, where {source} needs a folder"
            ));
            return;
        }
        self.folders.entry(key).or_insert_with(|| source.to_owned());
    }

    fn fold(&self, name: &str) -> String {
        if self.folds_case {
            name.to_lowercase()
        } else {
            name.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(folds_case: bool, files: &[(&str, &str)]) -> Result<()> {
        let mut destinations = Destinations::new(folds_case);
        for (source, destination) in files {
            destinations.file(source, destination, &format!("dir/{destination}"));
        }
        destinations.check()
    }

    #[test]
    fn distinct_names_pass() {
        check(
            false,
            &[("a/x", "x"), ("b/y", "y"), ("c/X", "X"), ("d/z", "sub/z")],
        )
        .unwrap();
    }

    #[test]
    fn one_name_twice_is_refused_with_both_sources() {
        let err = check(false, &[("a/y.txt", "y.txt"), ("b/y.txt", "y.txt")]).unwrap_err();
        assert_eq!(err.code, ErrorCode::TransferNameClash);
        assert!(
            err.message
                .starts_with("a/y.txt and b/y.txt would both be saved as dir/y.txt;"),
            "{}",
            err.message
        );
    }

    #[test]
    fn names_equal_but_for_case_clash_only_where_case_folds() {
        let files = [("a/Read.me", "Read.me"), ("b/read.ME", "read.ME")];
        check(false, &files).unwrap();
        let err = check(true, &files).unwrap_err();
        assert!(
            err.message
                .contains("as dir/Read.me and dir/read.ME, one name there"),
            "{}",
            err.message
        );
        check(true, &[("a", "Über/x"), ("b", "über/y")]).unwrap();
        assert!(check(true, &[("a", "Über"), ("b", "über/y")]).is_err());
    }

    #[test]
    fn a_file_where_a_folder_goes_is_refused_either_way_round() {
        for files in [[("f", "x"), ("g", "x/y")], [("g", "x/y"), ("f", "x")]] {
            let err = check(false, &files).unwrap_err();
            assert!(err.message.contains("needs a folder"), "{}", err.message);
        }
        let mut destinations = Destinations::new(false);
        destinations.file("f", "x", "x");
        destinations.folder("empty", "x");
        assert!(destinations.check().is_err());
    }

    #[test]
    fn many_clashes_are_counted() {
        let files: Vec<(String, &str)> = (0..8).map(|i| (format!("s{i}"), "same")).collect();
        let files: Vec<(&str, &str)> = files.iter().map(|(s, d)| (s.as_str(), *d)).collect();
        let err = check(false, &files).unwrap_err();
        assert!(err.message.contains("; and 2 more;"), "{}", err.message);
    }
}
