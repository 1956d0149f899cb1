//! The file commands against what careless people and other tools leave behind: keys that are
//! not clean paths, an absurd stored modification time, two files for one name, and symbolic
//! links. Every command still works, names what it leaves out, and loses nothing silently.
//!
//! Needs: `cargo build -p cubby-cli` first and a Secret Service in a D-Bus session (see
//! cli_login.rs).

use std::fs;

use cubby_e2e::{Setup, run, stderr_of, stdout_of};
use cubby_test_support::ALICE;
use cubby_test_support::aws::{admin_credentials, s3_client};
use cubby_test_support::keyring::require_secret_service;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_keys_times_and_names_do_not_stop_the_file_commands() {
    require_secret_service();
    let setup = Setup::start().await;
    setup.login(ALICE).await;
    let (identity, _) = setup.cloud.identity_credentials(ALICE.email).unwrap();
    // An admin client writes keys and metadata as any tool could.
    let profile = setup.cloud.profile();
    let admin = s3_client(&profile, admin_credentials(&setup.cloud));
    let bucket = profile.bucket;
    for (relative, mtime) in [
        ("odd/far.txt", Some("99999999999999999")),
        ("odd/\u{e9}t\u{e9}.txt", None),
        ("odd/e\u{301}te\u{301}.txt", None),
        ("odd/a//b.txt", None),
    ] {
        admin
            .put_object()
            .bucket(&bucket)
            .key(format!("{identity}/{relative}"))
            .set_metadata(mtime.map(|m| [("mtime".to_owned(), m.to_owned())].into()))
            .body(b"odd".to_vec().into())
            .send()
            .await
            .unwrap();
    }

    // An absurd stored time is ignored; the file lists.
    let far = stdout_of(&run(&mut setup.cubby(&["ls", "odd/far.txt"])).await);
    assert!(far.contains("far.txt"), "{far}");

    // The folder lists; the unusable keys are flagged with how to delete them, the
    // decomposed name as another spelling of its twin.
    let listed = stdout_of(&run(&mut setup.cubby(&["ls", "-r", "odd"])).await);
    assert!(
        listed.contains(
            "(cannot be used: its name is in decomposed Unicode (NFD); another spelling of /odd/\u{e9}t\u{e9}.txt; delete it with: cubby rm --key 'odd/e\\u{301}te\\u{301}.txt')"
        ),
        "{listed}"
    );
    assert!(listed.contains("a//b.txt"), "{listed}");
    let unusable: Vec<Value> =
        stdout_of(&run(&mut setup.cubby(&["ls", "-r", "--json", "odd"])).await)
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .filter(|entry| entry["type"] == "unusable")
            .collect();
    assert_eq!(unusable.len(), 2, "{unusable:?}");

    // A download takes what it can, and names what it leaves out.
    let down = setup.dir.path().join("down");
    let get = run(&mut setup.cubby(&["get", "odd", down.to_str().unwrap()])).await;
    let said = stderr_of(&get);
    assert!(get.status.success(), "{said}");
    assert!(said.contains("cubby: skipped /odd/a//b.txt: "), "{said}");
    assert!(
        said.contains("cubby: skipped /odd/\u{e9}t\u{e9}.txt: "),
        "{said}"
    );
    let mut local: Vec<String> = fs::read_dir(down.join("odd"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    local.sort();
    assert_eq!(local, ["far.txt", "\u{e9}t\u{e9}.txt"]);

    // An unusable key goes only as a listing shows it; a recursive rm empties the folder.
    let missing = run(&mut setup.cubby(&["rm", "--key", "odd/nope"])).await;
    assert!(stderr_of(&missing).contains("[storage.not_found]"));
    stdout_of(&run(&mut setup.cubby(&["rm", "--key", "odd/e\\u{301}te\\u{301}.txt"])).await);
    let listed = stdout_of(&run(&mut setup.cubby(&["ls", "-r", "odd"])).await);
    assert!(!listed.contains("decomposed"), "{listed}");
    stdout_of(&run(&mut setup.cubby(&["rm", "-r", "odd"])).await);
    let top = stdout_of(&run(&mut setup.cubby(&["ls"])).await);
    assert!(top.trim().is_empty(), "{top}");

    // Two local files for one remote name: refused, nothing sent.
    let work = setup.dir.path();
    for dir in ["d1", "d2"] {
        fs::create_dir_all(work.join(dir)).unwrap();
        fs::write(work.join(dir).join("x.txt"), dir).unwrap();
    }
    let sources = [work.join("d1/x.txt"), work.join("d2/x.txt")];
    let clash = run(&mut setup.cubby(&[
        "put",
        sources[0].to_str().unwrap(),
        sources[1].to_str().unwrap(),
        "folder",
    ]))
    .await;
    assert_eq!(clash.status.code(), Some(1));
    assert!(
        stderr_of(&clash).contains("[transfer.name_clash]"),
        "{}",
        stderr_of(&clash)
    );
    let top = stdout_of(&run(&mut setup.cubby(&["ls"])).await);
    assert!(top.trim().is_empty(), "{top}");

    // A symbolic link inside a folder is named and left out, unless asked for.
    #[cfg(unix)]
    {
        let tree = work.join("tree");
        fs::create_dir_all(&tree).unwrap();
        fs::write(tree.join("mine.txt"), "mine").unwrap();
        std::os::unix::fs::symlink(work.join("d1"), tree.join("elsewhere")).unwrap();
        let put = run(&mut setup.cubby(&["put", tree.to_str().unwrap()])).await;
        let said = stderr_of(&put);
        assert!(put.status.success(), "{said}");
        assert!(
            said.contains("elsewhere: a symbolic link, not followed"),
            "{said}"
        );
        let listed = stdout_of(&run(&mut setup.cubby(&["ls", "-r", "tree"])).await);
        assert!(!listed.contains("x.txt"), "{listed}");
        stdout_of(&run(&mut setup.cubby(&["put", "--follow-links", tree.to_str().unwrap()])).await);
        let listed = stdout_of(&run(&mut setup.cubby(&["ls", "-r", "tree"])).await);
        assert!(listed.contains("elsewhere/x.txt"), "{listed}");
    }
}
