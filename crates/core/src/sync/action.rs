//! What a plan says to do, and what it reports without doing: the planner's output.

use serde::Serialize;

use super::model::{Kind, Side};

/// One step of a plan, on one path (two for a move or a conflict).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Send the local file to the remote path.
    Upload {
        /// The path on both sides.
        path: String,
    },
    /// Bring the remote file to the local path.
    Download {
        /// The path on both sides.
        path: String,
    },
    /// Make the folder locally.
    CreateLocalFolder {
        /// The folder.
        path: String,
    },
    /// Make the folder remotely (a marker, so an empty folder exists there too).
    CreateRemoteFolder {
        /// The folder.
        path: String,
    },
    /// Move the local file to the OS trash, or remove the local folder once it is empty.
    DeleteLocal {
        /// What goes.
        path: String,
        /// File or folder.
        kind: Kind,
    },
    /// Delete the remote file, or the remote folder's marker.
    DeleteRemote {
        /// What goes.
        path: String,
        /// File or folder.
        kind: Kind,
    },
    /// A local rename done remotely by server-side copy (and delete, unless backing up).
    MoveRemote {
        /// Where the file was.
        from: String,
        /// Where it is now.
        to: String,
        /// Whether the old remote file stays (a backup never deletes remotely).
        keep_source: bool,
    },
    /// Both sides changed differently: the loser is kept under `copy`, the winner takes `path`.
    Conflict {
        /// The path both changed.
        path: String,
        /// The side whose version moves to the conflict copy.
        loser: Side,
        /// Where the losing version goes.
        copy: String,
        /// Whether the conflict copy also goes to the winning side (two-way).
        copy_to_both: bool,
    },
    /// Both sides already hold the same: remember it as synced, move nothing.
    Record {
        /// The path.
        path: String,
    },
    /// Gone on both sides: forget it.
    Forget {
        /// The path.
        path: String,
    },
}

impl Action {
    /// The path the action is about (the destination of a move).
    pub fn path(&self) -> &str {
        match self {
            Self::Upload { path }
            | Self::Download { path }
            | Self::CreateLocalFolder { path }
            | Self::CreateRemoteFolder { path }
            | Self::DeleteLocal { path, .. }
            | Self::DeleteRemote { path, .. }
            | Self::Conflict { path, .. }
            | Self::Record { path }
            | Self::Forget { path } => path,
            Self::MoveRemote { to, .. } => to,
        }
    }

    /// Whether the action deletes a file (what the deletion guard counts).
    pub fn deletes_a_file(&self) -> bool {
        matches!(
            self,
            Self::DeleteLocal {
                kind: Kind::File,
                ..
            } | Self::DeleteRemote {
                kind: Kind::File,
                ..
            }
        )
    }

    /// Whether it deletes or moves something on either side: a decision only a run over both
    /// whole sides may make.
    pub fn deletes_or_moves(&self) -> bool {
        matches!(
            self,
            Action::DeleteLocal { .. } | Action::DeleteRemote { .. } | Action::MoveRemote { .. }
        )
    }

    /// Whether the action changes either side (a dry run lists these).
    pub fn changes_anything(&self) -> bool {
        !matches!(self, Self::Record { .. } | Self::Forget { .. })
    }
}

/// A path the sync cannot handle, and why: shown to the person, never passed over silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The path (relative to the pair's folders; a remote key's readable form).
    pub path: String,
    /// The side where it is.
    pub side: Side,
    /// What is wrong and what to do.
    pub problem: String,
}

/// A path left as it is on purpose (a remote change a backup does not bring back), reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Left {
    /// The path.
    pub path: String,
    /// Why it was left.
    pub reason: String,
}

/// The planner's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// What to do, in path order.
    pub actions: Vec<Action>,
    /// Paths that cannot be synced, and why.
    pub issues: Vec<Issue>,
    /// Paths left alone on purpose.
    pub left: Vec<Left>,
}

impl Plan {
    /// How many files the plan deletes on either side.
    pub fn file_deletions(&self) -> usize {
        self.actions.iter().filter(|a| a.deletes_a_file()).count()
    }
}
