//! Folder sync: a local folder kept in step with a remote folder, per pair, and never a lost
//! file. The planner is a pure function of (local scan, remote scan, merge base) to actions, in
//! the manner of Dropbox's sync engine, so it can be tested cell by cell and by simulation;
//! changes are found per side and then joined, with safety checks before deletions, as rclone
//! bisync does; conflicts keep both versions and periodic rescans back up the watcher, as
//! Syncthing does. Contents move through the transfer engine ([`crate::transfer`]) and the
//! folder operations of [`crate::storage`].

mod action;
mod change;
mod checksums;
mod conflict_name;
mod executor;
mod file_facts;
mod filter;
mod guard;
mod join;
mod local_scan;
mod lock;
mod model;
mod names;
mod pair;
mod paths;
mod plan;
mod prescan;
mod remote_scan;
mod renames;
mod report;
mod scope;
mod service;
mod state_db;
mod status;
mod trash;
mod watch;

pub use action::{Action, Issue, Left, Plan};
pub use change::{Change, local_change, remote_change, same_content};
pub use conflict_name::ConflictStamp;
pub use filter::{Filter, IGNORE_FILE};
pub use guard::{DEFAULT_MAX_DELETIONS, DeletionLimit, GuardTripped};
pub use local_scan::{LocalScan, scan_local};
pub use lock::{PairLock, holder_name};
pub use model::{BaseItem, Kind, LocalItem, Mode, RemoteItem, Side, Snapshot, Tree};
pub use names::NameRules;
pub use pair::{RunReport, SyncOptions, SyncPair, default_lock_dir};
pub use paths::{local_path, remote_path};
pub use plan::{PlanOptions, plan};
pub use prescan::Prescan;
pub use remote_scan::{RemoteScan, scan_remote};
pub use report::{Summary, SyncEvent};
pub use scope::Scope;
pub use service::{ServiceOptions, SyncService};
pub use state_db::{PairRecord, PairSpec, SyncDb, WatchedPair};
pub use status::{
    ACTIVITY_KEPT, ShownError, SyncActivity, SyncConflict, SyncOverall, SyncPairStatus,
    SyncSnapshot, SyncState, overall,
};
pub use trash::Trash;
pub use watch::{WatchOptions, watch, watch_events};

#[cfg(test)]
mod plan_tests;
