//! What a sync run tells its front end as it goes (events, as JSON lines in the CLI) and at the
//! end (a summary).

use serde::Serialize;

use super::action::{Action, Issue, Left};
use crate::error::ErrorCode;

/// Something that happened during a run. Serialized flat with the variant in `event`:
/// `{"event": "done", "action": "upload", "path": "a.txt"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SyncEvent {
    /// Something the person should know about the run as a whole (a rescan and why).
    Note {
        /// For people.
        message: String,
    },
    /// The plan is made: this many actions will run.
    Planned {
        /// Actions that change either side.
        actions: usize,
        /// Files the plan deletes (either side).
        deletions: usize,
    },
    /// An action finished.
    Done {
        /// What it was.
        #[serde(flatten)]
        action: Action,
    },
    /// An action failed; the next run tries again.
    Failed {
        /// The path it was about.
        path: String,
        /// The stable code of the error.
        code: ErrorCode,
        /// What went wrong, for people.
        message: String,
    },
    /// A path that cannot be synced.
    Issue(Issue),
    /// A path left alone on purpose.
    Left(Left),
    /// A file still being written: synced once it settles.
    Deferred {
        /// The path.
        path: String,
    },
}

/// How many of each thing a run did: `{"uploaded": 2, "downloaded": 0, ...}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files sent.
    pub uploaded: usize,
    /// Files brought here.
    pub downloaded: usize,
    /// Local renames done remotely by server-side copy.
    pub renamed: usize,
    /// Files and folders deleted (local ones to the trash).
    pub deleted: usize,
    /// Folders made.
    pub folders_created: usize,
    /// Conflicts, each kept as a conflict copy.
    pub conflicts: usize,
    /// Paths found equal on both sides and recorded, nothing moved.
    pub recorded: usize,
    /// Paths that cannot be synced.
    pub issues: usize,
    /// Paths left alone on purpose.
    pub left: usize,
    /// Actions that failed (tried again on the next run).
    pub failed: usize,
    /// Files still being written, synced once they settle.
    pub deferred: usize,
}

impl Summary {
    /// Counts one finished action.
    pub fn count(&mut self, action: &Action) {
        match action {
            Action::Upload { .. } => self.uploaded += 1,
            Action::Download { .. } => self.downloaded += 1,
            Action::MoveRemote { .. } => self.renamed += 1,
            Action::DeleteLocal { .. } | Action::DeleteRemote { .. } => self.deleted += 1,
            Action::CreateLocalFolder { .. } | Action::CreateRemoteFolder { .. } => {
                self.folders_created += 1
            }
            Action::Conflict { .. } => self.conflicts += 1,
            Action::Record { .. } | Action::Forget { .. } => self.recorded += 1,
        }
    }

    /// Whether everything planned was done.
    pub fn complete(&self) -> bool {
        self.failed == 0 && self.deferred == 0
    }
}
