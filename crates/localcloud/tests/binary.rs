//! The `cubby-localcloud` binary's command line: what it prints, and how it refuses bad input.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn localcloud() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cubby-localcloud"))
}

#[test]
fn bad_arguments_are_usage_errors_that_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    for (args, expected) in [
        (vec!["--data", data, "--user", "no-colon"], "EMAIL:PASSWORD"),
        (
            vec!["--data", data, "--credentials-ttl", "0"],
            "credentials-ttl",
        ),
        (vec!["--port", "1"], "--data"),
    ] {
        let output = localcloud().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let output = localcloud()
        .args(["--data", data, "--user", "ada@example.com:short"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 8 characters"));
}

#[test]
fn prints_a_profile_toml_and_the_admin_credential() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = localcloud()
        .args(["--data", dir.path().to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("# Press Ctrl-C");
        printed.push_str(&line);
        printed.push('\n');
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let config = cubby_core::config::Config::parse(&printed).unwrap();
    let profile = &config.profiles["sandbox"];
    assert_eq!(profile.bucket, "cubby");
    assert!(profile.endpoints.s3.is_some());
    assert!(printed.contains("access_key_id     = AKIA"), "{printed}");
}
