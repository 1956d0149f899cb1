//! Moving file contents between this machine and the folder: a queue of uploads and downloads
//! with separate limits for files and parts in flight, multipart uploads streamed from disk
//! with bounded memory, progress as events, pause, cancel, retries, resume after a restart,
//! and end-to-end integrity checks.

mod blocking;
mod checksum;
mod clash;
mod download;
mod download_db;
mod engine;
mod events;
mod job;
mod kept;
mod limiter;
mod local_folder;
mod local_name;
mod local_tree;
mod moved;
mod options;
mod part_size;
mod positional;
mod queue_db;
mod skipped;
mod staged_file;
mod state_db;
mod tree;
mod upload;
mod upload_plan;

pub use engine::{TransferHandle, Transfers};
pub use events::{Direction, EventKind, Progress, TransferEvent, TransferId};
pub use local_folder::LocalFolder;
pub use local_name::local_path_for;
pub use local_tree::Links;
pub use moved::{Moved, Uploaded};
pub use options::TransferOptions;
pub use part_size::{MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE, part_size_for};
pub use queue_db::{QueueState, Unfinished};
pub use skipped::Skipped;
pub use state_db::{StateDb, UploadRecord};
pub use tree::Queued;
pub use upload_plan::{Clash, ClashDecision, ItemKind, SkippedLocal, UploadPlan};

pub(crate) use checksum::crc64_file;
pub(crate) use local_name::name_problem;
