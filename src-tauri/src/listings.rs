//! What each window's file list shows: its listing (or search) is kept here in the shown order,
//! and the page holds only how many rows there are; it asks for the rows it draws, and for keys
//! by place or places by key when a selection needs them. Each state shown has a new generation
//! number, so rows asked of an earlier one never mix into a later.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cubby_core::storage::{Entry, Relisting, ShownListing, SortOrder};
use cubby_core::{Error, Result};
use futures::{Stream, TryStreamExt};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tokio_util::sync::CancellationToken;

/// A new state of a window's list: how many rows it shows, and the listing's totals.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListingUpdate {
    /// Rows are asked of this state by this number.
    pub generation: u64,
    /// Rows shown (through the filter).
    pub shown: usize,
    /// Entries listed, shown or not.
    pub listed: usize,
    /// Their bytes.
    pub bytes: u64,
}

/// Shown rows by place, without their entries: each row's key (a clean entry's path, or
/// `unusable:` and the key's exact form) and one letter per row (`d`, `f`, `u`: folder, file,
/// unusable key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownKeys {
    /// The rows' keys, in shown order.
    pub keys: Vec<String>,
    /// What each row is.
    pub kinds: String,
}

/// How the page wants a list shown: `{"order": {"column": "name", "descending": false},
/// "filter": ""}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListView {
    /// The order of the rows.
    pub order: SortOrder,
    /// Only names containing it show (case and accents ignored); empty shows every row.
    pub filter: String,
}

/// While pages arrive, the list is re-sorted and redrawn at most this often, less often as it
/// grows (each time every row is sorted again).
const PUBLISH_EVERY: Duration = Duration::from_millis(200);
const PUBLISH_PER_ROW: Duration = Duration::from_micros(20);

#[derive(Debug)]
struct WindowListing {
    /// Ends the listing under way; cancelled once another starts.
    cancel: CancellationToken,
    generation: u64,
    shown: ShownListing,
}

/// Every window's list, by window label.
#[derive(Debug, Default)]
pub struct Listings {
    windows: Mutex<HashMap<String, WindowListing>>,
    generations: AtomicU64,
}

impl Listings {
    /// Makes a listing the one running in window `label`, ending the one before: a fresh one
    /// (`refresh` false) shows its first page at once; a refresh keeps the rows on show until
    /// it is complete, and shows its rows only if something changed. Sends each new state to
    /// `on_update`; ends with `transfer.cancelled` when another listing starts in the window.
    pub async fn show(
        &self,
        label: &str,
        view: &ListView,
        refresh: bool,
        pages: impl Stream<Item = Result<Vec<Entry>>>,
        on_update: &Channel<ListingUpdate>,
    ) -> Result<()> {
        let cancel = self.start(label, view, refresh);
        tokio::select! {
            result = self.take_pages(label, refresh, &cancel, pages, on_update) => result,
            () = cancel.cancelled() => Err(Error::cancelled()),
        }
    }

    /// Sorts and filters window `label`'s rows anew; `None` when it has none yet.
    pub fn set_view(&self, label: &str, order: SortOrder, filter: &str) -> Option<ListingUpdate> {
        let mut windows = self.windows.lock().expect("listings lock");
        let window = windows.get_mut(label)?;
        window.shown.set_view(order, filter);
        Some(self.renew(window))
    }

    /// The rows from `start` up to `end` of window `label`'s state `generation`; `None` once
    /// another state shows there.
    pub fn rows(
        &self,
        label: &str,
        generation: u64,
        start: usize,
        end: usize,
    ) -> Option<Vec<Entry>> {
        self.with_generation(label, generation, |shown| shown.rows(start, end))
    }

    /// The keys of the rows from `start` up to `end` of window `label`'s state `generation`;
    /// `None` once another state shows there.
    pub fn keys(
        &self,
        label: &str,
        generation: u64,
        start: usize,
        end: usize,
    ) -> Option<ShownKeys> {
        self.with_generation(label, generation, |shown| ShownKeys {
            keys: shown.keys(start, end),
            kinds: shown.kinds(start, end),
        })
    }

    /// Where each of `keys` shows in window `label`'s state `generation`; `None` once another
    /// state shows there.
    pub fn positions(
        &self,
        label: &str,
        generation: u64,
        keys: &[String],
    ) -> Option<Vec<Option<usize>>> {
        self.with_generation(label, generation, |shown| shown.positions(keys))
    }

