//! What a signed-in session works with: the person's folder, its transfer queue (one per
//! session, its state where the CLI keeps it, so either brings back what the other left
//! unfinished), the feed of that queue to the window, checked uploads waiting for the
//! person's answers, and the cache that files opened with the default app are downloaded to.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use cubby_core::storage::Storage;
use cubby_core::sync::{ServiceOptions, ShownError, SyncDb, SyncOptions, SyncService, holder_name};
use cubby_core::transfer::{StateDb, TransferOptions, Transfers, UploadPlan};
use cubby_core::{Error, ErrorCode, Result};

use crate::paths::AppPaths;
use crate::sync_feed::SyncFeed;
use crate::transfer_feed::{RunEndedHook, TransferFeed};

/// One session's folder and queue.
pub struct SessionFolder {
    /// The person's folder.
    pub storage: Storage,
    /// Its transfer queue.
    pub transfers: Transfers,
    /// The queue as the window sees it.
    pub feed: TransferFeed,
    /// Where opened files are downloaded (one folder per identity).
    pub cache: PathBuf,
    /// The folder's sync pairs, running, and their feed to the window; why not, when the sync
    /// state cannot be opened (the file browser works without it).
    sync: std::result::Result<(SyncService, SyncFeed), ShownError>,
    plans: Mutex<HashMap<u64, UploadPlan>>,
    next_plan: AtomicU64,
}

impl SessionFolder {
    /// Opens the queue of `storage` with `files_in_flight` files at once and brings back what
    /// an earlier queue of this folder left unfinished, paused or running as it was.
    pub fn open(
        storage: Storage,
        identity_id: &str,
        paths: &AppPaths,
        files_in_flight: usize,
        on_run_ended: Option<RunEndedHook>,
    ) -> Result<Self> {
        let state = StateDb::open(&paths.transfer_state)?;
        let options = TransferOptions {
            files_in_flight,
            ..TransferOptions::default()
        };
        let (transfers, events) = Transfers::new(storage.clone(), state, options);
        let feed = TransferFeed::start(transfers.clone(), events, on_run_ended);
        if let Err(err) = transfers.restore() {
            tracing::warn!(%err, "unfinished transfers could not be brought back");
        }
        // An identity id has a `:` (region:uuid), which some disks do not allow in names.
        let cache = paths.open_cache.join(identity_id.replace(':', "_"));
        let sync = start_sync(&storage, paths)
            .map(|service| {
                let feed = SyncFeed::start(service.snapshots());
                (service, feed)
            })
            .map_err(|err| {
                tracing::warn!(%err, "folder sync cannot start");
                ShownError::from(&err)
            });
        Ok(Self {
            storage,
            transfers,
            feed,
            cache,
            sync,
            plans: Mutex::default(),
            next_plan: AtomicU64::new(1),
        })
    }

    /// Whether this is the queue of the folder `storage` reaches (same bucket, same folder).
    pub fn is_for(&self, storage: &Storage) -> bool {
        self.storage.bucket() == storage.bucket()
            && self.storage.folder().prefix() == storage.folder().prefix()
    }

    /// The folder's sync pairs.
    pub fn sync(&self) -> Result<SyncService> {
        self.sync
            .as_ref()
            .map(|(service, _)| service.clone())
            .map_err(|err| Error::new(err.code, err.message.clone()))
    }

    /// Their status as the window sees it.
    pub fn sync_feed(&self) -> Result<&SyncFeed> {
        self.sync
            .as_ref()
            .map(|(_, feed)| feed)
            .map_err(|err| Error::new(err.code, err.message.clone()))
    }

    /// A new id for a checked upload.
    pub fn plan_id(&self) -> u64 {
        self.next_plan.fetch_add(1, Ordering::Relaxed)
    }

    /// Keeps the checked upload `id` until it is started or discarded.
    pub fn keep_plan(&self, id: u64, plan: UploadPlan) {
        self.plans.lock().expect("plans lock").insert(id, plan);
    }

    /// Takes the checked upload `id` out.
    pub fn take_plan(&self, id: u64) -> Result<UploadPlan> {
        self.plans
            .lock()
            .expect("plans lock")
            .remove(&id)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::StorageNotFound,
                    format!(
                        "upload {id} was already started or called off; choose the files again"
                    ),
                )
            })
    }
}

impl Drop for SessionFolder {
    /// A sign-out or another profile: the queue stops, keeping its transfers recorded as they
    /// were, so the next queue of this folder (here or in the CLI) brings them back.
    fn drop(&mut self) {
        self.transfers.stop_all();
        if let Ok((service, _)) = &self.sync {
            let service = service.clone();
            tauri::async_runtime::spawn(async move { service.stop().await });
        }
    }
}

/// The sync pairs the app runs for `storage`'s folder, started.
fn start_sync(storage: &Storage, paths: &AppPaths) -> Result<SyncService> {
    let (db, recovered) = SyncDb::open(&paths.sync_db)?;
    if let Some(note) = recovered {
        tracing::warn!("{note}");
    }
    let transfer_state = StateDb::open(&paths.sync_transfer_state)?;
    let options = ServiceOptions {
        holder: holder_name("the Cubby app"),
        locks: paths.sync_locks.clone(),
        protected: paths.protected.clone(),
        sync: SyncOptions::default(),
        watch: cubby_core::sync::WatchOptions::default(),
    };
    SyncService::start(storage.clone(), db, transfer_state, options)
}
