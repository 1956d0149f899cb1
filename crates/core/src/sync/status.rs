//! What a front end shows of the pairs the app runs: each pair's state, its latest activity,
//! conflicts and issues, and one overall state (the tray icon). Built from a pair's events
//! and run results by plain functions, so what is shown for each can be tested alone.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::action::{Action, Issue};
use super::model::{Mode, Side};
use super::report::SyncEvent;
use super::scope::Scope;
use super::state_db::PairRecord;
use crate::error::{Error, ErrorCode};

/// How many activity items a pair keeps.
pub const ACTIVITY_KEPT: usize = 50;

/// An error as shown: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownError {
    /// The stable code.
    pub code: ErrorCode,
    /// For people.
    pub message: String,
}

impl From<&Error> for ShownError {
    fn from(err: &Error) -> Self {
        Self {
            code: err.code,
            message: err.message.clone(),
        }
    }
}

/// What a pair is doing now: `{"state": "syncing", "done": 1, "total": 3}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Nothing to do until the next change or rescan.
    Idle,
    /// Looking at both folders.
    Scanning,
    /// Running a plan: `done` of `total` actions.
    Syncing {
        /// Actions finished (or failed).
        done: usize,
        /// Actions in the plan.
        total: usize,
    },
    /// Held by the person.
    Paused,
    /// The deletion guard holds a plan until the person answers.
    Waiting {
        /// Files the plan would delete.
        deletions: usize,
        /// Files the pair had synced.
        synced: usize,
        /// Of the deletions, files here (they would go to the trash).
        local: usize,
        /// Of the deletions, files in the person's folder.
        remote: usize,
    },
    /// The latest run failed; the next one tries again.
    Error {
        /// Why.
        error: ShownError,
    },
}

/// One thing a run did or tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncActivity {
    /// When (ms since the Unix epoch).
    pub at_ms: i64,
    /// The action's tag (`upload`, `conflict`, ...), or `failed`, `deferred`, `note`.
    pub kind: String,
    /// The path it was about (empty for a note about the whole pair).
    pub path: String,
    /// For people.
    pub text: String,
}

/// A conflict kept as a copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncConflict {
    /// The path both sides changed.
    pub path: String,
    /// Where the losing version went.
    pub copy: String,
    /// Whose version lost.
    pub loser: Side,
    /// When (ms since the Unix epoch).
    pub at_ms: i64,
}

/// One pair as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncPairStatus {
    /// The pair's id in the state database.
    pub id: i64,
    /// The local folder.
    #[serde(serialize_with = "crate::wire::lossy_path")]
    pub local: PathBuf,
    /// The folder in the person's folder (empty for the top).
    pub remote_dir: String,
    /// How it syncs.
    pub mode: Mode,
    /// What it does now.
    pub status: SyncState,
    /// When the last run ended with nothing failed, if ever.
    pub last_sync_ms: Option<i64>,
    /// Paths in the merge base.
    pub synced_files: u64,
    /// Newest first, at most [`ACTIVITY_KEPT`].
    pub activity: Vec<SyncActivity>,
    /// Since the pair started here, newest first.
    pub conflicts: Vec<SyncConflict>,
    /// Found by the latest full run, updated by later runs over part of the pair.
    pub issues: Vec<Issue>,
}

/// What the tray shows for all pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOverall {
    /// Nothing to do (or no pairs).
    Idle,
    /// A pair scans or syncs.
    Syncing,
    /// Every pair is paused.
    Paused,
    /// A pair failed or waits for an answer.
    Error,
}

/// Every pair, whole, and the overall state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncSnapshot {
    /// Oldest pair first.
    pub pairs: Vec<SyncPairStatus>,
    /// For the tray.
    pub overall: SyncOverall,
}

impl SyncSnapshot {
    /// The snapshot of `pairs`.
    pub fn of(pairs: Vec<SyncPairStatus>) -> Self {
        let overall = overall(&pairs);
        Self { pairs, overall }
    }
}

/// A failure or a question beats work in progress, which beats all paused, which beats idle.
pub fn overall(pairs: &[SyncPairStatus]) -> SyncOverall {
    let any = |f: fn(&SyncState) -> bool| pairs.iter().any(|p| f(&p.status));
    if any(|s| matches!(s, SyncState::Error { .. } | SyncState::Waiting { .. })) {
        SyncOverall::Error
    } else if any(|s| matches!(s, SyncState::Scanning | SyncState::Syncing { .. })) {
        SyncOverall::Syncing
    } else if !pairs.is_empty() && pairs.iter().all(|p| p.status == SyncState::Paused) {
        SyncOverall::Paused
    } else {
        SyncOverall::Idle
    }
}

