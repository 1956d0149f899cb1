//! `cubby sync` end to end: a first sync with JSON lines and a summary, the default remote
//! folder (the local folder's name), a dry run that changes nothing, and `sync --list`.
//!
//! Needs: `cargo build -p cubby-cli` first and a Secret Service in a D-Bus session (see
//! cli_login.rs).

use std::fs;

use cubby_e2e::{Setup, run, stdout_of};
use cubby_test_support::ALICE;
use cubby_test_support::keyring::require_secret_service;
use serde_json::Value;

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
