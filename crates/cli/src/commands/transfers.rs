//! `put` and `get`: files and folders (recursive) through the transfer queue, with a progress
//! bar on a terminal, nothing when not, and JSON lines with `--json`; `resume`: what an
//! interrupted `put` or `get` (or the app) left unfinished, listed or finished the same way.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use cubby_core::session::Session;
use cubby_core::storage::RemotePath;
use cubby_core::transfer::{
    Direction, EventKind, Links, LocalFolder, QueueState, Queued, Skipped, StateDb, TransferEvent,
    TransferHandle, TransferId, TransferOptions, Transfers, Unfinished,
};
use cubby_core::{Error, ErrorCode, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tokio::sync::mpsc::UnboundedReceiver;

use super::files::remote;
use super::print_json_line;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct PutArgs {
    /// Local files and folders, then (when two or more arguments are given) the remote folder
    /// to put them in; the top of your folder by default.
    #[arg(required = true, value_name = "LOCAL... [REMOTE_DIR]")]
    args: Vec<String>,
    /// Upload what symbolic links inside folders point to (by default they are left out, and
    /// named).
    #[arg(long)]
    follow_links: bool,
    /// One JSON object per finished, failed or skipped file, then a summary.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// Remote files and folders, then (when two or more arguments are given) the local folder
    /// to save them in; the current folder by default.
    #[arg(required = true, value_name = "REMOTE... [LOCAL_DIR]")]
    args: Vec<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// Only list the unfinished transfers and where each stood, without starting them.
    #[arg(long)]
    list: bool,
    /// One JSON object per transfer listed, or per finished or failed file, then a summary.
    #[arg(long)]
    json: bool,
}

pub async fn put(context: &Context, args: PutArgs) -> Result<()> {
    let (sources, target) = split_last(args.args);
    let into = remote(target.as_deref())?;
    let (transfers, events, _session) = queue(context).await?;
    let locals: Vec<PathBuf> = sources.into_iter().map(PathBuf::from).collect();
    let links = if args.follow_links {
        Links::Follow
    } else {
        Links::Skip
    };
    let queued = transfers.upload_paths(&locals, &into, links).await?;
    finish(&transfers, queued, events, args.json).await
}

pub async fn get(context: &Context, args: GetArgs) -> Result<()> {
    let (sources, target) = split_last(args.args);
    let into = PathBuf::from(target.unwrap_or_else(|| ".".to_owned()));
    let remotes = sources
        .iter()
        .map(|s| remote(Some(s)))
        .collect::<Result<Vec<RemotePath>>>()?;
    let (transfers, events, _session) = queue(context).await?;
    let queued = transfers
        .download_paths(&remotes, &LocalFolder::new(into))
        .await?;
    finish(&transfers, queued, events, args.json).await
}

/// Lists, or finishes, the transfers of this profile's folder that an interrupted `put` or
/// `get` or the app left unfinished; a paused queue goes on (resuming is what was asked).
pub async fn resume(context: &Context, args: ResumeArgs) -> Result<()> {
    let (transfers, events, _session) = queue(context).await?;
    if args.list {
        for unfinished in transfers.unfinished()? {
            match args.json {
                true => print_json_line(&UnfinishedLine {
                    unfinished: &unfinished,
                }),
                false => println!("{}", describe(&unfinished)),
            }
        }
        return Ok(());
    }
    let mut handles = transfers.restore()?;
    transfers.resume();
    // Transfers the app paused one by one go on too: resuming is what was asked.
    handles.extend(transfers.resume_held());
    if handles.is_empty() && !args.json {
        eprintln!("cubby: nothing to resume");
    }
    let queued = Queued {
        handles,
        skipped: Vec::new(),
    };
    finish(&transfers, queued, events, args.json).await
}

/// One line of `resume --list`: `STATE  put|get  FROM -> TO`, and why it failed.
fn describe(unfinished: &Unfinished) -> String {
    let state = match unfinished.state {
        QueueState::Queued => "queued",
        QueueState::Running => "running",
        QueueState::Paused => "paused",
        QueueState::Held => "held",
        QueueState::Failed => "failed",
    };
    let local = unfinished.local.display();
    let remote = &unfinished.remote;
    let line = match unfinished.direction {
        Direction::Upload => format!("{state:<8} put  {local} -> {remote}"),
        Direction::Download => format!("{state:<8} get  {remote} -> {local}"),
    };
    match &unfinished.error {
        Some(error) => format!("{line}  ({error})"),
        None => line,
    }
}

/// `[a, b, c]` -> `([a, b], Some(c))`; a single argument has no target.
fn split_last(mut args: Vec<String>) -> (Vec<String>, Option<String>) {
    let target = if args.len() > 1 { args.pop() } else { None };
    (args, target)
}

/// The queue, its events, and the session its credentials renew through (keep it alive).
async fn queue(
    context: &Context,
) -> Result<(Transfers, UnboundedReceiver<TransferEvent>, Session)> {
    let (session, storage) = context.open_storage().await?;
    let state = StateDb::open(&StateDb::default_path()?)?;
    let (transfers, events) = Transfers::new(storage, state, TransferOptions::default());
    Ok((transfers, events, session))
}

/// How often the events piled up since the last look are shown.
const SHOW_EVERY: Duration = Duration::from_millis(100);

/// Names what was left out, then shows events until every transfer ended; fails when any did.
/// Events are read on a timer and at the end, not as each arrives: waking for each of
/// thousands of small files cost a noticeable share of the CPU of a big copy.
async fn finish(
    transfers: &Transfers,
    queued: Queued,
    mut events: UnboundedReceiver<TransferEvent>,
    json: bool,
) -> Result<()> {
    for skipped in &queued.skipped {
        if json {
            print_json_line(&SkippedLine { skipped });
        } else {
            eprintln!("cubby: skipped {}: {}", skipped.name, skipped.reason);
        }
    }
    let handles: Vec<TransferHandle> = queued.handles;
    let count = handles.len();
    let bar = (!json && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
            )
            .expect("valid template"),
        );
        bar
    });
    let mut shown = Shown {
        bar,
        json,
        count,
        done: 0,
        names: HashMap::new(),
        counted: HashMap::new(),
    };
    let mut timer = tokio::time::interval(SHOW_EVERY);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let idle = transfers.idle();
    tokio::pin!(idle);
    loop {
        tokio::select! {
            () = &mut idle => break,
            _ = timer.tick() => shown.drain(&mut events),
        }
    }
    shown.drain(&mut events);
    if let Some(bar) = &shown.bar {
        bar.finish_and_clear();
    }
    let (mut succeeded, mut bytes, mut failures) = (0usize, 0u64, Vec::new());
    for handle in handles {
        match handle.wait().await {
            Ok(moved) => {
                succeeded += 1;
                bytes += moved;
            }
            Err(err) => failures.push(err),
        }
    }
    if json {
        print_json_line(&Summary {
            files: succeeded,
            bytes,
            failed: failures.len(),
        });
    }
    match failures.len() {
        0 => Ok(()),
        1 if count == 1 => Err(failures.into_iter().next().expect("one failure")),
        n => Err(Error::new(
            ErrorCode::StoragePartialFailure,
            format!("{n} of {count} files failed (see above); {succeeded} transferred"),
        )),
    }
}

