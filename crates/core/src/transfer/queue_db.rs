//! The transfer queue as the state database keeps it: one row per transfer from the moment it
//! is queued, its state updated as it changes (never per chunk), removed when it finishes or is
//! cancelled. What is left after a crash or a quit is what a new queue brings back.

use std::path::PathBuf;

use rusqlite::{Connection, params};

use super::events::Direction;
use super::state_db::StateDb;
use crate::error::Result;
use crate::storage::RemotePath;

/// Where an unfinished transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueState {
    /// Waiting for its turn.
    Queued,
    /// Moving bytes (when the queue stopped, for a transfer brought back).
    Running,
    /// Held by a paused queue.
    Paused,
    /// Held on its own (paused by itself), with what it moved kept; the queue's resume does
    /// not start it, resuming it does.
    Held,
    /// Ended with an error; bringing it back tries again.
    Failed,
}

impl QueueState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Held => "held",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "running" => Self::Running,
            "paused" => Self::Paused,
            "held" => Self::Held,
            "failed" => Self::Failed,
            _ => Self::Queued,
        }
    }
}

/// A transfer a queue of this folder left unfinished.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unfinished {
    /// Which way it goes.
    pub direction: Direction,
    /// The file on this machine.
    #[serde(serialize_with = "crate::wire::lossy_path")]
    pub local: PathBuf,
    /// The file in the folder.
    pub remote: RemotePath,
    /// Where it stood.
    pub state: QueueState,
    /// Why it failed, when it did.
    pub error: Option<String>,
}

/// Names one folder's queue in the database: the same bucket and folder prefix.
#[derive(Debug, Clone)]
pub(crate) struct QueueName {
    pub(crate) bucket: String,
    pub(crate) folder: String,
}

fn direction_str(direction: Direction) -> &'static str {
    match direction {
        Direction::Upload => "upload",
        Direction::Download => "download",
    }
}

impl StateDb {
    /// Records transfers as queued in `state` (all in one transaction); each one's row id. A
    /// transfer already recorded (the same file, the same way) keeps its row.
    pub(crate) fn enqueue(
        &self,
        queue: &QueueName,
        state: QueueState,
        transfers: &[(Direction, &std::path::Path, &RemotePath)],
    ) -> Result<Vec<i64>> {
        self.with(|conn| {
            let tx = conn.unchecked_transaction()?;
            let ids = transfers
                .iter()
                .map(|(direction, local, remote)| {
                    insert(&tx, queue, state, *direction, local, remote)
                })
                .collect::<rusqlite::Result<_>>()?;
            tx.commit()?;
            Ok(ids)
        })
    }

    /// Records the transfer `id`'s new state.
    pub(crate) fn set_queue_state(
        &self,
        id: i64,
        state: QueueState,
        error: Option<&str>,
    ) -> Result<()> {
        // Cached: one of the two statements every transfer runs (parsing each was a share of
        // a small-file upload's time).
        self.with(|conn| {
            conn.prepare_cached("UPDATE queue SET state = ?2, error = ?3 WHERE id = ?1")?
                .execute(params![id, state.as_str(), error])?;
            Ok(())
        })
    }

    /// Forgets the transfer `id` (finished or cancelled).
    pub(crate) fn dequeue(&self, id: i64) -> Result<()> {
        self.with(|conn| {
            conn.prepare_cached("DELETE FROM queue WHERE id = ?1")?
                .execute([id])?;
            Ok(())
        })
    }

    /// Marks the queue's waiting and running transfers paused, or paused ones queued again.
    pub(crate) fn set_queue_paused(&self, queue: &QueueName, paused: bool) -> Result<()> {
        let (from, to) = match paused {
            true => ("state IN ('queued', 'running')", QueueState::Paused),
            false => ("state = 'paused'", QueueState::Queued),
        };
        self.with(|conn| {
            conn.execute(
                &format!(
                    "UPDATE queue SET state = ?3 WHERE bucket = ?1 AND folder = ?2 AND {from}"
                ),
                params![queue.bucket, queue.folder, to.as_str()],
            )?;
            Ok(())
        })
    }

    /// The queue's unfinished transfers, in the order they were first queued.
    pub(crate) fn unfinished(&self, queue: &QueueName) -> Result<Vec<Unfinished>> {
        self.with(|conn| {
            let mut stmt = conn.prepare(
                "SELECT direction, local_path, remote, state, error FROM queue
                 WHERE bucket = ?1 AND folder = ?2 ORDER BY id",
            )?;
            let rows = stmt.query_map(params![queue.bucket, queue.folder], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            })?;
            let mut unfinished = Vec::new();
            for row in rows {
                let (direction, local, remote, state, error) = row?;
                // A row this version cannot read (edited by hand) is left alone.
                let Ok(remote) = RemotePath::parse(&remote) else {
                    continue;
                };
                unfinished.push(Unfinished {
                    direction: match direction.as_str() {
                        "download" => Direction::Download,
                        _ => Direction::Upload,
                    },
                    local: PathBuf::from(local),
                    remote,
                    state: QueueState::parse(&state),
                    error,
                });
            }
            Ok(unfinished)
        })
    }
}

fn insert(
    conn: &Connection,
    queue: &QueueName,
    state: QueueState,
    direction: Direction,
    local: &std::path::Path,
    remote: &RemotePath,
) -> rusqlite::Result<i64> {
    conn.query_row(
        "INSERT INTO queue (direction, local_path, bucket, folder, remote, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (direction, local_path, bucket, folder, remote)
         DO UPDATE SET state = excluded.state, error = NULL
         RETURNING id",
        params![
            direction_str(direction),
            local.to_string_lossy(),
            queue.bucket,
            queue.folder,
            remote.as_str(),
            state.as_str(),
        ],
        |row| row.get(0),
    )
}
