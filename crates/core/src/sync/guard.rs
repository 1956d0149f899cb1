//! The deletion guard: a plan that deletes more than half of the synced files, or more than a
//! thousand, is not run until the person says so (a folder emptied by mistake, a disk that was
//! not mounted). Renames are moves, not deletions, so they never trip it.

use serde::Serialize;

use crate::error::{Error, ErrorCode};

/// More deletions than this always ask first.
pub const DEFAULT_MAX_DELETIONS: usize = 1000;

/// How many deletions a run may make without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeletionLimit {
    /// Up to half of the synced files, and at most [`DEFAULT_MAX_DELETIONS`].
    #[default]
    Default,
    /// Up to this many (the person said so: `--max-delete N`).
    AtMost(usize),
}

/// A plan the guard stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GuardTripped {
    /// Files the plan would delete.
    pub deletions: usize,
    /// Files the pair had synced.
    pub synced: usize,
}

impl DeletionLimit {
    /// Whether `deletions` of `synced` files may go ahead.
    pub fn check(self, deletions: usize, synced: usize) -> Result<(), GuardTripped> {
        let allowed = match self {
            Self::Default => deletions <= DEFAULT_MAX_DELETIONS && deletions * 2 <= synced,
            Self::AtMost(max) => deletions <= max,
        };
        match allowed || deletions == 0 {
            true => Ok(()),
            false => Err(GuardTripped { deletions, synced }),
        }
    }
}

impl From<GuardTripped> for Error {
    fn from(trip: GuardTripped) -> Self {
        Error::new(
            ErrorCode::SyncDeletionGuard,
            format!(
                "this sync would delete {} of {} synced files, so nothing was done; check both folders, then run again with --max-delete {} to allow it",
                trip.deletions, trip.synced, trip.deletions
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_half_or_more_than_a_thousand_trips() {
        let limit = DeletionLimit::Default;
        assert!(limit.check(5, 10).is_ok());
        assert_eq!(
            limit.check(6, 10),
            Err(GuardTripped {
                deletions: 6,
                synced: 10
            })
        );
        assert!(limit.check(1000, 5000).is_ok());
        assert!(limit.check(1001, 5000).is_err());
        assert!(limit.check(0, 0).is_ok());
        assert!(DeletionLimit::AtMost(6).check(6, 10).is_ok());
        assert!(DeletionLimit::AtMost(6).check(7, 10).is_err());
    }
}
