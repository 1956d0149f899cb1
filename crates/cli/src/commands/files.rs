//! Folder commands: ls, mkdir, rm, mv, cp, share, du. Remote paths are relative to the
//! signed-in person's folder (`docs/a.txt`; `/` or nothing is the folder itself).

use std::time::{Duration, SystemTime};

use clap::Args;
use cubby_core::storage::{Entry, EntryKind, RemotePath, Unusable, Usage};
use cubby_core::{Result, wire};
use futures::TryStreamExt;
use indicatif::HumanBytes;
use serde::Serialize;

use super::print_json_line;
use crate::context::Context;

pub fn remote(path: Option<&str>) -> Result<RemotePath> {
    RemotePath::parse(path.unwrap_or(""))
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Folder (or file) to list; the top of your folder when left out.
    path: Option<String>,
    /// List everything below, not only the folder's own entries.
    #[arg(short, long)]
    recursive: bool,
    /// One JSON object per line: {"path","type","size","modified"}; a key that is not a clean
    /// path has "type":"unusable", with "exact" the form `rm --key` takes.
    #[arg(long)]
    json: bool,
}

pub async fn ls(context: &Context, args: LsArgs) -> Result<()> {
    let (_session, storage) = context.open_storage().await?;
    let dir = remote(args.path.as_deref())?;
    let print = |entries: Vec<Entry>| {
        for entry in entries {
            let shown = match &entry.kind {
                // Relative to the listed folder, like the others (a key's own path is not clean).
                EntryKind::Unusable(unusable) => {
                    let readable = unusable.key.readable();
                    match dir.is_root() {
                        true => readable,
                        false => readable
                            .strip_prefix(&format!("{}/", dir.as_str()))
                            .unwrap_or(&readable)
                            .to_owned(),
                    }
                }
                _ if args.recursive => entry
                    .path
                    .relative_to(&dir)
                    .unwrap_or(entry.path.as_str())
                    .to_owned(),
                _ => entry.path.name().unwrap_or_default().to_owned(),
            };
            if args.json {
                print_json_line(&entry);
            } else {
                println!("{}", entry_line(&entry, &shown));
            }
        }
    };
    if args.recursive {
        storage
            .list_recursive(&dir)
            .try_for_each(|page| async {
                print(page);
                Ok(())
            })
            .await
    } else {
        storage
            .list(&dir)
            .try_for_each(|page| async {
                print(page);
                Ok(())
            })
            .await
    }
}

fn entry_line(entry: &Entry, shown: &str) -> String {
    match &entry.kind {
        EntryKind::Folder => format!("{:>10}  {:<20}  {shown}/", "", ""),
        EntryKind::File { size, modified } => {
            format!(
                "{:>10}  {:<20}  {shown}",
                HumanBytes(*size).to_string(),
                timestamp(*modified)
            )
        }
        EntryKind::Unusable(unusable) => {
            let Unusable {
                key,
                size,
                modified,
                twin,
            } = unusable.as_ref();
            let (size, slash) = match key.is_folder() {
                true => (String::new(), "/"),
                false => (HumanBytes(*size).to_string(), ""),
            };
            let twin = twin
                .as_ref()
                .map(|t| format!("; another spelling of {t}"))
                .unwrap_or_default();
            format!(
                "{size:>10}  {:<20}  {shown}{slash}  (cannot be used: {}{twin}; delete it with: cubby rm --key '{}')",
                timestamp(*modified),
                key.problem().explain(),
                key.exact()
            )
        }
    }
}

/// RFC 3339, or nothing for a time no calendar shows (another tool's nonsense in stored
/// metadata).
fn timestamp(time: Option<SystemTime>) -> String {
    time.and_then(wire::rfc3339).unwrap_or_default()
}

#[derive(Debug, Args)]
pub struct MkdirArgs {
    path: String,
}

pub async fn mkdir(context: &Context, args: MkdirArgs) -> Result<()> {
    let (_session, storage) = context.open_storage().await?;
    storage.create_folder(&remote(Some(&args.path))?).await
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Also delete folders and everything in them.
    #[arg(short, long)]
    recursive: bool,
    /// A key that is not a clean path, exactly as `cubby ls` shows it (e.g.
    /// 'docs/e\u{301}t\u{e9}.txt'); only a key a fresh listing finds is deleted. Repeatable.
    #[arg(long = "key", value_name = "EXACT_KEY")]
    keys: Vec<String>,
    #[arg(required_unless_present = "keys")]
    paths: Vec<String>,
}

