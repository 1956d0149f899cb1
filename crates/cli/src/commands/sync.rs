//! `sync`: a local folder kept in step with a folder of yours, once or while watching, with a
//! summary at the end (and JSON lines with `--json`); `sync --list`: the pairs and how their
//! last run went.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use cubby_core::storage::RemotePath;
use cubby_core::sync::{
    DeletionLimit, Mode, PairRecord, Prescan, RunReport, Summary, SyncDb, SyncEvent, SyncOptions,
    SyncPair, WatchOptions, default_lock_dir, holder_name, watch,
};
use cubby_core::transfer::{StateDb, TransferEvent, TransferOptions, Transfers};
use cubby_core::{Error, ErrorCode, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

use super::print_json_line;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The local folder to sync.
    #[arg(value_name = "LOCAL", required_unless_present = "list")]
    local: Option<PathBuf>,
    /// The folder of yours to keep it in step with (default: the local folder's name).
    #[arg(value_name = "REMOTE_DIR")]
    remote: Option<String>,
    /// backup: local to remote, never deleting remotely; mirror: local to remote, deleting
    /// what it synced and you then deleted here; two-way: both ways, conflicts kept as copies.
    #[arg(long, value_enum, default_value = "two-way")]
    mode: ModeArg,
    /// Sync once and exit (the default).
    #[arg(long, conflicts_with = "watch")]
    once: bool,
    /// Keep syncing: on every local change and every 30 s or so, until interrupted (Ctrl-C).
    #[arg(long)]
    watch: bool,
    /// Only print what would be done.
    #[arg(long)]
    dry_run: bool,
    /// Allow up to N deletions (by default a sync stops and asks when it would delete more
    /// than half of the synced files, or more than 1,000).
    #[arg(long, value_name = "N")]
    max_delete: Option<usize>,
    /// List the pairs and their state instead of syncing.
    #[arg(long, conflicts_with_all = ["local", "watch", "dry_run"])]
    list: bool,
    /// One JSON object per event, then a summary.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    Backup,
    Mirror,
    TwoWay,
}

impl From<ModeArg> for Mode {
    fn from(mode: ModeArg) -> Self {
        match mode {
            ModeArg::Backup => Mode::Backup,
            ModeArg::Mirror => Mode::Mirror,
            ModeArg::TwoWay => Mode::TwoWay,
        }
    }
}

pub async fn sync(context: &Context, args: SyncArgs) -> Result<()> {
    if args.list {
        let (db, recovered) = SyncDb::open(&SyncDb::default_path()?)?;
        if let Some(note) = recovered {
            show(&SyncEvent::Note { message: note }, args.json);
        }
        return list(&db, args.json);
    }
    let local = args
        .local
        .clone()
        .expect("clap requires LOCAL without --list");
    let remote_dir = match &args.remote {
        Some(remote) => RemotePath::parse(remote)?,
        None => default_remote(&local)?,
    };
    // The databases are opened (and checked), and for one run the local folder walked and
    // the pair's base read, while the session is restored: those wait on the disk, the
    // session on the keyring and the network, and none needs the other.
    let watching = args.watch && !args.once;
    let locks = default_lock_dir()?;
    let databases = tokio::task::spawn_blocking({
        let (local, remote_dir) = (local.clone(), remote_dir.clone());
        move || {
            let holder = holder_name("cubby sync");
            let (db, recovered) = SyncDb::open(&SyncDb::default_path()?)?;
            let prescan = match watching {
                true => Prescan::nothing(&local, &locks, &holder),
                false => Prescan::start(&db, &local, &remote_dir, &locks, &holder),
            };
            let state = StateDb::open(&SyncDb::transfer_state_path()?)?;
            Ok::<_, Error>((db, recovered, prescan, state))
        }
    });
    let (session, databases) = tokio::join!(context.open_storage(), databases);
    let (db, recovered, prescan, state) =
        databases.map_err(|e| Error::internal(format!("database opening task: {e}")))??;
    if let Some(note) = recovered {
        show(&SyncEvent::Note { message: note }, args.json);
    }
    let (_session, storage) = session?;
    // A run plans again after a restart: the queue's own rows would never be read.
    let transfer_options = TransferOptions {
        record_queue: false,
        ..TransferOptions::default()
    };
    let (transfers, transfer_events) = Transfers::new(storage, state, transfer_options);
    let options = SyncOptions {
        mode: args.mode.into(),
        deletion_limit: args
            .max_delete
            .map_or(DeletionLimit::Default, DeletionLimit::AtMost),
        dry_run: args.dry_run,
        ..SyncOptions::default()
    };
    let (pair, events) = SyncPair::open_prescanned(prescan, remote_dir, transfers, db, options)?;
    let shown = tokio::spawn(show_events(events, transfer_events, args.json));
    if watching {
        let result = watch_pair(&pair, args.json).await;
        drop(pair);
        let _ = shown.await;
        return result;
    }
    // On the runtime's workers rather than this thread: every transfer that ends wakes the
    // run, and a wake-up among the workers costs less than one across to this thread.
    let (pair, result) = tokio::spawn(async move {
        let result = pair.run_once().await;
        (pair, result)
    })
    .await
    .map_err(|e| Error::internal(format!("sync task: {e}")))?;
    // Every event of the run is shown before its summary.
    drop(pair);
    let _ = shown.await;
    let report = result?;
    finish(&report, args.json, args.dry_run);
    outcome(&report, args.dry_run)
}