/// The last `--json` line: the files moved, their bytes, and how many failed.
#[derive(Serialize)]
#[serde(tag = "event", rename = "summary")]
struct Summary {
    files: usize,
    bytes: u64,
    failed: usize,
}

/// A `resume --list --json` line:
/// `{"event": "unfinished", "direction", "local", "remote", "state", "error"}`.
#[derive(Serialize)]
#[serde(tag = "event", rename = "unfinished")]
struct UnfinishedLine<'a> {
    #[serde(flatten)]
    unfinished: &'a Unfinished,
}

/// A `--json` line for what a folder transfer left out: `{"event": "skipped", "name", "reason"}`.
#[derive(Serialize)]
#[serde(tag = "event", rename = "skipped")]
struct SkippedLine<'a> {
    #[serde(flatten)]
    skipped: &'a Skipped,
}

/// A `--json` line for a file that finished or failed: the names from its `queued` event
/// beside the core event that ended it.
#[derive(Serialize)]
struct FileLine<'a> {
    #[serde(serialize_with = "cubby_core::wire::lossy_path")]
    local: &'a Path,
    remote: &'a RemotePath,
    #[serde(flatten)]
    event: &'a EventKind,
}

/// What has been shown of the transfers' events so far.
struct Shown {
    bar: Option<ProgressBar>,
    json: bool,
    count: usize,
    done: usize,
    names: HashMap<TransferId, (PathBuf, RemotePath)>,
    counted: HashMap<TransferId, u64>,
}