/// Now, in ms since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as i64
}

impl SyncPairStatus {
    /// A pair as recorded, before anything happened here.
    pub fn new(record: &PairRecord, status: SyncState) -> Self {
        Self {
            id: record.id,
            local: record.spec.local.clone(),
            remote_dir: record.spec.remote_dir.clone(),
            mode: record.spec.mode,
            status,
            last_sync_ms: record
                .last_run_ms
                .filter(|_| record.last_status.as_deref() == Some("ok")),
            synced_files: record.synced_paths,
            activity: Vec::new(),
            conflicts: Vec::new(),
            issues: Vec::new(),
        }
    }

    /// Takes in one event of a run at `at_ms`.
    pub fn apply(&mut self, event: &SyncEvent, at_ms: i64) {
        match event {
            SyncEvent::Planned { actions, .. } if *actions > 0 => {
                self.status = SyncState::Syncing {
                    done: 0,
                    total: *actions,
                };
            }
            SyncEvent::Done { action } if action.changes_anything() => {
                self.step();
                if let Action::Conflict {
                    path, copy, loser, ..
                } = action
                {
                    self.conflicts.insert(
                        0,
                        SyncConflict {
                            path: path.clone(),
                            copy: copy.clone(),
                            loser: *loser,
                            at_ms,
                        },
                    );
                }
                self.record(at_ms, tag(action), action.path(), describe(action));
            }
            SyncEvent::Failed {
                path,
                code,
                message,
            } => {
                self.step();
                let text = format!("Could not sync {path}: {message} [{code}]");
                self.record(at_ms, "failed".into(), path, text);
            }
            SyncEvent::Deferred { path } => {
                self.step();
                let text = format!("{path} is still being written; it is synced once it settles");
                self.record(at_ms, "deferred".into(), path, text);
            }
            SyncEvent::Note { message } => {
                self.record(at_ms, "note".into(), "", message.clone());
            }
            SyncEvent::Planned { .. }
            | SyncEvent::Done { .. }
            | SyncEvent::Issue(_)
            | SyncEvent::Left(_) => {}
        }
    }

    /// Takes in the `issues` a run over `scope` found: they replace those of that part only.
    pub fn take_issues(&mut self, scope: &Scope, issues: &[Issue]) {
        self.issues.retain(|issue| !scope.contains(&issue.path));
        self.issues.extend(issues.iter().cloned());
    }

    fn step(&mut self) {
        if let SyncState::Syncing { done, total } = &mut self.status {
            *done = (*done + 1).min(*total);
        }
    }

    fn record(&mut self, at_ms: i64, kind: String, path: &str, text: String) {
        self.activity.insert(
            0,
            SyncActivity {
                at_ms,
                kind,
                path: path.to_owned(),
                text,
            },
        );
        self.activity.truncate(ACTIVITY_KEPT);
    }
}

