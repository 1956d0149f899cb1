//! Which sync notifications to show: a pair's first sync finished, conflicts kept, a pair
//! that started failing. Everything that happens within a few seconds is told in one
//! notification, never one per file. A plain state machine over snapshots and instants.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use cubby_core::sync::{SyncPairStatus, SyncSnapshot, SyncState};

/// What happens within this long after the first news is told together.
pub const GATHER_FOR: Duration = Duration::from_secs(3);

/// What was last seen of a pair.
#[derive(Debug, Clone, Copy)]
struct Seen {
    synced_once: bool,
    conflicts: usize,
    failing: bool,
}

/// The news not yet told.
#[derive(Debug, Default)]
struct News {
    first_syncs: Vec<String>,
    conflicts: usize,
    errors: Vec<String>,
}

impl News {
    fn is_empty(&self) -> bool {
        self.first_syncs.is_empty() && self.conflicts == 0 && self.errors.is_empty()
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        match self.first_syncs.as_slice() {
            [] => {}
            [one] => parts.push(format!("{one} is in sync.")),
            many => parts.push(format!("{} folders are in sync.", many.len())),
        }
        match self.conflicts {
            0 => {}
            1 => parts.push("A file changed on both sides: both versions were kept.".to_owned()),
            n => parts.push(format!(
                "{n} files changed on both sides: both versions were kept."
            )),
        }
        parts.extend(self.errors.iter().map(|e| format!("Could not sync {e}")));
        parts.join(" ")
    }
}

/// The notifications of one sync service.
#[derive(Debug, Default)]
pub struct SyncNotices {
    seen: HashMap<i64, Seen>,
    news: News,
    since: Option<Instant>,
}

impl SyncNotices {
    /// Takes in `snapshot`, seen at `now`. The first sight of a pair is its baseline: what it
    /// was at the start is not news.
    pub fn observe(&mut self, snapshot: &SyncSnapshot, now: Instant) {
        for pair in &snapshot.pairs {
            let seen = self.seen.entry(pair.id).or_insert_with(|| Seen {
                synced_once: pair.last_sync_ms.is_some(),
                conflicts: pair.conflicts.len(),
                failing: matches!(pair.status, SyncState::Error { .. }),
            });
            if !seen.synced_once && pair.last_sync_ms.is_some() {
                seen.synced_once = true;
                self.news.first_syncs.push(name(pair));
            }
            self.news.conflicts += pair.conflicts.len().saturating_sub(seen.conflicts);
            seen.conflicts = pair.conflicts.len();
            let failing = match &pair.status {
                SyncState::Error { error } => {
                    if !seen.failing {
                        self.news
                            .errors
                            .push(format!("{}: {}", name(pair), error.message));
                    }
                    true
                }
                _ => false,
            };
            seen.failing = failing;
        }
        if !self.news.is_empty() && self.since.is_none() {
            self.since = Some(now);
        }
    }

    /// When the gathered news is due, if there is any.
    pub fn due_at(&self) -> Option<Instant> {
        self.since.map(|since| since + GATHER_FOR)
    }

    /// The notification's text once the news is due at `now`; the news is then told.
    pub fn take_due(&mut self, now: Instant) -> Option<String> {
        if self.due_at()? > now {
            return None;
        }
        self.since = None;
        Some(std::mem::take(&mut self.news).describe())
    }
}

/// The local folder's name.
fn name(pair: &SyncPairStatus) -> String {
    pair.local.file_name().map_or_else(
        || pair.local.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample_pair::sample_pair;
    use cubby_core::ErrorCode;
    use cubby_core::sync::{ShownError, Side, SyncConflict};

    fn pair(id: i64) -> SyncPairStatus {
        sample_pair(id, SyncState::Scanning)
    }

    fn conflict(n: usize) -> SyncConflict {
        SyncConflict {
            path: format!("f{n}"),
            copy: format!("f{n} (conflict)"),
            loser: Side::Remote,
            at_ms: 0,
        }
    }

    #[test]
    fn a_first_sync_and_many_conflicts_are_one_notification_after_a_few_seconds() {
        let start = Instant::now();
        let mut notices = SyncNotices::default();
        let mut status = pair(1);
        notices.observe(&SyncSnapshot::of(vec![status.clone()]), start);
        assert_eq!(notices.due_at(), None, "a pair's start is not news");
        status.last_sync_ms = Some(5);
        notices.observe(&SyncSnapshot::of(vec![status.clone()]), start);
        for n in 0..30 {
            status.conflicts.push(conflict(n));
            notices.observe(
                &SyncSnapshot::of(vec![status.clone()]),
                start + Duration::from_millis(10 * n as u64),
            );
        }
        assert_eq!(notices.take_due(start + Duration::from_secs(1)), None);
        let text = notices.take_due(start + GATHER_FOR).expect("due");
        assert_eq!(
            text,
            "Folder1 is in sync. 30 files changed on both sides: both versions were kept."
        );
        assert_eq!(notices.take_due(start + GATHER_FOR * 2), None, "told once");
        notices.observe(&SyncSnapshot::of(vec![status]), start + GATHER_FOR * 2);
        assert_eq!(notices.due_at(), None, "nothing new");
    }

    #[test]
    fn an_error_is_told_when_it_starts_not_on_every_run() {
        let start = Instant::now();
        let mut notices = SyncNotices::default();
        let mut status = pair(2);
        status.last_sync_ms = Some(1);
        notices.observe(&SyncSnapshot::of(vec![status.clone()]), start);
        status.status = SyncState::Error {
            error: ShownError {
                code: ErrorCode::Io,
                message: "offline".into(),
            },
        };
        notices.observe(&SyncSnapshot::of(vec![status.clone()]), start);
        notices.observe(&SyncSnapshot::of(vec![status.clone()]), start);
        let text = notices.take_due(start + GATHER_FOR).unwrap();
        assert_eq!(text, "Could not sync Folder2: offline");
        notices.observe(&SyncSnapshot::of(vec![status]), start + GATHER_FOR);
        assert_eq!(notices.due_at(), None, "still the same error");
    }
}
