//! A folder listed again while its rows show: the new listing is compared with the one on show
//! as its pages arrive, and while it finds the same entries in the same order it keeps none of
//! them, so refreshing an unchanged folder of 100,000 entries never holds a second copy.

use super::entry::Entry;
use super::shown_listing::{ShownListing, SortOrder};

/// A listing under way of a folder whose listing `shown` is on show.
#[derive(Debug, Default)]
pub struct Relisting {
    state: State,
}

#[derive(Debug)]
enum State {
    /// The entries so far are `shown`'s first `seen`.
    Same { seen: usize },
    /// Something changed: the whole new listing so far.
    Changed(ShownListing),
}

impl Default for State {
    fn default() -> Self {
        Self::Same { seen: 0 }
    }
}

impl Relisting {
    /// Takes the next page of the new listing; `shown` is the listing on show.
    pub fn push(&mut self, shown: &ShownListing, page: Vec<Entry>) {
        match &mut self.state {
            State::Same { seen } if shown.holds_at(*seen, &page) => *seen += page.len(),
            State::Same { seen } => {
                let mut changed = ShownListing::new(SortOrder::default(), "");
                changed.push(shown.first_entries(*seen));
                changed.push(page);
                self.state = State::Changed(changed);
            }
            State::Changed(listing) => listing.push(page),
        }
    }

    /// The new listing, sorted and filtered as `shown` is now; `None` when it found exactly
    /// what `shown` holds.
    pub fn finish(self, shown: &ShownListing) -> Option<ShownListing> {
        let mut listing = match self.state {
            State::Same { seen } if seen == shown.listed() => return None,
            State::Same { seen } => {
                let mut listing = ShownListing::new(SortOrder::default(), "");
                listing.push(shown.first_entries(seen));
                listing
            }
            State::Changed(listing) => listing,
        };
        listing.arrange_as(shown);
        Some(listing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::SortColumn;
    use crate::storage::test_folder::file_entry as file;

    fn shown(entries: Vec<Entry>) -> ShownListing {
        let mut listing = ShownListing::new(SortOrder::default(), "");
        listing.push(entries);
        listing.arrange();
        listing
    }

    fn relist(shown: &ShownListing, pages: Vec<Vec<Entry>>) -> Option<ShownListing> {
        let mut relisting = Relisting::default();
        for page in pages {
            relisting.push(shown, page);
        }
        relisting.finish(shown)
    }

    fn sizes(listing: &ShownListing) -> Vec<u64> {
        listing
            .rows(0, usize::MAX)
            .iter()
            .map(Entry::size)
            .collect()
    }

    #[test]
    fn the_same_entries_in_other_pages_are_no_change() {
        let on_show = shown(vec![file("a", 1), file("b", 2), file("c", 3)]);
        let pages = vec![vec![file("a", 1), file("b", 2)], vec![file("c", 3)]];
        assert!(relist(&on_show, pages).is_none());
        assert!(relist(&shown(vec![]), vec![]).is_none());
    }

    #[test]
    fn a_change_anywhere_gives_the_whole_new_listing() {
        let on_show = shown(vec![file("a", 1), file("b", 2), file("c", 3)]);
        let changed = vec![vec![file("a", 1)], vec![file("b", 5), file("c", 3)]];
        assert_eq!(sizes(&relist(&on_show, changed).unwrap()), [1, 5, 3]);
        let added = vec![
            vec![file("a", 1), file("b", 2), file("c", 3)],
            vec![file("d", 4)],
        ];
        assert_eq!(sizes(&relist(&on_show, added).unwrap()), [1, 2, 3, 4]);
        let removed = vec![vec![file("a", 1), file("b", 2)]];
        assert_eq!(sizes(&relist(&on_show, removed).unwrap()), [1, 2]);
        assert_eq!(sizes(&relist(&on_show, vec![]).unwrap()), [0u64; 0]);
    }

    #[test]
    fn the_new_listing_is_arranged_as_the_one_on_show() {
        let mut on_show = shown(vec![file("a", 1), file("b", 2)]);
        on_show.set_view(
            SortOrder {
                column: SortColumn::Size,
                descending: true,
            },
            "",
        );
        let relisted = relist(
            &on_show,
            vec![vec![file("a", 1), file("b", 9), file("ab", 5)]],
        );
        assert_eq!(sizes(&relisted.unwrap()), [9, 5, 1]);
        on_show.set_view(SortOrder::default(), "b");
        let relisted = relist(
            &on_show,
            vec![vec![file("a", 1), file("b", 9), file("ab", 5)]],
        );
        let relisted = relisted.unwrap();
        assert_eq!((sizes(&relisted), relisted.listed()), (vec![5, 9], 3));
    }
}