    /// Forgets every window's list (after a sign-out, so the next person never sees it).
    pub fn clear(&self) {
        for (_, window) in self.windows.lock().expect("listings lock").drain() {
            window.cancel.cancel();
        }
    }

    fn start(&self, label: &str, view: &ListView, refresh: bool) -> CancellationToken {
        let cancel = CancellationToken::new();
        let mut windows = self.windows.lock().expect("listings lock");
        let fresh = || WindowListing {
            cancel: cancel.clone(),
            generation: 0,
            shown: ShownListing::new(view.order, &view.filter),
        };
        match windows.get_mut(label) {
            Some(window) => {
                window.cancel.cancel();
                window.cancel = cancel.clone();
                if !refresh {
                    *window = fresh();
                }
            }
            None => {
                windows.insert(label.to_owned(), fresh());
            }
        }
        cancel
    }

    async fn take_pages(
        &self,
        label: &str,
        refresh: bool,
        cancel: &CancellationToken,
        pages: impl Stream<Item = Result<Vec<Entry>>>,
        on_update: &Channel<ListingUpdate>,
    ) -> Result<()> {
        let mut pages = std::pin::pin!(pages);
        let mut relisting = refresh.then(Relisting::default);
        let mut published: Option<Instant> = None;
        let send = |update: Option<ListingUpdate>| match update {
            Some(update) => on_update
                .send(update)
                .map_err(|err| Error::internal(format!("the window stopped listening: {err}"))),
            None => Ok(()),
        };
        while let Some(page) = pages.try_next().await? {
            if page.is_empty() {
                continue;
            }
            if let Some(relisting) = &mut relisting {
                self.with_window(label, cancel, |window| {
                    relisting.push(&window.shown, page);
                    None
                });
                continue;
            }
            send(self.with_window(label, cancel, |window| {
                window.shown.push(page);
                let rows = u32::try_from(window.shown.listed()).unwrap_or(u32::MAX);
                let wait = PUBLISH_EVERY + PUBLISH_PER_ROW * rows;
                if published.is_some_and(|at| at.elapsed() < wait) {
                    return None;
                }
                published = Some(Instant::now());
                window.shown.arrange();
                Some(self.renew(window))
            }))?;
        }
        send(self.with_window(label, cancel, |window| match relisting {
            Some(relisting) => {
                window.shown = relisting.finish(&window.shown)?;
                Some(self.renew(window))
            }
            None => {
                window.shown.arrange();
                Some(self.renew(window))
            }
        }))
    }

    /// Reads window `label`'s list while it is in state `generation`.
    fn with_generation<T>(
        &self,
        label: &str,
        generation: u64,
        read: impl FnOnce(&ShownListing) -> T,
    ) -> Option<T> {
        let windows = self.windows.lock().expect("listings lock");
        let window = windows.get(label).filter(|w| w.generation == generation)?;
        Some(read(&window.shown))
    }

    /// Runs `change` on window `label`'s list while `cancel` is its listing's.
    fn with_window(
        &self,
        label: &str,
        cancel: &CancellationToken,
        change: impl FnOnce(&mut WindowListing) -> Option<ListingUpdate>,
    ) -> Option<ListingUpdate> {
        let mut windows = self.windows.lock().expect("listings lock");
        let window = windows.get_mut(label).filter(|_| !cancel.is_cancelled())?;
        change(window)
    }