pub async fn rm(context: &Context, args: RmArgs) -> Result<()> {
    let (_session, storage) = context.open_storage().await?;
    let paths = args
        .paths
        .iter()
        .map(|p| remote(Some(p)))
        .collect::<Result<Vec<_>>>()?;
    let mut keys = Vec::new();
    for exact in &args.keys {
        keys.push(storage.find_listed(exact).await?);
    }
    let mut reports = Vec::new();
    if !paths.is_empty() {
        reports.push(storage.delete(&paths, args.recursive).await?);
    }
    if !keys.is_empty() {
        reports.push(storage.delete_listed(&keys, args.recursive).await?);
    }
    let mut result = Ok(0);
    for report in reports {
        for failure in &report.failed {
            eprintln!(
                "cubby: could not delete {}: {}",
                failure.path, failure.error
            );
        }
        result = result.and(report.into_result());
    }
    result.map(|_| ())
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    source: String,
    /// New name, or an existing folder to put the source into.
    destination: String,
}

pub async fn mv(context: &Context, args: CopyArgs) -> Result<()> {
    let (_session, storage) = context.open_storage().await?;
    let (from, to) = (
        remote(Some(&args.source))?,
        remote(Some(&args.destination))?,
    );
    let moved = storage.rename(&from, &to).await?;
    println!("moved {from} to {moved}");
    Ok(())
}

pub async fn cp(context: &Context, args: CopyArgs) -> Result<()> {
    let (_session, storage) = context.open_storage().await?;
    let (from, to) = (
        remote(Some(&args.source))?,
        remote(Some(&args.destination))?,
    );
    let copied = storage.copy(&from, &to).await?;
    println!("copied {from} to {copied}");
    Ok(())
}

#[derive(Debug, Args)]
pub struct ShareArgs {
    path: String,
    /// How long the link works, e.g. 30m, 1h, 2days (at most 7 days, and never past your
    /// current credentials' expiry).
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    expires: Duration,
    #[arg(long)]
    json: bool,
}

pub async fn share(context: &Context, args: ShareArgs) -> Result<()> {
    let (_session, storage) = context.open_storage().await?;
    let link = storage
        .share_link(&remote(Some(&args.path))?, args.expires)
        .await?;
    let expires = timestamp(Some(link.expires_at));
    if args.json {
        print_json_line(&ShareLine {
            url: &link.url,
            expires_at: &expires,
            limited_by: link.limited_by.map(|l| l.explain()),
        });
        return Ok(());
    }
    println!("{}", link.url);
    match link.limited_by {
        Some(limit) => eprintln!(
            "note: the link expires at {expires}, sooner than asked: {}",
            limit.explain()
        ),
        None => eprintln!("the link expires at {expires}"),
    }
    Ok(())
}

/// `share --json`: the link, with why it is shorter than asked in words for the reader
/// rather than core's code.
#[derive(Serialize)]
struct ShareLine<'a> {
    url: &'a str,
    expires_at: &'a str,
    limited_by: Option<&'static str>,
}

#[derive(Debug, Args)]
pub struct DuArgs {
    path: Option<String>,
    #[arg(long)]
    json: bool,
}

pub async fn du(context: &Context, args: DuArgs) -> Result<()> {
    let (_session, storage) = context.open_storage().await?;
    let path = remote(args.path.as_deref())?;
    let usage = storage.usage(&path).await?;
    if args.json {
        print_json_line(&DuLine { path: &path, usage });
    } else {
        println!("{}  {} files  {path}", HumanBytes(usage.bytes), usage.files);
    }
    Ok(())
}

/// `du --json`: the usage with the path it is of.
#[derive(Serialize)]
struct DuLine<'a> {
    path: &'a RemotePath,
    #[serde(flatten)]
    usage: Usage,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_past_the_calendar_shows_as_nothing() {
        for far in [
            SystemTime::UNIX_EPOCH + Duration::from_secs(99_999_999_999_999),
            SystemTime::UNIX_EPOCH - Duration::from_secs(99_999_999_999_999),
        ] {
            assert_eq!(timestamp(Some(far)), "");
        }
        let ordinary = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
        assert_eq!(timestamp(Some(ordinary)), "2020-09-13T12:26:40Z");
    }
}