impl Shown {
    /// Shows every event that has arrived.
    fn drain(&mut self, events: &mut UnboundedReceiver<TransferEvent>) {
        while let Ok(event) = events.try_recv() {
            self.show(event);
        }
    }

    fn show(&mut self, event: TransferEvent) {
        let id = event.id;
        match event.kind {
            EventKind::Queued { local, remote, .. } => {
                self.names.insert(id, (local, remote));
            }
            EventKind::Started { total_bytes } => {
                if let Some(bar) = &self.bar {
                    bar.inc_length(total_bytes);
                }
            }
            EventKind::Resumed { bytes_done, .. } => self.advance(id, bytes_done),
            EventKind::Progress(progress) => self.advance(id, progress.bytes_done),
            EventKind::Retrying { .. } => {}
            EventKind::Finished { bytes } => {
                self.done += 1;
                self.advance(id, bytes);
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("{}/{} files", self.done, self.count));
                }
                if self.json {
                    self.print_end(id, &event.kind);
                }
            }
            EventKind::Failed { code, ref message } => {
                self.done += 1;
                if self.json {
                    self.print_end(id, &event.kind);
                } else {
                    let report = format!("cubby: {message} [{code}]");
                    match &self.bar {
                        Some(bar) => bar.println(report),
                        None => eprintln!("{report}"),
                    }
                }
            }
            EventKind::Cancelled => self.done += 1,
            // A transfer the app paused by itself, brought back held by a restore; `resume`
            // starts it again at once.
            EventKind::Paused => {}
        }
    }

    /// The `--json` line of how transfer `id` ended.
    fn print_end(&self, id: TransferId, end: &EventKind) {
        let (local, remote) = &self.names[&id];
        print_json_line(&FileLine {
            local,
            remote,
            event: end,
        });
    }

    /// Moves the bar by what transfer `id` did since its last report.
    fn advance(&mut self, id: TransferId, now: u64) {
        let before = self.counted.insert(id, now).unwrap_or(0);
        if let Some(bar) = &self.bar {
            bar.inc(now.saturating_sub(before));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_lines_keep_their_published_shape() {
        let (local, remote) = (
            Path::new("tree/a.txt"),
            &RemotePath::parse("backup/tree/a.txt").unwrap(),
        );
        let line = |event: &EventKind| {
            serde_json::to_value(FileLine {
                local,
                remote,
                event,
            })
        };
        assert_eq!(
            line(&EventKind::Finished { bytes: 5 }).unwrap(),
            json!({"event": "finished", "local": "tree/a.txt", "remote": "backup/tree/a.txt", "bytes": 5})
        );
        let failed = EventKind::Failed {
            code: ErrorCode::StorageNotFound,
            message: "gone".to_owned(),
        };
        assert_eq!(
            line(&failed).unwrap(),
            json!({
                "event": "failed",
                "local": "tree/a.txt",
                "remote": "backup/tree/a.txt",
                "code": "storage.not_found",
                "message": "gone",
            })
        );
        let skipped = Skipped {
            name: "tree/link".to_owned(),
            reason: "a symbolic link, not followed".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(SkippedLine { skipped: &skipped }).unwrap(),
            json!({"event": "skipped", "name": "tree/link", "reason": "a symbolic link, not followed"})
        );
        let unfinished = Unfinished {
            direction: Direction::Download,
            local: PathBuf::from("tree/a.txt"),
            remote: remote.clone(),
            state: QueueState::Failed,
            error: Some("gone".to_owned()),
        };
        assert_eq!(
            serde_json::to_value(UnfinishedLine {
                unfinished: &unfinished
            })
            .unwrap(),
            json!({
                "event": "unfinished",
                "direction": "download",
                "local": "tree/a.txt",
                "remote": "backup/tree/a.txt",
                "state": "failed",
                "error": "gone",
            })
        );
        assert_eq!(
            describe(&unfinished),
            "failed   get  /backup/tree/a.txt -> tree/a.txt  (gone)"
        );
        let summary = Summary {
            files: 2,
            bytes: 7,
            failed: 0,
        };
        assert_eq!(
            serde_json::to_value(summary).unwrap(),
            json!({"event": "summary", "files": 2, "bytes": 7, "failed": 0})
        );
    }
}
