//! rclone (Debian's package, aws-sdk-go underneath) against localcloud with an identity's
//! temporary credentials: copy a folder up (one file big enough for multipart), list it, copy it
//! back down. rclone must be installed; the test fails, not skips, without it.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use super::{TestServer, bytes};

/// Runs `rclone ARGS` configured for remote `lc:` with the given credentials.
async fn rclone(
    server: &TestServer,
    credential: &crate::credentials::IssuedCredential,
    args: &[&str],
) -> Output {
    let config_file = server.data_dir.path().join("rclone.conf");
    let mut command = tokio::process::Command::new("rclone");
    command
        .args(args)
        .env("RCLONE_CONFIG", &config_file)
        .env("RCLONE_CONFIG_LC_TYPE", "s3")
        .env("RCLONE_CONFIG_LC_PROVIDER", "Other")
        .env("RCLONE_CONFIG_LC_ENDPOINT", &server.endpoint)
        .env("RCLONE_CONFIG_LC_REGION", "us-east-1")
        .env("RCLONE_CONFIG_LC_FORCE_PATH_STYLE", "true")
        // The folder policy grants no HeadBucket (nor does AWS under it): don't probe the bucket.
        .env("RCLONE_CONFIG_LC_NO_CHECK_BUCKET", "true")
        .env("RCLONE_CONFIG_LC_ACCESS_KEY_ID", &credential.access_key_id)
        .env(
            "RCLONE_CONFIG_LC_SECRET_ACCESS_KEY",
            &credential.secret_access_key,
        )
        .env(
            "RCLONE_CONFIG_LC_SESSION_TOKEN",
            credential.session_token.as_deref().unwrap_or_default(),
        )
        // Debian's rclone fails with LoadCustomCABundleError when this is set.
        .env_remove("AWS_CA_BUNDLE")
        .kill_on_drop(true);
    let run = command.output();
    match tokio::time::timeout(Duration::from_secs(120), run).await {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => {
            panic!("rclone could not be started ({e}); install it: apt-get install -y rclone")
        }
        Err(_) => panic!("rclone {args:?} did not finish within 120 s"),
    }
}

fn succeeded(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "rclone {what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("utf-8 output")
}

fn write(root: &Path, name: &str, data: &[u8]) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

#[tokio::test]
async fn rclone_copies_a_folder_up_lists_it_and_copies_it_down() {
    let server = TestServer::start().await;
    let identity = "us-east-1:6f1c1234-5678-4abc-8def-0123456789ab";
    let credential = server
        .credentials
        .issue(identity, Duration::from_secs(3600));
    let local = tempfile::tempdir().unwrap();
    let files: [(&str, Vec<u8>); 4] = [
        ("a.txt", b"hello".to_vec()),
        ("sub dir/b:c.txt", b"colon".to_vec()),
        ("ünï/c.bin", bytes(12 * 1024 * 1024, 3)),
        ("empty", Vec::new()),
    ];
    for (name, data) in &files {
        write(local.path(), name, data);
    }
    let remote = format!("lc:cubby/{identity}/up");
    let source = local.path().to_str().unwrap();
    // Small cutoff and chunks so the 12 MiB file goes up as a multipart upload.
    let up = rclone(
        &server,
        &credential,
        &[
            "copy",
            source,
            &remote,
            "--s3-upload-cutoff",
            "5M",
            "--s3-chunk-size",
            "5M",
        ],
    )
    .await;
    succeeded(&up, "copy up");

    let listing = succeeded(
        &rclone(
            &server,
            &credential,
            &["lsf", "-R", "--files-only", &remote],
        )
        .await,
        "lsf",
    );
    let mut listed: Vec<&str> = listing.lines().collect();
    listed.sort_unstable();
    let mut expected: Vec<&str> = files.iter().map(|(name, _)| *name).collect();
    expected.sort_unstable();
    assert_eq!(listed, expected);

    let down = tempfile::tempdir().unwrap();
    succeeded(
        &rclone(
            &server,
            &credential,
            &["copy", &remote, down.path().to_str().unwrap()],
        )
        .await,
        "copy down",
    );
    for (name, data) in &files {
        assert!(
            std::fs::read(down.path().join(name)).unwrap() == *data,
            "{name} differs after the round trip"
        );
    }

    let root = rclone(&server, &credential, &["lsf", "lc:cubby/"]).await;
    assert!(
        !root.status.success(),
        "listing the bucket root must be denied"
    );
}