/// The folder of yours named like the local folder.
fn default_remote(local: &std::path::Path) -> Result<RemotePath> {
    let absolute = std::fs::canonicalize(local).map_err(|e| {
        Error::new(
            ErrorCode::SyncInvalidPair,
            format!("{}: {e}; name an existing folder to sync", local.display()),
        )
    })?;
    let name = absolute.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::new(
            ErrorCode::SyncInvalidPair,
            format!(
                "{} has no name to use in your folder; name the folder of yours to sync with (REMOTE_DIR)",
                absolute.display()
            ),
        )
    })?;
    RemotePath::parse(name)
}

async fn watch_pair(pair: &SyncPair, json: bool) -> Result<()> {
    let stop = CancellationToken::new();
    let on_signal = stop.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        on_signal.cancel();
    });
    let mut last_error: Option<String> = None;
    watch(pair, WatchOptions::default(), stop, |result| {
        show_run(result, json, &mut last_error)
    })
    .await
}

/// What a run of a watched pair says: its summary when it did something, its error once.
fn show_run(result: Result<RunReport>, json: bool, last_error: &mut Option<String>) {
    match result {
        Ok(report) => {
            *last_error = None;
            if report.plan.actions.iter().any(|a| a.changes_anything())
                || !report.plan.issues.is_empty()
            {
                finish(&report, json, false);
            }
        }
        // A pair that keeps failing says so once, not once per run.
        Err(err) if last_error.as_deref() != Some(err.message.as_str()) => {
            if json {
                print_json_line(&ErrorLine { error: &err });
            } else {
                eprintln!("cubby: {err} [{}]; trying again", err.code);
            }
            *last_error = Some(err.message);
        }
        Err(_) => {}
    }
}

/// The exit status of one run: failures and issues fail the command (after the summary).
fn outcome(report: &RunReport, dry_run: bool) -> Result<()> {
    let summary = &report.summary;
    if dry_run || (summary.complete() && report.plan.issues.is_empty()) {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::SyncIncomplete,
        format!(
            "{} failed, {} still being written, {} cannot be synced (see above); run again to retry",
            summary.failed, summary.deferred, summary.issues
        ),
    ))
}

/// Prints the plan of a dry run, and the summary.
fn finish(report: &RunReport, json: bool, dry_run: bool) {
    if dry_run {
        for action in report.plan.actions.iter().filter(|a| a.changes_anything()) {
            match json {
                true => print_json_line(&WouldLine { action }),
                false => println!("would {}", describe(action)),
            }
        }
    }
    match json {
        true => print_json_line(&SummaryLine {
            summary: &report.summary,
            dry_run,
        }),
        false => eprintln!("{}", summary_text(&report.summary, dry_run)),
    }
}

fn summary_text(summary: &Summary, dry_run: bool) -> String {
    let head = if dry_run { "dry run" } else { "synced" };
    format!(
        "{head}: {} uploaded, {} downloaded, {} renamed, {} deleted, {} conflicts, {} issues{}{}",
        summary.uploaded,
        summary.downloaded,
        summary.renamed,
        summary.deleted,
        summary.conflicts,
        summary.issues,
        if summary.failed > 0 {
            format!(", {} failed", summary.failed)
        } else {
            String::new()
        },
        if summary.deferred > 0 {
            format!(", {} still being written", summary.deferred)
        } else {
            String::new()
        },
    )
}

