//! The file commands end to end, as a person or a script runs them against an in-process
//! localcloud: `put` of a folder (`--json` lines), `ls -r --json`, `get` back (same bytes, same
//! modification time, empty folders too, an existing file replaced), `mkdir`, `mv`, `cp`, `du`,
//! `share` (the link downloads the file), `rm -r`, and a missing file failing on one line.
//!
//! Needs: `cargo build -p cubby-cli` first and a Secret Service in a D-Bus session (see
//! cli_login.rs).

use std::collections::BTreeMap;
use std::fs;
use std::process::Output;
use std::time::{Duration, SystemTime};

use cubby_e2e::{Setup, run, stderr_of, stdout_of};
use cubby_test_support::ALICE;
use cubby_test_support::keyring::require_secret_service;
use serde_json::{Value, json};

fn json_lines(output: &Output) -> Vec<Value> {
    stdout_of(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// `ls -r --json PATH` as path -> entry.
async fn listing(setup: &Setup, path: &str) -> BTreeMap<String, Value> {
    json_lines(&run(&mut setup.cubby(&["ls", "-r", "--json", path])).await)
        .into_iter()
        .map(|entry| (entry["path"].as_str().unwrap().to_owned(), entry))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_list_get_and_organise_files() {
    require_secret_service();
    let setup = Setup::start().await;
    setup.login(ALICE).await;
    let work = setup.dir.path();
    let tree = work.join("tree");
    fs::create_dir_all(tree.join("docs/empty")).unwrap();
    fs::write(tree.join("docs/a.txt"), "alpha").unwrap();
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    fs::File::options()
        .write(true)
        .open(tree.join("docs/a.txt"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    let big: Vec<u8> = (0..3 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    fs::write(tree.join("b.bin"), &big).unwrap();

    let put = run(&mut setup.cubby(&["put", "--json", tree.to_str().unwrap(), "backup"])).await;
    let lines = json_lines(&put);
    let finished: Vec<&str> = lines
        .iter()
        .filter(|l| l["event"] == "finished")
        .map(|l| l["remote"].as_str().unwrap())
        .collect();
    assert_eq!(finished.len(), 2, "{lines:?}");
    assert!(finished.contains(&"backup/tree/docs/a.txt"), "{lines:?}");
    assert_eq!(
        lines.last().unwrap(),
        &json!({"event": "summary", "files": 2, "bytes": 5 + big.len(), "failed": 0})
    );

    let listed = listing(&setup, "backup").await;
    assert_eq!(listed["backup/tree/docs/a.txt"]["size"], 5);
    assert_eq!(listed["backup/tree/b.bin"]["size"], big.len());
    assert_eq!(listed["backup/tree/docs/empty"]["type"], "folder");

    let down = work.join("down");
    stdout_of(&run(&mut setup.cubby(&["get", "backup/tree", down.to_str().unwrap()])).await);
    let a = down.join("tree/docs/a.txt");
    assert_eq!(fs::read(&a).unwrap(), b"alpha");
    assert_eq!(fs::metadata(&a).unwrap().modified().unwrap(), old);
    assert_eq!(fs::read(down.join("tree/b.bin")).unwrap(), big);
    assert!(down.join("tree/docs/empty").is_dir());

    // Getting a file again replaces the local copy, and leaves nothing else beside it.
    fs::write(&a, "changed here").unwrap();
    let docs = down.join("tree/docs");
    stdout_of(
        &run(&mut setup.cubby(&["get", "backup/tree/docs/a.txt", docs.to_str().unwrap()])).await,
    );
    assert_eq!(fs::read(&a).unwrap(), b"alpha");
    let mut beside: Vec<String> = fs::read_dir(&docs)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    beside.sort();
    assert_eq!(beside, ["a.txt", "empty"]);

    // A missing file: exit 1, one line naming the code, nothing written.
    let missing = run(&mut setup.cubby(&["get", "backup/nope.txt", docs.to_str().unwrap()])).await;
    assert_eq!(missing.status.code(), Some(1));
    let message = stderr_of(&missing);
    let last = message.trim_end().lines().last().unwrap_or_default();
    assert!(last.contains("[storage.not_found]"), "{message}");
    assert!(!docs.join("nope.txt").exists());

    for args in [
        &["mkdir", "archive"][..],
        &["mv", "backup/tree/b.bin", "archive/b.bin"],
        &["cp", "archive/b.bin", "archive/c.bin"],
    ] {
        stdout_of(&run(&mut setup.cubby(args)).await);
    }
    let usage = json_lines(&run(&mut setup.cubby(&["du", "--json", "archive"])).await);
    assert_eq!(
        usage,
        [json!({"path": "archive", "bytes": 2 * big.len(), "files": 2})]
    );
    assert!(
        !listing(&setup, "backup")
            .await
            .contains_key("backup/tree/b.bin")
    );

    let share = json_lines(
        &run(&mut setup.cubby(&["share", "--json", "--expires", "10m", "archive/c.bin"])).await,
    );
    let url = share[0]["url"].as_str().unwrap();
    let shared = reqwest::get(url).await.unwrap();
    assert_eq!(shared.status(), 200);
    assert_eq!(shared.bytes().await.unwrap(), big);

    stdout_of(&run(&mut setup.cubby(&["rm", "-r", "backup", "archive"])).await);
    assert!(listing(&setup, "").await.is_empty());
}