    /// A new generation for `window`'s list as it now is.
    fn renew(&self, window: &mut WindowListing) -> ListingUpdate {
        window.generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
        ListingUpdate {
            generation: window.generation,
            shown: window.shown.shown(),
            listed: window.shown.listed(),
            bytes: window.shown.bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use cubby_core::ErrorCode;
    use cubby_core::storage::{EntryKind, RemotePath, SortColumn};
    use futures::stream;
    use serde_json::Value;
    use tauri::ipc::InvokeResponseBody;

    use super::*;

    fn file(path: &str, size: u64) -> Entry {
        Entry {
            path: RemotePath::parse(path).unwrap(),
            kind: EntryKind::File {
                size,
                modified: None,
            },
        }
    }

    /// A channel that keeps what it is sent.
    fn recorder() -> (Channel<ListingUpdate>, Arc<Mutex<Vec<Value>>>) {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let kept = sent.clone();
        let channel = Channel::new(move |body| {
            let InvokeResponseBody::Json(json) = body else {
                panic!("a listing update is JSON");
            };
            kept.lock()
                .unwrap()
                .push(serde_json::from_str(&json).unwrap());
            Ok(())
        });
        (channel, sent)
    }

    fn pages(pages: Vec<Vec<Entry>>) -> impl Stream<Item = Result<Vec<Entry>>> {
        stream::iter(pages.into_iter().map(Ok))
    }

    fn list(listings: &Listings, refresh: bool, listed: Vec<Vec<Entry>>) -> Vec<Value> {
        let (channel, sent) = recorder();
        let view = ListView::default();
        let shown = listings.show("main", &view, refresh, pages(listed), &channel);
        tauri::async_runtime::block_on(shown).unwrap();
        sent.lock().unwrap().clone()
    }

    #[test]
    fn a_fresh_listing_shows_its_first_page_at_once_and_all_at_the_end() {
        let listings = Listings::default();
        let sent = list(
            &listings,
            false,
            vec![vec![file("b", 2)], vec![file("a", 1), file("c", 3)]],
        );
        assert_eq!(sent.first().unwrap()["shown"], 1);
        let last = sent.last().unwrap();
        assert_eq!(
            (&last["shown"], &last["listed"], &last["bytes"]),
            (&3.into(), &3.into(), &6.into())
        );
        let generation = last["generation"].as_u64().unwrap();
        let rows = listings.rows("main", generation, 1, 2).unwrap();
        assert_eq!(rows, [file("b", 2)]);
        let keys = listings.keys("main", generation, 0, 9).unwrap();
        assert_eq!(
            (keys.keys, keys.kinds.as_str()),
            (
                vec!["a", "b", "c"].into_iter().map(String::from).collect(),
                "fff"
            )
        );
        assert_eq!(
            sent.len(),
            2,
            "the second page comes within the publishing interval"
        );
        let first = sent[0]["generation"].as_u64().unwrap();
        assert!(listings.rows("main", first, 0, 1).is_none());
        assert!(listings.keys("main", first, 0, 1).is_none());
        assert!(listings.positions("main", first, &[]).is_none());
        assert!(listings.rows("other", generation, 0, 1).is_none());
    }

    #[test]
    fn a_refresh_that_finds_the_same_entries_sends_nothing_and_a_changed_one_keeps_the_view() {
        let listings = Listings::default();
        let sent = list(&listings, false, vec![vec![file("a", 1), file("b", 2)]]);
        let generation = sent.last().unwrap()["generation"].as_u64().unwrap();
        assert!(
            list(
                &listings,
                true,
                vec![vec![file("a", 1)], vec![file("b", 2)]]
            )
            .is_empty()
        );
        assert!(listings.rows("main", generation, 0, 2).is_some());

        let by_size = SortOrder {
            column: SortColumn::Size,
            descending: true,
        };
        listings.set_view("main", by_size, "").unwrap();
        let sent = list(&listings, true, vec![vec![file("a", 1), file("b", 5)]]);
        assert_eq!(sent.len(), 1);
        let changed = sent[0]["generation"].as_u64().unwrap();
        let keys = ["a", "b"].map(String::from);
        assert_eq!(
            listings.positions("main", changed, &keys),
            Some(vec![Some(1), Some(0)])
        );
        assert!(listings.rows("main", generation, 0, 2).is_none());
    }

    #[test]
    fn a_new_listing_ends_the_windows_earlier_one_and_a_sign_out_forgets_the_rows() {
        let listings = Arc::new(Listings::default());
        let (channel, _) = recorder();
        let endless = {
            let listings = listings.clone();
            tauri::async_runtime::spawn(async move {
                let never = stream::pending::<Result<Vec<Entry>>>();
                (listings.show("main", &ListView::default(), false, never, &channel)).await
            })
        };
        // The earlier listing is under way once the window has a list.
        let deadline = Instant::now() + Duration::from_secs(10);
        while listings
            .set_view("main", SortOrder::default(), "")
            .is_none()
        {
            assert!(Instant::now() < deadline, "the first listing never started");
            std::thread::yield_now();
        }
        let sent = list(&listings, false, vec![vec![file("a", 1)]]);
        let ended = tauri::async_runtime::block_on(endless).unwrap();
        assert_eq!(ended.unwrap_err().code, ErrorCode::TransferCancelled);
        let generation = sent.last().unwrap()["generation"].as_u64().unwrap();
        assert!(listings.rows("main", generation, 0, 1).is_some());
        listings.clear();
        assert!(listings.rows("main", generation, 0, 1).is_none());
    }
}
