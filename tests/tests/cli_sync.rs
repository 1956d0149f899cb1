//! `cubby sync` end to end: a first sync with JSON lines and a summary, the default remote
//! folder (the local folder's name), a dry run that changes nothing, and `sync --list`; a
//! `cubby sync` killed (SIGKILL) in the middle of a large first run, which the next run finishes
//! without sending a file twice.
//!
//! Needs: `cargo build -p cubby-cli` first and a Secret Service in a D-Bus session (see
//! cli_login.rs).

use std::fs;
use std::process::Stdio;

use cubby_e2e::{Setup, run, stdout_of};
use cubby_test_support::ALICE;
use cubby_test_support::keyring::require_secret_service;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_once_dry_run_and_list() {
    require_secret_service();
    let setup = Setup::start().await;
    setup.login(ALICE).await;
    let data = setup.dir.path().join("data");
    let local = setup.dir.path().join("Notes");
    fs::create_dir_all(local.join("docs")).unwrap();
    fs::write(local.join("a.txt"), "a").unwrap();
    fs::write(local.join("docs/b.txt"), "b").unwrap();
    let sync = |args: &[&str]| {
        let mut command = setup.cubby(&[&["sync"], args].concat());
        command.env("XDG_DATA_HOME", &data);
        command
    };
    let local_arg = local.to_str().unwrap();

    let first = json_lines(&stdout_of(&run(&mut sync(&[local_arg, "--json"])).await));
    let summary = first.last().unwrap();
    assert_eq!(summary["event"], "summary", "{first:?}");
    assert_eq!(summary["uploaded"], 2, "{summary}");
    assert_eq!(summary["deleted"], 0, "{summary}");
    let done: Vec<&Value> = first.iter().filter(|l| l["event"] == "done").collect();
    assert!(
        done.iter()
            .any(|l| l["action"] == "upload" && l["path"] == "docs/b.txt"),
        "{first:?}"
    );
    let listed = stdout_of(&run(&mut setup.cubby(&["ls", "-r", "Notes"])).await);
    assert!(
        listed.contains("a.txt") && listed.contains("b.txt"),
        "{listed}"
    );

    fs::write(local.join("c.txt"), "c").unwrap();
    let dry = stdout_of(&run(&mut sync(&[local_arg, "Notes", "--dry-run"])).await);
    assert_eq!(dry.trim(), "would upload c.txt");
    let listed = stdout_of(&run(&mut setup.cubby(&["ls", "Notes"])).await);
    assert!(
        !listed.contains("c.txt"),
        "a dry run changes nothing: {listed}"
    );

    let pairs = json_lines(&stdout_of(&run(&mut sync(&["--list", "--json"])).await));
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0]["event"], "pair");
    assert_eq!(pairs[0]["remote_dir"], "Notes");
    assert_eq!(pairs[0]["mode"], "two-way");
    assert_eq!(pairs[0]["last_status"], "ok");
}

/// The files the `done` lines of a sync's JSON output say went up.
fn uploaded(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l["event"] == "done" && l["action"] == "upload")
        .map(|l| l["path"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_midway_is_finished_by_the_next_run_without_sending_a_file_twice() {
    const FILES: usize = 600;
    require_secret_service();
    let setup = Setup::start().await;
    setup.login(ALICE).await;
    let data = setup.dir.path().join("data");
    let local = setup.dir.path().join("Big");
    for i in 0..FILES {
        let dir = local.join(format!("d{}", i % 10));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("f{i:04}.bin")), vec![i as u8; 32 * 1024]).unwrap();
    }
    let sync = |args: &[&str]| {
        let mut command =
            setup.cubby(&[&["sync", local.to_str().unwrap(), "--json"], args].concat());
        command.env("XDG_DATA_HOME", &data);
        command
    };

    let mut killed = sync(&[]).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(killed.stdout.take().unwrap()).lines();
    let mut before = Vec::new();
    while uploaded(&before).len() < FILES / 3 {
        let line = tokio::time::timeout(std::time::Duration::from_secs(120), lines.next_line())
            .await
            .expect("the sync went on")
            .unwrap()
            .expect("the sync was killed before it ended");
        before.push(serde_json::from_str::<Value>(&line).unwrap());
    }
    killed.start_kill().unwrap();
    killed.wait().await.unwrap();
    while let Ok(Some(line)) = lines.next_line().await {
        before.push(serde_json::from_str(&line).unwrap());
    }
    let sent_before = uploaded(&before);
    assert!(
        sent_before.len() < FILES,
        "killed midway: {}",
        sent_before.len()
    );

    let after = json_lines(&stdout_of(&run(&mut sync(&[])).await));
    let summary = after.last().unwrap();
    assert_eq!(summary["event"], "summary", "{after:?}");
    assert!(
        after
            .iter()
            .any(|l| l["event"] == "note" && l["message"].as_str().unwrap().contains("interrupted")),
        "the next run says the last one was interrupted: {after:?}"
    );
    let sent_after = uploaded(&after);
    assert!(
        sent_after.iter().all(|path| !sent_before.contains(path)),
        "no file that went up before the kill is sent again"
    );
    assert!(
        sent_before.len() + sent_after.len() <= FILES,
        "{} + {}",
        sent_before.len(),
        sent_after.len()
    );
    assert_eq!(summary["failed"], 0, "{summary}");
    let listed = stdout_of(&run(&mut setup.cubby(&["ls", "-r", "Big"])).await);
    assert_eq!(
        listed.lines().filter(|l| l.contains(".bin")).count(),
        FILES,
        "{listed}"
    );

    // The state database holds every file: the next run has nothing to do.
    let third = json_lines(&stdout_of(&run(&mut sync(&[])).await));
    let summary = third.last().unwrap();
    assert_eq!(summary["uploaded"], 0, "{summary}");
    assert_eq!(summary["downloaded"], 0, "{summary}");
    let dry = json_lines(&stdout_of(&run(&mut sync(&["--dry-run"])).await));
    assert!(
        dry.iter().all(|l| l["event"] != "would"),
        "nothing left to do: {dry:?}"
    );
    let pairs = json_lines(&stdout_of(&run(&mut sync_list(&setup, &data)).await));
    assert_eq!(pairs[0]["last_status"], "ok", "{pairs:?}");
}

fn sync_list(setup: &Setup, data: &std::path::Path) -> tokio::process::Command {
    let mut command = setup.cubby(&["sync", "--list", "--json"]);
    command.env("XDG_DATA_HOME", data);
    command
}