/// The action's serialized tag: `upload`, `move_remote`, ...
fn tag(action: &Action) -> String {
    serde_json::to_value(action)
        .ok()
        .and_then(|value| value.get("action")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// An action for people, in the past tense.
fn describe(action: &Action) -> String {
    match action {
        Action::Upload { path } => format!("Uploaded {path}"),
        Action::Download { path } => format!("Downloaded {path}"),
        Action::CreateLocalFolder { path } => format!("Made the folder {path} here"),
        Action::CreateRemoteFolder { path } => format!("Made the folder {path} in your folder"),
        Action::DeleteLocal { path, .. } => format!("Moved {path} to the trash"),
        Action::DeleteRemote { path, .. } => format!("Deleted {path} from your folder"),
        Action::MoveRemote {
            from,
            to,
            keep_source: false,
        } => format!("Moved {from} to {to}"),
        Action::MoveRemote { from, to, .. } => format!("Copied {from} to {to}"),
        Action::Conflict { path, copy, .. } => {
            format!("Both versions of {path} changed: one is kept as {copy}")
        }
        Action::Record { path } => format!("Recorded {path} as synced"),
        Action::Forget { path } => format!("Forgot {path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::PairSpec;

    fn pair(status: SyncState) -> SyncPairStatus {
        let record = PairRecord {
            id: 1,
            spec: PairSpec {
                local: "/home/a".into(),
                bucket: "b".into(),
                folder: "me/".into(),
                remote_dir: "docs".into(),
                mode: Mode::TwoWay,
            },
            last_run_ms: Some(5),
            last_status: Some("ok".into()),
            last_error: None,
            synced_paths: 3,
        };
        SyncPairStatus::new(&record, status)
    }

    #[test]
    fn a_run_counts_its_actions_and_keeps_conflicts() {
        let mut status = pair(SyncState::Scanning);
        assert_eq!(status.last_sync_ms, Some(5));
        status.apply(
            &SyncEvent::Planned {
                actions: 2,
                deletions: 0,
            },
            10,
        );
        status.apply(
            &SyncEvent::Done {
                action: Action::Upload { path: "a".into() },
            },
            11,
        );
        assert_eq!(status.status, SyncState::Syncing { done: 1, total: 2 });
        status.apply(
            &SyncEvent::Done {
                action: Action::Conflict {
                    path: "b".into(),
                    loser: Side::Remote,
                    copy: "b (conflict)".into(),
                    copy_to_both: true,
                },
            },
            12,
        );
        assert_eq!(status.status, SyncState::Syncing { done: 2, total: 2 });
        assert_eq!(status.activity[0].kind, "conflict");
        assert_eq!(status.activity[1].kind, "upload");
        assert_eq!(status.activity[1].text, "Uploaded a");
        assert_eq!(status.conflicts.len(), 1);
        assert_eq!(status.conflicts[0].copy, "b (conflict)");
    }

    #[test]
    fn a_run_over_part_of_the_pair_replaces_the_issues_of_that_part_only() {
        let issue = |path: &str| Issue {
            path: path.into(),
            side: Side::Local,
            problem: "is a symbolic link".into(),
        };
        let mut status = pair(SyncState::Idle);
        status.take_issues(&Scope::Everything, &[issue("a/link"), issue("b/link")]);
        let docs_only = Scope::Part {
            entries_of: ["a".to_owned()].into(),
            trees: Default::default(),
        };
        status.take_issues(&docs_only, &[issue("a/other")]);
        let paths: Vec<&str> = status.issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["b/link", "a/other"]);
        status.take_issues(&Scope::Everything, &[]);
        assert!(status.issues.is_empty());
    }

    #[test]
    fn activity_keeps_the_latest_fifty() {
        let mut status = pair(SyncState::Idle);
        for n in 0..60 {
            status.apply(
                &SyncEvent::Note {
                    message: format!("{n}"),
                },
                n,
            );
        }
        assert_eq!(status.activity.len(), ACTIVITY_KEPT);
        assert_eq!(status.activity[0].text, "59");
    }

    #[test]
    fn the_overall_state_puts_problems_first() {
        let paused = pair(SyncState::Paused);
        let idle = pair(SyncState::Idle);
        let syncing = pair(SyncState::Syncing { done: 0, total: 1 });
        let waiting = pair(SyncState::Waiting {
            deletions: 3,
            synced: 4,
            local: 0,
            remote: 3,
        });
        assert_eq!(overall(&[]), SyncOverall::Idle);
        assert_eq!(overall(std::slice::from_ref(&paused)), SyncOverall::Paused);
        assert_eq!(overall(&[paused.clone(), idle.clone()]), SyncOverall::Idle);
        assert_eq!(overall(&[idle, syncing.clone()]), SyncOverall::Syncing);
        assert_eq!(overall(&[syncing, waiting, paused]), SyncOverall::Error);
    }

    #[test]
    fn serializes_as_the_ipc_contract_says() {
        let status = pair(SyncState::Waiting {
            deletions: 3,
            synced: 4,
            local: 0,
            remote: 3,
        });
        let json = serde_json::to_value(SyncSnapshot::of(vec![status])).unwrap();
        assert_eq!(json["overall"], "error");
        let pair = &json["pairs"][0];
        assert_eq!(
            pair["status"],
            serde_json::json!({"state": "waiting", "deletions": 3, "synced": 4, "local": 0, "remote": 3})
        );
        assert_eq!(pair["mode"], "two-way");
        assert_eq!(pair["local"], "/home/a");
        assert_eq!(pair["last_sync_ms"], 5);
    }
}