fn describe(action: &cubby_core::sync::Action) -> String {
    use cubby_core::sync::Action;
    match action {
        Action::Upload { path } => format!("upload {path}"),
        Action::Download { path } => format!("download {path}"),
        Action::CreateLocalFolder { path } => format!("create folder {path} here"),
        Action::CreateRemoteFolder { path } => format!("create folder {path} remotely"),
        Action::DeleteLocal { path, .. } => format!("move {path} to the trash"),
        Action::DeleteRemote { path, .. } => format!("delete {path} remotely"),
        Action::MoveRemote {
            from,
            to,
            keep_source: false,
        } => format!("move {from} to {to} remotely"),
        Action::MoveRemote {
            from,
            to,
            keep_source: true,
        } => format!("copy {from} to {to} remotely"),
        Action::Conflict { path, copy, .. } => {
            format!("keep both versions of {path} (one as {copy})")
        }
        Action::Record { path } => format!("record {path} as synced"),
        Action::Forget { path } => format!("forget {path}"),
    }
}

/// Shows sync events as they come (issues and failures always; each action with `--json`),
/// and a progress bar of the transfers on a terminal.
async fn show_events(
    mut events: UnboundedReceiver<SyncEvent>,
    mut transfers: UnboundedReceiver<TransferEvent>,
    json: bool,
) {
    let bar = (!json && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
        bar
    });
    let mut finished = 0usize;
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => match &bar {
                    Some(bar) if !json && matches!(event, SyncEvent::Done { .. }) => {
                        bar.set_message(format!("{finished} transfers done"));
                    }
                    Some(bar) => bar.suspend(|| show(&event, json)),
                    None => show(&event, json),
                },
                None => break,
            },
            Some(event) = transfers.recv() => {
                if matches!(event.kind, cubby_core::transfer::EventKind::Finished { .. }) {
                    finished += 1;
                    if let Some(bar) = &bar {
                        bar.set_message(format!("{finished} transfers done"));
                        bar.tick();
                    }
                }
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

fn show(event: &SyncEvent, json: bool) {
    if json {
        print_json_line(event);
        return;
    }
    match event {
        SyncEvent::Note { message } => eprintln!("cubby: {message}"),
        SyncEvent::Issue(issue) => {
            eprintln!("cubby: cannot sync {}: {}", issue.path, issue.problem)
        }
        SyncEvent::Left(left) => eprintln!("cubby: left {}: {}", left.path, left.reason),
        SyncEvent::Failed {
            path,
            code,
            message,
        } => eprintln!("cubby: {path}: {message} [{code}]"),
        SyncEvent::Deferred { path } => {
            eprintln!("cubby: {path} is still being written; it is synced once it settles")
        }
        SyncEvent::Planned { .. } | SyncEvent::Done { .. } => {}
    }
}

fn list(db: &SyncDb, json: bool) -> Result<()> {
    for pair in db.pairs()? {
        match json {
            true => print_json_line(&PairLine { pair: &pair }),
            false => println!("{}", describe_pair(&pair)),
        }
    }
    Ok(())
}

/// `LOCAL <-> /REMOTE_DIR  MODE  STATUS (error)  N paths`.
fn describe_pair(pair: &PairRecord) -> String {
    let status = pair.last_status.as_deref().unwrap_or("never run");
    let error = pair
        .last_error
        .as_deref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    format!(
        "{} <-> /{}  {}  {status}{error}  {} paths",
        pair.spec.local.display(),
        pair.spec.remote_dir,
        pair.spec.mode.as_str(),
        pair.synced_paths
    )
}

/// A `sync --list --json` line: `{"event": "pair", "id", "local", ...}`.
#[derive(Serialize)]
#[serde(tag = "event", rename = "pair")]
struct PairLine<'a> {
    #[serde(flatten)]
    pair: &'a PairRecord,
}

/// A `--dry-run --json` line: `{"event": "would", "action": "upload", "path": "a.txt"}`.
#[derive(Serialize)]
#[serde(tag = "event", rename = "would")]
struct WouldLine<'a> {
    #[serde(flatten)]
    action: &'a cubby_core::sync::Action,
}

/// The last `--json` line of a run: `{"event": "summary", "uploaded", ..., "dry_run"}`.
#[derive(Serialize)]
#[serde(tag = "event", rename = "summary")]
struct SummaryLine<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    dry_run: bool,
}

/// A `--watch --json` line for a run that failed: `{"event": "error", "error": {code, message}}`.
#[derive(Serialize)]
#[serde(tag = "event", rename = "error")]
struct ErrorLine<'a> {
    error: &'a Error,
}
